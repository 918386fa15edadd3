"""EXPLAIN of means over several tables, a field missing from some, in the influxdb3 dialect (aggunion3.py).

Quoted ground truth: the insta snapshot of ``iox_query_influxql/src/plan/planner.rs`` test
``select::multiple_measurements_schema_differences`` (-2), copied as it is into v3_snapshots/ from
influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's
``initial_logical_plan`` row. Each table's plan under one Union, the mean a table lacks
``CAST(NULL AS Float64)`` in its place.

Derived, not quoted: simplify_expressions folds the cast NULL (``Float64(NULL)``, as the raw union of
unioncast3.py), the branches' other rules as for the lone tables. The physical plan stays this store's.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture


def test_the_initial_plan_is_v3s_planner_plan(planner_catalog):  # noqa: F811 - the fixture
    q, plan = snapshot("select__multiple_measurements_schema_differences-2")
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_the_cast_null_is_folded(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT MEAN(usage_idle) AS u, MEAN(bytes_free) FROM cpu, disk")
    folded = got["logical_plan after simplify_expressions"][0].splitlines()
    assert folded[2] == ('    Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, TimestampNanosecond(0, None) '
                         "AS time, avg(cpu.usage_idle) AS u, Float64(NULL) AS mean")
    assert folded[7] == ('    Projection: Dictionary(Int32, Utf8("disk")) AS iox::measurement, TimestampNanosecond(0, None) '
                         "AS time, Float64(NULL) AS u, avg(disk.bytes_free) AS mean")
    assert got["logical_plan"][0].splitlines()[-1] == (
        "          TableScan: disk projection=[bytes_free], full_filters=[disk.bytes_free IS NOT NULL]")


@pytest.mark.parametrize("q", [
    "SELECT COUNT(usage_idle), COUNT(bytes_free) FROM cpu, disk",  # count: an Int64 NULL, not followed
    "SELECT MEAN(usage_idle), MEAN(bytes_free) FROM cpu, disk GROUP BY host",  # GROUP BY tags
    "SELECT MEAN(usage_idle), MEAN(bytes_free) FROM cpu, disk GROUP BY TIME(10s) FILL(0)",
])
def test_other_shapes_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert "Union" not in rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0]
