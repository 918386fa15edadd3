"""The physical plan of a raw SELECT over a table with no rows in the range (influxdb3 dialect).

Quoted, from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b (iox_query/src):

- ``provider/physical.rs`` test_chunks_to_physical_nodes_empty: ``@r#"- " EmptyExec""#`` (no chunks);
- ``physical_optimizer/dedup/split.rs`` test_no_chunks: input ``" DeduplicateExec: [tag1@1 ASC,tag2@2 ASC,
  time@3 ASC]"``, ``"   EmptyExec"``; output ``" EmptyExec"``;
- ``physical_optimizer/predicate_pushdown.rs`` test_empty_no_rows: input ``" FilterExec: tag1@0 = foo"``,
  ``"   EmptyExec"``; output ``" EmptyExec"``;
- ``physical_optimizer/projection_pushdown.rs`` test_empty_pushdown_select: input ``" ProjectionExec:
  expr=[tag1@0 as tag1]"``, ``"   EmptyExec"``; output ``" EmptyExec"``.

So IOx's scan of a table without chunks in the range (provider.rs scan: Projection over Filter over
Deduplicate over the chunks) is one EmptyExec after its rules; above it, the plan of a scan whose rows
come unordered (test_v3_explain_physical_*.py): DataFusion's SortExec over the measurement's projection.
No end-to-end snapshot holds that whole plan: derived, not printed by v3.

The same EmptyExec under an aggregate, a GROUP BY time (window) or a SHOW TAG VALUES / TAG KEYS ... WHERE:
the plan of unordered rows above it (aggexec3.py: no ``ordering_mode``, the SortExec GapFillExec needs),
except where DataFusion's aggregate_statistics answers the Aggregate from the EmptyExec's exact statistics
(0 rows): count alone, without GROUP BY (DataFusion 50.1 printed ``ProjectionExec: expr=[0 as count(e.a), 0 as
c]`` over ``PlaceholderRowExec`` for count(a), count(1) over an empty table, and kept the AggregateExec with
avg() or sum() beside count(1), once, by hand; no dependency): not drawn, this store's plan.
"""
from __future__ import annotations

import pytest

import tsdb_core

from .physical_plans import physical

TEN_S = "IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 10000000000 }"


@pytest.fixture
def store():
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", "m,t=a f=1 1000000000\nm,t=b f=2 2000000000\nn g=1 1000000000").ok
    yield s
    s.close()


CASES = [
    ("SELECT f FROM m WHERE time >= 100s",
     ["SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, time@1 as time, f@0 as f]", "EmptyExec"]),
    ("SELECT f FROM m WHERE time >= 100s ORDER BY time DESC",
     ["SortExec: expr=[time@1 DESC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, time@1 as time, f@0 as f]", "EmptyExec"]),
    ("SELECT f, t FROM m WHERE time >= 100s AND t = 'a'",
     ["SortExec: expr=[time@1 ASC NULLS LAST, t@3 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, time@2 as time, f@0 as f, t@1 as t]", "EmptyExec"]),
    ("SELECT f FROM m WHERE time >= 0 AND time < 500ms",
     ["SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, time@1 as time, f@0 as f]", "EmptyExec"]),
    ("SELECT g FROM n WHERE time >= 100s LIMIT 2 OFFSET 1",  # rawlimit3.py: the SeriesLimit's sort over it
     ["ProjectionExec: expr=[n as iox::measurement, time@0 as time, g@1 as g]",
      "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[g@1 IGNORE NULLS (default: NULL)], "
      "skip=1, fetch=2",
      "SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]", "EmptyExec"]),
    ("SELECT mean(f), sum(f) FROM m WHERE time >= 100s",
     ["ProjectionExec: expr=[m as iox::measurement, 100000000000 as time, avg(m.f)@0 as mean, sum(m.f)@1 as sum]",
      "CoalesceBatchesExec: target_batch_size=8192", "FilterExec: __aggr_count@2 > 0",
      "AggregateExec: mode=Single, gby=[], aggr=[avg(m.f), sum(m.f), __aggr_count]", "EmptyExec"]),
    ("SELECT mean(f) FROM m WHERE time >= 100s AND time < 200s GROUP BY time(10s)",
     ["SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, time@0 as time, avg(m.f)@1 as mean]",
      f"GapFillExec: series_expr=[], time_expr=date_bin_wallclock({TEN_S}, time@0, 0), fill_expr=[avg(m.f)@1], "
      'time_range=Included("100000000000")..Included("199999999999")',
      "SortExec: expr=[time@0 ASC], preserve_partitioning=[false]",
      f"AggregateExec: mode=Single, gby=[date_bin_wallclock({TEN_S}, time@1, 0) as time], aggr=[avg(m.f)]",
      "EmptyExec"]),
    ("SELECT mean(f) FROM m WHERE time >= 100s GROUP BY t",
     ["SortExec: expr=[t@2 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, 100000000000 as time, t@0 as t, avg(m.f)@1 as mean]",
      "AggregateExec: mode=Single, gby=[t@1 as t], aggr=[avg(m.f)]", "EmptyExec"]),
    ("SHOW TAG VALUES WITH KEY = t WHERE time >= 100s",
     ["SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, t as key, t@0 as value]",
      "AggregateExec: mode=Single, gby=[t@0 as t], aggr=[]", "EmptyExec"]),
    ("SHOW TAG KEYS FROM m WHERE time >= 100s",
     ["SortExec: expr=[tagKey@1 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, tagKey@0 as tagKey]", "CoalesceBatchesExec: target_batch_size=8192",
      "FilterExec: tagKey@0 IS NOT NULL", "UnnestExec",
      "ProjectionExec: expr=[make_array(CASE WHEN t@0 > 0 THEN t END) as tagKey]",
      "AggregateExec: mode=Single, gby=[], aggr=[t]", "EmptyExec"]),
]


def test_count_alone_over_no_rows_keeps_this_stores_plan(store):
    # aggregate_statistics would answer it from the EmptyExec's statistics: not drawn
    assert physical(store, "SELECT count(f) FROM m WHERE time >= 100s")[0] == "Project [time, count(f::float) AS count]"
    assert physical(store, "SELECT count(f), mean(f) FROM m WHERE time >= 100s")[-1] == "EmptyExec"


@pytest.mark.parametrize(("q", "plan"), CASES)
def test_no_rows_in_range_is_an_empty_exec(store, q, plan):
    assert physical(store, q) == plan


@pytest.mark.parametrize("flush", [False, True])
def test_rows_in_range_are_scanned_not_empty(store, flush):
    if flush:
        store.flush()
    lines = physical(store, "SELECT f FROM m WHERE time >= 0")
    assert "EmptyExec" not in lines
    assert any(line.startswith(("RecordBatchesExec", "DataSourceExec")) for line in lines)
