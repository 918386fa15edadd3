"""Answers without an ASGI task (ShimApp.answer_now through uvicorn_server's protocol).

Each test drives the real protocol class over a fake transport, so it can tell
which way a request went: an ASGI answer leaves a task behind, a direct one none.
The direct answer must be the ASGI answer, byte for byte (bar the date and the
request id), and must never be given when the ASGI path would do anything else.
"""
from __future__ import annotations

import asyncio
import re
import urllib.parse

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

from uvicorn.server import ServerState  # noqa: E402

from tests.http.conftest import NOW_NS, REAL_ENGINE, engine_store  # noqa: E402
from tests.http.test_uvicorn_server import ProtocolTransport  # noqa: E402
from tsdb_http import kept_answers, uvicorn_server  # noqa: E402
from tsdb_http.app import ShimConfig, create_app  # noqa: E402

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")


class Conn:
    """One keep-alive connection to ``app`` through the shim's uvicorn protocol."""

    def __init__(self, app):
        cfg = uvicorn_server.config(app, 1.0, "warning", None)
        cfg.load()
        self.state = ServerState()
        self.proto = cfg.http_protocol_class(config=cfg, server_state=self.state, app_state={})
        self.t = ProtocolTransport()
        self.proto.connection_made(self.t)

    async def send(self, data: bytes) -> tuple[list[bytes], bool]:
        """The writes ``data`` caused, and whether an ASGI task answered (any of it)."""
        before = len(self.t.writes)
        tasks = set(self.proto.tasks)
        self.proto.data_received(data)
        started = bool(self.proto.tasks - tasks)
        while self.proto.tasks:
            await asyncio.gather(*self.proto.tasks)
            await asyncio.sleep(0)  # a pipelined request starts from the previous one's callback
            started = True
        return self.t.writes[before:], started


def get(path_qs: str, *headers: str) -> bytes:
    lines = [f"GET {path_qs} HTTP/1.1", "Host: a", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def q(query: str, **params) -> str:
    return "/query?" + urllib.parse.urlencode({"db": "mydb", "q": query, **params})


def normalised(answer: bytes) -> bytes:
    answer = re.sub(rb"(?im)^date: .*\r\n", b"date: -\r\n", answer)
    return re.sub(rb"(?im)^((?:x-)?request-id): [^\r]*", rb"\1: -", answer)


@pytest.fixture
def app():
    store, raw = engine_store("influxdb1")
    raw.create_database("mydb")
    raw.write("mydb", "\n".join(
        f"cpu,host=h{i % 3} usage={i}.5,n={i}i,ok=true,s=\"x{i}\" {NOW_NS - (100 - i) * 10**9}" for i in range(100)))
    app = create_app(store, None, ShimConfig(compat="influxdb1", no_auth=True))
    app.offload.budget_s = 10.0  # whatever a first query costs on a busy machine
    yield app
    raw.close()


def run(coro):
    return asyncio.run(coro)


READS = [
    q("SELECT * FROM cpu WHERE host = 'h1' LIMIT 5"),
    q("SELECT mean(usage), count(n) FROM cpu GROUP BY host"),
    q("SELECT usage FROM cpu LIMIT 3", epoch="ms"),
    q("SELECT * FROM cpu LIMIT 2", pretty="true"),
    q("SHOW TAG VALUES WITH KEY = host"),
    q("SHOW MEASUREMENTS"),
    q("SELECT usage FROM cpu LIMIT 2", db="nodb"),          # a statement error: a 200 all the same
    q("SELECT nothing FROM cpu"),                            # no series
]


@pytest.mark.parametrize("path_qs", READS)
@pytest.mark.parametrize("headers", [(), ("Accept: application/csv",), ("Accept-Encoding: gzip",),
                                     ("Accept: application/x-msgpack",), ("Origin: http://localhost:3000", "X-Request-Id: r1")],
                         ids=["json", "csv", "gzip", "msgpack", "cors"])
def test_a_repeated_read_is_answered_directly_and_alike(app, path_qs, headers):
    async def go():
        c = Conn(app)
        first, via_task = await c.send(get(path_qs, *headers))
        second, via_task2 = await c.send(get(path_qs, *headers))
        return first, via_task, second, via_task2, c

    first, via_task, second, via_task2, c = run(go())
    assert via_task and not via_task2  # the first measures the cost, the second needs no task
    assert len(second) == 1  # one write
    assert first[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert normalised(second[0]) == normalised(b"".join(first))
    assert c.state.total_requests == 2
    assert c.proto.timeout_keep_alive_task is not None  # idle again: the keep-alive timer runs


def test_the_request_id_and_origin_are_the_callers(app):
    async def go():
        c = Conn(app)
        await c.send(get(q("SHOW MEASUREMENTS")))
        return (await c.send(get(q("SHOW MEASUREMENTS"), "Request-Id: abc", "Origin: http://127.0.0.1:3000")))

    (answer,), via_task = run(go())
    assert not via_task
    assert b"\r\nrequest-id: abc\r\n" in answer and b"\r\nx-request-id: abc\r\n" in answer
    assert b"\r\naccess-control-allow-origin: http://127.0.0.1:3000\r\n" in answer


def test_answers_follow_the_data(app):
    store = app.state.shim.store

    async def go():
        c = Conn(app)
        path = q("SELECT count(usage) FROM cpu")
        await c.send(get(path))
        (before,), _ = await c.send(get(path))
        store.write("mydb", f"cpu,host=h9 usage=1 {NOW_NS}")
        (after,), via_task = await c.send(get(path))
        return before, after, via_task

    before, after, via_task = run(go())
    assert not via_task
    assert b'"count"],"values":[["1970-01-01T00:00:00Z",100]]' in before
    assert b'"count"],"values":[["1970-01-01T00:00:00Z",101]]' in after


@pytest.mark.parametrize("second", [
    b"HEAD /query?db=mydb&q=SHOW+MEASUREMENTS HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /query?db=mydb&q=SHOW+MEASUREMENTS HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS HTTP/1.0\r\nHost: a\r\n\r\n",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS&chunked=true HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS&u=x&p=y HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /query?db=mydb&q=SHOW+MEASUREMENTS&params=%7Bx HTTP/1.1\r\nHost: a\r\n\r\n",
    b"HEAD /ping HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /ping HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
], ids=["HEAD", "POST", "close", "http1.0", "body", "expect", "chunked", "p=", "bad-param", "HEAD-ping",
        "ping-close"])
def test_everything_else_takes_the_asgi_path(app, second):
    async def go():
        c = Conn(app)
        for _ in range(2):  # the query known quick: a plain GET of it would now be answered directly
            await c.send(get(q("SHOW MEASUREMENTS")))
        assert not (await c.send(get(q("SHOW MEASUREMENTS"))))[1]
        return await Conn(app).send(second)

    writes, via_task = run(go())
    assert via_task and writes


@pytest.mark.parametrize("path_qs", ["/ping", "/ping?verbose=true", "/ping?verbose=0", "/ping?verbose=false",
                                     "/ping?verbose=", "/ping?verbose=1&verbose=false", "/ping?x=1&verbose=yes",
                                     "/ping?verbose"])
@pytest.mark.parametrize("headers", [(), ("Origin: http://localhost:3000", "X-Request-Id: r1"),
                                     ("Origin: http://evil.example",), ("Host: evil.example",)],
                         ids=["plain", "cors", "foreign-origin", "foreign-host"])
@pytest.mark.parametrize("compat", ["influxdb1", "cloud-dedicated"])
def test_a_ping_is_answered_directly_as_the_asgi_path_answers_it(path_qs, headers, compat):
    store, raw = engine_store(compat)
    app = create_app(store, None, ShimConfig(compat=compat, no_auth=True))

    async def asgi_only(scope, receive, send):  # the same app, without answer_now
        await app(scope, receive, send)

    async def go():
        direct, via_task = await Conn(app).send(get(path_qs, *headers))
        asgi, asgi_task = await Conn(asgi_only).send(get(path_qs, *headers))
        return direct, via_task, asgi, asgi_task

    try:
        direct, via_task, asgi, asgi_task = run(go())
    finally:
        raw.close()
    assert asgi_task and not via_task
    assert len(direct) == 1  # one write
    assert normalised(direct[0]) == normalised(b"".join(asgi))
    assert direct[0].startswith(b"HTTP/1.1 204 No Content\r\n" if b"204" in asgi[0][:13] else b"HTTP/1.1 200 OK\r\n")


def test_writes_and_several_statements_are_never_answered_directly(app):
    async def go():
        c = Conn(app)
        out = []
        for text in ("CREATE DATABASE other", "SHOW MEASUREMENTS; SHOW DATABASES",
                     "SELECT * INTO cpu2 FROM cpu"):
            for _ in range(3):
                out.append((await c.send(get(q(text))))[1])
        return out

    assert all(run(go()))


def test_a_request_in_flight_keeps_the_next_on_the_asgi_path(app):
    async def go():
        c = Conn(app)
        path = q("SHOW MEASUREMENTS")
        await c.send(get(path))
        app.offload.busy += 1  # another connection's request inside the app
        try:
            return await c.send(get(path))
        finally:
            app.offload.busy -= 1

    _, via_task = run(go())
    assert via_task


def test_pipelined_requests_are_answered_in_order(app):
    fast, slow = q("SHOW MEASUREMENTS"), q("SHOW TAG KEYS")

    async def go():
        c = Conn(app)
        await c.send(get(fast))  # known quick from now on; `slow` is new (a task)
        writes, _ = await c.send(get(fast, "X-Request-Id: 1") + get(slow, "X-Request-Id: 2")
                                 + get(fast, "X-Request-Id: 3") + get(fast, "X-Request-Id: 4"))
        return writes, c

    writes, c = run(go())
    ids = [re.search(rb"\r\nx-request-id: (\d)\r\n", w).group(1) for w in b"".join(writes).split(b"HTTP/1.1 ")[1:]]
    assert ids == [b"1", b"2", b"3", b"4"]
    assert c.state.total_requests == 5


def test_with_auth_every_request_is_checked(tokens):
    store, raw = engine_store("influxdb1")
    raw.create_database("mydb")
    raw.write("mydb", f"cpu,host=a v=1 {NOW_NS}")
    secret, info = tokens.store.create("mydb", read=True, write=False)
    app = create_app(store, tokens.store, ShimConfig(compat="influxdb1"))
    app.offload.budget_s = 10.0
    path = q("SELECT v FROM cpu")

    async def go():
        c = Conn(app)
        out = []
        for auth in (f"Token {secret}", f"Token {secret}", "Token nope", "", f"Token {tokens.other}"):
            (answer,), via_task = await c.send(get(path, *(["Authorization: " + auth] if auth else [])))
            out.append((answer[9:12], via_task))
        tokens.store.revoke(info.id)
        (answer,), via_task = await c.send(get(path, f"Authorization: Token {secret}"))
        out.append((answer[9:12], via_task))
        return out

    try:  # the other database's token: 403 (influxdb1 dialect, as 1.x)
        assert run(go()) == [(b"200", True), (b"200", False), (b"401", True), (b"401", True),
                             (b"403", True), (b"401", True)]
    finally:
        raw.close()


def test_a_failure_of_the_direct_answer_falls_back_to_the_asgi_path(app, monkeypatch, caplog):
    def boom(self, *a):
        raise RuntimeError("a bug")

    monkeypatch.setattr(type(app), "answer_now", boom)  # what the protocol calls first

    async def go():
        c = Conn(app)
        return await c.send(get(q("SHOW MEASUREMENTS")))

    (answer,), via_task = run(go())
    assert via_task and answer.startswith(b"HTTP/1.1 200 OK")
    assert "answering" in caplog.text and "a bug" in caplog.text


def _counted_app(monkeypatch, n: int):
    """An app over ``n`` points of 4 series with every query counted (``calls``), budget wide
    open, and the path of a query answering all ``n`` rows."""
    store, raw = engine_store("influxdb1")
    raw.create_database("mydb")
    raw.write("mydb", "\n".join(f"cpu,host=h{i % 4} usage={i}.25 {NOW_NS - (n - i) * 10**9}" for i in range(n)))
    app = create_app(store, None, ShimConfig(compat="influxdb1", no_auth=True))
    app.offload.budget_s = 10.0
    calls = []
    real = raw.query
    monkeypatch.setattr(raw, "query", lambda *a, **k: calls.append(1) or real(*a, **k))
    return app, raw, calls, q("SELECT usage FROM cpu GROUP BY host")


def test_an_answer_of_many_rows_is_answered_directly_once(monkeypatch):
    """A quick query whose answer is more than the ASGI path encodes on the event loop
    (routes_query.INLINE_ROWS) is still answered directly: handing it on would run it again."""
    from tsdb_http import routes_query

    n = routes_query.INLINE_ROWS + 300
    app, raw, calls, path = _counted_app(monkeypatch, n)

    async def go():
        c = Conn(app)
        first, _ = await c.send(get(path))
        before = len(calls)
        second, via_task = await c.send(get(path))
        return first, second, via_task, len(calls) - before

    try:
        first, second, via_task, queries = run(go())
    finally:
        raw.close()
    assert not via_task and queries == 1
    assert normalised(second[0]) == normalised(b"".join(first))
    assert second[0].count(b'"host":"h') == 4 and second[0].count(b".25]") == n


def test_an_answer_too_large_to_answer_directly_runs_once_from_the_next_request(monkeypatch):
    """Past routes_query.ANSWER_NOW_ROWS the direct path hands the request on (and its query
    runs again there); it remembers that, so later requests run the query once, on the ASGI path."""
    from tsdb_http import routes_query

    monkeypatch.setattr(routes_query, "ANSWER_NOW_ROWS", 40)
    app, raw, calls, path = _counted_app(monkeypatch, 100)

    async def go():
        c = Conn(app)
        counts = []
        for _ in range(3):
            before = len(calls)
            answer, via_task = await c.send(get(path))
            counts.append((len(calls) - before, via_task, normalised(b"".join(answer))))
        return counts

    try:
        counts = run(go())
    finally:
        raw.close()
    assert [(n, via) for n, via, _ in counts] == [(1, True), (2, True), (1, True)]
    assert counts[0][2] == counts[1][2] == counts[2][2] and counts[2][2].count(b".25]") == 100


def _rfc(ns: int) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(ns // 10**9, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def windows(host: str, ago_s: int) -> str:
    """A TSBS-like text: one host, a 40 s range ending ``ago_s`` before the data's end."""
    end = NOW_NS - ago_s * 10**9
    return q(f"SELECT max(usage) FROM cpu WHERE (host = '{host}') AND time >= '{_rfc(end - 40 * 10**9)}' "
             f"AND time < '{_rfc(end)}' GROUP BY time(10s)")


def test_a_new_text_of_a_shape_known_quick_is_answered_directly_and_alike(app):
    store = app.state.shim.store
    asgi_only = create_app(store, None, ShimConfig(compat="influxdb1", no_auth=True))
    asgi_only.offload.budget_s = 0.0  # every request through the ASGI path

    async def go():
        c = Conn(app)
        _, first_via_task = await c.send(get(windows("h1", 0)))  # measured on a thread
        others = [windows(h, ago) for h, ago in (("h2", 10), ("h0", 30), ("h1", 50))]  # new hosts and times
        news = [await c.send(get(path)) for path in others]
        expected = [(await Conn(asgi_only).send(get(path)))[0] for path in others]
        return first_via_task, news, expected

    first_via_task, news, expected = run(go())
    assert first_via_task and not any(via_task for _, via_task in news)
    for (writes, _), want in zip(news, expected):
        assert len(writes) == 1 and b'"max"],"values":[[' in writes[0]
        assert normalised(writes[0]) == normalised(b"".join(want))


def test_with_auth_a_new_text_of_a_known_shape_is_parsed_and_checked_directly(tokens):
    store, raw = engine_store("influxdb1")
    raw.create_database("mydb")
    raw.write("mydb", "\n".join(f"cpu,host=h{i % 3} usage={i} {NOW_NS - (100 - i) * 10**9}" for i in range(100)))
    secret, _ = tokens.store.create("mydb", read=True, write=False)
    app = create_app(store, tokens.store, ShimConfig(compat="influxdb1"))
    app.offload.budget_s = 10.0

    async def go():
        c = Conn(app)
        out = []
        for h, auth in (("h1", secret), ("h2", secret), ("h0", "nope")):
            (answer,), via_task = await c.send(get(windows(h, 20), f"Authorization: Token {auth}"))
            out.append((answer[9:12], via_task))
        return out

    try:
        assert run(go()) == [(b"200", True), (b"200", False), (b"401", True)]
    finally:
        raw.close()


def test_a_repeated_show_tag_values_is_sent_from_the_kept_bytes_and_follows_the_data(app, monkeypatch):
    raw = app.state.shim.store
    path = q("SHOW TAG VALUES WITH KEY = host")
    executed = []
    real = raw.query
    monkeypatch.setattr(raw, "query", lambda *a, **k: executed.append(1) or real(*a, **k))

    async def go():
        c = Conn(app)
        out = [await c.send(get(path)) for _ in range(4)]
        raw.write("mydb", f"cpu,host=h9 usage=1 {NOW_NS}")  # a new series
        out += [await c.send(get(path)) for _ in range(3)]
        return out

    out = run(go())
    assert [via_task for _, via_task in out] == [True] + [False] * 6
    bodies = [normalised(b"".join(writes)) for writes, _ in out]
    assert bodies[1] == bodies[2] == bodies[3] == bodies[0]
    assert b'["host","h9"]' not in bodies[3] and b'["host","h2"],["host","h9"]]' in bodies[4]
    assert bodies[4] == bodies[5] == bodies[6]
    # the 1st ran it on the ASGI path, the 2nd directly (the same token read before and after),
    # the 3rd and 4th were sent kept; after the write the 5th ran it (no token before: a new
    # answer kept during the call) and the 6th (the same token around it), the 7th was sent kept
    assert len(executed) == 4


def test_a_select_stops_asking_for_a_token(app, monkeypatch):
    raw = app.state.shim.store
    asked = []
    real = raw.answer_token
    monkeypatch.setattr(raw, "answer_token", lambda *a, **k: asked.append(1) or real(*a, **k))

    async def go():
        c = Conn(app)
        return [(await c.send(get(q("SELECT count(usage) FROM cpu"))))[1] for _ in range(8)]

    assert run(go()) == [True] + [False] * 7
    assert len(asked) == 2 * kept_answers.NEVER_AFTER  # (before and after each of the first answers)


def test_new_texts_of_a_family_without_tokens_stop_asking_for_one(app, monkeypatch):
    # TSBS sends each SELECT text once (another host and time range): after NEVER_AFTER answers
    # of its family without a token, a new text of it reads none
    raw = app.state.shim.store
    asked = []
    real = raw.answer_token
    monkeypatch.setattr(raw, "answer_token", lambda *a, **k: asked.append(1) or real(*a, **k))
    texts = [windows(f"h{i % 3}", 10 * i) for i in range(8)]

    async def go():
        c = Conn(app)
        return [await c.send(get(path)) for path in texts]

    out = run(go())
    assert [via_task for _, via_task in out] == [True] + [False] * 7
    assert all(b'"max"],"values":[[' in b"".join(writes) for writes, _ in out)
    # the first ran on the ASGI path (no token read there); the next NEVER_AFTER read two each
    assert len(asked) == 2 * kept_answers.NEVER_AFTER


def test_with_auth_a_kept_answer_is_still_checked(tokens):
    store, raw = engine_store("influxdb1")
    raw.create_database("mydb")
    raw.write("mydb", f"cpu,host=a v=1 {NOW_NS}")
    secret, info = tokens.store.create("mydb", read=True, write=False)
    app = create_app(store, tokens.store, ShimConfig(compat="influxdb1"))
    app.offload.budget_s = 10.0
    path = q("SHOW TAG VALUES WITH KEY = host")

    async def go():
        c = Conn(app)
        out = []
        for auth in [f"Token {secret}"] * 4 + ["Token nope", "", f"Token {tokens.other}"]:
            (answer,), via_task = await c.send(get(path, *(["Authorization: " + auth] if auth else [])))
            out.append((answer[9:12], via_task))
        tokens.store.revoke(info.id)
        (answer,), via_task = await c.send(get(path, f"Authorization: Token {secret}"))
        out.append((answer[9:12], via_task))
        return out

    try:
        assert run(go()) == [(b"200", True)] + [(b"200", False)] * 3 + [
            (b"401", True), (b"401", True), (b"403", True), (b"401", True)]
        assert app.state.shim.kept.get(next(iter(app.state.shim.kept._by_shape.values()))[0])[2] is not None
    finally:
        raw.close()
