"""pytest plugin: unit-test InfluxQL queries against an in-memory store, no server.

Installed with the package (entry point ``pytest11: tsdb``), so the fixtures are
there in every test session:

- ``tsdb_store``: a fresh in-memory :class:`tsdb_core.Store` per test, closed after it;
- ``tsdb_clock``: its :class:`~tsdb_core.testing.ManualClock` (also ``tsdb_store.clock``),
  starting at 2024-01-01T00:00:00Z or at ``@pytest.mark.tsdb_now("...")``;
- ``tsdb_config``: the :class:`~tsdb_core.StoreConfig` it opens with (override the
  fixture in a conftest.py to change it);
- ``tsdb_dialect``: the InfluxQL dialect its queries run in, ``influxdb1`` (default) or
  ``influxdb3`` (as InfluxDB 3 / Cloud Dedicated runs them): ``@pytest.mark.tsdb_dialect("...")``
  on a test, else ``--tsdb-dialect`` on the command line, else the ``tsdb_dialect`` ini option.

The helpers ``load_lp``, ``load_frame``, ``assert_query``, ``assert_query_error`` and
``memory_store`` live in :mod:`tsdb_core.testing` and are re-exported here.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .base.config import StoreConfig
from .influxql.dialect import Dialect, dialect_of
from .store import Store
from .testing import (DEFAULT_NOW, ManualClock, assert_query, assert_query_error, load_frame,
                      load_lp, memory_store)

__all__ = ["assert_query", "assert_query_error", "load_frame", "load_lp", "memory_store", "ManualClock"]


_DIALECTS = [d.value for d in Dialect]


def pytest_addoption(parser: pytest.Parser) -> None:
    help_text = f"InfluxQL dialect of the tsdb_store fixture: {' or '.join(_DIALECTS)} (default influxdb1)"
    parser.addini("tsdb_dialect", help_text, default="")
    parser.getgroup("tsdb").addoption("--tsdb-dialect", choices=_DIALECTS, default=None, help=help_text)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tsdb_now(when): start the tsdb_store clock at `when` (RFC3339 text, datetime or ns)")
    config.addinivalue_line(
        "markers", f"tsdb_dialect(name): run the tsdb_store queries as {' or '.join(_DIALECTS)}")
    dialect_of(config.getini("tsdb_dialect") or None)  # a wrong ini value stops the run at once


@pytest.fixture
def tsdb_dialect(request: pytest.FixtureRequest) -> Dialect:
    """The InfluxQL dialect of ``tsdb_store``: the test's marker, ``--tsdb-dialect``, the ini option."""
    marker = request.node.get_closest_marker("tsdb_dialect")
    if marker is not None:
        return dialect_of(marker.args[0])
    return dialect_of(request.config.getoption("tsdb_dialect") or request.config.getini("tsdb_dialect") or None)


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
def tsdb_store(tsdb_clock: ManualClock, tsdb_config: StoreConfig, tsdb_dialect: Dialect) -> Iterator[Store]:
    """A fresh in-memory store for one test, driven by ``tsdb_clock``, querying in ``tsdb_dialect``."""
    import tsdb_core

    store = tsdb_core.open(config=tsdb_config, clock=tsdb_clock, dialect=tsdb_dialect)
    if getattr(store, "clock", None) is not tsdb_clock:
        store.clock = tsdb_clock  # so tests can reach it as tsdb_store.clock
    try:
        yield store
    finally:
        store.close()


# For hypothesis tests (a function-scoped fixture is shared by every example): use
# ``with tsdb_core.testing.memory_store() as store:`` inside the test instead.
