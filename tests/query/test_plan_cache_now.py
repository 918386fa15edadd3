"""The plan cache's reading of ``now`` from the AST: a statement kept from its first sighting
answers as a freshly planned one at every later instant, and one that uses the clock is
never kept (nor planned twice)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.influxql import parse
from tsdb_core.query.analyze.now_use import clock_free, ends_at
from tsdb_core.query.plan import planner

T0 = 1_700_000_000_000_000_000
MIN = 60 * 10**9


def _open(clock):
    s = tsdb_core.open(None, clock=lambda: clock[0])
    s.create_database("db")
    s.write("db", "\n".join(f"cpu,host={h} v={m * (i + 1)} {T0 + m * MIN + i * 10**9}"
                            for m in range(0, 40, 3) for i, h in enumerate("ab")))
    return s


@pytest.fixture(scope="module")
def stores():
    clock = [T0 + 20 * MIN]
    cached, fresh = _open(clock), _open(clock)
    fresh.plan_cache = None  # every statement planned afresh
    yield clock, cached, fresh
    cached.close()
    fresh.close()


LOWER = st.sampled_from(["", f"time >= {T0 + 5 * MIN}", "time > '2023-11-14T22:20:00Z'",
                         "time > now() - 15m"])
UPPER = st.sampled_from(["", f"time < {T0 + 30 * MIN}", "time <= now()", "time < now() + 2m"])
GROUP = st.sampled_from(["", " GROUP BY time(1m)", " GROUP BY time(5m), host", " GROUP BY host",
                         " GROUP BY time(2m, now())"])
FIELD = st.sampled_from(["max(v)", "count(v)", "mean(v)", "v"])


@st.composite
def statements(draw):
    conds = [c for c in (draw(LOWER), draw(UPPER)) if c]
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    q = f"SELECT {draw(FIELD)} FROM cpu{where}{draw(GROUP)}"
    if draw(st.booleans()):
        q = f"SELECT max(*) FROM ({q})"
    return q


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=statements(), steps=st.lists(st.integers(0, 10 * MIN), min_size=3, max_size=4))
def test_cached_answers_equal_fresh_ones_at_every_instant(stores, q, steps):
    clock, cached, fresh = stores
    for step in steps:
        clock[0] += step
        assert cached.query(q, db="db").to_json() == fresh.query(q, db="db").to_json(), q


@settings(max_examples=60, deadline=None)
@given(q=statements(), later=st.integers(1, 400 * 86_400 * 10**9))
def test_a_plan_cleared_by_the_ast_is_the_same_at_another_instant(q, later):
    clock = [T0 + 20 * MIN]
    s = _open(clock)
    try:
        stmt = parse(q)[0]
        now = clock[0]
        try:
            plan = planner.plan_select(stmt, s, db="db", rp=None, now=now)
        except tsdb_core.TsdbError:
            return
        if clock_free(stmt) and not ends_at(plan, now):
            assert planner.plan_select(stmt, s, db="db", rp=None, now=now + later) == plan, q
        if "now()" in q:
            assert clock_free(stmt) is False
    finally:
        s.close()


def test_a_statement_using_now_is_planned_once_per_run_and_never_kept(monkeypatch):
    import tsdb_core.query.engine as engine
    runs = []
    real = engine.plan_select
    monkeypatch.setattr(engine, "plan_select", lambda *a, **kw: runs.append(1) or real(*a, **kw))
    clock = [T0 + 20 * MIN]
    s = _open(clock)
    counts = []
    for _ in range(4):
        res = s.query("SELECT count(v) FROM cpu WHERE time > now() - 10m", db="db").to_json()
        counts.append(res["results"][0]["series"][0]["values"][0][1])
        clock[0] += 3 * MIN  # the window moves on
    assert counts == [20, 18, 16, 14]  # 2 hosts x rows every 3 minutes, from 10 minutes ago on
    assert len(runs) == 4 and s.plan_cache.hits == 0
    s.close()


def test_group_by_time_without_an_end_is_not_kept_from_the_first_run(monkeypatch):
    clock = [T0 + 20 * MIN]
    s = _open(clock)
    q = f"SELECT count(v) FROM cpu WHERE time >= {T0 + 10 * MIN} GROUP BY time(5m)"
    lens = []
    for _ in range(3):
        lens.append(len(s.query(q, db="db").statements[0].series[0].values))
        clock[0] += 5 * MIN
    assert lens == [3, 4, 5]
    assert s.plan_cache.hits == 0
    s.close()


EXTRA = st.sampled_from(["host = 'a' OR v > 3", "abs(v) < 2", "host =~ /a|b/", "v + 1 <= 3 * 2"])


def _field_walk(node, prune=None):
    """The generic pre-order walk over dataclass fields, as ``walk`` was before its quick steps."""
    from tsdb_core.influxql.ast.visit import children
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if prune is None or not prune(current):
            stack.extend(reversed(list(children(current))))


@settings(max_examples=80, deadline=None)
@given(q=statements(), extra=EXTRA)
def test_the_quick_walk_visits_what_the_field_walk_visits(q, extra):
    from tsdb_core.influxql.ast.visit import walk
    q = q.replace("FROM cpu WHERE ", f"FROM cpu WHERE ({extra}) AND ") if " WHERE " in q \
        else q.replace("FROM cpu", f"FROM cpu WHERE {extra}")
    stmt = parse(q)[0]
    assert list(walk(stmt)) == list(_field_walk(stmt))
    calls = lambda n: type(n).__name__ == "Call"  # noqa: E731
    assert list(walk(stmt, calls)) == list(_field_walk(stmt, calls))
