"""Per-head results at several scales, and the queue check behind the pool-size rules (issue 17).

``queue``: one pool of a home-support-like service (places held a geometric 34.5 days, 28-day
longest wait, offered load 71% of a real team's 14 places) as a pool of ``f`` real teams; prints
places used and nights waited per real team's population, relative to ``f = 1``. This is where
``run.min_pool_share`` and ``run.pool_size_tolerance`` come from (docs/model.md, 7.9a).

``team``: one crisis-response team whose Poisson referrals equal its capacity (Manchester's 1.3
responses a day at full scale, 0.065 at scale 0.05): the share of its responses used when unused
ones are lost each day (lco-sim 0.2), with a token bucket capped at a day's capacity plus one, and
with this version's period of one real team-day (docs/model.md 7.9a, "Why pools").

``model``: the configuration of tests/test_scale_invariance.py (partial integration, practices
contracted on day 0, crisis response at full strength from day 0, no community uplift) at several
scales, with paired replications; prints per 100,000 person-years the unchanged scenario's crisis
responses, admissions, home-support places used and delayed-discharge bed days, and the effects of
crisis response x2 and home support x0.25, each as mean and 95% t-interval. It uses only the
public API, so the same file measures an older lco-sim (``PYTHONPATH=old/tree``).

    python benchmarks/bench_scale.py queue [--days 100000]   # about a minute
    python benchmarks/bench_scale.py team [--days 400000]
    python benchmarks/bench_scale.py model [--scales 0.02,0.05,0.0833,0.1,0.25,1] [--seeds 6]
        [--days 365] [--json out.json]
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import sys
from collections import deque

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

SETTINGS = {"integration.contracts.assignment": "contracted", "integration.community_uplift": 0.0,
            "integration.crisis_response.ramp_start_years": 0.0,
            "integration.crisis_response.ramp_years": 0.0, "run.warmup_days": 60}
ARMS = {"unchanged": {}, "crisis_x2": {"community.crisis_response_per_100k_day": 5.2},
        "home_support_x0.25": {"community.home_support_places_per_100k": 7.0}}
METRICS = ("crisis_responses", "emergency_admissions", "home_support_occupied",
           "delayed_discharge_bed_days", "community_beds_occupied")


def queue_pool(f: float, load: float = 10.0, team_places: int = 14, mean_days: float = 34.5,
               max_wait: int = 28, days: int = 100_000, seed: int = 1) -> tuple[int, float, float]:
    """A pool of ``f`` real teams: its places, and places used and nights waited per team."""
    rng = np.random.default_rng(seed)
    places = int(math.floor(team_places * f + 0.5))
    ends: list[int] = []
    queue: deque[int] = deque()
    used = waited = 0
    for day in range(days):
        while ends and ends[0] <= day:
            heapq.heappop(ends)
        queue.extend([day] * rng.poisson(load / mean_days * f))
        while queue and len(ends) < places:
            queue.popleft()
            stay = 1 + int(np.floor(-np.log1p(-rng.random()) * (mean_days - 0.5)))
            heapq.heappush(ends, day + stay)
        while queue and day - queue[0] >= max_wait:
            queue.popleft()
        used += len(ends)
        waited += len(queue)
    return places, used / days / f, waited / days / f


def team_used(per_day: float, rule: str, period: int = 1, days: int = 400_000,
              seed: int = 2) -> float:
    """Share of a team's responses used when referrals a day are Poisson(``per_day``).

    ``rule``: ``"day"`` (unused responses lost at the end of each period of ``period`` days, the
    fraction carried) or ``"bucket"`` (unused responses carried, capped at a day's capacity + 1).
    """
    rng = np.random.default_rng(seed)
    asked = rng.poisson(per_day, days)
    level = carry = 0.0
    free = given = 0
    for day in range(days):
        if rule == "bucket":
            level = min(level + per_day, per_day + 1.0)
            got = min(int(asked[day]), int(level))
            level -= got
        else:
            if day % period == 0:
                total = per_day * period + carry
                free = int(total)
                carry = total - free
            got = min(int(asked[day]), free)
            free -= got
        given += got
    return given / (per_day * days)


def per_head(scale: float, seed: int, arm: str, days: int) -> dict[str, float]:
    """Each metric per 100,000 person-years (stocks: mean per 100,000) of one run."""
    from simulation.model import LCOModel
    from simulation.scenario import Scenario

    s = Scenario.preset("partial", scale=scale, years=max(1, math.ceil(days / 365)))
    mv = LCOModel(s.with_overrides({**SETTINGS, **ARMS[arm]}), seed=seed,
                  record_episodes=False).run(days=days).datacollector.model_vars
    person_years = float(np.mean(mv["population"])) * len(mv["population"]) / 365 / 1e5
    out = {m: float(np.sum(mv[m])) / person_years for m in METRICS}
    for stock in ("home_support_occupied", "community_beds_occupied"):
        out[stock] /= 365
    return out


def interval(x: np.ndarray) -> str:
    """Mean and 95% t half-width."""
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return f"{x.mean():.1f} +- {half:.1f}"


def main(argv: list[str] | None = None) -> int:
    """Run one of the two checks and print its table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("check", choices=("queue", "team", "model"))
    p.add_argument("--scales", default="0.02,0.05,0.0833,0.1,0.25,1")
    p.add_argument("--seeds", type=int, default=6)
    p.add_argument("--days", type=int, help="days simulated (queue: 100000; model: 365)")
    p.add_argument("--json")
    a = p.parse_args(argv)
    if a.check == "queue":
        days = a.days or 100_000
        ref = queue_pool(1.0, days=days)
        print("pool (teams)  places  used/team  (vs 1 team)  waited/team  (vs 1 team)")
        for f in (0.24, 0.5, 0.6, 0.72, 0.83, 1.0, 1.2, 1.41):
            places, used, waited = queue_pool(f, days=days)
            print(f"{f:12.2f}  {places:6d}  {used:9.2f}  {used / ref[1] - 1:+10.1%}  "
                  f"{waited:11.2f}  {waited / ref[2] - 1:+10.1%}")
        return 0
    if a.check == "team":
        days = a.days or 400_000
        full, small = 1.3, 1.3 * 0.05
        print(f"lost each day, full scale:        {team_used(full, 'day', days=days):.3f}")
        print(f"lost each day, scale 0.05:        {team_used(small, 'day', days=days):.3f}")
        print(f"bucket, full scale:               {team_used(full, 'bucket', days=days):.3f}")
        print(f"bucket, scale 0.05:               {team_used(small, 'bucket', days=days):.3f}")
        print(f"20-day periods (pooled), 0.05:    "
              f"{team_used(small, 'day', period=20, days=days):.3f}")
        return 0
    scales = [float(x) for x in a.scales.split(",")]
    days = a.days or 365
    rows = {}
    for scale in scales:
        runs = {(arm, k): per_head(scale, k, arm, days) for k in range(1, a.seeds + 1)
                for arm in ARMS}
        rows[scale] = {}
        for arm in ARMS:
            for m in METRICS:
                x = np.array([runs[arm, k][m] - (runs["unchanged", k][m] if arm != "unchanged"
                                                  else 0.0) for k in range(1, a.seeds + 1)])
                rows[scale][f"{arm}:{m}"] = x.tolist()
                print(f"scale {scale:g}  {arm:20s} {m:28s} {interval(x)}", flush=True)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
