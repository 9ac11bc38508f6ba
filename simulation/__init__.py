"""lco-sim: agent-based simulation of care flows under England's Local Care Organisation model."""

__version__ = "0.2.0"
"""The release; also in CITATION.cff and CHANGELOG.md's latest section (tests/test_release.py)."""
