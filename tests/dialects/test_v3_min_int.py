"""``MinInt64 % -1`` and ``MinInt64 / -1`` in the influxdb3 dialect.

- ``%``: arrow-arith 56.2.0 numeric.rs l.334-340 ``Op::Rem => try_op!(l, l_s, r, r_s, { if
  r.is_zero() { Err(ArrowError::DivideByZero) } else { Ok(l.mod_wrapping(r)) } })``; arrow-array
  arithmetic.rs ``fn mod_wrapping(self, rhs: Self) -> Self { self.wrapping_rem(rhs) }``: Rust's
  ``i64::wrapping_rem(i64::MIN, -1)`` is 0, no error. DataFusion 50.1.0 (datafusion-python) answered
  [[0], [0], [0]] for ``SELECT i % -1 FROM n`` over the three values below.
- ``/``: DataFusion's Int64 division would fail (DataFusion 50.1.0: ``ArrowError(ArithmeticOverflow(
  "Overflow happened on: -9223372036854775808 / -1"), ..)``), but v3's planner never divides two
  integers: planner_rewrite_expression.rs ``rewrite_binary_expr`` l.452 ``divide_carefully(cast(left,
  DataType::Float64), cast(right, DataType::Float64), DataType::Float64)`` (test_v3_explain_division.py),
  and DataFusion 50.1.0 answered 9.223372036854776e18, 9.223372036854776e18, -9.223372036854776e18
  for ``SELECT CAST(i AS DOUBLE) / -1.0 FROM n``.
"""
from __future__ import annotations

import pytest

from .both_dialects import answer, influxdb3_store
from .test_v1_rem import LINES

store = influxdb3_store(LINES)


@pytest.mark.parametrize("query,want", [
    ("SELECT i % -1 FROM n", [[0], [0], [0]]),
    ("SELECT i % -1 FROM n WHERE i < 0", [[0], [0]]),
    ("SELECT sum(x) FROM (SELECT i % -1 AS x FROM n)", [[0]]),
    ("SELECT i / -1 FROM n", [[9.223372036854776e18], [9.223372036854776e18], [-9.223372036854776e18]]),
    ("SELECT min(i) / -1 FROM n", [[9.223372036854776e18]]),
])
def test_min_int64_by_minus_one(store, query, want):
    assert answer(store, query) == want
