"""uvicorn_server: one write per sized response, lower-case methods, and the read timeout."""
from __future__ import annotations

import socket
import time

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

from tsdb_http import uvicorn_protocol, uvicorn_server  # noqa: E402
from tsdb_http.serve import http_server, start_in_thread  # noqa: E402


class FakeTransport:
    def __init__(self):
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data):
        self.writes.append(bytes(data))

    def close(self):
        self.closed = True

    def is_closing(self):
        return self.closed

    def get_extra_info(self, name, default=None):
        return ("info", name)


class ProtocolTransport(FakeTransport):
    """What uvicorn's protocol asks of a transport besides writes (a loopback peer)."""

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 1), "peername": ("127.0.0.1", 2)}.get(name, default)

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


class FakeCycle:
    def __init__(self, method="GET", chunked=False, length=0):
        self.scope = {"method": method}
        self.chunked_encoding = chunked
        self.expected_content_length = length


def test_a_sized_head_waits_for_its_body():
    t = FakeTransport()
    w = uvicorn_protocol._OneWrite(t, FakeCycle(length=5))
    w.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
    assert t.writes == []
    w.write(b"hello")
    assert t.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"]
    w.write(b"more")  # anything after goes straight out
    assert t.writes[-1] == b"more"


@pytest.mark.parametrize("cycle", [FakeCycle(method="HEAD", length=5), FakeCycle(chunked=True),
                                   FakeCycle(chunked=None), FakeCycle(length=0)],
                         ids=["HEAD", "chunked", "unknown", "empty"])
def test_heads_without_a_sized_body_go_at_once(cycle):
    t = FakeTransport()
    w = uvicorn_protocol._OneWrite(t, cycle)
    w.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert t.writes == [b"HTTP/1.1 204 No Content\r\n\r\n"]


def test_close_flushes_a_held_head():
    t = FakeTransport()
    w = uvicorn_protocol._OneWrite(t, FakeCycle(length=5))
    w.write(b"HEAD-BYTES")
    w.close()
    assert t.writes == [b"HEAD-BYTES"] and t.closed
    assert w.get_extra_info("peername") == ("info", "peername")


@pytest.mark.parametrize("data, expected", [
    (b"post /write HTTP/1.1\r\n", b"POST /write HTTP/1.1\r\n"),
    (b"get /ping HTTP/1.1\r\n", b"GET /ping HTTP/1.1\r\n"),
    (b"brew /pot HTTP/1.1\r\n", b"brew /pot HTTP/1.1\r\n"),   # not a method: httptools says 400
    (b"postit", b"postit"),                                    # no space: left alone
])
def test_lower_case_methods(data, expected):
    assert uvicorn_protocol._upper_method(data) == expected


def test_server_choice(monkeypatch):
    monkeypatch.delenv("TSDB_HTTP_SERVER", raising=False)
    assert http_server() == "uvicorn"
    assert http_server("Hypercorn") == "hypercorn"
    monkeypatch.setenv("TSDB_HTTP_SERVER", "hypercorn")
    assert http_server() == "hypercorn"
    with pytest.raises(ValueError, match="unknown HTTP server"):
        http_server("gunicorn")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    import tsdb_http.serve as serve_mod

    old, serve_mod.READ_TIMEOUT_S = serve_mod.READ_TIMEOUT_S, 1.0
    try:
        h = start_in_thread(None, no_auth=True, compat="influxdb1", server="uvicorn")
    finally:
        serve_mod.READ_TIMEOUT_S = old  # read when the server started
    h.port = int(h.url.rsplit(":", 1)[1])
    yield h
    h.stop()


def _exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while b"\r\n\r\n" not in out:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out


def test_the_protocol_writes_a_sized_answer_once():
    """Through uvicorn's own request cycle: head + body of each answer in one transport write."""
    import asyncio

    from uvicorn.server import ServerState

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"5"), (b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"hello"})

    async def main():
        cfg = uvicorn_server.config(app, 1.0, "warning", None)
        cfg.load()
        proto = cfg.http_protocol_class(config=cfg, server_state=ServerState(), app_state={})
        t = ProtocolTransport()
        proto.connection_made(t)
        for _ in range(3):
            proto.data_received(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
            await asyncio.gather(*proto.tasks)
        proto.connection_lost(None)
        return t.writes

    writes = asyncio.run(main())
    assert len(writes) == 3
    assert all(w.startswith(b"HTTP/1.1 200 OK\r\n") and w.endswith(b"\r\n\r\nhello") for w in writes)


def _protocol_with(app, answer_now=None, read_timeout=None):
    from uvicorn.server import ServerState

    cfg = uvicorn_server.config(app, 1.0, "warning", read_timeout)
    cfg.load()
    cls = cfg.http_protocol_class
    if answer_now is not None:
        cls = uvicorn_server.protocol_class(read_timeout, answer_now)
    proto = cls(config=cfg, server_state=ServerState(), app_state={})
    t = ProtocolTransport()
    proto.connection_made(t)
    return proto, t


def test_a_request_arriving_whole_sets_no_deadline_and_one_in_pieces_does():
    """A request that came in one read has nothing left to wait for: no timer is made for it.
    One still arriving gets its deadline, counted from its first byte."""
    import asyncio

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def main():
        proto, t = _protocol_with(app, answer_now=lambda path, qs, headers: ([(b"content-length", b"2")], b"ok"))
        made = []
        real = proto.loop.call_later
        proto.loop.call_later = lambda delay, fn, *a: made.append((delay, fn.__name__)) or real(delay, fn, *a)
        proto.data_received(b"GET /query?q=x HTTP/1.1\r\nHost: a\r\n\r\n")
        whole = [name for _, name in made if name == "_overdue"]
        assert t.writes and t.writes[-1].endswith(b"\r\n\r\nok") and proto._deadline is None
        proto.data_received(b"GET /query?q=x HTTP/1.1\r\nHo")
        deadline = proto._deadline
        assert deadline is not None and 0 < deadline.when() - proto.loop.time() <= proto.head_timeout
        proto.data_received(b"st: a\r\n\r\n")
        assert proto._deadline is None and deadline.cancelled()
        proto.connection_lost(None)
        return whole, t.writes

    whole, writes = asyncio.run(main())
    assert whole == [] and len(writes) == 2 and writes[0] == writes[1]


def test_a_direct_answer_carries_the_default_headers_of_the_moment():
    """The status line and the server's default headers (Date changes every second) are joined
    once per list uvicorn makes, and a new list is used as soon as it is there."""
    import asyncio

    async def app(scope, receive, send):
        raise AssertionError("answered directly")

    async def main():
        proto, t = _protocol_with(app, answer_now=lambda path, qs, headers: ([(b"content-length", b"2")], b"ok"))
        request = b"GET /query?q=x HTTP/1.1\r\nHost: a\r\n\r\n"
        proto.server_state.default_headers = [(b"date", b"Sun, 06 Dec 2026 10:00:00 GMT")]
        proto.data_received(request)
        proto.data_received(request)
        proto.server_state.default_headers = [(b"date", b"Sun, 06 Dec 2026 10:00:01 GMT")]
        proto.data_received(request)
        proto.connection_lost(None)
        return t.writes

    writes = asyncio.run(main())
    head = b"HTTP/1.1 200 OK\r\ndate: Sun, 06 Dec 2026 10:00:0%d GMT\r\ncontent-length: 2\r\n\r\nok"
    assert writes == [head % 0, head % 0, head % 1]


def test_lower_case_post_is_served(live):
    body = b"db=x&q=CREATE+DATABASE+x"
    got = _exchange(live.port, b"post /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                               b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    assert got.startswith(b"HTTP/1.1 200"), got


@pytest.mark.parametrize("sent", [b"POST /write?db=x HTTP/1.1\r\nHost: a\r\n",
                                  b"POST /write?db=x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nm v=1"],
                         ids=["half-headers", "half-body"])
def test_a_request_stalled_midway_is_cut_after_the_read_timeout(live, sent):
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(sent)
        t0 = time.monotonic()
        s.settimeout(8)
        while s.recv(65536):
            pass
        assert time.monotonic() - t0 < 5


def _bodies_seen(requests: list[list[bytes]], gather: int | None = None) -> tuple[list[list[tuple[bytes, bool]]], list[bytes]]:
    """Feed each request (a list of socket reads) through uvicorn's request cycle with the
    shim's protocol; returns the (body, more_body) messages the app received per request,
    and what went out on the transport."""
    import asyncio

    from uvicorn.server import ServerState

    seen: list[list[tuple[bytes, bool]]] = []

    async def app(scope, receive, send):
        got = []
        while True:
            msg = await receive()
            got.append((msg["body"], msg["more_body"]))
            if not msg["more_body"]:
                break
        seen.append(got)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def main():
        cfg = uvicorn_server.config(app, 1.0, "warning", None)
        cfg.load()
        proto = cfg.http_protocol_class(config=cfg, server_state=ServerState(), app_state={})
        if gather is not None:
            proto.gather_max = gather
        t = ProtocolTransport()
        proto.connection_made(t)
        for reads in requests:
            for data in reads:
                proto.data_received(data)
                await asyncio.sleep(0)  # the app's task runs between reads, as on a socket
            await asyncio.gather(*proto.tasks)
        proto.connection_lost(None)
        return t.writes

    writes = asyncio.run(main())
    return seen, writes


def test_a_sized_body_reaches_the_app_whole():
    """A body read from the socket in pieces is one message to the app, the same bytes."""
    body = b"".join(b"cpu,host=h%d v=%d %d\n" % (i, i, i) for i in range(20000))
    head = b"POST /write?db=x HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(body)
    reads = [head + body[:1000]] + [body[i:i + 70000] for i in range(1000, len(body), 70000)]
    assert len(reads) > 3
    seen, writes = _bodies_seen([reads, [head + body]])
    assert seen == [[(body, False)], [(body, False)]]
    answers = [w for w in writes if w]
    assert len(answers) == 2 and all(w.startswith(b"HTTP/1.1 204") for w in answers)


def test_chunked_and_oversized_bodies_still_stream():
    """No Content-Length (chunked), or one past the gathering cap: uvicorn's messages as they come."""
    chunked = [b"POST /write HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
               b"6\r\n world\r\n", b"0\r\n\r\n"]
    seen, _ = _bodies_seen([chunked])
    assert b"".join(b for b, _ in seen[0]) == b"hello world" and len(seen[0]) > 1
    big = [b"POST /write HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345", b"67890"]
    seen, _ = _bodies_seen([big], gather=9)
    assert b"".join(b for b, _ in seen[0]) == b"1234567890" and len(seen[0]) > 1
    seen, _ = _bodies_seen([big], gather=10)
    assert seen == [[(b"1234567890", False)]]


def test_expect_continue_with_a_gathered_body():
    """The client waits for 100 Continue before its body: the app's first receive() sends it."""
    head = b"POST /write HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    seen, writes = _bodies_seen([[head, b"hello"]])
    assert seen == [[(b"hello", False)]]
    answers = [w for w in writes if w]
    assert answers[0] == b"HTTP/1.1 100 Continue\r\n\r\n" and answers[1].startswith(b"HTTP/1.1 204")


def test_a_body_sent_in_pieces_is_written(live):
    """Over a socket, a body trickled in pieces with pauses is gathered and written whole."""
    lines = b"".join(b"m,k=a v=%d %d\n" % (i, i) for i in range(1, 3001))
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        q = b"q=CREATE+DATABASE+pieces"
        s.sendall(b"POST /query HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(q) + q)
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
        s.sendall(b"POST /write?db=pieces HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(lines))
        for i in range(0, len(lines), 7000):
            s.sendall(lines[i:i + 7000])
            time.sleep(0.01)
        assert s.recv(65536).startswith(b"HTTP/1.1 204")
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(b"GET /query?db=pieces&q=SELECT+count(v),sum(v)+FROM+m HTTP/1.1\r\nHost: a\r\n"
                  b"Connection: close\r\n\r\n")
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    assert out.startswith(b"HTTP/1.1 200")
    assert b'"1970-01-01T00:00:00Z",3000,4501500]' in out, out
