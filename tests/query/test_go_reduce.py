"""exec/go_reduce.py against a literal port of influxd 1.6.7's iterators: per-series call
iterators, NewParallelMergeIterator's halves, the shard's and the shards' MergeIterators
(container/heap, step by step), each call iterator's reducer (FloatSumReduce,
FloatMeanReducer); stddev over SortedMergeIterators and FloatStddevReduceSlice."""
from __future__ import annotations


import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.exec import go_reduce
from tsdb_core.query.meta.window import GO_ZERO_TIME

from .test_tree_sums import _go_stddev as go_stddev

DAY = 86_400 * 10**9
SHARD = 7 * DAY


class _Heap:
    """Go's container/heap over a list, with the caller's Less."""

    def __init__(self, items, less):
        self.h, self.less = items, less
        for i in range(len(items) // 2 - 1, -1, -1):
            self._down(i, len(items))

    def _down(self, i, n):
        h = self.h
        while 2 * i + 1 < n:
            j = 2 * i + 1
            if j + 1 < n and self.less(h[j + 1], h[j]):
                j += 1
            if not self.less(h[j], h[i]):
                return
            h[i], h[j] = h[j], h[i]
            i = j

    def pop(self):
        n = len(self.h) - 1
        self.h[0], self.h[n] = self.h[n], self.h[0]
        self._down(0, n)
        return self.h.pop()

    def push(self, x):
        h = self.h
        h.append(x)
        j = len(h) - 1
        while j > 0 and self.less(h[j], h[(j - 1) // 2]):
            h[j], h[(j - 1) // 2] = h[(j - 1) // 2], h[j]
            j = (j - 1) // 2


def _merge(inputs, asc):
    """MergeIterator: pop a stream, read its run of one key (tags, window), push it back."""
    items = [[p, 0] for p in inputs if p]
    if len(items) == 1:
        return items[0][0]

    def less(x, y):
        a, b = x[0][x[1]][0], y[0][y[1]][0]
        return a < b if asc else (a[0] > b[0] or (a[0] == b[0] and a[1] > b[1]))
    heap, out = _Heap(items, less), []
    while heap.h:
        cur = heap.pop()
        pts, i = cur
        k = pts[i][0]
        while i < len(pts) and pts[i][0] == k:
            out.append(pts[i])
            i += 1
        if i < len(pts):
            cur[1] = i
            heap.push(cur)
    return out


def _reduce(stream, fn):
    """A call iterator: each key's points in order into one reducer."""
    out = []
    for key, v, c in stream:
        if out and out[-1][0] == key:
            k, acc, n = out[-1]
            if fn == "sum":
                out[-1] = (k, acc + v, 1)
            else:
                out[-1] = (k, acc + (v * c if c >= 2 else v), n + (c if c >= 2 else 1))
        else:
            out.append((key, v * c if fn == "mean" and c >= 2 else v, c if fn == "mean" and c >= 2 else 1))
    return [(k, acc if fn == "sum" else acc / n, n) for k, acc, n in out]


def literal(points, fn, asc, interval):
    """points: (tag, series, time, value) -> {(tag, window): value}."""
    def win(t):
        return t // interval * interval if interval else 0
    shards: dict[int, list] = {}
    for p in points:
        shards.setdefault((p[2] - GO_ZERO_TIME) // SHARD, []).append(p)
    streams = []
    for sh in sorted(shards):
        tagsets = []
        for tag in sorted({p[0] for p in shards[sh]}):
            sids = sorted({p[1] for p in shards[sh] if p[0] == tag}, reverse=not asc)
            inputs = []
            for s in sids:
                pts = sorted((p for p in shards[sh] if p[:2] == (tag, s)), key=lambda p: p[2], reverse=not asc)
                inputs.append(_reduce([((tag, win(p[2])), p[3], 1) for p in pts], fn))
            n = len(inputs) // 2
            merged = _merge([_merge(inputs[:n], asc), _merge(inputs[n:], asc)], asc) if n else inputs[0]
            tagsets.append(merged)
        streams.append(_reduce(_merge(tagsets, asc), fn))
    out = _reduce(_reduce(_merge(streams, asc), fn), fn)
    return {k: v for k, v, _ in out}


def literal_stddev(points, asc, interval):
    """Points by time (ties: series order of the literal SortedMergeIterator is not needed:
    the strategy draws distinct times per tag set), then FloatStddevReduceSlice."""
    def win(t):
        return t // interval * interval if interval else 0
    groups: dict = {}
    for p in sorted(points, key=lambda p: p[2], reverse=not asc):
        groups.setdefault((p[0], win(p[2])), []).append(p[3])
    return {k: go_stddev(xs) for k, xs in groups.items() if len(xs) >= 2}


def _frame(points, interval):
    df = pl.DataFrame(points, schema=["tag", "s", "time", "v"], orient="row")
    w = (pl.col("time") // interval * interval) if interval else pl.lit(0, pl.Int64)
    return df.with_columns(pl.lit("m").alias("name"), w.alias("b"))


POINTS = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["s0", "s1", "s2", "s3", "s4"]),
                            st.integers(0, 40 * 24).map(lambda h: h * 3_600 * 10**9),
                            st.integers(0, 10**6).map(lambda i: i / 997)),
                  min_size=1, max_size=80, unique_by=lambda p: (p[1], p[2]))


@settings(max_examples=100, deadline=None)
@given(POINTS, st.sampled_from(["sum", "mean"]), st.booleans(), st.sampled_from([0, DAY, 2 * DAY, 3 * DAY, 10 * DAY]))
def test_exact_equals_the_iterators(points, fn, asc, interval):
    """Every group's value, bit for bit, over series sharing windows and shard groups."""
    got = go_reduce.exact(_frame(points, interval), ["name", "tag", "b"], "b", ["s"], "v", fn, asc, SHARD)
    want = literal(points, fn, asc, interval)
    assert {(r["tag"], r["b"]): r["v"] for r in got.iter_rows(named=True)} == want


@settings(max_examples=100, deadline=None)
@given(POINTS.map(lambda ps: list({(p[0], p[2]): p for p in ps}.values())), st.booleans(),
       st.sampled_from([0, DAY, 3 * DAY]))
def test_stddev_equals_the_reducer(points, asc, interval):
    got = go_reduce.stddev(_frame(points, interval), ["name", "tag", "b"], "b", ["s"], "v", asc, SHARD)
    want = literal_stddev(points, asc, interval)
    assert {(r["tag"], r["b"]): r["v"] for r in got.iter_rows(named=True) if r["v"] is not None} == want


@settings(max_examples=60, deadline=None)
@given(POINTS.map(lambda ps: list({(p[0], p[2]): p for p in ps}.values())), st.sampled_from([0, DAY, 3 * DAY]),
       st.integers(1, 30), st.integers(0, 3))
def test_stddev_declines_a_group_over_the_limit_before_the_replay(points, interval, limit, more):
    """None exactly when some group holds more than STDDEV_MAX_POINTS values (the bound from
    the groups' count never says so wrongly), else every group as the reducer takes it."""
    rows = _frame(points, interval)
    largest = rows.group_by(["tag", "b"]).len().get_column("len").max()
    groups = rows.select(["tag", "b"]).n_unique() + more
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(go_reduce, "STDDEV_MAX_POINTS", limit)
        got = go_reduce.stddev(rows, ["name", "tag", "b"], "b", ["s"], "v", True, SHARD, groups)
    assert (got is None) == (largest > limit)
    if got is not None:
        want = literal_stddev(points, True, interval)
        assert {(r["tag"], r["b"]): r["v"] for r in got.iter_rows(named=True) if r["v"] is not None} == want


def test_spans_partials_keeps_the_aligned_one_series_path():
    """Windows holding the shard groups' boundaries (time(1h), time(1d)) over one series a
    group keep the plain path; time(2d) windows cross Mondays' boundaries."""
    class Provider:
        def series(self, db, rp, m):
            return pl.DataFrame({"host": ["h0", "h1"]})

        def retention_policies(self, db):
            return []

    from tsdb_core.query.analyze.time_range import TimeRange
    from tsdb_core.query.plan.nodes import Scan

    class Plan:
        sources = (Scan("db", "autogen", "m", TimeRange(), ("v",)),)
        dimensions = ("host",)
        condition = None
        time_range = TimeRange(0, 100 * DAY)

    p = Provider()
    assert not go_reduce.spans_partials(Plan, 3_600 * 10**9, 0, None, p)
    assert not go_reduce.spans_partials(Plan, DAY, 0, None, p)
    assert go_reduce.spans_partials(Plan, 2 * DAY, 0, None, p)
    Plan.dimensions = ()
    assert go_reduce.spans_partials(Plan, DAY, 0, None, p)


def test_the_fast_executor_declines_a_mean_of_several_series():
    """A mean over three series is influxd's reduce tree (the general path replays it); over
    one series, or a max over three, the fast executor answers. Decided when run (the index
    then), so a cached plan stays right when a series comes."""
    import tsdb_core
    from tsdb_core.influxql import parse
    from tsdb_core.query.exec import fast
    from tsdb_core.query.plan.nodes import FastSelect
    from tsdb_core.query.plan.planner import plan_select

    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", "\n".join(f"m,host=h{h} f={t / 7} {t * 10**9}" for h in range(3) for t in range(0, 600, 10)))
    r = "time >= 0 AND time < 600s GROUP BY time(1m)"

    def answered(q):
        plan = plan_select(parse(q, {})[0], s, db="db", rp=None, now=s.now())
        return isinstance(plan.root, FastSelect) and fast.select(plan, s, plan.root.tag_filter(), None, 0) is not None
    assert not answered(f"SELECT mean(f) FROM m WHERE {r}")
    assert answered(f"SELECT mean(f) FROM m WHERE host = 'h1' AND {r}")
    assert answered(f"SELECT max(f) FROM m WHERE {r}")
    assert not answered(f"SELECT stddev(f) FROM m WHERE host = 'h1' AND {r}")
    s.close()


def test_exact_of_a_value_no_row_holds_is_empty():
    """Groups holding another call's points only: no value to replay (no row, no error)."""
    rows = pl.DataFrame({"name": ["m", "m"], "tag": ["a", "b"], "s": ["s0", "s1"], "time": [0, 1], "b": [0, 0],
                         "v": [None, None]}, schema_overrides={"v": pl.Float64})
    got = go_reduce.exact(rows, ["name", "tag", "b"], "b", ["s"], "v", "sum", True, SHARD)
    assert got.height == 0 and got.columns == ["name", "tag", "b", "v"]
