"""What reads keep between queries of a store being written to, and that a write, a catch-up
or a flush between two reads is seen: the sources of a buffer's snapshot (storage/reads.py),
the row count of its chunks (``BufferView.rows``), the runs matching a tag condition
(``Decoded._matching_runs``)."""
from __future__ import annotations

import threading

import numpy as np
import polars as pl
import pytest

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.storage import buffer_view
from tsdb_core.storage.buffer import COALESCE_CHUNKS, WriteBuffer
from tsdb_core.storage.cache import Decoded
from tsdb_core.storage.reads import _buffered

DB = "db"
KEY = (DB, "autogen", "m")


def _lines(host: str, times: range) -> str:
    return "\n".join(f"m,host={host} v={t}i {t}" for t in times)


def _count(store) -> int:
    return store.query("SELECT count(v) FROM m", db=DB).to_json()["results"][0]["series"][0]["values"][0][1]


def _sources(store):
    engine = store._engine
    with engine.state.lock:
        _, pending = engine.reads._sources(KEY, 0, 10**9)
    meta = engine.state.catalog.databases[DB].measurements["m"]
    return _buffered(pending, tuple(sorted(meta.tags)), meta.field_columns(), (0, 10**9))


@pytest.fixture
def store(monkeypatch):
    """A store whose buffered rows of ``m`` are read through a view, sorted by the query that finds
    new rows (no thread: each step is the test's), a tail of up to 100 rows left unsorted."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    s = tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=100,
                                                buffer_sort_quiet_s=3600.0))
    s.write(DB, _lines("a", range(0, 200)) + "\n" + _lines("b", range(0, 200)))
    yield s
    s.close()


@pytest.mark.no_catalog
def test_the_sources_of_one_snapshot_are_built_once(store):
    assert _count(store) == 400  # (the first read sorts the rows into a piece)
    first, again = _sources(store), _sources(store)
    assert [s.decoded is not None for s in first] == [True]
    assert len(again) == len(first) and all(a is b for a, b in zip(first, again))


@pytest.mark.no_catalog
def test_a_write_between_two_reads_is_seen(store):
    assert _count(store) == 400
    before = _sources(store)
    store.write(DB, _lines("a", range(500, 510)))  # a tail chunk (under tail_rows: left unsorted)
    after = _sources(store)
    assert len(after) == len(before) + 1 and after[-1].frame is not None and after[-1].tmin == 500
    assert _count(store) == 410
    store.write(DB, _lines("b", range(600, 601)))
    assert _count(store) == 411
    assert [s.tmax for s in _sources(store)][-1] == 600


@pytest.mark.no_catalog
def test_a_catch_up_and_a_flush_between_two_reads_are_seen(store):
    assert _count(store) == 400
    store.write(DB, _lines("a", range(500, 700)))  # past tail_rows: the next read sorts them
    assert _count(store) == 600
    pieces = _sources(store)
    assert all(s.decoded is not None for s in pieces) and max(s.tmax for s in pieces) == 699
    store.write(DB, _lines("a", range(700, 705)))
    store.flush()
    assert _sources(store) == [] and _count(store) == 605


@pytest.mark.no_catalog
def test_the_row_count_follows_appends_and_joins():
    buf = WriteBuffer()
    view = buf.view(KEY)
    frame = pl.DataFrame({"time": [1, 2, 3], "host": ["a"] * 3, "v": [1.0, 2.0, 3.0]})
    counts = []
    for i in range(COALESCE_CHUNKS + 1):  # the eighth small chunk joins the last eight into one
        buf.add(KEY, frame.with_columns(pl.col("time") + 10 * i), ("host",))
        counts.append((len(buf.chunks(KEY)), view.rows(list(buf.chunks(KEY)))))
    assert counts == [(1, 3), (2, 6), (3, 9), (4, 12), (5, 15), (6, 18), (7, 21), (1, 24), (2, 27)]
    assert view.rows(list(buf.chunks(KEY))) == 27 and view.rows([]) == 0


def _decoded() -> Decoded:
    hosts = ["a", "a", "b", "c", "c", "c", "d"]
    frame = pl.DataFrame({"time": [1, 2, 1, 1, 2, 3, 5], "dc": ["x", "x", "y", "x", "x", "x", "y"], "host": hosts})
    return Decoded(frame, ["dc", "host"])  # four runs (series), times ascending in each


@pytest.mark.no_catalog
def test_runs_matching_several_values_are_kept_and_right():
    dec = _decoded()  # runs: a (0), b (1), c (2), d (3)
    got = dec._matching_runs({"host": ["d", "a", "zz"]})
    assert got.tolist() == [0, 3] and dec._matching_runs({"host": ["d", "a", "zz"]}) is got
    assert not got.flags.writeable  # (shared by the queries asking again)
    assert dec._matching_runs({"host": ["a", "b"]}).tolist() == [0, 1]
    assert dec._matching_runs({"host": ["a", "b", "c"], "dc": ["x"]}).tolist() == [0, 2]
    assert dec._matching_runs({"dc": ["y"], "host": ["a", "b", "c"]}).tolist() == [1]
    assert dec._matching_runs({"host": ["c"]}).tolist() == [2]
    assert dec._matching_runs({"nope": ["a", "b"]}).tolist() == []
    assert dec._matching_runs(None) is None


@pytest.mark.no_catalog
def test_runs_kept_are_bounded(monkeypatch):
    from tsdb_core.storage import cache
    monkeypatch.setattr(cache, "MATCHED_KEPT", 4)
    dec = _decoded()
    for k in range(10):
        assert dec._matching_runs({"host": ["a", f"x{k}"]}).tolist() == [0]
    assert len(dec._matched) <= 4
    assert np.array_equal(dec._matching_runs({"host": ["b", "d"]}), [1, 3])


@pytest.mark.no_catalog
def test_settle_waits_for_the_catch_up(monkeypatch):
    """``BufferView.settle`` (bench/live_pairs.py waits with it after each write and query): once it
    returns True no catch-up runs and every row read so far is in the pieces."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", True)
    started, release = threading.Event(), threading.Event()
    real = buffer_view.BufferView._catch_up

    def held(self, *args):  # (the catch-up runs until the test lets it go)
        started.set()
        release.wait(10)
        return real(self, *args)

    monkeypatch.setattr(buffer_view.BufferView, "_catch_up", held)
    s = tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0,
                                                buffer_sort_quiet_s=3600.0))
    s.write(DB, _lines("a", range(0, 300)))
    s.query("SELECT count(v) FROM m", db=DB)
    view = s._engine.state.buffer.views[KEY]
    assert started.wait(10) and view.busy
    assert not view.settle(timeout=0.01)  # (still held: says so)
    threading.Timer(0.05, release.set).start()
    assert view.settle() and not view.busy
    assert view._covered == 300 and [p.decoded.frame.height for p in view._pieces] == [300]
    s.close()
