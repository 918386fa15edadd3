"""InfluxDB 3's SQL functions over the store, each answer computed independently from the data.

The expected rows come from the hand-made rows of conftest.py with Polars/Python arithmetic
(floor division for date_bin, sorting for the selectors), not from the SQL path under test.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pyarrow as pa
import pytest

from tsdb_core.query.sql import execute as S

from .conftest import MIN, NOW

HOUR = 60 * MIN
T0 = NOW - 10 * MIN  # the first minute of the data


def rows(df: pl.DataFrame) -> list[tuple]:
    """Rows with tags as strings and times as ns integers (structs as (value, time_ns))."""
    out = df.with_columns(pl.col(pl.Categorical).cast(pl.String), pl.col(pl.Datetime).cast(pl.Int64))
    out = out.with_columns(pl.when(pl.col(c).is_not_null()).then(pl.struct(
                               pl.col(c).struct.field("value"), pl.col(c).struct.field("time").cast(pl.Int64))).alias(c)
                           for c, t in out.schema.items() if isinstance(t, pl.Struct))
    return [tuple(tuple(v.values()) if isinstance(v, dict) else v for v in r) for r in out.rows()]


def iso(ns: int, offset_h: int = 0) -> str:
    tz = timezone(timedelta(hours=offset_h))
    return datetime.fromtimestamp(ns // 10**9, tz).isoformat()


def binned(frame: pl.DataFrame, stride: int, origin: int = 0) -> list[tuple]:
    """(bin, count, sum(n)) by Python-style floor division: an independent date_bin."""
    b = frame.with_columns(b=origin + (pl.col("t") - origin) // stride * stride)
    return b.group_by("b").agg(pl.len().cast(pl.Int64), pl.col("n").sum()).sort("b").rows()


def selector(frame: pl.DataFrame, col: str, by: list[tuple[str, bool]]) -> list[tuple]:
    """(host, value, time) of the first row per host in ``by`` order, null values skipped."""
    f = frame.drop_nulls(col).sort([c for c, _ in by] + ["t"], descending=[d for _, d in by] + [False])
    return f.group_by("host", maintain_order=True).first().sort("host").select("host", col, "t").rows()


BINS = [
    ("SELECT date_bin(INTERVAL '3 minutes', time) AS b, count(*) AS c, sum(n) AS s FROM cpu GROUP BY b ORDER BY b",
     3 * MIN, 0),
    ("SELECT date_bin('3 minutes', time) AS b, count(*) AS c, sum(n) AS s FROM cpu GROUP BY 1 ORDER BY 1",
     3 * MIN, 0),
    ("SELECT date_bin(interval '7 minutes', time, '1970-01-01T00:01:30Z') AS b, count(*) AS c, sum(n) AS s "
     "FROM cpu GROUP BY b ORDER BY b", 7 * MIN, 90 * 10**9),
    (f"SELECT date_bin(INTERVAL '1 hour 30 minutes', time, '{iso(T0 + 4 * MIN, 2)}') AS time, count(*) AS c, "
     "sum(n) AS s FROM cpu GROUP BY 1 ORDER BY 1", 90 * MIN, T0 + 4 * MIN),
    ("SELECT date_bin(INTERVAL '2 minutes', time, TIMESTAMP '2030-01-01T00:00:00') AS b, count(*) AS c, "
     "sum(n) AS s FROM cpu GROUP BY b ORDER BY b", 2 * MIN, 1893456000 * 10**9),
    ("SELECT date_trunc('hour', time) AS b, count(*) AS c, sum(n) AS s FROM cpu GROUP BY b ORDER BY b", HOUR, 0),
]


def test_group_by_a_name_of_the_input_groups_by_the_input_column(store, frame):
    """As DataFusion: an alias that is also an input column's name does not shadow it in GROUP BY."""
    df = S.execute(store, "db", "SELECT date_bin(INTERVAL '1 hour', time) AS time, count(*) AS c FROM cpu "
                                "GROUP BY time")
    assert df.height == frame.select(pl.col("t").n_unique()).item()


@pytest.mark.parametrize("q,stride,origin", BINS, ids=[b[0][:70] for b in BINS])
def test_time_windows(store, frame, q, stride, origin):
    assert rows(S.execute(store, "db", q)) == binned(frame, stride, origin)


@pytest.mark.parametrize("fn,col,by", [
    ("selector_first", "usage", [("t", False)]), ("selector_last", "usage", [("t", True)]),
    ("selector_min", "n", [("n", False)]), ("selector_max", "n", [("n", True)]),
    ("selector_last", "msg", [("t", True)]), ("selector_max", "msg", [("msg", True)]),
])
def test_selectors_struct_and_fields(store, frame, fn, col, by):
    expected = selector(frame, col, by)
    df = S.execute(store, "db", f"SELECT host, {fn}({col}, time) FROM cpu GROUP BY host ORDER BY host")
    assert df.columns == ["host", f"{fn}(cpu.{col},cpu.time)"]
    assert rows(df) == [(h, (v, t)) for h, v, t in expected]
    fields = S.execute(store, "db", f"SELECT host, {fn}({col}, time)['time'] AS t, {fn}({col}, time)['value'] "
                                    "AS v FROM cpu GROUP BY host ORDER BY host")
    assert rows(fields) == [(h, t, v) for h, v, t in expected]


def test_selector_arrow_type_and_all_null_group(store):
    t = S.to_arrow(S.execute(store, "db", "SELECT selector_first(msg, time) AS s FROM cpu WHERE msg IS NULL"))
    assert t.schema.field("s").type == pa.struct([("value", pa.string()), ("time", pa.timestamp("ns"))])
    assert t.to_pylist() == [{"s": {"value": None, "time": None}}]  # no value: no time either


def test_selector_value_in_an_expression_and_order_by(store, frame):
    df = S.execute(store, "db", "SELECT host, selector_max(usage, time)['value'] * 2 AS d FROM cpu GROUP BY host "
                                "ORDER BY selector_max(usage, time)['time'] DESC")
    expected = sorted(selector(frame, "usage", [("usage", True)]), key=lambda r: -r[2])
    assert rows(df) == [(h, v * 2) for h, v, _ in expected]


@pytest.mark.parametrize("where,lower", [
    ("time > now() - INTERVAL '5 minutes'", NOW - 5 * MIN + 1),
    ("time >= now() - interval '7 days'", NOW - 7 * 24 * HOUR),
    ("time >= now() - INTERVAL '1 hour' + INTERVAL '56 minutes'", NOW - 4 * MIN),
    (f"time >= '{iso(T0 + 4 * MIN, 2)}'", T0 + 4 * MIN),  # an offset: the same instant as UTC
    (f"time >= '{iso(T0 + 4 * MIN, -5)}'", T0 + 4 * MIN),
    (f"'{iso(T0 + 4 * MIN)}' <= time", T0 + 4 * MIN),
    (f"time BETWEEN '{iso(T0 + 4 * MIN)}' AND now()", T0 + 4 * MIN),
])
def test_now_intervals_and_time_strings(store, frame, where, lower):
    df = S.execute(store, "db", f"SELECT count(*) AS c FROM cpu WHERE {where}")
    assert rows(df) == [(frame.filter(pl.col("t") >= lower).height,)]


def test_now_is_the_query_start_and_interval_arithmetic(store):
    df = S.execute(store, "db", "SELECT now() AS a, now() - INTERVAL '1 hour' AS b, "
                                "time + INTERVAL '90 seconds' AS c FROM cpu ORDER BY time LIMIT 1")
    assert rows(df) == [(NOW, NOW - HOUR, T0 + 90 * 10**9)]


def test_time_string_keeps_nanoseconds(store):
    q = f"SELECT count(*) AS c FROM cpu WHERE time > '{iso(T0)[:19]}.000000001Z'"
    assert rows(S.execute(store, "db", q)) == [(len([m for m in (1, 2, 5, 9, 0, 3, 4, 7) if m > 0]),)]


def test_information_schema_as_influxdb3(store):
    tables = S.execute(store, "db", "SELECT table_schema, table_name, table_type FROM information_schema.tables "
                                    "ORDER BY table_schema, table_name")
    assert rows(tables) == [("information_schema", "columns", "VIEW"), ("information_schema", "df_settings", "VIEW"),
                            ("information_schema", "tables", "VIEW"), ("information_schema", "views", "VIEW"),
                            ("iox", "cpu", "BASE TABLE"), ("system", "queries", "BASE TABLE")]
    assert S.execute(store, "db", "SHOW TABLES").height == tables.height
    cols = S.execute(store, "db", "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                                  "WHERE table_name = 'cpu' ORDER BY ordinal_position")
    assert rows(cols) == [("host", "Dictionary(Int32, Utf8)", "YES"), ("msg", "Utf8", "YES"), ("n", "Int64", "YES"),
                          ("time", "Timestamp(Nanosecond, None)", "NO"), ("usage", "Float64", "YES")]
    assert rows(S.execute(store, "db", "SHOW COLUMNS FROM cpu").select("column_name", "data_type",
                                                                       "is_nullable")) == rows(cols)


def test_date_bin_of_a_time_string(store):
    df = S.execute(store, "db", "SELECT date_bin(INTERVAL '15 minutes', '2024-01-01T10:44:59.5+01:00') AS b FROM cpu "
                                "LIMIT 1")
    assert rows(df) == [(1704101400 * 10**9,)]  # 09:44:59.5Z floored to 09:30Z


@pytest.mark.parametrize("where,start,end", [
    ("time > now() - INTERVAL '5 minutes'", NOW - 5 * MIN + 1, None),
    ("time >= now() - INTERVAL '1 hour' AND time < now()", NOW - HOUR, NOW - 1),
    (f"time >= '{iso(T0 + 4 * MIN, 2)}'", T0 + 4 * MIN, None),
])
def test_time_range_reaches_the_scan(store, where, start, end):
    """now() ± intervals and offset strings become literals, so the scan reads only their range."""
    from tests.flight.test_sql import Recorder
    from tsdb_core.base.time import MAX_TIME

    rec = Recorder(store)
    S.execute(rec, "db", f"SELECT usage FROM cpu WHERE {where}")
    assert [(s, e) for _, s, e, _ in rec.scans] == [(start, MAX_TIME if end is None else end)]
