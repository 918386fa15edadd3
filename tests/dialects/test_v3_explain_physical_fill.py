"""fill(<value>) under GROUP BY time in the influxdb3 dialect's physical plan (aggexec3.py).

Sources (influxdb3_core 349d802b):
- iox_query_influxql ``plan/planner.rs`` limit (lines 2301-2377): a value fill puts a SeriesLimit over
  the fields' projection even without LIMIT/OFFSET, each field's default
  ``number_to_scalar(n, <its type>)``; its snapshot
  ``..__group_by_time_gapfill_coalesces_the_fill_value.snap``: ``SeriesLimit: series=[], order=[time ASC
  NULLS LAST], limit_expr=[count RESPECT NULLS (default: Int64(3))]`` over ``Projection: time,
  coalesce_struct(count(data.f64_field), Int64(3)) AS count`` over ``GapFill: .. fill=[COALESCE(
  count(data.f64_field), 3)]`` for ``FILL(3.2)``.
- iox_query ``exec/gapfill/mod.rs`` FillStrategy::display_with_expr (lines 111-119): ``Default(val)``
  prints ``COALESCE({expr}, {val})``; GapFillExec's DisplayAs (lines 640-675) prints it over the
  physical column.
- iox_query ``exec/series_limit/mod.rs`` plan_series_limit (lines 106-116) keeps the planner's literal
  as the default; ``physical.rs`` PhysicalLimitExpr's Display (lines 69-82): ``{expr} RESPECT NULLS
  (default: {value})``; SeriesLimitExec's DisplayAs (lines 565-607) prints ``skip`` only when > 0 and
  ``fetch`` only when set.
- DataFusion's ScalarValue Display and ScalarFunctionExpr's ``name(arg, arg)``: datafusion-python 50.1.0
  printed ``coalesce(count(m.f)@1, 3) as c, coalesce(avg(m.f)@2, 3.5) as a, coalesce(avg(m.f)@2, 0) as z``
  for ``coalesce(count(f), 3)``, ``coalesce(avg(f), 3.5)``, ``coalesce(avg(f), 0.0)`` over an AggregateExec
  (once, by hand; no dependency).
The sorts around the SeriesLimitExec are the LIMIT's (test_v3_explain_physical_agg.py).
"""
from __future__ import annotations

import pytest

from .physical_plans import STRIDE, physical, v3_store


@pytest.fixture
def store():
    yield from v3_store()


def test_a_value_fill_is_coalesced_and_series_limited(store):
    store.flush()
    got = physical(store, "SELECT count(f), mean(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(3.5)")
    assert got[:7] == [
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, count@1 as count, mean@2 as mean]",
        # count's default is number_to_scalar(3.5, Int64): 3
        "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[count@1 RESPECT NULLS (default: 3), "
        "mean@2 RESPECT NULLS (default: 3.5)]",
        "SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[time@0 as time, coalesce_struct(count(m.f)@1, 3) as count, "
        "coalesce_struct(avg(m.f)@2, 3.5) as mean]",
        f"GapFillExec: series_expr=[], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), "
        'fill_expr=[COALESCE(count(m.f)@1, 3), COALESCE(avg(m.f)@2, 3.5)], time_range=Included("0")..Included("4999999999")',
        "SortExec: expr=[time@0 ASC], preserve_partitioning=[false]",
        f"AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@4, 0) as time], aggr=[count(m.f), avg(m.f)]"]
    # under the SeriesLimit the scan reads every column (optimize_projections stops at it)
    assert got[7].startswith("DataSourceExec: file_groups={1 group: [[") and "projection=[f, g, host, region, time]" in got[7]


@pytest.mark.parametrize("q,limit_expr,fields,fills", [
    # an integer sum: the value truncated (util.rs number_to_scalar: ``as i64``)
    ("SELECT sum(g) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(-2.7)",
     "sum@1 RESPECT NULLS (default: -2)", "coalesce_struct(sum(m.g)@1, -2) as sum", "COALESCE(sum(m.g)@1, -2)"),
    ("SELECT mean(f) AS a, count(f) AS b FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(0)",
     "a@1 RESPECT NULLS (default: 0), b@2 RESPECT NULLS (default: 0)",
     "coalesce_struct(avg(m.f)@1, 0) as a, coalesce_struct(count(m.f)@2, 0) as b",
     "COALESCE(avg(m.f)@1, 0), COALESCE(count(m.f)@2, 0)"),
])
def test_value_fills_by_type(store, q, limit_expr, fields, fills):
    got = physical(store, q)
    assert got[1].endswith(f"limit_expr=[{limit_expr}]")
    assert got[3] == f"ProjectionExec: expr=[time@0 as time, {fields}]"
    assert f"fill_expr=[{fills}]" in got[4]


def test_a_value_fill_with_limit_and_offset(store):
    got = physical(store, "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(7) "
                          "ORDER BY time DESC LIMIT 2 OFFSET 1")
    assert got[:4] == [
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, count@1 as count]",
        "SeriesLimitExec: series=[], order=[time@0 DESC NULLS LAST], limit_expr=[count@1 RESPECT NULLS (default: 7)], "
        "skip=1, fetch=2",
        "SortExec: expr=[time@0 DESC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[time@0 as time, coalesce_struct(count(m.f)@1, 7) as count]"]


def test_a_value_fill_over_several_partitions_reads_the_final_aggregate(store):
    """Without GROUP BY tags the SeriesLimitExec's one partition is the Final aggregate's (aggexec3.py)."""
    store.flush()
    assert store.write("db", "m,host=a,region=r f=3,g=4i 3000000000").ok
    got = physical(store, "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(1)")
    assert got[3:9] == [
        "ProjectionExec: expr=[time@0 as time, coalesce_struct(count(m.f)@1, 1) as count]",
        f"GapFillExec: series_expr=[], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), fill_expr=[COALESCE("
        'count(m.f)@1, 1)], time_range=Included("0")..Included("4999999999")',
        "SortExec: expr=[time@0 ASC], preserve_partitioning=[false]",
        "AggregateExec: mode=Final, gby=[time@0 as time], aggr=[count(m.f)]", "CoalescePartitionsExec",
        f"AggregateExec: mode=Partial, gby=[date_bin_wallclock({STRIDE}, time@4, 0) as time], aggr=[count(m.f)]"]
