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
        # both answers come from the general path, whose sum over rows of several series (GROUP
        # BY dc) may add in another order from run to run: equal to 12 significant digits
        assert _rounded(json.loads(got)) == _rounded(json.loads(want)), q
    assert taken.taken == 0


def _rounded(x):
    """``x`` with every float rounded to 12 significant digits."""
    if isinstance(x, float):
        return float(f"{x:.12g}")
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    return x


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
