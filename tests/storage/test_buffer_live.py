"""A store still being written to answers as the settled store (storage/buffer_view.py with
writes keeping read rows sorted): random interleavings of writes, queries, flushes and
compactions, writer threads running beside them; the sorting thresholds as StoreConfig fields."""
from __future__ import annotations

import contextlib
import dataclasses
import threading
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.conftest import examples
from tsdb_core import StoreConfig
from tsdb_core.storage import buffer_view
from tsdb_core.storage.write_path import WritePath

from ..waiting import wait_until

DB = "db"
QUERIES = (
    "SELECT count(v), sum(v), max(v), min(w) FROM m",
    "SELECT sum(v), count(w) FROM m GROUP BY host",
    "SELECT last(v), first(w) FROM m GROUP BY host",
    "SELECT * FROM m WHERE host = 'h1'",
    "SELECT sum(v) FROM m WHERE time >= 40 AND time <= 170 GROUP BY time(30ns), host",
    "SELECT count(v) FROM m WHERE time >= 25 AND time < 130",
)
# watch_s: the rows stay watched however long the test takes (a loaded 2-core machine has taken
# over 10 s, the default window, for background work of milliseconds: the quiet merge then never came)
FAST = dict(buffer_sort_min_rows=0, buffer_sort_tail_rows=40, buffer_sort_step_rows=60, buffer_sort_quiet_s=0.0,
            buffer_sort_watch_s=3600.0)


def body(host: str, times: range, value: int) -> str:
    """Lines of one host; integer values, so sums do not depend on the order rows are added."""
    return "\n".join(f"m,host={host},dc=d{t % 3} v={value + t},w={t % 7}i {t}" for t in times)


def answers(store) -> list:
    return [store.query(q, db=DB).to_json() for q in QUERIES]


def view_of(store, measurement: str = "m"):
    return store._engine.state.buffer.views.get((DB, "autogen", measurement))


@pytest.fixture
def background(monkeypatch):
    monkeypatch.setattr(buffer_view, "BACKGROUND", True)


# -- the thresholds ---------------------------------------------------------------------------
@pytest.mark.no_catalog
@pytest.mark.parametrize("field, bad", [
    ("buffer_sort_min_rows", -1), ("buffer_sort_tail_rows", -5), ("buffer_sort_step_rows", 0),
    ("buffer_sort_step_rows", 2.5), ("buffer_sort_tail_rows", True), ("buffer_sort_quiet_s", -0.1),
    ("buffer_sort_quiet_s", float("nan")), ("buffer_sort_watch_s", float("inf")), ("buffer_sort_watch_s", "1"),
])
def test_thresholds_that_cannot_work_are_refused(field, bad):
    with pytest.raises(ValueError, match=field):
        StoreConfig(**{field: bad})


@pytest.mark.no_catalog
def test_thresholds_reach_the_views():
    config = StoreConfig(buffer_sort_min_rows=10, buffer_sort_tail_rows=3, buffer_sort_step_rows=7,
                         buffer_sort_quiet_s=1.5, buffer_sort_watch_s=2.0)
    store = tsdb_core.open(None, config=config)
    store.write(DB, body("h1", range(20), 0))
    store.query(QUERIES[0], db=DB)
    assert view_of(store).settings == buffer_view.SortSettings(10, 3, 7, 1.5, 2.0)
    want = view_of(store).settings
    store.flush()  # the next buffer sorts by the same thresholds
    assert store._engine.state.buffer.sorting == want
    store.close()


# -- writes keep read rows sorted --------------------------------------------------------------
@pytest.mark.no_catalog
def test_writes_sort_a_read_measurement_without_a_query(background):
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_quiet_s": 3600.0}))
    store.write(DB, body("h1", range(0, 100), 0))
    want = answers(store)  # a query: the rows are watched from now on
    view = view_of(store)
    wait_until(lambda: not view.busy and view._covered == 100, "the first catch-up")
    read = view._read_at
    for k in range(1, 6):
        store.write(DB, body(f"h{k % 3}", range(100 * k, 100 * k + 100), k))
    total = store._engine.state.buffer.rows
    wait_until(lambda: not view.busy and view._covered == total, "the writes' catch-ups (no query)")
    assert view._read_at == read  # no query took a snapshot meanwhile: the writes did it
    assert answers(store) != want
    settled = tsdb_core.open(None)
    for k in range(6):
        settled.write(DB, body(f"h{k % 3}" if k else "h1", range(100 * k, 100 * k + 100), k))
    settled.flush()
    assert answers(store) == answers(settled)
    store.close()
    settled.close()


@pytest.mark.no_catalog
def test_quiet_writes_become_one_piece_without_a_query(background):
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_tail_rows": 1000,
                                                       "buffer_sort_quiet_s": 0.05}))
    store.write(DB, body("h1", range(0, 300), 0))
    store.query(QUERIES[0], db=DB)
    view = view_of(store)
    for k in range(1, 4):
        store.write(DB, body("h2", range(300 * k, 300 * k + 30), k))  # a tail under tail_rows
    total = store._engine.state.buffer.rows
    wait_until(lambda: len(view._pieces) == 1 and view._covered == total and not view.busy, "one piece")
    assert store.series_ordered(DB, None, "m")
    assert store.query(QUERIES[0], db=DB).to_json()["results"][0]["series"][0]["values"][0][1] == total
    store.close()


@pytest.mark.no_catalog
def test_rows_written_during_the_quiet_merge_are_merged_too(background, monkeypatch):
    """A write while the quiet merge runs starts no thread (the merging one is still waiting):
    that thread merges those rows too once quiet again; it had ended, leaving them a piece apart."""
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_tail_rows": 1000,
                                                       "buffer_sort_quiet_s": 0.05}))
    store.write(DB, body("h1", range(0, 300), 0))
    store.query(QUERIES[0], db=DB)
    view = view_of(store)
    wait_until(lambda: not view.busy, "the query's catch-up")
    real, during = buffer_view.BufferView._catch_up, []

    def catch_up(self, chunks, total, tags, fields, quiet):
        if quiet and not during:  # (the write takes the buffer's lock, not this view's)
            during.append(store.write(DB, body("h2", range(900, 930), 9)).ok)
        return real(self, chunks, total, tags, fields, quiet)
    monkeypatch.setattr(buffer_view.BufferView, "_catch_up", catch_up)
    store.write(DB, body("h2", range(300, 330), 1))
    wait_until(lambda: during and len(view._pieces) == 1 and view._covered == 360 and not view.busy, "one piece")
    assert during == [True] and store._engine.state.buffer.rows == 360
    assert store.query(QUERIES[0], db=DB).to_json()["results"][0]["series"][0]["values"][0][1] == 360
    store.close()


def _caught_up(store, n: int):
    view = view_of(store)
    wait_until(lambda: not view.busy and view._covered == n and not view._unbalanced(), "the catch-up")
    return view


@contextlib.contextmanager
def _adoptions():
    """The rows each write's own sorted piece added to the view's pieces (0: it did not join)."""
    got: list[int] = []
    real = buffer_view.BufferView._adopt

    def adopt(self, piece, total, rows, tags, chunks):
        before = self._covered + self._ahead_to - self._ahead_from
        real(self, piece, total, rows, tags, chunks)
        got.append(self._covered + self._ahead_to - self._ahead_from - before)

    with mock.patch.object(buffer_view.BufferView, "_adopt", adopt):
        yield got


def _settled(*bodies: str):
    settled = tsdb_core.open(None)
    for b in bodies:
        settled.write(DB, b)
    settled.flush()
    return settled


@pytest.mark.no_catalog
def test_a_write_to_a_read_measurement_is_sorted_before_it_is_visible(background):
    """The writer sorts its rows (``WritePath._presort``): the moment ``write`` returns they are
    in a piece, no unsorted tail; the one-series array path (no tail allowed) answers at once."""
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_quiet_s": 3600.0}))
    bodies = [body("h1", range(0, 100), 0)] + [body("h2", range(100 * k, 100 * k + 50), k) for k in range(1, 3)]
    bodies.append(body("h2", range(300, 350), 3) + "\n" + body("h2", range(340, 350), 9))  # points written twice
    store.write(DB, bodies[0])
    store.query(QUERIES[0], db=DB)
    view = _caught_up(store, 100)
    with _adoptions() as adopted:
        for b in bodies[1:]:
            store.write(DB, b)
            assert view._covered == store._engine.state.buffer.rows  # right away: no wait
    assert adopted == [50, 50, 60]  # (the last: 60 rows buffered, 50 points)
    assert store._reads._array_files(DB, None, "m", 0, 400, ["v"], {"host": ["h2"]}) is not None
    settled = _settled(*bodies)
    assert answers(store) == answers(settled)
    store.close()
    settled.close()


@pytest.mark.no_catalog
@pytest.mark.parametrize("second", [
    body("h1", range(90, 130), 5),  # rewrites points a piece holds: the piece would share keys
    "\n".join(f"m,host=h1,rack=r1 v={t} {t}" for t in range(200, 240)),  # a new tag key: another schema
    "\n".join(f"m,host=h1 z={t}.5 {t}" for t in range(200, 240)),  # a new field
])
def test_a_sorted_write_that_cannot_join_is_left_to_the_view(background, second):
    """Rows sharing a (series, time) key with a piece, or sorted for a schema the write itself
    changes, are not appended as they are: the view sorts (and merges) them as before."""
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_quiet_s": 3600.0}))
    first = body("h1", range(0, 100), 0)
    store.write(DB, first)
    store.query(QUERIES[0], db=DB)
    _caught_up(store, 100)
    with _adoptions() as adopted:
        store.write(DB, second)
    assert adopted in ([0], [])  # refused, or (a schema change) never offered
    _caught_up(store, 140)
    settled = _settled(first, second)
    every = (*QUERIES, "SELECT * FROM m")
    assert [store.query(q, db=DB).to_json() for q in every] == [settled.query(q, db=DB).to_json() for q in every]
    store.close()
    settled.close()


@pytest.mark.no_catalog
def test_newer_writes_are_kept_ahead_of_unsorted_rows(background):
    """While older rows are left unsorted (here under ``tail_rows``), a write of newer points
    keeps its sorted piece *ahead* of them; one not newer than every row before is left to the
    view, and writers stop sorting after it (their pieces could not follow on). Once the
    writes go quiet the catch-up reaches the pieces ahead and everything is one piece."""
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_tail_rows": 1000,
                                                       "buffer_sort_quiet_s": 3600.0}))
    bodies = [body("h1", range(0, 100), 0), body("h2", range(200, 230), 1), body("h1", range(230, 260), 2)]
    store.write(DB, bodies[0])
    store.query(QUERIES[0], db=DB)  # read: watched, but its rows stay a tail (under tail_rows)
    view = view_of(store)
    assert view._covered == 0
    with _adoptions() as adopted:
        store.write(DB, bodies[1])
        store.write(DB, bodies[2])
        assert adopted == [30, 30] and view._covered == 0 and len(view._ahead) == 2
        bodies.append(body("h3", range(50, 60), 3))  # older than rows before: not ahead
        store.write(DB, bodies[-1])
        assert adopted == [30, 30, 0]
    buf = store._engine.state.buffer
    assert not buf.ready((DB, "autogen", "m"))
    with mock.patch.object(buffer_view, "presorted", side_effect=AssertionError("sorted in vain")):
        bodies.append(body("h2", range(300, 310), 4))
        store.write(DB, bodies[-1])
    snap = view.snapshot(buf.chunks((DB, "autogen", "m")), ("dc", "host"), {"v": None, "w": None})
    assert [p.decoded.frame.height for p in snap.pieces] == [30, 30]
    assert sum(c.rows for c in snap.tail) == 100 + 10 + 10
    settled = _settled(*bodies)
    every = (*QUERIES, "SELECT * FROM m")
    assert [store.query(q, db=DB).to_json() for q in every] == [settled.query(q, db=DB).to_json() for q in every]
    view.settings = dataclasses.replace(view.settings, quiet_s=0.0)
    store.query(QUERIES[0], db=DB)  # quiet now: a catch-up sorts the tail, the pieces ahead join
    wait_until(lambda: not view.busy and view._covered == 180 and len(view._pieces) == 1, "one piece")
    assert not view._ahead
    assert [store.query(q, db=DB).to_json() for q in every] == [settled.query(q, db=DB).to_json() for q in every]
    store.close()
    settled.close()


@pytest.mark.no_catalog
def test_a_sort_at_the_writer_that_fails_leaves_the_rows_to_the_view(background, caplog):
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_quiet_s": 3600.0}))
    bodies = [body("h1", range(0, 100), 0), body("h2", range(100, 150), 1)]
    store.write(DB, bodies[0])
    store.query(QUERIES[0], db=DB)
    _caught_up(store, 100)
    with mock.patch.object(buffer_view, "presorted", side_effect=RuntimeError("boom")):
        assert store.write(DB, bodies[1]).points_written == 50
    assert "sorting a write's rows for queries failed" in caplog.text
    _caught_up(store, 150)
    settled = _settled(*bodies)
    assert answers(store) == answers(settled)
    store.close()
    settled.close()


@pytest.mark.no_catalog
def test_unread_rows_are_left_to_the_flush(background):
    """Nothing is sorted for writes nobody reads (a bulk load pays for parsing only)."""
    store = tsdb_core.open(None, config=StoreConfig(**FAST))
    for k in range(5):
        store.write(DB, body("h1", range(100 * k, 100 * k + 100), k))
    assert view_of(store) is None
    store.close()


@pytest.mark.no_catalog
def test_reads_long_ago_stop_the_upkeep(background):
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_watch_s": 0.0}))
    store.write(DB, body("h1", range(0, 100), 0))
    store.query(QUERIES[0], db=DB)
    view = view_of(store)
    wait_until(lambda: not view.busy, "the query's catch-up")
    covered = view._covered
    store.write(DB, body("h1", range(100, 300), 1))
    assert not view.busy and view._covered == covered  # not watched: the write started nothing
    store.close()


@pytest.mark.no_catalog
def test_a_flush_takes_the_rows_while_a_quiet_merge_waits(background):
    store = tsdb_core.open(None, config=StoreConfig(**{**FAST, "buffer_sort_tail_rows": 1000,
                                                       "buffer_sort_quiet_s": 0.2}))
    store.write(DB, body("h1", range(0, 300), 0))
    store.query(QUERIES[0], db=DB)
    old = store._engine.state.buffer
    view = view_of(store)
    store.write(DB, body("h2", range(300, 330), 1))  # a quiet merge is waiting
    store.flush()
    assert old.retired and store._engine.state.buffer is not old
    wait_until(lambda: not view._timer, "the waiting thread to see the flush and end")
    assert view._covered <= 300  # the flushed rows were not sorted again
    assert answers(store)[0]["results"][0]["series"][0]["values"][0][1] == 330
    store.close()


# -- random interleavings ------------------------------------------------------------------
OPS = st.lists(st.one_of(
    st.tuples(st.just("write"), st.integers(0, 3), st.integers(0, 240), st.integers(1, 60), st.integers(0, 9)),
    # newer than most rows before: sorted by the writer, kept ahead of rows left unsorted
    st.tuples(st.just("write"), st.integers(0, 3), st.integers(250, 900), st.integers(1, 60), st.integers(0, 9)),
    st.tuples(st.just("query")), st.tuples(st.just("flush")), st.tuples(st.just("compact")),
), min_size=3, max_size=14)


def _apply(store, ops, log: list) -> None:
    for op in ops:
        if op[0] == "write":
            _, host, start, n, value = op
            text = body(f"h{host}", range(start, start + n), value)
            store.write(DB, text)
            log.append(text)
        elif op[0] == "query":
            store.query(QUERIES[1], db=DB)
        elif op[0] == "flush":
            store.flush()
        else:
            store.compact()


@pytest.mark.no_catalog
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, writers=st.integers(0, 2), tail=st.sampled_from([1, 40, 500]), step=st.sampled_from([30, 400]),
       quiet=st.sampled_from([0.0, 0.01, 3600.0]), presort=st.booleans())
def test_live_answers_equal_the_settled_store(background, ops, writers, tail, step, quiet, presort):
    """The main thread runs ``ops`` while ``writers`` threads write series of their own (hosts
    h10+); at every query the live store answers as a store holding the same rows flushed
    (writes of the threads finished by then are taken as they are: their series only).
    ``presort``: writers sort their rows for the view (else the view sorts them)."""
    with mock.patch.object(WritePath, "_presort", WritePath._presort if presort else lambda *a: {}):
        _live_equals_settled(ops, writers, tail, step, quiet)


def _live_equals_settled(ops, writers, tail, step, quiet) -> None:
    config = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=tail, buffer_sort_step_rows=step,
                         buffer_sort_quiet_s=quiet)
    store = tsdb_core.open(None, config=config)
    mine: list[str] = []
    theirs: list[list[str]] = [[] for _ in range(writers)]
    failures: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            for k in range(12):
                text = body(f"h{10 + i}", range(k * 20, k * 20 + 25), k)  # overlapping: rewrites
                store.write(DB, text)
                theirs[i].append(text)
                store.query(QUERIES[2], db=DB)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            failures.append(e)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    store.write(DB, body("h0", range(0, 50), 0))
    mine.append(body("h0", range(0, 50), 0))
    store.query(QUERIES[0], db=DB)  # read: writes keep the rows sorted from now on
    _apply(store, ops, mine)
    for t in threads:
        t.join()
    assert not failures, failures
    live = answers(store)
    settled = tsdb_core.open(None)
    for text in mine + [t for texts in theirs for t in texts]:
        settled.write(DB, text)
    settled.flush()
    settled.compact()
    assert live == answers(settled)
    store.flush()
    store.compact()
    assert answers(store) == live
    store.close()
    settled.close()


@pytest.mark.no_catalog
@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, tail=st.sampled_from([1, 40]), step=st.sampled_from([30, 400]))
def test_every_answer_on_the_way_equals_the_unsorted_reading(background, ops, tail, step):
    """After each step the store reading sorted pieces answers as one reading the chunks as
    written (``buffer_sort_min_rows`` out of reach), flushed files alike; writes to the read
    measurement sort their rows themselves when they can (not checked: either way is right)."""
    sorted_ = tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=tail,
                                                      buffer_sort_step_rows=step, buffer_sort_quiet_s=0.0))
    plain = tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=10**9))
    for store in (sorted_, plain):
        store.write(DB, body("h0", range(0, 50), 0))
    sorted_.query(QUERIES[0], db=DB)
    for op in ops:
        for store in (sorted_, plain):
            _apply(store, [op], [])
        assert answers(sorted_) == answers(plain), op
    sorted_.close()
    plain.close()


@pytest.mark.no_catalog
def test_settings_of_a_config_follow_its_fields():
    config = dataclasses.replace(StoreConfig(), buffer_sort_tail_rows=5)
    assert buffer_view.SortSettings.of(config).tail_rows == 5
    assert buffer_view.SortSettings.of(StoreConfig()) == buffer_view.SortSettings()


# -- a flush writes the sorted piece -------------------------------------------------------
def _flush_merge(store):
    """What the flush takes from the live view's pieces (BufferView.whole): None when it sorts again."""
    key = (DB, "autogen", "m")
    meta = store._engine.state.catalog.databases[DB].measurements["m"]
    return view_of(store).whole(list(store._engine.state.buffer.chunks(key)), tuple(sorted(meta.tags)),
                                meta.field_columns())


def _flushed(viewed, plain):
    """Both stores flushed: the frames of their files."""
    for store in (viewed, plain):
        store.flush()
    return _file_frames(viewed), _file_frames(plain)


def _file_frames(store) -> list:
    import polars as pl
    root = store._engine.state.root
    return [(f.rows, f.tmin, f.tmax, f.columns, pl.read_parquet(root / f.path)) for f in store.files()]


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(st.tuples(st.sampled_from(["h0", "h1", "h2", None]), st.integers(0, 200), st.integers(1, 40),
                                 st.integers(0, 5), st.booleans()), min_size=1, max_size=8))
def test_a_flush_writes_the_sorted_piece_as_a_sort_of_the_chunks_would(monkeypatch, tmp_path_factory, writes):
    """Rewritten points, rows without a tag or a field: the file written from the view's one
    piece holds what the flush's own sort and merge of the chunks gives."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    d = tmp_path_factory.mktemp("flush")
    config = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=1, buffer_sort_quiet_s=0.0)
    viewed, plain = tsdb_core.open(d / "viewed", config=config), tsdb_core.open(d / "plain", config=config)
    for host, start, n, value, with_w in writes:
        tags = f",host={host}" if host else ""
        text = "\n".join(f"m{tags},dc=d{t % 2} v={value + t}" + (f",w={t}i" if with_w else "") + f" {t}"
                         for t in range(start, start + n))
        for store in (viewed, plain):
            store.write(DB, text)
    viewed.query(QUERIES[0], db=DB)
    assert _flush_merge(viewed) is not None
    got, want = _flushed(viewed, plain)
    assert len(got) == len(want) == 1
    assert got[0][:4] == want[0][:4] and got[0][4].equals(want[0][4])
    viewed.close()
    plain.close()


WRITE = st.tuples(st.sampled_from(["h0", "h1", "h2", None]), st.integers(0, 200), st.integers(1, 40),
                  st.integers(0, 5), st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITE, min_size=1, max_size=10), distinct=st.booleans(), scale=st.sampled_from([1, 10**13]),
       watch=st.sampled_from([0.0, 3600.0]), step=st.sampled_from([2_097_152, 30]))
def test_a_flush_merging_the_pieces_writes_what_a_sort_of_the_chunks_writes(monkeypatch, tmp_path_factory, writes,
                                                                             distinct, scale, watch, step):
    """Queries between some writes leave pieces (merged by size while read, one per catch-up
    step when not: ``watch`` 0), the writes after the last query a tail: the flush sorts the
    tail and merges the pieces by their runs (or by a sort, when their times interleave) into
    files equal to those of the flush's own sort of the chunks: same rows, same order, a point
    written twice in one write merged field by field (last write wins); ``distinct``: no write
    repeats another's point (times spread by write), so the pieces are always merged, not
    sorted again; ``scale``: times spanning many windows (tags sorted per window)."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    d = tmp_path_factory.mktemp("flush")
    config = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0, buffer_sort_quiet_s=3600.0,
                         buffer_sort_watch_s=watch, buffer_sort_step_rows=step)
    viewed, plain = tsdb_core.open(d / "viewed", config=config), tsdb_core.open(d / "plain", config=config)
    width = len(writes)
    for i, (host, start, n, value, with_w, twice, query) in enumerate(writes):
        times = [((start + k) * width + i if distinct else start + k) * scale for k in range(n)]
        tags = f",host={host}" if host else ""
        lines = [f"m{tags},dc=d{k % 2} v={value + k}" + (f",w={k}i" if with_w else "") + f" {t}"
                 for k, t in enumerate(times)]
        if twice:  # the first point again, later in the write: only w (v kept from the first)
            lines.append(f"m{tags},dc=d0 w={value * 100}i {times[0]}")
        for store in (viewed, plain):
            store.write(DB, "\n".join(lines))
        if query:
            viewed.query(QUERIES[0], db=DB)
    view = view_of(viewed)
    if distinct and view is not None and view._pieces:
        assert _flush_merge(viewed) is not None
    got, want = _flushed(viewed, plain)
    assert [g[:4] for g in got] == [w[:4] for w in want]
    assert all(g[4].equals(w[4]) and g[4].schema == w[4].schema for g, w in zip(got, want))
    viewed.close()
    plain.close()
