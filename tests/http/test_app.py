"""ShimApp: hot routes go straight to their endpoint and answer exactly as Starlette's router
would; cheap reads run on the event loop, writes and DDL never."""
from __future__ import annotations

import asyncio

import pytest

from tests.http.conftest import NOW_NS, make_client
from tsdb_http.app import ROUTES

W = f"cpu,host=a v=1.5 {NOW_NS}\ncpu,host=b v=2 {NOW_NS + 1}".encode()
RID = {"X-Request-Id": "fixed"}

# (method, path, params, body, extra headers): each is answered by the direct path and by the router
REQUESTS = [
    ("GET", "/ping", None, None, {}),
    ("HEAD", "/ping", None, None, {}),
    ("GET", "/ping", {"verbose": "true"}, None, {}),
    ("GET", "/health", None, None, {}),
    ("GET", "/query", {"db": "mydb", "q": "SELECT * FROM cpu"}, None, {}),
    ("GET", "/query", {"db": "mydb", "q": "SELECT * FROM cpu", "epoch": "s"}, None, {"Accept": "application/csv"}),
    ("GET", "/query", {"db": "mydb", "q": "SELECT * FROM cpu", "chunked": "true", "chunk_size": "1"}, None, {}),
    ("GET", "/query", {"db": "mydb", "q": "SELEC"}, None, {}),
    ("GET", "/query", {"db": "mydb"}, None, {"Origin": "http://x"}),
    ("GET", "/query", {"q": "SHOW DATABASES"}, None, {"Accept-Encoding": "gzip"}),
    ("POST", "/query", {"db": "mydb", "q": "SELECT * FROM cpu"}, None, {}),
    ("OPTIONS", "/query", None, None, {}),
    ("POST", "/write", {"db": "mydb"}, W, {}),
    ("POST", "/write", {}, W, {}),
    ("POST", "/write", {"db": "mydb"}, b"cpu v=", {}),
    ("POST", "/api/v2/write", {"bucket": "mydb", "precision": "xs"}, W, {}),
    ("POST", "/api/v2/query", None, b"{}", {}),
    ("GET", "/write", None, None, {}),  # 405: the router's answer either way
    ("GET", "/nope", None, None, {}),
]


def answer(client, method, path, params, body, headers):
    r = client.request(method, path, params=params, content=body, headers={**RID, **headers})
    return r.status_code, sorted(r.headers.multi_items()), r.content


@pytest.mark.parametrize("compat", ["cloud-dedicated", "influxdb1"])
def test_direct_path_answers_as_the_router(compat):
    direct, routed = make_client(compat), make_client(compat)
    routed.app.direct.clear()  # every request through Starlette's middleware and router
    for c in (direct, routed):
        assert c.post("/query", data={"q": "CREATE DATABASE mydb"}).status_code == 200
        assert c.post("/write?db=mydb", content=W).status_code == 204
    for req in REQUESTS:
        assert answer(direct, *req) == answer(routed, *req), req


def test_direct_table_covers_the_hot_routes():
    table = make_client().app.direct
    assert {("/ping", "GET"), ("/ping", "HEAD"), ("/query", "GET"), ("/query", "POST"), ("/write", "POST"),
            ("/api/v2/write", "POST")} <= set(table)
    assert len(table) == sum(len(r.methods) for r in ROUTES)


def on_loop() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


@pytest.mark.parametrize("q,inline", [
    ("SHOW DATABASES", [False, True, True]),
    ("SELECT * FROM cpu", [False, True, True]),
    ("CREATE DATABASE x", [False, False, False]),
    ("SELECT * INTO cpu2 FROM cpu", [False, False, False]),
    ("SHOW DATABASES; SHOW DATABASES", [False, False, False]),
])
def test_reads_inline_once_known_quick_others_never(q, inline):
    client = make_client()
    client.post("/write?db=mydb", content=W)
    store = client.app.state.shim.store
    real, seen = store.query, []

    def spy(*args, **kw):
        seen.append(on_loop())
        return real(*args, **kw)

    store.query = spy
    client.app.state.shim.offload.budget_s = 10.0  # whatever it costs on a busy machine
    for _ in range(3):
        assert client.get("/query", params={"db": "mydb", "q": q}).status_code == 200
    assert seen == inline


def test_inline_budget_zero_never_inline():
    from tsdb_http.app import ShimConfig, create_app

    app = create_app(object(), None, ShimConfig(no_auth=True, inline_budget_ms=0))
    assert app.state.shim.offload.budget_s == 0 and app.offload is app.state.shim.offload
