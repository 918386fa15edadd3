"""POST /api/v2/write and /write: status codes, bodies and stored values, both dialects."""
from __future__ import annotations

import gzip
import json

import pytest

from tests.http.conftest import NOW_NS
from tsdb_core.base.errors import StorageError


def rows(client, q, db="mydb", **params):
    r = client.get("/query", params={"db": db, "q": q, **params})
    assert r.status_code == 200, r.text
    res = r.json()["results"][0]
    assert "error" not in res, res
    return [v for s in res.get("series", []) for v in s["values"]]


def lp(*lines):
    return "\n".join(lines).encode()


@pytest.mark.parametrize("path", ["/api/v2/write?bucket=mydb", "/api/v2/write?db=mydb&org=x&orgID=y",
                                  "/write?db=mydb"])
def test_write_then_read(cloud, path):
    r = cloud.post(path, content=lp(f"cpu,host=a v=1.5 {NOW_NS}", f"cpu,host=b v=2 {NOW_NS + 1}"))
    assert r.status_code == 204 and r.content == b""
    assert rows(cloud, "SELECT * FROM cpu", epoch="ns") == [[NOW_NS, "a", 1.5], [NOW_NS + 1, "b", 2]]


UNITS = {"n": 1, "ns": 1, "u": 10**3, "us": 10**3, "µ": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
         "h": 3600 * 10**9}


@pytest.mark.parametrize("precision,v2", [  # ids must not depend on the clock (xdist compares them)
    ("ns", True), ("us", True), ("ms", True), ("s", True), ("n", False), ("u", False), ("µ", False),
    ("ms", False), ("s", False), ("m", False), ("h", False),
])
def test_precisions(cloud, precision, v2):
    stamp = NOW_NS // UNITS[precision]
    path = f"/api/v2/write?bucket=mydb&precision={precision}" if v2 else f"/write?db=mydb&precision={precision}"
    r = cloud.post(path, content=f"cpu v=1 {stamp}".encode())
    assert r.status_code == 204, r.text
    assert rows(cloud, "SELECT * FROM cpu", epoch="ns") == [[stamp * UNITS[precision], 1]]


@pytest.mark.parametrize("path", ["/api/v2/write?bucket=mydb&precision=m", "/write?db=mydb&precision=xx"])
def test_bad_precision_cloud(cloud, path):
    r = cloud.post(path, content=b"cpu v=1")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and "invalid precision" in r.json()["message"]


def test_unknown_precision_is_ns_in_influxdb1(v1):
    v1.post("/query", data={"q": "CREATE DATABASE mydb"})
    assert v1.post("/write?db=mydb&precision=xx", content=f"cpu v=1 {NOW_NS}".encode()).status_code == 204
    assert rows(v1, "SELECT * FROM cpu", epoch="ns") == [[NOW_NS, 1]]


def test_v2_partial_write_is_400_with_first_bad_line(cloud):
    r = cloud.post("/api/v2/write?bucket=mydb", content=lp(f"cpu v=1 {NOW_NS}", "bad line", f'cpu v="s" {NOW_NS + 1}'))
    assert r.status_code == 400
    body = r.json()
    assert list(body) == ["code", "line", "message"]
    assert body["code"] == "invalid" and body["line"] == 2
    assert body["message"].startswith("failed to parse line protocol: errors encountered on line(s):\n")
    assert "line 2 (1-based): unable to parse 'bad line'" in body["message"]
    assert "line 3 (1-based): field type conflict" in body["message"]
    assert r.headers["x-influxdb-error"].startswith("failed to parse line protocol")
    assert rows(cloud, "SELECT * FROM cpu", epoch="ns") == [[NOW_NS, 1]]  # the good line is stored


def test_v1_partial_write_is_201_and_all_rejected_400(cloud):
    r = cloud.post("/write?db=mydb", content=lp(f"cpu v=1 {NOW_NS}", "bad"))
    assert r.status_code == 201
    assert r.json()["line"] == 2 and r.json()["message"].startswith("partial write of line protocol occurred")
    assert "x-influxdb-error" not in r.headers
    r = cloud.post("/write?db=mydb", content=lp("bad", "worse"))
    assert r.status_code == 400
    assert r.json()["message"].startswith("no data written, errors encountered on line(s):\n")


def test_at_most_100_rejected_lines_listed(cloud):
    r = cloud.post("/api/v2/write?bucket=mydb", content=lp(*[f"bad{i}" for i in range(150)]))
    msg = r.json()["message"]
    assert msg.count("unable to parse") == 100 and "and 50 more rejected lines" in msg


def test_influxdb1_partial_write_words(v1):
    v1.post("/query", data={"q": "CREATE DATABASE mydb"})
    r = v1.post("/write?db=mydb", content=lp(f"cpu v=1 {NOW_NS}", "bad line here", f"cpu v=3 {NOW_NS + 1}"))
    assert r.status_code == 400
    assert r.json() == {"error": "partial write: unable to parse 'bad line here': invalid field format dropped=0"}
    r = v1.post("/write?db=mydb", content=lp(f'cpu v="str" {NOW_NS + 2}', "bad line here"))
    assert r.json() == {"error": 'partial write: field type conflict: input field "v" on measurement "cpu" '
                                 'is type string, already exists as type float dropped=1'}
    r = v1.post("/write?db=mydb", content=lp("bad line here", "also bad"))
    assert r.json() == {"error": "unable to parse 'bad line here': invalid field format\n"
                                 "unable to parse 'also bad': invalid field format"}
    assert r.headers["x-influxdb-error"] == ("unable to parse 'bad line here': invalid field format "
                                             "unable to parse 'also bad': invalid field format")


def test_influxdb1_missing_database_is_404(v1):
    r = v1.post("/write?db=nope", content=b"cpu v=1")
    assert (r.status_code, r.json()) == (404, {"error": 'database not found: "nope"'})
    assert r.headers["x-influxdb-error"] == 'database not found: "nope"'


def test_cloud_creates_database_with_three_day_policy(cloud):
    assert cloud.post("/write?db=fresh", content=f"cpu v=1 {NOW_NS}".encode()).status_code == 204
    (rp,) = cloud.raw_store.retention_policies("fresh")
    assert rp.duration == 3 * 24 * 3600 * 10**9 and rp.default


@pytest.mark.parametrize("client", ["cloud", "v1"])
def test_missing_database(request, client):
    c = request.getfixturevalue(client)
    r = c.post("/write", content=b"cpu v=1")
    assert r.status_code == 400
    assert (r.json().get("message") or r.json().get("error")) == "database is required"


def test_gzip_body(cloud):
    body = gzip.compress(lp(f"cpu v=1 {NOW_NS}", f"cpu v=2 {NOW_NS + 5}"))
    r = cloud.post("/api/v2/write?bucket=mydb", content=body, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 204
    assert rows(cloud, "SELECT * FROM cpu", epoch="ns") == [[NOW_NS, 1], [NOW_NS + 5, 2]]


def test_bad_gzip_is_400(cloud):
    r = cloud.post("/api/v2/write?bucket=mydb", content=b"not gzip", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and "gzip" in r.json()["message"]


@pytest.mark.parametrize("gz", [False, True])
def test_body_over_limit_is_413(gz):
    from tests.http.conftest import make_client

    c = make_client(max_body_bytes=1000)
    line = f"cpu v=1 {NOW_NS}\n".encode()
    body = line * 200  # 5 KB raw; gzip makes it ~100 bytes, still 5 KB once inflated
    if gz:
        body = gzip.compress(body)
        assert len(body) < 1000
    r = c.post("/api/v2/write?bucket=mydb", content=body, headers={"Content-Encoding": "gzip"} if gz else {})
    assert r.status_code == 413 and r.json()["code"] == "request too large"
    # a streamed body (no Content-Length) is cut off too
    r = c.post("/api/v2/write?bucket=mydb", content=iter([line] * 200))
    assert r.status_code == 413


@pytest.mark.parametrize("ctype,status", [("text/plain; charset=utf-8", 204), ("text/plain", 204), (None, 204),
                                          ("application/x-www-form-urlencoded", 204), ("application/json", 415),
                                          ("image/png", 415)])
def test_v2_content_type(cloud, ctype, status):
    r = cloud.post("/api/v2/write?bucket=mydb", content=f"cpu v=1 {NOW_NS}".encode(),
                   headers={"Content-Type": ctype} if ctype else {})
    assert r.status_code == status
    if status == 415:
        assert r.json()["code"] == "unsupported media type"


@pytest.mark.parametrize("write_params,query_params", [
    ({"bucket": "mydb/myrp"}, {"db": "mydb", "rp": "myrp"}),
    ({"db": "mydb", "rp": "myrp"}, {"db": "mydb/myrp"}),
    ({"bucket": "mydb"}, {"db": "mydb", "rp": "autogen"}),
    ({"bucket": "mydb/autogen"}, {"db": "mydb", "rp": "default"}),
    ({"bucket": "mydb/default"}, {"db": "mydb", "rp": ""}),
])
def test_db_rp_mapping(cloud, write_params, query_params):
    cloud.raw_store.create_database("mydb")
    cloud.raw_store.create_retention_policy("mydb", "myrp", duration=0)
    path = "/api/v2/write" if "bucket" in write_params else "/write"
    assert cloud.post(path, params=write_params, content=f"cpu v=7 {NOW_NS}".encode()).status_code == 204
    r = cloud.get("/query", params={"q": "SELECT * FROM cpu", "epoch": "ns", **query_params})
    assert r.json()["results"][0]["series"][0]["values"] == [[NOW_NS, 7]]


def test_unknown_rp(cloud, v1):
    for c, status in ((cloud, 404), (v1, 500)):
        c.raw_store.create_database("mydb")
        r = c.post("/write?db=mydb&rp=zz", content=b"cpu v=1")
        assert r.status_code == status
        assert "retention policy not found: zz" in r.text


def test_storage_error_is_503_with_retry_after(cloud, monkeypatch):
    def full(*a, **k):
        raise StorageError("No space left on device")
    monkeypatch.setattr(cloud.app.state.shim.store, "write", full)
    r = cloud.post("/api/v2/write?bucket=mydb", content=b"cpu v=1")
    assert r.status_code == 503 and r.headers["retry-after"] == "30"
    assert r.json() == {"code": "unavailable", "message": "internal error: No space left on device"}


def test_empty_body_is_204(cloud):
    assert cloud.post("/api/v2/write?bucket=mydb", content=b"").status_code == 204


def test_error_json_shapes(cloud, v1):
    r = cloud.post("/write", content=b"x v=1")
    assert json.loads(r.content) == {"code": "invalid", "message": "database is required"}
    assert r.headers["content-type"] == "application/json"
