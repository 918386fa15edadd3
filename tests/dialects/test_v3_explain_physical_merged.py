"""GROUP BY time and tags over several partitions in the influxdb3 dialect's physical plan (aggexec3.py).

Ground truth: DataFusion 50.1 (datafusion-python 50.1.0, target_partitions=1, once, by hand; no
dependency), over a UNION ALL of two Parquet files each sorted on host, region, time (IOx's chunk groups
in a UnionExec, scanplan3.py) with a stand-in ``date_bin_wallclock`` UDF, for
``SELECT .. FROM (SELECT date_bin_wallclock(..) AS time, <tags>, count(f) .. GROUP BY 1, <tags>) ORDER BY
<tags> ASC NULLS LAST, time ASC NULLS LAST`` printed (the bucket's long name shortened to BIN here):

- tags host, region (the files' order)::

    SortExec: expr=[host@2 ASC NULLS LAST, region@3 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]
      ProjectionExec: expr=[m as mm, BIN@0 as time, host@1 as host, region@2 as region, count(m.f)@3 as count]
        AggregateExec: mode=Final, gby=[BIN@0 as BIN, host@1 as host, region@2 as region], aggr=[count(m.f)], ordering_mode=PartiallySorted([1, 2])
          SortPreservingMergeExec: [host@1 ASC NULLS LAST, region@2 ASC NULLS LAST]
            SortExec: expr=[host@1 ASC NULLS LAST, region@2 ASC NULLS LAST], preserve_partitioning=[true]
              AggregateExec: mode=Partial, gby=[date_bin_wallclock(.., time@3, 0) as BIN, host@1 as host, region@2 as region], aggr=[count(m.f)], ordering_mode=PartiallySorted([1, 2])
                UnionExec

  (tag host alone: the same, merged on ``host@1 ASC NULLS LAST``, ``PartiallySorted([1])``);
- tag region alone (not sorted: host, first in the key, is not read)::

    AggregateExec: mode=Final, gby=[BIN@0 as BIN, region@1 as region], aggr=[count(m.f)]
      CoalescePartitionsExec
        AggregateExec: mode=Partial, gby=[date_bin_wallclock(.., time@2, 0) as BIN, region@1 as region], aggr=[count(m.f)]

Gap-filled (fill(null), fill(previous), fill(linear)), derived, not printed: GapFillExec requires its
input hash-partitioned on the series and sorted on them, then time (influxdb3_core 349d802b iox_query
``exec/gapfill/mod.rs`` lines 552-567, required_input_distribution and required_input_ordering). At one
target partition the Final aggregate's output is one partition, which satisfies any hash requirement
(DataFusion physical-expr ``partitioning.rs`` Partitioning::satisfy: "When partition count is 1, hash
requirement is satisfied."): EnforceDistribution adds nothing, EnforceSorting a SortExec ``[<series>
ASC, time ASC]`` over the Final aggregate, as over the Single one of one partition
(test_v3_explain_physical_fill.py). What lies under the Final aggregate does not change: DataFusion
50.1 printed the same Final/merge/Partial rows under a stand-in that asks for a hash partitioning and
an order as GapFillExec does (``row_number() OVER (PARTITION BY host, region ORDER BY ..)``: its
SortExec above the Final aggregate), and under none at all.
Under GROUP BY time and tags a LIMIT is not drawn: SeriesLimitExec's hash requirement on the series
(``exec/series_limit/physical.rs`` lines 547-553) over a Partial/Final pair was not followed. Under
GROUP BY time alone it is (no series: its one partition the Final aggregate's,
test_v3_explain_physical_limit.py).
"""
from __future__ import annotations

import pytest

import tsdb_core

from .physical_plans import STRIDE, physical


@pytest.fixture
def store():
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", "m,host=a,region=r f=1,g=2i 1000000000\nm,host=b,region=r f=2,g=3i 2000000000\n").ok
    s.flush()
    assert s.write("db", "m,host=a,region=r f=3,g=4i 3000000000").ok  # after the file: a second group
    yield s
    s.close()


RANGE = "WHERE time >= 0 AND time < 10s"


@pytest.mark.parametrize("tags,head", [
    ("host, region", [
        "SortExec: expr=[host@2 ASC NULLS LAST, region@3 ASC NULLS LAST, time@1 ASC NULLS LAST], "
        "preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, host@1 as host, region@2 as region, "
        "count(m.f)@3 as count]",
        "AggregateExec: mode=Final, gby=[time@0 as time, host@1 as host, region@2 as region], aggr=[count(m.f)], "
        "ordering_mode=PartiallySorted([1, 2])",
        "SortPreservingMergeExec: [host@1 ASC NULLS LAST, region@2 ASC NULLS LAST]",
        "SortExec: expr=[host@1 ASC NULLS LAST, region@2 ASC NULLS LAST], preserve_partitioning=[true]",
        f"AggregateExec: mode=Partial, gby=[date_bin_wallclock({STRIDE}, time@3, 0) as time, host@1 as host, "
        "region@2 as region], aggr=[count(m.f)], ordering_mode=PartiallySorted([1, 2])",
        "UnionExec"]),
    ("host", [
        "SortExec: expr=[host@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, host@1 as host, count(m.f)@2 as count]",
        "AggregateExec: mode=Final, gby=[time@0 as time, host@1 as host], aggr=[count(m.f)], "
        "ordering_mode=PartiallySorted([1])",
        "SortPreservingMergeExec: [host@1 ASC NULLS LAST]",
        "SortExec: expr=[host@1 ASC NULLS LAST], preserve_partitioning=[true]",
        f"AggregateExec: mode=Partial, gby=[date_bin_wallclock({STRIDE}, time@2, 0) as time, host@1 as host], "
        "aggr=[count(m.f)], ordering_mode=PartiallySorted([1])",
        "UnionExec"]),
    ("region", [
        "SortExec: expr=[region@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, region@1 as region, count(m.f)@2 as count]",
        "AggregateExec: mode=Final, gby=[time@0 as time, region@1 as region], aggr=[count(m.f)]",
        "CoalescePartitionsExec",
        f"AggregateExec: mode=Partial, gby=[date_bin_wallclock({STRIDE}, time@2, 0) as time, region@1 as region], "
        "aggr=[count(m.f)]",
        "UnionExec"]),
])
def test_time_and_tags_over_two_partitions(store, tags, head):
    got = physical(store, f"SELECT count(f) FROM m {RANGE} GROUP BY time(1s), {tags} fill(none)")
    assert got[:len(head)] == head


GAP = "time_range=Included(\"0\")..Included(\"9999999999\")"


@pytest.mark.parametrize("tags, fill, head", [
    ("host, region", "fill(previous)", [
        "SortExec: expr=[host@2 ASC NULLS LAST, region@3 ASC NULLS LAST, time@1 ASC NULLS LAST], "
        "preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@2 as time, host@0 as host, region@1 as region, "
        "count(m.f)@3 as count]",
        f"GapFillExec: series_expr=[host@1, region@2], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), "
        f"fill_expr=[LOCF(count(m.f)@3)], {GAP}",
        "SortExec: expr=[host@1 ASC, region@2 ASC, time@0 ASC], preserve_partitioning=[false]",
        "AggregateExec: mode=Final, gby=[time@0 as time, host@1 as host, region@2 as region], aggr=[count(m.f)], "
        "ordering_mode=PartiallySorted([1, 2])",
        "SortPreservingMergeExec: [host@1 ASC NULLS LAST, region@2 ASC NULLS LAST]",
        "SortExec: expr=[host@1 ASC NULLS LAST, region@2 ASC NULLS LAST], preserve_partitioning=[true]",
        f"AggregateExec: mode=Partial, gby=[date_bin_wallclock({STRIDE}, time@3, 0) as time, host@1 as host, "
        "region@2 as region], aggr=[count(m.f)], ordering_mode=PartiallySorted([1, 2])",
        "UnionExec"]),
    ("host", "", [  # fill(null): a count's default 0
        "SortExec: expr=[host@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@1 as time, host@0 as host, count(m.f)@2 as count]",
        f"GapFillExec: series_expr=[host@1], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), "
        f"fill_expr=[COALESCE(count(m.f)@2, 0)], {GAP}",
        "SortExec: expr=[host@1 ASC, time@0 ASC], preserve_partitioning=[false]",
        "AggregateExec: mode=Final, gby=[time@0 as time, host@1 as host], aggr=[count(m.f)], "
        "ordering_mode=PartiallySorted([1])",
        "SortPreservingMergeExec: [host@1 ASC NULLS LAST]"]),
    ("region", "fill(linear)", [
        "SortExec: expr=[region@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@1 as time, region@0 as region, count(m.f)@2 as count]",
        f"GapFillExec: series_expr=[region@1], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), "
        f"fill_expr=[INTERPOLATE(count(m.f)@2)], {GAP}",
        "SortExec: expr=[region@1 ASC, time@0 ASC], preserve_partitioning=[false]",
        "AggregateExec: mode=Final, gby=[time@0 as time, region@1 as region], aggr=[count(m.f)]",
        "CoalescePartitionsExec",
        f"AggregateExec: mode=Partial, gby=[date_bin_wallclock({STRIDE}, time@2, 0) as time, region@1 as region], "
        "aggr=[count(m.f)]",
        "UnionExec"]),
])
def test_gap_filled_time_and_tags_over_two_partitions(store, tags, fill, head):
    got = physical(store, f"SELECT count(f) FROM m {RANGE} GROUP BY time(1s), {tags} {fill}")
    assert got[:len(head)] == head


def test_limited_time_and_tags_over_two_partitions_are_not_drawn(store):
    """SeriesLimitExec's hash requirement over a Partial/Final pair: not followed."""
    q = f"SELECT count(f) FROM m {RANGE} GROUP BY time(1s), host fill(none) LIMIT 1"
    assert not any(line.startswith("AggregateExec") for line in physical(store, q))
