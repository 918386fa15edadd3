"""Windowed aggregates grouped from each series' rows (exec/runs.py) answer, bit for bit, what
the general executor answers by grouping the scanned rows (the path forced by declining).

Random stores: several series (one tag grouped by, one not always), ragged and sparse times,
float fields with missing values, an integer field; statements with offsets, DESC, fill modes,
LIMIT/OFFSET, tag filters and zones (the last declined: both answers still compared).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.base.time import fixed_clock
from tsdb_core.query.engine import execute
from tsdb_core.query.exec import runs as series_runs

S = 10**9
M = 60 * S
NOW = 30 * 24 * 3600 * S
HOSTS = ("a", "b", "c", "d", "e")


class _Taken:
    """Counts the statements :func:`series_runs.groups` grouped; ``off`` forces the general path."""

    def __init__(self, monkeypatch):
        self.taken, self.off = 0, False
        real = series_runs.groups

        def spy(*args):
            if self.off:
                return None
            out = real(*args)
            self.taken += out is not None
            return out

        monkeypatch.setattr(series_runs, "groups", spy)

    def both(self, store, q: str, db: str = "d", epoch: str | None = None) -> tuple[str, str]:
        """(this path's answer, the general path's answer) as JSON text (floats exact)."""
        got = json.dumps(execute(store, q, db=db, now=NOW, epoch=epoch).to_json())
        self.off = True
        try:
            want = json.dumps(execute(store, q, db=db, now=NOW, epoch=epoch).to_json())
        finally:
            self.off = False
        return got, want


def _lines(points: list[tuple[str, str, int, float | None, float | None, int]]) -> str:
    out = []
    for host, dc, t, x, y, n in points:
        fields = [f"x={x!r}"] if x is not None else []
        fields += [f"y={y!r}"] if y is not None else []
        fields.append(f"n={n}i")
        out.append(f"cpu,host={host},dc={dc} {','.join(fields)} {t}")
    return "\n".join(out)


@pytest.fixture
def taken(monkeypatch):
    return _Taken(monkeypatch)


@pytest.fixture
def filed(tmp_path):
    stores = []

    def make(lines: str):
        store = tsdb_core.open(tmp_path / f"s{len(stores)}", clock=fixed_clock(NOW))
        stores.append(store)
        store.create_database("d")
        assert store.write("d", lines).ok
        store.flush()
        return store

    yield make
    for s in stores:
        s.close()


_value = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                   st.integers(-500, 500).map(lambda v: v / 100))
_series = st.tuples(st.sampled_from(HOSTS), st.sampled_from(("east", "west")))
_time = st.one_of(st.integers(0, 6 * 3600), st.integers(0, 72).map(lambda k: k * 300))  # seconds; on window edges too
_point = st.tuples(_series, _time, _value, _value, st.integers(-1000, 1000))

_QUERIES = st.sampled_from([
    "SELECT mean(x) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host",
    "SELECT mean(x), sum(y), count(x), min(x), max(y) FROM cpu WHERE time >= 0 AND time < 6h "
    "GROUP BY time(37m), host, dc",
    "SELECT mean(x), count(y) FROM cpu WHERE time >= 10m AND time < 5h GROUP BY time(1h, 15m), host, dc fill(none)",
    "SELECT mean(x), sum(n) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(20m), * fill(0) ORDER BY time DESC",
    "SELECT first(x), last(y), spread(n), stddev(x), median(y) FROM cpu WHERE time >= 0 AND time < 6h "
    "GROUP BY time(2h), host, dc LIMIT 2 OFFSET 1",
    "SELECT mean(x) * 2, count(n) FROM cpu WHERE (host = 'a' OR host = 'c') AND time >= 0 AND time < 6h "
    "GROUP BY time(90m), host, dc fill(previous)",
    "SELECT mean(x) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host",  # host alone: maybe shared
    "SELECT sum(y), count(x) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host, dc "
    "tz('America/New_York')",
    "SELECT percentile(x, 90), mean(n) FROM cpu WHERE dc = 'east' AND time >= 0 AND time < 6h "
    "GROUP BY time(1h), host fill(linear)",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=st.lists(_point, min_size=0, max_size=120), q=_QUERIES, epoch=st.sampled_from([None, "s"]),
       by_rows=st.booleans())
def test_same_answer_as_grouping_the_rows(taken, tmp_path_factory, points, q, epoch, by_rows):
    """Both ways of finding the groups (window by window, row by row: ``SPARSE``)."""
    seen = {}
    for (host, dc), t, x, y, n in points:
        seen[(host, dc, t)] = (host, dc, t * S, x, y, n)  # one point per series and time
    root = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    store = tsdb_core.open(root / "data", clock=fixed_clock(NOW))
    try:
        store.create_database("d")
        if seen:
            assert store.write("d", _lines(list(seen.values()))).ok
        store.flush()
        sparse, series_runs.SPARSE = series_runs.SPARSE, (0 if by_rows else 10**9)
        try:
            got, want = taken.both(store, q, epoch=epoch)
        finally:
            series_runs.SPARSE = sparse
        assert got == want
    finally:
        store.close()
        shutil.rmtree(root, ignore_errors=True)


def _regular(hosts: int, minutes: int, every_s: int = 10) -> str:
    points = []
    for h in range(hosts):
        for k in range(minutes * 60 // every_s):
            t = k * every_s
            points.append((f"h{h}", "east", t * S, round((t * 7919 + h * 104729) % 10000 / 100, 2),
                           None if k % 7 == 0 else float(k % 13), k))
    return _lines(points)


def test_tsdb_double_groupby_shape_taken_and_equal(filed, taken):
    store = filed(_regular(5, 180))
    for q in ("SELECT mean(x) FROM cpu WHERE time >= 25m AND time < 145m GROUP BY time(1h), host",
              "SELECT mean(x), mean(y), mean(n) FROM cpu WHERE time >= 0 AND time < 3h GROUP BY time(1h), host"):
        got, want = taken.both(store, q)
        assert got == want
        series = json.loads(got)["results"][0]["series"]
        assert [s["tags"]["host"] for s in series] == [f"h{h}" for h in range(5)]
        assert len(series[0]["values"]) == 3
    assert taken.taken == 2
    first = json.loads(got)["results"][0]["series"][0]["values"][0]
    assert first[0] == "1970-01-01T00:00:00Z" and first[3] == pytest.approx(sum(range(360)) / 360)


def test_declined_shapes_take_the_general_path(filed, taken):
    store = filed(_regular(3, 60))
    for q in ("SELECT max(x) FROM cpu WHERE time < 1h GROUP BY time(10m)",  # no tag: series share windows
              "SELECT mean(x) FROM cpu WHERE x > 10 AND time < 1h GROUP BY time(10m), host",  # a field condition
              "SELECT max(x), y FROM cpu WHERE time < 1h GROUP BY time(10m), host",  # a selector's point
              "SELECT mean(x) FROM cpu WHERE time < 1h GROUP BY time(10m), dc",  # series share their dc
              "SELECT mean(x) FROM cpu WHERE time < 1h GROUP BY time(10m), host tz('Europe/Paris')"):
        got, want = taken.both(store, q)
        # both answers come from the general path (its float sums the same bits every run:
        # test_deterministic_sums.py)
        assert got == want, q
    assert taken.taken == 0


def test_several_files_declined_same_answer(filed, taken):
    day = 24 * 3600 * S
    lines = "\n".join(f"cpu,host=h{h},dc=east x={k / 4} {k * 600 * S + d * day}"
                      for d in (0, 1) for h in range(2) for k in range(144))
    store = filed(lines)
    store.compact()
    q = "SELECT mean(x), count(x) FROM cpu WHERE time < 2d GROUP BY time(1d), host"
    got, want = taken.both(store, q)
    assert got == want and taken.taken == (1 if len(store.files()) == 1 else 0)
    assert [v[2] for v in json.loads(got)["results"][0]["series"][0]["values"]] == [144, 144]


# -- calls computed over the held rows as lists (RunGroups.reduce) ---------------------------

_LIST_QUERIES = st.sampled_from([
    "SELECT mean(x) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(1h), host, dc",
    "SELECT mean(x), sum(x), count(x), mean(n), sum(n), count(n) FROM cpu WHERE time >= 0 AND time < 2h "
    "GROUP BY time(17m), host, dc",
    "SELECT mean(n), sum(x) FROM cpu WHERE time >= 5m AND time < 100m GROUP BY time(30m, 7m), host, dc fill(none)",
    "SELECT mean(x), count(n) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(20m), * fill(0) "
    "ORDER BY time DESC",
    "SELECT sum(n), mean(x) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(45m), host, dc LIMIT 2 OFFSET 1",
    "SELECT mean(x) * 2, count(x) FROM cpu WHERE (host = 'a' OR host = 'c') AND time >= 0 AND time < 2h "
    "GROUP BY time(25m), host, dc fill(previous)",
    "SELECT mean(x), sum(n) FROM cpu WHERE dc = 'east' AND time >= 0 AND time < 2h GROUP BY time(40m), host "
    "fill(linear)",
    "SELECT mean(x) FROM cpu WHERE time >= 10m AND time < 30m GROUP BY time(1m), host, dc fill(null)",
    "SELECT count(x), count(n) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(10m), dc, host fill(none)",
])
_REDUCE = series_runs.RunGroups.reduce  # (a test patches it; each example starts from this)
_run = st.tuples(_series, st.integers(0, 3600), st.integers(1, 700), st.sampled_from((1, 3, 10)),
                 st.integers(0, 2**32 - 1))


def _dense(runs) -> str:
    """Series of regular points (``(series, first second, points, step, seed)``), values of mixed
    magnitudes (sums whose order matters: runs of hundreds of rows in a window), -0.0 among them."""
    import numpy as np

    points = {}
    for (host, dc), t0, n, step, seed in runs:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 7, n)
        x[rng.random(n) < 0.02] = -0.0
        for k, (v, i) in enumerate(zip(x.tolist(), rng.integers(-10**12, 10**12, n).tolist())):
            t = t0 + k * step
            if t < 7200:
                points[(host, dc, t)] = (host, dc, t * S, v, None, i)
    return _lines(list(points.values()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runs=st.lists(_run, min_size=1, max_size=4), q=_LIST_QUERIES, epoch=st.sampled_from([None, "s"]))
def test_lists_same_answer_as_grouping_the_rows(taken, tmp_path_factory, monkeypatch, runs, q, epoch):
    """Means, integer sums and counts of fields without nulls, computed over each group's rows
    where the file holds them (lists, no copy): each mean is Polars' mean of the group's slice
    bit for bit, integers are exact, and the answer is the general path's. Floats compare to 12
    significant digits there: the general path's Polars adds a group's values in an order that
    depends on how it gathered them (one order for a slice of one chunk, another of several)."""
    reduced = []

    def spy(self, calls, gaps):
        out = _REDUCE(self, calls, gaps)
        reduced.append(out is not None)
        if out is not None:
            _assert_slice_means(self, calls, out)
        return out
    monkeypatch.setattr(series_runs.RunGroups, "reduce", spy)
    root = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    store = tsdb_core.open(root / "data", clock=fixed_clock(NOW))
    try:
        store.create_database("d")
        assert store.write("d", _dense(runs)).ok
        store.flush()
        before = taken.taken
        got, want = taken.both(store, q, epoch=epoch)
        assert got == want  # (float sums and means: the same bits on both paths)
        lists = "sum(x)" not in q  # a float sum: Polars sums a list in another order, slices it is
        assert reduced == [lists] * (taken.taken - before)
    finally:
        store.close()
        shutil.rmtree(root, ignore_errors=True)


def _assert_slice_means(groups: series_runs.RunGroups, calls, out) -> None:
    """Each call's column of ``out`` is, bit for bit, the call over each group's slice of the rows."""
    import numpy as np

    order = groups.order if groups.order is not None else np.arange(groups.starts.size)
    for name, field, column in calls:
        cols = [f.get_column(field) for f in groups.frames]
        want = [cols[groups.held[i]].slice(int(groups.starts[i]), int(groups.lengths[i])) for i in order.tolist()]
        want = [len(s) if name == "count" else s.sum() if name == "sum" else s.cast(pl.Float64).mean()
                for s in want]
        got = out.get_column(column).to_list()
        assert [repr(v) for v in got] == [repr(v) for v in want], (name, field)


def test_lists_taken_for_the_tsdb_shape(filed, taken, monkeypatch):
    store = filed(_regular(4, 180).replace(",y=", ",z="))  # y, which has nulls, renamed: not read
    used = []
    monkeypatch.setattr(series_runs.RunGroups, "reduce",
                        lambda self, calls, gaps: used.append(_REDUCE(self, calls, gaps)) or used[-1])
    got, want = taken.both(store, "SELECT mean(x), mean(n) FROM cpu WHERE time >= 25m AND time < 145m "
                                  "GROUP BY time(1h), host")
    assert got == want and used and used[0] is not None
    values = json.loads(got)["results"][0]["series"][0]["values"]
    assert [v[0] for v in values] == ["1970-01-01T00:00:00Z", "1970-01-01T01:00:00Z", "1970-01-01T02:00:00Z"]
    assert values[1][2] == pytest.approx(sum(range(360, 720)) / 360)  # n counts the points: 360..719


def test_lists_follow_the_keys_order_not_the_files(filed, taken):
    """Series stored dc first (dc=a host=z, then dc=b host=y) answer sorted by host: the groups
    are reordered, counts alone too."""
    lines = "\n".join(f"cpu,host={h},dc={d} x={k / 8},n={k}i {k * 60 * S}"
                      for h, d in (("z", "a"), ("y", "b")) for k in range(130))
    store = filed(lines)
    for q in ("SELECT count(x) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(1h), host",
              "SELECT mean(x), count(n), sum(n) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(1h), host"):
        got, want = taken.both(store, q)
        assert got == want
        series = json.loads(got)["results"][0]["series"]
        assert [s["tags"]["host"] for s in series] == ["y", "z"]
        assert series[0]["values"][0][1:] in ([60], [sum(range(60)) / 8 / 60, 60, sum(range(60))])
    assert taken.taken == 2


# -- the output columns taken as they are when each is a call's column (lazy._plain_calls) ----

_OUTPUT_QUERIES = st.sampled_from([
    "SELECT mean(x), count(y), sum(n) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host, dc",
    "SELECT mean(x), max(y) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(90m), * fill(0)",
    "SELECT max(x), y FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host",
    "SELECT max(x) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY host",
    "SELECT mean(x) * 2, count(y) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(2h), dc fill(previous)",
    "SELECT top(x, 2), n FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(3h), host",
    "SELECT integral(x), mean(n) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host fill(linear)",
    "SELECT count(x), mean(n) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h) ORDER BY time DESC LIMIT 3",
    "SELECT mean(x), mean(nosuch) FROM cpu WHERE time >= 0 AND time < 6h GROUP BY time(1h), host fill(none)",
])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=st.lists(_point, min_size=1, max_size=80), q=_OUTPUT_QUERIES, epoch=st.sampled_from([None, "s"]))
def test_plain_call_columns_same_answer_as_selecting_them(tmp_path_factory, monkeypatch, points, q, epoch):
    """Output columns that are each a call's column are taken as they are (no select): the
    answer is the select's, for calls, selectors' points, many-row calls, math beside them."""
    from tsdb_core.query.exec import lazy

    plain = lazy._plain_calls
    root = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    store = tsdb_core.open(root / "data", clock=fixed_clock(NOW))
    try:
        store.create_database("d")
        seen = {(host, dc, t): (host, dc, t * S, x, y, n) for (host, dc), t, x, y, n in points}
        assert store.write("d", _lines(list(seen.values()))).ok
        store.flush()
        got = json.dumps(execute(store, q, db="d", now=NOW, epoch=epoch).to_json())
        monkeypatch.setattr(lazy, "_plain_calls", lambda low, df: False)
        want = json.dumps(execute(store, q, db="d", now=NOW, epoch=epoch).to_json())
        monkeypatch.setattr(lazy, "_plain_calls", plain)
        assert got == want
    finally:
        store.close()
        shutil.rmtree(root, ignore_errors=True)


def test_plain_call_columns_taken_unless_math_or_points(filed, monkeypatch):
    from tsdb_core.query.exec import lazy

    store = filed(_regular(2, 120))
    plain, taken = lazy._plain_calls, []
    monkeypatch.setattr(lazy, "_plain_calls", lambda low, df: taken.append(plain(low, df)) or taken[-1])
    for q in ("SELECT mean(x), count(y), sum(n) FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(1h), host",
              "SELECT mean(x) * 2 FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(1h), host",
              "SELECT max(x), y FROM cpu WHERE time >= 0 AND time < 2h GROUP BY time(1h), host"):
        assert json.dumps(execute(store, q, db="d", now=NOW).to_json()).count('"values"') == 2
    assert taken == [True, False, False]


_ns = st.one_of(st.integers(-2**62, 2**62), st.integers(-10**6, 10**6).map(lambda k: k * 3600 * S),
                st.integers(0, 10**9).map(lambda k: k * S + k % 1000 * 1000))


@settings(max_examples=80, deadline=None)
@given(times=st.lists(_ns, min_size=1, max_size=12), repeat=st.integers(1, 60), epoch=st.sampled_from([None, "s"]))
def test_shared_times_formatted_once_as_the_select_formats_them(times, repeat, epoch):
    """An answer's times repeated across series (windows) are formatted once each, then
    gathered (engine._rows_frame): the text is what the general select writes."""
    from tsdb_core.query import engine
    from tsdb_core.query.results import time_expr

    frame = pl.DataFrame({"time": times * repeat, "v": list(range(len(times) * repeat))},
                         schema={"time": pl.Int64, "v": pl.Int64})
    got = engine._rows_frame(frame, ["v"], epoch, None)
    want = frame.select(time_expr("time", epoch, None).alias("time"), "v")
    assert got.equals(want) and got.schema == want.schema
