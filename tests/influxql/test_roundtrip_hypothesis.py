"""Property: for canonical ASTs, parse(str(ast)) == [ast]; for any text, only ParseError.

Example counts are kept small for the default run; TSDB_SLOW=1 multiplies them by 10.
"""
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsdb_core.base.errors import ParseError
from tsdb_core.influxql import parse

from .strategies import arith_exprs, conditions, meta_statements, selects

_SCALE = 10 if os.environ.get("TSDB_SLOW") == "1" else 1
_SETTINGS = settings(max_examples=50 * _SCALE, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(selects())
def test_select_round_trips(stmt):
    assert parse(str(stmt)) == [stmt]


@_SETTINGS
@given(meta_statements)
def test_meta_statement_round_trips(stmt):
    assert parse(str(stmt)) == [stmt]


@_SETTINGS
@given(conditions)
def test_condition_round_trips(cond):
    text = f"SELECT x FROM m WHERE {cond}"
    assert parse(text)[0].condition == cond


@_SETTINGS
@given(arith_exprs)
def test_printing_is_a_fixed_point(expr):
    text = f"SELECT {expr} FROM m"
    assert str(parse(text)[0]) == text


_FRAGMENTS = ["SELECT", "FROM", "WHERE", "GROUP BY", "x", "m", "'s'", '"q"', "(", ")", ",", "=", "=~",
              "/r/", "1", "1.5", "1h", "-", "*", "::field", ".", ";", "$p", "fill(", "tz(", "AND",
              "SHOW", "TAG", "VALUES", "WITH KEY", "LIMIT", "ORDER BY", "time", "DESC", "INTO", ":",
              "'", '"', "/*", "--", "\n", " ", "\\", "µ", "é", "CREATE", "DATABASE", "ON"]


@settings(max_examples=150 * _SCALE, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=14).map(" ".join))
def test_any_text_parses_or_raises_parse_error(text):
    try:
        stmts = parse(text)
    except ParseError as exc:
        assert exc.line >= 1 and exc.column >= 1
    else:
        assert parse(";".join(str(s) for s in stmts)) == stmts


@settings(max_examples=100 * _SCALE, deadline=None)
@given(st.text(max_size=40))
def test_random_unicode_only_raises_parse_error(text):
    try:
        parse(text)
    except ParseError:
        pass
