"""GROUP BY time + tags over several sorted sources (buffered pieces, files and pieces): the series'
runs of each source, read where they are held and the groups astride two sources copied
(storage/run_gather.py, base/piece_runs.py, query/exec/runs.py), answer exactly as the general
path does and as the settled store does, for sources disjoint in time and overlapping ones with
repeated points (the merge decides)."""
from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.query.exec import runs as series_runs
from tsdb_core.base import piece_runs
from tsdb_core.storage import buffer_view, partitions, run_gather

SEC = 10**9
DB = "db"
# every write its own sorted piece at once, never merged for quiet (the test decides when to flush)
CONFIG = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0, buffer_sort_quiet_s=3600.0,
                     buffer_sort_step_rows=1)
QUERY = ("SELECT mean(v), count(v), sum(w), max(v) FROM m WHERE time >= {lo}s AND time < {hi}s "
         "GROUP BY time(7s), host, region")

point = st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["east", "west", None]),
                  st.integers(0, 29), st.floats(-1e6, 1e6, allow_nan=False),
                  st.one_of(st.integers(-100, 100), st.integers(2**53, 2**55), st.none()))  # w: sparse, past 2**53
batch = st.tuples(st.lists(point, min_size=1, max_size=48), st.booleans(), st.sampled_from([False, False, True]))


def _lines(points, offset: int, regions: bool) -> bytes:
    """Line protocol of ``points``, times moved by ``offset`` s; no region tag when not ``regions``."""
    out = []
    for host, region, t, v, w in points:
        tags = f",host={host}" + (f",region={region}" if regions and region else "")
        out.append(f"m{tags} v={v!r}" + (f",w={w}i" if w is not None else "") + f" {(offset + t) * SEC}")
    return "\n".join(out).encode()


def _answer(store, q: str, general: bool):
    with pytest.MonkeyPatch.context() as mp:
        if general:
            mp.setattr(series_runs, "groups", lambda *a: None)
        return store.query(q, db=DB).to_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(batch, min_size=3, max_size=5), disjoint=st.booleans(),
       window=st.tuples(st.integers(-5, 30), st.integers(30, 200)), share=st.sampled_from([0.75, 0.0, 2.0]))
def test_piece_runs_answer_as_the_general_path(batches, disjoint, window, share):
    """(``share``: 0, the first source always kept and the rest copied as one; 2, never.)"""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(buffer_view, "BACKGROUND", False)
        mp.setattr(series_runs, "FIRST_SHARE", share)
        store = tsdb_core.open(None, config=CONFIG)
        try:
            size = 64
            for i, (points, regions, flush) in enumerate(batches):
                size = max(1, min(len(points), size // 3))  # each write much smaller: a piece of its own
                points = points[:size]
                store.write(DB, _lines(points, 40 * i if disjoint else 0, regions))
                store.query("SELECT count(v) FROM m", db=DB)  # a reader: the write becomes a sorted piece
                if flush:
                    store.flush()
            lo, span = window
            q = QUERY.format(lo=lo, hi=lo + span)
            fast = _answer(store, q, general=False)
            assert fast == _answer(store, q, general=True)
        finally:
            store.close()


def test_disjoint_pieces_are_read_where_they_are_held(monkeypatch):
    """Writes over three spans of time: sorted pieces (the second write without the region key)
    read as three sources, every group astride them (one window) copied into a fourth."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    gathered, found = [], []
    real, groups = run_gather.piece_runs, series_runs.groups
    monkeypatch.setattr(partitions, "piece_runs", lambda parts: gathered.append(len(parts)) or real(parts))
    monkeypatch.setattr(series_runs, "groups", lambda *a: found.append(groups(*a)) or found[-1])
    store = tsdb_core.open(None, config=CONFIG)
    for i in range(3):
        n = 10 - 3 * i  # each write smaller than the last: its own piece
        store.write(DB, _lines([("a", None, t, float(t + 10 * i), 1) for t in range(n)]
                               + [("b", None, t, 2.0, i) for t in range(0, n, 2)]
                               + ([("c", "east", 0, 1.0, 7)] if i != 1 else []), 10 * i, regions=True))
        store.query("SELECT count(v) FROM m", db=DB)
    res = store.query("SELECT sum(w), count(v) FROM m WHERE time >= 0s AND time < 30s GROUP BY time(30s), host",
                      db=DB).to_json()
    store.close()
    assert gathered[-1] == 3 and found[-1] is not None and len(found[-1].frames) == 4
    assert found[-1].held.tolist() == [3, 3, 3]  # a: in all three, b: in all three, c: in the first and last
    series = res["results"][0]["series"]
    assert [(s["tags"]["host"], s["values"][0][1:]) for s in series] == [("a", [21, 21]), ("b", [0 * 5 + 1 * 4 + 2 * 2, 11]),
                                                                         ("c", [14, 2])]


def test_a_first_source_holding_most_rows_is_kept_and_the_rest_copied_as_one(monkeypatch):
    """Series a's rows after the first source begin at 12 s, in the window [10, 20) s: its rows of
    the first from 10 s on go with them; b has none after; c none in the first."""
    def frame(times):
        return pl.DataFrame({"time": [t * SEC for t in times], "v": [float(t) for t in times]})
    first = frame([1, 5, 10, 11, 2, 3, 18])  # a: 1, 5, 10, 11; b: 2, 3, 18
    second = frame([12, 14, 13])               # a: 12, 14; c: 13
    third = frame([25, 21])                    # c: 21 (25: out of range); a: 25 is not read
    found = piece_runs.PieceRuns((first, second, third),
                                 (np.array([0, 4, 0]), np.array([0, 0, 2]), np.array([0, 0, 1])),
                                 (np.array([4, 3, 0]), np.array([2, 0, 1]), np.array([0, 0, 1])),
                                 {"host": ["a", "b", "c"]})
    monkeypatch.setattr(series_runs, "FIRST_SHARE", 0.6)  # (7 of the 11 rows read)
    two = series_runs._first_and_rest(found, 10 * SEC, 0)
    assert two.frames[0] is first and [f.tolist() for f in two.firsts] == [[0, 4, 0], [0, 4, 4]]
    assert [n.tolist() for n in two.counts] == [[2, 3, 0], [4, 0, 2]]
    assert (two.frames[1].get_column("time") // SEC).to_list() == [10, 11, 12, 14, 13, 21]
    frames, held, _, series, windows, lengths = series_runs._piece_groups(found, 10 * SEC, 0)
    assert len(frames) == 2 and held.tolist() == [0, 1, 0, 0, 1, 1]  # none astride: nothing else copied
    assert list(zip(series.tolist(), (windows // SEC).tolist(), lengths.tolist())) == [
        (0, 0, 2), (0, 10, 4), (1, 0, 2), (1, 10, 1), (2, 10, 1), (2, 20, 1)]
    monkeypatch.setattr(series_runs, "FIRST_SHARE", 0.7)  # each source passed over, the groups astride copied
    frames, held, _, series, windows, lengths = series_runs._piece_groups(found, 10 * SEC, 0)
    assert len(frames) == 4 and held.tolist() == [0, 3, 0, 0, 1, 2]  # (3: the copies of the groups astride)
    assert list(zip(series.tolist(), (windows // SEC).tolist(), lengths.tolist())) == [
        (0, 0, 2), (0, 10, 4), (1, 0, 2), (1, 10, 1), (2, 10, 1), (2, 20, 1)]


def test_sources_with_columns_of_other_types_are_not_read_together():
    a = (pl.DataFrame({"time": [1], "v": [1.0]}), np.array([0]), np.array([1]), {"host": ["a"]})
    b = (pl.DataFrame({"time": [2], "v": [1]}), np.array([0]), np.array([1]), {"host": ["a"]})
    assert run_gather.piece_runs([a, b]) is None
    assert run_gather.piece_runs([a]) is a
    runs = run_gather.piece_runs([a, a])
    assert [f.get_column("time").to_list() for f in runs.frames] == [[1], [1]]
    assert [(f.tolist(), n.tolist()) for f, n in zip(runs.firsts, runs.counts)] == [([0], [1]), ([0], [1])]


def test_series_a_source_lacks_have_no_rows_there():
    a = (pl.DataFrame({"time": [1, 2, 3], "v": [1.0, 2.0, 3.0]}), np.array([0, 2]), np.array([2, 1]),
         {"host": ["a", "b"]})
    b = (pl.DataFrame({"time": [9, 5, 6], "v": [9.0, 5.0, 6.0]}), np.array([1]), np.array([2]), {"host": ["c"]})
    runs = run_gather.piece_runs([a, b])
    assert runs.tags == {"host": ["a", "b", "c"]}
    assert [(f.tolist(), n.tolist()) for f, n in zip(runs.firsts, runs.counts)] == [([0, 2, 0], [2, 1, 0]),
                                                                                    ([0, 0, 1], [0, 0, 2])]


def test_segments_gathered_in_the_order_asked():
    frames = (pl.DataFrame({"time": [0, 1, 2, 3]}), pl.DataFrame({"time": [10, 11, 12]}))
    got = piece_runs.gather_segments(frames, np.array([1, 0, 1, 0]), np.array([0, 2, 2, 0]), np.array([2, 2, 1, 1]))
    assert got.get_column("time").to_list() == [10, 11, 2, 3, 12, 0]
    assert got.n_chunks() == 1


def test_integers_past_2_53_keep_their_bits_when_an_unread_frame_has_nulls():
    """The copy's array takes its type from a frame it copies from: frames[0] with a null in an
    Int64 column converts to float64 (2**53 + 1 would round to 2**53)."""
    big = 2**53
    frames = (pl.DataFrame({"w": [None, 5]}, schema={"w": pl.Int64}),
              pl.DataFrame({"w": [big + 1, big + 1]}), pl.DataFrame({"w": [big + 3, 7]}))
    got = piece_runs.gather_segments(frames, np.array([1, 2]), np.array([0, 0]), np.array([2, 2]))
    assert got.get_column("w").to_list() == [big + 1, big + 1, big + 3, 7]
    assert got.schema["w"] == pl.Int64


@settings(max_examples=60, deadline=None)
@given(data=st.data(), sizes=st.lists(st.integers(1, 12), min_size=1, max_size=4), nulls=st.booleans())
def test_segments_gathered_as_their_slices_joined(data, sizes, nulls):
    """Numbers without nulls (NumPy slices), with nulls and strings (Polars gathers): each the
    segments' slices one after the other."""
    value = st.one_of(st.none(), st.floats(allow_nan=False)) if nulls else st.floats(allow_nan=False)
    frames = tuple(pl.DataFrame({"time": pl.Series(range(n), dtype=pl.Int64),
                                 "v": pl.Series(data.draw(st.lists(value, min_size=n, max_size=n)), dtype=pl.Float64),
                                 "s": pl.Series([f"{k}:{i}" for i in range(n)], dtype=pl.String)})
                   for k, n in enumerate(sizes))
    segs = data.draw(st.lists(st.integers(0, len(sizes) - 1).flatmap(
        lambda k: st.tuples(st.just(k), st.integers(0, sizes[k] - 1)).flatmap(
            lambda ks: st.tuples(st.just(ks[0]), st.just(ks[1]), st.integers(1, sizes[ks[0]] - ks[1])))), max_size=8))
    source, starts, lengths = (np.array([x[i] for x in segs], dtype=np.int64) for i in range(3))
    got = piece_runs.gather_segments(frames, source, starts, lengths)
    want = pl.concat([frames[k].slice(a, n) for k, a, n in segs]) if segs else frames[0].clear()
    assert got.schema == want.schema and got.to_dict(as_series=False) == want.to_dict(as_series=False)



@settings(max_examples=60, deadline=None)
@given(data=st.data(), series=st.integers(2, 6), cycle=st.lists(st.integers(0, 2), min_size=1, max_size=4),
       shift=st.booleans())
def test_segments_on_a_lattice_joined_as_their_slices(data, series, cycle, shift):
    """Every series taking the same sources in turn, equally many rows of each at equally
    spaced starts (a run of every host in each piece): one strided copy per column, the same
    rows as the slices joined; one start moved off the lattice: the slices themselves."""
    cycle = [k for i, k in enumerate(cycle) if k != cycle[0] or not i]  # (a series' cycle begins where its first source recurs)
    rows = [data.draw(st.integers(1, 5)) for _ in cycle]
    steps = [n + data.draw(st.integers(0, 3)) for n in rows]
    firsts = [data.draw(st.integers(0, 4)) for _ in cycle]
    sizes = [max(f + (series - 1) * s + n for f, s, n, k2 in zip(firsts, steps, rows, cycle) if k2 == k)
             if k in cycle else 1 for k in range(3)]
    frames = tuple(pl.DataFrame({"time": pl.Series(range(100 * k, 100 * k + n), dtype=pl.Int64),
                                 "v": pl.Series([float(i) / 7 for i in range(n)], dtype=pl.Float64)})
                   for k, n in enumerate(sizes))
    segs = [(k, f + i * s, n) for i in range(series) for k, f, s, n in zip(cycle, firsts, steps, rows)]
    moved = shift and segs[-1][1] > 0
    if moved:
        k, a, n = segs[-1]
        segs[-1] = (k, a - 1, n)
    source, starts, lengths = (np.array([x[i] for x in segs], dtype=np.int64) for i in range(3))
    on_lattice = piece_runs._lattice(source, starts, lengths) is not None
    if not moved or series > 2:  # (two series: the moved start is a lattice of another spacing)
        assert on_lattice == (not moved)
    got = piece_runs.gather_segments(frames, source, starts, lengths)
    want = pl.concat([frames[k].slice(a, n) for k, a, n in segs])
    assert got.schema == want.schema and got.to_dict(as_series=False) == want.to_dict(as_series=False)


def _close(a, b) -> bool:
    """``a == b``, floats to a relative 1e-12 (the same type: an integer stays exact)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b

@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=st.lists(point, min_size=4, max_size=90), cuts=st.lists(st.integers(1, 29), min_size=1, max_size=5),
       flushed=st.lists(st.sampled_from([True, True, False]), min_size=6, max_size=6), every=st.sampled_from([2, 5, 7, 30]),
       window=st.tuples(st.integers(-5, 20), st.integers(5, 60)), desc=st.booleans())
def test_a_load_split_into_pieces_answers_as_the_settled_store(points, cuts, flushed, every, window, desc):
    """A load cut at random times into writes (each a sorted piece, some flushed to a file): the
    answers while it is held so are the answers once it is flushed and compacted into one file
    (float means to 1e-12: a sum over two files adds in another order than over one; integers,
    counts and maxima exactly)."""
    edges = [0, *sorted(set(cuts)), 30]
    lo, span = window
    q = (f"SELECT mean(v), count(v), sum(w), max(v), mean(w) FROM m WHERE time >= {lo}s AND time < {lo + span}s "
         f"GROUP BY time({every}s), host" + (" ORDER BY time DESC" if desc else ""))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(buffer_view, "BACKGROUND", False)
        store = tsdb_core.open(None, config=CONFIG)
        try:
            for (a, b), flush in zip(zip(edges, edges[1:]), flushed):
                part = [p for p in points if a <= p[2] < b]
                if part:
                    store.write(DB, _lines(part, 0, True))
                    store.query("SELECT count(v) FROM m", db=DB)  # a reader: the write becomes a sorted piece
                if flush:
                    store.flush()
            live = store.query(q, db=DB).to_json()
            store.flush()
            store.compact()
            settled = store.query(q, db=DB).to_json()
            assert "error" not in live["results"][0] and _close(live, settled)
        finally:
            store.close()


def test_arrays_of_several_pieces_come_series_by_series(monkeypatch):
    """Three writes over three spans of time, three hosts sampled alike: the pieces' rows of two
    hosts come host by host (each host's times ascending, as in a settled file), and the
    windowed maxima of those hosts answer as the settled store does; a fourth piece holding one
    of them leaves them piece by piece."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    store, settled = tsdb_core.open(None, config=CONFIG), tsdb_core.open(None, config=CONFIG)
    for i in range(3):
        n = 10 - 3 * i  # each write smaller than the last: its own piece
        lines = _lines([(h, None, t, float((t * 7 + i) % 5) * (-1) ** t, 1) for h in "abc" for t in range(n)],
                       10 * i, regions=False)
        store.write(DB, lines)
        settled.write(DB, lines)
        store.query("SELECT count(v) FROM m", db=DB)
    settled.flush()
    args = (DB, None, "m", 0, 30 * SEC, ["v"])
    for lattice in (2, 16):  # (2: the series joined by one strided copy per column)
        monkeypatch.setattr(run_gather, "LATTICE_SERIES", lattice)
        got = store.scan_arrays(*args, {"host": ["a", "c"]})
        times = got["time"] // SEC
        assert times.tolist() == 2 * [t + 10 * i for i, n in enumerate((10, 7, 4)) for t in range(n)]
        assert got["v"].tolist() == [float((t * 7 + i) % 5) * (-1) ** t for _ in "ac"
                                     for i, n in enumerate((10, 7, 4)) for t in range(n)]
    q = ("SELECT max(v), min(v), count(v) FROM m WHERE (host = 'a' OR host = 'c') AND time >= 0s AND time < 30s "
         "GROUP BY time(4s) fill(null)")
    assert store.query(q, db=DB).to_json() == settled.query(q, db=DB).to_json()
    store.write(DB, _lines([("a", None, 0, 1.0, 1)], 40, regions=False))  # a alone in a fourth piece: piece by piece
    store.query("SELECT count(v) FROM m", db=DB)
    got = store.scan_arrays(DB, None, "m", 0, 50 * SEC, ["v"], {"host": ["a", "c"]})
    assert (got["time"] // SEC).tolist() == [t for i, n in enumerate((10, 7, 4)) for t in
                                              2 * list(range(10 * i, 10 * i + n))] + [40]
    store.close()
    settled.close()


def test_each_frames_lists_put_back_at_their_groups_places():
    """RunGroups._lists answers frame by frame (the first source's groups, then the rest's); the
    rows go back to series then window order, each column keeping its type."""
    out = [pl.DataFrame({"m": [1.5, 2.5, 3.5], "s": [1, 2, 3]}), pl.DataFrame({"m": [7.0, 8.0], "s": [2**60, -4]})]
    got = series_runs._scattered(out, [np.array([0, 2, 3]), np.array([1, 4])])
    assert got.schema == out[0].schema
    assert got.to_dict(as_series=False) == {"m": [1.5, 7.0, 2.5, 3.5, 8.0], "s": [1, 2**60, 2, 3, -4]}
