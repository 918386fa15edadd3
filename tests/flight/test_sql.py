"""SQL over the store (tsdb_core.query.sql.execute): tables, types, pushdown, information_schema, errors."""
from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

import tsdb_core
from tsdb_core.base.errors import DatabaseNotFound, QueryError
from tsdb_core.query.sql import execute as S
from tsdb_core.base.time import MAX_TIME, MIN_TIME

S1 = 1_000_000_000
LP = (
    "cpu,host=a,region=us usage=1.5,n=3i,ok=true,msg=\"x\" 1000000000\n"
    "cpu,host=b usage=2.5,n=4i 2000000000\n"
    "cpu,host=a,region=us usage=3.5,n=5i 3000000000\n"
    "mem,host=a free=10u 1500000000\n"
)


@pytest.fixture(scope="module")
def store():
    st = tsdb_core.open(None)
    st.create_database("db")
    st.write("db", LP)
    st.create_retention_policy("db", "short", duration=0)
    st.write("db", "disk,dev=sda used=7i 1000000000\n", rp="short")
    yield st
    st.close()


def rows(df: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df.cast({c: pl.String for c, t in df.schema.items() if t == pl.Categorical}).rows()]


CASES = [
    ("SELECT host, usage FROM cpu ORDER BY time", [("a", 1.5), ("b", 2.5), ("a", 3.5)]),
    ("SELECT host, avg(usage) AS u FROM cpu GROUP BY host ORDER BY host", [("a", 2.5), ("b", 2.5)]),
    ("SELECT count(*) AS n FROM cpu WHERE host = 'a'", [(2,)]),
    ("SELECT usage FROM cpu WHERE time >= '1970-01-01T00:00:02Z' ORDER BY time", [(2.5,), (3.5,)]),
    ("SELECT usage FROM cpu WHERE time > '1970-01-01T00:00:02Z'", [(3.5,)]),
    ("SELECT usage FROM cpu WHERE time BETWEEN '1970-01-01T00:00:01Z' AND '1970-01-01T00:00:02Z' ORDER BY time",
     [(1.5,), (2.5,)]),
    ("SELECT usage FROM cpu WHERE time < '1970-01-01T00:00:02Z' OR host = 'b' ORDER BY time", [(1.5,), (2.5,)]),
    ("SELECT max(n) AS m FROM iox.cpu", [(5,)]),
    ('SELECT max(n) AS m FROM public.iox."cpu"', [(5,)]),
    ("SELECT free FROM mem", [(10,)]),
    ("SELECT region FROM cpu WHERE region IS NULL", [(None,)]),
    ("SELECT msg, ok FROM cpu WHERE msg = 'x'", [("x", True)]),
    ("SELECT c.usage, m.free FROM cpu c JOIN mem m ON c.host = m.host ORDER BY c.time",
     [(1.5, 10), (3.5, 10)]),
    ("SELECT date_trunc('second', time) AS t, usage FROM cpu WHERE usage > 3",
     [(pl.datetime(1970, 1, 1, 0, 0, 3), 3.5)]),
    ("SELECT 'iox.cpu' AS s FROM cpu LIMIT 1", [("iox.cpu",)]),
]


@pytest.mark.parametrize("q,expected", CASES, ids=[c[0] for c in CASES])
def test_select(store, q, expected):
    df = S.execute(store, "db", q)
    got = rows(df)
    if expected and isinstance(expected[0][0], pl.Expr):
        expected = [tuple(pl.select(v).item() if isinstance(v, pl.Expr) else v for v in r) for r in expected]
    assert got == expected


def test_table_types_sorted_columns(store):
    df = S.execute(store, "db", "SELECT * FROM cpu ORDER BY time")
    assert df.columns == ["host", "msg", "n", "ok", "region", "time", "usage"]
    t = S.to_arrow(df)
    assert t.schema.field("time").type == pa.timestamp("ns")
    assert t.schema.field("host").type == pa.dictionary(pa.int32(), pa.string())
    assert t.schema.field("msg").type == pa.string()
    assert t.schema.field("n").type == pa.int64()
    assert t.schema.field("ok").type == pa.bool_()
    assert t.column("time").cast(pa.int64()).to_pylist() == [S1, 2 * S1, 3 * S1]
    assert S.to_arrow(S.execute(store, "db", "SELECT free FROM mem")).schema.field("free").type == pa.uint64()


def test_db_slash_rp_names_the_policy(store):
    assert rows(S.execute(store, "db/short", "SELECT used FROM disk")) == [(7,)]
    with pytest.raises(QueryError, match="table 'public.iox.disk' not found"):
        S.execute(store, "db", "SELECT used FROM disk")


def test_show_tables(store):
    df = S.execute(store, "db", "SHOW TABLES")
    assert df.columns == ["table_catalog", "table_schema", "table_name", "table_type"]
    assert df.rows()[:3] == [("public", "iox", "cpu", "BASE TABLE"), ("public", "iox", "mem", "BASE TABLE"),
                             ("public", "system", "queries", "BASE TABLE")]
    assert ("public", "information_schema", "columns", "VIEW") in df.rows()
    assert S.execute(store, "db", "SELECT * FROM information_schema.tables").equals(df)


@pytest.mark.parametrize("q", ["SHOW COLUMNS FROM cpu", "show columns in cpu;", 'SHOW COLUMNS FROM "cpu"'])
def test_show_columns(store, q):
    df = S.execute(store, "db", q)
    assert df.columns == ["table_catalog", "table_schema", "table_name", "column_name", "data_type", "is_nullable"]
    assert [r[3:] for r in df.rows()] == [
        ("host", "Dictionary(Int32, Utf8)", "YES"), ("msg", "Utf8", "YES"), ("n", "Int64", "YES"),
        ("ok", "Boolean", "YES"), ("region", "Dictionary(Int32, Utf8)", "YES"),
        ("time", "Timestamp(Nanosecond, None)", "NO"), ("usage", "Float64", "YES")]


def test_information_schema_columns(store):
    df = S.execute(store, "db", "SELECT column_name, ordinal_position, data_type FROM information_schema.columns "
                                "WHERE table_name = 'mem' ORDER BY ordinal_position")
    assert df.rows() == [("free", 0, "UInt64"), ("host", 1, "Dictionary(Int32, Utf8)"),
                         ("time", 2, "Timestamp(Nanosecond, None)")]


def test_params(store):
    df = S.execute(store, "db", "SELECT usage FROM cpu WHERE host = $h AND n > $n ORDER BY time",
                   {"h": "a", "n": 3})
    assert rows(df) == [(3.5,)]
    # $-text inside a string literal is not a placeholder
    assert rows(S.execute(store, "db", "SELECT '$h' AS s FROM mem", {"h": "a"})) == [("$h",)]
    assert rows(S.execute(store, "db", "SELECT count(*) AS c FROM cpu WHERE host = $h", {"h": "it's"})) == [(0,)]


ERRORS = [
    ("SELECT * FROM nope", "SQL error: Error during planning: table 'public.iox.nope' not found"),
    ("SELEC 1", "SQL error: sql parser error:"),
    ("SELECT time_bucket(interval '1 minute', time) FROM cpu",
     "SQL error: Error during planning: Invalid function 'time_bucket'."),
    ("SELECT * FROM cpu WHERE host = $h", "SQL error: no value given for the parameter $h"),
    ("   ", "SQL error: empty query"),
]


@pytest.mark.parametrize("q,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(store, q, message):
    with pytest.raises(QueryError) as e:
        S.execute(store, "db", q)
    assert str(e.value).startswith(message)


def test_unknown_database(store):
    with pytest.raises(DatabaseNotFound, match="database not found: nodb"):
        S.execute(store, "nodb", "SELECT 1")


class Recorder:
    """A provider wrapper that records the time range of every scan."""

    def __init__(self, inner):
        self.inner, self.scans = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def scan(self, db, rp, measurement, start, end, columns=None, tags=None):
        self.scans.append((measurement, start, end, tuple(columns or ())))
        return self.inner.scan(db, rp, measurement, start, end, columns)


PUSHDOWN = [
    ("SELECT usage FROM cpu WHERE time >= '1970-01-01T00:00:02Z'", 2 * S1, MAX_TIME),
    ("SELECT usage FROM cpu WHERE time > '1970-01-01T00:00:02Z' AND time < '1970-01-01T00:00:03Z'",
     2 * S1 + 1, 3 * S1 - 1),
    ("SELECT usage FROM cpu WHERE time BETWEEN '1970-01-01T00:00:01Z' AND '1970-01-01T00:00:02Z' AND host = 'a'",
     S1, 2 * S1),
    ("SELECT usage FROM cpu WHERE time = '1970-01-01T00:00:01Z'", S1, S1),
    ("SELECT usage FROM cpu WHERE time >= '1970-01-01T00:00:02Z' OR host = 'a'", MIN_TIME, MAX_TIME),
    ("SELECT usage FROM cpu", MIN_TIME, MAX_TIME),
]


@pytest.mark.parametrize("q,start,end", PUSHDOWN, ids=[p[0] for p in PUSHDOWN])
def test_time_range_pushed_to_scan(store, q, start, end):
    rec = Recorder(store)
    S.execute(rec, "db", q)
    assert [(m, s, e) for m, s, e, _ in rec.scans] == [("cpu", start, end)]


def test_only_named_tables_are_scanned_and_projection_pushed(store):
    rec = Recorder(store)
    S.execute(rec, "db", "SELECT max(usage) FROM cpu WHERE host = 'a'")
    assert len(rec.scans) == 1 and rec.scans[0][0] == "cpu"
    assert set(rec.scans[0][3]) <= {"usage", "host"}
