"""Flight SQL sees only the tables of the ticket's database (issue 16, items 1, 7, 10, 17).

A real Flight server on 127.0.0.1 over an on-disk store (tokens.json and Parquet files in
its directory) and a real ``pyarrow.flight`` client with a token that may read database
``a`` only. Every Polars I/O table function, in every place a table can go, with paths
(a secret file outside the store, ``/etc/passwd``, the store's tokens.json and Parquet
files, ``../``) and URLs of a local HTTP server, must be refused: no file content in any
answer, no request to the HTTP server, no traceback or source path in any error.
"""
from __future__ import annotations

import json
import resource
import time
from contextlib import contextmanager

import pyarrow as pa
import pytest

flight = pytest.importorskip("pyarrow.flight")

import tsdb_core  # noqa: E402
from tsdb_core.base.config import StoreConfig  # noqa: E402
from tsdb_http.tokens import TokenStore  # noqa: E402
from reliability.fuzz_flight import Recorder, serve_recorder, write_secrets  # noqa: E402
from tsdb_http.flight import start_flight  # noqa: E402

MARKER = "SECRET_MARKER_7f3a"
B_MARKER = "OTHER_DB_MARKER_91c2"
IO_FUNCTIONS = ["read_csv", "read_parquet", "read_ipc", "read_json", "read_ndjson", "read_avro", "read_delta",
                "read_excel", "read_database", "scan_csv", "scan_parquet", "scan_ipc", "scan_ndjson",
                "scan_delta", "scan_iceberg", "read_csv_auto"]
PURE_TABLE_FUNCTIONS = ["generate_series", "unnest"]  # pure, but no table function is allowed at all


class _Recorder(Recorder):
    hits: list[str] = []
    marker = MARKER


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("flightsec")
    root = base / "store"
    store = tsdb_core.open(root, config=StoreConfig.for_tests())
    store.create_database("a")
    store.create_database("b")
    store.write("a", "cpu,host=h1 usage=1.5 1000000000\ncpu,host=h2 usage=2.5 2000000000\n")
    store.write("b", f'secret,host=h1 v="{B_MARKER}" 1000000000\n')
    store.write("b", f'cpu,host=h9 usage=99.5,note="{B_MARKER}" 1000000000\n')
    rows = 20_000
    store.write("a", "".join(f"big,k=k{i % 7} x={i}i {i * 1_000_000_000}\n" for i in range(rows)))
    store.flush()
    tokens = TokenStore(root)
    reader_a = tokens.create("a", read=True, write=False)[0]
    admin = tokens.create("*")[0]
    secret = base / "secret"
    write_secrets(secret, MARKER)
    parquet = sorted(p for p in root.rglob("*.parquet"))
    assert parquet and (root / "tokens.json").exists()
    http, url = serve_recorder(_Recorder)
    service = start_flight(store, tokens, quiet=True)
    paths = [str(secret / "s.csv"), str(secret / "s.parquet"), str(secret / "s.ipc"), str(secret / "s.ndjson"),
             str(secret / "s.json"), str(secret / "*.csv"), "/etc/passwd", str(root / "tokens.json"),
             str(parquet[0]), str(root / ".." / "secret" / "s.csv"), "../secret/s.csv",
             f"{url}/s.csv", f"{url}/s.parquet", f"file://{secret / 's.csv'}"]
    yield {"store": store, "flight": service.location, "reader_a": reader_a, "admin": admin, "paths": paths,
           "url": url, "http": http, "rows": rows}
    service.stop()
    http.shutdown()
    store.close()


def call(env, q, qt="sql", db="a", token=None):
    c = flight.FlightClient(env["flight"])
    try:
        ticket = flight.Ticket(json.dumps({"database": db, "sql_query": q, "query_type": qt}).encode())
        opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {token or env['reader_a']}".encode())])
        return c.do_get(ticket, opts).read_all()
    finally:
        c.close()


def refused(env, q, **kw) -> Exception:
    """The query fails with a clean gRPC status (no answer, no traceback, no source path)."""
    try:
        table = call(env, q, **kw)
    except flight.FlightError as e:
        text = str(e)
        assert "Traceback" not in text and ".py" not in text and "_flight.pyx" not in text, text
        return e
    raise AssertionError(f"answered (not refused): {q}\n{table.to_pylist()[:3]}")


def leaked(table: pa.Table | None) -> bool:
    return table is not None and MARKER in json.dumps(table.to_pylist(), default=str)


def places(fn: str, arg: str, scalar: bool = True) -> list[str]:
    """Every place a table function can go: FROM, JOIN, comma join, subquery, CTE, UNION, scalar."""
    call_ = f"{fn}({arg})"
    return [f"SELECT {call_} AS x FROM cpu"] * scalar + [
        f"SELECT * FROM {call_}",
        f"SELECT * FROM {call_} AS t",
        f"SELECT * FROM cpu JOIN {call_} AS t ON true",
        f"SELECT * FROM cpu CROSS JOIN {call_}",
        f"SELECT * FROM cpu, {call_}",
        f"SELECT * FROM cpu WHERE host IN (SELECT * FROM {call_})",
        f"SELECT * FROM (SELECT * FROM {call_}) s",
        f"WITH c AS (SELECT * FROM {call_}) SELECT * FROM c",
        f"SELECT host FROM cpu UNION ALL SELECT * FROM {call_}",
        f"SELECT * FROM cpu WHERE EXISTS (SELECT 1 FROM {call_})",
        f"select * from {call_.upper()}",
        f'SELECT * FROM "{fn}"({arg})',
        f"SELECT * FROM /* c */ {call_} -- x",
    ]


@pytest.mark.parametrize("fn", IO_FUNCTIONS + PURE_TABLE_FUNCTIONS)
def test_io_table_functions_refused_everywhere(env, fn):
    before = len(_Recorder.hits)
    codes = set()
    for i, path in enumerate(env["paths"]):
        lit = "'" + path.replace("'", "''") + "'"
        for arg in (lit, f"{lit}, has_header => false", f"[{lit}]")[:3 if i < 3 else 1]:
            for q in places(fn, arg, scalar=fn not in PURE_TABLE_FUNCTIONS):
                e = refused(env, q)
                codes.add(type(e).__name__)
    assert _Recorder.hits[before:] == []
    # table functions are a permission matter; a malformed call may fail to parse first
    assert "FlightUnauthorizedError" in codes, codes


@pytest.mark.parametrize("q,words", [
    ("COPY cpu TO '{secret}/out.csv'", "statement not allowed: COPY"),
    ("COPY (SELECT * FROM cpu) TO '{secret}/out.csv'", "statement not allowed: COPY"),
    ("CREATE TABLE t AS SELECT * FROM read_csv('{secret}/s.csv')", "statement not allowed: CREATE"),
    ("CREATE TABLE t AS SELECT * FROM cpu", "statement not allowed: CREATE"),
    ("INSERT INTO cpu VALUES (1)", "statement not allowed: INSERT"),
    ("DROP TABLE cpu", "statement not allowed: DROP"),
    ("TRUNCATE cpu", "statement not allowed: TRUNCATE"),
    ("SET x = 1", "statement not allowed: SET"),
    ("EXPLAIN SELECT * FROM read_csv('{secret}/s.csv')", "statement not allowed: EXPLAIN"),
    ("DESCRIBE cpu", "statement not allowed: DESCRIBE"),
    ("SELECT 1; SELECT * FROM read_csv('{secret}/s.csv')", "more than one statement"),
    ("SELECT * FROM cpu; DROP TABLE cpu", "more than one statement"),
])
def test_statements_other_than_select_refused(env, q, words):
    secret = env["paths"][0].rsplit("/", 1)[0]
    e = refused(env, q.format(secret=secret))
    assert isinstance(e, flight.FlightUnauthorizedError), e
    assert words in str(e)
    assert not (pl_path := __import__("pathlib").Path(secret) / "out.csv").exists(), pl_path
    assert call(env, "SELECT count(*) AS n FROM cpu").column("n").to_pylist() == [2]


@pytest.mark.parametrize("q", [
    "SELECT * FROM b.iox.cpu", "SELECT * FROM b.cpu", 'SELECT * FROM "b"."iox"."cpu"', "SELECT * FROM b.iox.secret",
    "SELECT * FROM public.b.cpu", "SELECT * FROM a.iox.cpu JOIN b.iox.secret ON true",
    "SELECT * FROM cpu WHERE host IN (SELECT host FROM b.iox.cpu)",
])
def test_tables_of_another_database_refused(env, q):
    e = refused(env, q)
    assert isinstance(e, flight.FlightUnauthorizedError), e
    assert "table not allowed" in str(e) and "database a" in str(e)


def test_table_of_another_database_not_found_by_plain_name(env):
    e = refused(env, "SELECT * FROM secret")
    assert "table 'public.iox.secret' not found" in str(e)
    assert B_MARKER not in str(e)


@pytest.mark.parametrize("where", [
    "SELECT '{p}' AS s FROM cpu LIMIT 1", "SELECT * FROM cpu WHERE host = '{p}'",
    "SELECT CAST('{p}' AS TEXT) AS s FROM cpu LIMIT 1", "SELECT coalesce(NULL, '{p}') AS s FROM cpu LIMIT 1",
    "SELECT * FROM cpu WHERE host LIKE '{p}'", "SELECT host FROM cpu WHERE '{p}' <> host",
])
def test_paths_and_urls_as_plain_strings_are_only_strings(env, where):
    before = len(_Recorder.hits)
    for p in env["paths"]:
        t = call(env, where.format(p=p.replace("'", "''")))
        assert not leaked(t)
        if "AS s" in where:
            assert t.column("s").to_pylist() == [p]
    assert _Recorder.hits[before:] == []


@pytest.mark.parametrize("q", ["SELECT * FROM '{p}'", 'SELECT * FROM "{p}"', "SELECT * FROM cpu JOIN '{p}' ON true"])
def test_paths_in_table_position_are_not_files(env, q):
    before = len(_Recorder.hits)
    for p in env["paths"]:
        e = refused(env, q.format(p=p))
        assert MARKER not in str(e)
    assert _Recorder.hits[before:] == []


def test_valid_sql_still_answers(env):
    t = call(env, "WITH c AS (SELECT host, usage FROM iox.cpu) "
                  "SELECT c.host, max(c.usage) AS m FROM c JOIN cpu ON c.host = cpu.host GROUP BY c.host ORDER BY c.host")
    assert t.column("m").to_pylist() == [1.5, 2.5]
    assert call(env, "SELECT count(*) AS n FROM big WHERE k = 'k1'").column("n").to_pylist() == [2857]
    assert call(env, "SHOW TABLES").num_rows >= 2


def test_cross_join_blow_up_refused_quickly(env):
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    for q in ["SELECT * FROM big a CROSS JOIN big b LIMIT 10",
              "SELECT * FROM big a CROSS JOIN big b ORDER BY a.x LIMIT 10",
              "SELECT a.k, count(*) AS n FROM big a, big b GROUP BY a.k",
              "SELECT * FROM big a JOIN big b ON a.k = b.k ORDER BY a.x LIMIT 10",
              "WITH c AS (SELECT * FROM big) SELECT count(*) FROM c a, c b"]:
        e = refused(env, q)
        assert "join too large" in str(e), e
    assert time.perf_counter() - t0 < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0 < 512 * 1024  # KiB: no explosion


def test_small_join_still_answers(env):
    t = call(env, "SELECT count(*) AS n FROM cpu a CROSS JOIN cpu b")
    assert t.column("n").to_pylist() == [4]


@contextmanager
def own_flight(tmp_path, lines: str, *, flight_kw=None, **config):
    """A Flight server of its own over a store holding ``lines`` in database ``a``, and a read token on it."""
    store = tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests(**config))
    store.write("a", lines)
    tokens = TokenStore(None)
    tok = tokens.create("a", read=True, write=False)[0]
    service = start_flight(store, tokens, quiet=True, **(flight_kw or {}))
    try:
        yield {"flight": service.location, "reader_a": tok}
    finally:
        service.stop()
        store.close()


M_ROWS = "".join(f"m,k=k{i % 3} x={i}i {i * 1_000_000_000}\n" for i in range(3000))


def test_query_timeout_stops_flight_sql(tmp_path):
    with own_flight(tmp_path, M_ROWS, flight_kw={"max_join_rows": 10 ** 15}, query_timeout_s=0.2) as env:
        t0 = time.perf_counter()
        # many joins of 3,000 x 1,000 rows: seconds of work, little memory at a time
        e = refused(env, " UNION ALL ".join(["SELECT sum(a.x * b.x) AS s FROM m a JOIN m b ON a.k = b.k"] * 100))
        elapsed = time.perf_counter() - t0
        assert isinstance(e, flight.FlightTimedOutError), e
        assert "query-timeout limit exceeded" in str(e)
        assert elapsed < 30


def test_show_databases_over_flight_lists_no_database(env):
    # Flight's InfluxQL is InfluxDB 3's, which has no SHOW DATABASES: nothing is listed, to any token
    for token in (None, env["admin"]):
        with pytest.raises(flight.FlightServerError,
                           match="datafusion error: This feature is not implemented: SHOW DATABASES"):
            call(env, "SHOW DATABASES", qt="influxql", **({"token": token} if token else {}))


class _Broken:
    """A store whose catalog fails: a bug inside the server, not the client's fault."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def measurements(self, *a, **kw):
        raise RuntimeError("boom in /srv/secret/module.py line 42")

    sql = sql_stream = measurements


def test_internal_error_has_request_id_not_traceback(env, caplog):
    tokens = TokenStore(None)
    tok = tokens.create("*")[0]
    service = start_flight(_Broken(env["store"]), tokens, quiet=True)
    try:
        with caplog.at_level("ERROR", logger="tsdb_http.flight"):
            e = refused({"flight": service.location, "reader_a": tok}, "SELECT * FROM cpu")
        assert isinstance(e, flight.FlightInternalError), e
        text = str(e)
        assert "internal error (request id " in text
        assert "boom" not in text and "/srv/secret" not in text
        rid = text.split("request id ", 1)[1].split(")", 1)[0]
        assert any(rid in r.getMessage() and r.exc_info for r in caplog.records)
    finally:
        service.stop()


def test_user_errors_are_clean_statuses(env):
    for q, qt, cls in [("SELEC 1", "sql", flight.FlightServerError),
                       ("SELECT nope FROM cpu", "sql", flight.FlightServerError),
                       ("SELECT * FROM read_csv('/etc/passwd')", "sql", flight.FlightUnauthorizedError),
                       ("SELEC 1", "influxql", flight.FlightServerError),
                       ("SELECT * FROM cpu", "sql", flight.FlightServerError)]:
        db = "nodb" if q == "SELECT * FROM cpu" else "a"
        e = refused(env, q, qt=qt, db=db, token=env["admin"])
        assert type(e) is cls, (q, e)


def test_max_select_point_caps_flight_sql(tmp_path):
    with own_flight(tmp_path, M_ROWS, max_select_point=1000) as env:
        e = refused(env, "SELECT * FROM m")
        assert "max-select-point limit exceeed" in str(e)
        assert call(env, "SELECT k, count(*) AS n FROM m GROUP BY k ORDER BY k").column("n").to_pylist() == [1000] * 3


def test_other_flight_methods_answer_clean_statuses(env):
    c = flight.FlightClient(env["flight"])
    opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {env['reader_a']}".encode())])
    desc = flight.FlightDescriptor.for_command(b"SELECT 1")
    try:
        assert list(c.list_flights(options=opts)) == []
        assert list(c.list_actions(options=opts)) == []
        assert c.get_schema(desc, opts).schema == pa.schema([])
        calls = [lambda: c.get_flight_info(desc, opts), lambda: list(c.do_action(flight.Action("x", b""), opts))]
        for fn in calls:
            with pytest.raises(flight.FlightServerError) as e:
                fn()
            assert "is not supported" in str(e.value) and "Traceback" not in str(e.value)
        writer, _ = c.do_put(desc, pa.schema([("a", pa.int64())]), opts)
        with pytest.raises(flight.FlightServerError) as e:
            writer.close()
        assert "DoPut is not supported" in str(e.value) and "Traceback" not in str(e.value)
    finally:
        c.close()


def test_failed_token_checks_are_limited_per_client_as_over_http(tmp_path):
    """Flight verifies through the shim's Authenticator: 10 failures from one address, then UNAVAILABLE."""
    with own_flight(tmp_path, "cpu,host=h1 usage=1.5 1000000000\n") as env:
        good = env["reader_a"]
        wrong = good[:-1] + ("A" if good[-1] != "A" else "B")  # well formed, known id, wrong secret
        assert call(env, "SELECT usage FROM cpu").column("usage").to_pylist() == [1.5]  # now cached
        failures, t0 = 0, time.monotonic()
        while True:  # 10 at once, one more back per second (a loaded machine is slow to make 10 calls)
            try:
                call(env, "SELECT usage FROM cpu", token=wrong)
            except flight.FlightUnauthenticatedError as e:
                assert "authorization failed" in str(e)
                failures += 1
                assert failures <= 11 + (time.monotonic() - t0), failures
            except flight.FlightUnavailableError as e:
                assert "too many failed authentication attempts" in str(e)
                break
        assert failures >= 10
        assert call(env, "SELECT usage FROM cpu").column("usage").to_pylist() == [1.5]  # a cached token passes
        with pytest.raises(flight.FlightUnauthenticatedError, match="missing bearer token"):
            call(env, "SELECT usage FROM cpu", token=" ")
