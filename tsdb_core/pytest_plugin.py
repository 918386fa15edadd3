"""pytest plugin: unit-test InfluxQL queries against an in-memory store, no server.

Installed with the package (entry point ``pytest11: tsdb``), so the fixtures are
there in every test session:

- ``tsdb_store``: a fresh in-memory :class:`tsdb_core.Store` per test, closed after it;
- ``tsdb_clock``: its :class:`~tsdb_core.testing.ManualClock` (also ``tsdb_store.clock``),
  starting at 2024-01-01T00:00:00Z or at ``@pytest.mark.tsdb_now("...")``;
- ``tsdb_config``: the :class:`~tsdb_core.StoreConfig` it opens with (override the
  fixture in a conftest.py to change it).

The helpers ``load_lp``, ``load_frame``, ``assert_query``, ``assert_query_error`` and
``memory_store`` live in :mod:`tsdb_core.testing` and are re-exported here.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .base.config import StoreConfig
from .store import Store
from .testing import (DEFAULT_NOW, ManualClock, assert_query, assert_query_error, load_frame,
                      load_lp, memory_store)

__all__ = ["assert_query", "assert_query_error", "load_frame", "load_lp", "memory_store", "ManualClock"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tsdb_now(when): start the tsdb_store clock at `when` (RFC3339 text, datetime or ns)")


@pytest.fixture
def tsdb_clock(request: pytest.FixtureRequest) -> ManualClock:
    """The store's clock: ``tsdb_clock.set("2024-06-01T00:00:00Z")``, ``tsdb_clock.advance("1h")``."""
    marker = request.node.get_closest_marker("tsdb_now")
    return ManualClock(marker.args[0] if marker else DEFAULT_NOW)


@pytest.fixture
def tsdb_config() -> StoreConfig:
    """The configuration ``tsdb_store`` opens with; override it to change limits."""
    return StoreConfig()


@pytest.fixture
def tsdb_store(tsdb_clock: ManualClock, tsdb_config: StoreConfig) -> Iterator[Store]:
    """A fresh in-memory store for one test, driven by ``tsdb_clock``."""
    import tsdb_core

    store = tsdb_core.open(config=tsdb_config, clock=tsdb_clock)
    if getattr(store, "clock", None) is not tsdb_clock:
        store.clock = tsdb_clock  # so tests can reach it as tsdb_store.clock
    try:
        yield store
    finally:
        store.close()


# For hypothesis tests (a function-scoped fixture is shared by every example): use
# ``with tsdb_core.testing.memory_store() as store:`` inside the test instead.
