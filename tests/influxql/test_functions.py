"""The function registry: one row per function influxd 1.6.7 knows, with its words."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tsdb_core.base.errors import ParseError, QueryError
from tsdb_core.influxql import functions as F
from tsdb_core.influxql import parse
from tsdb_core.influxql.ast import expr as A
from tsdb_core.influxql.ast.visit import find
from tsdb_core.query.analyze.compile import validate_call

CASES = Path(__file__).parents[1] / "cases"


def _recorded_queries():
    """(query, error) of every influxd recording that runs a SELECT."""
    noaa = json.loads((CASES / "query" / "noaa.json").read_text())
    out = [(c["query"], " ".join(r.get("error", "") for r in c["expected"].get("results", ())))
           for c in noaa]
    transforms = json.loads((CASES / "transforms" / "cases.json").read_text())
    for group in transforms.values():
        out += [(c["query"], c.get("error")) for c in group if isinstance(c, dict) and "query" in c]
    return out


def _called_names(query: str) -> set[str]:
    names = set()
    try:
        stmts = parse(query)
    except ParseError:  # recordings of influxd's parse errors
        return names
    for stmt in stmts:
        for f in getattr(stmt, "fields", ()):
            names.update(c.name for c in find(f.expr, A.Call))
    return names


def test_every_function_influxd_answered_has_a_row():
    seen = set()
    for query, error in _recorded_queries():
        if error and "undefined function" in error:
            continue
        seen |= _called_names(query)
    assert seen, "the recordings call functions"
    assert sorted(seen - set(F.FUNCTIONS)) == []
    # the recordings reach most of the registry; the rest are checked by the tables below
    assert len(seen & set(F.FUNCTIONS)) >= 40


def test_kinds_partition_the_registry():
    kinds = (F.AGGREGATE, F.SELECTOR, F.TRANSFORM, F.TECHNICAL, F.MATH)
    assert sum(len(F.names(k)) for k in kinds) == len(F.FUNCTIONS) == 52
    assert F.names(F.SELECTOR) == {"max", "min", "first", "last", "percentile", "sample", "top", "bottom"}
    assert F.names_where(lambda s: s.fast) == {"max", "min", "sum", "mean", "count", "percentile"}
    assert F.names_where(lambda s: s.exact_in_numpy) == {"max", "min", "count", "percentile"}
    assert F.names_where(lambda s: s.picks_point) == {"max", "min", "first", "last", "percentile"}
    assert F.names_where(lambda s: s.extends_range) >= F.names(F.TECHNICAL)
    assert not F.spec("cumulative_sum").extends_range and not F.spec("holt_winters").extends_range


@pytest.mark.parametrize("name,result", [
    ("count", "integer"), ("elapsed", "integer"), ("mean", "float"), ("integral", "float"),
    ("derivative", "float"), ("moving_average", "float"), ("abs", "float"), ("pow", "float"),
    ("max", "input"), ("difference", "input"), ("cumulative_sum", "input"), ("sum", "input"),
])
def test_result_type(name, result):
    assert F.spec(name).result == result


def test_unknown_function_has_influxds_words():
    with pytest.raises(QueryError, match=r"^undefined function nope\(\)$"):
        F.spec("nope")
    assert F.lookup("nope") is None


ARITY = [  # (call, influxd 1.6.7's words: recorded)
    ("atan2(f)", "invalid number of arguments for atan2, expected 2, got 1"),
    ("cumulative_sum()", "invalid number of arguments for cumulative_sum, expected 1, got 0"),
    ("derivative(f, 1s, 2)", "invalid number of arguments for derivative, expected at least 1 but no "
                             "more than 2, got 3"),
    ("difference(f, 1)", "invalid number of arguments for difference, expected 1, got 2"),
    ("exponential_moving_average(f)", "invalid number of arguments for exponential_moving_average, "
                                      "expected at least 2 but no more than 4, got 1"),
    ("holt_winters(f, 1)", "invalid number of arguments for holt_winters, expected 3, got 2"),
    ("integral()", "invalid number of arguments for integral, expected at least 1 but no more than 2, got 0"),
    ("kaufmans_adaptive_moving_average(f, 1, 2, 3)", "invalid number of arguments for "
     "kaufmans_adaptive_moving_average, expected at least 2 but no more than 3, got 4"),
    ("mean()", "invalid number of arguments for mean, expected 1, got 0"),
    ("mean(f, g)", "invalid number of arguments for mean, expected 1, got 2"),
    ("moving_average(f)", "invalid number of arguments for moving_average, expected 2, got 1"),
    ("percentile(f)", "invalid number of arguments for percentile, expected 2, got 1"),
    ("percentile(f, 1, 2)", "invalid number of arguments for percentile, expected 2, got 3"),
    ("top(f)", "invalid number of arguments for top, expected at least 2, got 1"),
    ("distinct()", "distinct function requires at least one argument"),
    ("distinct(f, g)", "distinct function can only have one argument"),
]


def _call(text: str) -> A.Call:
    m = re.fullmatch(r"(\w+)\((.*)\)", text)
    args = tuple(_arg(a.strip()) for a in m.group(2).split(",") if a.strip())
    return A.Call(m.group(1), args)


def _arg(text: str):
    if text.isdigit():
        return A.IntegerLiteral(int(text))
    if text.endswith("s") and text[:-1].isdigit():
        return A.DurationLiteral(int(text[:-1]) * 1_000_000_000)
    return A.VarRef(text)


@pytest.mark.parametrize("text,words", ARITY, ids=[a for a, _ in ARITY])
def test_arity_words_come_from_the_registry(text, words):
    call = _call(text)
    with pytest.raises(QueryError) as direct:
        F.spec(call.name).check_arity(len(call.args))
    assert str(direct.value) == words
    with pytest.raises(QueryError) as compiled:
        validate_call(call)
    assert str(compiled.value) == words


@pytest.mark.parametrize("name", sorted(F.FUNCTIONS))
def test_every_row_accepts_its_arities_and_refuses_one_more(name):
    s = F.spec(name)
    s.check_arity(s.min_args)
    if s.max_args is not None:
        s.check_arity(s.max_args)
        with pytest.raises(QueryError):
            s.check_arity(s.max_args + 1)
    if s.min_args:
        with pytest.raises(QueryError):
            s.check_arity(s.min_args - 1)


@pytest.mark.parametrize("text,words", [
    ("top(f, 2.5)", "expected integer as last argument in top(), found 2.500"),
    ("sample(f, 0)", "sample window must be greater than 1, got 0"),
    ("moving_average(f, 1)", "moving_average window must be greater than 1, got 1"),
    ("triple_exponential_derivative(f, 2, 0)",
     "triple_exponential_derivative hold period must be greater than or equal to 1"),
    ("relative_strength_index(f, 2, -2)", "relative_strength_index hold period must be greater than or equal to 0"),
    ("chande_momentum_oscillator(f, 2, 0, 'x')",
     "chande_momentum_oscillator warmup type must be one of: 'none' 'exponential' 'simple'"),
    ("kaufmans_efficiency_ratio(f, 0)", "kaufmans_efficiency_ratio period must be greater than or equal to 1"),
])
def test_argument_checks(text, words):
    stmt = parse(f"SELECT {text} FROM m")[0]
    call = stmt.fields[0].expr
    with pytest.raises(QueryError) as ei:
        F.spec(call.name).check_call(call.args)
    assert str(ei.value) == words


def test_consumers_read_the_registry():
    from tsdb_core.query.functions.math import MATH_FUNCTIONS
    from tsdb_core.query.plan.nodes import AGGREGATES, FAST_AGGREGATES, ORDER_FREE_AGGREGATES, SELECTORS, TRANSFORMS
    assert AGGREGATES == F.names(F.AGGREGATE, F.SELECTOR)
    assert SELECTORS == F.names(F.SELECTOR)
    assert TRANSFORMS == F.names(F.TRANSFORM, F.TECHNICAL)
    assert MATH_FUNCTIONS == F.names(F.MATH)
    assert FAST_AGGREGATES == F.names_where(lambda s: s.fast)
    assert ORDER_FREE_AGGREGATES == F.names_where(lambda s: s.exact_in_numpy)


# influxd 1.6.7's answers (asked on 127.0.0.1 with these three points): elapsed() is an
# integer whatever it reads, so arithmetic on it is integer arithmetic, even over a string field.
_ELAPSED_POINTS = b'm s="a",v=1 1000000000\nm s="b",v=2 2000000000\nm s="c",v=3 4000000000'


@pytest.mark.parametrize("query,values", [
    ("SELECT elapsed(s) + 1 FROM m", [["1970-01-01T00:00:02Z", 1000000001], ["1970-01-01T00:00:04Z", 2000000001]]),
    ("SELECT elapsed(s) FROM m", [["1970-01-01T00:00:02Z", 1000000000], ["1970-01-01T00:00:04Z", 2000000000]]),
    ("SELECT elapsed(v) * 2 FROM m", [["1970-01-01T00:00:02Z", 2000000000], ["1970-01-01T00:00:04Z", 4000000000]]),
])
def test_elapsed_is_an_integer_in_arithmetic(query, values):
    import tsdb_core

    with tsdb_core.open() as store:
        store.write("d", _ELAPSED_POINTS)
        answer = store.query(query, db="d").to_json()
    assert answer == {"results": [{"statement_id": 0, "series": [
        {"name": "m", "columns": ["time", "elapsed"], "values": values}]}]}
