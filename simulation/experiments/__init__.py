"""Policy experiments: declarative sweeps of scenarios with replications and common random numbers.

An experiment file (TOML, see ``docs/experiments.md``) names a base scenario, the factors to vary,
the replications, the horizon and the metrics to keep. The modules, in the order a sweep uses them:

* :mod:`~simulation.experiments.spec`: the validated :class:`Experiment` and its file loader;
* :mod:`~simulation.experiments.design`: factors, designs (grid, Latin hypercube, Morris, Sobol),
  arms and the list of runs;
* :mod:`~simulation.experiments.seeds`: one seed per run, arranged for common random numbers;
* :mod:`~simulation.experiments.store`: atomic per-run files, resume, the combined table;
* :mod:`~simulation.experiments.runner`: the sweep on dask.distributed;
* :mod:`~simulation.experiments.analysis` and :mod:`~simulation.experiments.figures`: confidence
  intervals, paired differences, replications needed, sensitivity indices and figures.

Example:
    >>> from simulation.experiments import Experiment, build_plan
    >>> exp = Experiment.model_validate({
    ...     "name": "demo", "years": 1, "scale": 0.005, "replications": 2,
    ...     "metrics": ["emergency_admissions"],
    ...     "design": {"factors": {"integration.level": ["none", "full"]}}})
    >>> plan = build_plan(exp)
    >>> [arm.label for arm in plan.arms], len(plan.runs)
    (['level=none', 'level=full'], 4)
"""

from simulation.experiments.design import Arm, ExperimentPlan, RunTask, build_plan
from simulation.experiments.spec import Experiment, ExperimentError, load_experiment

__all__ = ["Arm", "Experiment", "ExperimentError", "ExperimentPlan", "RunTask", "build_plan",
           "load_experiment"]
