"""The lever type: a part that changes care when practices integrate, and how strongly it acts.

A lever's strength for a patient is ``ramp(day) * intensity[status of their practice]``:

* ``ramp`` rises linearly from 0 at ``ramp_start_years`` to 1 at ``ramp_start_years + ramp_years``
  (the published time profile: little effect for about two years, reductions after 4.5-6 years;
  [health-foundation-iau-2021]);
* ``intensity`` is 0 for a practice that has not integrated and rises with its status (virtual,
  partial, full), so integration spreads as practices adopt it.

Probabilities scale with strength (a half-strength lever refers half as many patients); a
referred patient gets the lever's full effect. Ratios on rates scale linearly:
``1 + (ratio - 1) * strength``.

A lever is a :class:`Lever` subclass with a ``name``, a ``Params`` section (its parameters, each
with unit, default, bounds and source), its metrics and cost items, and any of these hooks, which
the patient pathways (:mod:`simulation.pathways`) call for every lever in the declared order:

* ``monthly(day)``: enrol patients and set risk modifiers
  (:meth:`simulation.population.RiskModifiers.set`) on their acute or GP hazard;
* ``divert_acute(day, episodes)``: keep some of today's acute episodes out of hospital
  (sets ``episodes.avoided``);
* ``conversion_ratio(day, episodes)``: a ratio on the chance that an A&E attendance is admitted;
* ``divert_direct(day, episodes)``: place some direct admissions elsewhere (``episodes.placed``);
* ``discharge_needs(day, admissions, need)``: change what admitted patients will need at
  discharge (e.g. route some to a new service, :mod:`simulation.services`);
* ``assessment_ratio(day, admissions)``: a ratio on the assessment delay before a supported
  discharge;
* ``readmission_ratio(day, patients)``: a ratio on the excess acute hazard after discharge.

Example:
    >>> lever = LeverParams(ramp_start_years=1, ramp_years=4)
    >>> [round(ramp(lever, day), 2) for day in (0, 365, 3 * 365, 5 * 365, 9 * 365)]
    [0.0, 0.0, 0.5, 1.0, 1.0]
    >>> scaled_ratio(0.8, 0.5)
    0.9
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from simulation.parameters import Section, param
from simulation.parts import Part

DAYS_PER_YEAR = 365.25


class LeverParams(Section):
    """A lever's ramp-up after the LCO starts; each lever adds its own effect parameters."""

    ramp_start_years: float = param(
        1.0, "years", "Effects close to zero for about 2 years [health-foundation-iau-2021]",
        "Years after day 0 before the lever acts at all.", ge=0.0, le=30.0)
    ramp_years: float = param(
        4.0, "years", "Reductions emerge only after 4.5-6 years [health-foundation-iau-2021]",
        "Years from the start of the ramp to the full effect (linear).", ge=0.0, le=30.0)


def ramp(lever: LeverParams, day: int) -> float:
    """Share of the lever's full effect reached on ``day`` (0 before the ramp starts)."""
    years = day / DAYS_PER_YEAR - lever.ramp_start_years
    if years <= 0:
        return 0.0
    if lever.ramp_years <= 0:
        return 1.0
    return float(min(1.0, years / lever.ramp_years))


def scaled_ratio(ratio: float | np.ndarray, strength: float | np.ndarray) -> float | np.ndarray:
    """A rate ratio applied at partial strength: 1 at strength 0, ``ratio`` at strength 1."""
    return 1 + (ratio - 1) * strength


@dataclass
class AcuteEpisodes:
    """Today's acute episodes as they pass through the pathway (one entry per episode).

    Levers read the patients' characteristics and mark episodes ``avoided`` (cared for at home)
    or ``placed`` (a direct admission placed outside the acute hospital).
    """

    day: int
    ids: np.ndarray
    age: np.ndarray
    tier: np.ndarray
    neighbourhood: np.ndarray
    intensity: np.ndarray  # lever intensity of each patient's practice
    eligible: np.ndarray  # aged 65+ or multimorbid (tier 2+): the community services' cohort
    avoided: np.ndarray = field(init=False)
    direct: np.ndarray = field(init=False)
    placed: np.ndarray = field(init=False)

    def __post_init__(self):
        n = len(self.ids)
        self.avoided = np.zeros(n, bool)
        self.direct = np.zeros(n, bool)
        self.placed = np.zeros(n, bool)


@dataclass
class Admissions:
    """Patients being admitted today, as the admission step sees them."""

    day: int
    ids: np.ndarray
    age: np.ndarray
    tier: np.ndarray
    neighbourhood: np.ndarray


class Lever(Part):
    """Base of every integration lever.

    Subclasses set ``name`` (the key under ``integration`` in a scenario), ``Params`` (a
    :class:`LeverParams` subclass) and override the hooks they use. ``params`` is read from the
    scenario when the model is built, unless the lever was constructed with its own.
    """

    Params: ClassVar[type[LeverParams]] = LeverParams
    stream: ClassVar[int | None] = None
    """Random-stream key; ``None`` derives one from the name (:meth:`Part.stream_key`)."""

    def __init__(self, params: LeverParams | dict | None = None):
        if isinstance(params, dict):
            params = self.Params.model_validate(params)
        self.params = params

    def setup(self, model) -> None:
        """Attach to ``model`` and take the lever's parameters from its scenario if not given."""
        super().setup(model)
        if self.params is None:
            self.params = model.scenario.lever_params(self.name, self.Params)

    # ----- strength ---------------------------------------------------------------------
    def ramp(self, day: int) -> float:
        """Share of the full effect reached on ``day``."""
        return ramp(self.params, day)

    def strongest(self, day: int) -> float:
        """Strength on ``day`` at the most integrated practice (0: the lever acts nowhere yet).

        Levers that enrol patients monthly use it to skip the month's work while nothing can
        happen and nobody is enrolled.
        """
        return self.ramp(day) * self.model.practice_intensity.max(initial=0)

    def draw(self, day: int, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """Uniforms keyed by (this lever's stream, day, patient, draw): common across arms."""
        key = self.stream if self.stream is not None else self.stream_key()
        return self.model.streams.keyed(key, day, ids, draw)

    # ----- pathway hooks (override what the lever does) ---------------------------------
    def divert_acute(self, day: int, episodes: AcuteEpisodes) -> None:
        """Mark acute episodes cared for outside hospital (``episodes.avoided``)."""

    def conversion_ratio(self, day: int, episodes: AcuteEpisodes) -> np.ndarray | None:
        """Ratio on each episode's chance of admission from A&E (``None``: no effect)."""
        return None

    def divert_direct(self, day: int, episodes: AcuteEpisodes) -> None:
        """Place direct admissions elsewhere (``episodes.placed``)."""

    def discharge_needs(self, day: int, admissions: Admissions,
                        need: np.ndarray) -> np.ndarray | None:
        """New discharge need codes for today's admissions (``None``: unchanged)."""
        return None

    def assessment_ratio(self, day: int, admissions: Admissions) -> np.ndarray | None:
        """Ratio on the mean assessment delay before a supported discharge (``None``: none)."""
        return None

    def readmission_ratio(self, day: int, patients: np.ndarray) -> np.ndarray | None:
        """Ratio on the excess acute hazard in the 30 days after discharge (``None``: none)."""
        return None

    @classmethod
    def overrides(cls, hook: str) -> bool:
        """Whether this lever implements ``hook`` (so the pathway can skip the others)."""
        return getattr(cls, hook) is not getattr(Lever, hook)
