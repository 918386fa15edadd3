"""Bound parameters: substituted like influxd's ``params=`` (JSON values), or kept as nodes."""
import pytest

from tsdb_core.base.errors import ParseError
from tsdb_core.influxql import parse_statement
from tsdb_core.influxql.ast import (BooleanLiteral, BoundParameter, DurationLiteral, IntegerLiteral,
                                    Measurement, NumberLiteral, RegexLiteral, StringLiteral, VarRef)


def where(text, params):
    return parse_statement(f"SELECT x FROM m WHERE a = {text}", params).condition.rhs


@pytest.mark.parametrize("value,expected", [
    ("srv", StringLiteral("srv")),
    ("it's", StringLiteral("it's")),
    (5, IntegerLiteral(5)),
    (-5, IntegerLiteral(-5)),
    (1.5, NumberLiteral(1.5)),
    (True, BooleanLiteral(True)),
    (False, BooleanLiteral(False)),
    ({"string": "s"}, StringLiteral("s")),
    ({"integer": 7}, IntegerLiteral(7)),
    ({"int": 7}, IntegerLiteral(7)),
    ({"number": 2}, NumberLiteral(2.0)),
    ({"float": 2.5}, NumberLiteral(2.5)),
    ({"duration": "1h"}, DurationLiteral(3_600_000_000_000)),
    ({"duration": 60_000_000_000}, DurationLiteral(60_000_000_000)),
    ({"identifier": "b"}, VarRef("b")),
    ({"ident": "select"}, VarRef("select")),
])
def test_value_binding(value, expected):
    assert where("$v", {"v": value}) == expected


def test_regex_binding_after_regex_operator():
    s = parse_statement("SELECT x FROM m WHERE a =~ $v", {"v": {"regex": "^a"}})
    assert s.condition.rhs == RegexLiteral("^a")


def test_identifier_and_regex_params_work_in_any_position():
    s = parse_statement("SELECT $f FROM $m WHERE host =~ $r LIMIT $n",
                        {"f": {"identifier": "usage"}, "m": {"identifier": "cpu"},
                         "r": {"regex": "^web"}, "n": 10})
    assert s.fields[0].expr == VarRef("usage")
    assert s.sources == (Measurement(name="cpu"),)
    assert s.condition.rhs == RegexLiteral("^web")
    assert s.limit == 10


def test_quoted_parameter_name():
    assert where('$"my p"', {"my p": 1}) == IntegerLiteral(1)


def test_without_params_parameters_stay_nodes():
    assert where("$v", None) == BoundParameter("v")


@pytest.mark.parametrize("text,params,message", [
    ("$v", {}, "missing parameter: v"),
    ("$v", {"w": 1}, "missing parameter: v"),
    ("$", None, "empty bound parameter"),
    ("$v", {"v": {"a": 1, "b": 2}}, "bound object parameter value must have exactly one entry"),
    ("$v", {"v": {"foo": 1}}, "unknown bind object type: foo"),
    ("$v", {"v": {"identifier": 1}}, "identifier must be a string value"),
    ("$v", {"v": {"integer": "x"}}, "integer literal must be an integer value"),
    ("$v", {"v": {"duration": 1.5}}, "duration literal must be a string or integer value"),
    ("$v", {"v": [1]}, "unable to bind parameter with type list"),
    ("$v", {"v": {"duration": "1x"}}, "invalid duration"),
])
def test_parameter_errors(text, params, message):
    with pytest.raises(ParseError) as info:
        where(text, params)
    assert str(info.value) == message


def test_negative_limit_parameter_is_rejected():
    with pytest.raises(ParseError) as info:
        parse_statement("SELECT x FROM m LIMIT $n", {"n": -1})
    assert str(info.value).startswith("LIMIT must be >= 0")


def test_parameters_are_part_of_the_cache_key():
    assert where("$v", {"v": 1}) == IntegerLiteral(1)
    assert where("$v", {"v": True}) == BooleanLiteral(True)
    assert where("$v", {"v": 1.0}) == NumberLiteral(1.0)
