"""EXPLAIN of aggregate SELECTs with LIMIT/OFFSET, math on aggregates, more aggregates and selectors (influxdb3).

mode(), spread(), percentile(), count(DISTINCT f), wildcard calls (aggplan3.py, aggcalls3.py); a lone
percentile(), top() and bottom(), which v3 plans as windows (winselect3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs``, copied as they are
into v3_snapshots/ from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b; each
prints the planner's plan (with schemas, stripped here): EXPLAIN VERBOSE's ``initial_logical_plan`` row.

planner.rs select_query_to_plan plans LIMIT/OFFSET per table as a SeriesLimit::

    let plan = self.limit(plan, select.offset, select.limit, &ctx.fill.unwrap_or_default(),
                          vec![time_sort_expr.clone()], &group_by_tag_set, &projection_tag_set)?;

and ``limit`` keeps each field "null_treatment: if f.is_influxql_filled() { RespectNulls } ...";
project_with_measurement then finds no Projection on top ("project(input.clone(),
iter::once(lit_dict(table_name).alias(INFLUXQL_MEASUREMENT_COLUMN_NAME)).chain(input.schema().iter()
...") and names each column. A wildcard call is expanded by rewriter.rs ("alias:
Some(format!(\"{}_{}\", field_name(&f), var_ref_name).into())") over the fields of the types its
function takes ("count" | "first" | "last" | "distinct" | "elapsed" | "mode" | "sample" add strings
and booleans).

Derived, not quoted (DataFusion 50.1, datafusion-python 50.1.0, printed the same expressions once, by
hand; it is no dependency): the analyzer's type_coercion casts an Int64 side of an operator with a
Float64 one (``avg(data.f64_field) * CAST(Int64(2) AS Float64)``), simplify_expressions folds the cast
literal (``Float64(2)``) and drops ``* 1``; a cast or operation appearing twice would be extracted by
common_sub_expression_eliminate (such queries are not drawn).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

AGG = "select_aggregate__single_measurement__"
SNAPSHOTS = [
    # LIMIT / OFFSET: a SeriesLimit over the GROUP BY tags, the measurement projected over its columns
    f"{AGG}with_limit_or_offset", f"{AGG}with_limit_or_offset2", f"{AGG}with_limit_or_offset3",
    # math on aggregates: each aggregate computed once, the arithmetic in the projection
    f"{AGG}group_by_non_reused_in_projection", f"{AGG}multi_count_no_group_by",
    f"{AGG}group_by_time_gapfill_plus_math-2", f"{AGG}group_by_time_gapfill_aggregates_part_of_binary_expression",
    # mode() reads the row's time too, spread() not; a wildcard call: one field per matching field
    "select__mode", "select__mode-2", "select__spread", "select__spread-2",
    f"{AGG}median-3", f"{AGG}stddev-3", f"{AGG}sum-3",
    # percentile(): with another selector or aggregate an aggregate (percentile(f, Int64(n))); alone v3's
    # selector: a window of percent_row_number() and row_number() (winselect3.py)
    "select__percentile", "select__percentile-2", "select__percentile-3", "select__percentile-4",
    "select__percentile-5", "select__percentile-6",
    # count(DISTINCT f)
    "select__distinct-4",
    # top() / bottom(): row_number() up to the current row, the first n kept (winselect3.py); a tag argument:
    # first the first row of each of its series
    "select__top", "select__top-2", "select__top-3", "select__top-4",
    "select__bottom", "select__bottom-2", "select__bottom-3", "select__bottom-4",
]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


SCAN = "TableScan: data projection=[f64_field], full_filters=[data.f64_field IS NOT NULL]"
AGGREGATE = "Aggregate: groupBy=[[]], aggr=[[{}, count(Int64(1)) AS __aggr_count]]"
MATH = [  # query -> (the projection after type_coercion or None: unchanged, the optimized projection)
    ("SELECT mean(f64_field) * 2 FROM data",
     "avg(data.f64_field) * CAST(Int64(2) AS Float64) AS mean", "avg(data.f64_field) * Float64(2) AS mean"),
    ("SELECT count(f64_field) + mean(f64_field) FROM data",
     "CAST(count(data.f64_field) AS Float64) + avg(data.f64_field) AS count_mean",
     "CAST(count(data.f64_field) AS Float64) + avg(data.f64_field) AS count_mean"),
    ("SELECT abs(mean(f64_field)) FROM data", None, "abs(avg(data.f64_field)) AS abs"),
    ("SELECT mean(f64_field) - 1.5 AS m FROM data", None, "avg(data.f64_field) - Float64(1.5) AS m"),
    ("SELECT 2 * count(f64_field) - 1.5 FROM data",
     "CAST(Int64(2) * count(data.f64_field) AS Float64) - Float64(1.5) AS count",
     "CAST(Int64(2) * count(data.f64_field) AS Float64) - Float64(1.5) AS count"),
    ("SELECT mean(f64_field) * 1 FROM data",
     "avg(data.f64_field) * CAST(Int64(1) AS Float64) AS mean", "avg(data.f64_field) AS mean"),
    ("SELECT (count(f64_field) + 1) * 3 FROM data", None, "(count(data.f64_field) + Int64(1)) * Int64(3) AS count"),
]


@pytest.mark.parametrize("q, coerced, optimized", MATH, ids=[m[0] for m in MATH])
def test_math_on_aggregates_through_datafusions_rules(planner_catalog, q, coerced, optimized):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    head = 'Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
    expected_aggr = "count(data.f64_field)" if "count" in q else "avg(data.f64_field)"
    if "count" in q and "mean" in q:
        expected_aggr = "count(data.f64_field), avg(data.f64_field)"
    after = got["logical_plan after type_coercion"][0]
    assert after == "SAME TEXT AS ABOVE" if coerced is None else after.splitlines()[1] == "  " + head + coerced
    assert got["logical_plan"] == ["\n".join([
        "Sort: time ASC NULLS LAST", "  " + head + optimized, "    Filter: __aggr_count > Int64(0)",
        "      " + AGGREGATE.format(expected_aggr), "        " + SCAN])]


def test_limit_with_group_by_time_and_a_fill_value(planner_catalog):  # noqa: F811
    # the fill value is each field's default, the LIMIT and OFFSET the SeriesLimit's fetch and skip
    plan = rows(planner_catalog, "EXPLAIN VERBOSE SELECT mean(f64_field) FROM data WHERE time >= 0 AND time < 60s "
                                 "GROUP BY time(30s) fill(2) LIMIT 3 OFFSET 1")["initial_logical_plan"][0]
    assert plan.splitlines()[2] == ("    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[mean RESPECT "
                                    "NULLS (default: Float64(2))], skip=UInt64(1), fetch=UInt64(3)")


def test_limit_in_descending_order(planner_catalog):  # noqa: F811
    plan = rows(planner_catalog, "EXPLAIN SELECT max(f64_field) FROM data GROUP BY time(10s), foo fill(none) "
                                 "ORDER BY time DESC LIMIT 2")["logical_plan"][0]
    assert plan.splitlines()[:4] == [
        "Sort: foo ASC NULLS LAST, time DESC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, time, foo, max',
        "    SeriesLimit: series=[foo], order=[time DESC NULLS LAST], limit_expr=[max RESPECT NULLS (default: "
        "Float64(NULL))], fetch=UInt64(2)",
        '      Projection: time, data.foo AS foo, get_field(selector_max(data.f64_field,data.time), Utf8("value")) AS max']


def test_mode_of_a_string_and_count_of_every_field(planner_catalog):  # noqa: F811
    plan = rows(planner_catalog, "EXPLAIN SELECT mode(str_field) FROM data")["logical_plan"][0]
    assert "mode(data.str_field,data.time) AS mode" in plan
    assert plan.splitlines()[-1] == ("        TableScan: data projection=[str_field, time], "
                                     "full_filters=[data.str_field IS NOT NULL]")
    plan = rows(planner_catalog, "EXPLAIN VERBOSE SELECT count(*) FROM data")["initial_logical_plan"][0]
    assert ("count(data.TIME) AS count_TIME, count(data.bool_field) AS count_bool_field, count(data.f64_field) AS "
            "count_f64_field, count(data.i64_field) AS count_i64_field, count(data.mixedCase) AS count_mixedCase, "
            "count(data.str_field) AS count_str_field, count(data.with space) AS count_\"with space\"") in plan


def test_a_distinct_count(planner_catalog):  # noqa: F811
    # DataFusion 50.1 printed the same (datafusion-python 50.1.0, once, by hand): without groups
    # single_distinct_aggregation_to_group_by leaves it; push_down_filter and optimize_projections as for count()
    for q in ("SELECT count(DISTINCT usage_idle) FROM cpu", "SELECT count(distinct(usage_idle)) FROM cpu"):
        plan = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0]
        assert plan.splitlines()[-2:] == [
            "      Aggregate: groupBy=[[]], aggr=[[count(DISTINCT cpu.usage_idle), count(Int64(1)) AS __aggr_count]]",
            "        TableScan: cpu projection=[usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"]
