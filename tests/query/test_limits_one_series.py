"""max-select-windows and the memory budget of a statement with one series (no GROUP BY tag,
one measurement): its index is not counted (plan/limits.py ``_one_series``), and every
statement, budget and limit answers as when it is."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.query import engine
from tsdb_core.query.plan import limits, planner

S = 10**9
T0 = 1_451_606_400 * S
NOW = T0 + 86_400 * S


@pytest.fixture(scope="module")
def store():
    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", "\n".join(f"m,host=h{h},dc=d{h % 2} v={i} {T0 + i * 60 * S}" for h in range(7) for i in range(30)))
    s.write("db", f"n,host=h0 v=1 {T0}")
    yield s
    s.close()


def _outcome(plan, provider, max_windows: int, memory: int):
    try:
        limits.check_windows(plan, provider, max_windows, memory)
    except tsdb_core.TsdbError as e:
        return str(e)
    return None


SHAPES = (
    "SELECT max(v) FROM m WHERE host = 'h1' AND time >= {a} AND time < {b} GROUP BY time({i}s)",
    "SELECT max(v) FROM m WHERE time >= {a} AND time < {b} GROUP BY time({i}s)",
    "SELECT max(v) FROM m WHERE time >= {a} AND time < {b} GROUP BY time({i}s), host",
    "SELECT count(v) FROM m WHERE time >= {a} AND time < {b} GROUP BY time({i}s) fill(none)",
    "SELECT max(v) FROM m, n WHERE time >= {a} AND time < {b} GROUP BY time({i}s)",
    "SELECT max(x) FROM (SELECT max(v) AS x FROM m WHERE time >= {a} AND time < {b} GROUP BY time({i}s), host) "
    "WHERE time >= {a} AND time < {b} GROUP BY time({i}s)",
    "SELECT max(v) FROM nope WHERE time >= {a} AND time < {b} GROUP BY time({i}s)",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHAPES), st.integers(0, 3600), st.integers(1, 7200), st.sampled_from((1, 7, 60, 600)),
       st.integers(0, 400), st.sampled_from((0, 100, 1_000, 4_000, 30_000, 10**6)))
def test_one_series_answers_as_the_count(store, monkeypatch, shape, start, length, interval, max_windows, memory):
    q = shape.format(a=T0 + start * S, b=T0 + (start + length) * S, i=interval)
    plan = planner.plan_select(engine.prepare(q).statements[0], store, db="db", rp=None, now=NOW)
    fast = _outcome(plan, store, max_windows, memory)
    with monkeypatch.context() as m:
        m.setattr(limits, "_one_series", lambda plan: False)
        assert _outcome(plan, store, max_windows, memory) == fast


@pytest.mark.parametrize("q,one", [
    ("SELECT max(v) FROM m WHERE host = 'h1' AND time >= 0 AND time < 10 GROUP BY time(1s)", True),
    ("SELECT max(v) FROM m WHERE time >= 0 AND time < 10 GROUP BY time(1s), host", False),
    ("SELECT max(v) FROM m, n WHERE time >= 0 AND time < 10 GROUP BY time(1s)", False),
])
def test_one_series(store, q, one):
    plan = planner.plan_select(engine.prepare(q).statements[0], store, db="db", rp=None, now=NOW)
    assert limits._one_series(plan) is one


def test_a_one_series_statement_is_still_refused_past_the_limit(store):
    q = f"SELECT max(v) FROM m WHERE host = 'h1' AND time >= {T0} AND time < {T0 + 100 * S} GROUP BY time(1s)"
    plan = planner.plan_select(engine.prepare(q).statements[0], store, db="db", rp=None, now=NOW)
    assert _outcome(plan, store, 99, 0) == "max-select-windows limit exceeded: (100/99): 100 windows"
    assert _outcome(plan, store, 100, 0) is None


def _grid_outcome(plan, provider, max_buckets: int, max_windows: int, memory: int):
    try:
        limits.check_grid(plan, provider, max_buckets, max_windows, memory)
    except tsdb_core.TsdbError as e:
        return str(e)
    return None


def _checked(plan, provider, max_buckets: int, max_windows: int, memory: int):
    try:
        limits.check_buckets(plan, max_buckets)
        limits.check_windows(plan, provider, max_windows, memory)
    except tsdb_core.TsdbError as e:
        return str(e)
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHAPES), st.integers(0, 3600), st.integers(1, 7200), st.sampled_from((1, 7, 60, 600)),
       st.lists(st.tuples(st.sampled_from((0, 10, 100)), st.integers(0, 400),
                          st.sampled_from((0, 100, 4_000, 10**6))), min_size=1, max_size=4))
def test_check_grid_remembers_only_what_the_checks_answer(store, shape, start, length, interval, asks):
    """check_grid of one plan object asked again (under the same limits or others) answers
    what check_buckets and check_windows answer each time."""
    q = shape.format(a=T0 + start * S, b=T0 + (start + length) * S, i=interval)
    plan = planner.plan_select(engine.prepare(q).statements[0], store, db="db", rp=None, now=NOW)
    for max_buckets, max_windows, memory in asks * 2:
        assert _grid_outcome(plan, store, max_buckets, max_windows, memory) == \
            _checked(plan, store, max_buckets, max_windows, memory)


def test_check_grid_counts_the_series_of_a_group_by_tag_every_time():
    """A GROUP BY tag plan's windows x series move with the data: never remembered."""
    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", "\n".join(f"m,host=h{h} v=1 {T0}" for h in range(2)))
    q = f"SELECT max(v) FROM m WHERE time >= {T0} AND time < {T0 + 60 * S} GROUP BY time(1s), host"
    plan = planner.plan_select(engine.prepare(q).statements[0], s, db="db", rp=None, now=NOW)
    assert _grid_outcome(plan, s, 0, 130, 0) is None  # 60 windows x 2 series
    s.write("db", f"m,host=h2 v=1 {T0}")
    assert "max-select-windows limit exceeded" in _grid_outcome(plan, s, 0, 130, 0)
    s.close()


def _rfc(ns: int) -> str:
    """A time literal as TSBS writes one (RFC3339 strings: a family's texts move its plan)."""
    return datetime.datetime.fromtimestamp(ns / 1e9, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


FAMILY_SHAPES = (
    "SELECT max(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i}s)",
    "SELECT max(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i}s) fill(none)",
    "SELECT max(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i}s) tz('Europe/Paris')",
    "SELECT derivative(max(v)) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i}s)",
    "SELECT holt_winters(max(v), 20, 1) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i}s)",
    "SELECT max(v) FROM m WHERE host = '{h}' AND time < '{b}' GROUP BY time({i}s, 7s)",
    "SELECT max(v), min(v), mean(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i}s)",
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FAMILY_SHAPES), st.sampled_from((1, 7, 60)),
       st.lists(st.tuples(st.sampled_from(("h1", "h2")), st.integers(-3600, 3600), st.integers(1, 7200),
                          st.sampled_from((0, 100, 200)), st.sampled_from((0, 150, 400)),
                          st.sampled_from((0, 4_000, 10**6))), min_size=2, max_size=8))
def test_check_grid_of_a_familys_moved_plans_answers_as_the_checks(store, shape, interval, asks):
    """New texts of one family (other ranges, hosts and limits) get moved plans sharing their
    columns (what check_grid keys its family record by): each answers what check_buckets and
    check_windows answer, more windows than a passed one refused as the checks refuse them."""
    from tsdb_core.query.plan.cache import PlanCache

    cache = PlanCache()
    for host, start, length, max_buckets, max_windows, memory in asks * 2:
        q = shape.format(h=host, a=_rfc(T0 + start * S), b=_rfc(T0 + (start + length) * S), i=interval)
        plan = cache.plan(planner.plan_select, engine.prepare(q).statements[0], store, db="db", rp=None, now=NOW)
        assert _grid_outcome(plan, store, max_buckets, max_windows, memory) == \
            _checked(plan, store, max_buckets, max_windows, memory), q


def test_check_grid_refuses_a_moved_plan_with_more_windows_than_its_family_passed(store):
    from tsdb_core.query.plan.cache import PlanCache

    cache = PlanCache()
    shape = "SELECT max(v) FROM m WHERE host = 'h1' AND time >= '{a}' AND time < '{b}' GROUP BY time(1s)"
    plans = [cache.plan(planner.plan_select, engine.prepare(shape.format(a=_rfc(T0 + k * S), b=_rfc(T0 + (k + n) * S)))
                        .statements[0], store, db="db", rp=None, now=NOW)
             for k, n in ((0, 50), (1, 50), (2, 50), (3, 50), (4, 120))]
    assert plans[4].columns is plans[3].columns is plans[2].columns  # (a family's moved plan: the record is shared)
    for plan in plans[:4]:
        assert _grid_outcome(plan, store, 0, 100, 0) is None
    assert _grid_outcome(plans[4], store, 0, 100, 0) == "max-select-windows limit exceeded: (120/100): 120 windows"
    assert _grid_outcome(plans[4], store, 119, 0, 0) == "max-select-buckets limit exceeded: (120/119)"
