"""The buffer's sort for queries (storage/buffer_view.py) against the settled store, on random
writes: points written twice in one series (in one write or across writes: the last write
wins), times out of order, series and tag keys that appear mid-stream, fields of every type and
writes refused for a field type conflict. Whether the buffer is sorted in one go (the first query
after a load: one gather of every row), in steps and then merged, or piece by piece as queries
follow writes, every answer equals the flushed and compacted store's and the unsorted chunks'."""
from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.conftest import examples
from tsdb_core import StoreConfig
from tsdb_core.storage import buffer_view
from tsdb_core.storage.cache import Decoded

DB = "db"
QUERIES = (
    "SELECT * FROM m",
    "SELECT * FROM m GROUP BY *",
    "SELECT count(v), max(v), min(v), first(v), last(v) FROM m GROUP BY host",
    "SELECT last(*) FROM m GROUP BY *",
    "SELECT count(*) FROM m WHERE host = 'h1'",
    "SELECT sum(v), count(s) FROM m WHERE time >= 20 AND time < 260 GROUP BY time(40ns), host",
    "SELECT * FROM m WHERE host = 'h2' AND time >= 100 ORDER BY time DESC LIMIT 7",
)
VALUES = {"float": "{}.5", "int": "{}i", "string": '"s{}"', "bool": "{}"}

# A block: (host, extra rack tag, first time, points, time step, value, type of w, a point written twice).
BLOCK = st.tuples(st.integers(0, 5), st.booleans(), st.integers(0, 300), st.integers(1, 150),
                  st.sampled_from([1, -1, 3]), st.integers(0, 99), st.sampled_from(sorted(VALUES)), st.booleans())
WRITES = st.lists(st.lists(BLOCK, min_size=1, max_size=4), min_size=1, max_size=8)


def line_block(host, rack, start, n, step, value, wtype, twice) -> list[str]:
    """Lines of one series: ``n`` points from ``start`` by ``step`` (a negative step: times
    falling), integer ``v`` (sums do not depend on the order rows are added), ``w`` of
    ``wtype``, a string field ``s`` every third point; ``twice``: its first point again, later
    in the same write with another value."""
    key = f"m,host=h{host}" + (f",rack=r{host % 2}" if rack else "")
    out = []
    for k in range(n):
        t = max(0, start + k * step)
        w = VALUES[wtype].format("true" if wtype == "bool" else value + k)
        s = f',s="x{k}"' if k % 3 == 0 else ""
        out.append(f"{key} v={value + k}i,w={w}{s} {t}")
    if twice:
        out.append(f"{key} v={value + 1000}i,w={VALUES[wtype].format('false' if wtype == 'bool' else 7)} {max(0, start)}")
    return out


def bodies(writes) -> list[str]:
    return ["\n".join(line for block in w for line in line_block(*block)) for w in writes]


def answer(store, q: str):
    try:
        return store.query(q, db=DB).to_json()
    except Exception as e:  # noqa: BLE001 - an error is an answer to compare too
        return f"{type(e).__name__}: {e}"


def write(store, text: str):
    """What the write says: points written, or the error (a field type conflict)."""
    try:
        return store.write(DB, text).points_written
    except Exception as e:  # noqa: BLE001 - refused writes must be refused alike
        return f"{type(e).__name__}: {e}"


def settled(texts: list[str]):
    """The answers of a store holding ``texts`` flushed and compacted (and what each write said)."""
    store = tsdb_core.open(None)
    said = [write(store, t) for t in texts]
    store.flush()
    store.compact()
    got = [answer(store, q) for q in QUERIES]
    store.close()
    return said, got


@pytest.fixture(autouse=True)
def catalogs():
    """Every store here is in memory, with no catalog: one run, not one per catalog
    (tests/storage/conftest.py runs each storage test with SQLite, then PostgreSQL)."""
    yield None


@pytest.fixture
def inline(monkeypatch):
    """Sorts run in the query that finds the work (deterministic: no thread decides when)."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)


def _view(store):
    return store._engine.state.buffer.views.get((DB, "autogen", "m"))


def assert_runs_as_gathered(view) -> int:
    """Each piece's run tags (carried from the sort or merge that made it) are the values a
    ``Decoded`` gathers from the piece's own rows at the same run starts. Returns the pieces checked."""
    pieces = () if view is None else (*view._pieces, *view._ahead)
    for p in pieces:
        d = p.decoded
        if d.starts is None:
            continue
        again = Decoded(d.frame, list(d.tag_values), d.starts)
        assert again.tag_values == d.tag_values
        assert np.array_equal(again.starts, d.starts)
    return len(pieces)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES, step=st.sampled_from([2_097_152, 150]), quiet=st.booleans(), lazy=st.booleans())
def test_a_buffer_sorted_at_its_first_query_answers_as_the_settled_store(inline, monkeypatch, writes, step, quiet, lazy):
    """Every write lands before the first query (a bulk load): that query sorts the whole
    buffer (one gather; with ``step`` 150, steps merged afterwards); ``quiet``: into one piece;
    ``lazy``: every gather and copy of runs as a lazy query, as a large buffer's are."""
    monkeypatch.setattr(buffer_view, "ONE_GATHER_ROWS", 0 if lazy else 16_384)
    texts = bodies(writes)
    config = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0, buffer_sort_step_rows=step,
                         buffer_sort_quiet_s=0.0 if quiet else 3600.0)
    live, plain = tsdb_core.open(None, config=config), tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=10**9))
    said = [write(live, t) for t in texts]
    assert said == [write(plain, t) for t in texts]
    got = [answer(live, q) for q in QUERIES]
    view = _view(live)
    if view is not None and live._engine.state.buffer.rows:
        assert view._covered == live._engine.state.buffer.rows  # the first query sorted every row
    assert_runs_as_gathered(view)
    want_said, want = settled(texts)
    assert said == want_said
    assert got == want
    assert [answer(plain, q) for q in QUERIES] == want
    live.close()
    plain.close()


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES, split=st.integers(0, 8), quiet=st.booleans(), lazy=st.booleans())
def test_writes_after_the_first_sort_answer_as_the_settled_store(inline, monkeypatch, writes, split, quiet, lazy):
    """A load, the first query's sort, then writes each followed by a query (new pieces, merged
    by size: runs of rows copied, not gathered), as a dashboard reads a store still written to;
    ``lazy``: every gather and copy of runs as a lazy query, as a large buffer's are."""
    monkeypatch.setattr(buffer_view, "ONE_GATHER_ROWS", 0 if lazy else 16_384)
    texts = bodies(writes)
    config = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0, buffer_sort_quiet_s=0.0 if quiet else 3600.0)
    live = tsdb_core.open(None, config=config)
    said = [write(live, t) for t in texts[:split]]
    answer(live, QUERIES[0])
    for t in texts[split:]:
        said.append(write(live, t))
        answer(live, QUERIES[2])
        assert_runs_as_gathered(_view(live))
    want_said, want = settled(texts)
    assert said == want_said
    assert [answer(live, q) for q in QUERIES] == want
    live.close()


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(st.lists(BLOCK, min_size=1, max_size=4), min_size=3, max_size=8), split=st.integers(1, 3),
       dominant=st.sampled_from([0, 4]), lazy=st.booleans())
def test_a_quiet_merge_past_a_dominant_piece_keeps_the_rows_of_the_whole_merge(inline, monkeypatch, writes, split,
                                                                               dominant, lazy):
    """Writes go quiet while a first piece dominates (``DOMINANT`` 0: any first piece does): the
    pieces after it become one and the first is left as it is; the next quiet look merges the
    two, into the rows, runs and run tags of one merge of every piece; answers as settled."""
    monkeypatch.setattr(buffer_view, "ONE_GATHER_ROWS", 0 if lazy else 16_384)
    monkeypatch.setattr(buffer_view, "DOMINANT", dominant)
    monkeypatch.setattr(buffer_view, "_by_size", lambda pieces, tags: pieces)  # a piece per write, as a feed leaves
    one = [[(*b[:6], "int", b[7]) for b in w] for w in writes]  # (no write refused for a type: a piece each)
    later = [[(b[0], b[1], b[2] + 1000 * (i + 1), *b[3:]) for b in w] for i, w in enumerate(one[split:])]
    texts = bodies([*one[:split], *later])  # (a load, then a feed of newer points)
    live = tsdb_core.open(None, config=StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0,
                                                   buffer_sort_quiet_s=3600.0))
    said = [write(live, t) for t in texts[:split]]
    answer(live, QUERIES[0])
    for t in texts[split:]:
        said.append(write(live, t))
        answer(live, QUERIES[2])
    view = _view(live)
    before = () if view is None else view._pieces
    tags = ("host", "rack")
    whole = buffer_view._merge(before, tags, certain=True) if len(before) > 1 else None
    view_tune = dataclasses.replace(live._engine.state.buffer.sorting, quiet_s=0.0)
    live._engine.state.buffer.sorting = view_tune
    if view is not None:
        view.settings = view_tune
    want_said, want = settled(texts)
    assert said == want_said
    first = answer(live, QUERIES[0])  # the first look: the quiet merge
    if len(before) > 1 and buffer_view._kept_whole(before):
        assert len(view._pieces) == 2 and view._pieces[0] is before[0]
        assert view._pieces[1].decoded.frame.equals(buffer_view._merge(before[1:], tags, certain=True).decoded.frame)
        assert_runs_as_gathered(view)
    assert [first, *(answer(live, q) for q in QUERIES[1:])] == want  # (the next look: the whole merge)
    assert_runs_as_gathered(view)
    if whole is not None:
        assert len(view._pieces) == 1
        got = view._pieces[0].decoded
        assert got.frame.equals(whole.decoded.frame) and got.tag_values == whole.decoded.tag_values
        assert np.array_equal(got.starts, whole.decoded.starts)
    live.close()


def test_a_first_piece_is_kept_whole_while_it_dominates():
    piece = lambda n: buffer_view.Piece(Decoded(pl.DataFrame({"time": np.arange(n)}), []), 0, n, ("time",))  # noqa: E731
    big, small = piece(800), piece(100)
    assert buffer_view._kept_whole((big, small, small)) == 1  # 800 >= 4 x 200
    assert buffer_view._kept_whole((big, piece(150), piece(51))) == 0  # 800 < 4 x 201
    assert buffer_view._kept_whole((big, small)) == 0  # one piece after it: the whole merge
    assert buffer_view._kept_whole((small, big, small)) == 0


# -- the copy of runs ----------------------------------------------------------------------------
def _frame(n: int, rng) -> pl.DataFrame:
    return pl.concat([pl.DataFrame({
        "time": rng.integers(0, 10**6, n // 4), "host": [f"h{i % 7}" if i % 5 else None for i in range(n // 4)],
        "v": [float(i) if i % 3 else None for i in range(n // 4)], "b": [i % 2 == 0 for i in range(n // 4)]})
        for _ in range(4)], rechunk=False)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 12), scatter=st.booleans(), lazy=st.booleans())
def test_an_order_of_runs_is_copied_by_run_as_a_gather_would(seed, runs, scatter, lazy):
    """``_sorted_rows`` on an order of a few long runs (pieces merged) copies the runs: the rows
    of a gather; a scattered order (a load arriving time first) is gathered. ``lazy``: as past
    ``ONE_GATHER_ROWS`` (lazy queries: the GIL let go), the same rows in one chunk."""
    with pytest.MonkeyPatch.context() as mp:
        if lazy:
            mp.setattr(buffer_view, "ONE_GATHER_ROWS", 0)
        _copied_as_gathered(seed, runs, scatter)


def _copied_as_gathered(seed: int, runs: int, scatter: bool) -> None:
    rng = np.random.default_rng(seed)
    frame = _frame(1200, rng)
    cuts = np.sort(rng.choice(np.arange(1, frame.height), runs - 1, replace=False)) if runs > 1 else np.zeros(0, int)
    pieces = np.split(np.arange(frame.height), cuts)
    order = np.concatenate([pieces[i] for i in rng.permutation(len(pieces))])
    if scatter:
        order = rng.permutation(frame.height)
    found = buffer_view._runs(order)
    assert (found is None) == scatter
    if found is not None:
        firsts, lengths = found
        assert lengths.sum() == frame.height and np.array_equal(np.concatenate(
            [np.arange(f, f + n) for f, n in zip(firsts, lengths)]), order)
    keys = frame.select("host").unique(maintain_order=True)
    key_rows = frame.select("host").join(keys.with_row_index("k"), on="host", how="left", nulls_equal=True,
                                         maintain_order="left")["k"].to_numpy()[order]
    got = buffer_view._sorted_rows(frame, order, keys, key_rows, frame.columns)
    assert got.equals(frame.rechunk().gather(pl.Series(order))) and got.columns == frame.columns
    assert got.n_chunks() == 1


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 600), chunks=st.integers(1, 9), rows=st.integers(0, 900))
def test_a_lazy_gather_equals_an_eager_one(seed, n, chunks, rows):
    """``_gather`` past ``ONE_GATHER_ROWS`` (a frame made one chunk in a query, then gathered a
    column at a time): the rows of an eager gather, one chunk per column, from a frame of
    ``chunks`` chunks and from a small table gathered into many rows (a sort's tags)."""
    rng = np.random.default_rng(seed)
    frame = pl.concat([_frame(n, rng) for _ in range(chunks)], rechunk=False)
    order = rng.permutation(frame.height) if rows % 2 else rng.integers(0, max(frame.height, 1), rows * (frame.height > 0))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(buffer_view, "ONE_GATHER_ROWS", 0)
        got = buffer_view._gather(frame, order)
        whole = buffer_view._one_chunk(frame)
    assert got.equals(frame.rechunk()[pl.Series(order, dtype=pl.Int64)]) and got.columns == frame.columns
    assert whole.equals(frame) and max(whole.n_chunks("all")) == 1
    if len(order):
        assert max(got.n_chunks("all")) == 1
