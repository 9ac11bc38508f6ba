"""Benchmark this tree against an earlier commit, side by side in one run.

Checks out ``--ref`` into a temporary git worktree, then runs ``benchmarks/bench_model.py`` of each
tree in turn (alternating, ``--repeats`` times, so drifting machine load hits both alike) and
reports each one's median and best wall time and peak memory and their ratios (this tree /
reference). On a loaded machine the best run is the steadier figure.

    python benchmarks/bench_against.py --ref 80b0517 [--this HEAD] [--scale 1.0] [--years 10]

``--this`` benchmarks a commit instead of the working tree (so the tree can change meanwhile).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench(tree: Path, args: argparse.Namespace, out: Path) -> dict:
    """One run of ``tree``'s model benchmark in a fresh process that imports ``tree``'s code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    subprocess.run([sys.executable, str(tree / "benchmarks" / "bench_model.py"),
                    "--scale", str(args.scale), "--years", str(args.years),
                    "--level", args.level, "--json", str(out)],
                   check=True, env=env, cwd=tree, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def main() -> int:
    """Run both trees, print the figures and the ratios."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ref", required=True, help="git commit or tag to compare against")
    p.add_argument("--this", help="git commit to benchmark (default: the working tree)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--level", default="none")
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--json", help="also write the figures to this JSON file")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="lco-bench-") as tmp:
        trees = {"reference": Path(tmp) / "ref", "this": Path(tmp) / "this" if a.this else ROOT}
        for name, ref in (("reference", a.ref), ("this", a.this)):
            if ref:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach",
                                str(trees[name]), ref], check=True, capture_output=True)
        try:
            runs: dict[str, list[dict]] = {"reference": [], "this": []}
            for i in range(a.repeats):
                for name, tree in trees.items():
                    runs[name].append(bench(tree, a, Path(tmp) / f"{name}{i}.json"))
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                    str(tree)], check=False, capture_output=True)
    summary = {}
    for name, rows in runs.items():
        summary[name] = {
            "wall_s": statistics.median(r["wall_s"] for r in rows),
            "best_wall_s": min(r["wall_s"] for r in rows),
            "run_s": statistics.median(r["build_and_warmup_s"] + r["run_s"] for r in rows),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rows),
            "patient_days_per_s": statistics.median(r["patient_days_per_s"] for r in rows),
            "commit": rows[0].get("git_commit"), "walls": [r["wall_s"] for r in rows]}
    ratio = {k: round(summary["this"][k] / summary["reference"][k], 3)
             for k in ("wall_s", "best_wall_s", "run_s", "peak_rss_mb")}
    print(f"scale {a.scale}, {a.years} years, level {a.level}, {a.repeats} alternating repeats")
    for name, fig in summary.items():
        print(f"{name:>10}: wall {fig['wall_s']:.1f} s (runs {fig['walls']}), model "
              f"{fig['run_s']:.1f} s, {fig['patient_days_per_s']:,.0f} patient-days/s, "
              f"peak {fig['peak_rss_mb']:,} MB, commit {fig['commit']}")
    print(f"     ratio (this / reference): wall {ratio['wall_s']} (median), "
          f"{ratio['best_wall_s']} (best run), model {ratio['run_s']}, "
          f"peak memory {ratio['peak_rss_mb']}")
    if a.json:
        Path(a.json).write_text(json.dumps({"summary": summary, "ratio": ratio}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
