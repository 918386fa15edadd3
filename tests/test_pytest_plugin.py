"""The pytest plugin (tsdb_core/pytest_plugin.py), run inside pytester sessions.

Each session loads the plugin explicitly (``-p tsdb_core.pytest_plugin``) with
entry-point autoloading off, so these tests behave the same whether or not the
package is pip-installed (installed, the ``pytest11`` entry point loads it).
Sessions run in a subprocess: Polars does not survive pytester's in-process
module snapshots. To stay fast, one session holds many user tests.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

PASSING = '''
import polars as pl
import pytest
import tsdb_core
from tsdb_core.base.time import MAX_TIME, MIN_TIME
from tsdb_core.testing import ManualClock, load_frame, load_lp


def test_store_and_clock(tsdb_store, tsdb_clock):
    assert isinstance(tsdb_store, tsdb_core.Store)
    assert tsdb_store.root is None                  # in memory
    assert tsdb_store.clock is tsdb_clock
    assert isinstance(tsdb_clock, ManualClock)
    assert tsdb_clock() == 1704067200000000000      # 2024-01-01T00:00:00Z


def test_missing_timestamps_take_the_clock(tsdb_store, tsdb_clock):
    tsdb_clock.advance("1h")
    tsdb_store.write("db", "cpu v=1")
    assert tsdb_store.scan("db", None, "cpu", MIN_TIME, MAX_TIME).collect()["time"].to_list() == [1704067200000000000 + 3600 * 10**9]


@pytest.mark.parametrize("n", [1, 2])
def test_fresh_store_per_test(tsdb_store, n):
    assert tsdb_store.databases() == []
    tsdb_store.write("db", f"cpu v={n} {n}")
    assert tsdb_store.scan("db", None, "cpu", MIN_TIME, MAX_TIME).collect().height == 1


@pytest.mark.tsdb_now("2030-06-01T12:00:00Z")
def test_marker(tsdb_store):
    assert tsdb_store.clock() == 1906545600000000000


def test_load_helpers(tsdb_store):
    load_lp(tsdb_store, "db", """
        cpu,host=a usage=1.5 1704067200000000000
        cpu,host=b usage=2.5 1704067200000000000
    """)
    load_frame(tsdb_store, "db", pl.DataFrame({"time": [1704067260000000000], "host": ["a"], "usage": [3.5]}),
               "cpu", tags=["host"])
    rows = tsdb_store.scan("db", None, "cpu", MIN_TIME, MAX_TIME).collect().sort("time", "host").rows()
    assert rows == [(1704067200000000000, "a", 1.5), (1704067200000000000, "b", 2.5),
                    (1704067260000000000, "a", 3.5)]
'''

CONFIG_OVERRIDE = '''
import pytest
from tsdb_core import StoreConfig

@pytest.fixture
def tsdb_config():
    return StoreConfig.for_tests(buffer_max_rows=5)

def test_override(tsdb_store):
    assert tsdb_store.config.buffer_max_rows == 5
'''

FAILING = '''
from tsdb_core.testing import load_lp

def test_rejected_line_fails_the_test(tsdb_store):
    load_lp(tsdb_store, "db", "cpu v=1 1\\ncpu v= 2")
'''


@pytest.fixture
def session(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    def go(**files: str):
        pytester.makepyfile(**files)
        return pytester.runpytest_subprocess("-p", "tsdb_core.pytest_plugin", "-p", "no:cacheprovider",
                                             "--strict-markers", "-rA")
    return go


def test_entry_point_is_declared():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["pytest11"] == {"tsdb": "tsdb_core.pytest_plugin"}


def test_fixtures_markers_and_helpers(session):
    r = session(test_user=PASSING, test_config=CONFIG_OVERRIDE)
    r.assert_outcomes(passed=7)
    r.stdout.fnmatch_lines(["PASSED test_config.py::test_override",
                            "PASSED test_user.py::test_fresh_store_per_test[[]2[]]",
                            "PASSED test_user.py::test_marker"], consecutive=False)


def test_failures_read_well(session):
    r = session(test_user=FAILING)
    r.assert_outcomes(failed=1)
    r.stdout.fnmatch_lines(["*AssertionError: line protocol rejected:*",
                            "*line 2: unable to parse 'cpu v= 2': missing field value: cpu v= 2*"])
    # __tracebackhide__: the failure points at the user's line, not into the helper.
    assert "tsdb_core/testing.py" not in r.stdout.str()
