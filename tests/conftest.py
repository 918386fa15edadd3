"""Shared fixtures and switches for the whole suite.

Tests marked ``@pytest.mark.slow`` run only with ``TSDB_SLOW=1`` (the long
modes: soak, fuzzing at scale, many kills); the default run stays short.
Hypothesis examples are the same on every run unless ``HYPOTHESIS_PROFILE=explore``.
``TSDB_TEST_STORE=s3`` puts every store opened at a path on an S3 server with its catalog on
PostgreSQL (tests/stores.py).
"""
import os

import pytest
from hypothesis import settings

from tests import stores
from tests.storage.s3server import s3_server  # noqa: F401 - session fixtures for every suite
from tests.stores import pg_cluster  # noqa: F401

SLOW = os.environ.get("TSDB_SLOW") == "1"


def examples(full: int) -> int:
    """A property test's Hypothesis examples: a quarter of ``full`` in the default run, all of them
    with ``TSDB_SLOW=1``. For the tests whose examples are costly (stores, servers, big frames):
    the default suite must stay short."""
    return full if SLOW else max(5, full // 4)


# Property tests draw the same examples on every run (CI on a clean clone must not turn red on
# a new random draw); HYPOTHESIS_PROFILE=explore draws fresh ones to hunt for new failures.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_configure(config):
    for marker in stores.MARKERS:
        config.addinivalue_line("markers", marker)


if stores.ON_S3:
    @pytest.fixture(autouse=True)
    def catalogs(request, monkeypatch):
        """Every store opened at a path: on S3, its catalog on PostgreSQL (tests/storage overrides
        this with its parametrised fixture)."""
        yield from stores.catalogs_for(request, monkeypatch, "s3")


@pytest.fixture(autouse=True)
def _polars_engine_as_it_was():
    """``tsdb serve`` driven in-process sets Polars' engine for its process (tsdb_http/cli.py):
    the tests after it run with the engine the suite started with."""
    before = os.environ.get("POLARS_ENGINE_AFFINITY")
    yield
    if before is None:
        os.environ.pop("POLARS_ENGINE_AFFINITY", None)
    else:
        os.environ["POLARS_ENGINE_AFFINITY"] = before


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow: set TSDB_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
