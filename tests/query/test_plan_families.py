"""Plans moved across a family (texts that differ only in time strings and in the values
WHERE compares tags and fields with) answer exactly what the engine answers without any
cache, on random stores, shapes, values and time ranges."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.influxql.parser import driver, templates
from tsdb_core.query import engine

S = 1_000_000_000
T0 = 1_451_606_400 * S  # 2016-01-01T00:00:00Z
HOSTS = ("h1", "h2", "2016-01-01", "2016-01-02")  # hosts that read as time strings too
# values asked for besides: no such host, '', one that needs escaping, a regex's text
ASKED = HOSTS + ("h9", "", "h'1", "h.*", "h2 ")

SHAPES = (
    "SELECT max(v), min(w) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i})",
    "SELECT count(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time <= '{b}' GROUP BY time({i}) fill(none)",
    "SELECT mean(v) FROM m WHERE time >= '{a}' AND time < '{b}' GROUP BY time({i}), host",
    "SELECT derivative(mean(v), 1s) FROM m WHERE time > '{a}' AND time < '{b}' GROUP BY time({i})",
    "SELECT sum(w) FROM m WHERE time >= '{a}' AND time < '{b}' GROUP BY time({i}) ORDER BY time DESC",
    "SELECT * FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}'",
    "SELECT v FROM m WHERE time >= '{a}' AND time < '{b}' AND v > 2 LIMIT 3",
    "SELECT max(v) FROM m WHERE time >= '{a}' AND time < '{b}' AND host = '{h}'",
    "SELECT first(v) FROM m WHERE time >= '{a}' GROUP BY time({i})",
    "SELECT last(w) FROM m WHERE (host = '{h}' OR host = 'h2') AND '{a}' <= time AND time < '{b}'",
    "SELECT max(v) FROM m WHERE (host = '{h}' OR host = '{g}') AND time >= '{a}' AND time < '{b}' GROUP BY time({i})",
    "SELECT count(v) FROM m WHERE host != '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time({i})",
    "SELECT v, s FROM m WHERE s = '{g}' AND host <> '{h}' AND time >= '{a}' AND time < '{b}'",
    "SELECT mean(v) FROM m WHERE host = '{h}' AND host = '{g}' AND time >= '{a}' AND time < '{b}'",
    "SELECT min(v) FROM m WHERE host =~ /{g}/ AND host = '{h}' AND time >= '{a}' AND time < '{b}'",
    "SELECT v FROM m WHERE host = '{h}' AND s > '{g}' AND time >= '{a}' AND time < '{b}'",
)
FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d %H:%M:%S")


class Uncached:
    """The store as a provider without a plan cache."""

    plan_cache = None

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)


def _text(when: int, fmt: str) -> str:
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=when // 1000)).strftime(fmt)


def answers(store, q: str):
    """The cached and uncached answers at one ``now`` (an open-ended range must not cross a window edge between them)."""
    now = time.time_ns()
    cached = orjson.dumps(engine.execute(store, q, db="db", now=now).to_json())
    stmts = tuple(driver._parse_uncached(q, {}))
    plain = orjson.dumps(engine.execute(Uncached(store), engine.PreparedQuery(q, stmts), db="db", now=now).to_json())
    return cached, plain


points = st.lists(st.tuples(st.sampled_from(HOSTS), st.integers(0, 7200), st.integers(-5, 5),
                            st.one_of(st.none(), st.floats(-10, 10))), min_size=1, max_size=40)
# mostly the family's format (its members), now and then another one; any values
ranges = st.tuples(st.integers(-600, 7800), st.integers(-60, 7200),
                   st.one_of(st.none(), st.none(), st.none(), st.sampled_from(FORMATS)),
                   st.one_of(st.none(), st.sampled_from(ASKED)), st.one_of(st.none(), st.sampled_from(ASKED)))


def _quoted(value: str) -> str:
    """``value`` as it stands between quotes in InfluxQL."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


@pytest.fixture(autouse=True)
def fresh():
    templates._templates.clear()
    templates._families.clear()
    driver._CACHE.clear()  # (a text an earlier test parsed would come back without its family)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(points, st.sampled_from(SHAPES), st.sampled_from(("1m", "10m", "7s")), st.sampled_from(FORMATS),
       st.sampled_from(HOSTS), st.sampled_from(HOSTS), st.lists(ranges, min_size=4, max_size=10))
def test_moved_plans_answer_as_the_uncached_engine(rows, shape, interval, fmt0, host0, other0, draws):
    store = tsdb_core.open(None)
    try:
        store.create_database("db")
        lines = [f"m,host={h} v={v}i,s=\"{h}\"{'' if w is None else f',w={w!r}'} {T0 + t * S}"
                 for h, t, v, w in rows]
        store.write("db", "\n".join(lines))
        for start, length, fmt, host, other in draws:
            fmt, host, other = fmt or fmt0, host if host is not None else host0, other if other is not None else other0
            q = shape.format(h=_quoted(host), g=_quoted(other) if "/{g}/" not in shape else other.replace("'", ""),
                             a=_text(T0 + start * S, fmt), b=_text(T0 + (start + length) * S, fmt), i=interval)
            cached, plain = answers(store, q)
            assert cached == plain, q
    finally:
        store.close()


def _count_plans(monkeypatch) -> list:
    """A list that gains an item each time the engine plans a SELECT in full."""
    runs: list = []
    real = engine.plan_select
    monkeypatch.setattr(engine, "plan_select", lambda *a, **k: runs.append(1) or real(*a, **k))
    return runs


def test_the_third_text_of_a_family_is_not_planned(monkeypatch):
    """The first is planned and kept, the second planned and compared, the rest moved."""
    store = tsdb_core.open(None)
    store.create_database("db")
    store.write("db", "\n".join(f"m,host=h1 v={i}i {T0 + i * 60 * S}" for i in range(120)))
    runs = _count_plans(monkeypatch)
    shape = SHAPES[0]
    got = []
    for k in range(5):
        q = shape.format(h="h1", a=_text(T0 + k * 600 * S, FORMATS[0]), b=_text(T0 + (k + 1) * 600 * S, FORMATS[0]),
                         i="5m")
        cached, plain = answers(store, q)
        assert cached == plain
        got.append(orjson.loads(cached)["results"][0]["series"][0]["values"][0])
    assert got[4] == ["2016-01-01T00:40:00Z", 44, None]
    assert store.plan_cache.moved == 3
    assert len(runs) == 2 + 5  # two for the family, one per uncached comparison
    store.close()


def test_a_time_like_tag_value_does_not_move_a_plan():
    """host = '2016-01-01' is a tag value: another one gives another condition, planned anew."""
    store = tsdb_core.open(None)
    store.create_database("db")
    store.write("db", "\n".join(f"m,host=2016-01-0{d} v={d}i {T0 + d * S}" for d in (1, 2, 3)))
    q = "SELECT max(v) FROM m WHERE host = '{h}' AND time >= '2016-01-01' AND time < '2016-01-02'"
    for d in (1, 2, 3, 1, 3):
        cached, plain = answers(store, q.format(h=f"2016-01-0{d}"))
        assert cached == plain
        assert orjson.loads(cached)["results"][0]["series"][0]["values"][0][1] == d
    store.close()


def test_other_hosts_bind_the_family_plan(monkeypatch):
    """Two members planned in full (another time range, then another host) check the family;
    the rest, a host the data lack included, take its plan with their values bound."""
    store = tsdb_core.open(None)
    store.create_database("db")
    store.write("db", "\n".join(f"m,host=h{i % 3} v={i}i {T0 + i * 60 * S}" for i in range(120)))
    runs = _count_plans(monkeypatch)
    got = []
    for k, host in enumerate(("h1", "h1", "h2", "h0", "h9", "h1")):
        q = SHAPES[0].format(h=host, a=_text(T0 + k * 600 * S, FORMATS[0]),
                             b=_text(T0 + (k + 1) * 600 * S, FORMATS[0]), i="5m")
        cached, plain = answers(store, q)
        assert cached == plain, q
        got.append(orjson.loads(cached)["results"][0].get("series", [{}])[0].get("values", [[None]])[0])
    assert got[3] == ["2016-01-01T00:30:00Z", 33, None]   # h0: i = 30, 33
    assert got[4] == [None]                                 # h9: no series
    assert store.plan_cache.moved == 3
    assert len(runs) == 3 + 6  # three for the family, one per uncached comparison
    store.close()


BOUND_SHAPES = (
    "SELECT max(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time(10m)",
    "SELECT v FROM m WHERE (host = '{h}' OR host = '{g}') AND time >= '{a}' AND time < '{b}'",
    "SELECT count(v) FROM m WHERE host <> '{h}' AND s = '{g}' AND time >= '{a}' AND time < '{b}'",
    "SELECT sum(v) FROM m WHERE host = '{h}' AND s != '{g}' AND time >= '{a}' AND time < '{b}' GROUP BY time(7s)",
)
# any text: stored hosts, others, '', quotes and backslashes (cut out of templates), time-like ones
literals = st.one_of(st.sampled_from(HOSTS), st.text(st.sampled_from("h12'\\ .*-:T"), max_size=6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(points, st.sampled_from(BOUND_SHAPES),
       st.lists(st.tuples(literals, literals, st.integers(-600, 7200), st.integers(0, 3600)), min_size=3, max_size=10))
def test_bound_plans_answer_as_the_uncached_engine(rows, shape, draws):
    """Random values of the compared strings: the family's plan with them bound answers what
    a plan made afresh answers."""
    store = tsdb_core.open(None)
    try:
        store.create_database("db")
        store.write("db", "\n".join(f"m,host={h} v={v}i,s=\"{h}\" {T0 + t * S}" for h, t, v, _ in rows))
        for host, other, start, length in draws:
            q = shape.format(h=_quoted(host), g=_quoted(other), a=_text(T0 + start * S, FORMATS[0]),
                             b=_text(T0 + (start + length) * S, FORMATS[0]))
            cached, plain = answers(store, q)
            assert cached == plain, q
    finally:
        store.close()


def test_a_regex_and_a_string_are_not_one_family():
    store = tsdb_core.open(None)
    store.create_database("db")
    store.write("db", "\n".join(f"m,host=h{i % 3} v={i}i {T0 + i * 60 * S}" for i in range(60)))
    texts = ["SELECT count(v) FROM m WHERE host = 'h1' AND time >= '2016-01-01T00:00:00Z'",
             "SELECT count(v) FROM m WHERE host = 'h2' AND time >= '2016-01-01T00:01:00Z'",
             "SELECT count(v) FROM m WHERE host =~ /h1/ AND time >= '2016-01-01T00:02:00Z'",
             "SELECT count(v) FROM m WHERE host =~ /h/ AND time >= '2016-01-01T00:03:00Z'"]
    counts = [orjson.loads(answers(store, q)[0])["results"][0]["series"][0]["values"][0][1] for q in texts]
    assert counts == [20, 20, 19, 57]
    stmts = [driver.parse(q)[0] for q in texts]
    assert templates.family(stmts[0]) == templates.family(stmts[1]) != templates.family(stmts[2])
    assert templates.family(stmts[2]) != templates.family(stmts[3])  # a regex is part of the skeleton
    assert templates.bound_values(stmts[2]) == ()
    store.close()
