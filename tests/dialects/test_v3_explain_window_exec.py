"""EXPLAIN's physical plan of window functions over GROUP BY time aggregates in the influxdb3 dialect.

Derived, not quoted: v3 has no snapshot of a physical window plan (neither influxdb3_core's
iox_query_influxql snapshots nor influxdb's influxdb3/tests). The aggregates' part is aggexec3.py's
(test_v3_explain_physical_agg.py); above it, DataFusion 50.1's physical planning of winfunc3.py's
optimized plan, printed once by hand (datafusion-python 50.1.0) for the same operators over an
Aggregate and over inputs sorted on the partition key ``ASC`` (nulls first): ProjectionExec,
CoalesceBatchesExec and FilterExec, the ProjectionExec optimize_projections put in, WindowAggExec
(an unbounded frame), and under it a SortExec on the partition keys and time ``ASC NULLS LAST``
(a partition key's requirement has no direction: EnforceSorting sorts it NULLS LAST), right over
GapFillExec (iox_query exec/gapfill/mod.rs: it keeps its input's order, nulls first, which does not
satisfy the window, and EnforceSorting cannot push the sort under it) or over the AggregateExec under
fill(none); no SortExec on top (the window's output is in the final Sort's order). Over GapFill the
columns are the series, then time, then the aggregates (GapFill::try_new).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows  # noqa: F401 - fixture
from tests.dialects.test_v3_explain_window import WINDOW_FRAME

STRIDE = "IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 10000000000 }"
SINCE = "WHERE time >= '2022-12-31T23:00:00Z'"


def _field(name: str, kind: str) -> str:
    escaped = name.replace('"', '\\"')
    return (f'{name}: Ok(Field {{ name: "{escaped}", data_type: {kind}, nullable: true, dict_id: 0, '
            f"dict_is_ordered: false, metadata: {{}} }}), {WINDOW_FRAME}")


def _physical(store, q: str) -> list[str]:
    return rows(store, f"EXPLAIN {q}")["physical_plan"][0].splitlines()


def test_a_window_over_a_gap_filled_aggregate(planner_catalog):  # noqa: F811
    # fill(previous): the window's sort over GapFillExec (time nulls first there), one interval read before
    plan = _physical(planner_catalog, f"SELECT derivative(mean(usage_idle)) FROM cpu {SINCE} GROUP BY time(10s) "
                                      "fill(previous)")
    name = "derivative(avg(cpu.usage_idle))"
    assert plan[:9] == [
        f"ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, {name}@1 as derivative]",
        "  CoalesceBatchesExec: target_batch_size=8192",
        f"    FilterExec: {name}@1 IS NOT NULL",
        f"      ProjectionExec: expr=[time@0 as time, {name}@2 as {name}]",
        f"        WindowAggExec: wdw=[{_field(name, 'Float64')}]",
        "          SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        f"            GapFillExec: series_expr=[], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), fill_expr=["
        'LOCF(avg(cpu.usage_idle)@1)], time_range=Included("1672527590000000000")..Included("1672531200000000000")',
        "              SortExec: expr=[time@0 ASC], preserve_partitioning=[false]",
        f"                AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@0, 0) as time], "
        "aggr=[avg(cpu.usage_idle)]"]
    assert plan[-1].strip() == ("RecordBatchesExec: chunks=1, projection=[time, usage_idle, cpu, host, region, "
                                "__chunk_order]")


def test_gap_filled_series_come_before_time(planner_catalog):  # noqa: F811
    # GapFillExec outputs host@0, time@1: the window sorts on them, the projections read them there
    plan = _physical(planner_catalog, f"SELECT cumulative_sum(count(usage_idle)) FROM cpu {SINCE} GROUP BY time(10s), "
                                      "host")
    name = "cumulative_sum(count(cpu.usage_idle))"
    assert plan[0] == f"ProjectionExec: expr=[cpu as iox::measurement, time@1 as time, host@0 as host, {name}@2 as cumulative_sum]"
    assert plan[3] == f"      ProjectionExec: expr=[host@0 as host, time@1 as time, {name}@3 as {name}]"
    assert plan[4] == f"        WindowAggExec: wdw=[{_field(name, 'Int64')}]"  # a count's cumulative sum: Int64
    assert plan[5] == "          SortExec: expr=[host@0 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]"
    assert plan[6].startswith("            GapFillExec: series_expr=[host@1], ") and "COALESCE(count(cpu.usage_idle)@2, 0)" in plan[6]


@pytest.mark.parametrize("by,sorted_on", [("host", ""), ("cpu", ", ordering_mode=PartiallySorted([1])")])
def test_without_gap_fill_the_window_sorts_the_aggregate(planner_catalog, by, sorted_on):  # noqa: F811
    # fill(none): time@0 then the tag; the sort NULLS LAST even over an Aggregate sorted on the tag (scan order: cpu)
    plan = _physical(planner_catalog, f"SELECT moving_average(sum(usage_idle), 2) FROM cpu {SINCE} "
                                      f"GROUP BY time(10s), {by} fill(none)")
    name = "moving_average(sum(cpu.usage_idle),Int64(2))"
    assert plan[0] == f"ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, {by}@1 as {by}, {name}@2 as moving_average]"
    assert plan[3] == f"      ProjectionExec: expr=[time@0 as time, {by}@1 as {by}, {name}@3 as {name}]"
    assert plan[5:7] == [
        f"          SortExec: expr=[{by}@1 ASC NULLS LAST, time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        f"            AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@1, 0) as time, {by}@0 as {by}], "
        f"aggr=[sum(cpu.usage_idle)]{sorted_on}"]


def test_a_mixed_projection_filters_the_requested_range(planner_catalog):  # noqa: F811
    # filter_requested_time_range in the FilterExec (timestamps print as numbers); the plain aggregate kept
    # by the Projection under it
    q = (f"SELECT non_negative_difference(median(usage_idle)), stddev(usage_idle) FROM cpu {SINCE} AND host = 'x' "
         "GROUP BY time(10s), region fill(linear)")
    plan = _physical(planner_catalog, q)
    nnd = "non_negative_difference(median(cpu.usage_idle))"
    assert plan[:4] == [
        f"ProjectionExec: expr=[cpu as iox::measurement, time@1 as time, region@0 as region, {nnd}@3 as "
        "non_negative_difference, stddev(cpu.usage_idle)@2 as stddev]",
        "  CoalesceBatchesExec: target_batch_size=8192",
        "    FilterExec: time@1 >= 1672527600000000000 AND time@1 <= 1672531209999999999",
        "      ProjectionExec: expr=[region@0 as region, time@1 as time, stddev(cpu.usage_idle)@3 as stddev(cpu.usage_idle), "
        f"{nnd}@4 as {nnd}]"]
    assert "fill_expr=[INTERPOLATE(median(cpu.usage_idle)@2), INTERPOLATE(stddev(cpu.usage_idle)@3)]" in plan[6]


def test_a_window_of_aggregates_under_tz(planner_catalog):  # noqa: F811
    plan = _physical(planner_catalog, f"SELECT difference(mean(usage_idle)) FROM cpu {SINCE} GROUP BY time(10s) "
                                      "tz('Europe/Paris')")
    assert plan[5] == "          SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]"
    assert plan[9] == "                  ProjectionExec: expr=[tz(time@0, Europe/Paris) as time, usage_idle@1 as usage_idle]"


def test_a_window_over_a_selector(planner_catalog):  # noqa: F811
    """Derived, not quoted (no v3 snapshot of a physical window plan): the selector's aggregate and
    its gap fill as aggexec3.py draws them (test_v3_explain_physical_selectors.py), the window named
    as the logical plan names it (``[value]``: get_field's name; its argument is not printed), its
    type the selector's value type (Float64: derivative's anyway)."""
    plan = _physical(planner_catalog, f"SELECT derivative(last(usage_idle)) FROM cpu {SINCE} GROUP BY time(10s), host")
    name = "derivative(selector_last(cpu.usage_idle,cpu.time)[value])"
    assert plan[:9] == [
        f"ProjectionExec: expr=[cpu as iox::measurement, time@1 as time, host@0 as host, {name}@2 as derivative]",
        "  CoalesceBatchesExec: target_batch_size=8192",
        f"    FilterExec: {name}@2 IS NOT NULL",
        f"      ProjectionExec: expr=[host@0 as host, time@1 as time, {name}@3 as {name}]",
        f"        WindowAggExec: wdw=[{_field(name, 'Float64')}]",
        "          SortExec: expr=[host@0 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        f"            GapFillExec: series_expr=[host@1], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), fill_expr=["
        'selector_last(cpu.usage_idle,cpu.time)@2], time_range=Included("1672527590000000000")..'
        'Included("1672531200000000000")',
        "              SortExec: expr=[host@1 ASC, time@0 ASC], preserve_partitioning=[false]",
        f"                AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@1, 0) as time, host@0 as host], "
        "aggr=[selector_last(cpu.usage_idle,cpu.time)]"]


def test_a_plain_selector_beside_a_window_reads_its_value(planner_catalog):  # noqa: F811
    """Derived: the plain selector kept by optimize_projections' Projection as its struct column,
    read ``get_field(<struct>@i, value)`` on top (as aggexec3.py reads a selector); a difference of
    a selector of a float is Float64."""
    plan = _physical(planner_catalog, f"SELECT difference(max(usage_idle)), first(usage_user) FROM cpu {SINCE} "
                                      "GROUP BY time(10s) fill(none)")
    mx, first = "difference(selector_max(cpu.usage_idle,cpu.time)[value])", "selector_first(cpu.usage_user,cpu.time)"
    assert plan[0] == (f"ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, {mx}@2 as difference, "
                       f"get_field({first}@1, value) as first]")
    assert plan[3] == f"      ProjectionExec: expr=[time@0 as time, {first}@2 as {first}, {mx}@3 as {mx}]"
    assert plan[4] == f"        WindowAggExec: wdw=[{_field(mx, 'Float64')}]"
    assert plan[6].endswith(f"aggr=[selector_max(cpu.usage_idle,cpu.time), {first}]")


def test_a_window_under_tz_with_a_tag_test(planner_catalog):  # noqa: F811
    # derived: aggexec3.py's plan under tz() with the tag test among the scan's tests, after the tz() ones
    q = f"SELECT difference(mean(usage_idle)) FROM cpu {SINCE} AND host = 'x' GROUP BY time(10s) tz('Europe/Paris')"
    plan = [line.strip() for line in rows(planner_catalog, f"EXPLAIN {q}")["physical_plan"][0].splitlines()]
    assert plan[4].startswith("WindowAggExec: wdw=[difference(avg(cpu.usage_idle)): Ok(")
    assert plan[9] == "ProjectionExec: expr=[tz(time@0, Europe/Paris) as time, usage_idle@1 as usage_idle]"
    assert plan[16] == ("FilterExec: tz(time@0, Europe/Paris) >= 1672527590000000000 AND tz(time@0, Europe/Paris) <= "
                        "1672531200000000000 AND host@3 = x")
