"""EXPLAIN of aggregate SELECTs (GROUP BY time, fill(...), GROUP BY tag, no GROUP BY) in the influxdb3 dialect.

Quoted ground truth: the insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select_aggregate::single_measurement`` and ``select::functions``), copied as they are into
v3_snapshots/ from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b
(``iox_query_influxql/src/plan/snapshots/iox_query_influxql__plan__planner__tests__<name>.snap``). Each
prints the planner's plan with schemas; EXPLAIN VERBOSE's ``initial_logical_plan`` row is the same
plan without them. The store holds the planner tests' catalog, its clock at the tests' now.

Derived, not quoted: the optimized plan (DataFusion's push_down_filter and optimize_projections, as
DataFusion 50.1 printed them for the same builder calls; below). The ``physical_plan`` row is v3's for
aggregates alone without LIMIT, OFFSET or fill(<value>): without GROUP BY (below), with it (GapFillExec,
the AggregateExec over IOx's scan: aggexec3.py, test_v3_explain_physical_agg.py).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_errors import OPTIMIZERS
from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

AGG = "select_aggregate__single_measurement__"
SNAPSHOTS = [
    # fill(none): no GapFill; a GROUP BY time ends at now() (the tests' 2023-01-01T00:00:00Z)
    f"{AGG}group_by_time", f"{AGG}group_by_time-2",
    # fill(null) / none written: each aggregate as it is, count's gaps are 0 (COALESCE(count(..), 0))
    f"{AGG}group_by_time_gapfill_no_bounds", f"{AGG}group_by_time_gapfill_default_is_fill_null1",
    f"{AGG}group_by_time_gapfill_default_is_fill_null2", f"{AGG}group_by_time_gapfill_no_lower_time_bounds",
    f"{AGG}group_by_time_gapfill_no_upper_time_bounds", f"{AGG}mean-6",
    # fill(previous): LOCF; fill(linear): INTERPOLATE
    f"{AGG}group_by_time_gapfill_default_is_fill_null3", f"{AGG}fill_clause_variations-2",
    f"{AGG}group_by_time_gapfill_default_is_fill_null5",
    # fill(<value>): cast to each aggregate's type (3.14 and 3.2 are count's Int64(3)), a SeriesLimit
    f"{AGG}group_by_time_gapfill_default_is_fill_null4", f"{AGG}fill_clause_variations",
    f"{AGG}fill_clause_variations-3", f"{AGG}fill_clause_variations-4",
    f"{AGG}group_by_time_gapfill_coalesces_the_fill_value", f"{AGG}mean-7",
    # selectors under GROUP BY time: get_field(selector_..(), "value")
    f"{AGG}group_by_time_gapfill_plus_math", "select__functions__selectors_aggregate_gby_time",
    # a selector under fill(<value>): its struct coalesced with the value in each field (number_to_scalar)
    "select__functions__selectors_aggregate_gby_time_gapfill",
    # no GROUP BY: the __aggr_count guard; GROUP BY a tag: the Unix epoch as time, sorted on the tag first
    f"{AGG}no_group_by", f"{AGG}mean", f"{AGG}mean-2", f"{AGG}sum", f"{AGG}sum-2", f"{AGG}stddev-2",
    f"{AGG}mean-5", f"{AGG}group_by_foo",
    # selectors without GROUP BY time: a lone one gives its row's time, several (or with aggregates) the epoch
    "select__functions__selectors_query", "select__functions__selectors_query_grouping",
    "select__functions__selectors_query_other_other_selectors_1", "select__functions__selectors_query_other_other_selectors_2",
    "select__functions__selectors_query_other_other_selectors_3", "select__functions__selectors_aggregate_multi_selectors",
    "select__functions__selectors_and_aggregate",
    # ORDER BY time DESC: the Sort only
    "select__order_by_desc-2", "select__order_by_desc-3",
]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_fill_strategies_side_by_side(planner_catalog):  # noqa: F811
    # the GapFill line of one query under each fill, as the snapshots above draw them
    base = "SELECT count(f64_field) FROM data GROUP BY TIME(10s) FILL({})"
    def gapfill(fill: str) -> str | None:
        plan = rows(planner_catalog, "EXPLAIN " + base.format(fill))["logical_plan"][0]
        lines = [line.strip() for line in plan.splitlines() if line.strip().startswith("GapFill:")]
        return lines[0].split(", fill=")[1].split(", range=")[0] if lines else None
    assert [gapfill(f) for f in ("null", "none", "previous", "linear", "7", "-1.5")] == [
        "[COALESCE(count(data.f64_field), 0)]", None, "[LOCF(count(data.f64_field))]",
        "[INTERPOLATE(count(data.f64_field))]", "[COALESCE(count(data.f64_field), 7)]",
        "[COALESCE(count(data.f64_field), -1)]"]


def test_a_value_fill_keeps_the_aggregates_type(planner_catalog):  # noqa: F811
    # util.rs number_to_scalar: an integer fill is Float64 for mean, a float one Int64 (truncated) for sum(i64)
    plan = rows(planner_catalog, "EXPLAIN SELECT mean(f64_field), sum(i64_field) FROM data "
                                 "WHERE time >= 0 AND time < 60s GROUP BY time(30s) fill(2.5)")["logical_plan"][0]
    assert "coalesce_struct(avg(data.f64_field), Float64(2.5)) AS mean, " \
           "coalesce_struct(sum(data.i64_field), Int64(2)) AS sum" in plan
    assert "limit_expr=[mean RESPECT NULLS (default: Float64(2.5)), sum RESPECT NULLS (default: Int64(2))]" in plan


def test_group_by_time_and_a_tag(planner_catalog):  # noqa: F811
    # the tag is a GapFill series, grouped after time, projected after time, sorted before it
    # (as select__percentile-6 draws GROUP BY time(10s), cpu for percentile(), which is not drawn here)
    plan = rows(planner_catalog, "EXPLAIN VERBOSE SELECT max(usage_idle) FROM cpu WHERE time >= 0 AND time < 60s "
                                 "GROUP BY time(10s), cpu")["initial_logical_plan"][0]
    stride = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 10000000000 }")'
    assert plan == f"""\
Sort: cpu ASC NULLS LAST, time ASC NULLS LAST
  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, time, cpu.cpu AS cpu, \
get_field(selector_max(cpu.usage_idle,cpu.time), Utf8("value")) AS max
    GapFill: series=[cpu.cpu], time=date_bin_wallclock({stride}, time, TimestampNanosecond(0, None)), \
fill=[selector_max(cpu.usage_idle,cpu.time)], range=Included(Literal(TimestampNanosecond(0, None), None))..\
Included(Literal(TimestampNanosecond(59999999999, None), None))
      Aggregate: groupBy=[[date_bin_wallclock({stride}, cpu.time, TimestampNanosecond(0, None)) AS time, cpu.cpu]], \
aggr=[[selector_max(cpu.usage_idle, cpu.time)]]
        Filter: cpu.time >= TimestampNanosecond(0, None) AND cpu.time <= TimestampNanosecond(59999999999, None)
          Filter: cpu.usage_idle IS NOT NULL
            TableScan: cpu"""


@pytest.mark.parametrize("q", [
    "SELECT first(f64_field) FROM data GROUP BY time(10s) tz('Europe/Paris')",  # a selector's time under tz()
    "SELECT count(f64_field) FROM data tz('Europe/Paris')",  # tz() without GROUP BY time
    "SELECT count(f64_field) FROM data GROUP BY foo fill(0)",
    "SELECT last(usage_idle), usage_system FROM cpu GROUP BY host",  # a selector's other fields under GROUP BY tags
    "SELECT mean(f64_field) / count(i64_field) FROM data GROUP BY time(10s)",  # an extracted divisor over GapFill
    "SELECT count(f64_field) * 2, count(f64_field) * 2 FROM data",  # a repeated expression: DataFusion's CSE
    "SELECT mean(str_field) FROM data GROUP BY time(10s)",  # an error in v3
    "SELECT top(f64_field, 2) FROM data LIMIT 3",  # top() with a LIMIT
    "SELECT percentile(f64_field, 50) FROM data LIMIT 1",  # a lone percentile with a LIMIT
])
def test_shapes_not_drawn_print_this_stores_plan(planner_catalog, q):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert not any(p.startswith("Sort:") for p in got.get("initial_logical_plan", []))


def test_the_physical_plan_of_group_by_time_is_v3s_gap_fill(planner_catalog):  # noqa: F811
    # aggexec3.py; its shapes are tested in test_v3_explain_physical_agg.py
    got = rows(planner_catalog, "EXPLAIN SELECT mean(f64_field) FROM data GROUP BY time(1h)")
    assert got["logical_plan"][0].startswith("Sort: time ASC NULLS LAST\n")
    assert [line.strip().split(":")[0] for line in got["physical_plan"][0].splitlines()[:4]] == [
        "SortExec", "ProjectionExec", "GapFillExec", "SortExec"]


# DataFusion 50.1 on the same builder calls over a table taking every filter (datafusion-python 50.1.0, a
# pyarrow dataset; once, by hand): push_down_filter puts the outer filter's conjuncts, then the inner one's, into
# the scan ("full_filters=[data.time >= TimestampNanosecond(100, None), data.time <= TimestampNanosecond(200,
# None), data.foo = Dictionary(Int32, Utf8("a")), data.f64_field IS NOT NULL]"), optimize_projections reads what
# the aggregates and groups need ("projection=[f64_field, foo, time]"; without GROUP BY "projection=[f64_field]");
# no other rule changes the plan.
def test_the_optimizer_puts_the_filters_in_the_scan(planner_catalog):  # noqa: F811
    q, plan = snapshot(f"{AGG}fill_clause_variations-3")
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    changed = [r for r in OPTIMIZERS if verbose[f"logical_plan after {r}"][0] != "SAME TEXT AS ABOVE"]
    # a value fill's SeriesLimit: optimize_projections stops there (DataFusion's optimize_projections/mod.rs, an
    # Extension without necessary_children_exprs: "Requirements from parent cannot be routed down to user defined
    # logical plan safely"), so the scan keeps every column
    assert changed == ["push_down_filter"]
    head, _, _ = plan.partition("\n            Filter:")
    assert verbose["logical_plan"] == [head + "\n            TableScan: data, full_filters=["
                                       "data.time >= TimestampNanosecond(1667181600000000000, None), data.time <= "
                                       "TimestampNanosecond(1667181719999999999, None), data.f64_field IS NOT NULL]"]
    got = rows(planner_catalog, "EXPLAIN " + q.replace("FILL(-1)", "FILL(null)"))["logical_plan"][0]
    assert got.splitlines()[-1] == (
        "        TableScan: data projection=[f64_field, time], full_filters=[data.time >= "
        "TimestampNanosecond(1667181600000000000, None), data.time <= TimestampNanosecond(1667181719999999999, None), "
        "data.f64_field IS NOT NULL]")


def test_without_group_by_time_is_not_read(planner_catalog):  # noqa: F811
    q, plan = snapshot(f"{AGG}mean")
    got = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0]
    assert got == plan.replace("        Filter: data.f64_field IS NOT NULL\n          TableScan: data",
                               "        TableScan: data projection=[f64_field], full_filters=[data.f64_field IS NOT NULL]")


def test_a_tag_comparison_and_group(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SELECT count(f64_field) FROM data WHERE foo = 'a' AND time >= 0 AND "
                                "time < 60s GROUP BY time(10s), bar fill(none)")["logical_plan"][0]
    assert got.splitlines()[-1] == (
        "      TableScan: data projection=[bar, f64_field, time], full_filters=[data.time >= TimestampNanosecond(0, "
        "None), data.time <= TimestampNanosecond(59999999999, None), foo = Dictionary(Int32, Utf8(\"a\")), "
        "data.f64_field IS NOT NULL]")


# Without GROUP BY, DataFusion 50.1's physical plan for the same builder calls (once, by hand):
# "ProjectionExec: expr=[data as iox::measurement, 0 as time, avg(data.f64_field)@0 as mean]" / "CoalesceBatchesExec:
# target_batch_size=8192" / "FilterExec: __aggr_count@1 > 0" / "AggregateExec: mode=Single, gby=[],
# aggr=[avg(data.f64_field), __aggr_count]" over the scan (here IOx's, scanplan3.py: rows not yet persisted).
def test_an_aggregate_without_group_by_has_v3s_physical_plan(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SELECT mean(f64_field), count(f64_field) FROM data WHERE time >= 5")
    assert got["physical_plan"] == ["""\
ProjectionExec: expr=[data as iox::measurement, 5 as time, avg(data.f64_field)@0 as mean, count(data.f64_field)@1 as count]
  CoalesceBatchesExec: target_batch_size=8192
    FilterExec: __aggr_count@2 > 0
      AggregateExec: mode=Single, gby=[], aggr=[avg(data.f64_field), count(data.f64_field), __aggr_count]
        CoalesceBatchesExec: target_batch_size=8192
          FilterExec: f64_field@0 IS NOT NULL
            ProjectionExec: expr=[f64_field@0 as f64_field]
              DeduplicateExec: [bar@1 ASC,foo@2 ASC,time@3 ASC]
                SortExec: expr=[bar@1 ASC, foo@2 ASC, time@3 ASC, __chunk_order@4 ASC], preserve_partitioning=[false]
                  CoalesceBatchesExec: target_batch_size=8192
                    FilterExec: time@3 >= 5
                      RecordBatchesExec: chunks=1, projection=[f64_field, bar, foo, time, __chunk_order]
"""]
