"""The pytest plugin's dialect: the ``tsdb_dialect`` ini option and marker, ``--tsdb-dialect``."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

USER_TESTS = '''
import pytest
import tsdb_core
from tsdb_core.testing import assert_query, assert_query_error, load_lp

LP = "cpu,host=a usage=1.5 1704067199500000000"


def test_default(tsdb_store, tsdb_dialect):
    load_lp(tsdb_store, "db", LP)
    print("DIALECT", tsdb_dialect.value)
    assert tsdb_store.dialect is tsdb_dialect
    if tsdb_dialect is tsdb_core.Dialect.INFLUXDB3:
        assert_query(tsdb_store, "SELECT usage FROM cpu", [["2023-12-31T23:59:59.500Z", 1.5]], db="db")
        assert_query_error(tsdb_store, "SHOW SERIES", "following SHOW at pos 5", db="db")
    else:
        assert_query(tsdb_store, "SELECT usage FROM cpu", [["2023-12-31T23:59:59.5Z", 1.5]], db="db")
        assert_query(tsdb_store, "SHOW SERIES", [["cpu,host=a"]], db="db")


@pytest.mark.tsdb_dialect("influxdb3")
def test_marked_v3(tsdb_store):
    load_lp(tsdb_store, "db", LP)
    assert_query_error(tsdb_store, "SELECT usage FROM cpu SLIMIT 1", "This feature is not implemented: SLIMIT or SOFFSET", db="db")


@pytest.mark.tsdb_dialect("influxdb1")
def test_marked_v1(tsdb_store):
    load_lp(tsdb_store, "db", LP)
    assert_query(tsdb_store, "SELECT usage FROM cpu SLIMIT 1", [["2023-12-31T23:59:59.5Z", 1.5]], db="db")
'''


@pytest.fixture
def session(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    def go(*args: str, ini: str | None = None):
        pytester.makepyfile(test_user=USER_TESTS)
        if ini is not None:
            pytester.makeini(f"[pytest]\ntsdb_dialect = {ini}\n")
        return pytester.runpytest_subprocess("-p", "tsdb_core.pytest_plugin", "-p", "no:cacheprovider",
                                             "--strict-markers", "-rA", "-s", *args)
    return go


@pytest.mark.parametrize("args,ini,expect", [
    ((), None, "influxdb1"),
    ((), "influxdb3", "influxdb3"),
    (("--tsdb-dialect", "influxdb3"), None, "influxdb3"),
    (("--tsdb-dialect", "influxdb1"), "influxdb3", "influxdb1"),  # the command line wins over the ini file
])
def test_dialect_option(session, args, ini, expect):
    r = session(*args, ini=ini)
    r.assert_outcomes(passed=3)
    r.stdout.fnmatch_lines([f"*DIALECT {expect}*"])


def test_a_wrong_dialect_stops_the_run(session):
    r = session("--tsdb-dialect", "influxdb2")
    assert r.ret != 0
    r.stderr.fnmatch_lines(["*argument --tsdb-dialect: invalid choice: 'influxdb2'*"])
    r = session(ini="influxdb2")
    assert r.ret != 0
    assert "unknown InfluxQL dialect 'influxdb2'" in r.stdout.str() + r.stderr.str()
