"""exec/stretches.py against step-by-step transcriptions of influxd 1.6's iterators
(query/iterator.gen.go.tmpl: reduce() with NextInWindow, Iterators.Merge's second reducer,
FillIterator.Next): the vectorised stretches and outer fill() equal them on random streams."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.exec.stretches import fill_stream, fill_walk, own_nulls, stretch_ids

IV = 10


def _reduce_stretches(rows: list[tuple[str, int, float | None]], merged: bool) -> list[int]:
    """Each row with a value's stretch number (from 1), as reduce() reads the stream: a null
    row is skipped, but one in another window closes the open stretch; ``merged``: the second
    reducer joins consecutive stretches of one group and window again."""
    out, n, open_key, closed = [], 0, None, False
    for key, w, v in rows:
        if v is None:
            if open_key is not None and w != open_key[1]:
                closed = True
            continue
        if (key, w) != open_key or (closed and not merged):
            n += 1
        open_key, closed = (key, w), False
        out.append(n)
    return out


def _fill_iterator(rows, span, asc: bool, mode: str, value):
    """FillIterator.Next over each group's rows (``rows``: (key, window, value) in stream order)."""
    out = []
    for key in dict.fromkeys(k for k, _, _ in rows):
        pts = [(w, v) for k, w, v in rows if k == key]
        start, end = (span[0], span[1]) if asc else (span[1], span[0])
        w = start if start is not None else pts[0][0]
        prev, i = None, 0
        while True:
            p = pts[i] if i < len(pts) else None
            if p is None and not (end is not None and (w <= end if asc else w >= end)):
                break
            if p is None or (p[0] > w if asc else p[0] < w):
                if mode == "value":
                    fv = value
                elif mode == "previous":
                    fv = prev[1] if prev else None
                else:
                    fv = prev[1] + (p[1] - prev[1]) * (w - prev[0]) / (p[0] - prev[0]) if prev and p else None
                out.append((key, w, fv))
            else:
                out.append((key, p[0], p[1]))
                prev, i = p, i + 1
            w += IV if asc else -IV
    return out


rows_st = st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 8).map(lambda k: k * IV),
                             st.one_of(st.none(), st.floats(-100, 100).map(lambda x: round(x, 3)))),
                   min_size=1, max_size=30)


@given(rows_st, st.booleans())
@settings(max_examples=200, deadline=None)
def test_stretches_as_reduce_reads_them(rows, merged):
    lf = pl.LazyFrame(rows, schema={"k": pl.String, "w": pl.Int64, "v": pl.Float64}, orient="row")
    got = stretch_ids(lf, ["k"], "w", ["v"], merged, "s").collect()
    assert got["v"].to_list() == [v for _, _, v in rows if v is not None]
    assert got["s"].to_list() == _reduce_stretches(rows, merged)


@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(1, 8).map(lambda k: k * IV),
                          st.floats(-100, 100).map(lambda x: round(x, 3))), min_size=1, max_size=20),
       st.sampled_from(["value", "previous", "linear"]), st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_outer_fill_as_the_fill_iterator(rows, mode, asc, bounded):
    rows = sorted(rows, key=lambda r: r[0])  # a group's rows together, in any time order
    span = (0 if bounded else None, 9 * IV)
    df = pl.DataFrame(rows, schema={"k": pl.String, "w": pl.Int64, "v": pl.Float64}, orient="row")
    got = fill_stream(df, ["k"], "w", {"v": -1.0}, mode, span, IV, asc)
    want = _fill_iterator(rows, span, asc, mode, -1.0)
    assert [tuple(r) for r in got.select("k", "w", "v").rows()] == [
        (k, w, None if v is None else float(v)) for k, w, v in want]


def test_outer_fill_keeps_an_integer_count_integer():
    df = pl.DataFrame({"k": ["a", "a"], "w": [10, 30], "c": [2, 4]})
    got = fill_stream(df, ["k"], "w", {"c": -1}, "value", (0, 40), IV, True)
    assert got.rows() == [("a", 0, -1), ("a", 10, 2), ("a", 20, -1), ("a", 30, 4), ("a", 40, -1)]
    assert got.schema["c"] == pl.Int64
    lin = fill_stream(df, ["k"], "w", {"c": None}, "linear", (None, 40), IV, True)
    assert lin.rows() == [("a", 10, 2), ("a", 20, 3), ("a", 30, 4), ("a", 40, None)]


@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(1, 8), st.floats(-100, 100).map(lambda x: round(x, 3))),
                min_size=1, max_size=20),
       st.sampled_from(["value", "previous"]), st.booleans(), st.booleans(), st.integers(1, 8), st.integers(-7, 7))
@settings(max_examples=300, deadline=None)
def test_outer_fill_over_a_zone_walk(rows, mode, asc, bounded, moved, shift):
    """A walk whose windows move at a change of the zone's offset (fill_walk): the FillIterator
    steps from one of its windows to the next, whatever the time between them."""
    walk = [k * IV + (shift if k >= moved else 0) for k in range(10)]
    rows = sorted(rows, key=lambda r: r[0])
    span = (walk[0] if bounded else None, walk[-1])
    df = pl.DataFrame([(k, walk[i], v) for k, i, v in rows], schema={"k": pl.String, "w": pl.Int64, "v": pl.Float64},
                      orient="row")
    got = fill_walk(df, ["k"], "w", {"v": -1.0}, mode, span, walk, asc)
    want = _fill_iterator([(k, i * IV, v) for k, i, v in rows], (0 if bounded else None, 9 * IV), asc, mode, -1.0)
    assert [tuple(r) for r in got.select("k", "w", "v").rows()] == [
        (k, walk[w // IV], None if v is None else float(v)) for k, w, v in want]


def test_a_walk_missing_a_rows_window_is_not_filled():
    df = pl.DataFrame({"k": ["a"], "w": [15], "v": [1.0]})
    assert fill_walk(df, ["k"], "w", {"v": -1.0}, "value", (0, 30), [0, 10, 20, 30], True) is None


def test_each_call_filled_on_its_own():
    """A row holding another call's value only: this call's window is filled (its number; its
    previous value, per group), under fill(null) left null."""
    df = pl.DataFrame({"k": ["a", "a", "b"], "w": [0, 10, 0], "m": [1.0, None, None], "c": [None, 3, 4]})
    assert own_nulls(df, ["k"], {"m": -1.0, "c": -1}, "value").rows() == [
        ("a", 0, 1.0, -1), ("a", 10, -1.0, 3), ("b", 0, -1.0, 4)]
    assert own_nulls(df, ["k"], {"m": None, "c": None}, "previous")["m"].to_list() == [1.0, 1.0, None]
    assert own_nulls(df, ["k"], {"m": None, "c": 0}, "null").equals(df)
