"""Quoting/formatting helpers, and the hand-written tokenizer agreeing with the grammar's terminals."""
import re

import pytest
from lark import Lark

from tsdb_core.influxql import parse_statement
from tsdb_core.influxql.parser.lalr import tokenize
from tsdb_core.base.time import format_duration, format_rfc3339 as format_time, parse_duration
from tsdb_core.influxql.parser.lexing import (format_float, quote_ident,
                                       quote_regex, quote_string, unescape)
from tsdb_core.influxql.parser.driver import _KW_TYPES, _KeepTerminals, grammar_text, parser


@pytest.mark.parametrize("name,quoted", [
    ("cpu", "cpu"), ("_x1", "_x1"), ("select", '"select"'), ("Tag", '"Tag"'), ("time", "time"),
    ("a b", '"a b"'), ("1x", '"1x"'), ("", '""'), ('a"b', '"a\\"b"'), ("a\\b", '"a\\\\b"'),
    ("a\nb", '"a\\nb"'), ("é", '"é"'),
])
def test_quote_ident(name, quoted):
    assert quote_ident(name) == quoted
    assert parse_statement(f"SELECT {quoted} FROM m").fields[0].expr.name == name


@pytest.mark.parametrize("value,text", [
    ("a", "'a'"), ("it's", "'it\\'s'"), ("a\\b", "'a\\\\b'"), ("l1\nl2", "'l1\\nl2'"), ('"', "'\"'"),
])
def test_quote_string(value, text):
    assert quote_string(value) == text
    assert unescape(text[1:-1]) == (value, -1)


def test_unescape_reports_bad_escapes():
    assert unescape("a\\qb") == ("a", 1)


@pytest.mark.parametrize("ns,text", [
    (0, "0s"), (1, "1ns"), (1_000, "1u"), (1_500, "1500ns"), (1_000_000, "1ms"), (10**9, "1s"),
    (90 * 60 * 10**9, "90m"), (3600 * 10**9, "1h"), (86400 * 10**9, "1d"), (7 * 86400 * 10**9, "1w"),
    (-3600 * 10**9, "-1h"), (36 * 3600 * 10**9, "36h"),
])
def test_format_duration(ns, text):
    assert format_duration(ns) == text
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text,ns", [("1h30m", 5400 * 10**9), ("1m1ms", 60_001_000_000), ("2µ", 2000),
                                     ("1d12h", 36 * 3600 * 10**9)])
def test_parse_combined_durations(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["1", "1x", "h", "1h2", "1mss"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


@pytest.mark.parametrize("v,text", [(1.0, "1.0"), (0.1, "0.1"), (1e-7, "0.0000001"), (1e20, "100000000000000000000.0"),
                                    (-2.5, "-2.5")])
def test_format_float_is_exact_and_rereadable(v, text):
    assert format_float(v) == text
    assert float(text) == v


def test_format_time_and_regex():
    assert format_time(1_577_836_800_000_000_000) == "2020-01-01T00:00:00Z"
    assert format_time(1_577_836_800_000_000_500) == "2020-01-01T00:00:00.0000005Z"
    assert quote_regex("a/b") == "/a\\/b/"


_SAMPLES = [
    ("cpu", "IDENT"), ("_a1", "IDENT"), ("mean(", "FUNC_NAME"), ("SELECT", "SELECT"), ("from", "FROM"),
    ("42", "INTEGER"), ("4.2", "NUMBER"), (".5", "NUMBER"), ("7.", "NUMBER"), ("1h30m", "DURATIONVAL"),
    ("10µs", "DURATIONVAL"), ("'s\\'x'", "STRING"), ('"q i"', "QUOTED_IDENT"), ("$p", "BOUNDPARAM"),
    ('$"p q"', "BOUNDPARAM"), ("::tag", "CAST"), ("=~", "EQREGEX"), ("!~", "NEQREGEX"), ("<>", "NEQ"),
    ("!=", "NEQ"), ("<=", "LTE"), (">=", "GTE"), ("=", "EQ"), ("%", "MOD"), ("^", "BITXOR"),
    (";", "_SEMI"), (":", "COLON"), (".", "DOT"),
]


@pytest.fixture(scope="module")
def terminals():
    lark = Lark(grammar_text(), parser="lalr", lexer="basic", start="start",
                maybe_placeholders=False, postlex=_KeepTerminals())
    return {t.name: re.compile(t.pattern.to_regexp()) for t in lark.terminals}


@pytest.mark.parametrize("lexeme,kind", _SAMPLES, ids=[s for s, _ in _SAMPLES])
def test_tokenizer_agrees_with_grammar_terminals(lexeme, kind, terminals):
    parser()
    toks = tokenize(lexeme, 0, lambda k, raw, a, b: (k, raw), _KW_TYPES)
    first = toks[0]
    got = (first.type, first.value) if hasattr(first, "type") else first
    assert got[0] == kind
    m = terminals[kind].match(lexeme)
    assert m is not None and m.group() == got[1].rstrip("(")


def test_comments_and_whitespace_are_skipped():
    toks = tokenize("a -- c\n /* x\n y */ b\t\r\n", 0, lambda *a: a, {})
    assert [(t.type, t.value, t.start_pos) for t in toks] == [("IDENT", "a", 0), ("IDENT", "b", 19)]


def test_unterminated_string_becomes_bad_string():
    toks = tokenize("x = 'abc", 0, lambda k, raw, a, b: (k, raw, a), {})
    assert toks[-1] == ("BAD_STRING", "'abc", 4)
