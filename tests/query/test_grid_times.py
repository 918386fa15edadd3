"""query/grid_times: a regular grid's RFC 3339 texts cut from cached blocks equal the general rule."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsdb_core.base.time import S, format_rfc3339
from tsdb_core.query import grid_times
from tsdb_core.query.grid_times import BLOCK, MAX_TIMES, MIN_TIMES, grid_texts
from tsdb_core.query.results import _numpy_texts, rfc3339_times

I64 = st.integers(-(2 ** 63), 2 ** 63 - 1)
# whole seconds, whole minutes, sub-second and odd nanosecond steps, up to weeks
STEPS = st.one_of(st.sampled_from([S, 10 * S, 60 * S, 3600 * S, 86400 * S, 100_000_000, 1_500_000_000, 7]),
                  st.integers(1, 14 * 86400 * S))


def _scalar(ns) -> list[str]:
    return [format_rfc3339(int(x)) for x in ns]


def _grid(start: int, step: int, n: int) -> np.ndarray | None:
    """``start + k * step``, None when some time (or ``k * step``) is past int64."""
    if max(start + (n - 1) * step, (n - 1) * step) > 2 ** 63 - 1:
        return None
    return start + np.arange(n, dtype=np.int64) * np.int64(step)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=I64, step=STEPS, n=st.integers(MIN_TIMES, MAX_TIMES))
def test_grid_texts_equal_the_scalar_rule(start, step, n):
    """Any grid (negative times, pre-1970, fractions, whole seconds, across block edges, at the
    ends of int64) reads as format_rfc3339 reads each time, cached or not."""
    ns = _grid(start, step, n)
    if ns is None:
        return
    want = _scalar(ns)
    assert rfc3339_times(ns) == want
    assert rfc3339_times(ns) == want  # (from the blocks the first call kept)
    assert rfc3339_times(ns.tolist()) == want


@settings(max_examples=300, deadline=None)
@given(st.lists(I64, min_size=MIN_TIMES, max_size=300), st.sampled_from([1, 1000, S, 60 * S]))
def test_any_times_equal_the_scalar_rule(values, unit):
    """Times that are no grid (random int64 ns, rounded to a unit) go the general way, alike."""
    ns = np.array(values, dtype=np.int64) // unit * unit
    assert rfc3339_times(ns) == _scalar(ns)


def test_blocks_are_shared_by_overlapping_grids():
    grid_times._BLOCKS.clear()
    start = 1_451_606_400 * S + 7 * 60 * S  # 2016-01-01T00:07:00Z
    a = start + np.arange(720, dtype=np.int64) * 60 * S
    assert grid_texts(a, _numpy_texts) == _scalar(a)
    kept = dict(grid_times._BLOCKS)
    k0 = start // (60 * S)  # (window numbers count from the epoch)
    assert sorted(k[1:] for k in kept) == [(60 * S, 0, b) for b in range(k0 // BLOCK, (k0 + 719) // BLOCK + 1)]
    b = a[100:400]
    assert grid_texts(b, _numpy_texts) == _scalar(b)
    assert grid_times._BLOCKS == kept  # nothing formatted again
    assert grid_texts(a[:-1] + 30 * S, _numpy_texts)[0] == "2016-01-01T00:07:30Z"  # another phase
    assert len(grid_times._BLOCKS) == 2 * len(kept)
    other = grid_texts(a, lambda ns: [str(v) for v in ns.tolist()])  # another formatter: its own blocks
    assert other == [str(v) for v in a.tolist()]


def test_not_grids():
    ns = 1_451_606_400 * S + np.arange(40, dtype=np.int64) * S
    gap = ns.copy()
    gap[20:] += S
    assert grid_texts(gap, _numpy_texts) is None
    assert grid_texts(ns[::-1].copy(), _numpy_texts) is None  # descending
    assert grid_texts(np.zeros(40, dtype=np.int64), _numpy_texts) is None
    assert grid_texts(ns[:MIN_TIMES - 1], _numpy_texts) is None
    assert rfc3339_times(gap) == _scalar(gap)


def test_wrapped_differences_are_no_grid():
    """int64 differences that wrap around can all equal one step without the times being a
    grid: the exact span tells them apart."""
    step = 2 ** 62
    ns = (np.arange(MIN_TIMES, dtype=np.uint64) * np.uint64(step) + np.uint64(5)).view(np.int64)
    assert (np.diff(ns) == step).all()
    assert grid_texts(ns, _numpy_texts) is None
    assert rfc3339_times(ns) == _scalar(ns)


def test_ends_of_int64():
    top = 2 ** 63 - 1 - np.arange(MIN_TIMES, dtype=np.int64)[::-1] * S
    bottom = -(2 ** 63) + np.arange(MIN_TIMES, dtype=np.int64) * 1_000
    for ns in (top, bottom):
        assert rfc3339_times(ns) == _scalar(ns)
    assert rfc3339_times(top)[-1] == "2262-04-11T23:47:16.854775807Z"
    assert rfc3339_times(bottom)[0] == "1677-09-21T00:12:43.145224192Z"
