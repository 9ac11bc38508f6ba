"""Common random numbers: paired differences vary much less than with independent seeds.

Two arms (no integration, full integration with every lever and adoption acting from day 0, so
the arms differ within a one-year run) are run twice: with common random numbers (replication r
shares its seed across arms) and with independent seeds (``spawn_key=(arm, r)``). The variance of
the per-replication difference in emergency admissions is compared with a one-sided F-test.
"""

from __future__ import annotations

import pandas as pd
from scipy import stats

from simulation.experiments import Experiment, build_plan
from simulation.experiments.analysis import paired_differences, run_totals
from simulation.experiments.runner import sweep

LEVERS = ("case_management", "crisis_response", "gp_direct_access", "discharge_to_assess",
          "shared_record", "specialist_community", "social_prescribing")
REPLICATIONS = 8


def _experiment(common: bool) -> Experiment:
    immediate = {f"integration.{lever}.{field}": 0.0 for lever in LEVERS
                 for field in ("ramp_start_years", "ramp_years")}
    immediate["integration.adoption.base_per_year"] = 10.0  # practices integrate within months
    return Experiment.parse_dict({
        "name": f"crn-{common}", "years": 1, "scale": 0.01, "replications": REPLICATIONS,
        "root_seed": 99, "common_random_numbers": common,
        "metrics": ["emergency_admissions"],
        "base": {"overrides": immediate},
        "design": {"factors": {"integration.level": ["none", "full"]}}})


def _differences(exp: Experiment, out) -> pd.DataFrame:
    report = sweep(build_plan(exp), out, workers=2, progress=False)
    assert report.complete
    table = pd.read_parquet(out / "results.parquet")
    totals = run_totals(table, {m.label: m.statistic for m in exp.metric_specs})
    wide = totals.pivot_table(index=["metric", "replication"], columns="arm", values="value",
                              observed=True)
    return (wide["level=full"] - wide["level=none"]).rename("difference").reset_index(), table


def test_common_random_numbers_shrink_the_variance_of_differences(tmp_path):
    crn, crn_table = _differences(_experiment(True), tmp_path / "crn")
    ind, ind_table = _differences(_experiment(False), tmp_path / "independent")
    # the seeds really are shared in one case and not in the other
    assert crn_table.groupby("replication", observed=True)["seed"].nunique().eq(1).all()
    assert ind_table.groupby("replication", observed=True)["seed"].nunique().eq(2).all()
    v_crn = crn["difference"].var(ddof=1)
    v_ind = ind["difference"].var(ddof=1)
    df = REPLICATIONS - 1
    p = stats.f.sf(v_ind / max(v_crn, 1e-12), df, df)  # H0: equal variances, one-sided
    print(f"variance of the difference: CRN {v_crn:.1f}, independent {v_ind:.1f}, F-test p={p:.2g}")
    assert p < 0.01 and v_ind > 4 * v_crn, (v_crn, v_ind, p)
    # and the analysis's paired interval is correspondingly tighter than the Welch interval
    paired = paired_differences(crn_table, "level=none", paired=True,
                                statistics={"emergency_admissions": "sum"})
    welch = paired_differences(ind_table, "level=none", paired=False,
                               statistics={"emergency_admissions": "sum"})
    hw = {name: t.loc[t["metric"] == "emergency_admissions", "half_width"].item()
          for name, t in (("paired", paired), ("welch", welch))}
    assert hw["paired"] < hw["welch"] / 2, hw
