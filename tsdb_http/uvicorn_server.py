"""Serve the shim with uvicorn's httptools HTTP/1.1 protocol (the default server).

Why not Hypercorn here: on this project's 2-core machines a bare ASGI app costs
0.51 ms a keep-alive request under Hypercorn (h11, asyncio streams, a task group
per connection) and 0.23 ms under uvicorn + httptools + uvloop, the same as
InfluxDB's own ``/ping`` (``python -m bench.shim_overhead
--baseline-env TSDB_HTTP_SERVER=hypercorn`` sets them side by side). The small
queries users send most (one host, one hour; SHOW TAG VALUES) answer in well
under a millisecond, so that difference decides whether the shim is faster than
InfluxDB. Hypercorn stays available (``tsdb serve --http-server hypercorn``).

Four additions to uvicorn's protocol, all kept on our side of its documented
``http=`` protocol-class hook:

* **answers without an ASGI task**: a bodiless keep-alive GET that the app can
  answer at once (``ShimApp.answer_now``: a repeated read known to be quick, no
  other request in flight) is answered from the parser's callback, in one write,
  with the headers the ASGI path sends. The task, the scope, the ASGI messages
  and the response cycle cost more than a small SHOW or a one-host query does
  (server CPU a SHOW TAG VALUES request: 0.39 → 0.23 ms). Anything else goes the
  usual way, so pipelined answers keep their order;

* **one write per sized response**: uvicorn writes a response's head and body
  in two ``transport.write`` calls, so a loopback client wakes up twice; the
  head of a response with a Content-Length is held until its body and both go
  out in one segment (:class:`_OneWrite`);
* **methods in lower case** (``curl --request post``, as the Cloud Dedicated API document's examples) are
  upper-cased before httptools, which would answer 400, sees them;
* **a read timeout**: uvicorn only times out idle keep-alive connections; a
  client that stalls mid-headers or mid-body would hold its socket forever.
  Here a request that has started must keep sending: ``read_timeout`` seconds
  without a byte (while we are reading) closes the connection, as Hypercorn's
  ``read_timeout`` did. A connection that never sends is closed after the
  keep-alive timeout;

* **limits** (limits.py): the URL (414), header bytes and header count (431) are
  counted as they arrive, so a huge head is refused at the cap rather than
  buffered by httptools; a request's head and body each have a deadline from its
  first byte (408), so a client trickling a byte at a time cannot hold a socket;
  past the connection cap an idle connection is closed to make room, or, when
  none is idle, the new one is refused with 503.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from .limits import Limits, refusal

KEEP_ALIVE_S = 75.0  # as Hypercorn's default and InfluxDB's http.Server idle timeout


def available() -> bool:
    """uvicorn and httptools are importable (the ``http`` extra installs both)."""
    try:
        import httptools  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


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
    """``post /write HTTP/1.1`` as ``POST ...``: curl sends the method as typed (the Cloud Dedicated API document's own
    example says ``--request post``), h11 takes it, httptools answers 400."""
    method, sp, rest = data.partition(b" ")
    upper = method.upper()
    return upper + sp + rest if sp and upper in _METHODS else data


class _Refused(Exception):
    """Raised from a parser callback: the request broke a limit (the status is on the protocol)."""


def protocol_class(read_timeout: float | None, answer_now=None, limits: Limits | None = None):
    """uvicorn's HttpToolsProtocol with one write per sized response, a read timeout, the
    :class:`~tsdb_http.limits.Limits` and, given ``answer_now(path, query_string, headers)``,
    answers without an ASGI task."""
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    limits = limits or Limits()
    max_connections = limits.connections()
    max_url, max_head, max_headers = limits.max_url_bytes, limits.max_head_bytes, limits.max_headers
    head_timeout, request_timeout = limits.head_timeout_s, limits.request_timeout_s
    log = logging.getLogger("tsdb_http")

    class Protocol(HttpToolsProtocol):
        _stall = None  # the read-timeout timer of a request in progress
        _deadline = None  # the head or body deadline of a request in progress
        _in_request = False
        _in_body = False  # the head is complete, the body is arriving
        _head_bytes = 0  # bytes received towards the current head
        _header_count = 0
        _refused = 0  # the status a broken limit answers with
        _started = 0.0  # monotonic time of the request's first byte
        _answered = False  # this request was answered by answer_now

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            if len(self.connections) > max_connections and not self._make_room():
                log.warning("refusing a connection: %d open (limit %d)", len(self.connections) - 1,
                            max_connections)
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
            self._disarm()
            self._cancel_deadline()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if not self._in_request and data[:1].islower():
                data = _upper_method(data)
            if not self._in_body:
                self._head_bytes += len(data)
            super().data_received(data)
            if self.transport.is_closing():
                return
            if not self._in_body and self._head_bytes > max_head:
                self._refuse(431)
                return
            if self._in_request and read_timeout:
                self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_request = True
            self._header_count = 0
            self._started = time.monotonic()
            self._set_deadline(head_timeout)

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            if len(self.url) > max_url:
                self._refused = 414
                raise _Refused

        def on_header(self, name: bytes, value: bytes) -> None:
            self._header_count += 1
            if self._header_count > max_headers:
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
            log.info("refusing a request: %d (%s)", status, self.client)
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
            if answer_now is not None and self._answer_now():
                return
            super().on_headers_complete()
            cycle = self.cycle
            if cycle is not None and cycle.scope is self.scope:
                cycle.transport = _OneWrite(self.transport, cycle)

        def _answer_now(self) -> bool:
            """Answer a bodiless keep-alive GET here when the app can, in one write."""
            parser = self.parser
            if (parser.get_method() != b"GET" or (self.cycle is not None and not self.cycle.response_complete)
                    or self.pipeline or self.flow.write_paused or self.expect_100_continue or parser.get_http_version() != "1.1"
                    or not parser.should_keep_alive()):
                return False
            for k, v in self.headers:
                if (k == b"content-length" and v.strip() != b"0") or k == b"transfer-encoding":
                    return False
            try:
                url = httptools.parse_url(self.url)
                answer = answer_now(url.path, url.query or b"", self.headers)
            except Exception:  # noqa: BLE001 - a bug here must not cost the request: the ASGI path
                logging.getLogger("tsdb_http").exception("answering %r directly failed", self.url[:200])
                return False
            if answer is None:
                return False
            headers, body = answer
            out = [b"HTTP/1.1 200 OK\r\n"]
            for name, value in (*self.server_state.default_headers, *headers):
                out += (name, b": ", value, b"\r\n")
            out += (b"\r\n", body)
            self.transport.write(b"".join(out))
            self._answered = True
            return True

        def on_body(self, body: bytes) -> None:
            if not self._answered:  # (an answered request has no body)
                super().on_body(body)

        def on_message_complete(self) -> None:
            self._in_request = self._in_body = False
            self._disarm()
            self._cancel_deadline()
            if self._answered:
                self._answered = False
                self.on_response_complete()  # keep-alive timer, request count, as after an ASGI answer
                return
            super().on_message_complete()

        def _arm(self) -> None:
            self._disarm()
            self._stall = self.loop.call_later(read_timeout, self._stalled)

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
                left = request_timeout - (time.monotonic() - self._started)
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
            logging.getLogger("tsdb_http").info("closing a connection silent mid-request for %s s",
                                                read_timeout)
            self.transport.close()

    return Protocol


def config(app, graceful_timeout: float, log_level: str, read_timeout: float | None,
           limits: Limits | None = None):
    """uvicorn's settings for the shim: our protocol, no access log, no proxy headers trusted,
    no Server header, logging left to the caller, InfluxDB's 75 s keep-alive."""
    import uvicorn

    return uvicorn.Config(
        app, http=protocol_class(read_timeout, getattr(app, "answer_now", None), limits), loop="none", ws="none", lifespan="on",
        log_config=None, log_level=log_level, access_log=False, proxy_headers=False,
        server_header=False, date_header=True, timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=graceful_timeout)


async def run(app, sock, stop: asyncio.Event, graceful_timeout: float, log_level: str,
              read_timeout: float | None, limits: Limits | None = None) -> None:
    """Serve ``app`` on the bound ``sock`` until ``stop`` is set (signals are the caller's)."""
    import uvicorn

    class Server(uvicorn.Server):
        def capture_signals(self):  # serve.py owns SIGTERM/SIGINT
            return contextlib.nullcontext()

    server = Server(config(app, graceful_timeout, log_level, read_timeout, limits))
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        server.should_exit = True
        await serving
    if server.started is False and serving.exception() is None:
        raise RuntimeError("uvicorn could not start (see the log above)")
