"""A plan family whose WHERE rest follows from its first member (plan/cache.py ``_rest_follows``)
moves plans by the time range alone (``split_range``): the same range as ``split_where``, the
same plan as the general path (which also rebuilds and compares the rest of the condition)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.influxql.parser import driver, templates
from tsdb_core.query import engine
from tsdb_core.query.analyze.time_range import (range_at, range_reader, split_range, split_where, time_comparisons,
                                                time_operands, time_sites)
from tsdb_core.query.plan import cache

NOW = 1_451_606_400 * 10**9 + 123
ATOMS = ("time >= '2016-01-01T00:00:00Z'", "time < '2016-01-02'", "'2016-01-01 10:00:00' <= time", "time = 7",
         "time > now() - 1h", "time <= '2016-01-01T00:00:00Z' + 1m", "time < '9999-01-01'", "time > '1000-01-01'",
         "host = 'a'", "v > 2", "time != '2016-01-01'", "time >= 'nope'", "time =~ /x/", "(time < 5)", "s = 'b'")


conditions = st.recursive(st.sampled_from(ATOMS), lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(("AND", "OR")), inner).map(" ".join),
    inner.map(lambda c: f"({c})")), max_leaves=6)


def _condition(text: str):
    return engine.prepare(f"SELECT v FROM m WHERE {text}").statements[0].condition


def _outcome(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return type(e), str(e)


@settings(max_examples=300, deadline=None)
@given(conditions, st.sampled_from((None, "America/Chicago")))
def test_split_range_is_split_where_s_range(text, tz):
    cond = _condition(text)
    assert _outcome(lambda: split_range(cond, NOW, tz)) == _outcome(lambda: split_where(cond, NOW, tz)[0])


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from((None, "America/Chicago")))
def test_range_at_a_shape_s_comparisons_is_split_range(data, tz):
    """A condition of the same shape (other literals) read where the first's time comparisons sit."""
    text = data.draw(conditions)
    literals = data.draw(st.lists(st.sampled_from(("'2016-01-01T00:00:00Z'", "'2016-02-03 04:05:06'", "'2015-12-31'",
                                                   "'nope'", "'1677-09-21T00:12:44Z'")), min_size=8, max_size=8))
    other = text
    for old in ("'2016-01-01T00:00:00Z'", "'2016-01-02'", "'2016-01-01 10:00:00'"):
        other = other.replace(old, literals.pop())
    first, cond = _condition(text), _condition(other)
    every = tuple(time_comparisons(first))
    assert [p for p, op in every if op is not None] == list(time_operands(first))
    general = _outcome(lambda: split_range(cond, NOW, tz))
    assert _outcome(lambda: range_at(cond, every, NOW, tz)) == general
    assert _outcome(lambda: range_at(cond, time_sites(first), NOW, tz)) == general
    assert _outcome(lambda: range_reader(time_sites(first))(cond, NOW, tz)) == general
    assert _outcome(lambda: range_reader(every)(cond, NOW, tz)) == general


@pytest.mark.parametrize("text,paths", [
    ("time >= '2016-01-01' AND host = 'a'", [("lhs", "rhs")]),
    ("'2016-01-01' <= time", [("lhs",)]),
    ("(host = 'a' OR time < 5) AND (time > now() - 1h)", [("lhs", "expr", "rhs", "rhs"), ("rhs", "expr", "rhs")]),
    ("host = 'a'", []),
    ("time =~ /x/", []),
])
def test_time_operands(text, paths):
    assert list(time_operands(_condition(text))) == paths


@pytest.fixture(autouse=True)
def fresh():
    templates._templates.clear()
    templates._families.clear()
    driver._CACHE.clear()


def _stmt(q: str):
    return engine.prepare(q).statements[0]


@pytest.mark.parametrize("shape,follows", [
    ("SELECT max(v) FROM m WHERE (hostname = '{h}') AND time >= '{a}' AND time < '{b}' GROUP BY time(1m)", True),
    ("SELECT max(v) FROM m WHERE host = '{h}' AND '{a}' <= time AND time < '{b}' - 1m", True),
    ("SELECT max(v) FROM m WHERE (host = '{h}' OR host = 'x{h}') AND time >= '{a}' AND time < '{b}'", True),
    ("SELECT max(v) FROM m WHERE time >= '{a}' AND time < '{b}' GROUP BY host", True),
    ("SELECT max(v) FROM m WHERE host = '2016-01-0{h}' AND time >= '{a}' AND time < '{b}'", False),  # a time-like tag
    ("SELECT max(v) FROM m WHERE s > '{h}' AND time >= '{a}' AND time < '{b}'", False),  # not a bound value
    ("SELECT max(v) FROM m WHERE host = '{h}' AND host = '{h}' AND time >= '{a}' AND time < '{b}'", False),
])
def test_rest_follows(shape, follows):
    q = shape.format(h="1", a="2016-01-01T00:00:00Z", b="2016-01-01T01:00:00Z")
    for _ in range(2):  # (the second text of a template comes from it, with its literal sites)
        stmt = _stmt(q)
    assert cache._rest_follows(stmt) is follows


SHAPES = (
    "SELECT max(v), min(w) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time(1m)",
    "SELECT mean(v) FROM m WHERE time >= '{a}' AND time < '{b}' GROUP BY time(10m), host",
    "SELECT v FROM m WHERE (host = '{h}' OR host = '{g}') AND '{a}' <= time AND time <= '{b}'",
    "SELECT count(v) FROM m WHERE host <> '{h}' AND time > '{a}' AND time < '{b}' GROUP BY time(7s) fill(none)",
    "SELECT first(v) FROM m WHERE time >= '{a}' AND host = '{h}' GROUP BY time(1m)",
)
S = 10**9
T0 = 1_451_606_400 * S
hosts = st.sampled_from(("h1", "h2", "h3", "h10", "web-1"))


def _text(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHAPES), st.lists(st.tuples(hosts, hosts, st.integers(-600, 7200), st.integers(0, 7200)),
                                         min_size=4, max_size=10))
def test_the_shortcut_moves_plans_as_the_general_path(shape, draws):
    store = tsdb_core.open(None)
    try:
        store.create_database("db")
        store.write("db", "\n".join(f"m,host=h{i % 3} v={i}i,w={i / 2} {T0 + i * 60 * S}" for i in range(100)))
        fam = None
        for host, other, start, length in draws:
            if host == other:
                continue
            q = shape.format(h=host, g=other, a=_text(T0 + start * S), b=_text(T0 + (start + length) * S))
            stmt = _stmt(q)
            if fam is not None:
                split = cache._split(stmt, NOW)
                residual, general = fam.moved(split[0], templates.bound_values(stmt))
                assert cache._range(stmt, NOW, fam.read_range) == split[0]
                assert fam.moved_plan(cache._range(stmt, NOW, fam.read_range), templates.bound_values(stmt)) == general
                assert general is None or split[1] == residual  # (None: this range's plan does not move)
            store.query(q, db="db")
            fams = [f for f in store.plan_cache._families.values() if f is not None]
            if fams and fams[0].verified:
                fam = fams[0]
                assert fam.rest_follows
    finally:
        store.close()
