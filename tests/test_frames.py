"""DataFrame → MeasurementBatch conversion (tsdb_core/ingest/dataframe.py)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pytest

from tsdb_core.base.errors import UserError
from tsdb_core.ingest.dataframe import dataframe_to_batch, field_type_of
from tsdb_core.base.types import FieldType
from tsdb_core.base.time import MAX_TIME, MIN_TIME

T0 = 1_704_067_200_000_000_000  # 2024-01-01T00:00:00Z


@pytest.mark.parametrize("dtype,expected", [
    (pl.Float64, FieldType.FLOAT), (pl.Float32, FieldType.FLOAT), (pl.Decimal(10, 2), FieldType.FLOAT),
    (pl.Int64, FieldType.INTEGER), (pl.Int8, FieldType.INTEGER), (pl.UInt32, FieldType.INTEGER),
    (pl.UInt64, FieldType.UNSIGNED), (pl.Boolean, FieldType.BOOLEAN), (pl.String, FieldType.STRING),
    (pl.Categorical, FieldType.STRING), (pl.Datetime("ns"), None), (pl.List(pl.Int64), None),
], ids=str)
def test_field_type_of(dtype, expected):
    assert field_type_of(dtype) is expected


@pytest.mark.parametrize("times,precision,expected", [
    ([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 0, 1)], "ns", [T0, T0 + 10**9]),
    ([dt.datetime(2024, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))], "ns", [T0]),
    ([dt.date(2024, 1, 1)], "ns", [T0]),
    ([T0, T0 + 5], "ns", [T0, T0 + 5]),
    ([1_704_067_200], "s", [T0]),
    ([1_704_067_200_000], "ms", [T0]),
    (["2024-01-01T00:00:00Z", "2024-01-01T01:00:00.5+01:00"], "ns", [T0, T0 + 500_000_000]),
], ids=["naive-datetime", "aware-datetime", "date", "int-ns", "int-s", "int-ms", "rfc3339"])
def test_time_column(times, precision, expected):
    b = dataframe_to_batch(pl.DataFrame({"time": times, "v": [1.0] * len(times)}), "m", precision=precision)
    assert b.frame["time"].dtype == pl.Int64
    assert b.frame["time"].to_list() == expected


def test_columns_tags_fields_and_types():
    df = pl.DataFrame({
        "time": [T0, T0 + 1], "host": ["a", "b"], "region": ["eu", "eu"],
        "f": [1.5, 2.5], "i": [1, 2], "u": pl.Series([1, 2], dtype=pl.UInt64),
        "b": [True, False], "s": ["x", "y"],
    })
    b = dataframe_to_batch(df, "cpu", tags=["region", "host"])
    assert b.measurement == "cpu"
    assert b.tags == ("host", "region")  # sorted, as the model wants
    assert b.fields == {"f": FieldType.FLOAT, "i": FieldType.INTEGER, "u": FieldType.UNSIGNED,
                        "b": FieldType.BOOLEAN, "s": FieldType.STRING}
    assert b.frame.columns == ["time", "host", "region", "f", "i", "u", "b", "s"]
    assert b.frame.row(1) == (T0 + 1, "b", "eu", 2.5, 2, 2, False, "y")
    assert b.lines.to_list() == [1, 2]
    assert b.num_values == 10


def test_explicit_fields_leave_other_columns_out():
    df = pl.DataFrame({"time": [T0], "host": ["a"], "v": [1.0], "ignored": ["z"]})
    b = dataframe_to_batch(df, "cpu", tags=["host"], fields=["v"])
    assert b.frame.columns == ["time", "host", "v"]


def test_nulls_nan_and_empty_tags():
    df = pl.DataFrame({"time": [T0, T0 + 1, T0 + 2], "host": ["a", "", None],
                       "v": [float("nan"), 2.0, None], "n": [1, None, None]})
    b = dataframe_to_batch(df, "cpu", tags=["host"])
    # Row 3 has no field value at all: line protocol cannot say it, so it is skipped.
    assert b.frame.to_dicts() == [
        {"time": T0, "host": "a", "v": None, "n": 1},
        {"time": T0 + 1, "host": None, "v": 2.0, "n": None},
    ]
    assert b.lines.to_list() == [1, 2]


def test_a_tag_column_with_no_value_is_not_a_tag_key():
    b = dataframe_to_batch(pl.DataFrame({"time": [T0], "host": [None], "v": [1]},
                                        schema_overrides={"host": pl.String}), "cpu", tags=["host"])
    assert b.tags == ()
    assert b.frame.columns == ["time", "v"]


def test_non_string_tags_become_strings():
    b = dataframe_to_batch(pl.DataFrame({"time": [T0], "shard": [7], "v": [1.0]}), "m", tags=["shard"])
    assert b.frame["shard"].to_list() == ["7"]


def test_time_none_uses_the_clock():
    b = dataframe_to_batch(pl.DataFrame({"v": [1, 2]}), "m", time=None, now=lambda: 42)
    assert b.frame["time"].to_list() == [42, 42]


def test_pandas_frame_with_a_datetime_index():
    pdf = pd.DataFrame({"host": pd.Categorical(["a", "b"]), "v": [1.0, float("nan")], "w": [1, 2]},
                       index=pd.to_datetime(["2024-01-01T00:00:00Z", "2024-01-01T00:00:10Z"]))
    b = dataframe_to_batch(pdf, "cpu", tags=["host"])
    assert b.frame.to_dicts() == [
        {"time": T0, "host": "a", "v": 1.0, "w": 1},
        {"time": T0 + 10 * 10**9, "host": "b", "v": None, "w": 2},
    ]


def test_lazy_and_arrow_inputs():
    df = pl.DataFrame({"time": [T0], "v": [1.0]})
    assert dataframe_to_batch(df.lazy(), "m").frame.equals(dataframe_to_batch(df.to_arrow(), "m").frame)


@pytest.mark.parametrize("kwargs,df,message", [
    ({"measurement": ""}, {"time": [T0], "v": [1]}, "measurement name must be a non-empty string"),
    ({}, {"t": [T0], "v": [1]}, "time column 'time' not found; columns: t, v"),
    ({"tags": ["nope"]}, {"time": [T0], "v": [1]}, "column 'nope' not found; columns: time, v"),
    ({"tags": ["v"], "fields": ["v"]}, {"time": [T0], "v": [1]}, "column 'v' cannot be both a tag and a field"),
    ({"fields": []}, {"time": [T0], "v": [1]}, "no field columns to write for measurement 'm'"),
    ({}, {"time": [T0], "v": [[1]]}, "field column 'v' has type List(Int64): expected float, integer, "
                                      "unsigned, boolean or string"),
    ({}, {"time": [T0], "v": [float("inf")]}, "field 'v': infinite value at row 1 (InfluxDB cannot store it)"),
    ({}, {"time": [T0, None], "v": [1, 2]}, "time column 'time' has a null at row 2"),
    ({}, {"time": [1.5], "v": [1]}, "time column 'time' has type Float64: expected a datetime, a date, "
                                    "an integer or RFC3339 strings"),
    ({"precision": "s"}, {"time": [10**11], "v": [1]}, "time column 'time': value out of range at row 1"),
    ({"precision": "x"}, {"time": [1], "v": [1]}, "invalid precision 'x'"),
    ({"time": "ts", "tags": ["time"]}, {"ts": [T0], "time": ["a"], "v": [1]},
     "invalid tag key: 'time' is reserved for the time column"),
    ({}, {"time": ["yesterday"], "v": [1]}, "time column 'time': cannot parse as RFC3339"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_errors(kwargs, df, message):
    kwargs = {"measurement": "m", **kwargs}
    with pytest.raises(UserError) as exc:
        dataframe_to_batch(pl.DataFrame(df, strict=False), **kwargs)
    assert str(exc.value).startswith(message)


def test_not_a_frame():
    with pytest.raises(UserError, match="cannot write a dict: expected a Polars or pandas DataFrame"):
        dataframe_to_batch({"time": [1]}, "m")


# -- through a store -------------------------------------------------------------------

def test_write_dataframe_through_the_store():
    import tsdb_core

    with tsdb_core.open() as store:
        df = pl.DataFrame({"time": [T0, T0, T0 + 1], "host": ["a", "b", "a"], "v": [1.0, 2.0, None],
                           "n": [None, None, 7]})
        r = store.write_dataframe("db", df, "cpu", tags=["host"])
        assert (r.points_written, r.values_written, r.errors) == (3, 3, [])
        rows = store.scan("db", None, "cpu", MIN_TIME, MAX_TIME).collect().sort("time", "host").select("time", "host", "v", "n").rows()
        assert rows == [(T0, "a", 1.0, None), (T0, "b", 2.0, None), (T0 + 1, "a", None, 7)]
        # A later frame for the same series and time merges field by field, as line protocol does.
        store.write_dataframe("db", pl.DataFrame({"time": [T0], "host": ["a"], "n": [5]}), "cpu", tags=["host"])
        assert store.scan("db", None, "cpu", MIN_TIME, MAX_TIME).collect().sort("time", "host").select("time", "host", "v", "n").row(0) \
            == (T0, "a", 1.0, 5)


def test_rejected_rows_come_back_with_their_row_numbers():
    import tsdb_core

    with tsdb_core.open() as store:
        store.write("db", "cpu v=1 1")
        r = store.write_dataframe("db", pl.DataFrame({"time": [T0, T0 + 1], "v": ["x", "y"]}), "cpu")
        assert r.points_written == 0
        assert [(e.line, e.reason) for e in r.errors] == [
            (1, 'field type conflict: input field "v" on measurement "cpu" is type string, '
                "already exists as type float"),
            (2, 'field type conflict: input field "v" on measurement "cpu" is type string, '
                "already exists as type float")]


def test_time_none_takes_the_store_clock():
    import tsdb_core

    with tsdb_core.open(clock=lambda: T0 + 42) as store:
        store.write_dataframe("db", pd.DataFrame({"v": [1.5]}), "m", time=None)
        assert store.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().rows() == [(T0 + 42, 1.5)]


def test_store_write_dataframe_method_reads_back():
    import polars as pl
    import tsdb_core

    with tsdb_core.open() as store:
        df = pl.DataFrame({"time": [10, 20], "host": ["a", "b"], "v": [1.5, 2.5]})
        r = store.write_dataframe("db", df, "cpu", tags=["host"])
        assert (r.points_written, r.errors) == (2, [])
        res = store.query("SELECT v FROM cpu GROUP BY host", db="db", epoch="ns").to_json()
        got = {s["tags"]["host"]: s["values"] for s in res["results"][0]["series"]}
        assert got == {"a": [[10, 1.5]], "b": [[20, 2.5]]}
