"""Analysis of an experiment's results: means, paired differences, replications needed, indices.

Every function takes the tidy results table (one row per arm, replication, dimension, group,
period and metric) and returns a DataFrame, so notebooks and the ``lco-sim analyse`` command share
them. Intervals are 95% Student-t intervals over replications (Law 2015, *Simulation Modeling and
Analysis*, 5th ed., section 9.4.1). Differences against the baseline arm are paired by replication:
with common random numbers replication ``r`` of both arms saw the same random numbers, so the
variance of the difference is Var(A) + Var(B) - 2 Cov(A, B) and the positive covariance tightens
the interval (Law 2015, section 11.2). Experiments run with independent seeds get Welch intervals
instead.

Example:
    >>> import pandas as pd
    >>> t = pd.DataFrame({"arm": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
    ...                   "dimension": "all", "group": "all", "time": 1, "metric": "deaths",
    ...                   "value": [10.0, 12.0, 14.0, 9.0, 10.0, 13.0]})
    >>> m = arm_means(t)
    >>> m[["mean", "half_width"]].round(2).values.tolist()
    [[12.0, 4.97], [10.67, 5.17]]
    >>> d = paired_differences(t, baseline="a")
    >>> d[["arm", "mean_difference", "half_width"]].round(2).to_dict("records")
    [{'arm': 'b', 'mean_difference': -1.33, 'half_width': 1.43}]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

KEYS = ["dimension", "group", "metric"]
"""Columns that identify one series of a run besides its period."""

CONFIDENCE = 0.95


@dataclass
class ExperimentResults:
    """A finished (or partly finished) experiment read back from its results folder."""

    directory: Path
    table: pd.DataFrame
    manifest: dict[str, Any]
    design: pd.DataFrame
    statistics: dict[str, str] = field(default_factory=dict)

    @property
    def baseline(self) -> str | None:
        """Label of the baseline arm (None for sampled designs without one)."""
        return self.manifest.get("baseline")

    @property
    def factor_names(self) -> list[str]:
        """The design's factors, in declaration order."""
        return [f["name"] for f in self.manifest["design"]["factors"]]

    @property
    def paired(self) -> bool:
        """Whether arms share seeds per replication (common random numbers)."""
        return bool(self.manifest.get("common_random_numbers", True))


def load_results(directory: str | Path) -> ExperimentResults:
    """Read ``results.parquet``, ``manifest.json`` and ``design.csv`` of a sweep's folder.

    Raises:
        ScenarioError: the folder is not a finished sweep's output.
    """
    from simulation.scenario import ScenarioError

    directory = Path(directory)
    needed = [directory / n for n in ("results.parquet", "manifest.json", "design.csv")]
    if missing := [p.name for p in needed if not p.exists()]:
        raise ScenarioError(f"{directory}: not an experiment results folder (missing "
                            f"{', '.join(missing)}); run `lco-sim sweep` first")
    from simulation.experiments.store import read_sweep_file

    manifest = read_sweep_file(directory / "manifest.json", "json")
    table = read_sweep_file(directory / "results.parquet")
    design = read_sweep_file(directory / "design.csv", "csv")
    return ExperimentResults(directory, table, manifest, design,
                             dict(manifest.get("metrics", {})))


# ----- whole-horizon values per run --------------------------------------------------------
def run_totals(table: pd.DataFrame, statistics: dict[str, str] | None = None) -> pd.DataFrame:
    """One value per run and series over the whole horizon.

    Periods are combined with the metric's own statistic: sums add up, means are averaged,
    minima and maxima taken, ``last`` takes the final period. ``time`` becomes ``"horizon"``.
    """
    statistics = statistics or {}
    t = table.sort_values("time", kind="stable")
    ids = ["arm", "replication", *KEYS]
    frames = []
    for metric, sub in t.groupby("metric", observed=True, sort=False):
        how = statistics.get(str(metric), "sum")
        frames.append(sub.groupby(ids, observed=True, sort=False)["value"].agg(how).reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["time"] = "horizon"
    return out


def _by(table: pd.DataFrame, by: str, statistics: dict[str, str] | None) -> tuple[pd.DataFrame,
                                                                                    list[str]]:
    if by == "horizon":
        return run_totals(table, statistics), [*KEYS, "time"]
    if by == "time":
        return table, [*KEYS, "time"]
    raise ValueError(f"by must be 'horizon' or 'time', got {by!r}")


def t_half_width(sd: np.ndarray | float, n: np.ndarray | int, confidence: float = CONFIDENCE):
    """Half-width of a Student-t interval for a mean of ``n`` values with sample sd ``sd``."""
    n = np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        return q * np.asarray(sd, float) / np.sqrt(n)


def _summarise(g: pd.core.groupby.SeriesGroupBy, column: str) -> pd.DataFrame:
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["half_width"] = t_half_width(out["sd"], out["n"])
    out["ci_low"] = out["mean"] - out["half_width"]
    out["ci_high"] = out["mean"] + out["half_width"]
    return out.rename(columns={"mean": column})


def arm_means(table: pd.DataFrame, *, by: str = "horizon",
              statistics: dict[str, str] | None = None) -> pd.DataFrame:
    """Mean of every arm and series over replications, with a 95% t-interval.

    Args:
        table: the tidy results table.
        by: ``"horizon"`` (one row per arm and series) or ``"time"`` (one per period).
        statistics: metric -> statistic used to combine periods over the horizon.
    """
    data, keys = _by(table, by, statistics)
    g = data.groupby(["arm", *keys], observed=True, sort=False)["value"]
    out = _summarise(g, "mean")
    return out[["arm", *keys, "n", "mean", "sd", "half_width", "ci_low", "ci_high"]]


def paired_differences(table: pd.DataFrame, baseline: str, *, by: str = "horizon",
                       statistics: dict[str, str] | None = None, paired: bool = True
                       ) -> pd.DataFrame:
    """Each arm minus the baseline arm, with a 95% interval and a two-sided p-value.

    With ``paired`` (common random numbers), replication ``r`` of an arm is compared with
    replication ``r`` of the baseline and the interval is a paired t-interval; without, a Welch
    interval. ``relative_difference`` is the mean difference as a share of the baseline mean.
    """
    data, keys = _by(table, by, statistics)
    arms = data["arm"].astype(str)
    if baseline not in set(arms):
        raise ValueError(f"baseline arm {baseline!r} is not in the table")
    base = data[arms == baseline]
    other = data[arms != baseline]
    if other.empty:
        return pd.DataFrame(columns=["arm", *keys, "n", "baseline_mean", "mean_difference",
                                     "sd_difference", "half_width", "ci_low", "ci_high",
                                     "relative_difference", "p_value"])
    join = [*keys, "replication"]
    if paired:
        m = other.merge(base[join + ["value"]], on=join, suffixes=("", "_base"))
        m["difference"] = m["value"] - m["value_base"]
        g = m.groupby(["arm", *keys], observed=True, sort=False)
        out = _summarise(g["difference"], "mean_difference").rename(columns={"sd": "sd_difference"})
        out["baseline_mean"] = g["value_base"].mean().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            tstat = out["mean_difference"] / (out["sd_difference"] / np.sqrt(out["n"]))
        out["p_value"] = 2 * stats.t.sf(np.abs(tstat), out["n"] - 1)
    else:
        out = _welch(other, base, keys)
    base_mean = out["baseline_mean"].where(out["baseline_mean"] != 0)  # no share of nothing
    out["relative_difference"] = out["mean_difference"] / base_mean
    out["arm"] = out["arm"].astype(str)
    return out[["arm", *keys, "n", "baseline_mean", "mean_difference", "sd_difference",
                "half_width", "ci_low", "ci_high", "relative_difference", "p_value"]]


def _welch(other: pd.DataFrame, base: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    b = base.groupby(keys, observed=True)["value"].agg(nb="count", mb="mean", vb="var")
    a = other.groupby(["arm", *keys], observed=True)["value"].agg(n="count", ma="mean",
                                                                   va="var").reset_index()
    a = a.merge(b.reset_index(), on=keys)
    se2 = a["va"] / a["n"] + a["vb"] / a["nb"]
    with np.errstate(invalid="ignore", divide="ignore"):
        df = se2 ** 2 / ((a["va"] / a["n"]) ** 2 / (a["n"] - 1) + (a["vb"] / a["nb"]) ** 2
                         / (a["nb"] - 1))
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, df) * np.sqrt(se2)
        p = 2 * stats.t.sf(np.abs((a["ma"] - a["mb"]) / np.sqrt(se2)), df)
    return pd.DataFrame({"arm": a["arm"], **{k: a[k] for k in keys}, "n": a["n"],
                         "baseline_mean": a["mb"], "mean_difference": a["ma"] - a["mb"],
                         "sd_difference": np.sqrt(a["va"] + a["vb"]), "half_width": half,
                         "ci_low": a["ma"] - a["mb"] - half, "ci_high": a["ma"] - a["mb"] + half,
                         "p_value": p})


def replications_for(sd: np.ndarray, target: np.ndarray, confidence: float = CONFIDENCE,
                     limit: int = 100_000) -> np.ndarray:
    """Smallest n >= 2 with t(n-1) * sd / sqrt(n) <= target (Law 2015, section 9.4.1).

    Example:
        >>> replications_for(np.array([10.0, 0.0]), np.array([5.0, 1.0])).tolist()
        [18.0, 2.0]
    """
    sd = np.asarray(sd, float)
    target = np.asarray(target, float)
    out = np.full(sd.shape, np.nan)
    for i, (s, h) in enumerate(zip(sd.ravel(), target.ravel(), strict=False)):
        if not (np.isfinite(s) and np.isfinite(h)) or h <= 0:
            continue
        # normal approximation as a start, then walk up with the t quantile
        n = max(2, int((stats.norm.ppf(0.5 + confidence / 2) * s / h) ** 2))
        while n < limit and t_half_width(s, n, confidence) > h:
            n += max(1, n // 50)
        while n > 2 and t_half_width(s, n - 1, confidence) <= h:
            n -= 1
        out.flat[i] = n
    return out


def replications_needed(table: pd.DataFrame, *, target_relative: float = 0.02,
                        baseline: str | None = None, statistics: dict[str, str] | None = None,
                        paired: bool = True) -> pd.DataFrame:
    """Replications needed for a target 95% half-width, over the whole horizon.

    The target is ``target_relative`` times the arm's mean for arm means, and times the baseline
    mean for differences against ``baseline``.
    """
    means = arm_means(table, statistics=statistics)
    rows = means.assign(quantity="mean", target_half_width=target_relative * means["mean"].abs())
    rows = rows.rename(columns={"mean": "estimate"})
    frames = [rows]
    if baseline is not None:
        d = paired_differences(table, baseline, statistics=statistics, paired=paired)
        d = d.assign(quantity="difference", target_half_width=target_relative
                     * d["baseline_mean"].abs())
        frames.append(d.rename(columns={"mean_difference": "estimate", "sd_difference": "sd"}))
    out = pd.concat(frames, ignore_index=True)
    out["replications_needed"] = replications_for(out["sd"].to_numpy(),
                                                  out["target_half_width"].to_numpy())
    return out[["quantity", "arm", *KEYS, "n", "estimate", "sd", "half_width",
                "target_half_width", "replications_needed"]]


# ----- sensitivity --------------------------------------------------------------------------
def _problem(results: ExperimentResults) -> dict[str, Any]:
    factors = results.manifest["design"]["factors"]
    return {"num_vars": len(factors), "names": [f["name"] for f in factors],
            "bounds": [[f["low"], f["high"]] for f in factors]}


def _design_outputs(results: ExperimentResults, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """The sample matrix and, per design point, the mean over replications of the metric."""
    totals = run_totals(results.table, results.statistics)
    totals = totals[(totals["dimension"] == "all") & (totals["metric"].astype(str) == metric)]
    y = totals.groupby("arm", observed=True)["value"].mean()
    design = results.design.sort_values("arm_index")
    missing = set(design["label"]) - set(y.index.astype(str))
    if missing:
        raise ValueError(f"{len(missing)} design points have no finished run; rerun the sweep "
                         "to finish them before a sensitivity analysis")
    y.index = y.index.astype(str)
    x = design[results.factor_names].to_numpy(float)
    return x, y.loc[design["label"]].to_numpy(float)


def morris_indices(results: ExperimentResults, metric: str) -> pd.DataFrame:
    """Morris elementary-effect statistics (mu, mu*, sigma) per factor for one metric.

    Uses SALib (Herman & Usher 2017) on each design point's mean over replications of the
    metric's whole-horizon value (dimension ``all``).
    """
    from SALib.analyze import morris

    x, y = _design_outputs(results, metric)
    d = results.manifest["design"]
    si = morris.analyze(_problem(results), x, y, num_levels=d["levels"], seed=d["sampler_seed"])
    out = pd.DataFrame({"factor": si["names"], "mu": si["mu"], "mu_star": si["mu_star"],
                        "sigma": si["sigma"], "mu_star_conf": si["mu_star_conf"]})
    out.insert(0, "metric", metric)
    return out.sort_values("mu_star", ascending=False, ignore_index=True)


def sobol_indices(results: ExperimentResults, metric: str) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol' indices per factor for one metric (SALib)."""
    import warnings

    from SALib.analyze import sobol

    _, y = _design_outputs(results, metric)
    d = results.manifest["design"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol.analyze(_problem(results), y, calc_second_order=d["second_order"],
                           seed=d["sampler_seed"])
    names = _problem(results)["names"]
    out = pd.DataFrame({"factor": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                        "ST": si["ST"], "ST_conf": si["ST_conf"]})
    out.insert(0, "metric", metric)
    return out.sort_values("ST", ascending=False, ignore_index=True)


# ----- everything, written to disk --------------------------------------------------------
def _file_name(metric: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in metric)


def write_analysis(directory: str | Path, *, target_relative: float = 0.02,
                   baseline: str | None = None, figures: bool = True) -> dict[str, pd.DataFrame]:
    """Compute every table (and figure) of an experiment and write them under ``analysis/``.

    Args:
        directory: the sweep's results folder.
        target_relative: target 95% half-width for ``replications_needed``, as a share of the
            mean (or of the baseline mean, for differences).
        baseline: arm label to compare against (default: the experiment's baseline).
        figures: also draw the PNG figures.

    Returns:
        The tables by name (also written as ``analysis/<name>.csv``).
    """
    from simulation.experiments import figures as fig
    from simulation.experiments.store import write_csv
    from simulation.scenario import ScenarioError

    res = load_results(directory)
    out = res.directory / "analysis"
    out.mkdir(exist_ok=True)
    table, st = res.table, res.statistics
    if table.empty:
        raise ScenarioError(f"{res.directory}: no finished runs to analyse")
    baseline = baseline or res.baseline
    arms = [str(a) for a in table["arm"].cat.categories] if hasattr(table["arm"], "cat") \
        else list(dict.fromkeys(table["arm"].astype(str)))
    if baseline is not None and baseline not in arms:
        raise ScenarioError(f"--baseline: {baseline!r} is not an arm; arms are: "
                            + ", ".join(arms[:8]) + (", ..." if len(arms) > 8 else ""))
    kind = res.manifest["design"]["kind"]
    period = res.manifest.get("period", "year")
    metrics = [m for m in st if (table["metric"].astype(str) == m).any()]
    tables: dict[str, pd.DataFrame] = {
        "arm_means_horizon": arm_means(table, statistics=st),
        "arm_means_by_time": arm_means(table, by="time"),
    }
    if baseline is not None and len(arms) > 1:
        tables["differences_horizon"] = paired_differences(table, baseline, statistics=st,
                                                           paired=res.paired)
        tables["differences_by_time"] = paired_differences(table, baseline, by="time",
                                                           paired=res.paired)
    tables["replications_needed"] = replications_needed(
        table, target_relative=target_relative, baseline=baseline if len(arms) > 1 else None,
        statistics=st, paired=res.paired)
    if kind in ("morris", "sobol"):
        fn = morris_indices if kind == "morris" else sobol_indices
        tables[f"{kind}_indices"] = pd.concat([fn(res, m) for m in metrics], ignore_index=True)
    if kind == "lhs":
        tables["rank_correlations"] = _rank_correlations(res, metrics)
    for name, t in tables.items():
        write_csv(out / f"{name}.csv", t, index=False, float_format="%.6g")
    if not figures:
        return tables
    few_arms = len(arms) <= 12
    factors = res.factor_names
    for m in metrics:
        stem = _file_name(m)
        dims = table.loc[table["metric"].astype(str) == m, "dimension"].astype(str)
        if not (dims == "all").any():
            continue  # figures through time are of the whole area; other levels are tables
        if few_arms:
            fig.fan_chart(table, m, out / f"fan_{stem}.png", period=period, statistic=st[m])
        if "differences_horizon" in tables and few_arms:
            fig.difference_chart(tables["differences_by_time"], tables["differences_horizon"], m,
                                 out / f"difference_{stem}.png", baseline=baseline, period=period,
                                 statistic=st[m])
        for dim in (fig.BREAKDOWNS if few_arms else ()):
            if not (dims == dim).any():
                continue
            paired = "differences_horizon" in tables
            fig.breakdown_chart(tables["differences_horizon" if paired else "arm_means_horizon"],
                                m, dim, out / f"breakdown_{stem}_{dim}.png",
                                baseline=baseline if paired else None, period=period,
                                statistic=st[m])
        if kind == "grid" and len(factors) == 2:
            _two_factor_heatmap(res, tables, m, baseline, out / f"heatmap_{stem}.png")
        if kind == "morris":
            idx = tables["morris_indices"]
            fig.morris_plot(idx[idx["metric"] == m], out / f"morris_{stem}.png", metric=m)
        if kind == "sobol":
            idx = tables["sobol_indices"]
            fig.sobol_tornado(idx[idx["metric"] == m], out / f"sobol_{stem}.png", metric=m)
        if kind == "lhs":
            pts = _point_means(res, m)
            fig.scatter_plot(pts, factors, "value", out / f"scatter_{stem}.png", metric=m)
    return tables


def _point_means(res: ExperimentResults, metric: str) -> pd.DataFrame:
    totals = run_totals(res.table, res.statistics)
    totals = totals[(totals["dimension"] == "all") & (totals["metric"].astype(str) == metric)]
    y = totals.groupby("arm", observed=True)["value"].mean().rename("value").reset_index()
    y["arm"] = y["arm"].astype(str)
    return res.design.merge(y, left_on="label", right_on="arm")


def _rank_correlations(res: ExperimentResults, metrics: list[str]) -> pd.DataFrame:
    rows = []
    for m in metrics:
        pts = _point_means(res, m)
        for f in res.factor_names:
            rho, p = stats.spearmanr(pts[f], pts["value"]) if len(pts) > 2 else (np.nan, np.nan)
            rows.append({"metric": m, "factor": f, "spearman_rho": rho, "p_value": p})
    return pd.DataFrame(rows)


def _two_factor_heatmap(res: ExperimentResults, tables: dict[str, pd.DataFrame], metric: str,
                        baseline: str | None, path: Path) -> None:
    from simulation.experiments import figures as fig

    a, b = res.factor_names
    design = res.design[["label", a, b]].rename(columns={"label": "arm"})
    if "differences_horizon" in tables:
        d = tables["differences_horizon"]
        d = d[(d["dimension"].astype(str) == "all") & (d["metric"].astype(str) == metric)]
        d = design.merge(d, on="arm", how="left")
        d.loc[d["arm"] == baseline, "relative_difference"] = 0.0
        d["percent"] = d["relative_difference"] * 100
        sig = (d["ci_low"] > 0) | (d["ci_high"] < 0)
        fig.heatmap(d, a, b, "percent", path, fmt="{:+.1f}%", marks=sig,
                    title=f"{fig.metric_title(metric)}: % difference from {baseline}\nover the "
                    "whole run (* where the 95% CI excludes 0)",
                    colour_label=f"% difference from {baseline}")
    else:
        m = tables["arm_means_horizon"]
        m = m[(m["dimension"].astype(str) == "all") & (m["metric"].astype(str) == metric)]
        m = design.merge(m.assign(arm=m["arm"].astype(str)), on="arm")
        fig.heatmap(m, a, b, "mean", path,
                    title=f"{fig.metric_title(metric)}: mean of replications over the whole run",
                    colour_label=fig.metric_axis(metric, res.statistics.get(metric),
                                                 res.manifest.get("period", "year"),
                                                 horizon=True))
