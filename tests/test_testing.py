"""The test helpers (tsdb_core/testing.py): clock, durations, assert_query's verdicts and diffs.

A stub store answers fixed results here so the helpers are tested on their own;
tests/test_pytest_plugin.py runs them against the real store.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tsdb_core.base.errors import ParseError
from tsdb_core.base.types import LineError, WriteResult
from tsdb_core.query.results import QueryResult, Series, StatementResult
from tsdb_core.testing import (ManualClock, assert_query, assert_query_error, load_lp, parse_duration,
                               to_ns)

T0 = 1_704_067_200_000_000_000


@pytest.mark.parametrize("text,ns", [
    ("1ns", 1), ("1u", 1_000), ("1µ", 1_000), ("1ms", 10**6), ("1s", 10**9), ("1m", 60 * 10**9),
    ("1h30m", 5400 * 10**9), ("2d", 2 * 86400 * 10**9), ("1w", 7 * 86400 * 10**9), ("0s", 0),
], ids=lambda v: str(v))
def test_parse_duration(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "1h 30m", "-1h"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_parse_duration_timedelta_and_int():
    assert parse_duration(dt.timedelta(hours=1, microseconds=3)) == 3600 * 10**9 + 3000
    assert parse_duration(5) == 5


@pytest.mark.parametrize("when,ns", [
    ("2024-01-01T00:00:00Z", T0), ("2024-01-01T00:00:00.000000001Z", T0 + 1),
    ("2024-01-01T01:00:00+01:00", T0), ("2024-01-01T00:00:00.5Z", T0 + 500_000_000),
    (dt.datetime(2024, 1, 1), T0), (dt.datetime(2024, 1, 1, 0, 0, 0, 7, tzinfo=dt.timezone.utc), T0 + 7000),
    (T0, T0), ("1969-12-31T23:59:59Z", -10**9),
], ids=str)
def test_to_ns(when, ns):
    assert to_ns(when) == ns


def test_manual_clock():
    c = ManualClock()
    assert c() == T0
    assert c.advance("1h") == T0 + 3600 * 10**9
    assert c() == T0 + 3600 * 10**9
    c.set("2030-01-01T00:00:00Z")
    assert c() == to_ns("2030-01-01T00:00:00Z")
    assert repr(c) == "ManualClock('2030-01-01T00:00:00Z')"


class Stub:
    """Answers every query with a fixed result and records writes."""

    def __init__(self, result=None, write_result=None):
        self.result = result
        self.write_result = write_result or WriteResult(points_written=1)
        self.calls = []

    def query(self, q, db=None, rp=None, epoch=None, params=None):
        self.calls.append((q, db, rp, epoch))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result

    def write(self, db, body, precision="ns", rp=None):
        self.calls.append((db, body, precision, rp))
        return self.write_result


def one(*series):
    return QueryResult([StatementResult(0, list(series))])


CPU = Series("cpu", None, ["time", "mean"], [["2024-01-01T00:00:00Z", 1.5], ["2024-01-01T00:01:00Z", 2.0]])
CPU_A = Series("cpu", {"host": "a"}, ["time", "v"], [["2024-01-01T00:00:00Z", 1]])
CPU_B = Series("cpu", {"host": "b"}, ["time", "v"], [["2024-01-01T00:00:00Z", 2]])


@pytest.mark.parametrize("expected", [
    [["2024-01-01T00:00:00Z", 1.5], ["2024-01-01T00:01:00Z", 2.0]],
    [("2024-01-01T00:00:00Z", 1.5), ("2024-01-01T00:01:00Z", 2)],
    [[dt.datetime(2024, 1, 1), 1.5], [dt.datetime(2024, 1, 1, 0, 1), 2.0 + 1e-12]],
    [{"time": "2024-01-01T00:00:00Z", "mean": 1.5}, {"time": "2024-01-01T00:01:00Z", "mean": 2.0}],
    [{"name": "cpu", "values": [["2024-01-01T00:00:00Z", 1.5], ["2024-01-01T00:01:00Z", 2.0]]}],
    [{"name": "cpu", "columns": ["time", "mean"], "values": CPU.values}],
    pl.DataFrame({"time": ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"], "mean": [1.5, 2.0]}),
], ids=["rows", "tuples", "datetimes", "dict-rows", "series", "series-columns", "frame"])
def test_assert_query_passes(expected):
    store = Stub(one(CPU))
    assert_query(store, "SELECT mean(v) FROM cpu", expected, db="mydb")
    assert store.calls == [("SELECT mean(v) FROM cpu", "mydb", None, None)]


def test_assert_query_several_series():
    store = Stub(one(CPU_A, CPU_B))
    assert_query(store, "q", [
        {"name": "cpu", "tags": {"host": "a"}, "values": [["2024-01-01T00:00:00Z", 1]]},
        {"name": "cpu", "tags": {"host": "b"}, "values": [["2024-01-01T00:00:00Z", 2]]},
    ])
    with pytest.raises(AssertionError) as exc:
        assert_query(store, "q", [["2024-01-01T00:00:00Z", 1]])
    assert "+series cpu {host=b}" in str(exc.value)


def test_assert_query_diff_is_readable():
    store = Stub(one(CPU))
    with pytest.raises(AssertionError) as exc:
        assert_query(store, "SELECT mean(v) FROM cpu", [["2024-01-01T00:00:00Z", 1.5],
                                                        ["2024-01-01T00:01:00Z", 2.5]], db="mydb")
    assert str(exc.value) == (
        "query answer differs from the expected one\n"
        "  query: SELECT mean(v) FROM cpu\n"
        "  db: mydb\n"
        "--- expected\n"
        "+++ actual\n"
        "@@ -1,3 +1,3 @@\n"
        " columns ['time', 'mean']\n"
        " ['2024-01-01T00:00:00Z', 1.5]\n"
        "-['2024-01-01T00:01:00Z', 2.5]\n"
        "+['2024-01-01T00:01:00Z', 2.0]")


@pytest.mark.parametrize("result,expected,message", [
    (QueryResult(error="error parsing query: found EOF"), [], "query failed: error parsing query: found EOF"),
    (QueryResult([StatementResult(0, error="database not found: x")]), [],
     "statement 0 failed: database not found: x"),
    (QueryResult([]), [], "query answered 0 statement(s), no statement 0"),
    (one(), [["2024-01-01T00:00:00Z", 1]], "query answer differs"),
    (one(CPU), [], "query answer differs"),
    (one(CPU), [["2024-01-01T00:00:00Z", True], ["2024-01-01T00:01:00Z", 2.0]], "query answer differs"),
    (one(CPU), [{"time": "2024-01-01T00:00:00Z", "max": 1.5}], "query answer differs"),
    (one(CPU), pl.DataFrame({"time": ["x"], "mean": [1.0]}), "query answer differs from the expected frame"),
    (one(CPU_A), [{"name": "cpu", "tags": {"host": "b"}, "values": CPU_A.values}], "query answer differs"),
    (ParseError("found EOF, expected identifier at line 1, char 8"), [],
     "query failed: found EOF, expected identifier at line 1, char 8"),
], ids=["request-error", "statement-error", "no-statement", "empty-vs-rows", "rows-vs-empty",
        "bool-is-not-number", "wrong-column", "frame", "wrong-tags", "raised"])
def test_assert_query_fails(result, expected, message):
    with pytest.raises(AssertionError) as exc:
        assert_query(Stub(result), "q", expected)
    assert str(exc.value).startswith(message)


def test_assert_query_empty_answer():
    assert_query(Stub(one()), "q", [])


def test_assert_query_error():
    assert assert_query_error(Stub(QueryResult(error="error parsing query: x")), "q", "parsing") == \
        "error parsing query: x"
    assert assert_query_error(Stub(ParseError("found EOF")), "q", "EOF") == "found EOF"
    with pytest.raises(AssertionError, match="query succeeded, expected an error matching 'x'"):
        assert_query_error(Stub(one(CPU)), "q", "x")
    with pytest.raises(AssertionError, match="does not contain 'nope'"):
        assert_query_error(Stub(QueryResult(error="boom")), "q", "nope")


def test_load_lp_strips_indentation_and_fails_on_rejected_lines():
    store = Stub()
    load_lp(store, "db", """
        cpu v=1 1
        cpu v=2 2
    """)
    assert store.calls == [("db", "cpu v=1 1\ncpu v=2 2", "ns", None)]
    bad = Stub(write_result=WriteResult(errors=[LineError(2, "cpu v= 2", "unable to parse 'cpu v= 2'")]))
    with pytest.raises(AssertionError, match="line 2: unable to parse 'cpu v= 2'"):
        load_lp(bad, "db", "cpu v=1 1\ncpu v= 2")
    assert load_lp(bad, "db", "x", strict=False).dropped == 1


def test_memory_store_for_hypothesis_style_tests():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tsdb_core.testing import memory_store

    @settings(max_examples=10, deadline=None)
    @given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=20))
    def check(values):
        with memory_store("2024-01-01T00:00:00Z") as store:
            assert store.clock() == T0
            load_lp(store, "db", "\n".join(f"m v={v}i {i}" for i, v in enumerate(values)))
            assert_query(store, "SELECT sum(v), count(v) FROM m", [["1970-01-01T00:00:00Z", sum(values), len(values)]],
                         db="db")
    check()
