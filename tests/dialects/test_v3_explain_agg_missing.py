"""EXPLAIN of an aggregate grouped by a column the table lacks, in the influxdb3 dialect (aggplan3.missing_dimensions).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select_aggregate::single_measurement::group_by_non_existent`` and ``group_by_foo_non_existent``), copied as
they are into v3_snapshots/ from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b:
EXPLAIN VERBOSE's ``initial_logical_plan`` row. The missing column is projected ``NULL AS non_existent``
among the GROUP BY tags (by name), groups nothing and is no Sort key.

Derived, not quoted: DataFusion's rules as for the same aggregate without the missing column (push_down_filter,
optimize_projections; the untyped NULL kept). The physical plan stays this store's.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

PREFIX = "select_aggregate__single_measurement__"


@pytest.mark.parametrize("name", [f"{PREFIX}group_by_non_existent", f"{PREFIX}group_by_foo_non_existent"])
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_the_optimized_plan(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SELECT count(f64_field) FROM data GROUP BY non_existent, foo")
    assert got["logical_plan"] == ["\n".join([
        "Sort: foo ASC NULLS LAST, time ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
        "data.foo AS foo, NULL AS non_existent, count(data.f64_field) AS count",
        "    Aggregate: groupBy=[[data.foo]], aggr=[[count(data.f64_field)]]",
        "      TableScan: data projection=[f64_field, foo], full_filters=[data.f64_field IS NOT NULL]"])]
    assert not got["physical_plan"][0].startswith(("AggregateExec", "SortExec", "ProjectionExec"))


@pytest.mark.parametrize("q", [
    "SELECT count(f64_field) FROM data GROUP BY time(1m), non_existent",
    "SELECT count(f64_field) FROM data GROUP BY non_existent LIMIT 1",
])
def test_other_shapes_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert not rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")
