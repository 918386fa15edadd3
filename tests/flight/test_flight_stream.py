"""Streaming answers over Flight: many batches as they are computed (dictionaries changing between
batches), and a client that cancels or whose deadline passes stops the server's work. Real clients
(the ADBC Flight SQL driver, pyarrow.flight, influxdb3-python) against a server on 127.0.0.1."""
from __future__ import annotations

import json
import threading

import pyarrow as pa
import pytest

flight = pytest.importorskip("pyarrow.flight")
pytest.importorskip("google.protobuf")
fs = pytest.importorskip("adbc_driver_flightsql.dbapi")
adbc_flightsql = pytest.importorskip("adbc_driver_flightsql")

import polars as pl  # noqa: E402

import tsdb_core  # noqa: E402
from tsdb_core.base.config import StoreConfig  # noqa: E402
from tsdb_http.flight import start_flight  # noqa: E402
from tsdb_http.flight_sql import FlightSql_pb2 as pb  # noqa: E402
from tsdb_http.flight_sql.protocol import pack  # noqa: E402
from tests.waiting import wait_until  # noqa: E402

S = 1_000_000_000
BASE = 1_700_000_000 * S
ROWS = 5_000
CHUNK = 256
BIG = 1_000_000  # rows of the measurement the cancellation tests read (far more than gRPC buffers)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    store = tsdb_core.open(tmp_path_factory.mktemp("fstream"), config=StoreConfig(cache_bytes=0))
    store.create_database("db")
    k = pl.int_range(0, ROWS, eager=True)
    # tags that change along time: each batch of the answer sees other dictionary values
    store.write_dataframe("db", pl.DataFrame({"time": BASE + k * S, "host": (k // 700).map_elements(
        lambda i: f"h{i}", return_dtype=pl.String), "v": k}), "m", tags=["host"], fields=["v"])
    kb = pl.int_range(0, BIG, eager=True)
    store.write_dataframe("db", pl.DataFrame({"time": BASE + kb * S, "host": (kb % 7).cast(pl.String),
                                              "v": kb}), "big", tags=["host"], fields=["v"])
    store.flush()
    service = start_flight(store, None, quiet=True, no_auth=True, chunk_rows=CHUNK)
    yield {"store": store, "service": service, "uri": f"grpc://127.0.0.1:{service.port}",
           "loc": service.location}
    service.stop()
    store.close()


def connect(env):
    return fs.connect(env["uri"], db_kwargs={"adbc.flight.sql.rpc.call_header.database": "db"}, autocommit=True)


def plain(table: pa.Table) -> list[dict]:
    return table.cast(pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                                 for f in table.schema])).to_pylist()


def _running(env) -> list:
    running = env["service"].server.flight_sql.running
    with running.lock:
        return list(running.streams.values())


def test_many_batches_with_changing_dictionaries(env):
    q = "SELECT host, v, time FROM m ORDER BY time"
    want = plain(env["store"].sql("db", q))
    with connect(env) as conn, conn.cursor() as cur:
        cur.execute(q)
        reader = cur.fetch_record_batch()
        batches = list(reader)
    assert len(batches) >= ROWS // CHUNK and max(b.num_rows for b in batches) <= CHUNK
    assert plain(pa.Table.from_batches(batches)) == want
    assert len(want) == ROWS and want[-1]["host"] == f"h{(ROWS - 1) // 700}"
    client = flight.FlightClient(env["loc"])  # InfluxDB 3's own ticket streams too
    try:
        ticket = flight.Ticket(json.dumps({"database": "db", "sql_query": q, "query_type": "sql"}).encode())
        chunks = list(client.do_get(ticket))
    finally:
        client.close()
    assert len(chunks) >= ROWS // CHUNK
    assert plain(pa.Table.from_batches([c.data for c in chunks])) == want
    assert _running(env) == []


def test_influxdb3_python_reads_a_streamed_answer(env):
    client3 = pytest.importorskip("influxdb_client_3")
    port = env["service"].port
    with client3.InfluxDBClient3(host="http://127.0.0.1:1", token="unused", database="db",
                                 query_port_overwrite=port) as client:
        table = client.query("SELECT host, v FROM m WHERE v >= 4990 ORDER BY time", language="sql")
    assert table.column("v").to_pylist() == list(range(4990, ROWS))


def _one_batch_then(env, stop, options=None):
    """Start ``SELECT * FROM big`` with pyarrow, read one batch, call ``stop(reader)``; the server's stream."""
    client = flight.FlightClient(env["loc"])
    opts = options or flight.FlightCallOptions(headers=[(b"database", b"db")])
    try:
        info = client.get_flight_info(flight.FlightDescriptor.for_command(
            pack(pb.CommandStatementQuery(query="SELECT * FROM big"))), opts)
        reader = client.do_get(info.endpoints[0].ticket, opts)
        assert reader.read_chunk().data.num_rows == CHUNK
        [stream] = wait_until(lambda: _running(env), "the server's running stream")
        stop(reader)
        wait_until(lambda: stream.closed and _running(env) == [], "the server to stop the query", 10)
    finally:
        client.close()
    return stream


def test_client_cancel_stops_the_server(env):
    stream = _one_batch_then(env, lambda reader: reader.cancel())
    sent = stream.batches_sent
    assert 1 <= sent < BIG // CHUNK // 2  # gRPC's buffers hold a few batches, not the answer
    assert list(stream) == [] and stream.batches_sent == sent  # a closed stream produces nothing more


def test_client_deadline_stops_the_server(env):
    opts = flight.FlightCallOptions(timeout=2.0, headers=[(b"database", b"db")])

    def read_until_the_deadline(reader):
        pause = threading.Event()
        with pytest.raises(flight.FlightTimedOutError):
            while True:  # one batch per 50 ms: the answer would take over a minute
                pause.wait(0.05)
                reader.read_chunk()

    stream = _one_batch_then(env, read_until_the_deadline, opts)
    assert stream.batches_sent < BIG // CHUNK // 2  # stopped long before the end


def test_adbc_cancel_stops_the_server(env):
    with connect(env) as conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM big")
        reader = cur.fetch_record_batch()
        assert reader.read_next_batch().num_rows == CHUNK
        [stream] = wait_until(lambda: _running(env), "the server's running stream")
        cur.adbc_cancel()
        with pytest.raises(Exception):
            reader.read_all()
        wait_until(lambda: stream.closed and _running(env) == [], "the server to stop the query", 10)
    assert stream.batches_sent < BIG // CHUNK // 2  # stopped long before the end
