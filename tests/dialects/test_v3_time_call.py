"""GROUP BY time(...) arguments in the influxdb3 dialect: folded as InfluxDB 3's rewriter folds them.

Sources (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b):
``influxdb_influxql_parser/src/select.rs`` TimeCallIntervalArgument (operands: durations, unsigned
integers, arithmetic) and TimeCallOffsetArgument ("The offset argument accepts either a duration,
datetime-like string or `now`"); ``iox_query_influxql/src/plan/rewriter.rs`` find_interval_offset
(``duration_expr_to_nanoseconds`` of each, context "find interval offset"); ``influxdb_influxql_parser/
src/time_range.rs`` duration_expr_to_nanoseconds (``.ok_or_else(|| error::map::expr("timestamp out of
range"))``) and expr_to_duration (the same words for a timestamp folded as a duration).
1.x refuses all of these (influxd 1.6.7: "time dimension must have duration argument", "invalid time
dimension offset: '1970-01-01T00:00:00.5Z'"; the influxdb1 dialect still answers the latter "time dimension
offset must be duration or now()").
"""
from __future__ import annotations

import pytest

from tsdb_core.influxql.dialects.timerange3 import interval_offset
from tsdb_core.influxql.parser.driver import parse_statement

from .both_dialects import influxdb3_store

LINES = "m v=1 1\nm v=2 1500000000"
REWRITE = "datafusion error: rewriting statement\ncaused by\nfind interval offset\ncaused by\nError during planning: "


v3 = influxdb3_store(LINES)


def answer(store, q: str) -> dict:
    (res,) = store.query(q, db="db").to_json()["results"]
    return res


@pytest.mark.parametrize("args,folded", [
    ("10s", (10 * 10**9, None)),
    ("500ms + 500ms, 250ms + 250ms", (10**9, 5 * 10**8)),
    ("1s, 250ms * 2", None),  # an offset's operands: durations, strings, now() (not v3's grammar)
    ("1s, '1970-01-01T00:00:00.5Z'", (10**9, 5 * 10**8)),
    ("1s, '1970-01-01 00:00:01'", (10**9, 10**9)),
    ("1s, now()", (10**9, 1672531200000000000)),
    ("1s, now() - 1h", (10**9, 1672531200000000000 - 3600 * 10**9)),
])
def test_the_arguments_fold_to_nanoseconds(args, folded):
    stmt = parse_statement(f"SELECT count(v) FROM m GROUP BY time({args})")
    assert interval_offset(stmt, 1672531200000000000) == folded


def test_a_string_offset_moves_the_windows(v3):
    q = "SELECT count(v) FROM m WHERE time >= 0 AND time < 3s GROUP BY time(1s, '1970-01-01T00:00:00.5Z') fill(none)"
    assert answer(v3, q)["series"][0]["values"] == [["1969-12-31T23:59:59.500Z", 1], ["1970-01-01T00:00:01.500Z", 1]]


def test_an_arithmetic_interval_is_its_value(v3):
    q = "SELECT count(v) FROM m WHERE time >= 0 AND time < 3s GROUP BY time(1s + 1s) fill(none)"
    assert answer(v3, q)["series"][0]["values"] == [["1970-01-01T00:00:00Z", 2]]


@pytest.mark.parametrize("args,message", [
    ("1s, '2300-01-01T00:00:00Z'", "timestamp out of range"),  # duration_expr_to_nanoseconds
    ("1s, now() - '2300-01-01T00:00:00Z'", """invalid expression "now() - '2300-01-01T00:00:00Z'": timestamp out of \
range"""),  # expr_to_duration, wrapped by reduce_expr's map_expr_err
    ("1s, '2000-01-01' + 1x", None),  # not v3's grammar: left to the grammar's words
    ("500ms * 2", """invalid expression "500ms * 2": found literal '2', expected duration, float, integer, or \
timestamp string"""),  # an interval's integer is an unsigned literal
])
def test_what_does_not_fold(v3, args, message):
    res = answer(v3, f"SELECT count(v) FROM m WHERE time < 3s GROUP BY time({args})")
    if message is None:
        assert not res.get("error", "").startswith(REWRITE)
    else:
        assert res["error"] == REWRITE + message


def test_explain_draws_the_folded_interval(v3):
    res = answer(v3, "EXPLAIN SELECT count(v) FROM m WHERE time >= 0 AND time < 3s GROUP BY time(500ms + 500ms)")
    plan = res["series"][0]["values"][0][0]
    assert 'IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }' in plan
