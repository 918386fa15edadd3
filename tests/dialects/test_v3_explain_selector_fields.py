"""EXPLAIN of a lone selector with other fields beside it, in the influxdb3 dialect (selfields3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::functions::selectors_additional_fields``, ``_2`` and ``_4``), copied as they are into v3_snapshots/
from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's
``initial_logical_plan`` row. The selector reads the other fields (``selector_last(cpu.usage_idle, cpu.time,
cpu.usage_system)``), each one its struct's ``other_<n>``; a selected tag sorts after time.

Derived, not quoted: the optimized plan is the lone selector's with the same rewrite (the scan reading the other
columns too, the filter's disjunction pushed into it). The physical plan stays this store's.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

PREFIX = "select__functions__selectors_additional_fields"


@pytest.mark.parametrize("name", [PREFIX, f"{PREFIX}_2", f"{PREFIX}_4"])
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


SEL = "selector_last(cpu.usage_idle,cpu.time,cpu.usage_system,cpu.host)"


@pytest.mark.parametrize("q,plan", [
    ("SELECT LAST(usage_idle), usage_system, host FROM cpu", [
        "Sort: time ASC NULLS LAST, host ASC NULLS LAST",
        f'  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, get_field({SEL}, Utf8("time")) AS time, '
        f'get_field({SEL}, Utf8("value")) AS last, get_field({SEL}, Utf8("other_1")) AS usage_system, '
        f'get_field({SEL}, Utf8("other_2")) AS host',
        "    Filter: __aggr_count > Int64(0)",
        "      Aggregate: groupBy=[[]], aggr=[[selector_last(cpu.usage_idle, cpu.time, cpu.usage_system, cpu.host), "
        "count(Int64(1)) AS __aggr_count]]",
        "        TableScan: cpu projection=[host, time, usage_idle, usage_system], "
        "full_filters=[cpu.usage_idle IS NOT NULL OR cpu.usage_system IS NOT NULL]"]),
])
def test_the_optimized_plan(planner_catalog, q, plan):  # noqa: F811
    assert rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"] == ["\n".join(plan)]


@pytest.mark.parametrize("q", [
    "SELECT LAST(usage_idle), usage_system FROM cpu GROUP BY TIME(5s) FILL(0)",  # the struct's default
    "SELECT LAST(usage_idle), usage_system FROM cpu GROUP BY host",
    "SELECT LAST(usage_idle), usage_system FROM cpu tz('Europe/London')",
    "SELECT LAST(usage_idle), usage_system * 2 FROM cpu",
])
def test_other_shapes_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert not rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")
