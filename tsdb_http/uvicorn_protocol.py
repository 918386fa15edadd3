"""uvicorn's httptools protocol, extended for the shim (see :mod:`tsdb_http.uvicorn_server`).

The one module that builds on a uvicorn class outside its documented API
(``HttpToolsProtocol``, given to uvicorn through its ``http=`` protocol-class setting):
pyproject.toml pins the uvicorn versions it is tested with, and
tests/http/test_uvicorn_server.py checks its answers byte for byte.
"""
from __future__ import annotations

import logging
import time

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .limits import Limits, refusal
from .v3_params import BARE_QUERY

_log = logging.getLogger("tsdb_http")


class _OneWrite:
    """The cycle's transport: holds a sized response's head until its first body bytes."""

    __slots__ = ("_transport", "_cycle", "_held", "_done")

    def __init__(self, transport, cycle) -> None:
        self._transport, self._cycle = transport, cycle
        self._held: bytes | None = None
        self._done = False  # the head has gone out

    def write(self, data: bytes) -> None:
        if self._done:
            self._transport.write(data)
            return
        if self._held is not None:  # the body after a held head
            data, self._held = self._held + data, None
            self._done = True
            self._transport.write(data)
            return
        c = self._cycle
        if c.chunked_encoding is False and c.expected_content_length > 0 and c.scope["method"] != "HEAD":
            self._held = bytes(data)  # the head; its body follows in the next ASGI message
            return
        self._done = True
        self._transport.write(data)

    def _flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._done = True
            self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name):  # anything else uvicorn may ask of a transport
        return getattr(self._transport, name)


_METHODS = frozenset((b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH"))


def _upper_method(data: bytes) -> bytes:
    """``post /write HTTP/1.1`` as ``POST ...``: curl sends the method as typed (the Cloud
    Dedicated API document's own example says ``--request post``), h11 takes it, httptools
    answers 400."""
    method, sp, rest = data.partition(b" ")
    upper = method.upper()
    return upper + sp + rest if sp and upper in _METHODS else data


GATHER_BODY_BYTES = 32 << 20  # sized bodies up to this are handed to the app whole (above the 25 MB write cap)


def _content_length(headers) -> int:
    """The request's Content-Length, or -1 (none, chunked, or not a number)."""
    n = -1
    for k, v in headers:
        if k == b"transfer-encoding":
            return -1
        if k == b"content-length":
            try:
                n = int(v)
            except ValueError:
                return -1
    return n


_defaults_text: list = [(None, b"")]  # (uvicorn's default headers, as bytes): a new list each second (Date)
_STATUS_LINES = {200: b"HTTP/1.1 200 OK\r\n", 204: b"HTTP/1.1 204 No Content\r\n"}  # a direct answer's


def _defaults(default_headers) -> bytes:
    """The server's default headers as bytes, joined once per list."""
    seen = _defaults_text[0]  # (one read: servers on other threads may replace it)
    if seen[0] is not default_headers:
        text = b"".join(b"%s: %s\r\n" % (name, value) for name, value in default_headers)
        seen = _defaults_text[0] = (default_headers, text)
    return seen[1]


class _Head:
    """The direct lane's reading of a request that arrived whole (see :meth:`Protocol._answer_whole`).

    It has its own httptools parser, so uvicorn's parser only ever sees the requests the
    lane leaves to it: both stay at a message boundary between requests. Names are
    lower-cased and values right-stripped as uvicorn's ``on_header`` does.
    """

    __slots__ = ("parser", "url", "headers", "begun", "done", "plain")

    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.url, self.headers, self.begun, self.done, self.plain = b"", [], 0, 0, False

    def on_message_begin(self) -> None:
        self.begun += 1

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value.rstrip(b" \t")))

    def on_headers_complete(self) -> None:
        p = self.parser  # (asked here: llhttp clears its flags once the message is complete)
        self.plain = p.get_method() == b"GET" and p.get_http_version() == "1.1" and p.should_keep_alive()

    def on_message_complete(self) -> None:
        self.done += 1

    def read(self, data: bytes, max_url: int, max_headers: int) -> bool:
        """Parse ``data``: True when it is exactly one bodiless keep-alive HTTP/1.1 GET within the
        URL and header-count limits (anything else is the usual path's to answer or refuse)."""
        self.url, self.headers, self.begun, self.done, self.plain = b"", [], 0, 0, False
        try:
            self.parser.feed_data(data)
        except Exception:  # noqa: BLE001 - a malformed or upgrade request: uvicorn's parser says what
            self.parser = httptools.HttpRequestParser(self)  # (a parser that failed stays failed)
            return False
        if self.begun != self.done or not self.plain:  # a request still arriving, or one closing
            self.parser = httptools.HttpRequestParser(self)  # its connection: start over with the next
            return False
        if self.done != 1 or not self.plain or len(self.url) > max_url or len(self.headers) > max_headers:
            return False
        return _bodiless(self.headers)


def _bodiless(headers) -> bool:
    """No body announced (a GET with one is left to the usual path)."""
    for k, v in headers:
        if (k == b"content-length" and v.strip() != b"0") or k == b"transfer-encoding" or k == b"expect":
            return False
    return True


class _Refused(Exception):
    """Raised from a parser callback: the request broke a limit (the status is on the protocol)."""


class Protocol(HttpToolsProtocol):
    """uvicorn's protocol with the additions listed in the module docstring; :func:`protocol_class`
    subclasses it with the settings below."""

    read_timeout: float | None = None
    answer_now = None  # (path, query_string, headers) -> (headers, body[, status]) | None, as a staticmethod
    max_connections = Limits().connections()
    max_url = max_head = max_headers = 0
    head_timeout = request_timeout = 0.0

    _stall = None  # the read-timeout timer of a request in progress
    _deadline = None  # the head or body deadline of a request in progress
    _in_request = False
    _in_body = False  # the head is complete, the body is arriving
    _head_bytes = 0  # bytes received towards the current head
    _header_bytes = 0  # bytes of the current request's header lines parsed so far
    _header_count = 0
    _refused = 0  # the status a broken limit answers with
    _started = 0.0  # monotonic time of the request's first byte
    _answered = False  # this request was answered by answer_now
    _gathered: list | None = None  # chunks of a sized body gathered for a whole handoff
    gather_max = GATHER_BODY_BYTES
    _head: _Head | None = None  # the direct lane's parser (made on first use)
    _asked = False  # the lane asked the app about this request already (and it declined)
    _last_answer = 0.0  # loop time of the lane's last answer (the keep-alive timer counts from it)

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.max_connections and not self._make_room():
            _log.warning("refusing a connection: %d open (limit %d)", len(self.connections) - 1,
                        self.max_connections)
            self.transport.write(refusal(503, self.server_state.default_headers))
            self.transport.close()
            return
        # A client that connects and never sends is dropped like an idle keep-alive one.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                            self.timeout_keep_alive_handler)

    def _make_room(self) -> bool:
        """Close one idle connection (between requests, nothing owed to it) for this one."""
        for other in self.connections:
            if other is not self and other._idle():
                other.transport.close()
                return True
        return False

    def _idle(self) -> bool:
        return (not self._in_request and not self.pipeline and not self.transport.is_closing()
                and (self.cycle is None or self.cycle.response_complete))

    def connection_lost(self, exc) -> None:
        self._gathered = None
        self._disarm()
        self._cancel_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """A read from the socket: a whole plain GET goes to the lane (:meth:`_answer_whole`), the
        rest (and what the app declined there) to uvicorn's parser with this protocol's limits."""
        if data[:4] == b"GET " and data[-4:] == b"\r\n\r\n" and self.answer_now is not None:
            if self._answer_whole(data):
                return
            if self._asked:  # the app declined it: the usual path, without asking again
                try:
                    self._received(data)
                finally:
                    self._asked = False
                return
        self._received(data)

    def _answer_whole(self, data: bytes) -> bool:
        """The direct lane: a bodiless keep-alive GET that came in one read, between requests,
        answered by the app at once, without uvicorn's callbacks, scope and cycle (cheaper than
        :meth:`_answer_now` on the usual path: a small query's request costs about as much as
        its query, most of it with caches gone cold between requests)."""
        if (self._in_request or self.pipeline or (self.cycle is not None and not self.cycle.response_complete)
                or self.flow.write_paused or len(data) > self.max_head or self.transport.is_closing()):
            return False
        head = self._head
        if head is None:
            head = self._head = _Head()
        if not head.read(data, self.max_url, self.max_headers):
            return False
        self._asked = True
        answer = self._ask(head.url, head.headers)
        if answer is None:
            return False
        self._asked = False
        self._write_answer(answer)
        self._answered_whole()
        return True

    def _answered_whole(self) -> None:
        """uvicorn's ``on_response_complete`` for a lane answer (request count, keep-alive), but the
        keep-alive timer already running is left to run: its handler waits out the rest
        (:meth:`timeout_keep_alive_handler`) rather than each answer cancelling and arming one."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)
        else:
            self._last_answer = self.loop.time()

    def timeout_keep_alive_handler(self) -> None:
        """uvicorn's idle close, once the connection has been idle for the whole keep-alive time."""
        left = self._last_answer + self.timeout_keep_alive - self.loop.time()
        if left > 0:  # the lane answered since this timer was armed: idle for the rest only
            self.timeout_keep_alive_task = self.loop.call_later(left, self.timeout_keep_alive_handler)
            return
        super().timeout_keep_alive_handler()

    def _received(self, data: bytes) -> None:
        if not self._in_request and data[:1].islower():
            data = _upper_method(data)
        if not self._in_body:
            self._head_bytes += len(data)
        super().data_received(data)
        if self.transport.is_closing():
            return
        if not self._in_body and self._head_bytes > self.max_head:
            self._refuse(431)
            return
        if self._in_request:  # a request still arriving (one that came whole needs no timer)
            if self._deadline is None:
                self._set_deadline((self.request_timeout if self._in_body else self.head_timeout)
                                   - (time.monotonic() - self._started))
            if self.read_timeout:
                self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_request = True
        self._header_count = self._header_bytes = 0
        self._started = time.monotonic()  # (its deadline is set if it is still arriving: data_received)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_url:
            self._refused = 414
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        # (bytes counted here too: a head that came in one read with its body is never over
        # the byte count of data_received, which only sees reads that end inside the head)
        self._header_bytes += len(name) + len(value) + 4
        if self._header_count > self.max_headers or self._header_bytes > self.max_head:
            self._refused = 431
            raise _Refused
        super().on_header(name, value)

    def send_400_response(self, msg: str) -> None:
        if self._refused:  # a callback above broke a limit: answer that, not 400
            self._refuse(self._refused)
        elif self._head_request():  # uvicorn's 400 has a body, which a HEAD answer must not have
            self._refuse(400)
        else:
            super().send_400_response(msg)

    def _head_request(self) -> bool:
        try:
            return self.parser.get_method() == b"HEAD"
        except Exception:  # noqa: BLE001 - no method parsed yet
            return False

    def _refuse(self, status: int) -> None:
        _log.info("refusing a request: %d (%s)", status, self.client)
        self._in_request = False
        self._disarm()
        self._cancel_deadline()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app's answer, if any, must not follow ours
        self.transport.write(refusal(status, self.server_state.default_headers, self._head_request()))
        self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_body = True  # (the head's deadline timer now stands for the body's: _overdue)
        self._head_bytes = 0
        if self.answer_now is not None and not self._asked and self._answer_now():
            return
        super().on_headers_complete()
        if self.url.endswith(b"?") and not self.scope["query_string"]:
            self.scope["extensions"] = {**self.scope.get("extensions", {}), BARE_QUERY: {}}
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope:
            cycle.transport = _OneWrite(self.transport, cycle)
            if not self.pipeline and 0 < _content_length(self.headers) <= self.gather_max:
                self._gathered = []

    def _answer_now(self) -> bool:
        """Answer a bodiless keep-alive GET here when the app can, in one write."""
        parser = self.parser
        if (parser.get_method() != b"GET" or (self.cycle is not None and not self.cycle.response_complete)
                or self.pipeline or self.flow.write_paused or self.expect_100_continue or parser.get_http_version() != "1.1"
                or not parser.should_keep_alive()):
            return False
        if not _bodiless(self.headers):
            return False
        answer = self._ask(self.url, self.headers)
        if answer is None:
            return False
        self._write_answer(answer)
        self._answered = True
        return True

    def _ask(self, url: bytes, headers) -> tuple | None:
        """The app's direct answer to a GET of ``url``, or None (also when asking fails)."""
        try:
            parsed = httptools.parse_url(url)
            return self.answer_now(parsed.path, parsed.query or b"", headers)
        except Exception:  # noqa: BLE001 - a bug here must not cost the request: the ASGI path
            _log.exception("answering %r directly failed", url[:200])
            return None

    def _write_answer(self, answer: tuple) -> None:
        """A direct answer in one write: status line, the server's default headers, the app's, body."""
        headers, body, status = answer if len(answer) == 3 else (*answer, 200)
        out = [_STATUS_LINES[status], _defaults(self.server_state.default_headers)]
        for name, value in headers:
            out += (name, b": ", value, b"\r\n")
        out += (b"\r\n", body)
        self.transport.write(b"".join(out))

    def on_body(self, body: bytes) -> None:
        if self._gathered is not None:
            self._gathered.append(body)
        elif not self._answered:  # (an answered request has no body)
            super().on_body(body)

    def _hand_over(self) -> None:
        """The gathered body as the request's one body message (one copy, one wake-up of the
        app): uvicorn hands a body over per 64 KiB read, each a round trip through the event
        loop, which waits for the GIL while worker threads parse other bodies."""
        chunks, self._gathered = self._gathered, None
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)  # receive(): bytes(b) is b

    def on_message_complete(self) -> None:
        self._in_request = self._in_body = False
        self._disarm()
        self._cancel_deadline()
        if self._gathered is not None:
            self._hand_over()
        if self._answered:
            self._answered = False
            self.on_response_complete()  # keep-alive timer, request count, as after an ASGI answer
            return
        super().on_message_complete()

    def _arm(self) -> None:
        self._disarm()
        self._stall = self.loop.call_later(self.read_timeout, self._stalled)

    def _disarm(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _set_deadline(self, seconds: float) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(max(seconds, 0.0), self._overdue)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _overdue(self) -> None:
        self._deadline = None
        if not self._in_request or self.transport.is_closing():
            return
        if self._in_body:
            left = self.request_timeout - (time.monotonic() - self._started)
            if left > 0:  # one timer a request: the head's, moved on to the body's deadline
                self._set_deadline(left)
                return
            if self.flow is not None and self.flow.read_paused:
                self._set_deadline(1.0)  # we stopped reading (the app is busy), not the client
                return
        self._refuse(408)

    def _stalled(self) -> None:
        self._stall = None
        if not self._in_request or self.transport.is_closing():
            return
        if self.flow is not None and self.flow.read_paused:
            self._arm()  # we stopped reading (the app is busy), not the client: wait again
            return
        _log.info("closing a connection silent mid-request for %s s",
                                            self.read_timeout)
        self.transport.close()



def protocol_class(read_timeout: float | None, answer_now=None, limits: Limits | None = None) -> type:
    """:class:`Protocol` with these settings: one write per sized response, a read timeout,
    the :class:`~tsdb_http.limits.Limits` and, given ``answer_now(path, query_string, headers)``,
    answers without an ASGI task."""
    limits = limits or Limits()
    return type("Protocol", (Protocol,), {
        "read_timeout": read_timeout, "answer_now": None if answer_now is None else staticmethod(answer_now),
        "max_connections": limits.connections(), "max_url": limits.max_url_bytes,
        "max_head": limits.max_head_bytes, "max_headers": limits.max_headers,
        "head_timeout": limits.head_timeout_s, "request_timeout": limits.request_timeout_s})
