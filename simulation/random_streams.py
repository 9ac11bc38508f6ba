"""Random numbers arranged for common random numbers (CRN) across policy arms.

Every draw comes from the run's root seed through :class:`numpy.random.SeedSequence`, one stream
per stochastic process, so that two arms run with the same seed draw the same numbers for the same
patient on the same day:

* **Daily population draws** (:meth:`RandomStreams.daily`): one uniform per patient slot per day,
  from a generator keyed by ``(process, day)``. Slots are stable ids that are never reused and
  births do not depend on the model's state, so slot *i* is the same person in every arm.
* **Per-event draws** (:meth:`RandomStreams.keyed`): a uniform keyed by
  ``(process, day, patient id, draw)``. A patient's length of stay, say, does not depend on how
  many other patients happened to be admitted that day, so arms stay aligned even after their
  event lists diverge. numpy has no vectorised keyed draw, so this hashes the key with the
  SplitMix64 output function ([steele-2014]); measured at ~30 ns per draw here, it
  is only used for the few hundred events a day, never for whole-population arrays.

Example:
    >>> streams = RandomStreams(seed=7)
    >>> a = streams.daily(Process.PATIENT_EVENTS, day=3, size=5)
    >>> b = RandomStreams(seed=7).daily(Process.PATIENT_EVENTS, day=3, size=5)
    >>> bool((a == b).all())
    True
    >>> u = streams.keyed(Process.LENGTH_OF_STAY, day=3, ids=np.array([10, 11]))
    >>> bool(((0 <= u) & (u < 1)).all())
    True
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Process(IntEnum):
    """One stream per stochastic process; the value is part of the stream's key (never reorder)."""

    STRUCTURE = 1  # initial population, practice lists
    PATIENT_EVENTS = 2  # daily death / acute / GP-need draw
    BIRTHS = 3
    TIER_PROGRESSION = 4
    ROUTING = 5  # A&E vs direct, conversion, crisis response, step-up
    LENGTH_OF_STAY = 6
    DISCHARGE_NEEDS = 7
    GP_BOOKING = 8
    ADOPTION = 9
    CASE_FINDING = 10
    SOCIAL_PRESCRIBING = 11
    COMMUNITY_SERVICE = 12
    EXPERIMENT = 13  # reserved for samplers in experiments


_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijective avalanche on uint64 (wrap-around multiplication)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


class RandomStreams:
    """All randomness of one run, derived from one root seed.

    Args:
        seed: the run's root seed (a non-negative integer) or a SeedSequence.
    """

    def __init__(self, seed: int | np.random.SeedSequence):
        self.seed_sequence = (seed if isinstance(seed, np.random.SeedSequence)
                              else np.random.SeedSequence(int(seed)))
        key = self.seed_sequence.generate_state(2, dtype=np.uint64)
        self._key = key[0] ^ (key[1] << np.uint64(1))

    def generator(self, process: Process, *key: int) -> np.random.Generator:
        """A fresh PCG64 generator for ``process`` and an optional sub-key (e.g. a day)."""
        # spawn keys must be non-negative: warm-up days are negative, so fold keys into uint32
        folded = tuple(int(k) % 2**32 for k in key)
        seq = np.random.SeedSequence(
            self.seed_sequence.entropy,
            spawn_key=(*self.seed_sequence.spawn_key, int(process), *folded))
        return np.random.Generator(np.random.PCG64(seq))

    def daily(self, process: Process, day: int, size: int) -> np.ndarray:
        """``size`` float32 uniforms for ``day``, one per patient slot, the same in every arm."""
        return self.generator(process, day).random(size, dtype=np.float32)

    def keyed(self, process: Process, day: int, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """Uniforms in [0, 1) keyed by (process, day, id, draw): one per id, order-independent."""
        with np.errstate(over="ignore"):
            head = _mix64(np.asarray(self._key ^ (np.uint64(int(process)) * _GOLDEN), np.uint64))
            head = _mix64(head ^ np.uint64(day & 0xFFFFFFFF) ^ (np.uint64(draw) << np.uint64(40)))
            x = _mix64(head ^ (np.asarray(ids, dtype=np.uint64) * _GOLDEN))
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
