"""EXPLAIN of a lone top()/bottom() in the influxdb3 dialect: DataFusion's rules over v3's planner plan.

The planner's plans are v3's insta snapshots (test_v3_explain_agg_more.py: ``select__top``,
``select__bottom``...): a WindowAggr of ``row_number()`` and ``Filter: <its column> <= Int64(n)``.
Derived, not quoted: DataFusion 50.1 (datafusion-python 50.1.0, once, by hand, the same windows
and filters) compares the UInt64 row number with the Int64 ``n`` as Decimal128(20, 0) in
type_coercion (``CAST(rn AS Decimal128(20, 0)) <= CAST(Int64(10) AS Decimal128(20, 0))``), which
simplify_expressions folds to ``rn <= UInt64(10)``; push_down_filter leaves the row-number test
above its window (the scan's filters go into IOx's scan, as for every SELECT drawn here);
optimize_projections narrows the scan and, over two row numbers (a tag argument), projects the
scan's columns again between the windows (the second does not read the first's number).
"""
from __future__ import annotations

from tests.dialects.test_v3_explain_show import planner_catalog, rows  # noqa: F401 - fixture

RN = "row_number() ORDER BY [usage_idle DESC NULLS LAST, time ASC NULLS LAST] ROWS BETWEEN UNBOUNDED PRECEDING AND " \
     "CURRENT ROW"
WINDOW = ("WindowAggr: windowExpr=[[row_number() ORDER BY [cpu.usage_idle DESC NULLS LAST, cpu.time ASC NULLS LAST] "
          f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW AS {RN}]]")
HEAD = ['Sort: time ASC NULLS LAST',
        '  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time, cpu.usage_idle AS top']


def test_top_through_datafusions_rules(planner_catalog):  # noqa: F811 - the fixture
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT top(usage_idle,10) FROM cpu")
    assert got["logical_plan after type_coercion"][0].split("\n")[2] == (
        f"    Filter: CAST({RN} AS Decimal128(20, 0)) <= CAST(Int64(10) AS Decimal128(20, 0))")
    assert got["logical_plan after simplify_expressions"][0].split("\n")[2] == f"    Filter: {RN} <= UInt64(10)"
    assert got["logical_plan"] == ["\n".join([
        *HEAD, f"    Filter: {RN} <= UInt64(10)", "      " + WINDOW,
        "        TableScan: cpu projection=[time, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"])]


def test_a_tag_argument_projects_the_scan_again_between_the_windows(planner_catalog):  # noqa: F811
    (plan,) = rows(planner_catalog, "EXPLAIN SELECT bottom(usage_idle, host, 2), usage_user FROM cpu GROUP BY region")[
        "logical_plan"]
    lines = plan.split("\n")
    assert [line.strip().split(":")[0] for line in lines] == [
        "Sort", "Projection", "Filter", "WindowAggr", "Projection", "Filter", "WindowAggr", "TableScan"]
    assert lines[2].endswith("<= UInt64(2)") and lines[5].endswith("<= UInt64(1)")
    assert lines[4] == "        Projection: cpu.host, cpu.region, cpu.time, cpu.usage_idle, cpu.usage_user"
    assert lines[7] == ("              TableScan: cpu projection=[host, region, time, usage_idle, usage_user], "
                        "full_filters=[cpu.usage_idle IS NOT NULL OR cpu.usage_user IS NOT NULL]")

