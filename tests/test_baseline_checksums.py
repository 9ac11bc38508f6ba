"""The default scenario's outputs are bit-identical to the stored fingerprints.

The fingerprints were made with lco-sim 0.1 before the composable-model redesign; a change that
alters them on purpose regenerates them (``python tests/baseline_fingerprint.py --write``) and says
why in the changelog.
"""

from __future__ import annotations

import json

import pytest
from baseline_fingerprint import LEVELS, STORE, fingerprint


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
def test_default_scenario_matches_stored_fingerprint(level):
    stored = json.loads(STORE.read_text())[level]
    assert fingerprint(level) == stored
