"""Shared fixtures and switches for the whole suite.

Tests marked ``@pytest.mark.slow`` run only with ``TSDB_SLOW=1`` (the long
modes: soak, fuzzing at scale, many kills); the default run stays short.
"""
import os

import pytest

SLOW = os.environ.get("TSDB_SLOW") == "1"


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow: set TSDB_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
