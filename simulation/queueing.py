"""Textbook queueing results used to verify the hospital ([gross-2008]; [little-1961]).

Example (100 beds, 20 admissions a day, mean LOS 4 days):
    >>> round(erlang_b(100, 80.0), 6)
    0.003992
    >>> round(erlang_c(100, 80.0), 5)
    0.01965
    >>> round(carried_load(100, 80.0), 2)
    79.68
"""

from __future__ import annotations

from scipy import stats


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/G/c/c, by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c (requires load < servers)."""
    if load >= servers:
        raise ValueError(f"load {load} must be below servers {servers}")
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1 - b))


def carried_load(servers: int, load: float) -> float:
    """Mean busy servers (occupied beds) in M/G/c/c: a (1 - B)."""
    return load * (1 - erlang_b(servers, load))


def mg_infinity_quantile(load: float, q: float) -> float:
    """Quantile of occupancy with unlimited beds: Poisson(load)."""
    return float(stats.poisson.ppf(q, load))
