"""The time ranges of rows not yet persisted, as InfluxDB 3's write buffer gives them to EXPLAIN's plans.

Quoted, from influxdata/influxdb (InfluxDB 3 Core) at d7834110b3:

- ``influxdb3_write/src/write_buffer/table_buffer.rs``: rows are buffered per chunk time
  (``buffer_chunk(&mut self, chunk_time: i64, rows: &[Row])``: one ``MutableTableChunk`` per window
  until it is full), and ``partitioned_record_batches`` keeps a chunk when
  ``filter.test_time_stamp_min_max(c.timestamp_min, c.timestamp_max)`` and ranges its partition by
  ``TimestampMinMax::new(c.timestamp_min, c.timestamp_max)`` unioned over the window's chunks
  (``*ts = ts.union(&ts_min_max)``): the rows' own first and last time in that window;
- ``influxdb3_write/src/lib.rs`` ChunkFilter::test_time_stamp_min_max:
  ``(Some(l), Some(u)) => min_time_ns <= u && max_time_ns >= l``.

This store's partitions stand for those windows (storage/reads.py ``pieces``); a write spanning two of
them holds rows in each, not the whole window up to its end. The range reaches EXPLAIN as IOx's
``ProgressiveEvalExec: input_ranges=[..]`` (rawlimit3.py, scanplan3.partition_ranges).
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.storage.partitions import window_start

from .physical_plans import physical

DAY = 86400 * 10**9
WEEK = 7 * DAY  # this store's partition windows (from 1970-01-05, 4 days after the epoch)


@pytest.fixture
def store():
    s = tsdb_core.open(dialect="influxdb3")
    yield s
    s.close()


def _buffered(s, start: int = -2**62, end: int = 2**62):
    return [(lo, hi) for _, path, lo, hi, _ in s.stored_pieces("db", None, "m", start, end) if not path]


def test_a_write_spanning_two_windows_is_ranged_by_its_rows_in_each(store):
    assert store.write("db", f"m f=1 {10**9}\nm f=2 {2 * 10**9}\nm f=3 {5 * DAY}\nm f=4 {6 * DAY}").ok
    assert _buffered(store) == [(10**9, 2 * 10**9), (5 * DAY, 6 * DAY)]  # was (1s, 4d - 1ns), (4d, 6d)
    got = physical(store, "SELECT f FROM m WHERE time >= 0 AND time < 30d LIMIT 2")
    assert got[2] == f"ProgressiveEvalExec: input_ranges=[(1000000000)->(2000000000), ({5 * DAY})->({6 * DAY})]"


def test_a_range_between_a_writes_rows_holds_no_buffered_chunk(store):
    assert store.write("db", f"m f=1 {10**9}\nm f=3 {5 * DAY}").ok
    assert _buffered(store, 2 * 10**9, 5 * DAY - 1) == []  # neither window's chunk overlaps it


def test_a_windows_writes_are_one_chunk_kept_whole(store):
    # two writes in one window: one MutableTableChunk ranged [1s, 3d], kept by a range between them
    assert store.write("db", f"m f=1 {10**9}").ok
    assert store.write("db", f"m f=2 {3 * DAY}").ok
    assert _buffered(store, 2 * 10**9, 2 * DAY) == [(10**9, 3 * DAY)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(-3 * WEEK, 3 * WEEK), min_size=1, max_size=6), min_size=1, max_size=3))
def test_buffered_ranges_are_each_windows_rows(writes):
    # the split of a spanning write and a write within one window (its own range) agree with the rows
    s = tsdb_core.open(dialect="influxdb3")
    try:
        for times in writes:
            assert s.write("db", "\n".join(f"m f=1 {t}" for t in times)).ok
        want: dict[int, tuple[int, int]] = {}
        for t in (t for times in writes for t in times):
            lo, hi = want.get(window_start(t, WEEK), (t, t))
            want[window_start(t, WEEK)] = (min(lo, t), max(hi, t))
        assert _buffered(s) == [want[w] for w in sorted(want)]
    finally:
        s.close()
