"""The protocol's direct lane: a bodiless GET that arrives whole is answered from its own parse.

The lane (``Protocol._answer_whole``) must read a request exactly as uvicorn's callbacks
do (the usual path, taken by the same request sent in two pieces), ask the app once,
leave every other request to the usual path and keep the two parsers at a message
boundary between requests.
"""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

from tests.http.test_uvicorn_server import ProtocolTransport  # noqa: E402
from tsdb_http import uvicorn_server  # noqa: E402
from tsdb_http.limits import Limits  # noqa: E402


def _echo(asked: list):
    """An ``answer_now`` that answers every GET with what it was given (and counts the asks)."""
    def answer_now(path, qs, headers):
        asked.append(path)
        body = repr((path, qs, headers)).encode()
        return [(b"content-length", b"%d" % len(body))], body
    return answer_now


async def _asgi(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4")]})
    await send({"type": "http.response.body", "body": b"asgi"})


class _Conn:
    """One connection of the shim's protocol class over a fake transport."""

    def __init__(self, answer_now, limits: Limits | None = None):
        from uvicorn.server import ServerState

        cfg = uvicorn_server.config(_asgi, 1.0, "warning", None, limits)
        cfg.load()
        cls = uvicorn_server.protocol_class(None, answer_now, limits)
        self.state = ServerState()
        self.proto = cls(config=cfg, server_state=self.state, app_state={})
        self.t = ProtocolTransport()
        self.proto.connection_made(self.t)

    async def send(self, *pieces: bytes) -> tuple[bytes, bool]:
        """What the pieces brought back, and whether an ASGI task answered."""
        before = len(self.t.writes)
        started = False
        for piece in pieces:
            self.proto.data_received(piece)
            while self.proto.tasks:
                started = True
                await asyncio.gather(*self.proto.tasks)
                await asyncio.sleep(0)
        return b"".join(self.t.writes[before:]), started


def _request(target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\n" + b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"


_NAMES = st.sampled_from([b"Host", b"ACCEPT", b"accept-encoding", b"X-Request-Id", b"Origin", b"User-Agent",
                          b"Content-Length", b"authorization"])
_VALUES = st.binary(min_size=0, max_size=12).map(lambda b: bytes(c for c in b if 0x21 <= c < 0x7f)) \
    .flatmap(lambda v: st.sampled_from([v, v + b" ", v + b"\t", b"0" if not v else v]))
_TARGETS = st.sampled_from([b"/ping", b"/query?q=SHOW+MEASUREMENTS&db=x", b"/query?", b"/a%20b?x=%41",
                            b"/query?q=SELECT+*+FROM+%22cpu%22"])


@settings(max_examples=60, deadline=None)
@given(target=_TARGETS, headers=st.lists(st.tuples(_NAMES, _VALUES), max_size=6), cut=st.integers(1, 400))
def test_the_lane_reads_a_request_as_uvicorn_does(target, headers, cut):
    headers = [(k, b"0" if k == b"Content-Length" else v) for k, v in headers]  # (no body: both paths answer)
    if sum(k == b"Content-Length" for k, _ in headers) > 1:  # (llhttp refuses a repeated one: both paths' 400)
        headers = [h for h in headers if h[0] != b"Content-Length"]
    data = _request(target, headers)
    cut = min(cut, len(data) - 1)

    async def go():
        asked: list = []
        whole = _Conn(_echo(asked))
        in_pieces = _Conn(_echo(asked))
        a, a_task = await whole.send(data)
        b, b_task = await in_pieces.send(data[:cut], data[cut:])
        return a, a_task, b, b_task, whole, asked

    a, a_task, b, b_task, whole, asked = asyncio.run(go())
    assert not a_task and not b_task
    assert a == b and a.startswith(b"HTTP/1.1 200 OK\r\n")
    assert whole.proto.scope is None  # uvicorn's callbacks never ran for the whole one
    assert whole.state.total_requests == 1 and whole.proto.timeout_keep_alive_task is not None
    assert len(asked) == 2


def test_a_declined_request_is_asked_once_and_answered_by_the_app():
    asked: list = []

    def answer_now(path, qs, headers):
        asked.append(path)
        return None

    async def go():
        c = _Conn(answer_now)
        return await c.send(_request(b"/query?q=x", [(b"Host", b"a")]))

    answer, via_task = asyncio.run(go())
    assert via_task and answer.endswith(b"\r\n\r\nasgi")
    assert asked == [b"/query"]


def test_a_head_whose_body_follows_leaves_both_parsers_in_step():
    """A GET announcing a body ends its head with CRLF CRLF: the lane starts reading it, finds
    it incomplete, and leaves it (body and all) to the usual path; the next plain GET is the lane's."""
    asked: list = []

    async def go():
        c = _Conn(_echo(asked))
        first, first_task = await c.send(_request(b"/query?q=x", [(b"Host", b"a"), (b"Content-Length", b"3")]),
                                         b"abc")
        second, second_task = await c.send(_request(b"/ping", [(b"Host", b"a")]))
        return first, first_task, second, second_task, c

    first, first_task, second, second_task, c = asyncio.run(go())
    assert first_task and first.endswith(b"asgi")
    assert not second_task and second.endswith(b"(b'/ping', b'', [(b'host', b'a')])")
    assert asked == [b"/ping"] and c.state.total_requests == 2


def test_pipelined_requests_are_left_to_the_usual_path():
    asked: list = []
    one = _request(b"/ping", [(b"Host", b"a")])

    async def go():
        c = _Conn(_echo(asked))
        return await c.send(one + one)

    answer, _ = asyncio.run(go())
    assert answer.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert asked == [b"/ping", b"/ping"]  # each asked once, by the usual path (the lane saw two)


@pytest.mark.parametrize("data, status", [
    (_request(b"/query?q=" + b"x" * 200, [(b"Host", b"a")]), b"414"),
    (_request(b"/ping", [(b"X-%d" % i, b"v") for i in range(12)]), b"431"),
    # a head over max_head_bytes that came in one read (with or without a body) is refused too
    (_request(b"/ping", [(b"Host", b"a"), (b"X-Big", b"v" * 600)]), b"431"),
    (_request(b"/query", [(b"Host", b"a"), (b"X-Big", b"v" * 600), (b"Content-Length", b"3")]) + b"abc", b"431"),
])
def test_a_request_past_a_limit_is_refused_as_before(data, status):
    asked: list = []
    limits = Limits(max_url_bytes=100, max_headers=10, max_head_bytes=512)

    async def go():
        c = _Conn(_echo(asked), limits)
        answer, _ = await c.send(data)
        return answer, c

    answer, c = asyncio.run(go())
    assert answer.startswith(b"HTTP/1.1 " + status) and c.t.closed
    assert asked == []


def test_a_malformed_request_is_uvicorns_to_answer():
    asked: list = []

    async def go():
        c = _Conn(_echo(asked))
        return await c.send(b"GET /ping HTTP/1.1\r\nno colon here\r\n\r\n")

    answer, _ = asyncio.run(go())
    assert answer.startswith(b"HTTP/1.1 400 ") and asked == []


def test_the_keep_alive_timer_counts_from_the_last_answer():
    """A lane answer leaves the running keep-alive timer alone; when it fires, a connection that
    was answered since waits out the rest of the idle time, and one idle all along is closed."""
    asked: list = []

    async def go():
        c = _Conn(_echo(asked))
        proto, loop = c.proto, asyncio.get_running_loop()
        armed = proto.timeout_keep_alive_task  # (armed when the connection was made)
        await c.send(_request(b"/ping", [(b"Host", b"a")]))
        same = proto.timeout_keep_alive_task is armed
        answered = proto._last_answer
        proto.timeout_keep_alive_handler()  # as if it fired now
        rearmed = proto.timeout_keep_alive_task
        rest = rearmed.when() - (answered + proto.timeout_keep_alive)
        open_after_rearm = not c.t.closed
        proto._last_answer = loop.time() - proto.timeout_keep_alive - 1  # idle for longer than the timeout
        proto.timeout_keep_alive_handler()
        return same, rearmed is not armed, abs(rest), open_after_rearm, c.t.closed

    same, rearmed, rest, open_after_rearm, closed = asyncio.run(go())
    assert same and rearmed and rest < 1e-3 and open_after_rearm and closed
