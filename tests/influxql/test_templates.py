"""Parsing from a template (texts that differ only in string literals) gives exactly what
the parser gives, and refuses the texts where cutting at quotes would mislead it."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dataclasses

from tsdb_core.base.errors import ParseError
from tsdb_core.influxql import ast as A
from tsdb_core.influxql.parser import driver, templates

from .strategies import selects

Q = "SELECT max(v) FROM cpu WHERE host = '{h}' AND time >= '{a}' AND time < '{b}' GROUP BY time(1m)"


@pytest.fixture(autouse=True)
def fresh():
    templates._templates.clear()
    templates._families.clear()
    driver._CACHE.clear()
    yield
    driver._CACHE.clear()


def parsed(text: str):
    """(statements or the error's words) through the caches, and straight from the parser."""
    def run(fn):
        try:
            return fn()
        except ParseError as e:
            return str(e)
    return run(lambda: driver.parse(text)), run(lambda: driver._parse_uncached(text, None))


def test_the_third_text_of_a_skeleton_is_built_from_the_template(monkeypatch):
    texts = [Q.format(h=h, a=f"2016-01-01T0{i}:00:00Z", b=f"2016-01-01T0{i + 1}:00:00Z")
             for i, h in enumerate(["h1", "h2", "h3", "h4"])]
    wants = [driver._parse_uncached(t, None) for t in texts]
    full = []
    real = driver._parse_measured
    monkeypatch.setattr(driver, "_parse_measured", lambda *a: full.append(a[0]) or real(*a))
    assert [driver.parse(t) for t in texts] == wants
    assert full == texts[:2]        # the first makes the template, the second checks it
    stmt = driver.parse(texts[3])[0]
    assert str(stmt.condition) == "host = 'h4' AND time >= '2016-01-01T03:00:00Z' AND time < '2016-01-01T04:00:00Z'"


def test_families_ignore_time_strings_and_compared_values_but_not_the_other_literals():
    a, b, c = (driver.parse(Q.format(h=h, a=f"2016-01-0{d}T00:00:00Z", b="2016-01-09T00:00:00Z"))[0]
               for h, d in (("h1", 1), ("h1", 2), ("h2", 3)))
    assert templates.family(a) == templates.family(b) == templates.family(c) is not None
    assert [templates.bound_values(s) for s in (a, b, c)] == [("h1",), ("h1",), ("h2",)]
    assert templates.origin(c) is a and templates.origin(a) is a   # c: built from a's template
    q = "SELECT max(v), '{x}' FROM cpu WHERE host = '{h}' AND time >= '2016-01-01'"
    d, e = (driver.parse(q.format(x=x, h="h1"))[0] for x in ("x1", "x2"))
    assert templates.family(d) != templates.family(e)   # a literal outside WHERE stays in the key
    assert templates.bound_values(d) == ("h1",)


@pytest.mark.parametrize("text, bound", [
    ("SELECT v FROM m WHERE host = '{0}' AND dc != '{1}'", ("h1", "d1")),
    ("SELECT v FROM m WHERE '{0}' = host OR s <> '{1}'", ("h1", "d1")),
    ("SELECT v FROM m WHERE host = '{0}' AND (dc = '{1}')", ("h1", "d1")),
    ("SELECT v FROM m WHERE host =~ /h/ AND dc = '{0}' AND x = '{1}'", ("h1", "d1")),
    ("SELECT v FROM m WHERE host = '{0}' AND time > '{1}'", ("h1",)),   # a comparison with time
    ("SELECT v FROM m WHERE host = '{0}' AND dc > '{1}'", ("h1",)),     # not an equality
])
def test_bound_values_are_the_equalities_with_names(text, bound):
    for k in range(3):
        driver.parse(text.format(f"h{k}", f"d{k}"))
    assert templates.bound_values(driver.parse(text.format("h1", "d1"))[0]) == bound


@pytest.mark.parametrize("values", [("h1", "h1"), ("", "d1")])
def test_equal_or_empty_values_are_not_bound(values):
    """host = 'a' AND dc = 'a' and tag = '' change what a plan is: the values stay in the key."""
    text = "SELECT v FROM m WHERE host = '{0}' AND dc = '{1}'"
    for k in range(3):
        driver.parse(text.format(f"h{k}", f"d{k}"))
    stmt = driver.parse(text.format(*values))[0]
    assert templates.bound_values(stmt) == ()
    assert templates.family(stmt)[-1] == values


def test_a_time_string_outside_where_gives_no_family():
    q = "SELECT v, '{b}' FROM cpu WHERE time >= '{a}'"
    for d in range(1, 4):
        stmts, want = parsed(q.format(a=f"2016-01-0{d}", b=f"2016-02-0{d}"))
        assert stmts == want
    stmt = driver.parse(q.format(a="2016-01-05", b="2016-02-05"))[0]
    assert templates.origin(stmt) is not None and templates.family(stmt) is None


@pytest.mark.parametrize("skeleton", [
    # a quote inside a quoted identifier: the cut does not fall on string literals
    "SELECT \"it's\" FROM cpu WHERE host = '{v}' AND time > '{w}'",
    # the same value twice, a value in a comment, an escaped quote
    "SELECT v FROM cpu WHERE host = '{v}' OR host = '{v}'",
    "SELECT v FROM cpu WHERE host = '{v}' -- and time > '{w}'",
    "SELECT v FROM cpu WHERE host = 'a\\'{v}' AND time > '{w}'",
    "SHOW TAG VALUES WITH KEY = host WHERE host = '{v}'",
])
def test_texts_where_the_cut_misleads_are_parsed_in_full(skeleton):
    for i in range(4):
        got, want = parsed(skeleton.format(v=f"x{i}", w=f"2016-01-0{i + 1}"))
        assert got == want
    assert not any(isinstance(t, templates._Template) and t.verified for t in templates._templates.values())


_SIMPLE = st.text("abcxyz019 :-.TZ_'", max_size=12)


def _with_literals(stmt):
    """``stmt`` with ``time >= '…' AND host = '…'`` in its WHERE (the strings to vary)."""
    bounds = A.BinaryExpr("AND", A.BinaryExpr(">=", A.VarRef("time"), A.StringLiteral("2016-01-01T00:00:00Z")),
                          A.BinaryExpr("=", A.VarRef("host"), A.StringLiteral("h1")))
    cond = bounds if stmt.condition is None else A.BinaryExpr("AND", bounds, A.ParenExpr(stmt.condition))
    return dataclasses.replace(stmt, condition=cond)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selects().map(_with_literals), st.lists(st.lists(_SIMPLE, min_size=1, max_size=8), min_size=3, max_size=5))
def test_any_select_reads_the_same_through_templates(stmt, variants):
    text = str(stmt)
    parts = templates._LITERAL.split(text)
    n = len(parts) // 2
    for values in variants:
        values = (values * n)[:n]
        out = list(parts)
        for i, v in enumerate(values):
            # a value of the same length as the original keeps the skeleton (the hard case)
            old = parts[2 * i + 1]
            out[2 * i + 1] = "'" + ((v * (len(old) + 1))[:len(old)] if v and len(old) else v) + "'"
        got, want = parsed("".join(out))
        assert got == want
