"""Table-driven corpus: every valid statement prints canonically and round-trips;
every invalid one fails with influxd's exact message and position."""
import re

import pytest

from tsdb_core.base.errors import ParseError
from tsdb_core.influxql import parse

from .corpus_invalid import INVALID
from .corpus_valid import ALL as VALID

_AT = re.compile(r" at line (\d+), char (\d+)(?:;|$)")


def test_corpus_sizes():
    assert len(VALID) >= 300
    assert len(INVALID) >= 60


@pytest.mark.parametrize("text,canonical", VALID, ids=[q for q, _ in VALID])
def test_valid_statement_prints_canonically_and_round_trips(text, canonical):
    stmts = parse(text)
    printed = ";".join(str(s) for s in stmts)
    assert printed == (canonical if canonical is not None else text)
    assert parse(printed) == stmts


@pytest.mark.parametrize("text,message", INVALID, ids=[q for q, _ in INVALID])
def test_invalid_statement_error(text, message):
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert str(err) == message
    m = _AT.search(message)
    if m:  # the attributes agree with the text
        assert (err.line, err.column) == (int(m.group(1)), int(m.group(2)))


def test_only_parse_error_escapes_on_garbage():
    junk = ["\x00", "SELECT \x00 FROM m", "'", '"', "/*", "$", "::", "SELECT x FROM m WHERE x =~ /[/",
            "SELECT " + "(" * 200 + "x" + ")" * 200 + " FROM m", "€", "SELECT x FROM m WHERE µ = 1"]
    for text in junk:
        try:
            parse(text)
        except ParseError:
            pass
