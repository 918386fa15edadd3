"""End to end on a real socket: the server runs in a thread on a free loopback port,
under each HTTP server ``tsdb serve`` offers (uvicorn, the default, and Hypercorn), and real clients talk to it — curl (the seed's command shapes), the
``influxdb`` v1 client, the ``influxdb-client`` v2 client and the ``influx`` 1.6.7 CLI.
Values written are read back and compared.
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time

import httpx
import pytest

from tests.http import fakes
from tests.http.conftest import REAL_ENGINE
from tsdb_http.tokens import TokenStore
from tsdb_http.serve import start_in_thread

NOW_S = int(time.time()) - 120
SEAM = {} if REAL_ENGINE else {"wrap_store": fakes.FakeEngineStore}


@pytest.fixture(scope="module", params=["uvicorn", "hypercorn"])
def server(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("e2e")
    tokens = TokenStore(root)
    all_token = tokens.create("*", manage=True, description="e2e")[0]
    ro_token = tokens.create("cli", read=True, write=False)[0]
    import tsdb_core

    with tsdb_core.open(root) as store:  # as Cloud Dedicated's databases, made outside InfluxQL (no retention)
        store.create_database("curl")
    h = start_in_thread(root, server=request.param, **SEAM)
    h.token, h.ro_token, h.port = all_token, ro_token, int(h.url.rsplit(":", 1)[1])
    yield h
    h.stop()


def sql(server, q, db, token=None, **params):
    r = httpx.get(f"{server.url}/query", params={"db": db, "q": q, **params},
                  headers={"Authorization": f"Token {token or server.token}"})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def values(server, q, db, **params):
    res = sql(server, q, db, epoch="ns", **params)[0]
    assert "error" not in res, res
    return [v for s in res.get("series", []) for v in s["values"]]


def test_first_start_prints_token_once(tmp_path, capfd):
    h = start_in_thread(tmp_path, **SEAM)
    try:
        token = capfd.readouterr().out.strip()
        assert token.startswith("tsdb_") and len(token) == 60
        r = httpx.post(f"{h.url}/api/v2/write?bucket=boot", content=f"m v=1 {NOW_S}000000000",
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 204
        assert httpx.post(f"{h.url}/api/v2/write?bucket=boot", content=b"m v=1").status_code == 401
    finally:
        h.stop()
    assert "store flushed" in capfd.readouterr().err
    assert [t.description for t in TokenStore(tmp_path).list()] == ["created by tsdb serve on first start"]
    h = start_in_thread(tmp_path, **SEAM)  # a restart finds the data and prints no new token
    try:
        assert capfd.readouterr().out == ""
        assert values(h, "SELECT * FROM m", "boot", token=token) == [[NOW_S * 10**9, 1]]
    finally:
        h.stop()


# -- curl: the seed's command shapes ---------------------------------------------------------

def _curl_with_httpx(args) -> tuple[int, str]:
    """The same request curl would send for the options these tests use."""
    method, url, headers, data, form, get, auth = None, None, {}, None, [], False, None
    it = iter(args)
    for a in it:
        if a in ("--request", "-X"):
            method = next(it)
        elif a in ("--header", "-H"):
            k, _, v = next(it).partition(":")
            headers[k.strip()] = v.strip()
        elif a == "--data-binary":
            data = next(it).encode()
        elif a == "--data-urlencode":
            k, _, v = next(it).partition("=")
            form.append((k, v))
        elif a == "--get":
            get = True
        elif a == "--user":
            auth = tuple(next(it).split(":", 1))
        else:
            url = a
    if get:
        r = httpx.request(method or "GET", url, params=form, headers=headers, auth=auth)
    elif form:
        r = httpx.request(method or "POST", url, data=dict(form), headers=headers, auth=auth)
    else:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")  # curl's default
        r = httpx.request(method or "POST", url, content=data, headers=headers, auth=auth)
    return r.status_code, r.text


def curl(*args) -> tuple[int, str]:
    """Run curl (or, without the binary, httpx with the identical request); (status, body)."""
    if not shutil.which("curl"):
        return _curl_with_httpx(args)
    out = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", *args], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    body, _, code = out.rpartition("\n")
    return int(code), body


def test_curl_seed_examples(server):
    u, t = server.url, server.token

    # InfluxDB 3 parses CREATE DATABASE but does not run it: a statement error in a 200
    code, body = curl("--request", "POST", f"{u}/query", "--header", f"Authorization: Token {t}",
                      "--data-urlencode", "db=curl", "--data-urlencode", "q=CREATE DATABASE curl")
    assert (code, json.loads(body)) == (200, {"results": [{"statement_id": 0, "error": (
        "datafusion error: This feature is not implemented: CREATE DATABASE")}]})
    # Bearer and Token writes, as the seed shows them (`--request post`, lower case)
    assert curl("--request", "post", f"{u}/api/v2/write?bucket=curl&precision=s",
                "--header", f"Authorization: Bearer {t}",
                "--data-binary", "home,room=kitchen temp=72 1463683075") == (204, "")
    assert curl("--request", "post", f"{u}/api/v2/write?bucket=curl&precision=s",
                "--header", f"Authorization: Token {t}",
                "--data-binary", "home,room=living temp=70.5 1463683075") == (204, "")
    expect = {"results": [{"statement_id": 0, "series": [{"name": "home", "columns": ["time", "room", "temp"],
              "values": [["2016-05-19T18:37:55Z", "kitchen", 72], ["2016-05-19T18:37:55Z", "living", 70.5]]}]}]}
    # Basic with an empty user, and the p= query string
    code, body = curl("--get", f"{u}/query", "--user", f":{t}", "--data-urlencode", "db=curl",
                      "--data-urlencode", "q=SELECT * FROM home")
    assert (code, json.loads(body)) == (200, expect)
    code, body = curl("--get", f"{u}/query", "--data-urlencode", f"p={t}", "--data-urlencode", "db=curl",
                      "--data-urlencode", "q=SELECT * FROM home")
    assert (code, json.loads(body)) == (200, expect)
    code, body = curl("--get", f"{u}/query", "--data-urlencode", "db=curl", "--data-urlencode", "q=SELECT * FROM home")
    assert (code, json.loads(body)) == (401, {"code": "unauthorized", "message": "unauthorized access"})
    code, body = curl("--get", f"{u}/query", "-H", f"Authorization: Token {t}", "-H", "Accept: application/csv",
                      "--data-urlencode", "db=curl", "--data-urlencode", "q=SELECT * FROM home")
    assert body == "name,tags,time,room,temp\nhome,,1463683075000000000,kitchen,72\nhome,,1463683075000000000,living,70.5\n"


# -- the influxdb (v1) Python client --------------------------------------------------------------

def test_influxdb_v1_client(server):
    from influxdb import InfluxDBClient

    from influxdb.exceptions import InfluxDBClientError

    # The client asks for msgpack, which InfluxDB 3 writes with rmp_serde's default config (structs as
    # arrays, iox_v1_query_api msgpack snapshots): the client cannot read it, as against InfluxDB 3.
    raw = InfluxDBClient("127.0.0.1", server.port, username="me", password=server.token, database="v1db")
    with pytest.raises(AttributeError, match="'list' object has no attribute 'get'"):
        raw.query("SHOW MEASUREMENTS")
    raw.close()
    c = InfluxDBClient("127.0.0.1", server.port, username="me", password=server.token, database="v1db",
                       headers={"Accept": "application/json"})
    # the client POSTs it with its Content-Type: application/json, a body type InfluxDB 3's /query refuses
    # (iox_v1_query_api handler.rs SupportedContentType::from_request)
    with pytest.raises(InfluxDBClientError, match=r"400: \{\"error\":\"invalid mime type \(application/json\)\"\}"):
        c.create_database("v1db")  # (the first write creates it)
    points = [{"measurement": "cpu", "tags": {"host": h}, "time": (NOW_S - 10 + i) * 1000,
               "fields": {"usage": 10.5 + i, "count": i, "ok": i % 2 == 0, "note": f"n{i}"}}
              for i, h in enumerate(["a", "b", "a", "c"])]
    assert c.write_points(points, time_precision="ms")
    rs = c.query("SELECT * FROM cpu", epoch="ms")
    got = list(rs.get_points())
    assert got == [{"time": (NOW_S - 10 + i) * 1000, "count": i, "host": p["tags"]["host"], "note": f"n{i}",
                    "ok": i % 2 == 0, "usage": 10.5 + i} for i, p in enumerate(points)]
    # RFC3339 times without epoch
    first = next(c.query("SELECT * FROM cpu").get_points())
    assert first["time"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(NOW_S - 10)))
    # chunked: InfluxDB 3 writes its chunks back to back (no line between them); the client reads lines
    with pytest.raises(ValueError, match="Extra data"):
        list(c.query("SELECT * FROM cpu GROUP BY *", epoch="s", chunked=True, chunk_size=1))
    c.close()


def test_influxdb_dataframe_client(server):
    import pandas as pd
    from influxdb import DataFrameClient

    c = DataFrameClient("127.0.0.1", server.port, username="me", password=server.token, database="dfdb",
                        headers={"Accept": "application/json"})  # (InfluxDB 3's msgpack: see above)
    idx = pd.to_datetime([(NOW_S - 3 + i) * 10**9 for i in range(3)], utc=True)
    df = pd.DataFrame({"temp": [20.5, 21.0, 22.25], "room": ["k", "l", "k"]}, index=idx)
    assert c.write_points(df, "climate", tag_columns=["room"])
    out = c.query("SELECT * FROM climate")["climate"]
    assert list(out["temp"]) == [20.5, 21.0, 22.25] and list(out["room"]) == ["k", "l", "k"]
    assert [ts.value for ts in out.index] == [(NOW_S - 3 + i) * 10**9 for i in range(3)]
    c.close()


# -- the influxdb-client (v2) Python client -----------------------------------------------------

def test_influxdb_client_v2_every_precision_and_gzip(server):
    from influxdb_client import InfluxDBClient, Point, WritePrecision
    from influxdb_client.client.write_api import SYNCHRONOUS

    base = NOW_S * 10**9 + 123_456_789
    unit = {WritePrecision.NS: 1, WritePrecision.US: 10**3, WritePrecision.MS: 10**6, WritePrecision.S: 10**9}
    with InfluxDBClient(url=server.url, token=server.token, org="ignored", enable_gzip=True) as client:
        w = client.write_api(write_options=SYNCHRONOUS)
        for i, prec in enumerate(unit):
            t = base // unit[prec] + i  # distinct times per precision
            w.write(bucket="v2db", record=Point("weather").tag("prec", prec).field("t", float(i)).time(t, prec),
                    write_precision=prec)
            w.write(bucket="v2db", record=f"raw,prec={prec} v={i}i {t}", write_precision=prec)
    got = values(server, "SELECT * FROM weather GROUP BY *", "v2db")
    expect = [[(base // unit[p] + i) * unit[p], float(i)] for i, p in enumerate(unit)]
    assert sorted(got) == sorted(expect)
    assert sorted(values(server, "SELECT * FROM raw GROUP BY *", "v2db")) == sorted([[t, i] for (t, _), i in zip(expect, range(4))])


# -- the influx 1.6.7 CLI ---------------------------------------------------------------------------

@pytest.mark.skipif(not shutil.which("influx"), reason="influx CLI not installed")
def test_influx_cli_execute_and_import(server, tmp_path):
    base = ["influx", "-host", "127.0.0.1", "-port", str(server.port), "-username", "me",
            "-password", server.token]
    dump = tmp_path / "import.txt"
    dump.write_text("# DDL\nCREATE DATABASE cli\n# DML\n# CONTEXT-DATABASE: cli\n"
                    f"mem,host=a used=1.5,free=10i {NOW_S}000000000\n"
                    f"mem,host=b used=2,free=20i {NOW_S + 1}000000000\n")
    out = subprocess.run([*base, "-import", "-path", str(dump)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Processed 2 inserts" in out.stdout and "Failed 0 inserts" in out.stdout

    def run(fmt, *extra):
        r = subprocess.run([*base, "-database", "cli", "-format", fmt, *extra, "-execute", "SELECT * FROM mem"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout
    t0, t1 = NOW_S * 10**9, (NOW_S + 1) * 10**9
    assert json.loads(run("json")) == {"results": [{"series": [{"name": "mem", "columns": ["time", "free", "host", "used"],
                                                             "values": [[t0, 10, "a", 1.5], [t1, 20, "b", 2]]}]}]}
    assert run("csv") == f"name,time,free,host,used\nmem,{t0},10,a,1.5\nmem,{t1},20,b,2\n"
    col = run("column").splitlines()
    assert col[0] == "name: mem" and col[1].split() == ["time", "free", "host", "used"]
    assert [ln.split() for ln in col[3:5]] == [[str(t0), "10", "a", "1.5"], [str(t1), "20", "b", "2"]]
    # a read-only token may not import
    ro = subprocess.run(["influx", "-host", "127.0.0.1", "-port", str(server.port), "-username", "me",
                         "-password", server.ro_token, "-database", "cli", "-execute", "INSERT mem,host=c used=3"],
                        capture_output=True, text=True, timeout=60)
    assert ro.stdout.strip() == 'ERR: {"code":"unauthorized","message":"unauthorized access"}'


# -- auth over the socket (the full matrix runs in-process in test_auth.py) ------------------------

@pytest.mark.parametrize("scheme", ["bearer", "token", "basic", "query"])
def test_auth_schemes_over_socket(server, scheme):
    body = f"s,scheme={scheme} v=1 {NOW_S}000000000"
    for token, status in ((None, 401), ("tsdb_nope", 401), (server.ro_token, 401), (server.token, 204)):
        url, headers = f"{server.url}/write?db=auth", {}
        if token and scheme == "bearer":
            headers["Authorization"] = f"Bearer {token}"
        elif token and scheme == "token":
            headers["Authorization"] = f"Token {token}"
        elif token and scheme == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(f"x:{token}".encode()).decode()
        elif token:
            url += f"&u=x&p={token}"
        r = httpx.post(url, content=body.encode(), headers=headers)
        assert r.status_code == status, (scheme, token, r.text)


def test_influxdb1_dialect_with_v1_client(tmp_path):
    """--compat influxdb1: databases are not auto-created and errors read as 1.x's."""
    from influxdb import InfluxDBClient
    from influxdb.exceptions import InfluxDBClientError

    h = start_in_thread(tmp_path, compat="influxdb1", no_auth=True, **SEAM)
    try:
        c = InfluxDBClient("127.0.0.1", int(h.url.rsplit(":", 1)[1]), database="legacy")
        with pytest.raises(InfluxDBClientError) as e:
            c.write_points([{"measurement": "m", "fields": {"v": 1.0}}])
        assert e.value.code == 404 and 'database not found: \\"legacy\\"' in str(e.value.content)
        c.create_database("legacy")
        assert c.write_points([{"measurement": "m", "time": 1_000_000_000, "fields": {"v": 1.0}}])
        with pytest.raises(InfluxDBClientError) as e:
            c.write_points([{"measurement": "m", "time": 2_000_000_000, "fields": {"v": "text"}}])
        assert e.value.code == 400
        assert "partial write: field type conflict" in str(e.value.content) and "dropped=1" in str(e.value.content)
        assert list(c.query("SELECT * FROM m", epoch="s").get_points()) == [{"time": 1, "v": 1.0}]
        assert httpx.get(f"{h.url}/ping").headers["x-influxdb-build"] == "OSS"
    finally:
        h.stop()
