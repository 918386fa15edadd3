"""exec/go_ties.py: mode() and percentile() where a tie decides the answer. Its shortcuts (the
read order as a sort of integer keys, series ranked per run of rows, mode() decided from the
tied values' time ranges, Go's sort replayed only as far as the positions read) must answer
what the plain definitions answer: rows sorted by (group, time, series key), then Go's sort
transcribed line by line (test_go_sort.GoSort) and influxd's reducers over its result."""
from __future__ import annotations

import math

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.query.exec import go_ties

from .test_go_sort import go, go_mode

# values full of ties; times with repeats (points of several series at one time)
_values = st.lists(st.integers(0, 5), min_size=1, max_size=300) | st.lists(st.integers(0, 40), min_size=1, max_size=300)


@settings(max_examples=300, deadline=None)
@given(_values, st.data())
def test_mode_equals_the_reducer_over_go_sort(values, data):
    """Time ranges decide what they can, the rest replays only the positions read: the same
    answer as *ModeReduceSlice over the whole Go sort, with times repeated, in read order
    (rising) or shuffled."""
    n = len(values)
    times = data.draw(st.sampled_from([
        sorted(data.draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))),
        data.draw(st.lists(st.integers(0, n), min_size=n, max_size=n)),
        list(range(n)),
    ]))
    assert go_ties.mode_value(np.array(values), np.array(times)) == go_mode(values, times)


def test_mode_on_patterned_input():
    """Sorted, reversed and sawtooth values (partialInsertionSort, reversal, partitionEqual)."""
    for n in (40, 300, 2000):
        t = np.arange(n)
        for v in (t // 4, (n - t) // 4, t % 7, (t * 7) % 11, np.sort(t % 5)):
            assert go_ties.mode_value(v, t // 3) == go_mode(v.tolist(), (t // 3).tolist())


def test_branches_leave_open_only_what_the_ranges_cannot_decide():
    # disjoint ranges decide every step: a later run starting no later than the winner's end takes over
    assert go_ties._branches([5, 0, 9], [6, 4, 12]) == ({1}, set())
    # overlapping ranges leave that step open and both runs possible
    assert go_ties._branches([0, 3], [5, 8]) == ({0, 1}, {(1, 0)})


_rows = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.sampled_from([None, "a", "b"]),
                           st.sampled_from(["x", "y", None])), min_size=1, max_size=120)


def _key(s):
    return (s is not None, s or "")  # nulls first, as a sort of the tag columns


@settings(max_examples=300, deadline=None)
@given(_rows, st.booleans(), st.booleans())
def test_read_order_equals_a_plain_sort(rows, ascending, presorted):
    """Each group's rows by time (descending under ORDER BY time DESC), equal times by series
    key (tag columns in key order, nulls first); rows equal in all of that keep their order."""
    if presorted:  # as a scan hands them over: series after series, each by time
        rows = sorted(rows, key=lambda r: (_key(r[2]), _key(r[3]), r[1]))
    gid = np.array([r[0] for r in rows], dtype=np.uint32)
    time = np.array([r[1] for r in rows], dtype=np.int64)
    series = pl.DataFrame({"a": [r[2] for r in rows], "b": [r[3] for r in rows]},
                          schema={"a": pl.String, "b": pl.String})
    perm = go_ties.read_order(gid, time, series, ascending)
    got = list(range(len(rows))) if perm is None else perm.tolist()
    got = sorted(got, key=lambda i: rows[i][0])  # groups may come in any order; each stays together
    want = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][1] if ascending else -rows[i][1],
                                                   _key(rows[i][2]), _key(rows[i][3])))
    assert got == want
    if perm is None:  # "in order" means each group's rows are together
        seen = [rows[i][0] for i in range(len(rows))]
        assert [g for i, g in enumerate(seen) if i == 0 or seen[i - 1] != g] == list(dict.fromkeys(seen))


def test_series_ranks_rank_runs_of_rows_by_tags():
    series = pl.DataFrame({"a": ["b", "b", None, "a", "b"], "b": ["x", "x", "y", "z", "x"]})
    assert go_ties.series_ranks(series).tolist() == [3, 3, 1, 2, 3]


# -- end to end: a store's answers against the definitions -----------------------------------

_points = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from([None, "x", "y"]),
                             st.integers(0, 59), st.integers(0, 2)), min_size=1, max_size=150) \
    | st.lists(st.tuples(st.sampled_from(["a", "b"]), st.just(None), st.integers(0, 59), st.integers(0, 9)),
               min_size=20, max_size=120)


def _load(points):
    store = tsdb_core.open(dialect="influxdb1")
    store.create_database("d")
    seen, lines = set(), []
    for host, dc, t, v in points:
        if (host, dc, t) not in seen:  # one point per series and time
            seen.add((host, dc, t))
            lines.append(f"m,host={host}{',dc=' + dc if dc else ''} v={v} {t}")
    store.write("d", "\n".join(lines))
    pts = [(host, dc, t, float(v)) for host, dc, t, v in (ln_parse(ln) for ln in lines)]
    return store, pts


def ln_parse(line):
    head, field, t = line.split(" ")
    tags = dict(kv.split("=") for kv in head.split(",")[1:])
    return tags["host"], tags.get("dc"), int(t), float(field[2:])


def _read_order(pts, desc):
    """Points in influxd's read order: by time, then series key (dc, host; a missing tag first)."""
    return sorted(pts, key=lambda p: (-p[2] if desc else p[2], _key(p[1]), p[0]))


def _answer(store, q):
    res = store.query(q, db="d", epoch="ns").to_json()["results"][0]
    out = {tuple(sorted(s.get("tags", {}).items())): [r for r in s["values"] if r[1] is not None]
           for s in res.get("series", [])}
    return {k: rows for k, rows in out.items() if rows}


@settings(max_examples=40, deadline=None)
@given(_points, st.booleans(), st.sampled_from([10, 20, 60]))
def test_mode_by_window_and_host_as_defined(points, desc, width):
    _check_modes(points, desc, width)


def test_mode_decided_and_replayed(monkeypatch):
    """Many windows and hosts with ties: some decided by the time ranges, some replayed."""
    seen = []
    decided = go_ties._decided
    monkeypatch.setattr(go_ties, "_decided", lambda lo, hi: seen.append(decided(lo, hi)) or seen[-1])
    points = [(h, dc, t, (t * (i + 2) + t // 7) % 4) for i, (h, dc) in enumerate([("a", None), ("b", "x"), ("c", "x")])
              for t in range(0, 60, i + 1)]
    for desc in (False, True):
        for width in (6, 10, 20, 60):
            _check_modes(points, desc, width)
    assert any(w is None for w in seen) and any(w is not None for w in seen)


def _check_modes(points, desc, width):
    store, pts = _load(points)
    order = " ORDER BY time DESC" if desc else ""
    for by_host in (False, True):
        by = f"time({width}ns)" + (", host" if by_host else "")
        q = f"SELECT mode(v) FROM m WHERE time >= 0 AND time < 60 GROUP BY {by}{order}"
        want: dict = {}
        for p in _read_order(pts, desc):
            want.setdefault((("host", p[0]),) if by_host else (), {}).setdefault(p[2] // width * width, []).append(p)
        want = {k: sorted(([w, go_mode([p[3] for p in g], [p[2] for p in g])] for w, g in windows.items()),
                          reverse=desc) for k, windows in want.items()}
        assert _answer(store, q) == want, q


@settings(max_examples=40, deadline=None)
@given(_points, st.booleans(), st.sampled_from([10, 50, 90]))
def test_percentile_point_as_defined(points, desc, p):
    """percentile()'s point (its time and the host beside it) is the one Go's sort leaves at
    the percentile's index of the points in read order."""
    store, pts = _load(points)
    order = " ORDER BY time DESC" if desc else ""
    for by_dc in (False, True):
        by = " GROUP BY dc" if by_dc else ""
        q = f"SELECT percentile(v, {p}), host FROM m WHERE time >= 0 AND time < 60{by}{order}"
        groups: dict = {}
        for pt in _read_order(pts, desc):
            groups.setdefault((("dc", pt[1] or ""),) if by_dc else (), []).append(pt)
        want = {}
        for key, g in groups.items():
            k = math.floor(len(g) * p / 100 + 0.5) - 1
            if 0 <= k < len(g):
                pick = g[go([pt[3] for pt in g])[k]]
                want[key] = [[pick[2], pick[3], pick[0]]]
        assert _answer(store, q) == want, q


@settings(max_examples=200, deadline=None)
@given(st.lists(_values, min_size=1, max_size=8), st.floats(1, 100), st.data())
def test_windows_replayed_together_equal_one_by_one(groups, p, data):
    """percentile_rows and mode()'s _replayed sort every window at once (go_sort_many): each
    window's answer is the one its own transcribed sort gives."""
    groups = [g for g in groups if 0 <= int(np.floor(len(g) * p / 100 + 0.5)) - 1 < len(g)]
    if not groups:
        return
    vals = np.array([v for g in groups for v in g], dtype=np.int64)
    bounds = np.cumsum([0] + [len(g) for g in groups])
    rows = go_ties.percentile_rows(vals, bounds, p)
    for g, a, r in zip(groups, bounds[:-1], rows):
        i = int(np.floor(len(g) * p / 100 + 0.5)) - 1
        assert r - a == go(g)[i]
    times = np.array(data.draw(st.permutations(range(len(vals)))), dtype=np.int64)
    tied, runs = [], []  # the windows mode_frame hands over: several values tie, seen twice or more
    for g, a, b in zip(groups, bounds[:-1], bounds[1:]):
        vs, counts = np.unique(vals[a:b], return_counts=True)
        top = vs[counts == counts.max()]
        if counts.max() > 1 and len(top) > 1:
            tied.append((a, b))
            runs.append([{"v": int(v), "lo": int(times[a:b][vals[a:b] == v].min()),
                          "hi": int(times[a:b][vals[a:b] == v].max())} for v in top])
    if not tied:
        return
    sel = np.concatenate([np.arange(a, b) for a, b in tied])
    tb = np.cumsum([0] + [b - a for a, b in tied])
    wins = go_ties._replayed(vals[sel], times[sel], tb, runs)
    for (a, b), rs, w in zip(tied, runs, wins):
        assert rs[w]["v"] == go_mode(vals[a:b].tolist(), times[a:b].tolist())
