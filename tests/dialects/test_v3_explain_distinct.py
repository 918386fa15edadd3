"""EXPLAIN of SELECT DISTINCT in the influxdb3 dialect (distinct3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (test ``select::distinct``),
copied as they are into v3_snapshots/ from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's ``initial_logical_plan`` row.

Derived, not quoted: DataFusion's steps (replace_distinct_aggregate: ``Aggregate: groupBy=[[time, distinct]],
aggr=[[]]`` in place of ``Distinct:``, as DataFusion 50.1 printed for the same builder calls, once, by hand;
push_down_filter and optimize_projections as for a raw SELECT). What stays ours: the physical plan.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture


@pytest.mark.parametrize("name", ["select__distinct", "select__distinct-2", "select__distinct-3",
                                  "select__distinct-5", "select__distinct-6"])
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_the_distinct_becomes_an_aggregate_over_a_narrowed_scan(planner_catalog):  # noqa: F811 - the fixture
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT DISTINCT usage_idle FROM cpu GROUP BY cpu")
    assert got["logical_plan after replace_distinct_aggregate"][0].split("\n")[2] == (
        "    Aggregate: groupBy=[[time, cpu, distinct]], aggr=[[]]")
    assert got["logical_plan"][0].split("\n")[2:] == [
        "    Aggregate: groupBy=[[time, cpu, distinct]], aggr=[[]]",
        "      Projection: TimestampNanosecond(0, None) AS time, cpu.cpu AS cpu, cpu.usage_idle AS distinct",
        "        TableScan: cpu projection=[cpu, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"]


def test_group_by_time_reads_time_up_to_now(planner_catalog):  # noqa: F811 - the fixture
    got = rows(planner_catalog, "EXPLAIN SELECT DISTINCT(usage_idle) AS v FROM cpu GROUP BY time(1s)")
    assert got["logical_plan"][0].split("\n")[-1] == (
        "        TableScan: cpu projection=[time, usage_idle], full_filters=[cpu.time <= "
        "TimestampNanosecond(1672531200000000000, None), cpu.usage_idle IS NOT NULL]")
    assert "cpu.usage_idle AS v" in got["logical_plan"][0]


@pytest.mark.parametrize("q", ["SELECT DISTINCT usage_idle FROM cpu WHERE time >= 0",
                               "SELECT DISTINCT usage_idle FROM cpu LIMIT 1"])
def test_other_shapes_keep_this_stores_plan(planner_catalog, q):  # noqa: F811 - the fixture
    got = rows(planner_catalog, f"EXPLAIN {q}")
    assert got["logical_plan"] == got["physical_plan"]
