"""cond_expr(series=True): the conditions of SHOW/DROP SERIES/DELETE over a frame of series.

The same compiler as WHERE on points, with the rules of series: every name a tag
compared as text, a missing key ''."""
from __future__ import annotations

import polars as pl
import pytest

from tsdb_core.base.errors import QueryError
from tsdb_core.influxql import ast as A
from tsdb_core.influxql import parse
from tsdb_core.query.analyze.time_range import split_where
from tsdb_core.query.exec.expressions import cond_expr

SERIES = pl.DataFrame({"host": ["a", "b", None, "c"], "dc": ["x", None, "y", "x"]})
KEYS = ("host", "dc")


def _cond(where: str):
    stmt = parse(f"SHOW SERIES WHERE {where}")[0]
    return split_where(stmt.condition, 0, None)[1]


def _series(where: str, **kw) -> list[int]:
    pred = cond_expr(_cond(where), dict.fromkeys(KEYS, pl.String), series=True, **kw)
    return SERIES.with_row_index("i").filter(pred)["i"].to_list()


CASES = [
    ("host = 'a'", [0]),
    ("host != 'a'", [1, 2, 3]),          # a series without host is ''
    ("host <> 'a' AND dc = 'x'", [3]),
    ("host = '' OR dc = 'y'", [2]),
    ("host =~ /^[ab]$/", [0, 1]),
    ("host !~ /a/", [1, 2, 3]),
    ("zone = ''", [0, 1, 2, 3]),         # a key no series has
    ("host > 'a'", [1, 3]),              # series conditions compare text in order
    ("(host = 'a' OR host = 'b') AND dc = 'x'", [0]),
    ("host = dc", []),
    ("true", [0, 1, 2, 3]),
]


@pytest.mark.parametrize("where,rows", CASES)
def test_series_conditions(where, rows):
    assert _series(where) == rows


def test_fields_in_series_conditions():
    assert _series("usage = 1", fields=("usage",)) == []
    with pytest.raises(QueryError, match="fields not supported in WHERE clause during deletion"):
        _series("usage = 1", fields=("usage",), what="delete")


@pytest.mark.parametrize("cond,words", [
    (A.BinaryExpr("=", A.VarRef("host"), A.RegexLiteral("a")), "invalid operator = for a regex"),
    (A.BinaryExpr("=~", A.VarRef("host"), A.StringLiteral("a")), "invalid operator =~ in a tag condition"),
    (A.BinaryExpr("=", A.IntegerLiteral(1), A.IntegerLiteral(1)), "invalid condition"),
    (A.VarRef("host"), "invalid condition"),
])
def test_series_condition_errors(cond, words):
    with pytest.raises(QueryError, match=words):
        cond_expr(cond, dict.fromkeys(KEYS, pl.String), series=True)
