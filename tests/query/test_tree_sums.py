"""exec/tree_sums.py against Go's loops written out in Python: sums added one value after
another, FloatStddevReduceSlice, a MergeIterator of two streams (container/heap)."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tsdb_core.query.exec import go_reduce, tree_sums

FLOATS = st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.sampled_from([0.0, -0.0, 1e-300, 3.3, 1e16]))


def _runs(draw_lengths, draw_gap):
    """(values, starts, lengths) of runs laid out with gaps between them."""
    pos, starts = 0, []
    for n, g in zip(draw_lengths, draw_gap):
        pos += g
        starts.append(pos)
        pos += n
    return np.array(starts, dtype=np.int64), np.array(draw_lengths, dtype=np.int64), pos


RUNS = st.tuples(st.lists(st.integers(0, 40), min_size=1, max_size=12), st.integers(0, 3), st.booleans())


def _go_sum(xs):
    acc = None
    for x in xs:
        acc = x if acc is None else acc + x
    return -0.0 if acc is None else acc


@settings(max_examples=examples(150), deadline=None)
@given(RUNS, st.data())
def test_run_sums_add_one_value_after_another(runs, data):
    lengths, gap, backwards = runs
    starts, lengths, size = _runs(lengths, [gap] * len(lengths))
    v = np.array(data.draw(st.lists(FLOATS, min_size=size, max_size=size)), dtype=np.float64)
    got = tree_sums.run_sums(v, starts, lengths, backwards)
    for i, (s, n) in enumerate(zip(starts.tolist(), lengths.tolist())):
        xs = v[s:s + n].tolist()
        want = _go_sum(xs[::-1] if backwards else xs)
        assert math.copysign(1, got[i]) == math.copysign(1, want) and got[i] == want, (i, xs)


def test_run_sums_of_many_equal_runs_end_to_end_and_of_one_run():
    rng = np.random.default_rng(7)
    v = rng.standard_normal(3000) * 10.0 ** rng.integers(-3, 9, 3000)
    for starts, lengths in [(np.arange(0, 3000, 300), np.full(10, 300)), (np.array([5]), np.array([2900]))]:
        got = tree_sums.run_sums(v, starts, lengths)
        assert got.tolist() == [_go_sum(v[s:s + n].tolist()) for s, n in zip(starts, lengths)]


def _go_stddev(xs):
    if len(xs) < 2:
        return math.nan
    mean = 0.0
    for i, x in enumerate(xs, 1):
        mean += (x - mean) / i
    var = 0.0
    for x in xs:
        var += (x - mean) * (x - mean)  # Go's math.Pow(d, 2) squares once (pow.go); C's pow may not
    return math.sqrt(var / (len(xs) - 1))


@settings(max_examples=examples(150), deadline=None)
@given(RUNS, st.data())
def test_run_stddevs_as_go_reduces_a_slice(runs, data):
    lengths, gap, backwards = runs
    starts, lengths, size = _runs(lengths, [gap] * len(lengths))
    v = np.array(data.draw(st.lists(st.floats(-1e9, 1e9), min_size=size, max_size=size)), dtype=np.float64)
    got = tree_sums.run_stddevs(v, starts, lengths, backwards)
    for i, (s, n) in enumerate(zip(starts.tolist(), lengths.tolist())):
        xs = v[s:s + n].tolist()
        want = _go_stddev(xs[::-1] if backwards else xs)
        assert (math.isnan(got[i]) and math.isnan(want)) or got[i] == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=15, unique=True), st.lists(st.integers(0, 12), max_size=15, unique=True))
def test_two_streams_as_the_heap_of_two(ka, kb):
    """Runs of one key each (a half's window), both streams rising: the replayed heap."""
    ka, kb = sorted(ka), sorted(kb)
    key = np.array(ka + kb, dtype=np.int64)
    a, b = np.arange(len(ka)), len(ka) + np.arange(len(kb))
    src = np.array([0] * len(ka) + [1] * len(kb), dtype=np.int64)
    want = go_reduce._replay(key, src) if len(ka) and len(kb) else np.arange(len(key))
    assert tree_sums.two_streams(a, b, key).tolist() == want.tolist()


def test_one_long_run_among_many_short_ones_in_classes():
    """A busy window beside thousands of sparse ones (a grid of longest x runs would hold
    millions of cells): runs taken by length class, each stddev still Go's."""
    rng = np.random.default_rng(5)
    lengths = np.array([2_000] + rng.integers(1, 4, size=1_500).tolist(), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    v = rng.uniform(-1e9, 1e9, size=int(lengths.sum()))
    assert int(lengths.max()) * len(lengths) > tree_sums._GRID_CELLS
    for backwards in (False, True):
        got = tree_sums.run_stddevs(v, starts, lengths, backwards)
        for i, (s, n) in enumerate(zip(starts.tolist(), lengths.tolist())):
            xs = v[s:s + n].tolist()
            want = _go_stddev(xs[::-1] if backwards else xs)
            assert (math.isnan(got[i]) and math.isnan(want)) or got[i] == want
