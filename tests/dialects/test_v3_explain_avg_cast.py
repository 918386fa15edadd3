"""EXPLAIN's Aggregate of mean(<integer field>) in the influxdb3 dialect: cast by type_coercion.

Derived, not quoted (no v3 snapshot draws it): DataFusion 50.1 (datafusion-python 50.1.0, once, by
hand, over a table of Int64/UInt64/Float64 columns) printed ``SELECT avg(i) FROM m`` as
``Aggregate: groupBy=[[]], aggr=[[avg(m.i)]]`` in initial_logical_plan and
``aggr=[[avg(CAST(m.i AS Float64))]]`` after type_coercion and in logical_plan (Avg's coerce_types:
integers read as Float64), the same for a UInt64 column; ``avg`` of a Float64 and ``stddev``,
``median``, ``sum`` of an Int64 kept their argument; the Projection above still named ``avg(m.i)``
and the physical AggregateExec printed ``aggr=[avg(m.i)]``.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows  # noqa: F401 - fixture


def _aggregate(plan: str) -> str:
    (line,) = [ln.strip() for ln in plan.splitlines() if ln.strip().startswith("Aggregate:")]
    return line


@pytest.mark.parametrize("q, initial, coerced", [
    ("SELECT mean(i64_field) FROM data",
     "avg(data.i64_field), count(Int64(1)) AS __aggr_count",
     "avg(CAST(data.i64_field AS Float64)), count(Int64(1)) AS __aggr_count"),
    ("SELECT mean(u64_field) FROM all_types",
     "avg(all_types.u64_field), count(Int64(1)) AS __aggr_count",
     "avg(CAST(all_types.u64_field AS Float64)), count(Int64(1)) AS __aggr_count"),
    ("SELECT mean(f64_field), sum(i64_field), mean(i64_field) FROM data",
     "avg(data.f64_field), sum(data.i64_field), avg(data.i64_field), count(Int64(1)) AS __aggr_count",
     ("avg(data.f64_field), sum(data.i64_field), avg(CAST(data.i64_field AS Float64)), "
      "count(Int64(1)) AS __aggr_count")),
])
def test_an_integer_mean_is_cast_to_float(planner_catalog, q, initial, coerced):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert _aggregate(got["initial_logical_plan"][0]) == f"Aggregate: groupBy=[[]], aggr=[[{initial}]]"
    assert _aggregate(got["logical_plan after type_coercion"][0]) == f"Aggregate: groupBy=[[]], aggr=[[{coerced}]]"
    assert _aggregate(got["logical_plan"][0]) == f"Aggregate: groupBy=[[]], aggr=[[{coerced}]]"
    assert "avg(CAST" not in got["logical_plan"][0].splitlines()[1]  # the projection names avg(m.f)
    (plain,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    assert _aggregate(plain) == f"Aggregate: groupBy=[[]], aggr=[[{coerced}]]"


def test_a_float_mean_has_no_type_coercion_step(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT mean(f64_field), stddev(i64_field) FROM data")
    assert "logical_plan after type_coercion" not in got or got["logical_plan after type_coercion"] == [
        "SAME TEXT AS ABOVE"]
    assert "CAST" not in _aggregate(got["logical_plan"][0])
