"""GROUP BY time + tags over several sorted sources (buffered pieces, files and pieces): the series'
runs gathered across them (storage/run_gather.py) answer exactly as the general path does, for
sources disjoint in time (gathered) and overlapping ones with repeated points (the merge decides)."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.query.exec import runs as series_runs
from tsdb_core.storage import buffer_view, partitions, run_gather

SEC = 10**9
DB = "db"
# every write its own sorted piece at once, never merged for quiet (the test decides when to flush)
CONFIG = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0, buffer_sort_quiet_s=3600.0,
                     buffer_sort_step_rows=1)
QUERY = ("SELECT mean(v), count(v), sum(w), max(v) FROM m WHERE time >= {lo}s AND time < {hi}s "
         "GROUP BY time(7s), host, region")

point = st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["east", "west", None]),
                  st.integers(0, 29), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-100, 100))
batch = st.tuples(st.lists(point, min_size=1, max_size=48), st.booleans(), st.sampled_from([False, False, True]))


def _lines(points, offset: int, regions: bool) -> bytes:
    """Line protocol of ``points``, times moved by ``offset`` s; no region tag when not ``regions``."""
    out = []
    for host, region, t, v, w in points:
        tags = f",host={host}" + (f",region={region}" if regions and region else "")
        out.append(f"m{tags} v={v!r},w={w}i {(offset + t) * SEC}")
    return "\n".join(out).encode()


def _answer(store, q: str, general: bool):
    with pytest.MonkeyPatch.context() as mp:
        if general:
            mp.setattr(series_runs, "groups", lambda *a: None)
        return store.query(q, db=DB).to_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(batch, min_size=3, max_size=5), disjoint=st.booleans(),
       window=st.tuples(st.integers(-5, 30), st.integers(30, 200)), sliced=st.booleans())
def test_gathered_runs_answer_as_the_general_path(batches, disjoint, window, sliced):
    gathered = []
    real = run_gather.gather_runs
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(buffer_view, "BACKGROUND", False)
        mp.setattr(run_gather, "_SLICED_ROWS", 0 if sliced else 1 << 40)  # runs joined as slices, or gathered
        mp.setattr(partitions, "gather_runs", lambda parts: gathered.append(len(parts)) or real(parts))
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


def test_disjoint_pieces_are_gathered_into_one_run_per_series(monkeypatch):
    """Writes over three spans of time: sorted pieces (the second write without the region key)
    gathered into one run per series."""
    monkeypatch.setattr(buffer_view, "BACKGROUND", False)
    gathered, found = [], []
    real, groups = run_gather.gather_runs, series_runs.groups
    monkeypatch.setattr(partitions, "gather_runs", lambda parts: gathered.append(len(parts)) or real(parts))
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
    assert gathered[-1] == 3 and found[-1] is not None
    series = res["results"][0]["series"]
    assert [(s["tags"]["host"], s["values"][0][1:]) for s in series] == [("a", [21, 21]), ("b", [0 * 5 + 1 * 4 + 2 * 2, 11]),
                                                                         ("c", [14, 2])]


def test_sources_with_columns_of_other_types_are_not_gathered():
    a = (pl.DataFrame({"time": [1], "v": [1.0]}), np.array([0]), np.array([1]), {"host": ["a"]})
    b = (pl.DataFrame({"time": [2], "v": [1]}), np.array([0]), np.array([1]), {"host": ["a"]})
    assert run_gather.gather_runs([a, b]) is None
    frame, firsts, counts, tags = run_gather.gather_runs([a, a])
    assert frame.get_column("time").to_list() == [1, 1] and firsts.tolist() == [0] and counts.tolist() == [2]
