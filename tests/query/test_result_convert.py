"""Answers as Polars/Arrow/pandas (tsdb_core/query/results_convert.py)."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa
import pytest

from tsdb_core.base.errors import QueryError
from tsdb_core.query.results import QueryResult, Series, StatementResult
from tsdb_core.query.results_convert import to_arrow, to_pandas, to_polars

RES = QueryResult([StatementResult(0, [
    Series("cpu", {"host": "a"}, ["time", "mean"], [["2024-01-01T00:00:00Z", 1.5], ["2024-01-01T00:01:00Z", 2.0]]),
    Series("cpu", {"host": "b"}, ["time", "mean"], [["2024-01-01T00:00:00.5Z", 3.0]]),
])])
UTC = dt.timezone.utc


def test_to_polars_parses_times():
    df = to_polars(RES)
    assert df.schema == {"host": pl.String, "time": pl.Datetime("ns", "UTC"), "mean": pl.Float64}
    assert df.rows() == [("a", dt.datetime(2024, 1, 1, tzinfo=UTC), 1.5),
                         ("a", dt.datetime(2024, 1, 1, 0, 1, tzinfo=UTC), 2.0),
                         ("b", dt.datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=UTC), 3.0)]
    assert to_polars(RES, parse_times=False)["time"].to_list()[0] == "2024-01-01T00:00:00Z"


def test_to_arrow():
    table = to_arrow(RES)
    assert isinstance(table, pa.Table)
    assert table.column_names == ["host", "time", "mean"]
    assert table.schema.field("time").type == pa.timestamp("ns", tz="UTC")
    assert table.column("mean").to_pylist() == [1.5, 2.0, 3.0]


def test_to_pandas_with_a_time_index():
    df = to_pandas(RES, index="time")
    assert str(df.index.dtype) == "datetime64[ns, UTC]"
    assert df["host"].tolist() == ["a", "a", "b"] and df["mean"].tolist() == [1.5, 2.0, 3.0]


def test_epoch_times_stay_integers():
    res = QueryResult([StatementResult(0, [Series("cpu", None, ["time", "v"], [[1, 2]])])])
    assert to_polars(res).schema["time"] == pl.Int64


@pytest.mark.parametrize("result,exc,message", [
    (QueryResult(error="error parsing query: x"), QueryError, "error parsing query: x"),
    (QueryResult([StatementResult(0, error="database not found: d")]), QueryError, "database not found: d"),
    (QueryResult([]), IndexError, "the query answered 0 statement(s), no statement 0"),
], ids=["request", "statement", "missing"])
def test_errors(result, exc, message):
    with pytest.raises(exc) as info:
        to_arrow(result)
    assert str(info.value) == message
