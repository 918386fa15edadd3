"""Serve the shim with uvicorn's httptools HTTP/1.1 protocol (the default server).

Why not Hypercorn here: a bare ASGI request costs clearly less under uvicorn +
httptools + uvloop than under Hypercorn (h11, asyncio streams, a task group per
connection), and the small queries users send most (one host, one hour; SHOW TAG
VALUES) take less than that per-request cost, so the server decides whether the
shim keeps up with InfluxDB (``python -m bench.shim_overhead --baseline-env
TSDB_HTTP_SERVER=hypercorn`` sets them side by side). Hypercorn stays available
(``tsdb serve --http-server hypercorn``, loopback only).

The protocol class (:mod:`tsdb_http.uvicorn_protocol`, the one module that builds on
uvicorn's ``HttpToolsProtocol``, through its documented ``http=`` protocol-class
setting; pyproject.toml pins the uvicorn versions it is tested with) adds:

* **answers without an ASGI task**: a bodiless keep-alive GET that the app can
  answer at once (``ShimApp.answer_now``: /ping, or a read known to be quick with no
  other request in flight) is answered from the parser's callback, in one write,
  with the headers the ASGI path sends: the task, the scope, the ASGI messages
  and the response cycle cost more than a small SHOW or a one-host query does.
  Anything else goes the usual way, so pipelined answers keep their order.
  Such a GET that arrives in one read is read by the protocol's own second
  httptools parser (``_Head``), before uvicorn's callbacks build a scope for
  it, and its answer leaves the running keep-alive timer alone: between a
  client's requests the caches go cold, and each step the request skips saves
  more than it does back to back;
* **one write per sized response**: uvicorn writes a response's head and body
  in two ``transport.write`` calls, so a loopback client wakes up twice; the
  head of a response with a Content-Length is held until its body and both go
  out in one segment (``_OneWrite``);
* **methods in lower case** (``curl --request post``, as the Cloud Dedicated API
  document's examples) are upper-cased before httptools, which would answer 400,
  sees them;
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
from .limits import Limits

KEEP_ALIVE_S = 75.0  # as Hypercorn's default and InfluxDB's http.Server idle timeout


def available() -> bool:
    """uvicorn and httptools are importable (the ``http`` extra installs both)."""
    try:
        import httptools  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def protocol_class(read_timeout: float | None, answer_now=None, limits: Limits | None = None) -> type:
    """The shim's HTTP/1.1 protocol class for uvicorn (:mod:`tsdb_http.uvicorn_protocol`)."""
    from .uvicorn_protocol import protocol_class as build

    return build(read_timeout, answer_now, limits)


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
