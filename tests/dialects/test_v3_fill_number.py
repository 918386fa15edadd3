"""fill(<number>) as a column's type: InfluxDB 3's ``number_to_scalar``, influxd 1.x's cast.

influxdb3 (tsdb_core/query/exec/number_scalar.py): influxdb3_core iox_query_influxql/src/plan/util.rs::

    (Number::Integer(v), DataType::Int64) => ScalarValue::from(*v),
    (Number::Integer(v), DataType::Float64) => ScalarValue::from(*v as f64),
    (Number::Integer(v), DataType::UInt64) => ScalarValue::from(*v as u64),
    (Number::Float(v), DataType::Int64) => ScalarValue::from(*v as i64),
    (Number::Float(v), DataType::Float64) => ScalarValue::from(*v),
    (Number::Float(v), DataType::UInt64) => ScalarValue::from(*v as u64),
    ...
    (n, data_type) => {
        // The only output data types expected are Int64, Float64 or UInt64
        return error::internal(format!("no conversion from {n} to {data_type}"));
    }

Rust's ``as``: an i64 wraps to u64 (-1 is 2**64-1); a float truncates toward zero and saturates
(1e20 as i64 is i64::MAX, -1.5 as u64 is 0). The GapFill planner (planner.rs, ``FillClause::Value``:
``.and_then(|ty| number_to_scalar(&val, &ty))`` ... ``collect::<Result<Vec<_>>>()?``) lets the
error of a text or boolean aggregate (first/last of a string is a struct whose ``value`` is Utf8;
mode of a string is Utf8) fail the query; the SeriesLimit planner (``fn limit``:
``number_to_scalar(n, f.data_type()).or_else(|_| f.data_type().try_into())``) reads the type's NULL.

influxdb1: influxd 1.x writes the number into a text or boolean cell of a raw row, the type's zero
value into a windowed string or boolean aggregate, and casts an unsigned gap to a float.
"""
from __future__ import annotations

import math

import polars as pl
import pytest

from tsdb_core.influxql.dialects.fillnum3 import no_conversion
from tsdb_core.query.exec.number_scalar import number_to_scalar

from .both_dialects import assert_answers, store_in_both_dialects

LINES = """m,t=a s="x",b=true,f=1.5,i=3i,u=4u 0
m,t=a s="y",b=false,f=2.5,i=5i,u=6u 20
m,t=a f=3.5 30
"""
store = store_in_both_dialects(LINES)
W = "FROM m WHERE time >= 0 AND time < 30 GROUP BY time(10ns)"
U64_MAX, I64_MAX, I64_MIN = 2**64 - 1, 2**63 - 1, -(2**63)
NO_UTF8 = "External error: InfluxQL internal error: no conversion from {} to Utf8"
NO_BOOL = "External error: InfluxQL internal error: no conversion from {} to Boolean"

CASES = [  # (query, influxdb3, influxdb1)
    # GapFill of a text or boolean aggregate: number_to_scalar's error propagates (1.x: the zero value)
    (f"SELECT first(s), mean(f) {W} fill(1)", NO_UTF8.format(1), [["x", 1.5], ["", 1.0], ["y", 2.5]]),
    (f"SELECT mean(f), last(b) {W} fill(1)", NO_BOOL.format(1), [[1.5, True], [1.0, False], [2.5, False]]),
    (f"SELECT mode(s) {W} fill(2.5)", NO_UTF8.format(2.5), [["x"], [""], ["y"]]),
    (f"SELECT mode(b) {W} fill(-3)", NO_BOOL.format(-3), [[True], [False], [False]]),
    # ... the error at planning: no window needs the default (tests/dialects/test_v3_fill_plan.py)
    ("SELECT first(s) FROM m WHERE time >= 0 AND time < 10 GROUP BY time(10ns) fill(1)", NO_UTF8.format(1),
     [["x"]]),
    # GapFill of numbers: ``as``. Integer -1 as u64 wraps (1.x: a float -1)
    (f"SELECT max(i), max(u) {W} fill(-1)", [[3, 4], [-1, U64_MAX], [5, 6]], [[3, 4.0], [-1, -1.0], [5, 6.0]]),
    # Float as i64 / as u64: truncated, saturated (1.x: truncated i64, u64 as a float)
    (f"SELECT max(i), max(u) {W} fill(-1.5)", [[3, 4], [-1, 0], [5, 6]], [[3, 4.0], [-1, -1.5], [5, 6.0]]),
    # (1.x: Go's int64(1e20) is MinInt64 on amd64, influxd 1.6.7's answer (v1subq_cases.FILL_PAST_INT);
    # an unsigned one past its range stays null: 1.6.7 writes no unsigned field to ask)
    (f"SELECT max(i), max(u), sum(f) {W} fill(100000000000000000000.0)",
     [[3, 4, 1.5], [I64_MAX, U64_MAX, 1e20], [5, 6, 2.5]], [[3, 4, 1.5], [I64_MIN, None, 1e20], [5, 6, 2.5]]),
    # SeriesLimit defaults of raw text and boolean fields: the type's NULL (1.x: the number)
    ("SELECT s, b, f FROM m fill(7)", [["x", True, 1.5], ["y", False, 2.5], [None, None, 3.5]],
     [["x", True, 1.5], ["y", False, 2.5], [7, 7, 3.5]]),
    ("SELECT s, f FROM m fill(7) LIMIT 1 OFFSET 1", [["y", 2.5]], [["y", 2.5]]),
    # ... numeric raw fields: ``as`` (Integer -1 as u64 wraps in both)
    # ... a kept row's field outside its own limit (IGNORE NULLS: u has no number there): ``as``, not null
    ("SELECT f, u FROM m fill(-1.5) LIMIT 1 OFFSET 2", [[3.5, 0]], [[3.5, U64_MAX]]),
    ("SELECT f, i FROM m fill(100000000000000000000.0) LIMIT 1 OFFSET 2", [[3.5, I64_MAX]], None),
    ("SELECT i, u, f FROM m fill(-1)", [[3, 4, 1.5], [5, 6, 2.5], [-1, U64_MAX, 3.5]],
     [[3, 4, 1.5], [5, 6, 2.5], [-1, U64_MAX, 3.5]]),
    ("SELECT i, u, f FROM m fill(-2.5)", [[3, 4, 1.5], [5, 6, 2.5], [-2, 0, 3.5]],
     [[3, 4, 1.5], [5, 6, 2.5], [-2, U64_MAX - 1, 3.5]]),
    ("SELECT i, u, f FROM m fill(100000000000000000000.0)", [[3, 4, 1.5], [5, 6, 2.5], [I64_MAX, U64_MAX, 3.5]],
     None),
]


@pytest.mark.parametrize("query,v3,v1", CASES, ids=[c[0] for c in CASES])
def test_fill_number(store, query, v3, v1):
    assert_answers(store, query, v3, v1)


SCALARS = [  # (number, dtype, util.rs's scalar): ``as`` wraps an i64, truncates and saturates a float
    (7, pl.Int64, 7), (7, pl.Float64, 7.0), (-1, pl.UInt64, U64_MAX), (-(2**63), pl.UInt64, 2**63),
    (2.9, pl.Int64, 2), (-2.9, pl.Int64, -2), (-1.5, pl.UInt64, 0), (2.9, pl.UInt64, 2),
    (1e20, pl.Int64, I64_MAX), (-1e20, pl.Int64, -(2**63)), (1e20, pl.UInt64, U64_MAX), (1e30, pl.UInt64, U64_MAX),
    (math.inf, pl.Int64, I64_MAX), (-math.inf, pl.UInt64, 0), (math.nan, pl.Int64, 0), (math.nan, pl.UInt64, 0),
    (1.5, pl.Float64, 1.5), (1, pl.String, None), (1.5, pl.Boolean, None),
]


@pytest.mark.parametrize("value,dtype,want", SCALARS)
def test_number_to_scalar(value, dtype, want):
    got = number_to_scalar(value, dtype)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("value,arrow,want", [
    (1, "Utf8", NO_UTF8.format(1)), (1.0, "Boolean", NO_BOOL.format(1)), (-2.5, "Utf8", NO_UTF8.format(-2.5)),
    (1e20, "Utf8", NO_UTF8.format("100000000000000000000")),  # Rust's f64 Display: no exponent
    (-0.0, "Boolean", NO_BOOL.format("-0")),
])
def test_no_conversion(value, arrow, want):
    assert no_conversion(value, arrow) == want
