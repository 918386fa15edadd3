"""The time-literal check's shortcut for statements built from a template (``passes_like``)
never lets through a statement the full check refuses, and is taken on dashboard texts."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tsdb_core.base.errors import QueryError
from tsdb_core.influxql.parser import driver, templates
from tsdb_core.query import engine
from tsdb_core.query.analyze.time_literals import check_time_literals, passes_like

NOW = 1_700_000_000 * 10**9
# {a}/{b}: 20-character time strings (a year of any four digits); {h}: a 4-character value
SHAPES = (
    "SELECT max(v) FROM m WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time(1m)",
    "SELECT max(v) FROM m WHERE '{a}' <= time AND (time < '{b}' OR host = '{h}')",
    "SELECT v FROM m WHERE time >= '{a}' + 1000d AND time < '{b}' - 10d AND host = '{h}'",
    "SELECT v FROM m WHERE time > ('{a}' + 0s) AND time < '{b}' AND '{h}' = host",
    "SELECT v FROM m WHERE host = '{h}' AND time = '{a}' OR time != '{b}'",
    "SELECT v FROM (SELECT v FROM m WHERE time > '{a}' AND host = '{h}') WHERE time < '{b}'",
    "SELECT v FROM m WHERE time >= '{a}' AND time < '{b}' AND host = '{h}' TZ('America/Chicago')",
    "SELECT v FROM m WHERE s > '{a}' AND time < '{b}' AND host = '{h}'",
)
_T = "{y:04d}-0{m}-1{d}T0{h}:00:00Z"
years = st.sampled_from([1000, 1677, 1678, 1679, 1970, 2016, 2261, 2262, 2263, 9999]) | st.integers(1000, 9999)
times = st.builds(lambda y, m, d, h: _T.format(y=y, m=m, d=d, h=h), years, st.integers(1, 9), st.integers(0, 9),
                  st.integers(0, 9))
hosts = st.sampled_from(["h001", "2016", "9999", "host"])


@pytest.fixture(autouse=True)
def fresh():
    templates._templates.clear()
    templates._families.clear()
    driver._CACHE.clear()
    engine._passed.clear()
    yield
    driver._CACHE.clear()


def _verdict(check, *args):
    """None, or the error's words."""
    try:
        check(*args)
    except QueryError as e:
        return f"{type(e).__name__}: {e}"
    return None


def _built(shape: str, values: dict):
    """The statement of ``shape`` with ``values``, built from the shape's template (two texts
    with in-range values parsed before make and check it)."""
    for k in range(2):
        driver.parse(shape.format(a=f"201{k}-01-01T00:00:00Z", b=f"201{k}-02-01T00:00:00Z", h=f"h00{k}"))
    return driver.parse(shape.format(**values))[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHAPES), times, times, hosts)
def test_the_shortcut_passes_only_what_the_full_check_passes(shape, a, b, h):
    stmt = _built(shape, {"a": a, "b": b, "h": h})
    src = templates.origin(stmt)
    assume(src is not None and src is not stmt)   # (equal values: no template, nothing to skip)
    assert _verdict(check_time_literals, src, NOW) is None
    want = _verdict(check_time_literals, stmt, NOW)
    if passes_like(stmt, src, templates.literal_sites(stmt)):
        assert want is None
    engine._passed[id(src)] = src   # the engine's answer is the full check's, shortcut or not
    assert _verdict(engine._check_literals, stmt, NOW) == want


@pytest.mark.parametrize("shape, taken", [
    (SHAPES[0], True), (SHAPES[1], True), (SHAPES[4], True),
    (SHAPES[7], True),   # (SHAPES[6]: tz() keeps its text from templates)
    (SHAPES[2], False),   # '...' + 1000d: the sum is read, not the string
    (SHAPES[3], False),   # ('...' + 0s): the check reads the time (as it does a sum's)
    (SHAPES[5], False),   # a subquery's literal
])
def test_the_shortcut_is_taken_on_in_range_values_where_it_can_be(shape, taken):
    stmt = _built(shape, {"a": "2020-03-04T05:00:00Z", "b": "2020-03-05T05:00:00Z", "h": "9999"})
    src = templates.origin(stmt)
    assert src is not None and src is not stmt
    assert passes_like(stmt, src, templates.literal_sites(stmt)) is taken
    out = _built(shape, {"a": "2263-03-04T05:00:00Z", "b": "2020-03-05T05:00:00Z", "h": "9999"})
    assert passes_like(out, templates.origin(out), templates.literal_sites(out)) is (shape == SHAPES[7])


def test_the_engine_skips_the_full_check_for_a_family_member(monkeypatch):
    shape = SHAPES[0]
    src = templates.origin(_built(shape, {"a": "2020-03-04T05:00:00Z", "b": "2020-03-05T05:00:00Z", "h": "h009"}))
    engine._check_literals(src, NOW)
    full = []
    monkeypatch.setattr(engine, "check_time_literals", lambda *a: full.append(a))
    ok = _built(shape, {"a": "2021-03-04T05:00:00Z", "b": "2021-03-05T05:00:00Z", "h": "h007"})
    engine._check_literals(ok, NOW)
    assert full == []
    far = _built(shape, {"a": "2300-03-04T05:00:00Z", "b": "2021-03-05T05:00:00Z", "h": "h007"})
    engine._check_literals(far, NOW)
    assert full == [(far, NOW)]
