"""Store.sql_stream: the schema before any row, the same rows as Store.sql in batches, the store's
limits, and close() stopping the query."""
from __future__ import annotations

import time

import pyarrow as pa
import pytest

import tsdb_core
from tsdb_core import LimitExceeded, QueryError
from tsdb_core.base.config import StoreConfig
from tests.waiting import wait_until

S = 1_000_000_000
ROWS = 2_000


@pytest.fixture
def store(tmp_path):
    s = tsdb_core.open(tmp_path / "s")
    s.write("db", "".join(f"cpu,host=h{i % 4} usage={i}.5,n={i}i {i * S}\n" for i in range(ROWS)))
    yield s
    s.close()


def test_schema_first_then_the_rows_of_store_sql(store):
    q = "SELECT host, n, usage, time FROM cpu ORDER BY time"
    stream = store.sql_stream("db", q, batch_rows=300)
    assert stream.batches_sent == 0
    want = store.sql("db", q)
    assert stream.schema == want.schema
    assert stream.schema.field("host").type == pa.dictionary(pa.int32(), pa.string())
    batches = list(stream)
    assert len(batches) >= ROWS // 300 and all(b.num_rows <= 300 for b in batches)
    assert pa.Table.from_batches(batches, stream.schema).to_pylist() == want.to_pylist()
    assert stream.closed and not stream.stopped and stream.batches_sent == len(batches)


def test_reader_and_parameters(store):
    reader = store.sql_stream("db", "SELECT n FROM cpu WHERE host = $h AND n < $n ORDER BY n", {"h": "h1", "n": 10}).reader()
    assert isinstance(reader, pa.RecordBatchReader)
    assert reader.read_all().column("n").to_pylist() == [1, 5, 9]


def test_errors_are_raised_before_any_row(store):
    with pytest.raises(tsdb_core.PermissionDenied, match="function not allowed: read_csv"):
        store.sql_stream("db", "SELECT read_csv('x') FROM cpu")  # the allow-list, when planning
    with pytest.raises(tsdb_core.DatabaseNotFound):
        store.sql_stream("nodb", "SELECT 1")
    with pytest.raises(QueryError, match="Schema error: No field named nope"):
        store.sql_stream("db", "SELECT nope FROM cpu").schema  # Polars resolves the plan's columns
    with pytest.raises(QueryError, match="Schema error: No field named nope"):
        next(iter(store.sql_stream("db", "SELECT nope FROM cpu")))


def test_close_stops_between_batches(store):
    stream = store.sql_stream("db", "SELECT * FROM cpu", batch_rows=100)
    it = iter(stream)
    assert next(it).num_rows == 100
    stream.close()
    assert list(it) == []
    assert stream.stopped and stream.batches_sent == 1


def test_cancelled_callback_stops(store):
    asked = []
    stream = store.sql_stream("db", "SELECT * FROM cpu", batch_rows=100, cancelled=lambda: len(asked) >= 3)
    for _ in stream:
        asked.append(1)
    assert stream.stopped and stream.batches_sent == 3


def test_max_select_point_and_timeout(tmp_path):
    s = tsdb_core.open(tmp_path / "limits", config=StoreConfig.for_tests(max_select_point=100))
    try:
        s.write("db", "".join(f"m x={i}i {i * S}\n" for i in range(200)))
        assert [b.num_rows for b in s.sql_stream("db", "SELECT x FROM m LIMIT 100")] == [100]
        with pytest.raises(LimitExceeded, match="max-select-point"):
            list(s.sql_stream("db", "SELECT x FROM m", batch_rows=50))
    finally:
        s.close()
    s = tsdb_core.open(tmp_path / "timeout", config=StoreConfig.for_tests(query_timeout_s=1.0))
    try:
        s.write("db", "".join(f"m x={i}i {i * S}\n" for i in range(200)))
        stream = s.sql_stream("db", "SELECT x FROM m", batch_rows=10)
        it = iter(stream)
        next(it)
        start = time.perf_counter()
        wait_until(lambda: time.perf_counter() - start > 1.05, "the query timeout to pass")
        with pytest.raises(QueryError, match="query-timeout limit exceeded"):
            list(it)
    finally:
        s.close()


MORE = ["SHOW TABLES", "SHOW COLUMNS FROM cpu", "SELECT * FROM information_schema.columns",
        "SELECT host, count(*) AS c FROM cpu GROUP BY host HAVING count(*) > 1 ORDER BY host",
        "SELECT DISTINCT host FROM cpu ORDER BY host",
        "SELECT host, n, sum(n) OVER (PARTITION BY host ORDER BY time) AS s FROM cpu ORDER BY time",
        "SELECT n FROM cpu WHERE n > (SELECT avg(n) FROM cpu) ORDER BY n",
        "SELECT n FROM cpu WHERE host = 'h1' UNION ALL SELECT n FROM cpu WHERE host = 'h2' ORDER BY n LIMIT 7",
        "SELECT a.n, b.n AS m FROM cpu a JOIN cpu b ON a.time = b.time WHERE a.n < 5 ORDER BY a.n",
        "SELECT * FROM cpu WHERE n < 0"]


@pytest.mark.parametrize("q", [c[0] for c in __import__("tests.flight.test_sql", fromlist=["CASES"]).CASES] + MORE)
def test_streamed_answers_equal_store_sql(tmp_path, q):
    """Every SQL case of the engine's tests: the streamed answer (schema and rows) is Store.sql's."""
    from tests.flight.test_sql import LP

    with tsdb_core.open(tmp_path / "cases") as s:
        s.write("db", LP)
        s.write("db", "".join(f"cpu,host=h{i % 4} usage={i}.5,n={i}i {(i + 10) * S}\n" for i in range(50)))
        want = s.sql("db", q)
        stream = s.sql_stream("db", q, batch_rows=8)
        got = pa.Table.from_batches(list(stream), stream.schema)
    assert stream.schema == want.schema
    assert got.to_pylist() == want.to_pylist()
