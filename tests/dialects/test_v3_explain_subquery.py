"""EXPLAIN of a raw SELECT over one subquery of one measurement in the influxdb3 dialect (subquery3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::subqueries::{raw, aggregates, distinct, order_by}`` and ``select::complex_subqueries``), copied as
they are into v3_snapshots/ from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b:
EXPLAIN VERBOSE's ``initial_logical_plan`` row. The subquery is the lone table's plan without the
measurement's column (an aggregate's fill(null) made fill(none) under GROUP BY time(): no GapFill), the outer
fields unqualified over it::

    Sort: time AS time ASC NULLS LAST
      Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, time AS time, value AS value
        Sort: time ASC NULLS LAST
          Projection: cpu.time AS time, cpu.usage_idle AS value

Derived, not quoted: DataFusion 50.1 (datafusion-python 50.1.0 over MemTables; once, by hand, no
dependency) printed the same plans for the same builder calls, then its rules changing the subquery alone
(replace_distinct_aggregate, optimize_projections narrowing the scan); IOx's table takes the filters into
the scan (provider.rs: Exact), as for one table (test_v3_explain_raw_group.py).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

SNAPSHOTS = [
    "select__subqueries__raw", "select__subqueries__raw-2",
    "select__subqueries__aggregates", "select__subqueries__aggregates-2",  # GROUP BY time(): fill(none)
    "select__subqueries__distinct", "select__subqueries__distinct-2",
    "select__subqueries__order_by", "select__subqueries__order_by-2",
    "select__complex_subqueries-3",  # fill(0): a SeriesLimit under project_with_measurement's projection
]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


OUTER = 'Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, time AS time, value * Float64(0.99) AS value'
DISTINCT = "SELECT value * 0.99 FROM (SELECT DISTINCT(usage_idle) AS value FROM cpu)"
STEPS = [  # (rule, the plan after it): DataFusion 50.1's, the scan IOx's (the filter in it)
    ("logical_plan after replace_distinct_aggregate",
     ["Sort: time AS time ASC NULLS LAST", f"  {OUTER}", "    Sort: time ASC NULLS LAST",
      "      Aggregate: groupBy=[[time, value]], aggr=[[]]",
      "        Projection: TimestampNanosecond(0, None) AS time, cpu.usage_idle AS value",
      "          Filter: cpu.usage_idle IS NOT NULL", "            TableScan: cpu"]),
    ("logical_plan",
     ["Sort: time AS time ASC NULLS LAST", f"  {OUTER}", "    Sort: time ASC NULLS LAST",
      "      Aggregate: groupBy=[[time, value]], aggr=[[]]",
      "        Projection: TimestampNanosecond(0, None) AS time, cpu.usage_idle AS value",
      "          TableScan: cpu projection=[usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"]),
]


@pytest.mark.parametrize("rule, plan", STEPS, ids=[s[0] for s in STEPS])
def test_datafusions_rules_change_the_subquery(planner_catalog, rule, plan):  # noqa: F811
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {DISTINCT}")[rule][0] == "\n".join(plan)


def test_an_order_by_desc_outside_and_its_scan(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SELECT value FROM (SELECT usage_idle AS value FROM cpu) ORDER BY time DESC")
    assert got["logical_plan"] == ["\n".join([
        "Sort: time AS time DESC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, time AS time, value AS value',
        "    Sort: time ASC NULLS LAST", "      Projection: cpu.time AS time, cpu.usage_idle AS value",
        "        TableScan: cpu projection=[time, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"])]


def test_a_lone_tables_order_by_desc(planner_catalog):  # noqa: F811
    """rawexpr3.py draws ORDER BY time DESC too (without tags: their order not followed): the Sort's
    time key descends, as in a subquery (order_by) or in selectplan3.py's plain columns."""
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT f64_field::integer FROM all_types ORDER BY time DESC")
    assert got["initial_logical_plan"] == ["\n".join([
        "Sort: time DESC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("all_types")) AS iox::measurement, all_types.time AS time, '
        "CAST(all_types.f64_field AS Int64) AS f64_field",
        "    Filter: all_types.f64_field IS NOT NULL", "      TableScan: all_types"])]
    assert not rows(planner_catalog, "EXPLAIN SELECT tag0, f64_field::integer FROM all_types ORDER BY time DESC")[
        "logical_plan"][0].startswith("Sort:")


@pytest.mark.parametrize("q", [
    "SELECT value FROM (SELECT usage_idle AS value, usage_system FROM cpu)",  # a column not read: pruned, not drawn
    "SELECT value FROM (SELECT usage_idle AS value FROM cpu) WHERE time >= 0",  # a WHERE outside
    "SELECT cpu, value FROM (SELECT cpu, usage_idle AS value FROM cpu)",  # a tag
    "SELECT mean(value) FROM (SELECT usage_idle AS value FROM cpu)",  # an aggregate outside
])
def test_other_shapes_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert not rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")
