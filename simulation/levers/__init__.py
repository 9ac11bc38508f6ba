"""Integration levers, one module each, and the registry that puts them in a declared order.

The built-in levers are listed in :data:`BUILT_IN`, in the order the model applies them: where two
levers act on the same quantity (two ratios on A&E conversion, two modifiers on the acute hazard)
they combine in this order. A researcher's lever is a :class:`Lever` subclass in any module or
file; pass it to :class:`simulation.model.LCOModel` (``levers=[MyLever()]``) or name it in a
scenario or experiment file (``integration.levers = ["my_levers.py:MyLever"]``), and it runs after
the built-in ones.

Example:
    >>> [cls.name for cls in BUILT_IN][:3]
    ['case_management', 'crisis_response', 'gp_direct_access']
    >>> lever_class("shared_record").Params().conversion_rr
    0.97
"""

from __future__ import annotations

from simulation.levers.base import AcuteEpisodes, Admissions, Lever, LeverParams, ramp, scaled_ratio
from simulation.levers.case_management import CaseManagementLever
from simulation.levers.crisis_response import CrisisResponseLever
from simulation.levers.discharge_to_assess import DischargeToAssessLever
from simulation.levers.end_of_life_care import EndOfLifeCareLever
from simulation.levers.enhanced_care_homes import EnhancedCareHomesLever
from simulation.levers.gp_direct_access import GPDirectAccessLever
from simulation.levers.shared_record import SharedRecordLever
from simulation.levers.social_prescribing import SocialPrescribingLever
from simulation.levers.specialist_community import SpecialistCommunityLever

BUILT_IN: tuple[type[Lever], ...] = (
    CaseManagementLever, CrisisResponseLever, GPDirectAccessLever, DischargeToAssessLever,
    SharedRecordLever, SpecialistCommunityLever, SocialPrescribingLever, EnhancedCareHomesLever,
    EndOfLifeCareLever)
"""The built-in levers in the order they are applied (the scenario's ``integration`` order)."""

__all__ = ["BUILT_IN", "AcuteEpisodes", "Admissions", "Lever", "LeverParams", "lever_class",
           "lever_classes", "ramp", "scaled_ratio"]


def lever_class(name_or_path: str) -> type[Lever]:
    """A built-in lever by name, or any lever by ``"module:Class"`` / ``"file.py:Class"``."""
    for cls in BUILT_IN:
        if cls.name == name_or_path:
            return cls
    from simulation.parts import load_part_class

    return load_part_class(name_or_path, base=Lever)


def lever_classes(scenario) -> tuple[type[Lever], ...]:
    """The lever classes a model of ``scenario`` runs: the built-in ones, then its extra levers."""
    return (*BUILT_IN, *(lever_class(spec) for spec in scenario.integration.levers))
