"""The Flight service end to end: ``tsdb_http.serve.serve(flight_port=0)`` runs HTTP and Flight
on free loopback ports over one store; the official ``influxdb3-python`` client writes through
``/api/v2/write`` and queries over Flight (SQL and InfluxQL); raw pyarrow clients check auth,
permissions, chunking and errors.
"""
from __future__ import annotations

import json
import time

import pyarrow as pa
import pytest

flight = pytest.importorskip("pyarrow.flight")
influxdb_client_3 = pytest.importorskip("influxdb_client_3")

from tsdb_http.tokens import TokenStore  # noqa: E402
from tsdb_http.serve import start_in_thread  # noqa: E402

NOW_S = int(time.time()) - 600  # recent: the auto-created database keeps 3 days
NS = 1_000_000_000
DICT = pa.dictionary(pa.int32(), pa.string())


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("flight")
    tokens = TokenStore(None)
    rw = tokens.create("*", description="flight e2e")[0]
    ro_other = tokens.create("other", read=True, write=False)[0]
    handle = start_in_thread(root, tokens=tokens, flight_port=0)
    http_url, flight_loc = handle.url, handle.flight
    info = {"http": http_url, "flight": flight_loc, "flight_port": int(flight_loc.rsplit(":", 1)[1]),
            "rw": rw, "ro_other": ro_other}
    yield info
    handle.stop(20)


def client(s, token=None, database="mydb"):
    from influxdb_client_3 import InfluxDBClient3

    return InfluxDBClient3(host=s["http"], token=token or s["rw"], database=database,
                           query_port_overwrite=s["flight_port"])


@pytest.fixture(scope="module")
def written(servers):
    """Points written by the official client (through /api/v2/write of the HTTP shim)."""
    from influxdb_client_3 import Point

    with client(servers) as c:
        c.write(record=f"cpu,host=a,region=us usage=1.5,n=3i {NOW_S * NS}\n"
                       f"cpu,host=b,region=eu usage=2.5,n=4i {(NOW_S + 10) * NS}")
        c.write(record=Point("cpu").tag("host", "a").tag("region", "us").field("usage", 3.5)
                .field("n", 5).time((NOW_S + 20) * NS))
    return servers


def raw(s, q, qt="sql", db="mydb", token=None, header=None):
    c = flight.FlightClient(s["flight"])
    headers = [(b"authorization", (header or f"Bearer {token or s['rw']}").encode())] if header != "" else []
    ticket = flight.Ticket(json.dumps({"database": db, "sql_query": q, "query_type": qt}).encode())
    try:
        return c.do_get(ticket, flight.FlightCallOptions(headers=headers)).read_all()
    finally:
        c.close()


# -- the official client ---------------------------------------------------------------

def test_client_sql_returns_written_values(written):
    with client(written) as c:
        t = c.query("SELECT host, usage, n, time FROM cpu ORDER BY time", language="sql")
    assert t.column("host").to_pylist() == ["a", "b", "a"]
    assert t.column("usage").to_pylist() == [1.5, 2.5, 3.5]
    assert t.column("n").to_pylist() == [3, 4, 5]
    assert t.schema.field("time").type == pa.timestamp("ns")
    assert t.schema.field("host").type == DICT
    assert t.column("time").cast(pa.int64()).to_pylist() == [NOW_S * NS, (NOW_S + 10) * NS, (NOW_S + 20) * NS]


def test_client_sql_pandas_and_polars(written):
    with client(written) as c:
        pdf = c.query("SELECT host, avg(usage) AS u FROM cpu GROUP BY host ORDER BY host",
                      language="sql", mode="pandas")
        plf = c.query("SELECT host, avg(usage) AS u FROM cpu GROUP BY host ORDER BY host",
                      language="sql", mode="polars")
    assert list(pdf["host"].astype(str)) == ["a", "b"] and list(pdf["u"]) == [2.5, 2.5]
    assert plf["host"].cast(str).to_list() == ["a", "b"] and plf["u"].to_list() == [2.5, 2.5]


def test_client_sql_query_parameters(written):
    with client(written) as c:
        t = c.query("SELECT usage FROM cpu WHERE host = $host ORDER BY time", language="sql",
                    query_parameters={"host": "a"})
    assert t.column("usage").to_pylist() == [1.5, 3.5]


def test_client_influxql_in_iox_shape(written):
    with client(written) as c:
        t = c.query("SELECT usage, n FROM cpu WHERE host = 'a'", language="influxql")
        g = c.query("SELECT mean(usage) FROM cpu GROUP BY host", language="influxql", mode="pandas")
    assert t.column_names == ["iox::measurement", "time", "usage", "n"]
    assert t.schema.field("iox::measurement").type == DICT
    assert t.column("iox::measurement").to_pylist() == ["cpu", "cpu"]
    assert t.column("usage").to_pylist() == [1.5, 3.5]
    assert t.column("time").cast(pa.int64()).to_pylist() == [NOW_S * NS, (NOW_S + 20) * NS]
    assert list(g.columns) == ["iox::measurement", "time", "host", "mean"]
    assert [(str(h), m) for h, m in zip(g["host"], g["mean"])] == [("a", 2.5), ("b", 2.5)]


def test_influxql_matches_http_query(written):
    import httpx

    q = "SELECT max(usage), count(n) FROM cpu GROUP BY region"
    r = httpx.get(f"{written['http']}/query", params={"db": "mydb", "q": q, "epoch": "ns"},
                  headers={"Authorization": f"Token {written['rw']}"}).json()
    series = r["results"][0]["series"]
    http_rows = sorted((s["tags"]["region"], *s["values"][0]) for s in series)
    t = raw(written, q, "influxql")
    flight_rows = sorted(zip(t.column("region").to_pylist(), t.column("time").cast(pa.int64()).to_pylist(),
                             t.column("max").to_pylist(), t.column("count").to_pylist()))
    assert flight_rows == http_rows == [("eu", 0, 2.5, 1), ("us", 0, 3.5, 2)]


def test_client_wrong_token_refused(written):
    with client(written, token="tsdb_0123456789abnotavalidsecret") as c:
        with pytest.raises(Exception, match="UNAUTHENTICATED") as e:
            c.query("SELECT * FROM cpu", language="sql")
    assert isinstance(e.value, (flight.FlightUnauthenticatedError, influxdb_client_3.InfluxDB3ClientQueryError))


# -- auth and permissions, with a bare pyarrow client ---------------------------------

@pytest.mark.parametrize("header", ["", "Bearer", "Basic abc", "Bearer tsdb_nope"])
def test_bad_credentials_unauthenticated(written, header):
    with pytest.raises(flight.FlightUnauthenticatedError):
        raw(written, "SELECT 1", header=header)


@pytest.mark.parametrize("qt", ["sql", "influxql"])
def test_token_without_read_on_database_denied(written, qt):
    with pytest.raises(flight.FlightUnauthorizedError, match="no read permission on database mydb"):
        raw(written, "SELECT usage FROM cpu", qt, token=written["ro_other"])


def test_unknown_database_hidden_from_tokens_that_cannot_read_it(written):
    with pytest.raises(flight.FlightServerError, match="database not found: nodb"):
        raw(written, "SELECT 1", db="nodb")
    with pytest.raises(flight.FlightUnauthorizedError):
        raw(written, "SELECT 1", db="nodb", token=written["ro_other"])


ERRORS = [
    ("sql", "SELECT * FROM nope", "Error during planning: table 'public.iox.nope' not found"),
    ("influxql", "SELEC 1", "error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos 0"),  # v3 words
    ("influxql", "DROP MEASUREMENT cpu", "statement not supported over Flight"),
    ("influxql", "SELECT * FROM cpu; SELECT * FROM cpu", "exactly one statement"),
    ("sql", "SELECT time_bucket(interval '1 minute', time) FROM cpu", "Invalid function 'time_bucket'"),
]


@pytest.mark.parametrize("qt,q,words", ERRORS, ids=[e[1] for e in ERRORS])
def test_errors_are_clear(written, qt, q, words):
    with pytest.raises(flight.FlightServerError, match=words.replace("(", r"\(").replace(")", r"\)")):
        raw(written, q, qt)


def test_bad_tickets(written):
    c = flight.FlightClient(written["flight"])
    opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {written['rw']}".encode())])
    for body, words in [(b"not json", "invalid ticket"), (b'{"database": "mydb"}', "sql_query is required"),
                        (b'{"database": "mydb", "sql_query": "SELECT 1", "query_type": "flux"}', "query_type")]:
        with pytest.raises(flight.FlightServerError, match=words):
            c.do_get(flight.Ticket(body), opts).read_all()
    c.close()


def test_show_tables_and_columns_over_flight(written):
    t = raw(written, "SHOW TABLES")
    assert ("iox", "cpu") in zip(t.column("table_schema").to_pylist(), t.column("table_name").to_pylist())
    cols = raw(written, "SHOW COLUMNS FROM cpu")
    assert cols.column("column_name").to_pylist() == ["host", "n", "region", "time", "usage"]


def test_large_answer_streams_in_chunks(servers):
    import tsdb_core
    from tsdb_http.flight import start_flight

    st = tsdb_core.open(None)
    st.create_database("big")
    st.write("big", "\n".join(f"m,k=v{i % 3} x={i}i {i}" for i in range(5000)))
    svc = start_flight(st, None, no_auth=True, chunk_rows=1000, quiet=True)
    try:
        c = flight.FlightClient(svc.location)
        reader = c.do_get(flight.Ticket(json.dumps({"database": "big", "sql_query": "SELECT x, k FROM m ORDER BY x",
                                                    "query_type": "sql"}).encode()))
        batches = [chunk.data for chunk in reader]
        assert [b.num_rows for b in batches] == [1000] * 5
        t = pa.Table.from_batches(batches)
        assert t.column("x").to_pylist() == list(range(5000))
        assert t.column("k").to_pylist()[:4] == ["v0", "v1", "v2", "v0"]
        c.close()
    finally:
        svc.stop()
        st.close()


def test_cli_serve_has_flight_port_option():
    from click.testing import CliRunner

    from tsdb_core.cli import cli

    # Through the group, as users run it: invoking the subcommand alone makes click cache a
    # help option without the group's "-h", which then breaks `tsdb serve -h` in later tests.
    out = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "--flight-port" in out


def test_influxql_empty_answer_and_show(written):
    empty = raw(written, "SELECT usage FROM cpu WHERE host = 'zzz'", "influxql")
    assert empty.num_rows == 0 and empty.column_names[0] == "iox::measurement"
    keys = raw(written, "SHOW TAG KEYS FROM cpu", "influxql")
    assert keys.column_names == ["iox::measurement", "tagKey"]
    assert keys.to_pydict() == {"iox::measurement": ["cpu", "cpu"], "tagKey": ["host", "region"]}


def test_cli_serve_passes_flight_port(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import tsdb_http.serve
    from tsdb_core.cli import cli

    calls = []
    monkeypatch.setattr(tsdb_http.serve, "serve", lambda *a, **kw: calls.append(kw))
    r = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--flight-port", "8181"])
    assert r.exit_code == 0, r.output
    assert calls[0]["flight_port"] == 8181 and calls[0]["host"] == "127.0.0.1"
