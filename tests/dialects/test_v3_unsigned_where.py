"""Mixed integer/unsigned operations in WHERE in the influxdb3 dialect.

Source (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
iox_query_influxql/src/plan/planner_rewrite_expression.rs):
- l.156-159 rewrite_conditional_expr runs ``rewrite_make_mixed_integer_ops_legal`` before
  ``rewrite_expr`` ("make mixed signed integer operations legal / this MUST be done before
  calling `rewrite_ops`!");
- l.668-698 it transforms every BinaryExpr bottom-up: ``(Ok(DataType::UInt64), Ok(DataType::Int64)) =>
  yes(binary_expr(left, op, wrapping_i64_to_u64_cast(right)))`` and the mirror case, for any
  operator (comparisons too), literal or not: so no "explicit cast is required" error in WHERE;
- l.591-599 ``wrapping_i64_to_u64_cast``: ``nvl(try_cast(e, UInt64), lit(u64::MAX) -
  try_cast(e.neg(), UInt64))``: -1 is u64::MAX, -3 is u64::MAX - 2;
- then rewrite_expr (l.435-438): UInt64 ``/`` UInt64 is divide_carefully(.., UInt64), truncating;
  l.356-373: a Float64 beside an Int64 passes through (DataFusion coerces to Float64).
The influxdb1 dialect keeps 1.x's comparisons (by value, no wrapping).
"""
from __future__ import annotations

import pytest

from .both_dialects import store_in_both_dialects

LINES = "m i=7i,u=7u 1\nm i=-3i,u=3u 2\nm i=-1i,u=18446744073709551615u 3"
ROW1, ROW2, ROW3 = [7, 7], [-3, 3], [-1, 2 ** 64 - 1]


store = store_in_both_dialects(LINES)


def rows(s, where: str):
    (res,) = s.query(f"SELECT i, u FROM m WHERE {where}", db="db").to_json()["results"]
    assert "error" not in res, res
    return [r[1:] for r in res["series"][0]["values"]] if "series" in res else []


@pytest.mark.parametrize("where,v3,v1", [
    ("u > -1", [], [ROW1, ROW2, ROW3]),                   # -1 wraps to u64::MAX: nothing is above it
    ("u <= -1", [ROW1, ROW2, ROW3], []),
    ("u = 18446744073709551615", [ROW3], [ROW3]),         # UInt64 with UInt64: no rewrite
    ("i = 18446744073709551615", [ROW3], []),             # Int64 field wrapped: -1 is u64::MAX
    ("i < u", [], [ROW2, ROW3]),                          # wrap(-3) = u64::MAX - 2 > 3
    ("i + u > 3", [ROW1, ROW3], [ROW1, ROW3]),            # wrap(i) + u (wrapping), 3 wrapped
    ("u > i * 2", [ROW3], [ROW2, ROW3]),                  # wrap(-2) = u64::MAX - 1 < u64::MAX
    ("u / 2 = 3", [ROW1], []),                            # UInt64 division truncates: 7 / 2 = 3
    ("u / 0 = 0", [ROW1, ROW2, ROW3], [ROW1, ROW2, ROW3]),  # divide_carefully: 0
    ("i > 1.5", [ROW1], [ROW1]),                          # Float64 beside Int64: a float comparison
    ("i / 2 > 1", [ROW1], [ROW1]),                        # Int64 / Int64 is a Float64 division
    ("i >= -3 AND u < 10", [ROW1, ROW2], [ROW1, ROW2]),   # same-type comparisons unchanged
])
def test_where(store, where, v3, v1):
    dialect, s = store
    assert rows(s, where) == (v3 if dialect == "influxdb3" else v1)


def test_where_in_a_subquery(store):
    dialect, s = store
    (res,) = s.query("SELECT i FROM (SELECT i, u FROM m WHERE u > -1)", db="db").to_json()["results"]
    got = [r[1] for r in res["series"][0]["values"]] if "series" in res else []
    assert got == ([] if dialect == "influxdb3" else [7, -3, -1])
