"""EXPLAIN of a lone selector with other fields beside it, in the influxdb3 dialect (selfields3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::functions::selectors_additional_fields``, ``_2``, ``_3`` and ``_4``), copied as they are into v3_snapshots/
from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's
``initial_logical_plan`` row. The selector reads the other fields (``selector_last(cpu.usage_idle, cpu.time,
cpu.usage_system)``), each one its struct's ``other_<n>``; a selected tag sorts after time; under fill(<value>)
each struct field is the value cast to its type (util.rs number_to_scalar: ``other_1:0.0``).

Derived, not quoted: the optimized plan is the lone selector's with the same rewrite (the scan reading the other
columns too, the filter's disjunction pushed into it). The physical plan stays this store's.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

PREFIX = "select__functions__selectors_additional_fields"


@pytest.mark.parametrize("name", [PREFIX, f"{PREFIX}_2", f"{PREFIX}_3", f"{PREFIX}_4"])
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
    "SELECT LAST(usage_idle), usage_system FROM cpu GROUP BY TIME(5s), host FILL(0)",  # GROUP BY tags
    "SELECT LAST(usage_idle), usage_system FROM cpu GROUP BY host",
    "SELECT LAST(usage_idle), usage_system FROM cpu tz('Europe/London')",
    "SELECT LAST(usage_idle), usage_system * 2 FROM cpu",
])
def test_other_shapes_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert not rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")


def test_a_value_fill_casts_the_value_to_each_field(planner_catalog):  # noqa: F811
    plan = rows(planner_catalog, "EXPLAIN SELECT LAST(i64_field), f64_field FROM data GROUP BY TIME(5s) FILL(3)")
    lines = plan["logical_plan"][0].splitlines()
    struct = "Struct({value:3,time:1970-01-01T00:00:00.000000003,other_1:3.0})"
    assert lines[2] == ("    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[last RESPECT NULLS "
                        "(default: Int64(3)), f64_field RESPECT NULLS (default: Float64(3))]")
    assert lines[3] == (f"      Projection: time, get_field(coalesce_struct({SEL_DATA}, {struct}), Utf8(\"value\")) AS last, "
                        f"get_field(coalesce_struct({SEL_DATA}, {struct}), Utf8(\"other_1\")) AS f64_field")


SEL_DATA = "selector_last(data.i64_field,data.time,data.f64_field)"
