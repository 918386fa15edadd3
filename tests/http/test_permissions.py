"""What each statement needs (tsdb_http.permissions.needs), on the real InfluxQL AST."""
from __future__ import annotations

import importlib

import pytest

from tsdb_http import permissions


def _parser():
    try:
        parse = importlib.import_module("tsdb_core.influxql.parse").parse
        parse("SELECT * FROM m")
        return parse
    except Exception:
        return None


PARSE = _parser()
pytestmark = pytest.mark.skipif(PARSE is None, reason="the InfluxQL parser is not importable")


@pytest.mark.parametrize("q,needs", [
    ("SELECT * FROM cpu", [("read", "mydb")]),
    ("SELECT * FROM other..cpu", [("read", "other")]),
    ("SELECT * FROM other.autogen.cpu, cpu", [("read", "other"), ("read", "mydb")]),
    ("SELECT mean(v) FROM (SELECT v FROM x..cpu)", [("read", "x")]),
    ("SELECT v INTO y..copy FROM cpu", [("read", "mydb"), ("write", "y")]),
    ("SELECT v INTO copy FROM cpu", [("read", "mydb"), ("write", "mydb")]),
    ("EXPLAIN SELECT * FROM z..cpu", [("read", "z")]),
    ("SHOW MEASUREMENTS", [("read", "mydb")]),
    ("SHOW MEASUREMENTS ON other", [("read", "other")]),
    ("SHOW TAG KEYS ON other FROM cpu", [("read", "other"), ("read", "other")]),
    ("SHOW FIELD KEYS", [("read", "mydb")]),
    ("SHOW RETENTION POLICIES ON other", [("read", "other")]),
    ("SHOW DATABASES", []),
    ("SHOW USERS", [("read", "*")]),
    ("CREATE DATABASE newdb", [("write", "newdb")]),
    ("DROP DATABASE olddb", [("write", "olddb")]),
    ("CREATE RETENTION POLICY rp ON other DURATION 1d REPLICATION 1", [("write", "other")]),
    ("ALTER RETENTION POLICY rp ON other DURATION 2d", [("write", "other")]),
    ("DROP RETENTION POLICY rp ON other", [("write", "other")]),
    ("DROP MEASUREMENT cpu", [("write", "mydb")]),
    ("DROP SERIES FROM cpu WHERE host = 'a'", [("write", "mydb")]),
    ("DELETE FROM cpu WHERE time < now()", [("write", "mydb")]),
    ("CREATE USER bob WITH PASSWORD 'x'", [("write", "*")]),
    ("KILL QUERY 1", [("write", "*")]),
])
def test_needs(q, needs):
    (stmt,) = permissions.statements_of(PARSE(q, None))
    assert permissions.needs(stmt, "mydb") == needs
