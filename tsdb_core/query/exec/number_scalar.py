"""IOx's ``number_to_scalar`` (iox_query_influxql/src/plan/util.rs): fill(<number>) as a column's type.

Only Int64, Float64, UInt64 (and a timestamp, a struct field by field) take the number, cast by
Rust's ``as``: ``(Number::Integer(v), DataType::UInt64) => ScalarValue::from(*v as u64)`` wraps a
negative integer (-1 is 2**64-1); ``(Number::Float(v), DataType::Int64) => ScalarValue::from(*v as
i64)`` and ``... UInt64 => *v as u64`` truncate toward zero and saturate (NaN is 0, -1.5 as u64 is
0). Any other type (Utf8, Boolean) is ``error::internal(format!("no conversion from {n} to
{data_type}"))``: the aggregate planner propagates it (the statement fails at planning:
influxql/dialects/fillnum3.py), the SeriesLimit planner (``fn limit``) falls back to
``f.data_type().try_into()``, the type's NULL (None here).
"""
from __future__ import annotations

import math

import polars as pl

_I64 = (-(1 << 63), (1 << 63) - 1)
_U64 = (0, (1 << 64) - 1)


def number_to_scalar(value: int | float, dtype) -> int | float | None:
    """``value`` as util.rs casts it to a column of ``dtype``; None where it has no conversion."""
    if dtype == pl.Float64:
        return float(value)
    if dtype not in (pl.Int64, pl.UInt64):
        return None
    if isinstance(value, int):
        return value if dtype == pl.Int64 else value % (1 << 64)  # i64 ``as u64``: two's complement
    lo, hi = _I64 if dtype == pl.Int64 else _U64
    if math.isnan(value):
        return 0  # Rust's float-to-int ``as``: NaN is 0
    return lo if value <= lo else hi if value >= hi else int(value)  # saturating, truncated

