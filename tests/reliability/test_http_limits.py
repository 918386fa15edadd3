"""Hostile HTTP clients against the real ``tsdb serve`` (issue 16, items 3, 4, 6, 11, 13, 14).

Each test speaks raw HTTP/1.1 over a socket, so it sees exactly what the server
sends (or that it sends nothing). Limits are checked under both HTTP servers
where both enforce them: uvicorn (its protocol, uvicorn_server.py) and
Hypercorn (h11's head cap and an ASGI body deadline, limits.py).
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reliability.server import Server
from tsdb_http.limits import FD_RESERVE

SERVERS = ["uvicorn", "hypercorn"]


def _server(tmp_path_factory, name: str, *extra: str) -> Server:
    s = Server(tmp_path_factory.mktemp("limits") / "store", cli=True,
               extra=["--http-server", name, "--head-timeout", "1.5", "--request-timeout", "2", *extra])
    s.start()
    return s


@pytest.fixture(scope="module", params=SERVERS)
def server(tmp_path_factory, request):
    s = _server(tmp_path_factory, request.param)
    s.name = request.param
    yield s
    s.kill()


def read_response(sock: socket.socket, limit: float = 10.0) -> tuple[int, dict, bytes]:
    """One whole response (status, lower-case headers, body); fails on a close without one."""
    sock.settimeout(limit)
    buf = b""
    deadline = time.monotonic() + limit
    while b"\r\n\r\n" not in buf:
        assert time.monotonic() < deadline, f"no response head in {limit} s: {buf[:200]!r}"
        chunk = sock.recv(65536)
        assert chunk, f"connection closed without a response: {buf[:200]!r}"
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0].startswith(b"HTTP/1.1 "), lines[0]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode("latin-1")
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return status, headers, body


def closed_soon(sock: socket.socket, limit: float = 5.0) -> bool:
    sock.settimeout(limit)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        pass
    return True


def _within(socks: list[socket.socket], seconds: float):
    """Each socket with its timeout set to what is left of one ``seconds`` window for them all (the
    ones the server leaves alone then cost one window in all, not one each)."""
    deadline = time.monotonic() + seconds
    for sock in socks:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        yield sock


def ping_ok(server: Server) -> None:
    assert httpx.get(server.url + "/ping", timeout=5).status_code == 204


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


# -- item 3: request heads -------------------------------------------------------------------

def test_a_huge_header_is_refused_at_the_cap_431(server):
    rss0 = rss_kb(server.proc.pid)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: a\r\nX-Big: ")
        sent = 0
        try:
            while sent < 64_000_000:  # the server answers and closes long before
                sock.sendall(b"a" * 65536)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, body = read_response(sock)
    assert status == 431
    assert sent < 48_000_000  # loopback socket buffers (up to tcp_rmem + tcp_wmem) take the rest
    assert rss_kb(server.proc.pid) - rss0 < 50_000
    ping_ok(server)


def test_many_headers_are_refused_431(server):
    head = b"GET /ping HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head)
        status, _, _ = read_response(sock)
        assert status == 431
        assert closed_soon(sock)
    ping_ok(server)


def test_a_refusal_to_head_has_no_body(server):
    head = b"HEAD /ping HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head)
        sock.settimeout(5)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 431 ") and data.endswith(b"\r\n\r\n"), data


def test_a_long_url_is_refused(server):
    url = b"/query?q=" + b"x" * 100_000
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        try:
            sock.sendall(b"GET " + url + b" HTTP/1.1\r\nHost: a\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, _ = read_response(sock)
    # h11 counts the URL with the head: Hypercorn answers 431, or, when the head came whole, the
    # query's answer (a statement error in a 200: InfluxDB 3's InfluxQL)
    assert status == 414 if server.name == "uvicorn" else status in (200, 431)
    ping_ok(server)


def test_a_head_just_under_the_caps_is_served(server):
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 500) for i in range(90))
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /ping HTTP/1.1\r\nHost: a\r\n" + headers + b"\r\n")
        assert read_response(sock)[0] == 204


# -- item 11: deadlines ------------------------------------------------------------------------

def _trickle(port: int, head: bytes, drip: bytes, every: float, limit: float) -> tuple[int | None, float]:
    """Send ``head`` then one byte of ``drip`` every ``every`` s; the status the server answers
    (None: it closed without one) and when."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head)
        t0 = time.monotonic()
        sock.settimeout(every)
        buf = b""
        for b in drip:
            try:
                sock.sendall(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                chunk = None
            except ConnectionResetError:
                break
            if chunk == b"":
                break
            if chunk:
                buf += chunk
                if b"\r\n\r\n" in buf:
                    break
            if time.monotonic() - t0 > limit:
                pytest.fail(f"still reading a trickling client after {limit} s")
        if b"\r\n\r\n" not in buf:
            try:
                sock.settimeout(2)
                buf += sock.recv(65536)
            except (TimeoutError, ConnectionError):
                pass
        status = int(buf.split()[1]) if buf.startswith(b"HTTP/1.1 ") else None
        return status, time.monotonic() - t0


def test_a_trickled_head_gets_408_by_the_head_deadline(server):
    if server.name == "hypercorn":
        pytest.skip("Hypercorn has no head deadline (its read timeout is per read): see limits.py")
    status, took = _trickle(server.port, b"GET /ping HTTP/1.1\r\n", b"X-Slow: " + b"a" * 200, 0.2, 8)
    assert status == 408
    assert took < 4


def test_a_trickled_body_gets_408_by_the_request_deadline(server):
    head = b"POST /api/v2/write?bucket=trickle HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n"
    status, took = _trickle(server.port, head, b"m v=1\n" * 80, 0.2, 10)
    assert status == 408
    assert took < 5
    ping_ok(server)


# -- item 11: connections and descriptors ---------------------------------------------------------

def test_idle_connections_past_the_cap_make_room_and_busy_ones_get_503(tmp_path_factory):
    s = _server(tmp_path_factory, "uvicorn", "--max-connections", "20")
    try:
        idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(60)]
        ping_ok(s)  # idle sockets were closed to make room for it
        closed = sum(closed_soon(c, c.gettimeout()) for c in _within(idle, 2.0))
        assert closed >= 40
        for c in idle:
            c.close()
        busy = []
        for _ in range(30):  # mid-request: nothing to close for room
            c = socket.create_connection(("127.0.0.1", s.port))
            c.sendall(b"POST /api/v2/write?bucket=b HTTP/1.1\r\nHost: a\r\nContent-Length: 99\r\n\r\nm")
            busy.append(c)
        refused = 0
        for c in _within(busy, 2.0):
            try:
                data = c.recv(65536)
            except TimeoutError:
                continue
            refused += data.startswith(b"HTTP/1.1 503 ")
        assert refused == 10
        for c in busy:
            c.close()
        ping_ok(s)
    finally:
        s.kill()


def _answered(sock: socket.socket) -> bool:
    sock.settimeout(0.01)
    try:
        return sock.recv(65536, socket.MSG_PEEK).startswith(b"HTTP/1.1 503 ")
    except (TimeoutError, ConnectionError):
        return False


class _LimitedServer(Server):
    """The shipped command under a low open-file limit (``ulimit -n``)."""

    nofile = 400

    def command(self) -> list[str]:
        argv = super().command()[1:]
        code = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (%d, %d)); "
                "sys.argv = ['tsdb'] + sys.argv[1:]; runpy.run_module('tsdb_core.cli', run_name='__main__')"
                % (self.nofile, self.nofile))
        return [sys.executable, "-c", code, *argv[2:]]


def test_a_flood_of_sockets_leaves_descriptors_for_the_store(tmp_path_factory):
    s = _LimitedServer(tmp_path_factory.mktemp("fds") / "store", cli=True, extra=["--http-server", "uvicorn"])
    s.start()
    socks = []
    try:
        for _ in range(600):  # more than the process may open
            c = socket.create_connection(("127.0.0.1", s.port))
            c.sendall(b"GET /ping HTTP/1.1\r\n")  # mid-request: never closed to make room
            socks.append(c)
        deadline = time.monotonic() + 10
        fds = 0
        while time.monotonic() < deadline:  # the server accepts what it will, then refuses (503) or waits
            fds = max(fds, len(os.listdir(f"/proc/{s.proc.pid}/fd")))
            if sum(_answered(c) for c in socks[-50:]) == 50:
                break
        assert fds <= s.nofile - FD_RESERVE + 40  # the reserve stays free for the store
        r = httpx.post(s.url + "/api/v2/write?bucket=fds", content=b"m v=1", timeout=5)
        assert r.status_code == 503  # every slot is mid-request: an answer, not a hang
        for c in socks:
            c.close()
        socks.clear()
        r = httpx.post(s.url + "/api/v2/write?bucket=fds", content=b"m v=1", timeout=5)
        assert r.status_code == 204
        rc = s.stop()
        assert rc == 0
        log = s.log_tail(100_000)
        assert "Too many open files" not in log and "EMFILE" not in log, log[-3000:]
    finally:
        for c in socks:
            c.close()
        s.kill()


# -- item 6: control bytes in error messages ----------------------------------------------------

@pytest.mark.parametrize("bad", [b"\x01", b"\x00", b"\x1f", b"\x7f", b"\x0b"])
def test_a_control_byte_in_a_rejected_line_still_gets_an_answer(server, bad):
    body = b"ok v=1\nbad" + bad + b"line\n"
    r = httpx.post(server.url + f"/api/v2/write?bucket=ctl{bad[0]}", content=body, timeout=5)
    assert r.status_code == 400
    err = r.headers["x-influxdb-error"]
    assert all(32 <= ord(ch) < 127 for ch in err)
    assert "bad" + bad.decode() + "line" in r.json()["message"]  # the body keeps the exact text
    q = httpx.get(server.url + "/query", params={"db": f"ctl{bad[0]}", "q": "SELECT count(v) FROM ok"}, timeout=5)
    assert q.json()["results"][0]["series"][0]["values"][0][1] == 1  # stored once


def test_a_control_byte_in_a_query_error_still_gets_an_answer(server):
    r = httpx.get(server.url + "/query", params={"db": "x", "q": "SELECT * FROM e", "epoch": "e\x7f"}, timeout=5)
    assert r.status_code == 400
    assert "\x7f" in r.json()["error"]
    assert "x-influxdb-error" not in r.headers  # InfluxDB 3's /query errors carry no header of their own


# -- item 13: Host and Origin without auth ------------------------------------------------------------

def _create(server: Server, db: str) -> None:
    r = httpx.post(server.url + f"/api/v2/write?bucket={db}", content=b"m v=1", timeout=5)
    assert r.status_code == 204


def _databases(server: Server) -> list[str]:
    """The databases among those the tests make (InfluxDB 3's InfluxQL has no SHOW DATABASES)."""
    def exists(db: str) -> bool:
        r = httpx.get(server.url + "/query", params={"db": db, "q": "SHOW MEASUREMENTS"}, timeout=5)
        return "error" not in r.json()["results"][0]
    return [db for db in ("rebind", "csrf") if exists(db)]


def test_dns_rebinding_host_is_refused_without_auth(server):
    _create(server, "rebind")
    for path in ("/query?q=SHOW+DATABASES", "/query?q=SHOW+DATABASES"):  # twice: the direct path too
        r = httpx.get(server.url + path, headers={"Host": "evil.example:8086"}, timeout=5)
        assert r.status_code == 403
        assert "host 'evil.example' is not allowed without authentication" in r.json()["message"]
    r = httpx.post(server.url + "/query", data={"q": "DROP DATABASE rebind"}, headers={"Host": "evil.example"},
                   timeout=5)
    assert r.status_code == 403
    assert "rebind" in _databases(server)
    for host in ("localhost:8086", "127.0.0.1:1", "[::1]:8086", "app.localhost", "tsdb"):
        assert httpx.get(server.url + "/query?q=SHOW+DATABASES", headers={"Host": host}, timeout=5).status_code == 200
    assert httpx.get(server.url + "/ping", headers={"Host": "evil.example"}, timeout=5).status_code == 204


def test_csrf_form_post_from_a_foreign_origin_is_refused_without_auth(server):
    _create(server, "csrf")
    r = httpx.post(server.url + "/query", data={"q": "DROP DATABASE csrf"},
                   headers={"Origin": "http://evil.example"}, timeout=5)
    assert r.status_code == 403
    assert "cross-origin request from 'http://evil.example' refused" in r.json()["message"]
    assert "access-control-allow-origin" not in r.headers
    assert "csrf" in _databases(server)
    pre = httpx.options(server.url + "/query", headers={"Origin": "http://evil.example",
                                                        "Access-Control-Request-Method": "POST"}, timeout=5)
    assert "access-control-allow-origin" not in pre.headers
    ok = httpx.get(server.url + "/query?q=SHOW+DATABASES", headers={"Origin": "http://localhost:3000"}, timeout=5)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_allowed_host_and_cors_origin_flags(tmp_path_factory):
    s = _server(tmp_path_factory, "uvicorn", "--allowed-host", "tsdb.example", "--cors-origin", "https://ui.example")
    try:
        r = httpx.get(s.url + "/query?q=SHOW+DATABASES", headers={"Host": "tsdb.example:8086",
                                                                 "Origin": "https://ui.example"}, timeout=5)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://ui.example"
        r = httpx.get(s.url + "/query?q=SHOW+DATABASES", headers={"Host": "other.example"}, timeout=5)
        assert r.status_code == 403
        r = httpx.get(s.url + "/query?q=SHOW+DATABASES", headers={"Origin": "http://localhost:3000"}, timeout=5)
        assert r.status_code == 403  # with --cors-origin, only the origins given
    finally:
        s.kill()


@pytest.mark.parametrize("host,refused", [("0.0.0.0", True), ("192.0.2.1", True), ("::", True),
                                           ("127.0.0.1", False), ("::1", False), ("localhost", False)])
def test_hypercorn_serves_loopback_only(tmp_path, host, refused):
    """Hypercorn has no connection cap and no head deadline: it is never bound where others reach it."""
    from tsdb_core import UserError
    from tsdb_http.serve import serve

    if host == "::1" and not _can_bind_ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    if refused:
        with pytest.raises(UserError, match="Hypercorn serves loopback only"):
            serve(tmp_path / "d", host=host, port=0, server="hypercorn", no_auth=True)
        assert not (tmp_path / "d").exists()  # refused before the store is opened
    else:
        import threading

        stop, ready = threading.Event(), threading.Event()
        t = threading.Thread(target=serve, args=(tmp_path / "d",), daemon=True,
                             kwargs=dict(host=host, port=0, server="hypercorn", no_auth=True, stop=stop, ready=ready))
        t.start()
        assert ready.wait(30)
        stop.set()
        t.join(30)
        assert not t.is_alive()


def _can_bind_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


# -- item 4: /query form bodies: auth first, capped, never spooled ---------------------------------

def _asgi_post(app, path: bytes, headers: list, body: bytes, chunk: int = 65536):
    """Drive ``app`` with one POST; returns (status, body, bytes the app read)."""
    sent = {"read": 0}
    out = {"status": None, "body": b""}
    pieces = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]

    async def receive():
        if sent["read"] < len(pieces):
            piece = pieces[sent["read"]]
            sent["read"] += 1
            return {"type": "http.request", "body": piece, "more_body": sent["read"] < len(pieces)}
        await asyncio.sleep(3600)

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        else:
            out["body"] += message.get("body", b"")

    path, _, qs = path.partition(b"?")
    scope = {"type": "http", "method": "POST", "path": path.decode(), "raw_path": path, "query_string": qs,
             "headers": headers, "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("127.0.0.1", 8086), "client": ("127.0.0.1", 1)}
    asyncio.run(app(scope, receive, send))
    return out["status"], out["body"], sum(len(p) for p in pieces[:sent["read"]])


def _multipart(q: str, size: int) -> tuple[bytes, bytes]:
    boundary = b"b0undary"
    body = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="q"\r\n\r\n' + q.encode()
            + b"\r\n--" + boundary + b'\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + b"z" * size + b"\r\n--" + boundary + b"--\r\n")
    return body, b"multipart/form-data; boundary=" + boundary


@pytest.fixture()
def auth_app(tmp_path):
    import tsdb_core
    from tsdb_http.tokens import TokenStore
    from tsdb_http.app import ShimConfig, create_app
    from tsdb_http.serve import store_config

    store = tsdb_core.open(tmp_path / "store", config=store_config("cloud-dedicated"))
    tokens = TokenStore(None)
    secret, _ = tokens.create("*", read=True, write=True)
    yield create_app(store, tokens, ShimConfig(max_body_bytes=1_000_000)), secret
    store.close()


@pytest.mark.parametrize("kind", ["multipart", "urlencoded"])
def test_query_form_body_is_not_read_before_authentication(auth_app, kind):
    app, _ = auth_app
    if kind == "multipart":
        body, ctype = _multipart("SHOW DATABASES", 3_000_000)
    else:
        body, ctype = b"q=SHOW+DATABASES&x=" + b"z" * 3_000_000, b"application/x-www-form-urlencoded"
    status, answer, read = _asgi_post(app, b"/query", [(b"content-type", ctype)], body)
    assert status == 401
    assert read == 0


@pytest.mark.parametrize("kind", ["multipart", "urlencoded"])
def test_query_form_body_is_capped_like_a_write_body(auth_app, kind, monkeypatch):
    import tempfile

    def no_spool(*a, **k):
        raise AssertionError("a form part was spooled to a temporary file")

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", no_spool)
    app, secret = auth_app
    auth = (b"authorization", b"Token " + secret.encode())
    if kind == "multipart":
        body, ctype = _multipart("SHOW DATABASES", 3_000_000)
    else:
        body, ctype = b"q=SHOW+DATABASES&x=" + b"z" * 3_000_000, b"application/x-www-form-urlencoded"
    status, answer, read = _asgi_post(app, b"/query", [(b"content-type", ctype), auth], body)
    assert status == 413
    assert json.loads(answer)["error"] == "Request Entity Too Large"
    assert read <= 1_000_000 + 65536
    small, ctype = _multipart("SHOW DATABASES", 10)
    status, answer, _ = _asgi_post(app, b"/query", [(b"content-type", ctype), auth], small)
    assert status == 200 and json.loads(answer)["results"][0]["statement_id"] == 0


def test_multipart_without_a_boundary_is_a_400(auth_app):
    app, secret = auth_app
    status, answer, _ = _asgi_post(app, b"/query", [(b"content-type", b"multipart/form-data"),
                                                    (b"authorization", b"Token " + secret.encode())], b"x")
    # (the cloud dialect reads /query bodies as InfluxDB 3 does: iox_v1_query_api handler.rs multipart_upload)
    assert status == 400 and json.loads(answer)["error"] == "A boundary header is required for multipart upload"


# -- item 14: no query work of unbounded cost on the event loop ------------------------------------

def test_a_cost_measured_before_a_write_or_long_ago_is_measured_again(monkeypatch):
    from tsdb_http import offload as offload_mod

    def where():
        try:
            asyncio.get_running_loop()
            return "loop"
        except RuntimeError:
            return "thread"

    off = offload_mod.Offload(0.5)

    async def go(n):
        off.busy = 1
        return [await off.run("k", where) for _ in range(n)]

    assert asyncio.run(go(3)) == ["thread", "loop", "loop"]
    off.data_changed()  # a write was served: the data may have grown
    assert asyncio.run(go(2)) == ["thread", "loop"]
    monkeypatch.setattr(offload_mod, "FRESH_S", 0.0)  # every measure is stale at once
    assert asyncio.run(go(2)) == ["thread", "thread"]


class _GrowingStore:
    """The real store, whose queries cost ``delay`` s more once data have grown (a sleep: the GIL is free,
    so only a query run on the event loop can stall it)."""

    def __init__(self, store):
        self._store, self.delay = store, 0.0

    def query(self, *args, **kwargs):
        time.sleep(self.delay)
        return self._store.query(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_query_slow_on_grown_data_does_not_stall_ping(tmp_path):
    import threading

    from tsdb_http.serve import start_in_thread

    stores = []
    handle = start_in_thread(tmp_path / "store", no_auth=True, server="uvicorn",
                             wrap_store=lambda st: stores.append(_GrowingStore(st)) or stores[0])
    url = handle.url
    try:
        q = {"db": "grow", "q": "SELECT v FROM m"}
        assert httpx.post(url + "/api/v2/write?bucket=grow", content=b"m v=1", timeout=5).status_code == 204
        with httpx.Client(timeout=30) as c:
            for _ in range(3):  # measured quick: the old code then answered it on the loop
                assert c.get(url + "/query", params=q).status_code == 200
            assert httpx.post(url + "/api/v2/write?bucket=grow", content=b"m v=2", timeout=5).status_code == 204
            stores[0].delay = 0.5  # the data have grown: the same query now costs 0.5 s
            answered, lat = [], []

            def ask():
                t0 = time.monotonic()
                assert c.get(url + "/query", params=q).status_code == 200
                answered.append(time.monotonic() - t0)

            with httpx.Client(timeout=10) as p:
                assert p.get(url + "/ping").status_code == 204  # (connected)
                t = threading.Thread(target=ask)
                t.start()  # alone in flight
                time.sleep(0.05)
                while not answered:  # pings while it runs
                    t0 = time.monotonic()
                    assert p.get(url + "/ping").status_code == 204
                    lat.append(time.monotonic() - t0)
                t.join()
        assert answered[0] >= 0.5
        # a query on the loop would hold the pings for its 0.5 s: one ping, waiting it out; off the
        # loop many answer meanwhile, most at once (a loaded machine may still delay one)
        assert len(lat) >= 3 and sorted(lat)[len(lat) // 2] < 0.1, lat
    finally:
        handle.stop()


def test_tsdb_serve_raises_a_low_soft_descriptor_limit_toward_its_hard_limit(tmp_path):
    """A distribution's soft 1,024 would cap connections far below the default; the hard limit stays."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (512, 2048)); "
            "from tsdb_http.limits import raise_fd_limit, connection_cap; "
            "print(raise_fd_limit(), resource.getrlimit(resource.RLIMIT_NOFILE), connection_cap()); "
            "resource.setrlimit(resource.RLIMIT_NOFILE, (300, 300)); print(raise_fd_limit())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["2048 (2048, 2048) 1792", "300"]
