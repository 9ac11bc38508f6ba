"""Seeds of an experiment's runs, arranged for common random numbers (CRN).

Replication ``r`` of every arm runs with ``SeedSequence(root_seed, spawn_key=(r,))``. Because the
model draws each process's numbers from streams keyed by that seed (see
:mod:`simulation.random_streams`), arm A and arm B of replication ``r`` see the same people falling
ill on the same days; their difference is then due to the policy, not to luck. With
``common_random_numbers = false`` each run instead gets ``spawn_key=(arm, r)``: independent seeds,
useful only to measure what CRN buys.

The seed depends only on the root seed, the arm and the replication, never on which worker runs it
or when, so results do not depend on the number of workers or the order runs finish.

Samplers of the design (Latin hypercube, Morris, Sobol) get their own seed from a separate
entropy pool (``[root_seed, Process.EXPERIMENT]``) so that they never share numbers with a run.

Example:
    >>> a, b = run_seed(7, arm=0, replication=3), run_seed(7, arm=5, replication=3)
    >>> a.spawn_key == b.spawn_key == (3,)
    True
    >>> run_seed(7, arm=5, replication=3, common=False).spawn_key
    (5, 3)
    >>> describe_seed(a)
    'SeedSequence(7, spawn_key=(3,))'
"""

from __future__ import annotations

import numpy as np

from simulation.random_streams import Process


def run_seed(root_seed: int, arm: int, replication: int, *, common: bool = True
             ) -> np.random.SeedSequence:
    """The seed of one run: shared by all arms of a replication when ``common`` (CRN)."""
    key = (int(replication),) if common else (int(arm), int(replication))
    return np.random.SeedSequence(int(root_seed), spawn_key=key)


def sampler_seed(root_seed: int) -> int:
    """An integer seed for a design's sampler, independent of every run's streams."""
    seq = np.random.SeedSequence([int(root_seed), int(Process.EXPERIMENT)])
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def describe_seed(seed: np.random.SeedSequence) -> str:
    """The seed as text that reconstructs it in Python."""
    key = ", ".join(str(int(k)) for k in seed.spawn_key)
    if len(seed.spawn_key) == 1:
        key += ","
    return f"SeedSequence({int(seed.entropy)}, spawn_key=({key}))"
