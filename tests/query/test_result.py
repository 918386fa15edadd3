"""The result contract: InfluxDB's /query JSON shape, times, to_polars()."""
from __future__ import annotations

import polars as pl
import pytest

from tsdb_core.query.results import QueryResult, Series, StatementResult, frame_rows, time_expr


def test_json_omits_empty_keys_like_influxdb():
    res = QueryResult([StatementResult(0), StatementResult(1, error="database not found: x"),
                       StatementResult(2, [Series("cpu", None, ["time", "v"], [["1970-01-01T00:00:00Z", 1]])])])
    assert res.to_json() == {"results": [
        {"statement_id": 0},
        {"statement_id": 1, "error": "database not found: x"},
        {"statement_id": 2, "series": [{"name": "cpu", "columns": ["time", "v"],
                                         "values": [["1970-01-01T00:00:00Z", 1]]}]},
    ]}


def test_request_error():
    assert QueryResult(error="error parsing query: x").to_json() == {"error": "error parsing query: x"}


def test_tags_sorted_and_partial():
    s = Series("m", {"b": "2", "a": "1"}, ["time", "v"], [[0, 1]], partial=True)
    assert list(s.to_json()["tags"]) == ["a", "b"]
    assert s.to_json()["partial"] is True


@pytest.mark.parametrize("epoch,expected", [
    (None, ["2019-08-18T00:00:00Z", "2019-08-18T00:00:00.5Z", "1970-01-01T00:00:00.000000001Z"]),
    ("ns", [1566086400000000000, 1566086400500000000, 1]),
    ("u", [1566086400000000, 1566086400500000, 0]),
    ("ms", [1566086400000, 1566086400500, 0]),
    ("s", [1566086400, 1566086400, 0]),
    ("m", [26101440, 26101440, 0]),
    ("h", [435024, 435024, 0]),
])
def test_time_rendering(epoch, expected):
    df = pl.DataFrame({"t": [1566086400000000000, 1566086400500000000, 1]})
    assert df.select(time_expr("t", epoch)).to_series().to_list() == expected


@pytest.mark.parametrize("tz,expected", [
    ("America/Chicago", "2019-08-17T19:00:00.25-05:00"),
    ("Asia/Kolkata", "2019-08-18T05:30:00.25+05:30"),
    ("UTC", "2019-08-18T00:00:00.25Z"),
])
def test_time_rendering_in_zone(tz, expected):
    df = pl.DataFrame({"t": [1566086400250000000]})
    assert df.select(time_expr("t", None, tz)).item() == expected


def test_to_polars_tags_as_columns():
    res = QueryResult([StatementResult(0, [
        Series("cpu", {"host": "a"}, ["time", "v"], [["t1", 1.0]]),
        Series("cpu", {"host": "b"}, ["time", "v"], [["t2", 2.0]]),
    ])])
    (df,) = res.to_polars()
    assert df.columns == ["host", "time", "v"]
    assert df.rows() == [("a", "t1", 1.0), ("b", "t2", 2.0)]


def test_frame_rows_are_lists():
    assert frame_rows(pl.DataFrame({"a": [1, 2], "b": ["x", None]})) == [[1, "x"], [2, None]]


def test_to_arrow_and_pandas_delegate():
    res = QueryResult([StatementResult(0, [Series("cpu", {"host": "a"}, ["time", "v"],
                                                  [["2019-08-18T00:00:00Z", 1.5]])])])
    table = res.to_arrow()
    assert table.column_names == ["host", "time", "v"]
    assert table.column("v").to_pylist() == [1.5]
    pdf = res.to_pandas(index="time")
    assert list(pdf.columns) == ["host", "v"]
