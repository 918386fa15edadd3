"""split_where: time bounds folded into one inclusive range, the rest kept."""
from __future__ import annotations

import pytest

from tsdb_core.base.errors import QueryError
from tsdb_core.influxql import ast as A
from tsdb_core.query.analyze.time_range import TimeRange, parse_time_string, split_where
from tsdb_core.base.time import MAX_TIME, MIN_TIME

NOW = 1_566_086_400_000_000_000  # 2019-08-18T00:00:00Z
T = A.VarRef("time")
H = 3_600_000_000_000


def cmp(op, rhs, lhs=T):
    return A.BinaryExpr(op, lhs, rhs)


@pytest.mark.parametrize("text,expected", [
    ("2019-08-18T00:00:00Z", NOW),
    ("2019-08-18T00:00:00.5Z", NOW + 500_000_000),
    ("2019-08-18T00:00:00.123456789Z", NOW + 123_456_789),
    ("2019-08-18 00:00:00", NOW),
    ("2019-08-18", NOW),
    ("2019-08-18T02:00:00+02:00", NOW),
    ("2019-08-17T19:00:00-05:00", NOW),
], ids=str)
def test_parse_time_string(text, expected):
    assert parse_time_string(text) == expected


def test_parse_time_string_in_zone():
    assert parse_time_string("2019-08-17 19:00:00", "America/Chicago") == NOW


@pytest.mark.parametrize("bad", ["yesterday", "2019-13-01T00:00:00Z", "2019-08-18T00:00"])
def test_parse_time_string_rejects(bad):
    with pytest.raises(QueryError, match="not compatible"):
        parse_time_string(bad)


@pytest.mark.parametrize("cond,expected", [
    (cmp(">", A.StringLiteral("2019-08-18T00:00:00Z")), TimeRange(NOW + 1, MAX_TIME)),
    (cmp(">=", A.StringLiteral("2019-08-18T00:00:00Z")), TimeRange(NOW, MAX_TIME)),
    (cmp("<", A.IntegerLiteral(NOW)), TimeRange(MIN_TIME, NOW - 1)),
    (cmp("<=", A.DurationLiteral(NOW)), TimeRange(MIN_TIME, NOW)),
    (cmp("=", A.IntegerLiteral(NOW)), TimeRange(NOW, NOW)),
    (cmp(">", A.BinaryExpr("-", A.Call("now"), A.DurationLiteral(H))), TimeRange(NOW - H + 1, MAX_TIME)),
    (A.BinaryExpr("<", A.IntegerLiteral(NOW), T), TimeRange(NOW + 1, MAX_TIME)),
    (A.BinaryExpr("AND", cmp(">=", A.IntegerLiteral(NOW)), cmp("<=", A.IntegerLiteral(NOW + H))),
     TimeRange(NOW, NOW + H)),
    # influxd 1.6 intersects time bounds even under OR
    (A.BinaryExpr("OR", cmp(">=", A.IntegerLiteral(NOW)), cmp("<=", A.IntegerLiteral(NOW + H))),
     TimeRange(NOW, NOW + H)),
], ids=lambda x: str(x))
def test_time_bounds(cond, expected):
    tr, rest = split_where(cond, NOW)
    assert tr == expected
    assert rest is None


def test_residual_keeps_other_conditions():
    tag = A.BinaryExpr("=", A.VarRef("location"), A.StringLiteral("x"))
    cond = A.BinaryExpr("AND", tag, cmp(">", A.IntegerLiteral(5)))
    tr, rest = split_where(cond, NOW)
    assert tr == TimeRange(6, MAX_TIME)
    assert rest == tag


def test_no_condition():
    assert split_where(None, NOW) == (TimeRange(), None)


def test_bad_time_operand():
    with pytest.raises(QueryError, match="not compatible"):
        split_where(cmp(">", A.BooleanLiteral(True)), NOW)
