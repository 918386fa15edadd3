"""InfluxDB 3 Core's HTTP query API on a live ``tsdb serve``, through httpx: /api/v3/query_sql and
/api/v3/query_influxql, each format's body, bound parameters, auth, and errors.

Expected bodies and statuses follow InfluxDB 3's own tests and handlers (influxdb3/tests/server/query.rs,
influxdb3/tests/server/auth.rs, influxdb3_server/src/http.rs), quoted where they apply.
"""
from __future__ import annotations

import ast
import datetime
import inspect
import io
import json
import textwrap

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tsdb_http import routes_v3
from tsdb_http.serve import start_in_thread
from tsdb_http.tokens import TokenStore

# query.rs api_v3_query_sql_params's points (seconds), with a millisecond one for the fraction rule
POINTS = """cpu,host=a,region=us-east usage=0.9 2998574936
cpu,host=b,region=us-east usage=0.50 2998574936
cpu,host=a,region=us-east usage=0.80 2998574937
cpu,host=b,region=us-east usage=0.60 2998574937
cpu,host=a,region=us-east usage=0.70 2998574938
cpu,host=b,region=us-east usage=0.70 2998574938
cpu,host=a,region=us-east usage=0.50 2998574939
cpu,host=b,region=us-east usage=0.80 2998574939"""
MAX_BODY = 64_000
SQL_BY_HOST = "SELECT host, region, time, usage FROM cpu WHERE host = $host AND usage > $usage ORDER BY time"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("v3")
    ts = TokenStore(root)
    tokens = {"all": ts.create("*", manage=True, description="v3 all")[0],
              "ro": ts.create("foo", read=True, write=False, description="v3 ro")[0],
              "other": ts.create("otherdb", description="v3 other")[0]}
    handle = start_in_thread(root, max_body_bytes=MAX_BODY)
    handle.tokens = tokens
    client = httpx.Client(base_url=handle.url, headers={"Authorization": f"Token {tokens['all']}"}, timeout=30)
    for db, lines in (("foo", POINTS), ("foo", "cpu,host=c usage=1 2998574940123"), ("otherdb", "m v=1 2998574936000")):
        r = client.post("/api/v2/write", params={"bucket": db, "precision": "s" if "\n" in lines else "ms"},
                        content=lines)
        assert r.status_code == 204, r.text
    handle.client = client
    yield handle
    client.close()
    handle.stop()


def sql(live, fmt, q="SELECT host, region, time, usage FROM cpu WHERE host = 'a' ORDER BY time", **kw):
    return live.client.get("/api/v3/query_sql", params={"db": "foo", "q": q, "format": fmt, **kw})


ROWS_A = [{"host": "a", "region": "us-east", "time": "2065-01-07T17:28:56", "usage": 0.9},
          {"host": "a", "region": "us-east", "time": "2065-01-07T17:28:57", "usage": 0.8},
          {"host": "a", "region": "us-east", "time": "2065-01-07T17:28:58", "usage": 0.7},
          {"host": "a", "region": "us-east", "time": "2065-01-07T17:28:59", "usage": 0.5}]


# -- formats -----------------------------------------------------------------------------------

def test_sql_json_is_an_array_of_row_objects(live):
    r = sql(live, "json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == ROWS_A
    assert r.text.startswith('[{"host":"a","region":"us-east","time":"2065-01-07T17:28:56","usage":0.9},')


def test_sql_jsonl_is_one_object_a_line_and_nulls_are_left_out(live):
    r = sql(live, "jsonl", "SELECT host, region, time, usage FROM cpu WHERE host <> 'b' ORDER BY time DESC LIMIT 2")
    assert r.status_code == 200 and r.headers["content-type"] == "application/jsonl"
    assert r.text == ('{"host":"c","time":"2065-01-07T17:29:00.123","usage":1.0}\n'  # no region: null left out
                      '{"host":"a","region":"us-east","time":"2065-01-07T17:28:59","usage":0.5}\n')
    assert sql(live, "json_lines", "SELECT usage FROM cpu WHERE host = 'c'").text == '{"usage":1.0}\n'


def test_sql_csv_and_pretty(live):
    r = sql(live, "csv", "SELECT host, region, time, usage FROM cpu WHERE usage >= 0.9 ORDER BY time")
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv"
    assert r.text == ("host,region,time,usage\na,us-east,2065-01-07T17:28:56,0.9\n"
                      "c,,2065-01-07T17:29:00.123,1.0\n")
    # query.rs api_v3_query_sql_params, format=pretty (byte for byte)
    r = live.client.get("/api/v3/query_sql", params={
        "db": "foo", "q": SQL_BY_HOST, "format": "pretty", "params": json.dumps({"host": "b", "usage": 0.60})})
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text == ("+------+---------+---------------------+-------+\n"
                      "| host | region  | time                | usage |\n"
                      "+------+---------+---------------------+-------+\n"
                      "| b    | us-east | 2065-01-07T17:28:58 | 0.7   |\n"
                      "| b    | us-east | 2065-01-07T17:28:59 | 0.8   |\n"
                      "+------+---------+---------------------+-------+")


def test_sql_parquet_reads_back(live):
    r = sql(live, "parquet")
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(r.content))
    assert table.column_names == ["host", "region", "time", "usage"]
    assert table.column("usage").to_pylist() == [0.9, 0.8, 0.7, 0.5]
    assert table.schema.field("time").type == pa.timestamp("ns")
    assert table.column("time")[0].as_py() == datetime.datetime(2065, 1, 7, 17, 28, 56)


def test_empty_answers(live):
    q = "SELECT usage FROM cpu WHERE host = 'nobody'"
    assert sql(live, "json", q).text == "[]"
    assert [sql(live, f, q).content for f in ("jsonl", "csv", "parquet")] == [b"", b"", b""]
    assert sql(live, "pretty", q).text == "++\n++"


def test_the_accept_header_picks_the_format_when_format_is_absent(live):
    q = {"db": "foo", "q": "SELECT usage FROM cpu WHERE host = 'c'"}
    r = live.client.get("/api/v3/query_sql", params=q, headers={"Accept": "text/csv"})
    assert (r.headers["content-type"], r.text) == ("text/csv", "usage\n1.0\n")
    assert live.client.get("/api/v3/query_sql", params=q, headers={"Accept": "text/plain"}).text.startswith("+-")
    r = live.client.get("/api/v3/query_sql", params=q, headers={"Accept": "image/png"})
    assert (r.status_code, r.json()) == (400, {"error": "invalid mime type (image/png)"})  # http.rs InvalidMimeType


# -- parameters, POST ---------------------------------------------------------------------------

def test_sql_params_in_a_post_body_and_in_the_url(live):
    body = {"db": "foo", "q": SQL_BY_HOST, "params": {"host": "b", "usage": 0.60}, "format": "json"}
    r = live.client.post("/api/v3/query_sql", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == [{"host": "b", "region": "us-east", "time": "2065-01-07T17:28:58", "usage": 0.7},
                        {"host": "b", "region": "us-east", "time": "2065-01-07T17:28:59", "usage": 0.8}]
    url = live.client.get("/api/v3/query_sql", params={"db": "foo", "q": SQL_BY_HOST, "format": "json",
                                                       "params": json.dumps({"host": "b", "usage": 0.6})})
    assert url.json() == r.json()
    missing = live.client.post("/api/v3/query_sql", json={**body, "params": {"not_host": "a"}})
    assert missing.status_code == 400  # query.rs: a client error naming the placeholder
    assert "$host" in missing.json()["error"]


def test_post_body_errors_and_the_size_limit(live):
    post = lambda content: live.client.post("/api/v3/query_sql", content=content,  # noqa: E731
                                            headers={"Content-Type": "application/json"})
    r = post(b"{not json")
    assert r.status_code == 400 and r.json()["error"].startswith("serde json error: ")
    r = post(json.dumps({"db": "foo"}).encode())
    assert (r.status_code, r.json()) == (400, {"error": "serde json error: missing field `q`"})
    r = post(json.dumps({"db": "foo", "q": "SELECT 1 " + " " * MAX_BODY}).encode())
    assert r.status_code == 413 and r.json() == {"error": "Request Entity Too Large"}


# -- auth ----------------------------------------------------------------------------------------

def test_missing_or_wrong_token_is_401(live):
    """auth.rs: query_sql without a token is UNAUTHORIZED; http.rs words it `the request was not authenticated`."""
    params = {"db": "foo", "q": "select * from cpu"}
    for headers in ({}, {"Authorization": "Token tsdb_wrong"}, {"Authorization": "Bearer tsdb_nope"}):
        for path in ("/api/v3/query_sql", "/api/v3/query_influxql"):
            r = httpx.get(f"{live.url}{path}", params=params, headers=headers)
            assert (r.status_code, r.json()) == (401, {"error": "the request was not authenticated"}), (path, headers)


def test_a_database_the_token_cannot_read_is_403_and_an_unknown_one_404(live):
    other = {"Authorization": f"Token {live.tokens['other']}"}
    forbidden = {"error": "unauthorized to perform requested action with the token"}  # influxdb3_authz
    for path, q in (("/api/v3/query_sql", "SELECT * FROM cpu"), ("/api/v3/query_influxql", "SELECT * FROM cpu")):
        r = live.client.get(path, params={"db": "foo", "q": q}, headers=other)
        assert (r.status_code, r.json()) == (403, forbidden), path
        r = live.client.get(path, params={"db": "nodb", "q": q}, headers=other)  # hidden from this token
        assert (r.status_code, r.json()) == (403, forbidden), path
        r = live.client.get(path, params={"db": "nodb", "q": q})  # query.rs api_v3_query_sql_not_found: 404
        assert (r.status_code, r.json()) == (404, {"error": "query error: database not found: nodb"}), path
    r = live.client.get("/api/v3/query_influxql", params={"q": "SELECT * FROM foo..cpu"}, headers=other)
    assert r.status_code == 403
    ro = {"Authorization": f"Token {live.tokens['ro']}"}
    r = live.client.get("/api/v3/query_sql", params={"db": "foo", "q": "SELECT count(*) AS n FROM cpu"}, headers=ro)
    assert (r.status_code, r.json()) == (200, [{"n": 9}])


# -- errors ----------------------------------------------------------------------------------------

def test_sql_errors(live):
    r = sql(live, "json", "SELEC * FROM cpu")  # query.rs: invalid SQL is a client error
    assert (r.status_code, r.json()) == (400, {"error": "SQL error: sql parser error: expected SELECT, found SELEC"})
    r = live.client.get("/api/v3/query_sql", params={"q": "SELECT 1"})
    assert (r.status_code, r.json()) == (400, {"error": "serde error: missing field `db`"})
    r = live.client.get("/api/v3/query_sql")
    assert (r.status_code, r.json()) == (400, {"error": "missing query parameters 'db' and 'q'"})  # http.rs
    r = sql(live, "xml")
    assert r.status_code == 400 and r.json()["error"].startswith("serde error: unknown variant `xml`")
    assert r.headers["content-type"] == "application/json"


def test_influxql_answers_one_table_with_the_measurement_column(live):
    r = live.client.get("/api/v3/query_influxql", params={
        "db": "foo", "q": "SELECT usage FROM cpu WHERE time < '2065-01-07T17:28:58Z' GROUP BY host", "format": "jsonl"})
    assert r.status_code == 200, r.text
    assert r.text == ('{"iox::measurement":"cpu","time":"2065-01-07T17:28:56","host":"a","usage":0.9}\n'
                      '{"iox::measurement":"cpu","time":"2065-01-07T17:28:57","host":"a","usage":0.8}\n'
                      '{"iox::measurement":"cpu","time":"2065-01-07T17:28:56","host":"b","usage":0.5}\n'
                      '{"iox::measurement":"cpu","time":"2065-01-07T17:28:57","host":"b","usage":0.6}\n')
    # query.rs api_v3_query_jsonl_format: SHOW MEASUREMENTS
    r = live.client.get("/api/v3/query_influxql", params={"db": "foo", "q": "SHOW MEASUREMENTS", "format": "jsonl"})
    assert r.text == '{"iox::measurement":"measurements","name":"cpu"}\n'
    r = live.client.post("/api/v3/query_influxql", json={"q": "SELECT count(usage) FROM foo..cpu WHERE host = $h",
                                                         "params": {"h": "b"}, "format": "csv"})
    assert r.text == "iox::measurement,time,count\ncpu,1970-01-01T00:00:00,4\n"


def test_influxql_errors(live):
    get = lambda **p: live.client.get("/api/v3/query_influxql", params=p)  # noqa: E731
    r = get(db="foo", q="SELECT FROM cpu")
    assert r.status_code == 400
    # worded as influxdb3_server/src/http/tests.rs words them ("error in InfluxQL statement: parsing error: ...");
    # influxdb_influxql_parser/src/select.rs test_field_list: "invalid SELECT statement, expected field"
    assert r.json() == {"error": "error in InfluxQL statement: parsing error: invalid SELECT statement, "
                                 "expected field at pos 7"}
    r = get(db="foo", q="SELECT usage FROM cpu; SELECT usage FROM cpu")
    assert (r.status_code, r.json()) == (400, {"error": "must provide only one InfluxQl statement per query"})
    r = get(q="SELECT usage FROM cpu")
    assert (r.status_code, r.json()) == (
        400, {"error": "must specify a 'db' parameter, or provide the database in the InfluxQL query"})
    r = get(db="foo", q="SELECT usage FROM otherdb..m")
    assert r.status_code == 400 and r.json()["error"].startswith(
        "provided a database in both the parameters (foo) and query string (otherdb) that do not match")
    r = get(db="foo", q="DROP MEASUREMENT cpu")
    assert r.status_code == 400 and r.json()["error"].endswith("not DROP MEASUREMENT")
    assert live.client.get("/api/v3/query_sql", params={"db": "foo", "q": "SELECT count(*) AS n FROM cpu"}).json() \
        == [{"n": 9}]  # (nothing was dropped)


def test_show_databases_is_filtered_to_the_token(live):
    ro = {"Authorization": f"Token {live.tokens['ro']}"}
    r = live.client.get("/api/v3/query_influxql", params={"q": "SHOW DATABASES"}, headers=ro)
    assert r.json() == [{"iox::measurement": "databases", "name": "foo"}]
    names = [row["name"] for row in live.client.get("/api/v3/query_influxql", params={"q": "SHOW DATABASES"}).json()]
    assert sorted(names) == ["foo", "otherdb"]


# -- the document ---------------------------------------------------------------------------------

def test_the_values_the_handlers_read_are_in_the_openapi_document(live):
    tree = ast.parse(textwrap.dedent(inspect.getsource(routes_v3._query_request)))
    read = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == "get" and n.args and isinstance(n.args[0], ast.Constant)}
    assert read == {"q", "db", "params", "format"}
    doc = live.client.get("/openapi.json").json()
    for path in ("/api/v3/query_sql", "/api/v3/query_influxql"):
        assert {p["name"] for p in doc["paths"][path]["get"]["parameters"]} == read
        body = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["properties"]) == read
        statuses = set(doc["paths"][path]["get"]["responses"])
        assert {"200", "400", "401", "403", "404", "413", "429"} <= statuses


@pytest.mark.parametrize("holes", [False, True])
def test_json_objects_equal_the_per_row_objects(holes):
    """Row objects are built whole when the table has no null or NaN, one by one (leaving
    them out) when it has some: the same bytes either way."""
    import math

    import orjson

    from tsdb_http import encode_arrow

    f = [0.5, math.nan if holes else 1.5, 2.0]
    table = pa.table({"time": pa.array([0, 10**9, 2 * 10**9], pa.timestamp("ns")), "f": f,
                      "s": ["a", None if holes else "b", "c"], "i": [1, 2, 3]})
    columns, rows = encode_arrow._text_rows(table)
    objects = [encode_arrow._object(columns, r) for r in rows]
    assert encode_arrow.encode(table, "json") == b"[" + b",".join(map(orjson.dumps, objects)) + b"]"
    assert encode_arrow.encode(table, "jsonl") == b"".join(orjson.dumps(o) + b"\n" for o in objects)
    assert (len(objects[1]) == 2) == holes  # (time and i left when f is NaN and s null)
    assert encode_arrow.encode(table.slice(0, 0), "json") == b"[]"
    assert encode_arrow.encode(table.slice(0, 0), "jsonl") == b""
