"""Tag predicates of SHOW / DROP SERIES / DELETE WHERE clauses (tsdb_core/query/meta/where.py).

A series frame has one String column per tag key; a tag a series lacks (null, or a key the
measurement does not have) compares as ''. Each case lists the rows (series) it keeps.
"""
from __future__ import annotations

import polars as pl
import pytest

import tsdb_core.query.engine  # noqa: F401 - the engine first, as the store imports it
from tsdb_core.base.errors import QueryError
from tsdb_core.influxql import parse_statement
from tsdb_core.influxql.ast import expr as A
from tsdb_core.query.meta.where import filter_series, refs, tag_predicate

FRAME = pl.DataFrame({"host": ["a", "b", None, "10", None], "region": ["us", "eu", "us", None, None]},
                     schema={"host": pl.String, "region": pl.String})
KEYS = ("host", "region")
FIELDS = ("usage",)


def _cond(where: str):
    return parse_statement(f"SHOW SERIES WHERE {where}").condition


def _rows(where, what: str = "") -> list[int]:
    cond = _cond(where) if isinstance(where, str) else where
    pred = tag_predicate(cond, KEYS, fields=FIELDS, what=what)
    return FRAME.with_row_index("i").filter(pred)["i"].to_list()


@pytest.mark.parametrize("where,rows", [
    ("host = 'a'", [0]),
    ("host != 'a'", [1, 2, 3, 4]),
    ("host <> 'a'", [1, 2, 3, 4]),
    ("'a' = host", [0]),
    ("host = ''", [2, 4]),
    ("host =~ /^[ab]$/", [0, 1]),
    ("host !~ /a/", [1, 2, 3, 4]),
    ("host =~ /^$/", [2, 4]),
    ("dc = ''", [0, 1, 2, 3, 4]),
    ("dc != 'x'", [0, 1, 2, 3, 4]),
    ("dc =~ /x/", []),
    ("host = 10", [3]),
    ("host = 10.5", []),
    ("host = true", []),
    ("host > 'a'", [1]),
    ("host >= 'a'", [0, 1]),
    ("host < 'a'", [2, 3, 4]),
    ("host <= 'a'", [0, 2, 3, 4]),
    ("host = region", [4]),
    ("host = dc", [2, 4]),
    ("host = 'a' OR region = 'eu'", [0, 1]),
    ("(host = 'a' OR host = 'b') AND region = 'us'", [0]),
    ("host = 'a' and region = 'us'", [0]),
    ("usage > 1", []),
    ("usage > 1 OR host = 'b'", [1]),
    ("usage =~ /x/ OR host = 'a'", [0]),
    ("true", [0, 1, 2, 3, 4]),
    ("false OR host = 'b'", [1]),
])
def test_tag_predicate_keeps(where, rows):
    assert _rows(where) == rows


@pytest.mark.parametrize("where,error", [
    ("host", "invalid condition: host"),
    ("host = 'a' AND region", "invalid condition: region"),
    ("'a' = 'a'", "invalid condition: 'a' = 'a'"),
    ("host = 'a' + 'b'", "invalid condition: host = 'a' + 'b'"),
    ("host = 1s", "invalid condition: host = 1s"),
    (A.BinaryExpr("<", A.VarRef("host"), A.RegexLiteral("a")), "invalid operator < for a regex"),
    ("host + 'a'", "invalid operator + in a tag condition"),
])
def test_tag_predicate_refuses(where, error):
    with pytest.raises(QueryError) as e:
        _rows(where)
    assert str(e.value) == error


def test_a_field_in_a_delete_is_refused_with_influxdb_words():
    with pytest.raises(QueryError, match="^fields not supported in WHERE clause during deletion$"):
        _rows("host = 'a' OR usage > 1", what="delete")
    with pytest.raises(QueryError, match="^fields not supported in WHERE clause during deletion$"):
        _rows("usage =~ /x/", what="delete")


def test_the_first_error_from_the_left_wins():
    bad_regex = A.BinaryExpr("<", A.VarRef("host"), A.RegexLiteral("a"))
    on_field = _cond("usage > 1")
    with pytest.raises(QueryError, match="^invalid operator < for a regex$"):
        _rows(A.BinaryExpr("AND", bad_regex, on_field), what="delete")
    with pytest.raises(QueryError, match="^fields not supported"):
        _rows(A.BinaryExpr("AND", on_field, bad_regex), what="delete")


def test_a_name_both_tag_and_field_is_the_field_in_a_delete_unless_tag_is_said():
    """influxd 1.6.7: ``DELETE ... WHERE k = 'x'`` with k both tag and field fails (fields not
    supported), ``k::tag = 'x'`` deletes; a SHOW's series filter reads the tag."""
    with pytest.raises(QueryError, match="fields not supported in WHERE clause during deletion"):
        tag_predicate(_cond("host = 'a'"), KEYS, fields=("host",), what="delete")
    pred = tag_predicate(_cond("host::tag = 'a'"), KEYS, fields=("host",), what="delete")
    assert FRAME.filter(pred).height == 1
    assert FRAME.filter(tag_predicate(_cond("host = 'a'"), KEYS, fields=("host",))).height == 1


def test_filter_series_without_a_condition_is_the_frame():
    assert filter_series(FRAME, None, KEYS) is FRAME
    assert filter_series(FRAME, _cond("region = 'us'"), KEYS)["host"].to_list() == ["a", None]


def test_refs_names_every_variable():
    assert refs(_cond("(host = 'a' OR region =~ /x/) AND time > 0 AND usage = dc")) == {
        "host", "region", "time", "usage", "dc"}
