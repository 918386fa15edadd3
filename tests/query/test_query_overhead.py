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
