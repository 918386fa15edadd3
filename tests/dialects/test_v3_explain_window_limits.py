"""EXPLAIN of window functions under LIMIT / OFFSET, fill(<value>) and tz() in the influxdb3 dialect.

Quoted ground truth: ``select::subqueries::aggregate_around_window_aggregate`` (planner.rs lines
4854-4869 at influxdata/influxdb3_core 349d802bf9a54ab5876399ab013502eeb0d52a6b, its snapshot
copied into v3_snapshots/): the inner query ``SELECT non_negative_difference(sum(/usage_.*/)) FROM cpu
WHERE time >= 0s AND time < 10m GROUP BY time(1m), cpu OFFSET 1`` is planned as a root query
plans it with fill(none) (rewriter.rs lines 168-178: a subquery's fill(null) becomes fill(none)), its
SeriesLimit printing each window column ``IGNORE NULLS`` (planner.rs select_window marks a window's
column as not InfluxQL-filled, lines 1913-1933; limit, lines 2301-2376).

Derived, not quoted (v3 has no snapshot of these shapes at the root): planner.rs limit puts the
SeriesLimit between the fields' projection and the measurement's (select_plan, lines 866-874 and
project_with_measurement) for a LIMIT, an OFFSET or a value fill, its default the fill value cast to
the column's type (util.rs number_to_scalar) or a null; an aggregate's column beside the windows is
InfluxQL-filled (``RESPECT NULLS``). Under a value fill rebase_expr (util.rs lines 143-165) coalesces
the aggregate inside the window call, so the window's name holds ``coalesce_struct``. DataFusion's
optimize_projections stops at the SeriesLimit (a user-defined node without necessary_children_exprs):
push_down_filter is the last rule that changes the plan. Under tz() the scan is read through
project_timezone's projection (planner.rs lines 579-609, 3389), the ranges in the zone's timestamps; a
window of fields orders on its unqualified time column (udf_to_expr's ``"time".as_expr()``). The
physical plan of a window of fields under a SeriesLimit: DataFusion 50.1's (by hand) ProjectionPushdown
moves the fields' projection under the Filter and CoalesceBatchesExec; SeriesLimitExec prints as
iox_query exec/series_limit/physical.rs Displays it.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import SNAPSHOTS, _without_schema, planner_catalog, rows  # noqa: F401
from tests.dialects.test_v3_explain_window import FRAME, MEASUREMENT

AROUND = "iox_query_influxql__plan__planner__tests__select__subqueries__aggregate_around_window_aggregate.snap"
BIN10 = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 10000000000 }")'
PARIS = 'Some("Europe/Paris")'
SECOND = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }")'


def _changed(out: dict[str, list[str]]) -> list[str]:
    return [k for k, v in out.items() if k.startswith("logical_plan after") and set(v) != {"SAME TEXT AS ABOVE"}]


def test_an_offset_over_a_window_of_aggregates_is_v3s_series_limit(planner_catalog):  # noqa: F811
    body = (SNAPSHOTS / AROUND).read_text().partition("\n---\n")[2].strip("\n").split("\n")
    quoted = [_without_schema(line).strip() for line in body[5:10]]  # SeriesLimit .. Aggregate of the subquery
    assert quoted[0].startswith("SeriesLimit: series=[cpu]") and quoted[4].startswith("Aggregate: ")
    q = ("EXPLAIN VERBOSE SELECT non_negative_difference(sum(/usage_.*/)) FROM cpu WHERE time >= 0s AND time < 10m "
         "GROUP BY time(1m), cpu fill(none) OFFSET 1")
    plan = rows(planner_catalog, q)["initial_logical_plan"][0].split("\n")
    assert [line.strip() for line in plan[2:7]] == quoted
    assert plan[:2] == ["Sort: cpu ASC NULLS LAST, time ASC NULLS LAST", f"  Projection: {MEASUREMENT}, time, cpu, "
                        "non_negative_difference_usage_idle, non_negative_difference_usage_system, "
                        "non_negative_difference_usage_user"]
    # a root query reads one interval more (Context extended_time_range); the subquery its parent's range
    assert plan[7] == ("              Filter: cpu.time >= TimestampNanosecond(-60000000000, None) AND cpu.time <= "
                       "TimestampNanosecond(599999999999, None)")


def test_a_limit_over_a_raw_window(planner_catalog):  # noqa: F811
    # each window column's type its default's: difference of an integer Int64, cumulative_sum of an unsigned
    # UInt64, elapsed Int64; the tag test ANDed to the not-null filter (plan_condition) around its OR
    q = ("EXPLAIN VERBOSE SELECT difference(i64_field), cumulative_sum(u64_field) AS c, elapsed(f64_field) "
         "FROM all_types WHERE tag0 = 'x' GROUP BY tag1 LIMIT 2 OFFSET 1")
    out = rows(planner_catalog, q)
    plan = out["initial_logical_plan"][0].split("\n")
    assert plan[:4] == [
        "Sort: tag1 ASC NULLS LAST, time ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("all_types")) AS iox::measurement, time, tag1, difference, c, elapsed',
        "    SeriesLimit: series=[tag1], order=[time ASC NULLS LAST], limit_expr=[difference IGNORE NULLS (default: "
        "Int64(NULL)), c IGNORE NULLS (default: UInt64(NULL)), elapsed IGNORE NULLS (default: Int64(NULL))], "
        "skip=UInt64(1), fetch=UInt64(2)",
        "      Projection: all_types.time AS time, all_types.tag1 AS tag1, difference(all_types.i64_field) AS difference, "
        "cumulative_sum(all_types.u64_field) AS c, elapsed(all_types.f64_field) AS elapsed"]
    assert plan[-2:] == ["            Filter: (all_types.f64_field IS NOT NULL OR all_types.i64_field IS NOT NULL OR "
                         'all_types.u64_field IS NOT NULL) AND tag0 = Dictionary(Int32, Utf8("x"))',
                         "              TableScan: all_types"]
    # optimize_projections stops at the SeriesLimit: the scan is not narrowed, no Projection over the window
    assert _changed(out) == ["logical_plan after push_down_filter"]
    assert out["logical_plan"] == out["logical_plan after push_down_filter"][:1]  # (the second pass: the same)
    assert out["logical_plan"][0].split("\n")[-1] == (
        "            TableScan: all_types, full_filters=[all_types.f64_field IS NOT NULL OR all_types.i64_field IS NOT "
        'NULL OR all_types.u64_field IS NOT NULL, tag0 = Dictionary(Int32, Utf8("x"))]')


@pytest.mark.parametrize("clause,tail", [
    ("LIMIT 3", ", fetch=UInt64(3)"),
    ("OFFSET 2", ", skip=UInt64(2)"),
    ("LIMIT 1 OFFSET 4", ", skip=UInt64(4), fetch=UInt64(1)"),
])
def test_limit_and_offset_print_as_series_limit_prints_them(planner_catalog, clause, tail):  # noqa: F811
    plan = rows(planner_catalog, f"EXPLAIN SELECT moving_average(usage_idle, 2) FROM cpu {clause}")["logical_plan"][0]
    assert plan.split("\n")[2] == ("    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[moving_average "
                                   "IGNORE NULLS (default: Float64(NULL))]" + tail)


def test_a_value_fill_coalesces_the_aggregate_inside_the_window(planner_catalog):  # noqa: F811
    # fill(2.5): count's value cast to Int64 (2), mean's kept; the window's column ignores its nulls, the
    # aggregate's does not; the requested range kept above the window (a mixed projection)
    q = ("EXPLAIN VERBOSE SELECT cumulative_sum(count(usage_idle)), mean(usage_user) FROM cpu "
         "WHERE time >= '2022-12-31T23:00:07Z' GROUP BY time(10s) fill(2.5)")
    out = rows(planner_catalog, q)
    plan = out["initial_logical_plan"][0].split("\n")
    assert plan[:7] == [
        "Sort: time ASC NULLS LAST",
        f"  Projection: {MEASUREMENT}, time, cumulative_sum, mean",
        "    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[cumulative_sum IGNORE NULLS (default: "
        "Int64(2)), mean RESPECT NULLS (default: Float64(2.5))]",
        "      Projection: time, cumulative_sum(coalesce_struct(count(cpu.usage_idle),Int64(2))) AS cumulative_sum, "
        "coalesce_struct(avg(cpu.usage_user), Float64(2.5)) AS mean",
        "        Filter: time >= TimestampNanosecond(1672527600000000000, None) AND time <= "
        "TimestampNanosecond(1672531209999999999, None)",
        "          WindowAggr: windowExpr=[[cumumlative_sum(coalesce_struct(count(cpu.usage_idle), Int64(2))) ORDER BY "
        f"[time ASC NULLS LAST] {FRAME} AS cumulative_sum(coalesce_struct(count(cpu.usage_idle),Int64(2)))]]",
        f"            GapFill: series=[], time=date_bin_wallclock({BIN10}, time, TimestampNanosecond(0, None)), "
        "fill=[COALESCE(count(cpu.usage_idle), 2), COALESCE(avg(cpu.usage_user), 2.5)], range=Included(Literal("
        "TimestampNanosecond(1672527597000000000, None), None))..Included(Literal(TimestampNanosecond("
        "1672531200000000000, None), None))"]
    assert _changed(out) == ["logical_plan after push_down_filter"]


def test_a_value_fill_names_a_derivative_with_its_unit(planner_catalog):  # noqa: F811
    second = 'IntervalMonthDayNano("IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }")'
    plan = rows(planner_catalog, "EXPLAIN SELECT derivative(mean(usage_idle), 1s) FROM cpu GROUP BY time(10s) fill(0)")[
        "logical_plan"][0].split("\n")
    name = f"derivative(coalesce_struct(avg(cpu.usage_idle),Float64(0)),{second})"
    assert plan[3] == f"      Projection: time, {name} AS derivative"
    assert plan[4] == f"        Filter: {name} IS NOT NULL"
    assert plan[5].startswith(f"          WindowAggr: windowExpr=[[derivative(coalesce_struct(avg(cpu.usage_idle), "
                              f"Float64(0)), {second}, time) ORDER BY")
    assert "limit_expr=[derivative IGNORE NULLS (default: Float64(0))]" in plan[2]


def test_a_window_of_aggregates_under_tz(planner_catalog):  # noqa: F811
    # project_timezone's projection under the Aggregate (narrowed by optimize_projections), the extended range
    # and the GapFill's in the zone's timestamps, the requested range above the window too
    q = ("EXPLAIN VERBOSE SELECT difference(mean(usage_idle)), mean(usage_user) FROM cpu "
         "WHERE time >= '2022-12-31T23:00:07Z' GROUP BY time(10s) tz('Europe/Paris')")
    out = rows(planner_catalog, q)
    plan = out["logical_plan"][0].split("\n")
    assert plan[2] == (f"    Filter: time >= TimestampNanosecond(1672527600000000000, {PARIS}) AND time <= "
                       f"TimestampNanosecond(1672531209999999999, {PARIS})")
    assert plan[3] == "      Projection: time, avg(cpu.usage_user), difference(avg(cpu.usage_idle))"
    assert plan[5].endswith(f"range=Included(Literal(TimestampNanosecond(1672527597000000000, {PARIS}), None))..Included("
                            f"Literal(TimestampNanosecond(1672531200000000000, {PARIS}), None))")
    assert plan[6] == (f"            Aggregate: groupBy=[[date_bin_wallclock({BIN10}, time, TimestampNanosecond(0, None)) "
                       "AS time]], aggr=[[avg(cpu.usage_idle), avg(cpu.usage_user)]]")
    assert plan[7:] == [
        '              Projection: tz(cpu.time, Utf8("Europe/Paris")) AS time, cpu.usage_idle, cpu.usage_user',
        '                TableScan: cpu projection=[time, usage_idle, usage_user], full_filters=[tz(cpu.time, Utf8('
        f'"Europe/Paris")) >= TimestampNanosecond(1672527597000000000, {PARIS}), tz(cpu.time, Utf8("Europe/Paris")) <= '
        f'TimestampNanosecond(1672531200000000000, {PARIS}), cpu.usage_idle IS NOT NULL OR cpu.usage_user IS NOT NULL]']
    initial = out["initial_logical_plan"][0].split("\n")
    assert initial[-4:] == [
        f"            Filter: time >= TimestampNanosecond(1672527597000000000, {PARIS}) AND time <= "
        f"TimestampNanosecond(1672531200000000000, {PARIS})",
        '              Projection: cpu.cpu, cpu.host, cpu.region, tz(cpu.time, Utf8("Europe/Paris")) AS time, '
        "cpu.usage_idle, cpu.usage_system, cpu.usage_user",
        "                Filter: cpu.usage_idle IS NOT NULL OR cpu.usage_user IS NOT NULL",
        "                  TableScan: cpu"]


def test_a_window_of_fields_under_tz(planner_catalog):  # noqa: F811
    # the window orders on project_timezone's unqualified time; the Sort reads the projection's ``time AS time``
    # (DataFusion's sort builder rewrites a column by the projection's expression of that name: selectplan3.py)
    q = ("EXPLAIN VERBOSE SELECT derivative(usage_idle) FROM cpu WHERE time >= '2022-12-31T23:00:00Z' AND region = 'x' "
         "GROUP BY host tz('Europe/Paris')")
    out = rows(planner_catalog, q)
    window = (f"WindowAggr: windowExpr=[[derivative(cpu.usage_idle, {SECOND}, time) PARTITION BY [cpu.host] ORDER BY "
              f"[time ASC NULLS LAST] {FRAME} AS derivative(cpu.usage_idle)]]")
    head = ["Sort: host ASC NULLS LAST, time AS time ASC NULLS LAST",
            f"  Projection: {MEASUREMENT}, time AS time, cpu.host AS host, derivative(cpu.usage_idle) AS derivative",
            "    Filter: derivative(cpu.usage_idle) IS NOT NULL"]
    assert out["initial_logical_plan"][0].split("\n") == [*head, f"      {window}",
        f'        Filter: time >= TimestampNanosecond(1672527600000000000, {PARIS}) AND region = Dictionary(Int32, Utf8("x"))',
        '          Projection: cpu.cpu, cpu.host, cpu.region, tz(cpu.time, Utf8("Europe/Paris")) AS time, cpu.usage_idle, '
        "cpu.usage_system, cpu.usage_user",
        "            Filter: cpu.usage_idle IS NOT NULL", "              TableScan: cpu"]
    assert out["logical_plan"][0].split("\n") == [*head, "      Projection: cpu.host, time, derivative(cpu.usage_idle)",
        f"        {window}", '          Projection: cpu.host, tz(cpu.time, Utf8("Europe/Paris")) AS time, cpu.usage_idle',
        '            TableScan: cpu projection=[host, time, usage_idle], full_filters=[tz(cpu.time, Utf8("Europe/Paris")) '
        f'>= TimestampNanosecond(1672527600000000000, {PARIS}), region = Dictionary(Int32, Utf8("x")), '
        "cpu.usage_idle IS NOT NULL]"]
    assert _changed(out) == ["logical_plan after push_down_filter", "logical_plan after optimize_projections"]
    plan = [line.strip() for line in out["physical_plan"][0].splitlines()]  # derived: the tag test after the tz() one
    assert plan[4].startswith("WindowAggExec: wdw=[derivative(cpu.usage_idle): Ok(")
    assert plan[6:8] == ["ProjectionExec: expr=[host@0 as host, tz(time@1, Europe/Paris) as time, usage_idle@2 as usage_idle]",
                         "CoalesceBatchesExec: target_batch_size=8192"]
    assert plan[13] == "FilterExec: tz(time@1, Europe/Paris) >= 1672527600000000000 AND region@4 = x"


def test_a_limit_under_tz_sorts_on_the_measurements_time(planner_catalog):  # noqa: F811
    # over the SeriesLimit the measurement's projection reads the column ``time``: the Sort keeps it bare
    plan = rows(planner_catalog, "EXPLAIN SELECT difference(usage_idle) FROM cpu LIMIT 2 tz('Europe/Paris')")[
        "logical_plan"][0].split("\n")
    assert plan[:4] == ["Sort: time ASC NULLS LAST", f"  Projection: {MEASUREMENT}, time, difference",
                        "    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[difference IGNORE NULLS "
                        "(default: Float64(NULL))], fetch=UInt64(2)",
                        "      Projection: time AS time, difference(cpu.usage_idle) AS difference"]


def test_the_physical_plan_of_a_raw_window_under_a_limit(planner_catalog):  # noqa: F811
    # derived: the scan not narrowed (every column), the fields' projection pushed under the Filter (its test
    # by the field's name) and CoalesceBatchesExec by DataFusion's ProjectionPushdown (DataFusion 50.1, by hand);
    # SeriesLimitExec over it needs no sort: the window's output is sorted on the series and time
    q = ("EXPLAIN SELECT difference(i64_field), cumulative_sum(u64_field) AS c FROM all_types WHERE tag0 = 'x' "
         "GROUP BY tag1 LIMIT 2 OFFSET 1")
    plan = rows(planner_catalog, q)["physical_plan"][0].splitlines()
    assert plan[:7] == [
        "ProjectionExec: expr=[all_types as iox::measurement, time@0 as time, tag1@1 as tag1, difference@2 as "
        "difference, c@3 as c]",
        "  SeriesLimitExec: series=[tag1@1], order=[time@0 ASC NULLS LAST], limit_expr=[difference@2 IGNORE NULLS "
        "(default: NULL), c@3 IGNORE NULLS (default: NULL)], skip=1, fetch=2",
        "    CoalesceBatchesExec: target_batch_size=8192",
        "      FilterExec: difference@2 IS NOT NULL OR c@3 IS NOT NULL",
        "        ProjectionExec: expr=[time@6 as time, tag1@5 as tag1, difference(all_types.i64_field)@8 as difference, "
        "cumulative_sum(all_types.u64_field)@9 as c]",
        plan[5],
        "            SortExec: expr=[tag1@5 ASC NULLS LAST, time@6 ASC NULLS LAST], preserve_partitioning=[false]"]
    assert plan[5].startswith("          WindowAggExec: wdw=[difference(all_types.i64_field): Ok(Field { name: ")
    assert plan[-1] == ("                            RecordBatchesExec: chunks=1, projection=[bool_field, f64_field, "
                        "i64_field, str_field, tag0, tag1, time, u64_field, __chunk_order]")


@pytest.mark.parametrize("q", [
    "SELECT derivative(usage_idle) FROM cpu GROUP BY host fill(1)",  # a value fill without GROUP BY time
    "SELECT difference(mean(usage_idle)) FROM cpu GROUP BY time(10s), host fill(1)",  # a value fill over tags
    "SELECT difference(mean(usage_idle)) FROM cpu GROUP BY time(10s) SLIMIT 1",  # v3: not implemented
])
def test_shapes_not_drawn_print_this_stores_plan(planner_catalog, q):  # noqa: F811
    (res,) = planner_catalog.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    assert not any("WindowAggr" in s["values"][0][0] for s in res.get("series", []))


def test_the_physical_plan_of_a_window_of_aggregates_under_a_limit(planner_catalog):  # noqa: F811
    """Derived, not quoted (v3 has no snapshot of a physical window plan): the aggregates' plan as
    under a plain aggregate's SeriesLimit (every column scanned: optimize_projections stops at the
    SeriesLimit), the window's sort over it, the fields' projection pushed under the Filter and
    CoalesceBatchesExec (it narrows the window's output: DataFusion 50.1's ProjectionPushdown, by
    hand), SeriesLimitExec over them with no sort (the window's output is sorted on the series and
    time) and no SortExec on top."""
    q = ("EXPLAIN SELECT difference(mean(usage_idle)) FROM cpu WHERE time >= '2022-12-31T23:00:00Z' "
         "GROUP BY time(10s), host fill(none) LIMIT 2 OFFSET 1")
    plan = rows(planner_catalog, q)["physical_plan"][0].splitlines()
    name = "difference(avg(cpu.usage_idle))"
    assert plan[:5] == [
        "ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, host@1 as host, difference@2 as difference]",
        "  SeriesLimitExec: series=[host@1], order=[time@0 ASC NULLS LAST], limit_expr=[difference@2 IGNORE NULLS "
        "(default: NULL)], skip=1, fetch=2",
        "    CoalesceBatchesExec: target_batch_size=8192",
        "      FilterExec: difference@2 IS NOT NULL",
        f"        ProjectionExec: expr=[time@0 as time, host@1 as host, {name}@3 as difference]"]
    assert plan[5].startswith(f"          WindowAggExec: wdw=[{name}: Ok(Field {{ ")
    assert plan[6:8] == [
        "            SortExec: expr=[host@1 ASC NULLS LAST, time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        "              AggregateExec: mode=Single, gby=[date_bin_wallclock(IntervalMonthDayNano { months: 0, days: 0, "
        "nanoseconds: 10000000000 }, time@3, 0) as time, host@1 as host], aggr=[avg(cpu.usage_idle)]"]
    assert plan[-1].endswith("RecordBatchesExec: chunks=1, projection=[cpu, host, region, time, usage_idle, "
                             "usage_system, usage_user, __chunk_order]")


def test_the_physical_plan_of_a_value_filled_window_beside_an_aggregate(planner_catalog):  # noqa: F811
    """Derived, not quoted: fill(3) is v3's SeriesLimit without LIMIT (planner.rs limit), each default
    the value as its column's ScalarValue prints; the plain aggregate read as ``coalesce_struct(<its
    column>, 3)`` (rebase_expr, as aggexec3.py draws it), the window under its coalesced name; the
    Filter is filter_requested_time_range's; GapFillExec fills each aggregate with the value."""
    q = ("EXPLAIN SELECT difference(mean(usage_idle)), count(usage_idle) FROM cpu WHERE time >= "
         "'2022-12-31T23:00:00Z' GROUP BY time(10s) fill(3)")
    plan = [line.strip() for line in rows(planner_catalog, q)["physical_plan"][0].splitlines()]
    name = "difference(coalesce_struct(avg(cpu.usage_idle),Float64(3)))"
    assert plan[:5] == [
        "ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, difference@1 as difference, count@2 as count]",
        "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[difference@1 IGNORE NULLS (default: 3), "
        "count@2 RESPECT NULLS (default: 3)]",
        "CoalesceBatchesExec: target_batch_size=8192",
        "FilterExec: time@0 >= 1672527600000000000 AND time@0 <= 1672531209999999999",
        f"ProjectionExec: expr=[time@0 as time, {name}@3 as difference, coalesce_struct(count(cpu.usage_idle)@2, 3) as count]"]
    assert plan[5].startswith(f"WindowAggExec: wdw=[{name}: Ok(Field {{ ")
    assert plan[7].startswith("GapFillExec: series_expr=[], ") and \
        "fill_expr=[COALESCE(avg(cpu.usage_idle)@1, 3), COALESCE(count(cpu.usage_idle)@2, 3)]" in plan[7]


def test_a_projection_that_does_not_narrow_stays_over_the_filter(planner_catalog):  # noqa: F811
    """Derived, not quoted: the fields' projection (time, the window, the mean) is as wide as the
    window's output (time, the mean, the window): DataFusion's ProjectionPushdown leaves it over the
    Filter and CoalesceBatchesExec (DataFusion 50.1 printed ``ProjectionExec`` over
    ``CoalesceBatchesExec`` over ``FilterExec`` over the window for such a projection, by hand), the
    Filter reading the window's output."""
    q = ("EXPLAIN SELECT difference(mean(usage_idle)), mean(usage_idle) FROM cpu WHERE time >= "
         "'2022-12-31T23:00:00Z' GROUP BY time(10s) LIMIT 2")
    plan = [line.strip() for line in rows(planner_catalog, q)["physical_plan"][0].splitlines()]
    assert plan[1:5] == [
        "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[difference@1 IGNORE NULLS "
        "(default: NULL), mean@2 RESPECT NULLS (default: NULL)], fetch=2",
        "ProjectionExec: expr=[time@0 as time, difference(avg(cpu.usage_idle))@2 as difference, "
        "avg(cpu.usage_idle)@1 as mean]",
        "CoalesceBatchesExec: target_batch_size=8192",
        "FilterExec: time@0 >= 1672527600000000000 AND time@0 <= 1672531209999999999"]
    assert plan[5].startswith("WindowAggExec: ")


def test_the_physical_plan_of_a_window_of_fields_under_tz(planner_catalog):  # noqa: F811
    """Derived, not quoted (v3 has no snapshot of a physical window plan): project_timezone's projection
    over IOx's scan (its filter over ``tz(time, <zone>)``) as aggexec3.py draws it under an aggregate
    (test_v3_explain_physical_tz.py: DataFusion 50.1 with a stand-in ``tz``, by hand); tz() declares no
    order (influxdb3_core 349d802 query_functions tz.rs: no output_ordering), so the window's sort on
    the series and time stays even over a scan sorted on them; no SortExec on top."""
    q = ("EXPLAIN SELECT derivative(usage_idle) FROM cpu WHERE time >= '2022-12-31T23:00:00Z' GROUP BY host "
         "tz('Europe/Paris')")
    plan = [line.strip() for line in rows(planner_catalog, q)["physical_plan"][0].splitlines()]
    assert plan[0] == ("ProjectionExec: expr=[cpu as iox::measurement, time@1 as time, host@0 as host, "
                       "derivative(cpu.usage_idle)@2 as derivative]")
    assert plan[4].startswith("WindowAggExec: wdw=[derivative(cpu.usage_idle): ")
    assert plan[5:9] == [
        "SortExec: expr=[host@0 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[host@0 as host, tz(time@1, Europe/Paris) as time, usage_idle@2 as usage_idle]",
        "CoalesceBatchesExec: target_batch_size=8192", "FilterExec: usage_idle@2 IS NOT NULL"]
    assert "FilterExec: tz(time@1, Europe/Paris) >= 1672527600000000000" in plan


def test_the_physical_plan_of_a_window_of_fields_under_tz_and_a_limit(planner_catalog):  # noqa: F811
    """Derived: under the SeriesLimit every column is read, project_timezone's projection keeps them in
    place with time through tz(); the window's sort reads its time there."""
    q = "EXPLAIN SELECT difference(usage_idle) FROM cpu LIMIT 2 tz('Europe/Paris')"
    plan = [line.strip() for line in rows(planner_catalog, q)["physical_plan"][0].splitlines()]
    assert plan[1] == ("SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[difference@1 IGNORE "
                       "NULLS (default: NULL)], fetch=2")
    assert plan[4] == "ProjectionExec: expr=[time@3 as time, difference(cpu.usage_idle)@7 as difference]"
    assert plan[6:8] == [
        "SortExec: expr=[time@3 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[cpu@0 as cpu, host@1 as host, region@2 as region, tz(time@3, Europe/Paris) as time, "
        "usage_idle@4 as usage_idle, usage_system@5 as usage_system, usage_user@6 as usage_user]"]


def test_a_window_of_fields_under_order_by_time_desc(planner_catalog):  # noqa: F811
    """Derived from v3's planner, not quoted (its order_by_desc snapshots hold no window): the window
    orders on time ``DESC NULLS LAST`` like the final Sort (influxdb3_core 349d802 planner.rs
    time_sort_expr, lines 271-280, which select_window takes, line 1856); physically the window's sort
    is always there (IOx's window functions implement no reverse_expr, so DataFusion cannot read a
    scan sorted ASC backwards), and meets the final Sort: no SortExec on top."""
    q = ("EXPLAIN SELECT derivative(usage_idle) FROM cpu WHERE time >= '2022-12-31T23:00:00Z' GROUP BY host "
         "ORDER BY time DESC")
    out = rows(planner_catalog, q)
    logical = out["logical_plan"][0].split("\n")
    assert logical[0] == "Sort: host ASC NULLS LAST, time DESC NULLS LAST"
    assert logical[4] == (f"        WindowAggr: windowExpr=[[derivative(cpu.usage_idle, {SECOND}, cpu.time) PARTITION BY "
                          f"[cpu.host] ORDER BY [cpu.time DESC NULLS LAST] {FRAME} AS derivative(cpu.usage_idle)]]")
    plan = [line.strip() for line in out["physical_plan"][0].splitlines()]
    assert plan[0].startswith("ProjectionExec: expr=[cpu as iox::measurement, time@1 as time, host@0 as host")
    assert plan[5] == "SortExec: expr=[host@0 ASC NULLS LAST, time@1 DESC NULLS LAST], preserve_partitioning=[false]"


def test_a_window_of_fields_under_order_by_time_desc_and_a_limit(planner_catalog):  # noqa: F811
    """Derived: the SeriesLimit orders on time DESC (planner.rs limit takes the query's order), the
    window's output already sorted so."""
    out = rows(planner_catalog, "EXPLAIN SELECT difference(usage_idle) FROM cpu ORDER BY time DESC LIMIT 2")
    assert out["logical_plan"][0].split("\n")[2] == (
        "    SeriesLimit: series=[], order=[time DESC NULLS LAST], limit_expr=[difference IGNORE NULLS "
        "(default: Float64(NULL))], fetch=UInt64(2)")
    plan = [line.strip() for line in out["physical_plan"][0].splitlines()]
    assert plan[1] == ("SeriesLimitExec: series=[], order=[time@0 DESC NULLS LAST], limit_expr=[difference@1 IGNORE "
                       "NULLS (default: NULL)], fetch=2")
    assert plan[6] == "SortExec: expr=[time@3 DESC NULLS LAST], preserve_partitioning=[false]"


def test_a_window_of_aggregates_under_order_by_time_desc(planner_catalog):  # noqa: F811
    """Derived from v3's planner, not quoted: under ORDER BY time DESC the range read reaches one
    interval past the upper end instead of before the lower one (influxdb3_core 349d802 planner.rs
    Context extended_time_range, lines 508-536; the upper end without WHERE: now), the scan and
    GapFill over it; the window orders time DESC NULLS LAST (time_sort_expr), its sort over
    GapFillExec (which keeps its own ascending order) DESC on time."""
    q = ("EXPLAIN SELECT difference(mean(usage_idle)) FROM cpu WHERE time >= '2022-12-31T23:00:00Z' "
         "GROUP BY time(10s), host ORDER BY time DESC")
    out = rows(planner_catalog, q)
    logical = [line.strip() for line in out["logical_plan"][0].split("\n")]
    assert logical[0] == "Sort: host ASC NULLS LAST, time DESC NULLS LAST"
    assert "ORDER BY [time DESC NULLS LAST]" in logical[4]
    assert logical[5].endswith('range=Included(Literal(TimestampNanosecond(1672527600000000000, None), None))..'
                               'Included(Literal(TimestampNanosecond(1672531210000000000, None), None))')
    assert "cpu.time <= TimestampNanosecond(1672531210000000000, None)" in logical[7]
    plan = [line.strip() for line in out["physical_plan"][0].splitlines()]
    assert plan[5] == "SortExec: expr=[host@0 ASC NULLS LAST, time@1 DESC NULLS LAST], preserve_partitioning=[false]"
    assert plan[6].startswith("GapFillExec: series_expr=[host@1], ") and plan[6].endswith(
        'time_range=Included("1672527600000000000")..Included("1672531210000000000")')


def test_a_mixed_window_under_desc_filters_the_range_asked_for(planner_catalog):  # noqa: F811
    """Derived: filter_requested_time_range keeps the range asked for (Context result_time_range has
    no direction) while the aggregates read one interval past it; the SeriesLimit DESC."""
    q = ("EXPLAIN SELECT difference(mean(usage_idle)), mean(usage_idle) FROM cpu WHERE time >= "
         "'2022-12-31T23:00:00Z' GROUP BY time(10s) fill(none) ORDER BY time DESC LIMIT 1")
    plan = [line.strip() for line in rows(planner_catalog, q)["physical_plan"][0].splitlines()]
    assert plan[1].startswith("SeriesLimitExec: series=[], order=[time@0 DESC NULLS LAST], ")
    assert plan[4] == "FilterExec: time@0 >= 1672527600000000000 AND time@0 <= 1672531209999999999"
    assert plan[6] == "SortExec: expr=[time@0 DESC NULLS LAST], preserve_partitioning=[false]"
    assert plan[-2].endswith("FilterExec: time@3 >= 1672527600000000000 AND time@3 <= 1672531210000000000")
