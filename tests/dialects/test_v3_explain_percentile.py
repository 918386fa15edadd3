"""EXPLAIN of a lone percentile() in the influxdb3 dialect: DataFusion's rules over v3's planner plan.

Quoted ground truth: the planner's plans are v3's insta snapshots ``select__percentile`` and
``select__percentile-2`` (iox_query_influxql/src/plan/snapshots/, influxdb3_core 349d802; copied in
v3_snapshots/, checked in test_v3_explain_agg_more.py): over the raw SELECT's filters, ``Filter:
cpu.usage_idle IS NOT NULL``, a WindowAggr of ``percent_row_number(Float64(50))`` and
``row_number()`` over all the partition's rows, and ``Filter: <percent_row_number's column> =
<row_number's column>``. No snapshot holds its optimized plan.

Derived, not quoted: DataFusion 50.1 (datafusion-python 50.1.0, once, by hand: the same filters
and windows, a Python UDWF named percent_row_number, Float64 in, UInt64 out) printed
- simplify_expressions: the two window columns compared the other way round (its canonicalizer
  orders a comparison of two columns by name: ``row_number() ... = percent_row_number(..) ...``);
  type_coercion changes nothing (both UInt64);
- push_down_filter: the test of the row numbers stays above the window (it reads no PARTITION BY
  column only); the filters under it merge, the parent's conjuncts first, duplicates dropped
  (push_down_filter.rs: ``parents_predicates ... chain(child_predicates) ... IndexSet``), and go
  into IOx's scan, which takes them all (as for every SELECT drawn here);
- optimize_projections: the scan narrowed to the columns read, no Projection added.
"""
from __future__ import annotations

from tests.dialects.test_v3_explain_show import planner_catalog, rows  # noqa: F401 - fixture

FRAME = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"


def window(fn: str, q: str, part: str = "") -> str:
    """A window column's name (``q``: the table's qualifier in the WindowAggr, empty in the name)."""
    by = f"PARTITION BY [{q}{part}] " if part else ""
    return f"{fn} {by}ORDER BY [{q}usage_idle ASC NULLS LAST, {q}time ASC NULLS LAST] {FRAME}"


def windows(part: str = "") -> str:
    pct, rn = "percent_row_number(Float64(50))", "row_number()"
    return (f"WindowAggr: windowExpr=[[{window(pct, 'cpu.', part)} AS {window(pct, '', part)}, "
            f"{window(rn, 'cpu.', part)} AS {window(rn, '', part)}]]")


def test_a_lone_percentile_through_datafusions_rules(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT percentile(usage_idle, 50) FROM cpu")
    swapped = f"    Filter: {window('row_number()', '')} = {window('percent_row_number(Float64(50))', '')}"
    assert got["logical_plan after type_coercion"] == ["SAME TEXT AS ABOVE"]
    simplified = got["logical_plan after simplify_expressions"][0].split("\n")
    assert simplified[2] == swapped and simplified[4:] == ["        Filter: cpu.usage_idle IS NOT NULL",
                                                           "          Filter: cpu.usage_idle IS NOT NULL",
                                                           "            TableScan: cpu"]
    head = ["Sort: time ASC NULLS LAST",
            '  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time, '
            "cpu.usage_idle AS percentile", swapped, "      " + windows()]
    pushed = "full_filters=[cpu.usage_idle IS NOT NULL]"  # (the field's test twice: once)
    assert got["logical_plan after push_down_filter"][0] == "\n".join([*head, f"        TableScan: cpu, {pushed}"])
    assert got["logical_plan"] == ["\n".join([*head, f"        TableScan: cpu projection=[time, usage_idle], {pushed}"])]


def test_the_snapshots_percentile_by_tag_in_a_time_range(planner_catalog):  # noqa: F811
    """select__percentile-2's query: its field's test, then the time range's, then the raw SELECT's."""
    (plan,) = rows(planner_catalog, "EXPLAIN SELECT percentile(usage_idle,50),usage_system FROM cpu "
                                    "WHERE time >= 0 AND time < 60000000000 GROUP BY cpu")["logical_plan"]
    lines = plan.split("\n")
    assert lines[0] == "Sort: cpu ASC NULLS LAST, time ASC NULLS LAST"
    assert lines[2] == (f"    Filter: {window('row_number()', '', 'cpu')} = "
                        f"{window('percent_row_number(Float64(50))', '', 'cpu')}")
    assert lines[3] == "      " + windows("cpu")
    assert lines[4:] == [
        "        TableScan: cpu projection=[cpu, time, usage_idle, usage_system], full_filters=[cpu.usage_idle IS NOT NULL, "
        "cpu.time >= TimestampNanosecond(0, None), cpu.time <= TimestampNanosecond(59999999999, None), "
        "cpu.usage_idle IS NOT NULL OR cpu.usage_system IS NOT NULL]"]
