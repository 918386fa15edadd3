"""Per-query work skipped on repeats: the answers stay those of a first run."""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.base.time import MAX_TIME
from tsdb_core.query import engine
from tsdb_core.query.exec import fast

S = 1_000_000_000
WEEK = 7 * 86_400 * S


@pytest.fixture
def store(tmp_path):
    s = tsdb_core.open(tmp_path / "data")
    s.create_database("db")
    lines = [f"cpu,host=h{h} v={t * 0.5 + h} {(1_000_000_000 + t) * S}" for h in range(2) for t in range(0, 3600, 10)]
    s.write("db", "\n".join(lines), "ns")
    yield s
    s.close()


def _error(res) -> str | None:
    return res.statements[0].error


def test_a_now_relative_literal_is_checked_at_every_now(store):
    """``now() + 52w`` fits at one instant and overflows a week before the maximum time:
    a statement that reads now() is never taken as checked."""
    q = "SELECT v FROM cpu WHERE time < now() + 52w"
    early = 1_600_000_000 * S
    assert _error(engine.execute(store, q, db="db", now=early)) is None
    assert _error(engine.execute(store, q, db="db", now=early)) is None  # twice: seen before
    late = engine.execute(store, q, db="db", now=MAX_TIME - WEEK)
    assert _error(late) is not None and "overflows time literal" in _error(late)


def test_an_out_of_range_literal_fails_every_time(store):
    q = "SELECT v FROM cpu WHERE time < '2263-01-01T00:00:00Z' + 1h"
    for _ in range(3):
        assert "overflows time literal" in _error(engine.execute(store, q, db="db"))


def test_a_passed_statement_is_checked_once(store, monkeypatch):
    q = "SELECT max(v) FROM cpu WHERE time >= '2001-09-09T01:46:40Z' AND time < '2001-09-09T02:46:40Z'"
    first = engine.execute(store, q, db="db").to_json()
    calls = []
    monkeypatch.setattr(engine, "check_time_literals", lambda *a: calls.append(a))
    assert engine.execute(store, q, db="db").to_json() == first
    assert calls == []  # the same statement object, no now(): not checked again
    engine.execute(store, q + " GROUP BY host", db="db")
    assert len(calls) == 1  # another text: checked


ONE_HOST = ("SELECT max(v) FROM cpu WHERE host = 'h1' AND time >= '2001-09-09T01:46:40Z' "
            "AND time < '2001-09-09T02:46:40Z' GROUP BY time(1m)")


def test_window_times_are_remembered_per_grid_and_epoch(store):
    fast._GRID_TIMES.clear()
    text = store.query(ONE_HOST, "db").statements[0].series[0].values
    assert text[0][0] == "2001-09-09T01:46:00Z" and text[1][0] == "2001-09-09T01:47:00Z"
    secs = store.query(ONE_HOST, "db", epoch="s").statements[0].series[0].values
    assert secs[0][0] == 1_000_000_000 - 40 and secs[1][0] == 1_000_000_020
    assert len(text) == len(secs) == 61
    assert {k[3] for k in fast._GRID_TIMES} == {None, "s"}
    text[0][0] = "changed by a caller"  # rows are the caller's: the remembered times are not
    again = store.query(ONE_HOST, "db").statements[0].series[0].values
    assert again[0][0] == "2001-09-09T01:46:00Z"
    assert [r[1:] for r in again] == [r[1:] for r in text]


def test_remembered_times_match_the_general_executor(store):
    a = store.query(ONE_HOST, "db").to_json()
    b = engine.execute(store, ONE_HOST, db="db", fast=False).to_json()
    assert a == b


# -- series handed out by runs of rows, and the count of distinct series ------------------------

import polars as pl  # noqa: E402
from tsdb_core.influxql import parse  # noqa: E402
from tsdb_core.query.exec import lazy  # noqa: E402
from tsdb_core.query.exec.lazy import run_frame  # noqa: E402
from tsdb_core.query.plan.planner import plan_select  # noqa: E402

GROUPED = [
    "SELECT mean(v) FROM cpu WHERE time >= '2001-09-09T01:46:40Z' AND time < '2001-09-09T02:46:40Z' "
    "GROUP BY time(10m), host",
    "SELECT mean(v) FROM cpu WHERE time >= '2001-09-09T01:46:40Z' AND time < '2001-09-09T02:46:40Z' "
    "GROUP BY time(10m), host ORDER BY time DESC",
    "SELECT v FROM cpu WHERE time >= '2001-09-09T01:46:40Z' AND time < '2001-09-09T01:50:00Z' GROUP BY host",
    "SELECT max(v) FROM cpu GROUP BY host, dc",
]


@pytest.mark.parametrize("q", GROUPED)
def test_series_from_runs_equal_the_grouped_ones(store, monkeypatch, q):
    store.write("db", "cpu,host=h0,dc=a v=1 1000000005000000000\ncpu,host=h1 v=2 1000000005000000000", "ns")
    stmt = parse(q, {})[0]
    now = store.now()
    plan = plan_select(stmt, store, db="db", rp=None, now=now)
    ctx = engine._ctx(store, now, store.config)
    frame = run_frame(plan, ctx)
    runs = engine.to_series(plan, frame, None, ctx)
    monkeypatch.setattr(engine, "_contiguous_series", lambda *a: None)
    grouped = engine.to_series(plan, frame, None, ctx)
    assert [s.to_json() for s in runs] == [s.to_json() for s in grouped]
    assert len(runs) >= 2


def test_a_series_that_comes_back_is_not_a_run():
    frame = pl.DataFrame({"\x00name": ["m", "m", "m", "m"], "host": ["a", "b", "b", "a"]})
    assert engine._contiguous_series(frame, ["\x00name", "host"]) is None
    frame = pl.DataFrame({"\x00name": ["m", "m", "m", "m"], "host": ["a", "a", "b", None]})
    assert engine._contiguous_series(frame, ["\x00name", "host"]) == [(("m", "a"), 2), (("m", "b"), 1),
                                                                       (("m", None), 1)]


@pytest.mark.parametrize("cols", [
    {"n": ["m"] * 6, "a": ["x", "x", "y", "y", "z", "z"]},
    {"n": ["m"] * 6, "a": ["x", None, "y", None, "x", None]},
    {"n": ["m", "m", "k", "k", "m", "k"], "a": ["x", "y", "x", "y", "x", "x"]},
    {"n": ["m"] * 6, "a": [None] * 6},
    {"n": ["m"] * 6, "a": ["x"] * 6, "b": ["p", "q", "p", "q", "r", "p"]},
])
def test_series_count_equals_the_distinct_key_tuples(cols):
    df = pl.DataFrame(cols)
    keys = list(cols)
    assert lazy._series_count(df, keys) == len(set(zip(*cols.values())))
