"""Buffered rows read through sorted pieces (storage/buffer_view.py): the same answers as the
settled store (flushed and compacted) for every TSBS query, with writes running, repeated
points, and a writer still adding rows while queries read."""
from __future__ import annotations

import asyncio

import dataclasses
import random
import threading

import numpy as np
import orjson
import polars as pl
import pytest

import tsdb_core
from bench import devops, loader, report
from bench.queries import devops_queries
from tsdb_core import StoreConfig
from tsdb_core.storage import buffer_view

from ..waiting import wait_until

HOSTS, HOURS, SEED = 5, 2, 7
DB = "benchmark"


@pytest.fixture
def view_on(monkeypatch) -> StoreConfig:
    """The config of a store with a view for any buffered measurement, a new piece every few
    rows, never quiet, sorted by the query that finds the work (the background thread has
    tests of its own)."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    return StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=500, buffer_sort_quiet_s=3600.0)


def _tune(store, **settings) -> None:
    """Change the buffer's sorting thresholds of an open store (its views' too)."""
    buf = store._engine.state.buffer
    buf.sorting = dataclasses.replace(buf.sorting, **settings)
    for view in buf.views.values():
        view.settings = buf.sorting


def _parts():
    return [bytes(p) for p in loader.split_batches(b"".join(devops.batches(HOSTS, HOURS, SEED)), 300).parts]


def _answers(store) -> dict[str, bytes]:
    return {q.name: orjson.dumps(store.query(q.q, db=DB).to_json()) for q in devops_queries(HOSTS, HOURS, seed=SEED)}


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    """The TSBS answers of the data flushed and compacted into one file."""
    store = tsdb_core.open(tmp_path_factory.mktemp("settled") / "data")
    for p in _parts():
        store.write(DB, p)
    store.flush()
    store.compact()
    assert len(store.files()) == 1
    yield _answers(store)
    store.close()


def _same(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    """Equal answers (floats to the digits bench.compare checks: a sum over rows in another
    order may differ in its last bit)."""
    assert got.keys() == want.keys()
    for name in want:
        assert report.compare_json(got[name], want[name]) is None, (name, report.compare_json(got[name], want[name]))


def _rows(store, q: str) -> list[list]:
    """The rows of the one series ``q`` answers (time first)."""
    return store.query(q, db=DB).to_json()["results"][0]["series"][0]["values"]


def _view(store, measurement: str = "cpu"):
    st = store._engine.state
    return st.buffer.views.get((DB, "autogen", measurement))


def _pieces(store, measurement: str = "cpu") -> int:
    view = _view(store, measurement)
    return 0 if view is None else len(view._pieces)


@pytest.mark.no_catalog
def test_pieces_and_tail_answer_as_the_settled_store(view_on, settled):
    store = tsdb_core.open(None, config=view_on)
    parts = _parts()
    for p in parts[::-1]:  # newest first; a query after each write, as a dashboard's
        store.write(DB, p)
        store.query("SELECT count(usage_user) FROM cpu", db=DB)
    got = _answers(store)
    assert _pieces(store) >= 2, "several pieces, not one"
    assert not store.files()
    _same(got, settled)
    store.close()


@pytest.mark.no_catalog
def test_quiet_writes_merge_into_one_piece(view_on, settled, monkeypatch):
    store = tsdb_core.open(None, config=view_on)
    for p in _parts():
        store.write(DB, p)
        store.query("SELECT count(usage_user) FROM cpu", db=DB)
    assert _pieces(store) > 1 and not store.series_ordered(DB, None, "cpu")
    _tune(store, quiet_s=0.0)
    _same(_answers(store), settled)
    assert _pieces(store) == 1 and store.series_ordered(DB, None, "cpu")
    view = _view(store)
    assert view._covered == store._engine.state.buffer.rows
    store.close()


@pytest.mark.no_catalog
def test_one_host_arrays_read_from_the_pieces(view_on, monkeypatch):
    """The numpy path (scan_series) reads sorted pieces that do not overlap in time."""
    store = tsdb_core.open(None, config=view_on)
    for p in _parts():
        store.write(DB, p)
        store.query("SELECT count(usage_user) FROM cpu", db=DB)
    q = next(q for q in devops_queries(HOSTS, HOURS, seed=SEED) if q.name == "single-groupby-1-1-12")
    want = store.query(q.q, db=DB).to_json()
    reads = store._engine.reads
    found = reads._array_files(DB, None, "cpu", 0, 2**62, ["usage_user"], {"hostname": ["host_1"]})
    assert found is not None and len(found[0]) == _pieces(store) > 1
    _tune(store, min_rows=10**9)  # the chunks as they are
    assert store.query(q.q, db=DB).to_json() == want
    store.close()


@pytest.mark.no_catalog
def test_rewritten_points_newest_value_wins_across_pieces(view_on):
    """A point written again (a field at a time) in a later piece or in the tail: the newest
    value of each field, as a flush would keep."""
    store = tsdb_core.open(None, config=view_on)
    base = [f"m,host=h{i % 7} a={i},b={-i} {1000 + i}" for i in range(2000)]
    store.write(DB, "\n".join(base))
    assert _rows(store, "SELECT count(a) FROM m")[0][1] == 2000
    assert _pieces(store, "m") == 1
    store.write(DB, "\n".join(f"m,host=h{i % 7} a={i * 10} {1000 + i}" for i in range(0, 2000, 2)))
    assert _rows(store, "SELECT count(a) FROM m")[0][1] == 2000
    assert _pieces(store, "m") == 1  # it shared keys with the first piece: merged with it
    store.write(DB, "m,host=h3 b=99 1010\nm,host=h3 b=98 5000")  # the tail, sharing a key with the piece
    rows = _rows(store, "SELECT a, b FROM m WHERE host = 'h3' AND time <= 1010")
    assert [r[1:] for r in rows] == [[3, -3], [100, 99]]  # 1010: a from the second write, b from the tail
    assert _rows(store, "SELECT count(a), sum(a), count(b) FROM m")[0][1:] == \
        [2000, sum(i * 10 if i % 2 == 0 else i for i in range(2000)), 2001]
    store.flush()
    assert _rows(store, "SELECT a, b FROM m WHERE host = 'h3' AND time <= 1010") == rows
    store.close()


@pytest.mark.no_catalog
def test_queries_while_a_writer_adds_rows(view_on, settled):
    """A thread writes the second half while queries read: a range written before it started
    answers as it does once everything is written; counts only grow; at the end every
    answer is the settled store's."""
    store = tsdb_core.open(None, config=view_on)
    parts = _parts()
    half = len(parts) // 2
    for p in parts[:half]:
        store.write(DB, p)
    first = "SELECT max(usage_user), count(usage_user) FROM cpu WHERE time < '2016-01-01T00:30:00Z' GROUP BY hostname"
    before = store.query(first, db=DB).to_json()
    done, looked = threading.Event(), threading.Event()

    def write_rest():  # each write once the queries have looked again (they overlap the writes)
        try:
            for p in parts[half:]:
                if not looked.wait(20):
                    return  # (the count below then falls short)
                looked.clear()
                store.write(DB, p)
        finally:
            done.set()

    writer = threading.Thread(target=write_rest)
    writer.start()
    counts, seen = [], 0
    while not done.is_set() or seen < 3:
        seen += done.is_set()
        assert store.query(first, db=DB).to_json() == before
        counts.append(_rows(store, "SELECT count(usage_user) FROM cpu")[0][1])
        looked.set()
    writer.join()
    assert counts == sorted(counts) and counts[-1] == HOSTS * HOURS * 360 and counts[0] < counts[-1]
    _same(_answers(store), settled)
    store.close()


@pytest.mark.no_catalog
def test_sorted_in_the_background_while_queries_read_the_chunks(view_on, settled, monkeypatch):
    """A query finding a large tail answers from it and starts the catch-up; once the writes
    are quiet, one piece."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", True)
    store = tsdb_core.open(None, config=dataclasses.replace(view_on, buffer_sort_step_rows=1000))
    parts = _parts()
    for p in parts[:8]:
        store.write(DB, p)
    store.query("SELECT count(usage_user) FROM cpu", db=DB)
    view = _view(store)
    wait_until(lambda: not view.busy, "the first catch-up to finish")
    assert _pieces(store) == 1  # its steps merged into one
    for p in parts[8:]:
        store.write(DB, p)
    _same(_answers(store), settled)
    wait_until(lambda: not view.busy, "the second catch-up to finish")
    assert view._covered == store._engine.state.buffer.rows and _pieces(store) == 2
    _tune(store, quiet_s=0.0)
    _same(_answers(store), settled)
    wait_until(lambda: not view.busy and _pieces(store) == 1, "one piece")
    assert store.series_ordered(DB, None, "cpu")
    _same(_answers(store), settled)
    store.close()


@pytest.mark.no_catalog
def test_a_load_nobody_reads_is_sorted_a_block_at_a_time(view_on, settled, monkeypatch):
    """Writes that take an unread measurement past another ``LOAD_SORT_ROWS`` sort its rows in
    the background (no query marked the view watched); the first query merges the pieces the
    load left into one; the answers are the settled store's."""
    from tsdb_core.storage import buffer
    monkeypatch.setattr(buffer_view, "BACKGROUND", True)
    monkeypatch.setattr(buffer, "LOAD_SORT_ROWS", 1000)
    store = tsdb_core.open(None, config=view_on)
    parts = _parts()  # 300 rows each
    store.write(DB, parts[0])  # below a block: nothing sorted, no view made
    assert _view(store) is None
    for p in parts[1:8]:
        store.write(DB, p)
        view = _view(store)
        if view is not None:  # (one catch-up at a time: a block crossed while one runs waits)
            wait_until(lambda: not view.busy, "a block's catch-up to finish")
    assert not view.watched()
    assert [p.decoded.frame.height for p in view._pieces] == [1200, 900]  # crossed at 1200 and 2100 rows
    assert view._covered == 2100 and store._engine.state.buffer.rows == 2400
    store.query("SELECT count(usage_user) FROM cpu", db=DB)
    wait_until(lambda: not view.busy, "the first read's catch-up to finish")
    assert _pieces(store) == 1 and view._covered == 2400  # the tail sorted, the pieces merged
    for p in parts[8:]:
        store.write(DB, p)
    _same(_answers(store), settled)
    store.close()


@pytest.mark.no_catalog
def test_the_first_read_of_a_large_unsorted_load_waits_for_its_sort(view_on, settled, monkeypatch):
    """More than ``WAIT_ROWS`` unsorted rows behind a catch-up under way: the query waits for
    it (on its end, not a sleep) and reads the sorted piece, not the load's chunks."""
    from tsdb_core.storage import buffer
    monkeypatch.setattr(buffer_view, "BACKGROUND", True)
    monkeypatch.setattr(buffer, "LOAD_SORT_ROWS", 1 << 40)  # (the load is never sorted a block at a time)
    monkeypatch.setattr(buffer_view, "WAIT_ROWS", 1000)
    monkeypatch.setattr(buffer_view, "QUERY_WAIT_S", 600.0)
    store = tsdb_core.open(None, config=view_on)
    for p in _parts()[:8]:
        store.write(DB, p)
    assert _view(store) is None  # nothing sorted yet: 2,400 rows in 8 chunks
    read = []
    real = buffer_view.BufferView.snapshot

    def snapshot(self, *args):
        snap = real(self, *args)
        read.append((len(snap.pieces), len(snap.tail)))
        return snap

    monkeypatch.setattr(buffer_view.BufferView, "snapshot", snapshot)
    store.query("SELECT count(usage_user) FROM cpu", db=DB)
    view = _view(store)
    assert read and read[0] == (1, 0) and view._covered == 2400 and not view.busy
    store.close()


@pytest.mark.no_catalog
def test_a_query_waits_only_for_many_unsorted_rows_in_its_time_range():
    """More than ``WAIT_ROWS`` rows outside the pieces, with times the query reads, behind a
    catch-up under way: a wait; fewer, none there, or no catch-up: none."""
    from tsdb_core.storage.buffer import Chunk

    class NoWait(threading.Condition):
        def wait_for(self, *args, **kwargs):
            raise AssertionError("waited")

    n = buffer_view.WAIT_ROWS
    chunks = [Chunk(pl.DataFrame({"time": np.arange(k * n, (k + 1) * n, dtype=np.int64)}), (), k * n, (k + 1) * n - 1)
              for k in range(3)]  # (chunk k: times k * n to (k + 1) * n - 1)
    view = buffer_view.BufferView()
    view._done = NoWait(view._lock)
    view._busy = True
    view._wait_behind(chunks[:1], n, None)  # (not more than WAIT_ROWS)
    view._wait_behind(chunks, 3 * n, (0, n - 1))  # (one chunk's rows in range)
    view._wait_behind(chunks, 3 * n, (3 * n, 4 * n))  # (none)
    with pytest.raises(AssertionError, match="waited"):
        view._wait_behind(chunks, 3 * n, (n - 1, n))  # (two chunks')
    view._covered = 2 * n  # (the first two chunks sorted)
    view._wait_behind(chunks, 3 * n, None)
    view._covered = 0
    with pytest.raises(AssertionError, match="waited"):
        view._wait_behind(chunks, 3 * n, None)
    view._busy = False
    view._wait_behind(chunks, 3 * n, None)  # (no catch-up to wait for)
    view._busy = True

    async def inline():  # a query answered on a server's event loop never waits
        view._wait_behind(chunks, 3 * n, None)
    asyncio.run(inline())


@pytest.mark.no_catalog
@pytest.mark.parametrize("before, added, block, due", [
    (0, 999, 1000, False), (0, 1000, 1000, True), (999, 1, 1000, True), (1000, 999, 1000, False),
    (1500, 600, 1000, True), (0, 2500, 1000, True),
])
def test_loading_is_due_when_a_write_crosses_a_block(before, added, block, due, monkeypatch):
    from tsdb_core.storage import buffer
    monkeypatch.setattr(buffer, "LOAD_SORT_ROWS", block)
    buf = buffer.WriteBuffer()
    key = ("db", "autogen", "m")
    for n in (before, added):
        if n:
            buf.add(key, pl.DataFrame({"time": np.arange(n, dtype=np.int64), "v": np.ones(n)}), ())
    assert buf.loading(key, added) is due
    buf.retired = True
    assert buf.loading(key, added) is False


def test_series_sharing_a_hash_are_told_apart(view_on, monkeypatch, tmp_path):
    """Every series given one hash: the pieces are sorted by their tags' strings instead (one
    run per series), and answer as the flushed store."""
    monkeypatch.setattr(buffer_view, "_series_hashes", lambda frame, tcols: np.zeros(frame.height, np.uint64))
    store, flushed = tsdb_core.open(None, config=view_on), tsdb_core.open(tmp_path / "data")
    for k in range(5):  # pieces of 2,400 and 600 rows: the second as sorted when written
        body = "\n".join(f"m,host=h{i % 5} v={i} {i}" for i in range(k * 600, (k + 1) * 600))
        for s in (store, flushed):
            s.write(DB, body)
        store.query("SELECT count(v) FROM m", db=DB)
    flushed.flush()
    pieces = _view(store, "m")._pieces
    assert [p.decoded.frame.height for p in pieces] == [2400, 600]
    assert all(len(p.decoded.starts) == 5 for p in pieces)
    for q in ("SELECT max(v), count(v), first(v) FROM m GROUP BY host", "SELECT * FROM m WHERE host = 'h3' LIMIT 4"):
        assert store.query(q, db=DB).to_json() == flushed.query(q, db=DB).to_json()
    store.close()
    flushed.close()


@pytest.mark.no_catalog
def test_a_small_buffer_is_read_as_chunks():
    store = tsdb_core.open(None)
    store.write(DB, "m,host=a v=1 1\nm,host=b v=2 2")
    assert _rows(store, "SELECT sum(v) FROM m")[0][1] == 3
    assert _view(store) is None or not store._engine.state.buffer.views
    store.close()


@pytest.mark.no_catalog
def test_a_tail_chunk_is_alone_unless_another_overlaps_it_in_time():
    """``_clean``'s sweep against the pairwise definition, on random time ranges."""
    rng = random.Random(5)

    class Span:
        def __init__(self, lo, hi):
            self.tmin, self.tmax = lo, hi

    for _ in range(500):
        spans = [Span(lo, lo + rng.randint(0, 8)) for lo in (rng.randint(0, 30) for _ in range(rng.randint(0, 8)))]
        want = [not any(a.tmin <= b.tmax and b.tmin <= a.tmax for j, b in enumerate(spans) if j != i)
                for i, a in enumerate(spans)]
        assert buffer_view._clean(spans, (), ()) == want


@pytest.mark.no_catalog
def test_a_key_both_tag_and_field_reads_through_the_view(view_on):
    """The field of a key that is also a tag sits in its own column (base.types.TWIN): the
    sorted pieces take it as flushed files do, and answer as the flushed store."""
    store = tsdb_core.open(None, config=view_on)
    store.write(DB, "\n".join(f"m,k=t{i % 7},h=h{i % 5} k={i}i,v={i / 2} {i * 10**9}" for i in range(2000)).encode())
    queries = ["SELECT k::tag, k::field, v FROM m WHERE h = 'h3' LIMIT 4", "SELECT * FROM m WHERE h = 'h1' LIMIT 3",
               "SELECT max(k), count(v) FROM m GROUP BY k"]
    buffered = [store.query(q, db=DB).to_json() for q in queries]
    assert _pieces(store, "m") > 0
    assert buffered[0]["results"][0]["series"][0]["values"][0] == ["1970-01-01T00:00:03Z", "t3", 3, 1.5]
    store.flush()
    assert [store.query(q, db=DB).to_json() for q in queries] == buffered
    store.close()


def _chunks(store, measurement: str = "cpu") -> list:
    return list(store._engine.state.buffer.chunks((DB, "autogen", measurement)))


@pytest.mark.no_catalog
def test_a_snapshot_is_reused_until_a_write_or_a_catch_up(view_on):
    """Queries between writes get the same snapshot object (no walk of the chunks); a write or
    a new piece gives a new one, holding the new rows."""
    store = tsdb_core.open(None, config=view_on)
    parts = _parts()
    for p in parts[:4]:
        store.write(DB, p)
    store.query("SELECT count(usage_user) FROM cpu", db=DB)
    view, meta = _view(store), store._engine.state.catalog.databases[DB].measurements["cpu"]
    tags, fields = tuple(sorted(meta.tags)), meta.field_columns()
    first = view.snapshot(_chunks(store), tags, fields)
    assert view.snapshot(_chunks(store), tags, fields) is first and first.tail == ()
    store.write(DB, "cpu,hostname=host_0 usage_user=1 1")  # a tail of one row (under TAIL_ROWS)
    second = view.snapshot(_chunks(store), tags, fields)
    assert second is not first and second.pieces is first.pieces and [c.rows for c in second.tail] == [1]
    assert view.snapshot(_chunks(store), tags, fields) is second
    for p in parts[4:6]:  # over TAIL_ROWS: this snapshot sorts them into a piece first
        store.write(DB, p)
    third = view.snapshot(_chunks(store), tags, fields)
    assert third.pieces is not first.pieces and third.tail == ()
    covered = sum(p.decoded.frame.height for p in third.pieces)
    assert covered == view._covered == sum(c.rows for c in _chunks(store))
    store.close()


@pytest.mark.no_catalog
def test_series_order_is_judged_on_the_sources_of_the_time_range(view_on, settled):
    """Two pieces apart in time: a range inside one of them comes by series (GROUP BY time and
    tags groups runs), a range across both or reaching the unsorted tail does not; answers
    as the settled store's either way."""
    store = tsdb_core.open(None, config=view_on)
    parts = _parts()
    cut = len(parts) * 2 // 3  # (the second piece smaller: not merged with the first by size)
    for p in parts[:cut]:
        store.write(DB, p)
    store.query("SELECT count(usage_user) FROM cpu", db=DB)
    for p in parts[cut:]:
        store.write(DB, p)
    store.query("SELECT count(usage_user) FROM cpu", db=DB)
    first, second = _view(store)._pieces
    assert first.tmax < second.tmin
    assert store.series_ordered(DB, None, "cpu", first.tmin, first.tmax)
    assert store.series_ordered(DB, None, "cpu", second.tmin + 1, second.tmax + 10**12)
    assert not store.series_ordered(DB, None, "cpu", first.tmax, second.tmin)
    assert not store.series_ordered(DB, None, "cpu")
    late = second.tmax + 10**9
    store.write(DB, f"cpu,hostname=host_0 usage_user=1 {late}")  # a tail chunk after the second piece
    assert not store.series_ordered(DB, None, "cpu", second.tmin, late)
    assert store.series_ordered(DB, None, "cpu", first.tmin, first.tmax)
    store.query(f"DELETE FROM cpu WHERE time = {late}", db=DB)
    _same(_answers(store), settled)
    store.close()


@pytest.mark.no_catalog
def test_the_reordering_gather_matches_an_eager_one():
    """``_gather`` (lazy queries, one column at a time) on a frame of many chunks, with nulls
    and strings: the rows of an eager gather."""
    rng = np.random.default_rng(3)
    frames = [pl.DataFrame({"time": rng.integers(0, 10**6, 50), "host": [f"h{i % 7}" if i % 5 else None for i in range(50)],
                            "v": [float(i) if i % 3 else None for i in range(50)]}) for _ in range(40)]
    frame = pl.concat(frames, rechunk=False)
    assert frame.n_chunks() == 40
    order = rng.permutation(frame.height)
    got = buffer_view._gather(frame, order)
    assert got.equals(frame.rechunk().gather(pl.Series(order))) and got.columns == frame.columns
    assert got.n_chunks() == 1
