"""EXPLAIN of raw SELECTs with GROUP BY tags, LIMIT, OFFSET and tz() in the influxdb3 dialect (selectplan3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select_raw::select_single_measurement_group_by`` and ``select_raw::select_group_by_limit_offset``),
copied as they are into v3_snapshots/ from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's ``initial_logical_plan`` row.

A GROUP BY tag not selected is projected after time ("SELECT region, usage_idle FROM cpu GROUP BY cpu":
``cpu.time AS time, cpu.cpu AS cpu, cpu.region AS region, ...``); the Sort puts the GROUP BY tags first and
the other selected tags after time. planner.rs ``limit`` keeps a raw field's nulls out of the count
("null_treatment: if f.is_influxql_filled() { NullTreatment::RespectNulls } else {
NullTreatment::IgnoreNulls }") and its default is a null of its type (``f.data_type().try_into()``).

Derived, not quoted: the optimized plan (push_down_filter puts the filters in the scan; optimize_projections
narrows it, except under a SeriesLimit; under tz() see below). What stays ours: the physical plan with a GROUP BY,
LIMIT, OFFSET or tz().
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

RAW = "select_raw__select_"
SNAPSHOTS = [
    f"{RAW}single_measurement_group_by", f"{RAW}single_measurement_group_by-2", f"{RAW}single_measurement_group_by-3",
    f"{RAW}single_measurement_group_by-4", f"{RAW}single_measurement_group_by-5",
    f"{RAW}group_by_limit_offset", f"{RAW}group_by_limit_offset-2", f"{RAW}group_by_limit_offset-3",
    # tz(): tzplan3.py (the time column projected through tz(), the time range in the zone)
    "select__timezone_clause", "select__timezone_clause-2", "select__timezone_clause-3", "select__timezone_clause-4",
]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


# DataFusion's optimize_projections stops at v3's SeriesLimit, which routes no column requirement to its input
# (optimize_projections/mod.rs: "Requirements from parent cannot be routed down to user defined logical plan
# safely"; iox_query series_limit/logical.rs has no necessary_children_exprs): under a LIMIT the scan reads every
# column; push_down_filter still reaches the scan.
OPTIMIZED = [  # query -> the optimized plan's last lines (the scan reads the group's tags too)
    ("SELECT usage_idle FROM cpu GROUP BY cpu",
     ["    TableScan: cpu projection=[cpu, time, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"]),
    ("SELECT usage_idle FROM cpu GROUP BY cpu LIMIT 1 OFFSET 1",
     ["    SeriesLimit: series=[cpu], order=[time ASC NULLS LAST], limit_expr=[usage_idle IGNORE NULLS (default: "
      "Float64(NULL))], skip=UInt64(1), fetch=UInt64(1)",
      "      Projection: cpu.time AS time, cpu.cpu AS cpu, cpu.usage_idle AS usage_idle",
      "        TableScan: cpu, full_filters=[cpu.usage_idle IS NOT NULL]"]),
    ("SELECT i64_field, str_field, bar FROM data WHERE time >= 0 LIMIT 2",
     ["    SeriesLimit: series=[], order=[time ASC NULLS LAST, bar ASC NULLS LAST], limit_expr=[i64_field IGNORE "
      "NULLS (default: Int64(NULL)), str_field IGNORE NULLS (default: Utf8(NULL))], fetch=UInt64(2)",
      "      Projection: data.time AS time, data.i64_field AS i64_field, data.str_field AS str_field, data.bar AS bar",
      "        TableScan: data, full_filters=[data.time >= "
      "TimestampNanosecond(0, None), data.i64_field IS NOT NULL OR data.str_field IS NOT NULL]"]),
]


@pytest.mark.parametrize("q, tail", OPTIMIZED, ids=[o[0] for o in OPTIMIZED])
def test_the_optimized_plan(planner_catalog, q, tail):  # noqa: F811
    plan = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0]
    assert plan.splitlines()[-len(tail):] == tail


def test_the_physical_plan_with_a_group_stays_this_stores(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SELECT usage_idle FROM cpu GROUP BY cpu")
    assert got["logical_plan"][0].startswith("Sort: cpu ASC NULLS LAST, time ASC NULLS LAST\n")
    assert not got["physical_plan"][0].startswith(("SortExec", "SortPreservingMergeExec", "ProjectionExec"))


# DataFusion 50.1 on the same builder calls with a stand-in tz() over a MemTable (datafusion-python 50.1.0;
# once, by hand): push_down_filter carries "time >= .." through the projection as "tz(data.time, ..) >= .."
# and merges it with the not-null filter; IOx's table takes them all (provider.rs supports_filters_pushdown:
# "Exact"); optimize_projections merges the raw SELECT's projections (the Sort keeps "time AS time") and keeps
# the tz projection under an Aggregate, narrowed to what it reads
LA = 'tz(data.time, Utf8("America/Los_Angeles"))'
TZ_OPTIMIZED = [
    ("SELECT f64_field FROM data WHERE time >= '2022-10-31T02:00:00Z' AND time < '2022-10-31T02:02:00Z' "
     "TZ('America/Los_Angeles')",
     ["Sort: time AS time ASC NULLS LAST",
      f'  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, {LA} AS time, data.f64_field AS f64_field',
      f'    TableScan: data projection=[f64_field, time], full_filters=[{LA} >= TimestampNanosecond('
      f'1667181600000000000, Some("America/Los_Angeles")), {LA} <= TimestampNanosecond(1667181719999999999, '
      'Some("America/Los_Angeles")), data.f64_field IS NOT NULL]']),
    ("SELECT mean(f64_field) FROM data GROUP BY time(10s) fill(none) TZ('America/Los_Angeles')",
     ["Sort: time ASC NULLS LAST",
      '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, time, avg(data.f64_field) AS mean',
      '    Aggregate: groupBy=[[date_bin_wallclock(IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, '
      'nanoseconds: 10000000000 }"), time, TimestampNanosecond(0, None)) AS time]], aggr=[[avg(data.f64_field)]]',
      f"      Projection: data.f64_field, {LA} AS time",
      f'        TableScan: data projection=[f64_field, time], full_filters=[{LA} <= TimestampNanosecond('
      '1672531200000000000, Some("America/Los_Angeles")), data.f64_field IS NOT NULL]']),
]


@pytest.mark.parametrize("q, plan", TZ_OPTIMIZED, ids=[t[0] for t in TZ_OPTIMIZED])
def test_tz_through_datafusions_rules(planner_catalog, q, plan):  # noqa: F811
    assert rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"] == ["\n".join(plan)]


UTC = 'tz(data.time, Utf8("UTC"))'
TAG = 'foo = Dictionary(Int32, Utf8("a"))'


@pytest.mark.parametrize("q, scan", [
    # the filter over the tz projection goes first into the scan, the not-null one under it after (DataFusion 50.1
    # printed that order for the same builder calls); the unqualified tag stays unqualified: push_down_filter
    # rewrites a column by the projection's output names, ``time`` (tz()'s alias) but not ``foo`` (``data.foo``)
    ("SELECT f64_field FROM data WHERE foo = 'a' TZ('UTC')",
     f"TableScan: data projection=[f64_field, time], full_filters=[{TAG}, data.f64_field IS NOT NULL]"),
    ("SELECT f64_field FROM data WHERE foo = 'a' AND time >= '2022-10-31T02:00:00Z' TZ('UTC')",
     f"TableScan: data projection=[f64_field, time], full_filters=[{UTC} >= TimestampNanosecond(1667181600000000000, "
     f'Some("UTC")), {TAG}, data.f64_field IS NOT NULL]'),
    ("SELECT mean(f64_field) FROM data WHERE foo = 'a' AND time <= '2023-01-01T00:00:00Z' GROUP BY time(10s) "
     "fill(none) TZ('UTC')",
     f"TableScan: data projection=[f64_field, time], full_filters=[{UTC} <= TimestampNanosecond(1672531200000000000, "
     f'Some("UTC")), {TAG}, data.f64_field IS NOT NULL]'),
])
def test_tz_with_a_tag_test_through_datafusions_rules(planner_catalog, q, scan):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert got["logical_plan"][0].split("\n")[-1].strip() == scan
    assert got["logical_plan after push_down_filter"][0].split("\n")[-1].strip() == scan.replace(
        " projection=[f64_field, time]", "")
