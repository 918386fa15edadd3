"""The physical plan of a raw SELECT with LIMIT or OFFSET in the influxdb3 dialect (rawlimit3.py).

Quoted, from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b:

- ``iox_query/src/exec/series_limit/physical.rs`` SeriesLimitExec's Display: ``"SeriesLimitExec: series=[{}],
  order=[{}], limit_expr=[{}]"`` then ``", skip={}"`` when ``self.skip > 0`` and ``", fetch={}"`` when set;
  PhysicalLimitExpr's: ``"{} {}NULLS (default: {})"`` with ``"IGNORE "`` or ``"RESPECT "``;
  required_input_distribution: ``Distribution::SinglePartition`` when ``self.series_expr.is_empty()``;
- ``iox_query/src/physical_optimizer/sort/order_union_sorted_inputs.rs``, test_limit_mix_record_batch_parquet_2_desc,
  the optimized plan's line ``"   ProgressiveEvalExec: input_ranges=[(2001)->(3500), (1000)->(2000)]"`` in place
  of its ``SortPreservingMergeExec`` (lexical_range.rs: a range prints as ``"({})->({})"``);
- ``iox_query/src/physical_optimizer/sort/lexical_range.rs`` are_disjoint: ``start_exclusive = min > prev min &&
  min >= prev max``, ``end_exclusive = max >= prev min && max > prev max``, or equal constants.

Derived, not printed by v3 (no snapshot holds a plan under a SeriesLimit): the merge DataFusion 50.1 adds for
SeriesLimitExec's requirement (``SortPreservingMergeExec: [time@0 ASC NULLS LAST]`` over a union of sorted
Parquet files, no SortExec; a SortExec right over an unsorted one; printed once, by hand, under a stand-in
with the same requirement), IOx's projection pushdown of the plain ``time, <fields>`` projection into the scan,
and the partitions' ranges from their chunks' times (scanplan3.partition_ranges).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.influxql.dialects.rawlimit3 import merge

from .physical_plans import physical

DAY = 86400 * 10**9
RANGE = "WHERE time >= 0 AND time < 30d"
DEDUP = [  # a group of rows not yet persisted, read as ``time, f`` (scanplan3.scan)
    "CoalesceBatchesExec: target_batch_size=8192",
    "FilterExec: f@1 IS NOT NULL",
    "ProjectionExec: expr=[time@0 as time, f@1 as f]",
    "DeduplicateExec: [time@0 ASC]",
    "SortExec: expr=[time@0 ASC, __chunk_order@2 ASC], preserve_partitioning=[false]",
    "CoalesceBatchesExec: target_batch_size=8192",
    "FilterExec: time@0 >= 0 AND time@0 <= 2591999999999999",
    "RecordBatchesExec: chunks=1, projection=[time, f, __chunk_order]"]
HEAD = ["ProjectionExec: expr=[m as iox::measurement, time@0 as time, f@1 as f]",
        "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[f@1 IGNORE NULLS (default: NULL)], "
        "fetch=2"]


@pytest.fixture
def store():
    s = tsdb_core.open(dialect="influxdb3")
    # one write per partition (this store's 7-day windows, from 1970-01-05): each piece's range its own rows'
    assert s.write("db", f"m f=1 {10**9}\nm f=2 {2 * 10**9}").ok
    assert s.write("db", f"m f=3 {5 * DAY}\nm f=4 {6 * DAY}").ok
    yield s
    s.close()


def test_one_partition_reads_its_rows_in_order(store):
    assert physical(store, "SELECT f FROM m WHERE time >= 0 AND time < 3d LIMIT 2") == [
        *HEAD, *DEDUP[:6], "FilterExec: time@0 >= 0 AND time@0 <= 259199999999999", DEDUP[7]]


def test_several_partitions_in_disjoint_ranges_are_read_one_after_the_other(store):
    assert physical(store, f"SELECT f FROM m {RANGE} LIMIT 2") == [
        *HEAD, f"ProgressiveEvalExec: input_ranges=[(1000000000)->(2000000000), ({5 * DAY})->({6 * DAY})]",
        "UnionExec", *DEDUP, *DEDUP]


def test_offset_alone_prints_a_skip_and_no_fetch(store):
    got = physical(store, f"SELECT f FROM m {RANGE} OFFSET 1")
    assert got[1] == ("SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], "
                      "limit_expr=[f@1 IGNORE NULLS (default: NULL)], skip=1")


def test_each_field_is_limited_and_read_in_the_selects_order(store):
    assert store.write("db", f"m g=5i {3 * 10**9}").ok
    got = physical(store, "SELECT g, f FROM m WHERE time >= 0 AND time < 3d LIMIT 1 OFFSET 2")
    assert got[:2] == ["ProjectionExec: expr=[m as iox::measurement, time@0 as time, g@1 as g, f@2 as f]",
                       "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[g@1 IGNORE NULLS "
                       "(default: NULL), f@2 IGNORE NULLS (default: NULL)], skip=2, fetch=1"]
    assert got[-1] == "RecordBatchesExec: chunks=1, projection=[time, g, f, __chunk_order]"


def test_a_file_is_read_sorted_without_a_sort(store):
    store.flush()
    got = physical(store, "SELECT f FROM m WHERE time >= 0 AND time < 3d LIMIT 2")
    assert got[:2] == HEAD and len(got) == 3
    assert got[2].startswith("DataSourceExec: file_groups={1 group: [[memory/1.parquet]]}, projection=[time, f], "
                             "output_ordering=[time@0 ASC], file_type=parquet, predicate=")


def test_files_read_together_are_sorted_under_the_limit(store):
    store.flush()
    got = physical(store, f"SELECT f FROM m {RANGE} LIMIT 2")
    assert got[:3] == [*HEAD, "SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]"]
    assert got[3].startswith("DataSourceExec: file_groups={1 group: [[memory/1.parquet, memory/2.parquet]]}, "
                             "projection=[time, f], file_type=parquet")


@pytest.mark.parametrize("ranges,merged", [
    ([(1, 2), (5, 6)], "ProgressiveEvalExec: input_ranges=[(1)->(2), (5)->(6)]"),
    ([(1, 2), (2, 6)], "ProgressiveEvalExec: input_ranges=[(1)->(2), (2)->(6)]"),  # touching: min >= prev max
    ([(1, 3), (2, 6)], "SortPreservingMergeExec: [time@0 ASC NULLS LAST]"),  # overlapping
    ([(4, 4), (4, 4)], "ProgressiveEvalExec: input_ranges=[(4)->(4), (4)->(4)]"),  # equal constants
    ([(4, 4), (4, 6)], "SortPreservingMergeExec: [time@0 ASC NULLS LAST]"),  # min not past the previous min
])
def test_disjoint_ranges_as_are_disjoint_decides(ranges, merged):
    assert merge(ranges) == merged


@pytest.mark.parametrize("q", [
    f"SELECT f FROM m {RANGE} ORDER BY time DESC LIMIT 2",
    f"SELECT f FROM t {RANGE} LIMIT 2",  # a table with tags: partitions sorted on the tags first
    f"SELECT f FROM t {RANGE} GROUP BY host LIMIT 2",
])
def test_other_shapes_stay_this_stores(store, q):
    assert store.write("db", f"t,host=a f=1 {10**9}").ok
    assert physical(store, q)[0].startswith("Project [")


def test_without_a_limit_the_final_sorts_merge_is_swapped_too(store):
    """order_union_sorted_inputs swaps any SortPreservingMergeExec over disjoint sorted partitions: the final
    Sort's (selectplan3.py) as well, its key the measurement projection's time column."""
    assert physical(store, f"SELECT f FROM m {RANGE}")[:3] == [
        f"ProgressiveEvalExec: input_ranges=[(1000000000)->(2000000000), ({5 * DAY})->({6 * DAY})]",
        "ProjectionExec: expr=[m as iox::measurement, time@1 as time, f@0 as f]", "UnionExec"]


def test_group_by_time_under_a_limit_over_several_partitions(store):
    """aggexec3.py: SeriesLimitExec's one partition is the Final aggregate's; DataFusion 50.1 printed
    ``SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]`` over the projection over
    ``AggregateExec: mode=Final`` / ``CoalescePartitionsExec`` / ``AggregateExec: mode=Partial`` / ``UnionExec``
    for a stand-in bucket UDF under the same stand-in requirement (once, by hand)."""
    got = physical(store, f"SELECT count(f) FROM m {RANGE} GROUP BY time(1d) fill(none) LIMIT 2 OFFSET 1")
    assert got[:8] == [
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, count@1 as count]",
        "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[count@1 RESPECT NULLS (default: "
        "NULL)], skip=1, fetch=2",
        "SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[time@0 as time, count(m.f)@1 as count]",
        "AggregateExec: mode=Final, gby=[time@0 as time], aggr=[count(m.f)]",
        "CoalescePartitionsExec",
        "AggregateExec: mode=Partial, gby=[date_bin_wallclock(IntervalMonthDayNano { months: 0, days: 0, "
        "nanoseconds: 86400000000000 }, time@1, 0) as time], aggr=[count(m.f)]",
        "UnionExec"]
    (res,) = store.query(f"SELECT count(f) FROM m {RANGE} GROUP BY time(1d) fill(none) LIMIT 2 OFFSET 1",
                         db="db").to_json()["results"]
    assert res["series"][0]["values"] == [["1970-01-06T00:00:00Z", 1], ["1970-01-07T00:00:00Z", 1]]


def test_group_by_tags_under_a_limit_over_several_partitions_stays_this_stores(store):
    assert store.write("db", f"m,host=a f=5 {DAY}").ok
    got = physical(store, f"SELECT count(f) FROM m {RANGE} GROUP BY time(1d), host LIMIT 2")
    assert not got[0].startswith("ProjectionExec")
