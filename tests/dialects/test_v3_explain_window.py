"""EXPLAIN of SELECTs of window functions (derivative, difference, moving_average, ...) in the influxdb3 dialect.

Quoted ground truth: the insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::window_functions``, planner.rs lines 4907-5011 at that commit: ``derivative``, ``non_negative_derivative``,
``difference``, ``non_negative_difference``, ``elapsed``, ``moving_average``, ``cumulative_sum``,
``mixed_aggregate``), copied as they are into v3_snapshots/ from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b. Each prints the planner's plan with schemas; EXPLAIN
VERBOSE's ``initial_logical_plan`` row is the same plan without them.

Derived, not quoted: the optimized plan (push_down_filter hands the scan's filters to IOx's table,
optimize_projections narrows the scan and, as its Filter case does for any child that outputs more
columns than needed, puts a Projection between the not-null Filter and the WindowAggr; the next pass
moves the Filter under it and back, and the optimizer stops at a plan it has seen. DataFusion 50.1
printed these steps for a Filter over a WindowAggr of the same frame, once, by hand).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

WIN = "select__window_functions__"
SNAPSHOTS = [  # planner.rs, mod select, mod window_functions
    f"{WIN}derivative", f"{WIN}derivative-2", f"{WIN}non_negative_derivative", f"{WIN}non_negative_derivative-2",
    f"{WIN}non_negative_derivative-3", f"{WIN}difference", f"{WIN}difference-2", f"{WIN}non_negative_difference",
    f"{WIN}non_negative_difference-2", f"{WIN}non_negative_difference-3", f"{WIN}elapsed", f"{WIN}elapsed_with_unit",
    f"{WIN}moving_average", f"{WIN}moving_average-2", f"{WIN}cumulative_sum", f"{WIN}cumulative_sum-2",
    f"{WIN}mixed_aggregate", f"{WIN}mixed_aggregate-2",
]
BIN10 = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 10000000000 }")'
SECOND = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }")'
FRAME = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
MEASUREMENT = 'Dictionary(Int32, Utf8("cpu")) AS iox::measurement'


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_a_non_integer_moving_average_window_is_v3s_error(planner_catalog):  # noqa: F811
    # moving_average-3.snap: the planner's error, as the snapshot prints it
    q, text = snapshot(f"{WIN}moving_average-3")
    (res,) = planner_catalog.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    assert res["error"] == f"datafusion error: {text}"


def test_a_raw_window_optimized(planner_catalog):  # noqa: F811
    plan = rows(planner_catalog, "EXPLAIN SELECT derivative(usage_idle) FROM cpu")["logical_plan"][0]
    assert plan.splitlines() == [
        "Sort: time ASC NULLS LAST",
        f"  Projection: {MEASUREMENT}, cpu.time AS time, derivative(cpu.usage_idle) AS derivative",
        "    Filter: derivative(cpu.usage_idle) IS NOT NULL",
        "      Projection: cpu.time, derivative(cpu.usage_idle)",
        f"        WindowAggr: windowExpr=[[derivative(cpu.usage_idle, {SECOND}, cpu.time) ORDER BY "
        f"[cpu.time ASC NULLS LAST] {FRAME} AS derivative(cpu.usage_idle)]]",
        "          TableScan: cpu projection=[time, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"]


def test_group_by_tags_partition_the_window(planner_catalog):  # noqa: F811
    q = "EXPLAIN VERBOSE SELECT cumulative_sum(usage_idle) FROM cpu WHERE time >= 0 AND region = 'r' GROUP BY host"
    out = rows(planner_catalog, q)
    assert out["initial_logical_plan"][0].splitlines() == [
        "Sort: host ASC NULLS LAST, time ASC NULLS LAST",
        f"  Projection: {MEASUREMENT}, cpu.time AS time, cpu.host AS host, cumulative_sum(cpu.usage_idle) AS cumulative_sum",
        "    Filter: cumulative_sum(cpu.usage_idle) IS NOT NULL",
        f"      WindowAggr: windowExpr=[[cumumlative_sum(cpu.usage_idle) PARTITION BY [cpu.host] ORDER BY "
        f"[cpu.time ASC NULLS LAST] {FRAME} AS cumulative_sum(cpu.usage_idle)]]",
        "        Filter: cpu.time >= TimestampNanosecond(0, None) AND region = Dictionary(Int32, Utf8(\"r\"))",
        "          Filter: cpu.usage_idle IS NOT NULL",
        "            TableScan: cpu"]
    assert out["logical_plan"][0].splitlines()[3:] == [
        "      Projection: cpu.host, cpu.time, cumulative_sum(cpu.usage_idle)",
        f"        WindowAggr: windowExpr=[[cumumlative_sum(cpu.usage_idle) PARTITION BY [cpu.host] ORDER BY "
        f"[cpu.time ASC NULLS LAST] {FRAME} AS cumulative_sum(cpu.usage_idle)]]",
        "          TableScan: cpu projection=[host, time, usage_idle], full_filters=[cpu.time >= TimestampNanosecond(0, "
        "None), region = Dictionary(Int32, Utf8(\"r\")), cpu.usage_idle IS NOT NULL]"]
    # the rules that change it: push_down_filter, then optimize_projections, in two passes (the second one's
    # push_down_filter moves the Filter under the new Projection, optimize_projections puts it back: a plan seen)
    changed = [k for k, v in out.items() if k.startswith("logical_plan after") and set(v) != {"SAME TEXT AS ABOVE"}]
    assert changed == ["logical_plan after push_down_filter", "logical_plan after optimize_projections"]
    pushed, swapped = out["logical_plan after push_down_filter"]
    assert out["logical_plan after optimize_projections"] == out["logical_plan"] * 2
    assert pushed.splitlines()[4] == ("        TableScan: cpu, full_filters=[cpu.time >= TimestampNanosecond(0, None), "
                                      "region = Dictionary(Int32, Utf8(\"r\")), cpu.usage_idle IS NOT NULL]")
    assert swapped.splitlines()[2:4] == ["    Projection: cpu.host, cpu.time, cumulative_sum(cpu.usage_idle)",
                                         "      Filter: cumulative_sum(cpu.usage_idle) IS NOT NULL"]
    assert len(out["logical_plan after simplify_expressions"]) == 2  # two passes, no third


def test_a_window_of_an_aggregate_reads_one_interval_more(planner_catalog):  # noqa: F811
    # Context::extended_time_range: 10s before the range's start, in the scan's filter and the GapFill's range
    q = ("EXPLAIN SELECT moving_average(mean(usage_idle), 3) FROM cpu WHERE time >= '2022-12-31T23:00:07Z' "
         "GROUP BY time(10s), host")
    plan = rows(planner_catalog, q)["logical_plan"][0].splitlines()
    assert plan[:5] == [
        "Sort: host ASC NULLS LAST, time ASC NULLS LAST",
        f"  Projection: {MEASUREMENT}, time, cpu.host AS host, moving_average(avg(cpu.usage_idle),Int64(3)) AS "
        "moving_average",
        "    Filter: moving_average(avg(cpu.usage_idle),Int64(3)) IS NOT NULL",
        "      Projection: time, cpu.host, moving_average(avg(cpu.usage_idle),Int64(3))",
        "        WindowAggr: windowExpr=[[moving_average(avg(cpu.usage_idle), Int64(3)) PARTITION BY [cpu.host] "
        f"ORDER BY [time ASC NULLS LAST] {FRAME} AS moving_average(avg(cpu.usage_idle),Int64(3))]]"]
    assert "range=Included(Literal(TimestampNanosecond(1672527597000000000, None), None))" in plan[5]
    assert plan[-1] == ("              TableScan: cpu projection=[host, time, usage_idle], full_filters=[cpu.time >= "
                        "TimestampNanosecond(1672527597000000000, None), cpu.time <= TimestampNanosecond("
                        "1672531200000000000, None), cpu.usage_idle IS NOT NULL]")


def test_a_mixed_projection_keeps_the_requested_range(planner_catalog):  # noqa: F811
    # filter_requested_time_range: each end moved to its interval (23:00:07 -> 23:00:00; now -> its bin's last ns)
    q = ("EXPLAIN SELECT difference(max(usage_idle)), min(usage_user) FROM cpu WHERE time >= '2022-12-31T23:00:07Z' "
         "GROUP BY time(10s) fill(none)")
    plan = rows(planner_catalog, q)["logical_plan"][0].splitlines()
    assert plan[2:6] == [
        "    Filter: time >= TimestampNanosecond(1672527600000000000, None) AND time <= "
        "TimestampNanosecond(1672531209999999999, None)",
        "      Projection: time, selector_min(cpu.usage_user,cpu.time), difference(selector_max(cpu.usage_idle,cpu.time)[value])",
        "        WindowAggr: windowExpr=[[difference(get_field(selector_max(cpu.usage_idle,cpu.time), Utf8(\"value\"))) "
        f"ORDER BY [time ASC NULLS LAST] {FRAME} AS difference(selector_max(cpu.usage_idle,cpu.time)[value])]]",
        "          Aggregate: groupBy=[[date_bin_wallclock(" + BIN10 + ", cpu.time, TimestampNanosecond(0, None)) AS "
        "time]], aggr=[[selector_max(cpu.usage_idle, cpu.time), selector_min(cpu.usage_user, cpu.time)]]"]
    assert plan[1].endswith('difference(selector_max(cpu.usage_idle,cpu.time)[value]) AS difference, '
                            'get_field(selector_min(cpu.usage_user,cpu.time), Utf8("value")) AS min')


@pytest.mark.parametrize("unit,expected", [
    ("", "nanoseconds: 1 }"),  # elapsed_unit: 1ns
    (", 1m", "nanoseconds: 60000000000 }"),
])
def test_elapsed_units(planner_catalog, unit, expected):  # noqa: F811
    plan = rows(planner_catalog, f"EXPLAIN SELECT elapsed(usage_user{unit}) FROM cpu")["logical_plan"][0]
    assert f'elapsed(cpu.usage_user, IntervalMonthDayNano("IntervalMonthDayNano {{ months: 0, days: 0, {expected}"), ' \
           "cpu.time) ORDER BY" in plan


def test_a_derivative_of_an_aggregate_takes_the_interval_as_unit(planner_catalog):  # noqa: F811
    plan = rows(planner_catalog, "EXPLAIN SELECT derivative(mean(usage_idle)), derivative(mean(usage_idle), 1s) AS d "
                                 "FROM cpu GROUP BY time(10s)")["logical_plan"][0]
    assert f"derivative(avg(cpu.usage_idle), {BIN10}, time) ORDER BY" in plan
    assert f"derivative(avg(cpu.usage_idle), {SECOND}, time) ORDER BY" in plan
    assert f"derivative(avg(cpu.usage_idle)) AS derivative, derivative(avg(cpu.usage_idle),{SECOND}) AS d" in plan


@pytest.mark.parametrize("q", [
    "SELECT derivative(usage_idle) FROM cpu LIMIT 1",  # a SeriesLimit: not drawn
    "SELECT derivative(mean(usage_idle)) FROM cpu GROUP BY time(10s) fill(1)",  # a value fill: not drawn
    "SELECT derivative(usage_idle) FROM cpu ORDER BY time DESC",
    "SELECT derivative(usage_idle) FROM cpu tz('Europe/Paris')",
    "SELECT derivative(usage_idle), usage_user FROM cpu",  # v3: an error
])
def test_shapes_not_drawn_print_this_stores_plan(planner_catalog, q):  # noqa: F811
    (res,) = planner_catalog.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    plans = [s["values"][0][0] for s in res.get("series", [])]
    assert not any("WindowAggr" in p for p in plans)
