"""Shared fixtures and switches for the whole suite.

Tests marked ``@pytest.mark.slow`` run only with ``TSDB_SLOW=1`` (the long
modes: soak, fuzzing at scale, many kills); the default run stays short.
Hypothesis examples are the same on every run unless ``HYPOTHESIS_PROFILE=explore``.
"""
import os

import pytest
from hypothesis import settings

SLOW = os.environ.get("TSDB_SLOW") == "1"

# Property tests draw the same examples on every run (CI on a clean clone must not turn red on
# a new random draw); HYPOTHESIS_PROFILE=explore draws fresh ones to hunt for new failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow: set TSDB_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
