"""exec/fast_grid.py (windows of sorted rows found by the grid's edges) answers what the
general ``reduceat`` path of exec/fast.py answers, rows and float columns alike, and
declines what it does not handle."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tsdb_core.base.time import MIN_TIME
from tsdb_core.query.analyze.time_range import TimeRange
from tsdb_core.query.exec import fast
from tsdb_core.query.exec.fast_grid import grid_windows

S = 1_000_000_000


def _plan(calls, start, end, interval, offset, fill="null"):
    columns = tuple(SimpleNamespace(name=f"{c}_{f}", expr=SimpleNamespace(name=c, args=[SimpleNamespace(name=f)]))
                    for c, f in calls)
    return fast._Shape(False, (), columns, "time", None, interval, offset, fill, TimeRange(start, end))


def _both(plan, arrays, epoch):
    """(grid_windows' rows and floats, the general path's rows and floats)."""
    fa, fb = [], []
    a = grid_windows(plan, arrays, epoch, 0, fa, fast._grid_times)
    b = fast._reduceat_windows(plan, arrays, epoch, 0, fb)
    return (a, fa), (b, fb)


def _same_floats(fa, fb) -> bool:
    return len(fa) == len(fb) and all(j == k and np.array_equal(x, y, equal_nan=True) and x.dtype == y.dtype
                                      for (j, x), (k, y) in zip(fa, fb))


_CALLS = st.lists(st.tuples(st.sampled_from(["max", "min", "count"]), st.sampled_from(["f", "i"])),
                  min_size=1, max_size=3)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-50, 400), min_size=1, max_size=150), st.integers(-60, 0), st.integers(0, 60),
       st.sampled_from([1, 3, 10, 60]), st.integers(-30, 30), _CALLS, st.sampled_from([None, "s", "ms"]),
       st.lists(st.floats(-1e20, 1e20, allow_nan=False), min_size=150, max_size=150))
def test_grid_windows_answer_as_reduceat(seconds, lo, hi_extra, every, offset, calls, epoch, values):
    times = np.sort(np.asarray(seconds, dtype=np.int64)) * S
    start, end = int(times[0]) + lo * S, int(times[-1]) + hi_extra * S
    plan = _plan(calls, start, end, every * S, offset * S)
    n = times.size
    arrays = {"time": times, "f": np.asarray(values[:n], dtype=np.float64),
              "i": np.asarray([int(v) % 1000 for v in values[:n]], dtype=np.int64)}
    (a, fa), (b, fb) = _both(plan, arrays, epoch)
    assert a is not None
    assert a == b
    assert _same_floats(fa, fb)


def _arrays(times, f=None):
    times = np.asarray(times, dtype=np.int64)
    return {"time": times, "f": np.asarray(f if f is not None else np.arange(times.size) * 1.5, dtype=np.float64),
            "i": np.arange(times.size, dtype=np.int64)}


def test_declines_what_the_general_path_answers():
    calls = [("max", "f"), ("count", "i")]
    plan = _plan(calls, 0, 100 * S, 10 * S, 0)
    ok = _arrays([1 * S, 5 * S, 42 * S])
    assert grid_windows(plan, ok, None, 0, [], fast._grid_times) is not None
    declined = {
        "unsorted": (plan, _arrays([42 * S, 1 * S])),
        "a null (NaN)": (plan, _arrays([1 * S, 5 * S], [1.0, np.nan])),
        "fill(none)": (_plan(calls, 0, 100 * S, 10 * S, 0, fill="none"), ok),
        "percentile": (_plan([("percentile", "f")], 0, 100 * S, 10 * S, 0), ok),
        "a row before the grid": (_plan(calls, 20 * S, 100 * S, 10 * S, 0), ok),
        "a row after the grid": (_plan(calls, 0, 30 * S, 10 * S, 0), ok),
        "a grid clamped at the earliest time": (_plan(calls, MIN_TIME, MIN_TIME + 100 * S, 7 * S, 0),
                                                _arrays([MIN_TIME + 1, MIN_TIME + 2])),
    }
    for why, (p, arrays) in declined.items():
        assert grid_windows(p, arrays, None, 0, [], fast._grid_times) is None, why


def test_gaps_are_null_and_count_zero():
    plan = _plan([("max", "f"), ("count", "f"), ("min", "i")], 0, 39 * S, 10 * S, 0)
    floats: list = []
    rows = grid_windows(plan, _arrays([1 * S, 2 * S, 31 * S], [2.5, 4.0, 7.25]), "s", 0, floats, fast._grid_times)
    assert rows == [[0, 4.0, 2, 0], [10, None, 0, None], [20, None, 0, None], [30, 7.25, 1, 2]]
    assert len(floats) == 1 and floats[0][0] == 1
    assert np.array_equal(floats[0][1], [4.0, np.nan, np.nan, 7.25], equal_nan=True)


def test_a_remembered_shape_gives_each_answer_its_own_columns():
    """exec/fast.py finds a plan's shape once; the answers of a repeated text stay apart."""
    import tsdb_core

    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", "\n".join(f"m,host=a f={i * 1.5} {i * S}" for i in range(30)))
    q = "SELECT max(f) FROM m WHERE host = 'a' AND time >= 0s AND time < 30s GROUP BY time(10s)"
    first = s.query(q, "db", epoch="s").statements[0].series[0]
    first.columns.append("changed")
    again = s.query(q, "db", epoch="s").statements[0].series[0]
    assert again.columns == ["time", "max"]
    assert again.values == [[0, 13.5], [10, 28.5], [20, 43.5]]
    s.close()



_SIGNED = st.sampled_from([0.0, -0.0, 1.5, -2.25, 7.0, 1e300, -1e300])  # signed zeros: ties the order decides


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([1, 2, 5, 10]), st.integers(0, 300), st.integers(0, 300), st.sampled_from([3, 10, 30, 60, 120]),
       _CALLS, st.sampled_from([None, "ms"]), st.integers(1, 5), st.booleans(), st.data())
def test_series_sampled_alike_answer_as_reduceat(step, lo, span, every, calls, epoch, hosts, gaps, data):
    """One series at a steady rate, or several at the same instants one after the other (the
    hosts a query names, sampled alike), with a ragged first and last window, signed zeros and
    perhaps missing instants: as the general path; declined only for a float extreme of zero
    of several series (+0.0 and -0.0 tie)."""
    seconds = np.arange(lo, lo + span + 1, step, dtype=np.int64)
    if gaps:
        seconds = np.delete(seconds, sorted(data.draw(st.sets(st.integers(0, seconds.size - 1), max_size=3))))
    if seconds.size < 2:
        return  # (one instant: the rows ascend, the one-series path's)
    times = np.tile(seconds, hosts) * S
    n = times.size
    values = data.draw(st.lists(st.one_of(_SIGNED, st.floats(-1e6, 1e6, allow_nan=False)), min_size=n, max_size=n))
    margin = st.one_of(st.integers(0, 90), st.just(0))  # (often no empty window at either end)
    start = (int(seconds[0]) - data.draw(margin)) * S
    end = (int(seconds[-1]) + data.draw(margin)) * S
    plan = _plan(calls, start, end, every * S, 0)
    arrays = {"time": times, "f": np.asarray(values, dtype=np.float64),
              "i": np.asarray([int(v) % 1000 for v in values], dtype=np.int64)}
    (a, fa), (b, fb) = _both(plan, arrays, epoch)
    assert a is None or (a == b and _same_floats(fa, fb))
    assert a is not None or (hosts > 1 and 0.0 in values and any(c != "count" and f == "f" for c, f in calls))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(-50, 400), min_size=1, max_size=30), min_size=2, max_size=5))
def test_series_sampled_apart_are_declined(series):
    """Series one after the other at instants not all alike: the general path's (which sorts them)."""
    times = np.concatenate([np.unique(np.asarray(s, dtype=np.int64)) for s in series]) * S
    if times.size < 2 or (times[1:] >= times[:-1]).all():
        return  # (they ascend as one: the one-series path's)
    n = times.size
    alike = any(n % d == 0 and (times.reshape(-1, d) == times[:d]).all() and (times[1:d] >= times[:d - 1]).all()
                for d in range(1, n))  # copies of one ascending run
    plan = _plan([("max", "f"), ("count", "i")], int(times.min()) - 5 * S, int(times.max()) + 5 * S, 10 * S, 0)
    rows = grid_windows(plan, _arrays(times, np.arange(times.size) + 1.0), None, 0, [], fast._grid_times)
    assert (rows is not None) == alike


def test_a_zero_extreme_of_several_series_is_left_to_the_general_path():
    """+0.0 and -0.0 tie: which one a window keeps depends on the order of its rows."""
    plan = _plan([("max", "f")], 0, 19 * S, 10 * S, 0)
    arrays = _arrays([1 * S, 2 * S, 1 * S, 2 * S], [-0.0, -1.0, 0.0, -3.0])
    assert grid_windows(plan, arrays, None, 0, [], fast._grid_times) is None
    arrays = _arrays([1 * S, 2 * S, 1 * S, 2 * S], [-0.5, -1.0, 0.25, -3.0])
    floats: list = []
    assert grid_windows(plan, arrays, None, 0, floats, fast._grid_times) == [["1970-01-01T00:00:00Z", 0.25],
                                                                              ["1970-01-01T00:00:10Z", None]]
    assert floats[0][0] == 1 and np.array_equal(floats[0][1], [0.25, np.nan], equal_nan=True)


def test_several_series_sampled_alike_count_every_row():
    """Three hosts at the same instants: a window counts each host's rows, its max is over all."""
    seconds = np.tile(np.arange(25, 205, 10), 3)  # 25..195: windows of a minute hold 4, 6, 6, 2 instants
    plan = _plan([("max", "f"), ("min", "i"), ("count", "f")], 0, 239 * S, 60 * S, 0)
    arrays = _arrays(seconds * S, [float(s % 70) + h for h in range(3) for s in seconds[:18]])
    rows = grid_windows(plan, arrays, "s", 0, [], fast._grid_times)
    assert rows == [[0, 57.0, 0, 12], [60, 67.0, 4, 18], [120, 67.0, 10, 18], [180, 57.0, 16, 6]]
    assert rows == fast._reduceat_windows(plan, arrays, "s", 0, [])
