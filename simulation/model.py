"""The LCO care-flow model: builds the parts and runs the day in one documented order.

Patients are vectorised (:mod:`simulation.population`); GP practices, community teams, hospitals
and the LCO are Mesa agents held in AgentSets; what happens to patients is in
:mod:`simulation.pathways`; the integration levers are parts (:mod:`simulation.levers`), the
community services sit behind one interface (:mod:`simulation.services`), and every part declares
its metrics (:mod:`simulation.metrics`). ``LCOModel.step`` advances one day; its docstring is the
one place the daily order of events is written down.

Mesa conventions: the warm-up runs inside the constructor and is not counted in ``steps``; each
``step()`` is one recorded day; ``running`` turns False at the horizon, after which ``step()``
does nothing. So ``mesa.batch_run(LCOModel, parameters={"scenario": [...], "seed": [...]},
max_steps=..., data_collection_period=1)`` gives one row per recorded day of every run
(``docs/experiments.md``, "The Mesa way").

Example:
    >>> from simulation.scenario import Scenario
    >>> model = LCOModel(Scenario.preset("none", scale=0.005, years=1), seed=3)
    >>> _ = model.run(days=30)
    >>> model.steps
    30
    >>> df = model.results()
    >>> sorted(df.columns.tolist())
    ['date', 'day', 'dimension', 'group', 'metric', 'value']
    >>> int(df.query("metric == 'population' and day == 29")["value"].iloc[0]) > 2900
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet

from simulation.areas import layout
from simulation.care_homes import CareHomes
from simulation.community import CommunityTeam
from simulation.end_of_life import EndOfLife
from simulation.episodes import EpisodeLog
from simulation.hospice import Hospice
from simulation.hospital import NEED_COMMUNITY_BED, NEED_HOME_SUPPORT, Hospital
from simulation.lco import LocalCareOrganisation
from simulation.levers import BUILT_IN, Lever, lever_class
from simulation.metrics import BREAKDOWN_DIMENSIONS, Metric, MetricRegistry, registry_of
from simulation.parts import Part
from simulation.pathways import Pathways
from simulation.population import AGE_BAND_LABELS, MAX_AGE, N_QUINTILES, Population
from simulation.practice import GPPractice
from simulation.random_streams import Process, RandomStreams
from simulation.recorder import BreakdownRecorder
from simulation.scenario import Scenario
from simulation.services import Service, ServiceDirectory
from simulation.social_care import SocialCare
from simulation.workforce import Workforce

CORE_PARTS = (EndOfLife, CareHomes, SocialCare, Hospice, Workforce)
"""Parts every model has, before the levers: the last months of life, care homes, long-term home
care, hospices and the workforce that staffs the services. Their services follow the built-in
ones (:data:`SERVICES`)."""

SERVICES = (
    Service("crisis_response", "daily", per_100k=lambda s: s.community.crisis_response_per_100k_day,
            label="2-hour crisis response", staff=("community_nurse",)),
    Service("home_support", "places", per_100k=lambda s: s.community.home_support_places_per_100k,
            mean_days=lambda s: s.community.home_support_days, need=NEED_HOME_SUPPORT,
            stream=Process.COMMUNITY_SERVICE, draw=NEED_HOME_SUPPORT,
            label="home support (reablement)", staff=("care_worker",)),
    Service("community_beds", "places", per_100k=lambda s: s.community.community_beds_per_100k,
            mean_days=lambda s: s.community.community_bed_days, need=NEED_COMMUNITY_BED,
            stream=Process.COMMUNITY_SERVICE, draw=NEED_COMMUNITY_BED,
            label="community (intermediate care) beds", staff=("community_nurse",)),
    Service("case_management", "caseload",
            per_100k=lambda s: s.community.case_management_places_per_100k,
            label="case-management caseload", staff=("community_nurse",)),
    *(svc for part in CORE_PARTS for svc in part.services),
)
"""The built-in services, in the order hospitals try them at discharge: the community teams',
then those of the core parts (care homes, home-care packages, hospice beds)."""

ORGANISATION_METRICS = (
    Metric("community_contacts", "flow", "contacts",
           "Community contacts today: crisis responses, case-management reviews, home-support "
           "visits and step-up admissions."),
    Metric("home_support_occupied", "stock", "places", "Home-support places in use.",
           label="Home-support places in use"),
    Metric("community_beds_occupied", "stock", "beds", "Community beds in use.",
           label="Community beds in use"),
    Metric("occupied_beds", "stock", "beds", "Acute beds occupied tonight (all sites).",
           label="Acute beds occupied"),
    Metric("bed_capacity", "stock", "beds", "Acute beds available today, with escalation beds.",
           label="Acute beds available"),
    Metric("delayed_discharge_bed_days", "flow", "bed days",
           "Beds occupied tonight by patients ready to leave but waiting for a place.",
           label="Delayed-discharge bed days"),
    Metric("fit_not_discharged", "stock", "patients", "Medically fit patients still in hospital.",
           label="Medically fit patients still in hospital"),
    Metric("practices_integrated", "stock", "practices", "Practices at any integration status.",
           label="GP practices integrated"),
    Metric("integration_strength", "stock", "share", "Mean lever intensity over practices.",
           label="Integration strength (mean lever intensity)"),
)
"""Daily series of the organisations (community teams, hospitals, the LCO)."""


def metric_registry(levers: Iterable = BUILT_IN, observers: Iterable = ()) -> MetricRegistry:
    """Every metric a model with these levers and observers records, without building one.

    Example:
        >>> reg = metric_registry()
        >>> "crisis_responses" in reg, reg.is_stock("occupied_beds")
        (True, True)
    """
    return registry_of([Pathways, _OrganisationMetrics, Hospital, *CORE_PARTS, *levers,
                        *observers])


class _OrganisationMetrics:
    metrics = ORGANISATION_METRICS


def _lever_instances(scenario: Scenario, extra: Sequence) -> list[Lever]:
    """Built-in levers, then the scenario's extra levers, then those passed to the model."""
    levers = [cls() for cls in BUILT_IN]
    levers += [lever_class(spec)() for spec in scenario.integration.levers]
    for lever in extra:
        levers.append(lever() if isinstance(lever, type) else lever)
    names = [lv.name for lv in levers]
    if len(set(names)) != len(names):
        raise ValueError(f"two levers share a name: {names}")
    return levers


class LCOModel(mesa.Model):
    """Care flows of a registered population under a Local Care Organisation.

    Args:
        scenario: the validated scenario; the default area's ``none`` baseline by default.
        seed: root seed (an integer or a SeedSequence); every random number derives from it, see
            :mod:`simulation.random_streams`. The same seed in two arms gives common random numbers.
        record_episodes: keep the patient-level episode log.
        levers: extra levers (instances or classes of :class:`simulation.levers.Lever`), run after
            the built-in levers and the scenario's own extra levers.
        observers: parts that watch the run without changing it (e.g. the finance ledger,
            :class:`simulation.finance.ledger.Ledger`).
        services: extra community services (:class:`simulation.services.Service`), offered by
            every neighbourhood's team after the built-in ones.
    """

    def __init__(self, scenario: Scenario | None = None, *,
                 seed: int | np.random.SeedSequence = 0, record_episodes: bool = True,
                 levers: Sequence = (), observers: Sequence[Part] = (),
                 services: Sequence[Service] = ()):
        if scenario is not None and not isinstance(scenario, Scenario):
            raise TypeError(f"scenario must be a simulation.scenario.Scenario, got "
                            f"{type(scenario).__name__}; with mesa.batch_run give a list of "
                            "scenarios: parameters={'scenario': [scenario]}")
        self.streams = RandomStreams(seed)
        # Mesa's own generator is not used by the model's processes; seed it from ours anyway.
        super().__init__(seed=int(self.streams.seed_sequence.generate_state(1)[0]))
        self.scenario = scenario if scenario is not None else Scenario.preset("none")
        s = self.scenario
        self.seed = seed
        self.warmup_days = s.run.warmup_days
        self.day = -self.warmup_days  # the warm-up runs days -warmup..-1; results start at day 0
        self.horizon_days = int(round(s.run.years * 365))
        self.start_date = dt.date.fromisoformat(s.run.start_date)
        self._calendar = pd.date_range(self.start_date - dt.timedelta(days=self.warmup_days),
                                       periods=self.warmup_days + self.horizon_days + 1, freq="D")
        self.dates = self._calendar[self.warmup_days:]
        self._month_start = np.asarray(self._calendar.day == 1)
        self._month_start[0] = True
        self.record_episodes = record_episodes

        # -- organisations and patients ----------------------------------------------------
        # The area's structure at run scale (simulation.areas.layout holds the scale rules).
        self.n_neighbourhoods = len(s.population.neighbourhoods)
        self.neighbourhood_names = [h.name for h in s.population.neighbourhoods]
        self.locality_of_neighbourhood = [h.locality for h in s.population.neighbourhoods]
        self._build_practices(layout.practice_counts(s))
        self.population = Population.initial(s, self.streams, self.practices_of_neighbourhood,
                                             self.practice_weights, day=self.day)
        self.initial_size = self.population.n_alive
        hood_sizes = np.bincount(self.population.neighbourhood[: self.population.n],
                                 minlength=self.n_neighbourhoods)
        all_services = [*SERVICES, *services]
        self.team_list = [CommunityTeam(self, h) for h in range(self.n_neighbourhoods)]
        self.teams = AgentSet(self.team_list, random=self.random)
        # capacity pools of about one real team each, whatever the scale (services.pool_layout)
        self.services = ServiceDirectory(self, all_services, self.team_list, sizes=hood_sizes,
                                         scale=s.run.scale)
        sites = layout.sites_at_scale(s)
        self.layout_notes = sites.notes  # sites too small to behave like a hospital, if any
        self.hospital_list = [Hospital(self, i, spec, 1.0, s.hospitals.escalation_threshold)
                              for i, spec in enumerate(sites.specs)]
        self.hospitals = AgentSet(self.hospital_list, random=self.random)
        self.home_site = layout.home_sites(s)
        self.lco = LocalCareOrganisation(self, s.integration)
        self.episodes = EpisodeLog()
        self.practice_intensity = np.zeros(len(self.practice_list))
        self.neighbourhood_intensity = np.zeros(self.n_neighbourhoods)
        self.community_uplift = np.zeros(self.n_neighbourhoods)

        # -- parts: pathways, levers, observers -------------------------------------------------
        self.pathways = Pathways(self)
        self.core_parts: list[Part] = [cls() for cls in CORE_PARTS]
        self.end_of_life = self.core_parts[0]
        self.levers = _lever_instances(s, levers)
        self.observers = list(observers)
        self.parts: list[Part] = [*self.core_parts, *self.levers, *self.observers]
        for part in self.parts:
            part.setup(self)
        self.population.modifiers.order = [p.name for p in self.parts]

        # -- observation -------------------------------------------------------------------
        self.metrics = metric_registry(self.levers, self.observers)
        self.today: dict[str, float] = dict.fromkeys(self.metrics.names("all"), 0)
        # events are counted (whole numbers); stocks such as staff in post are set (fractions)
        self.categories = {m.name: np.zeros((self.horizon_days, len(m.categories)),
                                            np.float64 if m.kind == "stock" else np.int32)
                           for m in self.metrics.category_metrics()}
        self.breakdowns = BreakdownRecorder(
            self.horizon_days, {"neighbourhood": self.n_neighbourhoods,
                                "age_band": len(AGE_BAND_LABELS),
                                "deprivation_quintile": N_QUINTILES},
            tuple(m for m in self.metrics.breakdown_metrics() if m != "population"))
        self.population_by_group: list[tuple[int, dict[str, np.ndarray]]] = []
        # person-days by single year of age, for the age-specific GP targets
        self.person_days_by_age = np.zeros(MAX_AGE + 1)
        self.datacollector = mesa.DataCollector(
            model_reporters={m: (lambda model, m=m: model.today[m]) for m in self.today},
            agenttype_reporters={Hospital: dict(Hospital.reporters)})
        self._warm_up()

    # ----- set-up ---------------------------------------------------------------------------
    def _build_practices(self, count: np.ndarray) -> None:
        """Create ``count[h]`` practices in each neighbourhood; draw list sizes and willingness."""
        s = self.scenario.population
        rng = self.streams.generator(Process.STRUCTURE, 1)
        self.practice_weights = rng.lognormal(0.0, s.practice_list_sigma, size=count.sum())
        willing = rng.random(count.sum()) < self.scenario.integration.adoption.max_share
        self.practice_list: list[GPPractice] = []
        self.practices_of_neighbourhood: list[list[int]] = []
        for hood, k in enumerate(count):
            idx = list(range(len(self.practice_list), len(self.practice_list) + k))
            self.practices_of_neighbourhood.append(idx)
            for i in idx:
                self.practice_list.append(GPPractice(self, i, hood, bool(willing[i])))
        self.practices = AgentSet(self.practice_list, random=self.random)

    def part(self, name: str) -> Part:
        """The lever or observer called ``name``."""
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(f"no part named {name!r}; parts: {[p.name for p in self.parts]}")

    # ----- running --------------------------------------------------------------------------
    def _warm_up(self) -> None:
        """Run the warm-up days so beds and community places are occupied at day 0.

        Levers stay off and nothing is recorded; the calendar runs so the season is right. The
        warm-up calls the day itself, not :meth:`step`, so Mesa's ``steps`` counts recorded days.
        """
        while self.day < 0:
            self._advance_day()

    def run(self, days: int | None = None, progress=None) -> LCOModel:
        """Step to the horizon (or for ``days`` days); ``progress`` is an optional tqdm bar."""
        end = self.horizon_days if days is None else min(self.horizon_days, self.day + days)
        while self.day < end:
            self.step()
            if progress is not None:
                progress.update(1)
        return self

    def step(self) -> None:
        """Advance one recorded day (nothing once the horizon is reached), in this order.

        1. **Monthly review** (first day of each calendar month): practice lists and capacity
           are updated; the LCO lets practices adopt integration and sets each practice's and
           neighbourhood's lever intensity and the community investment; every part's
           ``monthly`` hook runs (levers enrol patients and set risk modifiers), the modifiers
           are combined in the parts' order, and every patient's daily event probabilities are
           recomputed. **Yearly** (each anniversary of day 0): patients move up condition tiers
           and GP-use counts roll over.
        2. **Births and arrivals** join practice lists.
        3. **Community services** release places whose episodes ended, make every pool's places
           whole and, on the first day of a pool's period (every day at full scale), set its
           crisis responses for the period
           (:meth:`simulation.services.ServiceDirectory.start_day`).
        4. **Hospitals** open escalation beds if full, then **discharge**: medically fit patients
           who need nothing go home; those needing a service (home support, a community bed, a
           care-home place, a home-care package) go when the pool serving their neighbourhood
           has a free place, otherwise they wait (a delayed discharge); parts hear of every
           discharge.
        5. **Needs arise**: one uniform per patient decides the start of dying, an acute episode or
           a routine GP need. The **end of life** (:mod:`simulation.end_of_life`) turns each new
           start of dying into a death tomorrow (sudden) or at the end of a final phase, and
           brings the final deteriorations due today (a hospice bed, or an acute episode).
        6. **Deaths** due today, each recorded with its place (hospital, hospice, care home,
           home); inpatients' episodes close.
        7. **Primary care**: today's GP needs and yesterday's retries are booked within each
           practice's capacity; unmet need spills to A&E, retries tomorrow, or is lost.
        8. **Acute episodes**: levers may care for an episode at home (``divert_acute``: 2-hour
           crisis response); the rest come to A&E (admitted with the conversion probability,
           which levers may lower) or directly for admission, which a lever may place elsewhere
           (``divert_direct``: a GP's step-up to a community bed); admissions take a bed at the
           home site, else another site, else out of area; zero-day stays leave the same day.
        9. **Follow-up**: readmission windows that end today expire; every part records its
           metrics (care homes and home care move in today's arrivals and offer their free
           places to people waiting at home, then to tomorrow's discharges) and the day is
           collected; on the last day of a model year every part's
           ``end_of_year`` hook runs (the finance ledger settles the year).
        """
        if self.day >= self.horizon_days:
            self.running = False
            return
        self._advance_day()
        if self.day >= self.horizon_days:
            self.running = False

    def _advance_day(self) -> None:
        day = self.day
        self._reset_today()
        if self._month_start[day + self.warmup_days]:
            self._monthly_review(day)
        if day > 0 and day % 365 == 0:
            self.population.progress_tiers(day)
            self.population.roll_gp_counts()
        self.pathways.births(day)
        self.services.start_day(day, self.community_uplift)
        self.pathways.discharge(day)
        onsets, acute, gp = self.population.draw_events(day, self._season(day))
        deaths, final = self.end_of_life.daily(day, onsets)
        self.pathways.deaths(day, deaths)
        alive = self.population.alive  # today's dead drew their events before dying
        acute, gp = acute[alive[acute]], gp[alive[gp]]
        spill = self.pathways.primary_care(day, gp)
        self.pathways.acute_episodes(day, acute, spill, final)
        self.pathways.release_out_of_area(day)
        self.population.expire_readmission_windows(day)
        self._record(day)
        if day >= 0 and (day + 1) % 365 == 0:
            for part in self.parts:
                part.end_of_year(day)
        self.day += 1

    # ----- the steps ------------------------------------------------------------------------
    def _reset_today(self) -> None:
        for k in self.today:
            self.today[k] = 0
        for h in self.hospital_list:
            h.admissions_today = 0

    def _season(self, day: int) -> float:
        d = self.scenario.demand
        doy = self._calendar[day + self.warmup_days].dayofyear
        return 1 + d.winter_amplitude * np.cos(2 * np.pi * (doy - d.winter_peak_day_of_year)
                                               / 365.25)

    def _monthly_review(self, day: int) -> None:
        s, pop = self.scenario, self.population
        alive = pop.alive[: pop.n]
        lists = np.bincount(pop.practice[: pop.n][alive], minlength=len(self.practice_list))
        for p in self.practice_list:
            p.update_list(lists[p.index], s.primary_care.appointments_per_patient_year)
        self.pathways.close_practice_month()
        self.lco.review_adoption(day, self.practice_list, self.n_neighbourhoods)
        self.practice_intensity = self.lco.practice_intensity(self.practice_list)
        hood_of_practice = np.array([p.neighbourhood for p in self.practice_list])
        w = np.maximum(lists, 1)
        self.neighbourhood_intensity = (np.bincount(hood_of_practice, self.practice_intensity * w,
                                                    self.n_neighbourhoods)
                                        / np.bincount(hood_of_practice, w, self.n_neighbourhoods))
        self.community_uplift = self.lco.community_uplift(day, self.neighbourhood_intensity)
        for part in self.parts:
            part.monthly(day)
        pop.apply_modifiers()
        pop.refresh(day)
        self._record_population_groups(day)

    # ----- observation ----------------------------------------------------------------------
    def group_codes(self, ids: np.ndarray) -> dict[str, np.ndarray]:
        """Each patient's group in every breakdown dimension (neighbourhood, age band, quintile)."""
        pop = self.population
        return {"neighbourhood": pop.neighbourhood[ids], "age_band": pop.age_band[ids],
                "deprivation_quintile": pop.quintile[ids]}

    def count_category(self, metric: str, day: int, codes: np.ndarray) -> None:
        """Count today's events of a ``category`` metric, one category code per event."""
        if len(codes) and day >= 0:
            counts = self.categories[metric]
            counts[day] += np.bincount(codes, minlength=counts.shape[1]).astype(np.int32)

    def set_category(self, metric: str, day: int, values: np.ndarray) -> None:
        """Set today's value of a ``category`` stock metric, one value per category."""
        if day >= 0:
            self.categories[metric][day] = values

    def count_events(self, metric: str, day: int, ids: np.ndarray) -> None:
        """Count today's events of ``metric`` for patients ``ids`` in every breakdown dimension."""
        if len(ids) and day >= 0:
            self.breakdowns.add(metric, day, self.group_codes(ids))

    def _record_population_groups(self, day: int) -> None:
        if day < 0:
            return
        pop = self.population
        ids = np.flatnonzero(pop.alive[: pop.n])
        codes = self.group_codes(ids)
        month_end = self._calendar[day + self.warmup_days] + pd.offsets.MonthBegin(1)
        days_in_month = min((month_end - self._calendar[day + self.warmup_days]).days,
                            self.horizon_days - day)
        self.person_days_by_age += days_in_month * np.bincount(pop.ages(day, ids),
                                                               minlength=MAX_AGE + 1)
        sizes = {g: np.bincount(codes[g], minlength=n)[:n]
                 for g, n in self.breakdowns.groups.items()}
        self.population_by_group.append((day, sizes))

    @property
    def gp_met_by_age(self) -> np.ndarray:
        """GP appointments met since day 0, by single year of age."""
        return self.pathways.gp_met_by_age

    def _record(self, day: int) -> None:
        pop, t = self.population, self.today
        t["population"] = pop.n_alive
        for part in self.parts:
            part.record(day, t)
        t["home_support_occupied"] = self.services.occupied("home_support")
        t["community_beds_occupied"] = self.services.occupied("community_beds")
        c = self.scenario.community
        t["community_contacts"] = (t.get("crisis_responses", 0)
                                   + t.get("case_managed", 0)
                                   * c.case_management_contacts_per_week / 7
                                   + t["home_support_occupied"] * c.home_support_visits_per_day
                                   + t.get("step_up_community_beds", 0))
        t["occupied_beds"] = sum(h.occupied for h in self.hospital_list)
        t["bed_capacity"] = sum(h.capacity for h in self.hospital_list)
        t["delayed_discharge_bed_days"] = sum(h.delayed_tonight for h in self.hospital_list)
        t["fit_not_discharged"] = sum(h.fit_tonight for h in self.hospital_list)
        t["practices_integrated"] = sum(p.status > 0 for p in self.practice_list)
        t["integration_strength"] = float(self.practice_intensity.mean())
        if day >= 0:
            self.datacollector.collect(self)

    # ----- results --------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """All daily outputs as one tidy long table.

        Columns: ``day``, ``date``, ``metric``, ``dimension`` (``all``, ``hospital``,
        ``neighbourhood``, ``age_band``, ``deprivation_quintile``), ``group`` and ``value``.
        Group populations (``metric == 'population'`` in a grouped dimension) are recorded on the
        first day of each month.
        """
        from simulation.results import tidy_results

        return tidy_results(self)

    def episode_log(self) -> pd.DataFrame:
        """The patient-level episode log (one row per emergency admission)."""
        return self.episodes.frame(self.scenario.run.start_date,
                                   [h.name for h in self.hospital_list],
                                   self.services.destinations())


MODEL_METRICS = metric_registry().names("all")
"""Model-level daily series of the default model (its levers; observers add their own)."""

BREAKDOWN_METRICS = tuple(m for m in metric_registry().breakdown_metrics() if m != "population")
"""Events also counted by neighbourhood, age band and deprivation quintile."""

HOSPITAL_METRICS = dict(Hospital.reporters)
"""Per-hospital daily series (Mesa DataCollector agent-type reporters)."""

__all__ = ["BREAKDOWN_DIMENSIONS", "BREAKDOWN_METRICS", "HOSPITAL_METRICS", "MODEL_METRICS",
           "SERVICES", "LCOModel", "metric_registry"]
