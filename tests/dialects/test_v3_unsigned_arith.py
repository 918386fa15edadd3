"""Arithmetic between integer, unsigned and float operands in the influxdb3 dialect.

Source (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b, iox_query_influxql/src/plan/planner_rewrite_expression.rs,
rewrite_binary_expr):
- l.375-401 "Mixed Int64/UInt64": two non-literal operands ->
  ``plan_err!("cannot use {op} between an integer and unsigned, an explicit cast is required")``;
- l.403-411 an Int64 literal beside a UInt64 field -> ``wrapping_i64_to_u64_cast`` (l.591-600:
  ``nvl(try_cast(e, UInt64), lit(u64::MAX) - try_cast(e.neg(), UInt64))``: -1 is u64::MAX);
- l.413-416 an Int64 field beside an unsigned literal ->
  ``plan_err!("cannot use {op} with an integer field and unsigned literal")``;
- l.435-438 UInt64 with UInt64: ``Operator::Divide => divide_carefully(left, right, DataType::UInt64)``
  (a truncating UInt64 division, l.572-588: ``CASE WHEN rhs = 0 AND lhs IS NOT NULL THEN 0``);
- l.445-452 Int64 with Int64: ``divide_carefully(cast(left, Float64), cast(right, Float64), Float64)``;
- l.355-372 a Float64 on either side: Float64, division by 0 is 0.
DataFusion's + - * wrap on UInt64 overflow (binary.rs add_wrapping / sub_wrapping, fail_on_overflow off).
The error is a DataFusionError::Plan from the planner (planner.rs l.2433 ``rewrite_field_expr(expr,
schema)?``, no context), printed by iox_v1_query_api as ``datafusion error: Error during planning: ...``
like the planner's "Invalid function" (dialects/influxdb3.py select_error).
The influxdb1 dialect keeps 1.x's answers (integer division gives a float).
"""
from __future__ import annotations

import pytest

from .both_dialects import store_in_both_dialects

LINES = "m i=7i,u=7u,f=2.5 1\nm i=-3i,u=3u,f=0.0 2"
PLAN = "datafusion error: Error during planning: "
U64_MAX = 2 ** 64 - 1


store = store_in_both_dialects(LINES)


def answer(s, q: str):
    (res,) = s.query(q, db="db").to_json()["results"]
    return res.get("error") or [row[1] for row in res["series"][0]["values"]]


@pytest.mark.parametrize("expr,v3,v1", [
    ("u / 2", [3, 1], [3.5, 1.5]),                        # UInt64 / wrapped Int64 literal: UInt64 division
    ("u / u", [1, 1], [1.0, 1.0]),                        # l.437 divide_carefully(.., UInt64)
    ("u / 0", [0, 0], [0.0, 0.0]),                        # divide_carefully: 0, not NULL
    ("u / -1", [0, 0], [-7.0, -3.0]),                     # -1 wraps to u64::MAX
    ("14 / u", [2, 4], [2.0, 14 / 3]),
    ("u - 5", [2, U64_MAX - 1], [2, -2]),                 # wrapped literal, wrapping subtraction
    ("2 * u", [14, 6], [14, 6]),
    ("u + 1", [8, 4], [8, 4]),
    ("i / 2", [3.5, -1.5], [3.5, -1.5]),                  # Int64 / Int64: Float64 division
    ("u / f", [2.8, 0.0], [2.8, 0.0]),                    # Float64 wins; / 0 is 0
    ("i * f", [17.5, -0.0], [17.5, -0.0]),
    # over calls: sum/max of a UInt64 is UInt64 (DataFusion's sum; v3's selector value), count Int64,
    # avg Float64 (aggcalls3.AGGREGATES)
    ("sum(u) / 4", [2], [2.5]),
    ("max(u) - 8", [U64_MAX], [-1]),
    ("sum(i) / 2", [2.0], [2.0]),
    ("mean(u) / 2", [2.5], [2.5]),
])
def test_numeric_results(store, expr, v3, v1):
    dialect, s = store
    got = answer(s, f"SELECT {expr} FROM m")
    want = v3 if dialect == "influxdb3" else v1
    assert got == want
    assert all(type(g) is type(w) for g, w in zip(got, want))  # integer stays integer, float float


@pytest.mark.parametrize("expr,message", [
    ("i + u", "cannot use + between an integer and unsigned, an explicit cast is required"),
    ("u * i", "cannot use * between an integer and unsigned, an explicit cast is required"),
    ("(i + 1) / u", "cannot use / between an integer and unsigned, an explicit cast is required"),
    ("i + 18446744073709551615", "cannot use + with an integer field and unsigned literal"),
    ("sum(u) / count(u)", "cannot use / between an integer and unsigned, an explicit cast is required"),
])
def test_mixed_operands_are_refused(store, expr, message):
    dialect, s = store
    got = answer(s, f"SELECT {expr} FROM m")
    if dialect == "influxdb3":
        assert got == PLAN + message
    else:  # influxql's type check (query/compile.go validateTypes), worded as influxd answered
        # `SELECT g::unsigned - g FROM m` (tests/cases/query/v1raw.json): either order, "an integer and unsigned"
        assert got.startswith("type error: ") and got.endswith(": " + message.replace("field and", "and"))
        if expr == "i + 18446744073709551615":  # influxd 1.6.7's answer, asked 2026-12-08
            assert got == ("type error: i::integer + 18446744073709551615: cannot use + with an integer and "
                           "unsigned literal")


def test_an_explicit_cast_is_taken(store):
    _, s = store
    assert answer(s, "SELECT i + u::integer FROM m") == [14, 0]
