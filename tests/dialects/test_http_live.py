"""The v3 words over real HTTP: a live ``tsdb serve`` per compat, queried with httpx.

Where the HTTP shape matters: ``params`` InfluxDB 3 cannot decode are a 400 with serde_json's
position (iox_v1_query_api handler.rs: ``serde_json::from_str`` of ``params``, Error::SerdeJson
→ HttpError::Invalid; influxdb3_server http.rs answers Invalid as 400 ``{"error": ...}``); parse
and rewriter errors are statement errors in a 200; EXPLAIN VERBOSE is one series per plan type.
"""
from __future__ import annotations

import httpx
import pytest

from tests.dialects.test_v3_errors import ARRAYS, OBJECTS, verbose_rows
from tsdb_http.serve import start_in_thread


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    servers, clients = {}, {}
    for compat in ("cloud-dedicated", "influxdb1"):
        servers[compat] = start_in_thread(tmp_path_factory.mktemp(compat), no_auth=True, compat=compat)
        clients[compat] = httpx.Client(base_url=servers[compat].url, timeout=30)
        r = clients[compat].post("/write", params={"db": "mydb"}, content=b"cpu,host=a usage=1.5")
        if r.status_code == 404:  # influxdb1: no database made on write
            clients[compat].post("/query", data={"q": "CREATE DATABASE mydb"})
            r = clients[compat].post("/write", params={"db": "mydb"}, content=b"cpu,host=a usage=1.5")
        assert r.status_code == 204, r.text
    yield clients
    for compat, server in servers.items():
        clients[compat].close()
        server.stop()


def _get(client, q: str, **params):
    return client.get("/query", params={"db": "mydb", "q": q, **params})


@pytest.mark.parametrize("raw,v3,v1", [
    ('{"h":[1]}', ARRAYS + " at line 1 column 9", "error parsing query: unable to bind parameter with type list"),
    ('{"h": {"a": 1}}', OBJECTS + " at line 1 column 15", "error parsing query: unknown bind object type: a"),
])
def test_params_v3_cannot_decode_are_a_400(live, raw, v3, v1):
    q = "SELECT usage FROM cpu WHERE host = $h"
    r = _get(live["cloud-dedicated"], q, params=raw)
    assert (r.status_code, r.json()) == (400, {"error": v3})
    r = live["cloud-dedicated"].post("/query", params={"db": "mydb"}, data={"q": q, "params": raw})
    assert (r.status_code, r.json()) == (400, {"error": v3})
    r = _get(live["influxdb1"], q, params=raw)
    assert (r.status_code, r.json()) == (400, {"error": v1})


def test_params_with_scalars_run_in_both(live):
    for compat in live:
        r = _get(live[compat], "SELECT usage FROM cpu WHERE host = $h", params='{"h":"a"}')
        assert r.status_code == 200 and r.json()["results"][0]["series"][0]["values"][0][1] == 1.5


def test_a_bad_duration_and_a_rewriter_refusal_in_one_request(live):
    # v3: the parse error fails the request as one statement error (200); 1.x: a 400
    r = _get(live["cloud-dedicated"], "SELECT usage FROM cpu WHERE time > now() - 1x")
    assert (r.status_code, r.json()) == (200, {"results": [{"statement_id": 0, "error": (
        'error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos 44. Parsing Error: Nom("x", Tag)')}]})
    r = _get(live["influxdb1"], "SELECT usage FROM cpu WHERE time > now() - 1x")
    assert (r.status_code, r.json()) == (400, {"error": "error parsing query: invalid duration"})
    # the rewriter's refusal is one statement's; the next statement runs in v3, not in 1.x
    q = "SELECT top(usage, host) FROM cpu; SHOW MEASUREMENTS"
    res = _get(live["cloud-dedicated"], q).json()["results"]
    assert res[0]["error"].endswith('got VarRef(VarRef { name: Identifier("host"), data_type: None })')
    assert res[1]["series"][0]["values"] == [["cpu"]]
    res = _get(live["influxdb1"], "SELECT top(usage, host) FROM cpu").json()["results"]
    assert res == [{"statement_id": 0, "error": "expected integer as last argument in top(), found host"}]


def test_explain_verbose_is_one_series_per_plan_type(live):
    res = _get(live["cloud-dedicated"], "EXPLAIN VERBOSE SELECT usage FROM cpu").json()["results"][0]
    assert [s["name"] for s in res["series"]] == verbose_rows(2)  # v3's plan: optimizer rules change it
    assert all(s["columns"] == ["plan"] and len(s["values"]) == 1 for s in res["series"])
    r = _get(live["influxdb1"], "EXPLAIN VERBOSE SELECT usage FROM cpu")
    assert r.status_code == 400 and r.json()["error"].startswith("error parsing query: found VERBOSE")


def _raw(url: str, target: bytes, method: bytes = b"GET", body: bytes = b"",
         ctype: bytes = b"application/vnd.influxql") -> tuple[int, bytes]:
    """(status, body) of a request sent byte for byte (httpx may drop a bare ``?``)."""
    import socket

    where = httpx.URL(url)
    head = b"Content-Type: " + ctype + b"\r\nContent-Length: %d\r\n" % len(body) if body else b""
    with socket.create_connection((where.host, where.port), timeout=30) as s:
        s.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + head + b"\r\n" + body)
        data = b"".join(iter(lambda: s.recv(65536), b""))
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


NO_URL = (400, b'{"error":"missing query parameters \'db\' and \'q\'"}')


def test_a_bare_question_mark_is_an_empty_query_string_under_uvicorn(tmp_path):
    """v3 tells ``/query?`` from ``/query`` (iox_v1_query_api lib.rs from_request_query_string:
    ``req.uri().query().ok_or(Error::MissingQueryParams)?``): ``/query?`` decodes to no values, so a
    GET is answered "expected a query to be provided in the query string or body" and a POST
    reads its InfluxQL body. uvicorn drops the ``?`` from ``query_string``; the shim's protocol
    (uvicorn_protocol.py) still has the target and marks the scope."""
    handle = start_in_thread(tmp_path, no_auth=True, compat="cloud-dedicated", server="uvicorn")
    try:
        assert _raw(handle.url, b"/query") == NO_URL
        assert _raw(handle.url, b"/query?") == (
            400, b'{"error":"expected a query to be provided in the query string or body"}')
        assert _raw(handle.url, b"/query", b"POST", b"SHOW MEASUREMENTS") == NO_URL
        assert _raw(handle.url, b"/query?", b"POST", b"SHOW MEASUREMENTS") == (200, (
            b'{"results":[{"statement_id":0,"error":"must specify a \'db\' parameter, or provide the '
            b'database in the InfluxQL query"}]}'))
    finally:
        handle.stop()


def test_a_bare_question_mark_is_lost_under_hypercorn(tmp_path):
    """Hypercorn 0.18 splits the target (protocol/http_stream.py: ``path, _, query_string =
    event.raw_path.partition(b"?")``), ``raw_path`` is the path alone and no scope extension holds
    the target: under it the shim answers ``/query?`` as ``/query``."""
    handle = start_in_thread(tmp_path, no_auth=True, compat="cloud-dedicated", server="hypercorn")
    try:
        assert _raw(handle.url, b"/query?") == _raw(handle.url, b"/query") == NO_URL
    finally:
        handle.stop()
