"""lco-sim: agent-based simulation of care flows under England's Local Care Organisation model."""

__version__ = "0.1.0"
