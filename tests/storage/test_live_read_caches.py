"""What the reads of a store being written to keep between queries: each buffered chunk's
times and rows as arrays (``WriteBuffer.rows_between``), each piece's arrays per column list
(``Decoded._numeric_columns``). Each must answer as if nothing were kept, after any write."""
from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.storage.buffer import COALESCE_CHUNKS, WriteBuffer
from tsdb_core.storage.cache import Decoded

KEY = ("db", "autogen", "m")


def _frame(lo: int, n: int) -> pl.DataFrame:
    return pl.DataFrame({"time": np.arange(lo, lo + n, dtype=np.int64), "host": ["a"] * n,
                         "v": np.arange(n, dtype=np.float64)})


def _walked(buf: WriteBuffer, start: int, end: int) -> int:
    return sum(c.rows for c in buf.chunks(KEY) if c.tmax >= start and c.tmin <= end)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from([1, 2, 5, 5000]), st.booleans(),
                          st.integers(0, 600), st.integers(0, 600)), min_size=1, max_size=30))
def test_rows_between_follows_every_write(steps):
    """Asked after each write (appends, runs of small chunks joined into one, a drop), the kept
    arrays count what a walk of the chunks counts: a stale or unextended copy would count less."""
    buf = WriteBuffer()
    for lo, n, drop, a, b in steps:
        if drop and len(buf.chunks(KEY)) > COALESCE_CHUNKS:
            buf.drop(lambda k: k == KEY)
        buf.add(KEY, _frame(lo, n), ("host",))
        start, end = min(a, b), max(a, b)
        assert buf.rows_between(KEY, start, end) == _walked(buf, start, end)
    assert buf.rows_between(("db", "autogen", "other"), 0, 10**9) == 0


def test_rows_between_after_small_chunks_are_joined():
    """Seven one-row chunks counted, then an eighth joins all eight into one chunk (the list
    shrinks): the count is of the joined chunk, not of the arrays kept before."""
    buf = WriteBuffer()
    for i in range(COALESCE_CHUNKS - 1):
        buf.add(KEY, _frame(i * 10, 1), ("host",))
    assert buf.rows_between(KEY, 0, 1000) == COALESCE_CHUNKS - 1
    buf.add(KEY, _frame(500, 1), ("host",))
    assert len(buf.chunks(KEY)) == 1
    assert buf.rows_between(KEY, 0, 1000) == COALESCE_CHUNKS
    assert buf.rows_between(KEY, 495, 505) == COALESCE_CHUNKS  # (the joined chunk spans 0..500)
    buf.add(KEY, _frame(2000, 3), ("host",))
    assert buf.rows_between(KEY, 1500, 2500) == 3


def test_store_row_estimate_sees_each_write(tmp_path):
    """The store's estimate counts a write's rows from the next query on."""
    with tsdb_core.open(tmp_path, config=StoreConfig(wal_fsync=False)) as s:
        counts = []
        for i in range(1, 4):
            s.write("db", "\n".join(f"m,host=h{j} v={j} {i * 100 + j}" for j in range(i)))
            counts.append(s.row_estimate("db", None, "m", 0, 10**6))
        assert counts == [1, 3, 6]
        assert s.row_estimate("db", None, "m", 200, 299) == 2


def test_numeric_columns_kept_per_column_list():
    """Arrays asked for one column list, then another, then the first again: each answer holds
    its own columns (kept by the list asked for), the same arrays each time."""
    frame = pl.DataFrame({"time": [1, 2, 3], "host": ["a", "a", "a"], "u": [1.0, 2.0, 3.0],
                          "w": [7, 8, 9], "s": ["x", "y", "z"]})
    dec = Decoded(frame, ["host"])
    tags = {"host": ["a"]}
    first = dec.series_arrays(tags, 0, 10, ["time", "u"])
    assert first[0] == {"host": "a"} and first[1]["u"].tolist() == [1.0, 2.0, 3.0]
    assert dec.series_arrays(tags, 0, 10, ["time", "w"])[1]["w"].tolist() == [7, 8, 9]
    assert dec.series_arrays(tags, 0, 10, ["time", "s"]) is None  # (strings: no arrays)
    again = dec.series_arrays(tags, 2, 10, ["time", "u"])[1]
    assert again["u"].tolist() == [2.0, 3.0] and again["time"].tolist() == [2, 3]
    assert dec.series_run(tags, 0, 10, ["time", "u"])[0][1] is dec.series_run(tags, 0, 10, ["time", "u"])[0][1]
