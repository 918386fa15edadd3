"""EXPLAIN of SELECTs of window functions (derivative, difference, moving_average, ...) in the influxdb3 dialect.

Quoted ground truth: the insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::window_functions``, planner.rs lines 4907-5011 at that commit: ``derivative``, ``non_negative_derivative``,
``difference``, ``non_negative_difference``, ``elapsed``, ``moving_average``, ``cumulative_sum``,
``mixed_aggregate``), copied as they are into v3_snapshots/ from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b. Each prints the planner's plan with schemas; EXPLAIN
VERBOSE's ``initial_logical_plan`` row is the same plan without them. Likewise ``integral`` (test
``select_aggregate::single_measurement::test_integral``, planner.rs lines 5791-5820): a sum over an
``integral_window`` WindowAggr (not its -5, under a value fill: not drawn).

Derived, not quoted: the optimized plan (push_down_filter hands the scan's filters to IOx's table,
optimize_projections narrows the scan and, as its Filter case does for any child that outputs more
columns than needed, puts a Projection between the not-null Filter and the WindowAggr; the next pass
moves the Filter under it and back, and the optimizer stops at a plan it has seen. DataFusion 50.1
printed these steps for a Filter over a WindowAggr of the same frame, once, by hand). The physical
plan of a window over fields over one partition of IOx's scan topped by its FilterExec (the rows not yet
persisted): DataFusion 50.1's print of the same optimized plan over one partition (once, by hand), IOx's
scan as test_v3_explain_select.py tests it; over a Parquet file and several partitions:
test_v3_explain_window_parquet.py. Over aggregates, with
LIMIT / OFFSET, a value fill or tz(): test_v3_explain_window_limits.py and test_v3_explain_window_exec.py.
"""
from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.test_v3_explain_show import NOW, planner_catalog, rows, snapshot  # noqa: F401 - fixture
from tsdb_core.testing import ManualClock

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
    # Context::extended_time_range: 10s before the range's start, in the scan's filter and the GapFill's range;
    # optimize_projections' Projection lists GapFill's columns in its order: the series first (GapFill::try_new)
    q = ("EXPLAIN SELECT moving_average(mean(usage_idle), 3) FROM cpu WHERE time >= '2022-12-31T23:00:07Z' "
         "GROUP BY time(10s), host")
    plan = rows(planner_catalog, q)["logical_plan"][0].splitlines()
    assert plan[:5] == [
        "Sort: host ASC NULLS LAST, time ASC NULLS LAST",
        f"  Projection: {MEASUREMENT}, time, cpu.host AS host, moving_average(avg(cpu.usage_idle),Int64(3)) AS "
        "moving_average",
        "    Filter: moving_average(avg(cpu.usage_idle),Int64(3)) IS NOT NULL",
        "      Projection: cpu.host, time, moving_average(avg(cpu.usage_idle),Int64(3))",
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
    "SELECT derivative(usage_idle) FROM cpu SLIMIT 1",  # v3: not implemented
    "SELECT derivative(mean(usage_idle)) FROM cpu GROUP BY time(10s), host fill(1)",  # a value fill over tags
    "SELECT derivative(usage_idle) FROM cpu WHERE usage_user > 0",  # a field test: not drawn
    "SELECT derivative(usage_idle), usage_user FROM cpu",  # v3: an error
])
def test_shapes_not_drawn_print_this_stores_plan(planner_catalog, q):  # noqa: F811
    (res,) = planner_catalog.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    plans = [s["values"][0][0] for s in res.get("series", [])]
    assert not any("WindowAggr" in p for p in plans)


WINDOW_FRAME = ("frame: WindowFrame { units: Rows, start_bound: Preceding(UInt64(NULL)), end_bound: Following(UInt64(NULL)), "
                "is_causal: false }")


def test_the_physical_plan_of_a_raw_window(planner_catalog):  # noqa: F811
    # derived: DataFusion 50.1's print of a Filter over a Projection over a WindowAggr of this frame, one partition
    # (no Sort on top: the window's output is ordered on time), over IOx's scan of the rows not yet persisted
    plan = rows(planner_catalog, "EXPLAIN SELECT derivative(usage_idle) FROM cpu")["physical_plan"][0]
    assert plan.splitlines() == [
        "ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, derivative(cpu.usage_idle)@1 as derivative]",
        "  CoalesceBatchesExec: target_batch_size=8192",
        "    FilterExec: derivative(cpu.usage_idle)@1 IS NOT NULL",
        "      ProjectionExec: expr=[time@0 as time, derivative(cpu.usage_idle)@2 as derivative(cpu.usage_idle)]",
        "        WindowAggExec: wdw=[derivative(cpu.usage_idle): Ok(Field { name: \"derivative(cpu.usage_idle)\", "
        "data_type: Float64, nullable: true, dict_id: 0, dict_is_ordered: false, metadata: {} }), " + WINDOW_FRAME + "]",
        "          SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        "            CoalesceBatchesExec: target_batch_size=8192",
        "              FilterExec: usage_idle@1 IS NOT NULL",
        "                ProjectionExec: expr=[time@0 as time, usage_idle@1 as usage_idle]",
        "                  DeduplicateExec: [cpu@2 ASC,host@3 ASC,region@4 ASC,time@0 ASC]",
        "                    SortExec: expr=[cpu@2 ASC, host@3 ASC, region@4 ASC, time@0 ASC, __chunk_order@5 ASC], "
        "preserve_partitioning=[false]",
        "                      RecordBatchesExec: chunks=1, projection=[time, usage_idle, cpu, host, region, __chunk_order]"]


def test_the_physical_plan_of_two_windows_by_tag(planner_catalog):  # noqa: F811
    # one WindowAggExec for both (one WindowAggr), sorted on the partition key then time; each window's result
    # type: elapsed Int64, difference its input's; a name holding quotes printed escaped in its Field
    q = "EXPLAIN SELECT elapsed(usage_idle, 1s), difference(usage_user) FROM cpu WHERE time >= 0 GROUP BY host"
    plan = rows(planner_catalog, q)["physical_plan"][0].splitlines()
    unit = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }")'
    elapsed = f"elapsed(cpu.usage_idle,{unit})"
    assert plan[0] == (f"ProjectionExec: expr=[cpu as iox::measurement, time@1 as time, host@0 as host, {elapsed}@2 as "
                       "elapsed, difference(cpu.usage_user)@3 as difference]")
    assert plan[2] == f"    FilterExec: {elapsed}@2 IS NOT NULL OR difference(cpu.usage_user)@3 IS NOT NULL"
    assert plan[3] == (f"      ProjectionExec: expr=[host@0 as host, time@1 as time, {elapsed}@4 as {elapsed}, "
                       "difference(cpu.usage_user)@5 as difference(cpu.usage_user)]")
    escaped = elapsed.replace('"', '\\"')
    assert plan[4] == (f"        WindowAggExec: wdw=[{elapsed}: Ok(Field {{ name: \"{escaped}\", data_type: Int64, "
                       f"nullable: true, dict_id: 0, dict_is_ordered: false, metadata: {{}} }}), {WINDOW_FRAME}, "
                       "difference(cpu.usage_user): Ok(Field { name: \"difference(cpu.usage_user)\", data_type: Float64, "
                       f"nullable: true, dict_id: 0, dict_is_ordered: false, metadata: {{}} }}), {WINDOW_FRAME}]")
    assert plan[5] == "          SortExec: expr=[host@0 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]"
    assert plan[8] == ("                ProjectionExec: expr=[host@0 as host, time@1 as time, usage_idle@2 as usage_idle, "
                       "usage_user@3 as usage_user]")


def test_a_parquet_scan_is_sorted_under_the_window(tmp_path):
    # a persisted file is read without deduplication, its filter in the Parquet scan; [time, usage_idle] keeps
    # none of its order (host, time): the window's SortExec right over it (test_v3_explain_window_parquet.py)
    store = tsdb_core.open(tmp_path, clock=ManualClock(NOW), dialect="influxdb3")
    try:
        assert store.write("db", "cpu,host=a usage_idle=1 1672527600000000000").ok
        store.flush()
        plan = rows(store, "EXPLAIN SELECT derivative(usage_idle) FROM cpu")["physical_plan"][0].splitlines()
        assert plan[5:] == ["          SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]", plan[6]]
        assert plan[6].startswith("            DataSourceExec: file_groups={1 group: [[")
        assert plan[6].endswith("projection=[time, usage_idle], file_type=parquet, predicate=usage_idle@2 IS NOT NULL, "
                                "pruning_predicate=usage_idle_null_count@1 != row_count@0, required_guarantees=[]")
    finally:
        store.close()


INTEGRAL = "select_aggregate__single_measurement__integral"  # planner.rs test_integral (select_aggregate)


@pytest.mark.parametrize("name", [INTEGRAL, f"{INTEGRAL}-2", f"{INTEGRAL}-3", f"{INTEGRAL}-4", f"{INTEGRAL}-5",
                                  f"{INTEGRAL}-6", f"{INTEGRAL}-7"])
def test_integral_is_a_sum_over_a_window(planner_catalog, name):  # noqa: F811
    # integral-5: a value fill, a SeriesLimit over a coalesce_struct projection above the fill(none) plan
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_an_integral_under_a_value_fill_optimized(planner_catalog):  # noqa: F811
    # push_down_filter alone: optimize_projections stops at the SeriesLimit (aggplan3.py), the scan not narrowed
    plan = rows(planner_catalog, "EXPLAIN SELECT integral(f64_field) AS i FROM data WHERE time >= "
                                 "'2022-10-31T02:00:00Z' GROUP BY time(10s) fill(2.5)")["logical_plan"][0].splitlines()
    assert plan[1:4] == [
        '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, time, i',
        "    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[i RESPECT NULLS (default: Float64(2.5))]",
        "      Projection: time, coalesce_struct(sum(integral(data.f64_field)), Float64(2.5)) AS i"]
    assert plan[7] == ("              TableScan: data, full_filters=[data.time >= TimestampNanosecond(1667181600000000000, "
                       "None), data.time <= TimestampNanosecond(1672531200000000000, None), data.f64_field IS NOT NULL]")


@pytest.mark.parametrize("q", [
    "SELECT integral(f64_field) FROM data GROUP BY time(10s), foo fill(0)",  # the tags: not drawn
    "SELECT integral(f64_field), mean(f64_field) FROM data GROUP BY time(10s) fill(0)",  # a GapFill
])
def test_other_integrals_under_a_value_fill_are_not_drawn(planner_catalog, q):  # noqa: F811
    assert "integral_window" not in rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0]


def test_integral_optimized(planner_catalog):  # noqa: F811
    # optimize_projections' Aggregate case: the WindowAggr's output projected to what the Aggregate reads
    out = rows(planner_catalog, "EXPLAIN SELECT integral(f64_field), mean(i64_field) FROM data "
                                "WHERE time >= '2022-10-31T02:00:00Z' GROUP BY time(10s), foo fill(previous)")
    plan = out["logical_plan"][0].splitlines()
    assert "fill=[LOCF(sum(integral(data.f64_field))), LOCF(avg(data.i64_field))]" in plan[2]
    assert plan[4:] == [
        "        Projection: data.foo, data.i64_field, data.time, integral(data.f64_field)",
        "          WindowAggr: windowExpr=[[integral_window(data.f64_field, IntervalMonthDayNano(\"IntervalMonthDayNano { "
        "months: 0, days: 0, nanoseconds: 1000000000 }\"), data.time, DurationNanosecond(\"10000000000\"), "
        "DurationNanosecond(\"0\")) PARTITION BY [data.foo] ORDER BY [data.time ASC NULLS LAST] " + FRAME
        + " AS integral(data.f64_field)]]",
        "            TableScan: data projection=[f64_field, foo, i64_field, time], full_filters=[data.time >= "
        "TimestampNanosecond(1667181600000000000, None), data.time <= TimestampNanosecond(1672531200000000000, None), "
        "data.f64_field IS NOT NULL OR data.i64_field IS NOT NULL]"]
