"""Patients as Mesa agents: a view onto the population arrays, for rules written per person.

The model's engine keeps patients as arrays (:mod:`simulation.population`) because one Python object
per patient would make a full run 10-20 times slower. Researchers who want to write and try a rule
the Mesa way, on a small population, can still see each patient as a :class:`PatientAgent`: a
``mesa.Agent`` whose attributes read and write that patient's entries in the arrays, so a change
made through an agent is the model's state. :func:`patient_agents` returns them in a Mesa
``AgentSet`` (``select``, ``do``, ``agg``, ``get``, ``shuffle_do`` ...).

Agents are created on first use and kept by the model (Mesa registers every agent), so ask for
them only on small populations: each costs about a kilobyte and a Python call per attribute.

Example:
    >>> from simulation.model import LCOModel
    >>> from simulation.scenario import Scenario
    >>> model = LCOModel(Scenario.preset(scale=0.003, years=1), seed=1)
    >>> patients = patient_agents(model)
    >>> old = patients.select(lambda p: p.age >= 85)
    >>> pop = model.population
    >>> len(old) == int((pop.ages(model.day) >= 85)[pop.alive[:pop.n]].sum())
    True
    >>> someone = old[0]
    >>> someone.tier = 3  # writes the population array
    >>> int(model.population.tier[someone.patient_id])
    3
"""

from __future__ import annotations

import weakref

import mesa
import numpy as np
from mesa.agent import AgentSet

_AGENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Each model's patient agents by id, so the same patient is always the same object."""


class PatientAgent(mesa.Agent):
    """One patient: every per-patient array of the population is an attribute.

    Args:
        model: the :class:`~simulation.model.LCOModel`.
        patient_id: the patient's stable id (slot in the arrays).

    Attributes:
        patient_id: the stable id.
        age: age in whole years on the model's current day (read only).
    """

    def __init__(self, model, patient_id: int):
        super().__init__(model)
        object.__setattr__(self, "patient_id", int(patient_id))

    @property
    def age(self) -> int:
        """Age in whole years today."""
        return int(self.model.population.ages(self.model.day, np.array([self.patient_id]))[0])

    def __getattr__(self, name: str):
        # only reached when normal lookup fails: read the population's array of that name
        model = self.__dict__.get("model")
        if model is not None and name in model.population.state_names():
            value = getattr(model.population, name)[self.__dict__["patient_id"]]
            return value.item() if hasattr(value, "item") else value
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        model = self.__dict__.get("model")
        if model is not None and name in model.population.state_names():
            getattr(model.population, name)[self.patient_id] = value
            model.population.mark_stale(np.array([self.patient_id]))  # its risks may change
        else:
            object.__setattr__(self, name, value)


def patient_agents(model, ids: np.ndarray | None = None) -> AgentSet:
    """A Mesa AgentSet of the living patients (or of ``ids``), in id order.

    The same patient is always the same agent object.
    """
    pop = model.population
    if ids is None:
        ids = np.flatnonzero(pop.alive[: pop.n])
    cache = _AGENTS.setdefault(model, {})
    agents = []
    for i in np.asarray(ids, np.int64).tolist():
        agent = cache.get(i)
        if agent is None:
            agent = cache[i] = PatientAgent(model, i)
        agents.append(agent)
    return AgentSet(agents, random=model.random)
