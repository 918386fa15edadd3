"""base.run_searches: the interpolated searches of many runs are searchsorted's, run by run."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.base.run_searches import FEW_RUNS, _interpolated, _run_by_run, search_runs

_RUN = st.one_of(
    st.lists(st.integers(-50, 50), max_size=40).map(sorted),  # duplicates, gaps
    st.tuples(st.integers(-10**18, 10**18), st.integers(1, 10**10), st.integers(0, 40))  # steady rate
    .map(lambda t: [t[0] + i * t[1] for i in range(t[2])]),
    st.tuples(st.integers(0, 10**6), st.integers(0, 40), st.integers(0, 10**6))  # steady, then a jump
    .map(lambda t: [i * 10 + (t[2] if i > t[1] // 2 else 0) for i in range(t[1])]),
)


def _want(values, starts, ends, targets):
    targets = np.broadcast_to(targets, (len(starts), targets.shape[-1]))
    return np.array([[s + int(np.searchsorted(values[s:e], v)) for v in row]
                     for s, e, row in zip(starts, ends, targets)], dtype=np.int64).reshape(len(starts), -1)


@settings(max_examples=400, deadline=None)
@given(runs=st.lists(_RUN, min_size=1, max_size=8), data=st.data())
def test_search_runs_is_searchsorted_run_by_run(runs, data):
    values = np.array([v for r in runs for v in r], dtype=np.int64)
    ends = np.cumsum([len(r) for r in runs]).astype(np.int64)
    starts = ends - np.array([len(r) for r in runs], dtype=np.int64)
    near = [v + d for r in runs for v in r for d in (-1, 0, 1)] or [0]
    cells = st.one_of(st.sampled_from(near), st.integers(-2 * 10**18, 2 * 10**18))
    k = data.draw(st.integers(0, 5))
    shared = data.draw(st.booleans())
    targets = np.array(data.draw(st.lists(cells, min_size=k, max_size=k)) if shared else
                       [data.draw(st.lists(cells, min_size=k, max_size=k)) for _ in runs], dtype=np.int64)
    want = _want(values, starts, ends, targets).tolist()
    for got in (search_runs(values, starts, ends, targets), _interpolated(values, starts, ends, targets),
                _run_by_run(values, starts.tolist(), ends.tolist(), targets)):  # (both ways, whatever the count)
        assert got.dtype == np.int64 and got.tolist() == want


def test_search_runs_of_two_series_sampled_every_ten():
    values = np.array([0, 10, 20, 30, 5, 15, 25], dtype=np.int64)
    got = search_runs(values, np.array([0, 4]), np.array([4, 7]), np.array([[10, 31], [0, 16]]))
    assert got.tolist() == [[1, 4], [4, 6]]
    assert search_runs(values, np.array([0, 4]), np.array([4, 7]), np.array([20])).tolist() == [[2], [6]]


def test_many_runs_are_searched_by_their_guesses():
    """Past FEW_RUNS runs the interpolated searches answer (a hundred hosts of ten-second samples)."""
    runs = 40
    values = np.tile(np.arange(0, 600, 10, dtype=np.int64), runs)
    starts = np.arange(runs, dtype=np.int64) * 60
    got = search_runs(values, starts, starts + 60, np.array([[95, 301]]))
    assert runs > FEW_RUNS and got.tolist() == [[s + 10, s + 31] for s in starts.tolist()]
