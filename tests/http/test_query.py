"""GET|POST /query: formats, chunking, epoch, errors; and the small endpoints."""
from __future__ import annotations

import json

import msgpack
import pytest

from tests.http.conftest import NOW_NS, REAL_ENGINE
from tsdb_core.query.influxdb3 import v3_time
from tsdb_http.encode import format_rfc3339

T = format_rfc3339([NOW_NS, NOW_NS + 1_500_000_000])
T3 = [v3_time(t) for t in T]  # the cloud dialect runs InfluxDB 3's InfluxQL: fractions in groups of 3


@pytest.fixture
def data(cloud):
    body = f"cpu,host=a v=1.5 {NOW_NS}\ncpu,host=b v=2 {NOW_NS + 1_500_000_000}".encode()
    assert cloud.post("/write?db=mydb", content=body).status_code == 204
    return cloud


@pytest.fixture
def v1data(v1):
    assert v1.post("/query", data={"q": "CREATE DATABASE mydb"}).status_code == 200
    body = f"cpu,host=a v=1.5 {NOW_NS}\ncpu,host=b v=2 {NOW_NS + 1_500_000_000}".encode()
    assert v1.post("/write?db=mydb", content=body).status_code == 204
    return v1


def test_get_and_post_form(data):
    expect = {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "host", "v"], "values": [[T3[0], "a", 1.5], [T3[1], "b", 2]]}]}]}
    r = data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu"})
    assert r.status_code == 200 and r.json() == expect
    assert r.headers["content-type"] == "application/json"
    assert r.content.endswith(b',2]]}]}]}')  # integral float as an integer; no line ending (serde_json)
    r = data.post("/query", data={"db": "mydb", "q": "SELECT * FROM cpu"})
    assert r.json() == expect
    r = data.post("/query?db=mydb", files={"q": (None, "SELECT * FROM cpu")})  # multipart form
    assert r.json() == expect


def test_several_statements_and_statement_errors(data):
    r = data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu; SELECT * FROM nope; SHOW MEASUREMENTS"})
    res = r.json()["results"]
    assert [x["statement_id"] for x in res] == [0, 1, 2]
    assert "series" not in res[1] and "error" not in res[1]
    assert res[2]["series"][0]["values"] == [["cpu"]]


@pytest.mark.parametrize("epoch,div", [("ns", 1), ("u", 10**3), ("µ", 10**3), ("ms", 10**6), ("s", 10**9),
                                       ("m", 60 * 10**9), ("h", 3600 * 10**9)])
def test_epoch(data, epoch, div):
    r = data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu", "epoch": epoch})
    assert [v[0] for v in r.json()["results"][0]["series"][0]["values"]] == [NOW_NS // div, (NOW_NS + 1_500_000_000) // div]


def test_csv(data, v1data):
    for accept in ("application/csv", "text/csv"):
        for c, ctype in ((data, "application/csv"), (v1data, "text/csv")):  # v3: QueryFormat::as_content_type
            r = c.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu GROUP BY *"}, headers={"Accept": accept})
            assert r.headers["content-type"] == ctype
            assert r.text == (f"name,tags,time,v\ncpu,host=a,{NOW_NS},1.5\ncpu,host=b,{NOW_NS + 1_500_000_000},2\n")


def test_msgpack(data, v1data):
    r = v1data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu"}, headers={"Accept": "application/x-msgpack"})
    assert r.headers["content-type"] == "application/x-msgpack"
    doc = msgpack.unpackb(r.content, ext_hook=lambda c, d: (c, d))
    (s,) = doc["results"][0]["series"]
    assert s["values"][0][0] == (5, (NOW_NS // 10**9).to_bytes(8, "big") + (NOW_NS % 10**9).to_bytes(4, "big"))
    assert s["values"][1][1:] == ["b", 2.0] and isinstance(s["values"][1][2], float)
    # InfluxDB 3 (rmp_serde's default config): structs as arrays of their present fields, times as text,
    # the integral float 2.0 as the integer 2 (iox_v1_query_api msgpack snapshots: [[[0,[["m1",[...],[...]]]]]])
    r = data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu"}, headers={"Accept": "application/x-msgpack"})
    assert r.headers["content-type"] == "application/x-msgpack"
    assert msgpack.unpackb(r.content) == [[[0, [["cpu", ["time", "host", "v"], [[T3[0], "a", 1.5], [T3[1], "b", 2]]]]]]]


def test_pretty(data, v1data):
    r = data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu", "pretty": "true"})
    assert r.text.startswith('{\n  "results": [\n    {\n      "statement_id": 0,')  # serde_json PrettyFormatter
    assert r.text.endswith("\n}")
    assert json.loads(r.text)["results"][0]["series"][0]["values"][1][2] == 2
    r = v1data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu", "pretty": "true"})
    assert r.text.startswith('{\n    "results": [\n        {\n            "statement_id": 0,')  # Go's MarshalIndent
    assert r.text.endswith("\n}\n")


def test_chunked(data, v1data):
    params = {"db": "mydb", "q": "SELECT * FROM cpu GROUP BY *", "chunked": "true", "chunk_size": "1"}
    docs = [json.loads(x) for x in v1data.get("/query", params=params).text.splitlines()]
    assert [(x["results"][0].get("partial", False), x["results"][0]["series"][0]["tags"]) for x in docs] == \
        [(True, {"host": "a"}), (False, {"host": "b"})]
    text = data.get("/query", params=params).text  # InfluxDB 3: documents back to back, nothing between them
    assert "\n" not in text and text.count("}{") == 1
    docs = [json.loads(x) for x in text.replace("}{", "}\n{").splitlines()]
    assert [(x["results"][0].get("partial", False), x["results"][0]["series"][0]["tags"]) for x in docs] == \
        [(True, {"host": "a"}), (False, {"host": "b"})]


@pytest.mark.parametrize("chunked", ["false", "true"])
def test_gzip_response(v1data, data, chunked):
    """1.x gzips an answer when asked (influxd's gzip middleware); InfluxDB 3 compresses nothing."""
    params = {"db": "mydb", "q": "SELECT * FROM cpu", "chunked": chunked}
    r = v1data.get("/query", params=params, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.json()["results"][0]["series"][0]["values"][0][2] == 1.5  # httpx inflates it
    r = data.get("/query", params=params, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and r.json()["results"][0]["series"][0]["values"][0][2] == 1.5


def test_no_gzip_unless_asked(v1data):
    r = v1data.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu"}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers


@pytest.mark.parametrize("params,status,error", [
    ({"db": "mydb"}, 400, "expected a query to be provided in the query string or body"),  # v3's handler.rs
    ({"db": "mydb", "q": "SELECT * FROM cpu", "params": "{bad"}, 400,
     "error decoding query body: key must be a string at line 1 column 2"),  # serde_json's words
])
def test_request_errors(data, params, status, error):
    r = data.get("/query", params=params)
    assert r.status_code == status
    assert r.json()["error"] == error
    # influxdb3_server http.rs IntoResponse for iox_v1_query_api::HttpError: no Content-Type, no X-Influxdb-Error
    assert "x-influxdb-error" not in r.headers and "content-type" not in r.headers


def test_request_error_in_csv(data, v1data):
    r = v1data.get("/query", params={"db": "mydb"}, headers={"Accept": "application/csv"})
    assert (r.status_code, r.text) == (400, 'error\n"missing required parameter ""q"""\n')
    r = data.get("/query", params={"db": "mydb"}, headers={"Accept": "application/csv"})  # v3: JSON whatever the format
    assert (r.status_code, r.text) == (400, '{"error":"expected a query to be provided in the query string or body"}')


def test_ping_health_and_unknown_paths(cloud, v1):
    for c in (cloud, v1):
        for method in ("GET", "HEAD"):
            r = c.request(method, "/ping")
            assert r.status_code == 204 and r.headers["x-influxdb-version"] and r.headers["x-influxdb-build"]
            assert r.headers["request-id"] == r.headers["x-request-id"]
        assert c.get("/ping?verbose=true").json() == {"version": r.headers["x-influxdb-version"]}
        h = c.get("/health")
        assert h.status_code == 200 and h.json()["status"] == "pass"
    r = cloud.get("/nope")
    assert (r.status_code, r.json()) == (404, {"code": "not found", "message": "path not found"})
    assert r.headers["x-influxdb-error"] == "path not found"
    r = v1.get("/nope")  # influxd 1.6.7: Go's http.NotFound (recorded: tests/http/cases, v1_404_*)
    assert (r.status_code, r.headers["content-type"], r.text) == (404, "text/plain; charset=utf-8",
                                                                  "404 page not found\n")
    assert "x-influxdb-error" not in r.headers
    assert v1.get("/query/", follow_redirects=False).status_code == 404  # no slash redirect in 1.x
    assert cloud.get("/query/", follow_redirects=False).status_code == 307  # unchanged in cloud mode
    r = cloud.get("/write")
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.json()["code"] == "method not allowed"
    r = cloud.post("/api/v2/query", json={"query": "from(bucket:\"x\")"})
    assert r.status_code == 400 and "can't query" in r.json()["message"]
    assert cloud.options("/query").status_code == 204


def test_request_id_is_echoed(cloud):
    r = cloud.get("/ping", headers={"X-Request-Id": "abc-123"})
    assert r.headers["request-id"] == "abc-123" == r.headers["x-request-id"]


def test_lowercase_method_from_seed_example(cloud):
    r = cloud.request("post", "/api/v2/write?bucket=mydb", content=f"home,room=kitchen temp=72 {NOW_NS}".encode())
    assert r.status_code == 204


def test_cors_headers_when_origin_given(cloud):
    r = cloud.get("/ping", headers={"Origin": "http://localhost:3000"})  # without auth: loopback origins (origins.py)
    assert r.headers["access-control-allow-origin"] == "http://localhost:3000"


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_bound_parameters(data):
    r = data.get("/query", params={"db": "mydb", "q": "SELECT v FROM cpu WHERE host = $h", "params": '{"h": "b"}',
                                   "epoch": "ns"})
    assert r.json()["results"][0]["series"][0]["values"] == [[NOW_NS + 1_500_000_000, 2]]


@pytest.mark.parametrize("db", ["../etc", "a/../../b", "..", "x\x00y", "名前"])
def test_hostile_database_names_never_500(cloud, db):
    r = cloud.post("/api/v2/write", params={"bucket": db}, content=f"m v=1 {NOW_NS}".encode())
    assert r.status_code in (204, 400, 404), r.text
    r = cloud.get("/query", params={"db": db, "q": "SELECT * FROM m"})
    assert r.status_code in (200, 400), r.text


def test_unexpected_exception_is_500_with_headers(cloud, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(cloud.app.state.shim.store, "query", boom)
    r = cloud.get("/query", params={"db": "mydb", "q": "SELECT * FROM cpu"})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: RuntimeError: kaboom"}
    assert "x-influxdb-error" not in r.headers  # InfluxDB 3's error answers carry no header of their own
    assert r.headers["x-influxdb-version"] and r.headers["request-id"]
