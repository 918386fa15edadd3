"""fill() without a lower time bound and ORDER BY time DESC sums in influxd 1.6.7's answers
(tests/cases/query/v1fill_cases.py, recorded by v1fill_record.py: asked twice, and again over
the lines written in reverse): each series from its own first window, the wrapped walk from 1677
under a GROUP BY offset (exec/fill_walk.py), a window's floats added backwards under DESC."""
from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.conftest import examples
from tsdb_core.base.time import MIN_TIME
from tsdb_core.query.engine import execute
from tsdb_core.query.exec import fill_walk

from .conftest import NOW, recorded_store
from .test_noaa_cases import CASE_DIR, _ids, approx_equal

sys.path.insert(0, str(CASE_DIR))
from v1fill_cases import FILL_DB, QUERIES, ROUNDED, W, fill_lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1fill.json").read_text())


fill_store = recorded_store(FILL_DB, fill_lines)


def test_every_query_recorded_and_stable():
    assert [c["query"] for c in CASES] == QUERIES
    assert not [c["query"] for c in CASES if c.get("varies")]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_fill_as_influxd(fill_store, case):
    res = execute(fill_store, case["query"], db=case["db"], now=NOW)
    if "body" in case:  # influxd's body is json's error for an infinity: the shim's bytes
        from tsdb_http.encode import Response, encode_json
        assert (200, encode_json(Response(res.statements)).decode()) == (case["status"], case["body"])
        return
    got = json.loads(json.dumps(res.to_json()))
    want = case["expected"]
    if case["query"] in ROUNDED:
        assert approx_equal(got, want), f"\n got: {json.dumps(got)[:2000]}\nwant: {json.dumps(want)[:2000]}"
    else:  # bit for bit (an integral float and its integer compare equal, as JSON prints them)
        assert got == want, f"\n got: {json.dumps(got)[:2000]}\nwant: {json.dumps(want)[:2000]}"


def test_wrapped_walk_past_the_windows_limit_is_refused_before_reading(fill_store):
    """time(20m, 5m) without a range start: influxd answers 7,686,147 rows (the first point,
    then every 20 minutes from 1677-09-21T00:30:26.290448384Z; recorded by hand, too large to
    keep, and six series of it got influxd killed for memory). We count the walk before
    reading and answer max-select-windows' error with that count."""
    q = f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(20m, 5m) fill(0)"
    got = execute(fill_store, q, db=FILL_DB, now=NOW).to_json()["results"][0]
    assert got == {"statement_id": 0,
                   "error": "max-select-windows limit exceeded: (7686147/2000000): 7686147 windows"}


def test_wrapped_start_is_influxds():
    """Window(MinTime) with an offset wraps: 2262 for time(20m, 5m), its next step 1677-09-21
    00:30:26.290448384 (the first fill row influxd answered); no offset: MinTime itself."""
    m = 60_000_000_000
    start = fill_walk.wrapped_start(20 * m, 5 * m)
    assert start > 9_223_372_036_854_775_807 - 20 * m
    assert fill_walk._wrap(start + 20 * m) == _ns("1677-09-21T00:30:26.290448384")
    assert fill_walk.wrapped_start(20 * m, 0) is None
    assert fill_walk.wrapped_start(20 * m, -5 * m) > 0


def _ns(text: str) -> int:
    return int(np.datetime64(text, "ns").astype(np.int64))


def _walk_by_steps(points: list[int], start: int, end: int, interval: int, tz: str | None = None) -> list[int]:
    """influxd's floatFillIterator.Next, one call at a time (int64 wraps included); under tz(),
    after each step a change of the zone's offset just before the new window moves it by the
    change (when smaller than the interval)."""
    from tsdb_core.query.exec.fill import zone_offset
    out, window, i = [], start, 0
    wo = zone_offset(window, tz) if tz else 0
    while True:
        if i < len(points):
            if points[i] > window:
                out.append(window)
            else:
                out.append(points[i])
                i += 1
        elif window <= end:
            out.append(window)
        else:
            return out
        window = fill_walk._wrap(window + interval)
        z = zone_offset(window - 1, tz) if tz else 0
        if z != wo:
            if abs(wo - z) < interval:
                window += wo - z
            wo = z


@settings(max_examples=examples(200), deadline=None)
@given(st.sets(st.integers(-3000, 3000), min_size=1, max_size=30), st.sampled_from([7, 60, 600]),
       st.integers(1, 599), st.integers(0, 400))
def test_vectorised_walk_equals_the_iterator(pts, interval, offset, past):
    """walk() equals the iterator's step-by-step walk, over windows from 1677 (intervals of
    years: the walk stays short)."""
    d = interval * 86_400 * 10**9
    offset = (offset * 86_400 * 10**9) % d or 10**9
    wins = sorted({fill_walk.go_window_start(p * 86_400 * 10**9, d, offset) for p in pts})
    start = fill_walk.wrapped_start(d, offset)
    end = wins[-1] + past * 86_400 * 10**9
    end = fill_walk.go_window_start(end, d, offset)
    want = _walk_by_steps(wins, start, end, d)
    got = fill_walk.walk(np.asarray(wins, dtype=np.int64), start, end, d).tolist()
    assert got == want
    assert len(got) <= fill_walk.rows_per_series(start, end, d)
    assert MIN_TIME <= min(got)


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(-300, 300), min_size=1, max_size=12), st.sampled_from([400, 1000, 3000]),
       st.integers(-399, 399), st.sampled_from(["Asia/Kolkata", "America/New_York", "Australia/Sydney"]),
       st.integers(0, 2000))
def test_zone_walk_equals_the_iterator(pts, days, offset, tz, past):
    """Under tz() the vectorised walk equals the iterator's steps, zone moves included (the
    local mean time of 1677, the zones' changes since, daylight time)."""
    d = days * 86_400 * 10**9
    offset = (offset * 86_400 * 10**9) % d or 3_600 * 10**9
    start = fill_walk.wrapped_start(d, offset, tz)
    if start is None:
        return
    wins = sorted({fill_walk.go_window_start(p * 86_400 * 10**9, d, offset, tz) for p in pts})
    end = fill_walk.go_window_start(wins[-1] + past * 86_400 * 10**9, d, offset, tz)
    want = _walk_by_steps(wins, start, end, d, tz)
    assert fill_walk.walk(np.asarray(wins, dtype=np.int64), start, end, d, tz).tolist() == want
    assert len(want) <= fill_walk.rows_per_series(start, end, d, tz)


def test_wrapped_zone_walk_past_the_windows_limit_is_refused_before_reading(fill_store):
    """time(20m, 5m) tz('Asia/Kolkata') wraps as without tz(): counted before reading."""
    q = f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(20m, 5m) fill(0) tz('Asia/Kolkata')"
    got = execute(fill_store, q, db=FILL_DB, now=NOW).to_json()["results"][0]
    assert got["error"].startswith("max-select-windows limit exceeded: (7686147/2000000)")


def test_offsets_print_with_gos_truncated_minutes():
    """Go prints Z07:00 from whole minutes, truncated: LMT +10:04:52 is +10:04, -4:56:02 -04:56."""
    import polars as pl

    from tsdb_core.query.results import time_expr
    t = pl.DataFrame({"t": [_ns("1677-09-22T00:00:00"), 0, 1_500_000_000]})
    got = {tz: t.select(time_expr("t", None, tz))["t"].to_list() for tz in ("Australia/Sydney", "America/New_York", "UTC")}
    assert got == {"Australia/Sydney": ["1677-09-22T10:04:52+10:04", "1970-01-01T10:00:00+10:00", "1970-01-01T10:00:01.5+10:00"],
                   "America/New_York": ["1677-09-21T19:03:58-04:56", "1969-12-31T19:00:00-05:00", "1969-12-31T19:00:01.5-05:00"],
                   "UTC": ["1677-09-22T00:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:01.5Z"]}


def test_a_subquerys_walks_are_counted_per_run(monkeypatch):
    """The windows limit counts a walk per series; a subquery's series that leave the stream and
    come back walk again on each return (influxd's fill iterator restarts at each run): the
    runs' walks are counted together before any is built."""
    from tsdb_core.query.exec import regroup
    store = tsdb_core.open(None)
    store.create_database("db")
    assert store.write("db", "\n".join(f"m,host=h{h} v={i} {i * 60_000_000_000 + h}"
                                       for h in range(5) for i in range(200))).ok
    q = ("SELECT count(v) FROM (SELECT mean(v) AS v FROM m WHERE time < '1970-01-02T00:00:00Z' "
         "GROUP BY time(8h, 5m), host fill(0))")
    (whole,) = execute(store, q, db="db", now=NOW).to_json()["results"]
    rows = whole["series"][0]["values"][0][1]
    per_series = fill_walk.rows_per_series(fill_walk.wrapped_start(8 * 3600 * 10**9, 5 * 60 * 10**9),
                                           0, 8 * 3600 * 10**9)
    runs = rows // per_series
    assert runs > 5 and runs * per_series <= rows <= runs * (per_series + 1)  # (more runs than series)
    monkeypatch.setattr(regroup, "HARD_MAX_WINDOWS", rows // 2)
    (refused,) = execute(store, q, db="db", now=NOW).to_json()["results"]
    got = re.fullmatch(r"max-select-windows limit exceeded: \((\d+)/(\d+)\): (\d+) windows x (\d+) runs",
                       refused["error"])
    total, limit, windows, counted = map(int, got.groups())
    assert (limit, counted, total) == (rows // 2, runs, windows * runs) and total > limit
    store.close()


def _walk_frame_by_series(df, keys, start, end, interval):
    """fill_walk.walk_frame as it was: a walk() per series (the reference of the vectorised one)."""
    import polars as pl
    from tsdb_core.query.plan.nodes import WINDOW_COLUMN
    parts = []
    for part in df.partition_by(keys, maintain_order=True) if keys else [df]:
        wins = np.unique(part[WINDOW_COLUMN].to_numpy())
        col = pl.DataFrame({WINDOW_COLUMN: pl.Series(fill_walk.walk(wins, start, end, interval), dtype=pl.Int64)})
        parts.append(part.select(keys).head(1).join(col, how="cross") if keys else col)
    full = pl.concat(parts)
    return full.sort(keys, maintain_order=True) if keys else full


def _walked_runs_by_run(df, start, last, interval, run, tags):
    """regroup._walked_runs as it was: a walk() per run, runs in order of appearance."""
    import polars as pl
    parts = []
    for part in df.select(run, *tags, "time").partition_by(run, maintain_order=True):
        wins = np.unique(part["time"].to_numpy())
        walk = pl.DataFrame({"time": fill_walk.walk(wins, start, last, interval)})
        parts.append(part.drop("time").head(1).join(walk, how="cross"))
    return pl.concat(parts)


_SERIES_POINTS = st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.integers(-3000, 3000)),
                          min_size=1, max_size=40)


@settings(max_examples=examples(150), deadline=None)
@given(_SERIES_POINTS, st.sampled_from([7, 60, 600]), st.integers(1, 599), st.integers(0, 400), st.booleans())
def test_walks_of_all_series_at_once_equal_a_walk_per_series(points, interval, offset, past, keyed):
    """walk_frame (all series in one NumPy pass) and regroup._walked_runs (all runs) give the
    rows of the former loops over walk(), series by series and run by run."""
    import polars as pl

    from tsdb_core.query.exec import regroup
    from tsdb_core.query.plan.nodes import WINDOW_COLUMN
    d = interval * 86_400 * 10**9
    offset = (offset * 86_400 * 10**9) % d or 10**9
    start = fill_walk.wrapped_start(d, offset)
    wins = [fill_walk.go_window_start(p * 86_400 * 10**9, d, offset) for _, p in points]
    end = fill_walk.go_window_start(max(wins) + past * 86_400 * 10**9, d, offset)
    df = pl.DataFrame({"host": [h for h, _ in points], WINDOW_COLUMN: wins},
                      schema={"host": pl.String, WINDOW_COLUMN: pl.Int64})
    keys = ["host"] if keyed else []
    assert fill_walk.walk_frame(df, keys, start, end, d).equals(_walk_frame_by_series(df, keys, start, end, d))
    runs = df.rename({WINDOW_COLUMN: "time"}).with_columns(
        (pl.col("host").ne_missing(pl.col("host").shift(1)).fill_null(True)).cum_sum().alias("run"))
    plan = type("Plan", (), {"interval": d, "tz": None})()
    got = regroup._walked_runs(runs, plan, start, end, "run", ["host"])
    assert got.equals(_walked_runs_by_run(runs, start, end, d, "run", ["host"]))
