"""What each statement needs (tsdb_http.permissions.needs), on the real InfluxQL AST."""
from __future__ import annotations

import importlib

import pytest

from tsdb_http import permissions


def _parser():
    try:
        parse = importlib.import_module("tsdb_core.influxql.parser.driver").parse
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
    ("CREATE DATABASE newdb", [("manage", "newdb")]),
    ("DROP DATABASE olddb", [("manage", "olddb")]),
    ("CREATE RETENTION POLICY rp ON other DURATION 1d REPLICATION 1", [("manage", "other")]),
    ("ALTER RETENTION POLICY rp ON other DURATION 2d", [("manage", "other")]),
    ("DROP RETENTION POLICY rp ON other", [("manage", "other")]),
    ("DROP MEASUREMENT cpu", [("manage", "mydb")]),
    ("DROP SERIES FROM cpu WHERE host = 'a'", [("manage", "mydb")]),
    ("DELETE FROM cpu WHERE time < now()", [("manage", "mydb")]),
    ("CREATE USER bob WITH PASSWORD 'x'", [("manage", "*")]),
    ("KILL QUERY 1", [("manage", "*")]),
])
def test_needs(q, needs):
    (stmt,) = permissions.statements_of(PARSE(q, None))
    assert permissions.needs(stmt, "mydb") == needs


@pytest.mark.parametrize("q,needs", [
    ("DROP MEASUREMENT cpu", [("manage", None)]),
    ("DELETE FROM cpu", [("manage", None)]),
    ("DROP SERIES FROM cpu", [("manage", None)]),
    ("SELECT * FROM cpu", [("read", None)]),
    ("SELECT v INTO copy FROM x..cpu", [("read", "x"), ("write", None)]),
    ("SHOW MEASUREMENTS", [("read", None)]),
    ("CREATE DATABASE d", [("manage", "d")]),
])
def test_needs_without_a_db_parameter(q, needs):
    """None: the statement names no database (only a permission on '*' covers it)."""
    (stmt,) = permissions.statements_of(PARSE(q, None))
    assert permissions.needs(stmt, None) == needs


@pytest.mark.parametrize("q,words", [
    ("DROP MEASUREMENT cpu", "DROP MEASUREMENT"), ("DELETE FROM cpu", "DELETE"),
    ("DROP SERIES FROM cpu", "DROP SERIES"), ("SHOW TAG KEYS", "SHOW TAG KEYS"),
    ("SELECT * FROM cpu", "SELECT"), ("ALTER RETENTION POLICY rp ON d DURATION 1d", "ALTER RETENTION POLICY"),
])
def test_statement_words(q, words):
    (stmt,) = permissions.statements_of(PARSE(q, None))
    assert permissions.statement_words(stmt) == words
