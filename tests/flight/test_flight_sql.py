"""Arrow Flight SQL end to end: the ADBC Flight SQL driver (adbc-driver-flightsql from PyPI) and raw
pyarrow Flight SQL calls against the Flight server on 127.0.0.1, answers checked against Store.sql
and InfluxQL over the same store; InfluxDB 3's own ticket keeps working on the same port."""
from __future__ import annotations

import json
import re
import time

import pyarrow as pa
import pytest

flight = pytest.importorskip("pyarrow.flight")
pytest.importorskip("google.protobuf")
fs = pytest.importorskip("adbc_driver_flightsql.dbapi")
adbc_flightsql = pytest.importorskip("adbc_driver_flightsql")

import tsdb_core  # noqa: E402
from tsdb_http.flight import start_flight  # noqa: E402
from tsdb_http.flight_sql import FlightSql_pb2 as pb  # noqa: E402
from tsdb_http.flight_sql import metadata  # noqa: E402
from tsdb_http.flight_sql.protocol import pack  # noqa: E402
from tsdb_http.tokens import TokenStore  # noqa: E402

S = 1_000_000_000
LP = ("cpu,host=a,region=us usage=1.5,n=3i 1000000000\n"
      "cpu,host=b,region=eu usage=2.5,n=4i 2000000000\n"
      "cpu,host=a,region=us usage=3.5,n=5i 3000000000\n"
      "mem,host=a free=10i 1500000000\n")
HEADER = "adbc.flight.sql.rpc.call_header."
# gRPC status codes, as the ADBC driver names them at the end of its messages: "(NotFound; ExecuteQuery)"
INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED = "InvalidArgument", "NotFound", "PermissionDenied"
UNAUTHENTICATED = "Unauthenticated"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    store = tsdb_core.open(tmp_path_factory.mktemp("fsql"))
    store.create_database("db")
    store.create_database("secret")
    store.write("db", LP)
    store.write("secret", "pin code=1234i 1000000000\n")
    tokens = TokenStore(None)
    rw = tokens.create("*", description="flight sql")[0]
    ro_db = tokens.create("db", read=True, write=False)[0]
    service = start_flight(store, tokens, quiet=True)
    yield {"store": store, "uri": f"grpc://127.0.0.1:{service.port}", "loc": service.location,
           "rw": rw, "ro_db": ro_db}
    service.stop()
    store.close()


def connect(env, token=None, database="db", header="database"):
    kwargs = {adbc_flightsql.DatabaseOptions.AUTHORIZATION_HEADER.value: f"Bearer {token or env['rw']}"}
    if database is not None:
        kwargs[HEADER + header] = database
    return fs.connect(env["uri"], db_kwargs=kwargs, autocommit=True)


def plain(table: pa.Table) -> list[dict]:
    return table.cast(pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                                 for f in table.schema])).to_pylist()


def test_statement_query_equals_store_sql(env):
    q = "SELECT host, region, usage, n, time FROM cpu ORDER BY time"
    with connect(env) as conn, conn.cursor() as cur:
        cur.execute(q)
        got = cur.fetch_arrow_table()
    want = env["store"].sql("db", q)
    assert plain(got) == plain(want)
    assert got.column("usage").to_pylist() == [1.5, 2.5, 3.5]
    assert got.column("time").cast(pa.int64()).to_pylist() == [S, 2 * S, 3 * S]
    assert got.schema.field("time").type == pa.timestamp("ns")


def test_aggregate_agrees_with_influxql(env):
    with connect(env) as conn, conn.cursor() as cur:
        cur.execute("SELECT host, avg(usage) AS u FROM cpu GROUP BY host ORDER BY host")
        rows = cur.fetchall()
    res = env["store"].query("SELECT mean(usage) FROM cpu GROUP BY host", db="db")
    influxql = {s.tags["host"]: s.values[0][1] for s in res.statements[0].series}
    assert [(str(h), u) for h, u in rows] == [("a", 2.5), ("b", 2.5)]
    assert {str(h): u for h, u in rows} == influxql


def test_parameters_by_position_and_by_name(env):
    with connect(env) as conn, conn.cursor() as cur:
        cur.execute("SELECT usage FROM cpu WHERE host = $1 ORDER BY time", ("a",))
        positional = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT usage FROM cpu WHERE host = $host AND n > $n ORDER BY time",
                    pa.record_batch({"host": ["a"], "n": [3]}))
        named = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT count(*) AS c FROM cpu")  # the same cursor, no parameters
        assert cur.fetchall() == [(3,)]
    assert positional == [1.5, 3.5]
    assert named == [3.5]


def test_pandas_read_sql_over_adbc(env):
    pd = pytest.importorskip("pandas")
    with connect(env) as conn:
        df = pd.read_sql("SELECT host, usage FROM cpu WHERE usage > 2 ORDER BY time", conn)
    assert list(df["host"].astype(str)) == ["b", "a"]
    assert list(df["usage"]) == [2.5, 3.5]


def test_get_objects_and_table_schema(env):
    with connect(env) as conn:
        objects = conn.adbc_get_objects(depth="all").read_all().to_pylist()
        schema = conn.adbc_get_table_schema("cpu")
        types = conn.adbc_get_table_types()
        info = conn.adbc_get_info()
    [catalog] = objects
    assert catalog["catalog_name"] == "public"
    schemas = {d["db_schema_name"]: {t["table_name"]: [c["column_name"] for c in t["table_columns"]]
                                     for t in d["db_schema_tables"]} for d in catalog["catalog_db_schemas"]}
    assert schemas["iox"] == {"cpu": ["host", "n", "region", "time", "usage"], "mem": ["free", "host", "time"]}
    assert sorted(schemas["information_schema"]) == ["columns", "tables"]  # the views SQL reads here
    assert schemas["information_schema"]["tables"] == ["table_catalog", "table_schema", "table_name", "table_type"]
    assert schema == env["store"].sql("db", 'SELECT * FROM "cpu" LIMIT 0').schema
    assert types == ["BASE TABLE", "VIEW"]
    assert info["vendor_name"] == "tsdb" and info["vendor_arrow_version"] == pa.__version__


@pytest.mark.parametrize("header", ["bucket-name", "iox-namespace-name", "bucket"])
def test_database_header_aliases(env, header):
    with connect(env, header=header) as conn, conn.cursor() as cur:
        cur.execute("SELECT free FROM mem")
        assert cur.fetchall() == [(10,)]


def _refused(env, code, q="SELECT usage FROM cpu", **kw):
    with connect(env, **kw) as conn, conn.cursor() as cur:
        with pytest.raises(Exception) as err:
            cur.execute(q)
            cur.fetchall()
    assert re.search(rf"\({code}; \w+(: endpoint \d+: \[\])?\)$", str(err.value)), str(err.value)
    return str(err.value)


def test_errors_as_grpc_status_codes(env):
    bad_sql = _refused(env, INVALID_ARGUMENT, q="SELECT nope FROM cpu")
    assert "SQL error" in bad_sql
    # pyarrow appends the traceback to these codes: none of the frames below the Flight boundary
    assert "flight_sql/" not in bad_sql and "tsdb_core" not in bad_sql and "polars" not in bad_sql, bad_sql
    no_db = _refused(env, NOT_FOUND, database="nodb")
    assert "Database 'nodb' not found" in no_db and "flight_sql/" not in no_db, no_db
    assert "no 'database' header in request" in _refused(env, INVALID_ARGUMENT, database=None)
    assert "permission denied" in _refused(env, PERMISSION_DENIED, token=env["ro_db"], database="secret")
    _refused(env, UNAUTHENTICATED, token="wrong-token")


def test_read_only_token_reads_its_database(env):
    with connect(env, token=env["ro_db"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT max(n) AS m FROM cpu")
        assert cur.fetchall() == [(5,)]


# -- raw Flight SQL messages with pyarrow: exact result schemas, coexistence -------------------

def _call(env, command, database="db"):
    client = flight.FlightClient(env["loc"])
    headers = [(b"authorization", f"Bearer {env['rw']}".encode()), (b"database", database.encode())]
    opts = flight.FlightCallOptions(headers=headers)
    try:
        info = client.get_flight_info(flight.FlightDescriptor.for_command(pack(command)), opts)
        table = client.do_get(info.endpoints[0].ticket, opts).read_all()
        return info, table
    finally:
        client.close()


def test_metadata_commands_have_the_spec_schemas(env):
    cases = [
        (pb.CommandGetCatalogs(), metadata.CATALOGS_SCHEMA, [{"catalog_name": "public"}]),
        (pb.CommandGetDbSchemas(db_schema_filter_pattern="i_x"), metadata.DB_SCHEMAS_SCHEMA,
         [{"catalog_name": "public", "db_schema_name": "iox"}]),
        (pb.CommandGetTableTypes(), metadata.TABLE_TYPES_SCHEMA, [{"table_type": "BASE TABLE"}, {"table_type": "VIEW"}]),
        (pb.CommandGetTables(table_name_filter_pattern="m%"), metadata.TABLES_SCHEMA,
         [{"catalog_name": "public", "db_schema_name": "iox", "table_name": "mem", "table_type": "BASE TABLE"}]),
        (pb.CommandGetTables(catalog="other"), metadata.TABLES_SCHEMA, []),
    ]
    for command, schema, rows in cases:
        info, table = _call(env, command)
        assert info.schema == schema and table.schema == schema, type(command).__name__
        assert table.to_pylist() == rows
    assert metadata.TABLES_SCHEMA.names == ["catalog_name", "db_schema_name", "table_name", "table_type"]
    _, tables = _call(env, pb.CommandGetTables(include_schema=True, table_types=["BASE TABLE"]))
    assert tables.schema.field("table_schema").type == pa.binary()
    by_name = dict(zip(tables.column("table_name").to_pylist(), tables.column("table_schema").to_pylist()))
    assert pa.ipc.read_schema(pa.py_buffer(by_name["mem"])).names == ["free", "host", "time"]
    assert sorted(by_name) == ["cpu", "mem"]
    _, views = _call(env, pb.CommandGetTables(table_types=["VIEW"], db_schema_filter_pattern="information%"))
    assert views.column("table_name").to_pylist() == ["columns", "tables"]


def test_sql_info_dense_union(env):
    info, table = _call(env, pb.CommandGetSqlInfo(info=[pb.FLIGHT_SQL_SERVER_NAME, pb.FLIGHT_SQL_SERVER_READ_ONLY,
                                                        pb.FLIGHT_SQL_SERVER_TRANSACTION]))
    assert table.schema == metadata.SQL_INFO_SCHEMA
    assert table.schema.field("value").type.mode == "dense"
    assert table.to_pylist() == [{"info_name": 0, "value": "tsdb"}, {"info_name": 3, "value": True},
                                 {"info_name": 8, "value": 0}]


def test_influxdb3_ticket_still_served_beside_flight_sql(env):
    client = flight.FlightClient(env["loc"])
    opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {env['rw']}".encode())])
    ticket = flight.Ticket(json.dumps({"database": "db", "sql_query": "SELECT free FROM mem",
                                       "query_type": "sql"}).encode())
    try:
        assert client.do_get(ticket, opts).read_all().column("free").to_pylist() == [10]
    finally:
        client.close()
    _, table = _call(env, pb.CommandStatementQuery(query="SELECT free FROM mem"))
    assert table.column("free").to_pylist() == [10]


def test_timeout_is_deadline_exceeded_and_bug_is_internal(tmp_path, monkeypatch):
    from tsdb_core.base.config import StoreConfig

    store = tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests(query_timeout_s=0.2))
    store.write("db", "".join(f"m,k=k{i % 3} x={i}i {i * S}\n" for i in range(3000)))
    service = start_flight(store, None, quiet=True, no_auth=True, max_join_rows=10 ** 15)
    env = {"uri": f"grpc://127.0.0.1:{service.port}", "rw": "unused"}
    try:
        # many joins of 3,000 x 1,000 rows: seconds of work, stopped by the store's query timeout
        slow = " UNION ALL ".join(["SELECT sum(a.x * b.x) AS s FROM m a JOIN m b ON a.k = b.k"] * 100)
        assert "query-timeout limit exceeded" in _refused(env, "DeadlineExceeded", q=slow)
        monkeypatch.setattr(store, "sql_stream", lambda *a, **k: 1 / 0)
        message = _refused(env, "Internal", q="SELECT x FROM m")
        assert "internal error (request id" in message and "ZeroDivisionError" not in message
    finally:
        service.stop()
        store.close()


def test_unsupported_flight_sql_commands_are_unimplemented(env):
    client = flight.FlightClient(env["loc"])
    opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {env['rw']}".encode()),
                                             (b"database", b"db")])
    try:
        with pytest.raises(pa.ArrowNotImplementedError) as err:
            client.get_flight_info(flight.FlightDescriptor.for_command(
                pack(pb.CommandStatementUpdate(query="DELETE FROM cpu"))), opts)
        assert str(err.value).startswith("Flight SQL message not supported: CommandStatementUpdate")  # UNIMPLEMENTED
        with pytest.raises(pa.ArrowNotImplementedError) as err:
            list(client.do_action(flight.Action("BeginTransaction", b""), opts))
        assert str(err.value).startswith("Flight SQL action not supported: BeginTransaction")
    finally:
        client.close()


def test_adbc_against_tsdb_serve_flight_port(tmp_path):
    """The whole server (``tsdb serve --flight-port``): HTTP writes, Flight SQL reads, InfluxQL over HTTP agrees."""
    httpx = pytest.importorskip("httpx")
    from tsdb_http.serve import start_in_thread

    tokens = TokenStore(None)
    token = tokens.create("*", description="flight sql e2e")[0]
    handle = start_in_thread(tmp_path, tokens=tokens, flight_port=0)
    try:
        http, loc = handle.url, handle.flight
        auth = {"Authorization": f"Token {token}"}
        now = int(time.time()) - 600  # recent: the auto-created database keeps 3 days
        body = "\n".join(f"cpu,host=h{i % 2} usage={i}.5 {(now + i) * S}" for i in range(10))
        assert httpx.post(f"{http}/api/v2/write", params={"bucket": "mydb"}, content=body,
                          headers=auth).status_code == 204
        q = "SELECT mean(usage) FROM cpu GROUP BY host"
        res = httpx.get(f"{http}/query", params={"db": "mydb", "q": q}, headers=auth).json()
        influxql = {s["tags"]["host"]: s["values"][0][1] for s in res["results"][0]["series"]}
        env = {"uri": "grpc://" + loc.split("://", 1)[1], "rw": token}
        with connect(env, database="mydb") as conn, conn.cursor() as cur:
            cur.execute("SELECT host, avg(usage) AS u FROM cpu GROUP BY host ORDER BY host")
            rows = {str(h): u for h, u in cur.fetchall()}
        assert rows == influxql == {"h0": 4.5, "h1": 5.5}
    finally:
        handle.stop(20)


def test_get_schema_and_flight_info_plan_without_running(env, monkeypatch):
    """GetSchema and GetFlightInfo plan the statement (its schema, its errors) and run nothing: the
    rows are computed by DoGet of the ticket, which carries the statement."""
    from tsdb_core.query.sql import stream
    from tsdb_http.flight_sql import service

    ran = []
    real_iter = stream.SqlStream.__iter__
    monkeypatch.setattr(stream.SqlStream, "__iter__", lambda self: (ran.append(1), real_iter(self))[1])
    client = flight.FlightClient(env["loc"])
    opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {env['rw']}".encode()),
                                             (b"database", b"db")])
    descriptor = flight.FlightDescriptor.for_command(pack(pb.CommandStatementQuery(query="SELECT free, host FROM mem")))
    try:
        assert client.get_schema(descriptor, opts).schema.names == ["free", "host"]
        info = client.get_flight_info(descriptor, opts)
        assert info.schema.names == ["free", "host"] and info.total_records == -1
        assert ran == []
        ticket = info.endpoints[0].ticket
        handle = json.loads(pb.TicketStatementQuery.FromString(_unpacked(ticket.ticket)).statement_handle)
        assert {k: handle[k] for k in ("database", "sql", "params")} == {"database": "db", "sql": "SELECT free, host FROM mem", "params": None}
        assert client.do_get(ticket, opts).read_all().column("free").to_pylist() == [10]
        assert ran == [1]
        # a ticket whose kept plan is gone (or a second DoGet of it) is planned again from its statement
        assert client.do_get(ticket, opts).read_all().column("free").to_pylist() == [10]
        monkeypatch.setattr(service, "MAX_PLANS", 0)
        info = client.get_flight_info(descriptor, opts)
        assert client.do_get(info.endpoints[0].ticket, opts).read_all().column("host").to_pylist() == ["a"]
        assert ran == [1, 1, 1]
    finally:
        client.close()


def _unpacked(raw: bytes) -> bytes:
    from google.protobuf import any_pb2

    wrapped = any_pb2.Any()
    wrapped.ParseFromString(raw)
    return wrapped.value


def test_xdbc_type_info_and_keys(env):
    from tsdb_http.flight_sql import xdbc

    info, table = _call(env, pb.CommandGetXdbcTypeInfo())
    assert info.schema == xdbc.SCHEMA and table.schema == xdbc.SCHEMA
    assert xdbc.SCHEMA.names[:3] == ["type_name", "data_type", "column_size"] and len(xdbc.SCHEMA) == 19
    rows = table.to_pylist()
    assert [(r["data_type"], r["type_name"]) for r in rows] == sorted((r["data_type"], r["type_name"]) for r in rows)
    by_name = {r["type_name"]: r for r in rows}
    # every type an answer here holds is listed, under its SQL type code
    assert by_name["TIMESTAMP"]["data_type"] == pb.XDBC_TIMESTAMP and by_name["TIMESTAMP"]["datetime_subcode"] == 3
    assert by_name["VARCHAR"]["data_type"] == pb.XDBC_VARCHAR and by_name["VARCHAR"]["literal_prefix"] == "'"
    assert by_name["DOUBLE"]["data_type"] == pb.XDBC_DOUBLE and by_name["BOOLEAN"]["data_type"] == pb.XDBC_BIT
    assert by_name["BIGINT UNSIGNED"]["unsigned_attribute"] is True and by_name["BIGINT"]["unsigned_attribute"] is False
    _, only = _call(env, pb.CommandGetXdbcTypeInfo(data_type=pb.XDBC_VARCHAR))
    assert only.column("type_name").to_pylist() == ["VARCHAR"]
    for command, schema in [(pb.CommandGetPrimaryKeys(table="cpu"), metadata.PRIMARY_KEYS_SCHEMA),
                            (pb.CommandGetExportedKeys(table="cpu"), metadata.FOREIGN_KEYS_SCHEMA),
                            (pb.CommandGetImportedKeys(table="cpu"), metadata.FOREIGN_KEYS_SCHEMA),
                            (pb.CommandGetCrossReference(pk_table="cpu", fk_table="mem"), metadata.FOREIGN_KEYS_SCHEMA)]:
        info, table = _call(env, command)
        assert info.schema == schema and table.schema == schema and table.num_rows == 0, type(command).__name__
    assert metadata.PRIMARY_KEYS_SCHEMA.names == ["catalog_name", "db_schema_name", "table_name", "column_name",
                                                  "key_name", "key_sequence"]
    assert metadata.FOREIGN_KEYS_SCHEMA.field("update_rule").type == pa.uint8()
