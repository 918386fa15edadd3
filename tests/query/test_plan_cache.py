"""The plan cache: a second run of the same statement reuses its plan while every catalog
answer it was planned from is unchanged, and never when the plan depends on now()."""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.query.plan import planner
from tsdb_core.query.plan.cache import PlanCache

T0 = 1_700_000_000_000_000_000


@pytest.fixture
def store():
    s = tsdb_core.open(None)
    s.create_database("db")
    s.write("db", f"cpu,host=a v=1 {T0}\ncpu,host=b v=2 {T0 + 10**9}\nmem,host=a used=5i {T0}")
    yield s
    s.close()


@pytest.fixture
def plans(monkeypatch):
    """Counts the planner's runs (the cache calls it through engine.plan_select)."""
    runs = []
    real = planner.plan_select

    def counted(*a, **kw):
        runs.append(a[0])
        return real(*a, **kw)

    import tsdb_core.query.engine as engine
    monkeypatch.setattr(engine, "plan_select", counted)
    return runs


def values(store, q, **kw):
    res = store.query(q, db="db", **kw)
    st = res.statements[0]
    assert st.error is None, st.error
    return [(s.name, s.tags, s.columns, s.values) for s in st.series]


def test_a_closed_range_without_now_is_kept_from_the_first_run(store, plans):
    q = f"SELECT max(v) FROM cpu WHERE time >= {T0} AND time < {T0 + 60 * 10**9} GROUP BY time(1m)"
    first = values(store, q)
    assert len(plans) == 1                 # first sighting: planned once, and kept
    for _ in range(3):
        assert values(store, q) == first
    assert len(plans) == 1
    assert store.plan_cache.hits == 3


def test_a_subquery_is_kept_from_the_third_run(store, plans):
    q = (f"SELECT max(m) FROM (SELECT mean(v) AS m FROM cpu WHERE time >= {T0} "
         f"AND time < {T0 + 60 * 10**9} GROUP BY time(1m))")
    first = values(store, q)
    assert first[0][3] == [["2023-11-14T22:13:00Z", 1.5]]   # the window of max(mean)
    assert len(plans) == 1                 # first sighting: planned once
    assert values(store, q) == first
    assert len(plans) == 3                 # second: planned at now and at another now (equal: cached)
    for _ in range(3):
        assert values(store, q) == first
    assert len(plans) == 3
    assert store.plan_cache.hits == 3


def test_a_new_field_makes_a_new_plan(store, plans):
    q = f"SELECT * FROM cpu WHERE time >= {T0}"
    for _ in range(3):
        before = values(store, q)
    assert before[0][2] == ["time", "host", "v"]
    store.write("db", f"cpu,host=a w=7 {T0 + 2 * 10**9}")
    after = values(store, q)
    assert after[0][2] == ["time", "host", "v", "w"]
    assert after[0][3][-1] == [_rfc(T0 + 2 * 10**9), "a", None, 7.0]


def test_a_new_tag_key_changes_group_by_star(store):
    q = f"SELECT count(v) FROM cpu WHERE time >= {T0} GROUP BY *"
    for _ in range(3):
        assert [s[1] for s in values(store, q)] == [{"host": "a"}, {"host": "b"}]
    store.write("db", f"cpu,host=c,dc=x v=3 {T0 + 3 * 10**9}")
    assert [s[1] for s in values(store, q)] == [{"dc": "", "host": "a"}, {"dc": "", "host": "b"},
                                                 {"dc": "x", "host": "c"}]


def test_a_dropped_database_is_not_planned_from_memory(store):
    q = f"SELECT v FROM cpu WHERE time >= {T0}"
    for _ in range(3):
        values(store, q)
    store.drop_database("db")
    st = store.query(q, db="db").statements[0]
    assert st.error == "database not found: db"


def test_a_regex_source_sees_a_new_measurement(store):
    q = f"SELECT count(*) FROM /^(cpu|disk)$/ WHERE time >= {T0}"
    for _ in range(3):
        assert [s[0] for s in values(store, q)] == ["cpu"]
    store.write("db", f"disk,host=a free=1 {T0}")
    assert [s[0] for s in values(store, q)] == ["cpu", "disk"]


def test_another_default_policy_is_another_plan(store):
    q = f"SELECT v FROM cpu WHERE time >= {T0}"
    for _ in range(3):
        assert len(values(store, q)[0][3]) == 2
    store.create_retention_policy("db", "other", duration=0, default=True)
    assert values(store, q) == []  # the new default policy holds no cpu points


def test_plans_that_use_now_are_never_cached(plans):
    now = [T0 + 3600 * 10**9]
    s = tsdb_core.open(None, clock=lambda: now[0])
    s.create_database("db")
    s.write("db", "\n".join(f"cpu v={m} {T0 + m * 60 * 10**9}" for m in (10, 30, 50)))
    q = "SELECT count(v) FROM cpu WHERE time > now() - 1h"
    seen = []
    for _ in range(4):
        series = values(s, q)
        seen.append(series[0][3][0][1] if series else 0)
        now[0] += 1200 * 10**9  # 20 minutes on: the window moves
    assert seen == [3, 2, 1, 0]
    assert s.plan_cache.hits == 0
    s.close()


def test_group_by_time_without_an_end_depends_on_now(plans):
    now = [T0 + 120 * 10**9]
    s = tsdb_core.open(None, clock=lambda: now[0])
    s.create_database("db")
    s.write("db", f"cpu v=1 {T0}")
    q = f"SELECT count(v) FROM cpu WHERE time >= {T0} GROUP BY time(1m)"
    lens = []
    for _ in range(3):
        lens.append(len(values(s, q)[0][3]))
        now[0] += 60 * 10**9
    assert lens == [3, 4, 5]
    assert s.plan_cache.hits == 0
    s.close()


def test_the_same_text_against_another_database(store):
    store.create_database("db2")
    store.write("db2", f"cpu,host=z v=9 {T0}")
    q = f"SELECT v FROM cpu WHERE time >= {T0}"
    for _ in range(3):
        assert [r[1] for r in values(store, q)[0][3]] == [1.0, 2.0]
        assert [r[1] for r in store.query(q, db="db2").statements[0].series[0].values] == [9.0]


def test_entries_are_bounded():
    cache = PlanCache(max_entries=2)
    calls = []

    def plan_select(stmt, provider, **kw):
        calls.append(stmt)
        return ("plan", stmt)

    class Provider:
        pass

    stmts = [object() for _ in range(5)]
    for st in stmts:
        for _ in range(3):
            assert cache.plan(plan_select, st, Provider(), db="d", rp=None, now=0) == ("plan", st)
    assert len(cache._entries) == 2


def _rfc(ns: int) -> str:
    from tsdb_core.query.results import rfc3339_times
    import numpy as np
    return rfc3339_times(np.asarray([ns], dtype=np.int64))[0]


def test_policies_altered_in_place_are_seen_at_once(store):
    """retention_policies() keeps its last answer while the policies read the same: an ALTER
    (the policy object changed in place, no counter) or a DROP changes the next answer."""
    store.create_retention_policy("db", "other", duration=0, default=False)
    store.write("db", f"cpu,host=z v=9 {T0}", rp="other")
    q, named = f"SELECT v FROM cpu WHERE time >= {T0}", f'SELECT v FROM "other".cpu WHERE time >= {T0}'
    for _ in range(3):
        assert len(values(store, q)[0][3]) == 2
        assert values(store, named)[0][3] == [[_rfc(T0), 9.0]]
    first = store.retention_policies("db")
    assert store.retention_policies("db") == first
    assert store.query("ALTER RETENTION POLICY other ON db SHARD DURATION 2h", db="db").statements[0].error is None
    assert [(p.name, p.shard_group_duration) for p in store.retention_policies("db") if p.name == "other"] == [
        ("other", 2 * 3600 * 10**9)]
    assert store.query("ALTER RETENTION POLICY other ON db DEFAULT", db="db").statements[0].error is None
    assert values(store, q)[0][3] == [[_rfc(T0), 9.0]]  # the other policy is the default now
    assert {(p.name, p.shard_group_duration, p.default) for p in store.retention_policies("db")} == {
        ("autogen", first[0].shard_group_duration, False), ("other", 2 * 3600 * 10**9, True)}
    assert store.query('ALTER RETENTION POLICY autogen ON db DEFAULT', db="db").statements[0].error is None
    assert len(values(store, q)[0][3]) == 2
    assert store.query("DROP RETENTION POLICY other ON db", db="db").statements[0].error is None
    assert store.query(named, db="db").statements[0].error == "retention policy not found: other"
    assert [p.name for p in store.retention_policies("db")] == ["autogen"]


def test_a_cached_plan_runs_under_its_own_dialect(store):
    """The executor reads the dialect from the plan (SelectPlan.dialect), so each dialect's cached
    plan must be its own: 1.x limits rows, InfluxDB 3 each field's values (exec/field_limits.py)."""
    store.write("db", f"pts a=1 {T0}\npts b=2 {T0 + 10**9}\npts a=3 {T0 + 2 * 10**9}")
    q = f"SELECT a, b FROM pts WHERE time >= {T0} AND time < {T0 + 60 * 10**9} LIMIT 1"
    want = {"influxdb1": [[1.0, None]], "influxdb3": [[1.0, None], [None, 2.0]]}
    for dialect in ("influxdb1", "influxdb3", "influxdb1", "influxdb3"):
        ((_, _, _, rows),) = values(store, q, dialect=dialect)
        assert [r[1:] for r in rows] == want[dialect]
    assert store.plan_cache.hits == 2
