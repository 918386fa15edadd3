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

Only fill(none) is drawn: GapFillExec (and SeriesLimitExec) require their input hash-partitioned on the
series (influxdb3_core 349d802b iox_query ``exec/gapfill/mod.rs`` lines 552-561 and
``exec/series_limit/physical.rs`` lines 547-553, required_input_distribution), which
DataFusion 50 cannot be asked to print with a stand-in.
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


@pytest.mark.parametrize("q", [
    f"SELECT count(f) FROM m {RANGE} GROUP BY time(1s), host",  # gap-filled: GapFillExec's hash requirement
    f"SELECT count(f) FROM m {RANGE} GROUP BY time(1s), host fill(previous)",
    f"SELECT count(f) FROM m {RANGE} GROUP BY time(1s), host fill(none) LIMIT 1",  # SeriesLimitExec's
])
def test_gap_filled_or_limited_time_and_tags_over_two_partitions_are_not_drawn(store, q):
    assert not any(line.startswith("AggregateExec") for line in physical(store, q))
