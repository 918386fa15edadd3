"""The error text a Flight SQL client reads, for each gRPC status code the server sends: the code,
our message, and nothing of the server's insides (paths, file names, tracebacks) where pyarrow's
Python server lets us send a bare message. Real clients (pyarrow.flight, the ADBC driver)."""
from __future__ import annotations

import re

import pyarrow as pa
import pytest

flight = pytest.importorskip("pyarrow.flight")
pytest.importorskip("google.protobuf")
fs = pytest.importorskip("adbc_driver_flightsql.dbapi")

import polars as pl  # noqa: E402

import tsdb_core  # noqa: E402
from tsdb_core.base.config import StoreConfig  # noqa: E402
from tsdb_http.flight import start_flight  # noqa: E402
from tsdb_http.flight_sql import FlightSql_pb2 as pb  # noqa: E402
from tsdb_http.flight_sql.protocol import pack  # noqa: E402
from tsdb_http.tokens import TokenStore  # noqa: E402
from tests.waiting import wait_until  # noqa: E402

S = 1_000_000_000
_INSIDES = re.compile(r"Traceback|File \"|\.pyx?\b|/(tsdb_|work|usr|root|tmp)|line \d+, in ")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    store = tsdb_core.open(tmp_path_factory.mktemp("ferr"), config=StoreConfig.for_tests(query_timeout_s=0.3))
    store.create_database("db")
    store.create_database("secret")
    store.write("db", "".join(f"m,k=k{i % 3} x={i}i {i * S}\n" for i in range(3000)))
    k = pl.int_range(0, 300_000, eager=True)
    store.write_dataframe("db", pl.DataFrame({"time": k * S, "v": k}), "big", fields=["v"])
    tokens = TokenStore(None)
    admin = tokens.create("*", description="errors")[0]
    db_only = tokens.create("db", read=True, write=False)[0]
    service = start_flight(store, tokens, quiet=True, chunk_rows=256, max_join_rows=10 ** 15)
    yield {"store": store, "service": service, "loc": service.location, "admin": admin, "db_only": db_only,
           "uri": f"grpc://127.0.0.1:{service.port}"}
    service.stop()
    store.close()


def _opts(env, token=None, database="db"):
    return flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {token or env['admin']}".encode()),
                                             (b"database", database.encode())])


def _query(env, sql, **kw):
    """GetFlightInfo then DoGet of ``sql`` with pyarrow: the error raised, as the client reads it."""
    client = flight.FlightClient(env["loc"])
    try:
        opts = _opts(env, **kw)
        info = client.get_flight_info(flight.FlightDescriptor.for_command(pack(pb.CommandStatementQuery(query=sql))),
                                      opts)
        client.do_get(info.endpoints[0].ticket, opts).read_all()
    except Exception as e:  # noqa: BLE001 - the test looks at what came back
        return e
    finally:
        client.close()
    raise AssertionError(f"{sql!r} succeeded")


def _bare(message: str) -> str:
    """The server's part of a pyarrow client's message (pyarrow adds its own client context after it)."""
    return message.split(". gRPC client debug context:")[0].split(". Client context:")[0]


@pytest.mark.parametrize("case", ["UNAUTHENTICATED", "PERMISSION_DENIED", "DEADLINE_EXCEEDED", "INTERNAL"])
def test_codes_with_a_bare_message(env, monkeypatch, case):
    slow = " UNION ALL ".join(["SELECT sum(a.x * b.x) AS s FROM m a JOIN m b ON a.k = b.k"] * 100)
    if case == "UNAUTHENTICATED":
        err, kind, text = _query(env, "SELECT x FROM m", token="wrong"), flight.FlightUnauthenticatedError, \
            "unauthenticated: authorization failed"
    elif case == "PERMISSION_DENIED":
        err, kind, text = _query(env, "SELECT * FROM pin", token=env["db_only"], database="secret"), \
            flight.FlightUnauthorizedError, "permission denied: no read permission on database secret"
    elif case == "DEADLINE_EXCEEDED":
        err, kind, text = _query(env, slow), flight.FlightTimedOutError, "query-timeout limit exceeded"
    else:
        monkeypatch.setattr(env["store"], "sql_stream", lambda *a, **k: 1 / 0)
        err, kind, text = _query(env, "SELECT x FROM m"), flight.FlightInternalError, "internal error (request id"
    assert isinstance(err, kind), repr(err)
    message = _bare(str(err))
    assert message.startswith(text), message
    assert not _INSIDES.search(message) and "ZeroDivision" not in message, message


def test_cancelled_when_the_server_stops_a_running_answer(env):
    client = flight.FlightClient(env["loc"])
    opts = _opts(env)
    try:
        info = client.get_flight_info(flight.FlightDescriptor.for_command(
            pack(pb.CommandStatementQuery(query="SELECT * FROM big"))), opts)
        reader = client.do_get(info.endpoints[0].ticket, opts)
        reader.read_chunk()
        running = env["service"].server.flight_sql.running
        wait_until(lambda: len(running) == 1, "the running answer")
        running.close_all()  # what stopping the server does to answers being sent
        with pytest.raises(flight.FlightCancelledError) as err:
            while True:
                reader.read_chunk()
    finally:
        client.close()
    message = _bare(str(err.value))
    assert message.startswith("query cancelled: the server is stopping") and not _INSIDES.search(message), message


@pytest.mark.parametrize("case", ["INVALID_ARGUMENT", "NOT_FOUND", "UNIMPLEMENTED"])
def test_codes_pyarrow_sends_with_its_own_frames(env, case):
    """pyarrow's Python server sends these codes only from a Python exception, and then appends
    ``Detail: Python exception: Traceback ...`` to the message (arrow::py::PythonErrorDetail, which
    TransportStatus::FromStatus adds to the gRPC message). What is left of it: pyarrow's own frame
    and the one Flight entry point, none of the frames below it (no SQL engine, no Polars)."""
    if case == "INVALID_ARGUMENT":
        err, kind, text = _query(env, "SELECT nope FROM m"), pa.ArrowInvalid, "SQL error"
    elif case == "NOT_FOUND":
        err, kind, text = _query(env, "SELECT 1", database="nodb"), pa.ArrowKeyError, "Database 'nodb' not found"
    else:
        client = flight.FlightClient(env["loc"])
        try:
            err = pytest.raises(pa.ArrowNotImplementedError, client.get_flight_info, flight.FlightDescriptor.for_command(
                pack(pb.CommandStatementUpdate(query="DELETE FROM m"))), _opts(env)).value
        finally:
            client.close()
        kind, text = pa.ArrowNotImplementedError, "Flight SQL message not supported: CommandStatementUpdate"
    assert isinstance(err, kind), repr(err)
    message = str(err).strip("'\"")
    assert message.startswith(text), message
    frames = re.findall(r'File "([^"]+)", line \d+, in (\w+)', message)
    assert [f for f, _ in frames[1:]] in ([], [f for f, _ in frames[1:] if f.endswith("tsdb_http/flight.py")]), frames
    assert "tsdb_core" not in message and "flight_sql/" not in message and "polars" not in message, message


def test_adbc_reads_the_codes(env):
    """The ADBC driver (Go's gRPC) reads the same codes and bare messages."""
    def refused(sql, token=None, database="db"):
        kwargs = {"adbc.flight.sql.authorization_header": f"Bearer {token or env['admin']}",
                  "adbc.flight.sql.rpc.call_header.database": database}
        with fs.connect(env["uri"], db_kwargs=kwargs, autocommit=True) as conn, conn.cursor() as cur:
            with pytest.raises(Exception) as err:
                cur.execute(sql)
                cur.fetchall()
        return str(err.value)

    assert re.fullmatch(r"UNAUTHENTICATED: \[FlightSQL\] unauthenticated: authorization failed\. Detail: "
                        r"Unauthenticated \(Unauthenticated; \w+\)", refused("SELECT x FROM m", token="wrong"))
    denied = refused("SELECT 1", token=env["db_only"], database="secret")
    assert denied.startswith("UNAUTHORIZED: [FlightSQL] permission denied") and not _INSIDES.search(denied), denied
    invalid = refused("SELECT nope FROM m")
    assert invalid.startswith("INVALID_ARGUMENT: [FlightSQL] SQL error") and "(InvalidArgument;" in invalid
    assert "tsdb_core" not in invalid and "polars" not in invalid

