"""What the reads of a store being written to keep between queries: the buffered rows of each
time range asked for (``WriteBuffer.rows_between``), each piece's arrays per column list
(``Decoded._numeric_columns``), and which pieces hold each series' newest rows
(storage/newest_pieces.py). Each must answer as if nothing were kept, after any write."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.stores import pieces_and_flushed
from tsdb_core.base.config import StoreConfig
from tsdb_core.storage.buffer import COALESCE_CHUNKS, WriteBuffer
from tsdb_core.storage.cache import Decoded

KEY = ("db", "autogen", "m")


def _frame(lo: int, n: int) -> pl.DataFrame:
    return pl.DataFrame({"time": np.arange(lo, lo + n, dtype=np.int64), "host": ["a"] * n,
                         "v": np.arange(n, dtype=np.float64)})


def _walked(buf: WriteBuffer, start: int, end: int) -> int:
    return sum(c.rows for c in buf.chunks(KEY) if c.tmax >= start and c.tmin <= end)


@pytest.mark.no_catalog
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from([1, 2, 5, 5000]), st.booleans(),
                          st.integers(0, 600), st.integers(0, 600)), min_size=1, max_size=30))
def test_rows_between_follows_every_write(steps):
    """Asked after each write (appends, runs of small chunks joined into one, a drop), the kept
    counts are what a walk of the chunks counts: a count kept past a write would be short."""
    buf = WriteBuffer()
    for lo, n, drop, a, b in steps:
        if drop and len(buf.chunks(KEY)) > COALESCE_CHUNKS:
            buf.drop(lambda k: k == KEY)
        buf.add(KEY, _frame(lo, n), ("host",))
        for start, end in ((0, 10**9), (200, 400), (min(a, b), max(a, b))):  # (the first two asked again)
            assert buf.rows_between(KEY, start, end) == _walked(buf, start, end)
    assert buf.rows_between(("db", "autogen", "other"), 0, 10**9) == 0


@pytest.mark.no_catalog
def test_rows_between_after_small_chunks_are_joined():
    """Seven one-row chunks counted, then an eighth joins all eight into one chunk (the list
    shrinks): the count is of the joined chunk, not the one kept before."""
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


@pytest.mark.no_catalog
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


# -- each series' newest rows read from the newest pieces (storage/newest_pieces.py) -------------
WRITES = (  # one piece each, in this order
    "\n".join(f"m,host={h} v={t}i,w={t * 10}i {t}" for h in ("h1", "h2") for t in range(1, 6)),  # A: 1..5
    "\n".join(f"m,host=h3 v={t}i {t}" for t in range(3, 7)),  # C: h3 only, 3..6 (astride A), no w
    "\n".join(f"m,host=h1 v={t}i,w=1i {t}" for t in (10, 11)),  # B: h1 only
    "\n".join(f"m,host={h} v={t}i {t}" for h in ("h1", "h2", "h3") for t in (20,)),  # D: every host, no w
    "\n".join(f"m,host={h} v={t}i,w=2i {t}" for h in ("h1", "h2") for t in (0, 6)),  # X: astride A, ends after it
)
NEWEST = [f"SELECT {sel} FROM m {where} GROUP BY host ORDER BY time DESC LIMIT {n}"
          for sel in ("*", "w") for where in ("", "WHERE time <= 11", "WHERE time <= 8", "WHERE host = 'h2'", "WHERE time >= 4")
          for n in (1, 2, 3)] + ["SELECT last(w) FROM m GROUP BY host", "SELECT * FROM m ORDER BY time DESC LIMIT 2"]


def _newest_answers(store) -> list:
    return [store.query(q, db="db").to_json() for q in NEWEST]


@pytest.mark.no_catalog
def test_newest_rows_read_from_the_newest_pieces_answer_as_settled(monkeypatch):
    """Five pieces (no merge by size): each series' newest rows answer as the same lines flushed
    to a file, whatever n, time range or host (X ends after A but is not wholly newer: A's rows
    may still be some series' newest); the LIMIT 1 of every host reads D alone."""
    from tsdb_core.storage import buffer_view, newest_pieces, partitions
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    monkeypatch.setattr(buffer_view, "_by_size", lambda pieces, tags: pieces)
    with pieces_and_flushed(WRITES) as (live, settled):
        assert [p.decoded.frame.height for p in live._engine.state.buffer.views[KEY]._pieces] == [10, 4, 2, 3, 4]
        read = []
        real = partitions._piece_rows
        monkeypatch.setattr(partitions, "_piece_rows", lambda s, *a, **k: read.append(s.tmin) or real(s, *a, **k))
        assert _newest_answers(live) == _newest_answers(settled)
        read.clear()
        live.query("SELECT * FROM m GROUP BY host ORDER BY time DESC LIMIT 1", db="db")
        assert read == [20]
        monkeypatch.setattr(newest_pieces, "MOST_SERIES", 2)  # (pieces of more series: all read)
        read.clear()
        live.query("SELECT * FROM m GROUP BY host ORDER BY time DESC LIMIT 1", db="db")
        assert sorted(read) == [0, 1, 3, 10, 20]
