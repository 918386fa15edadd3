"""What one client may cost the server: request heads, deadlines, connections.

Both HTTP servers enforce these (uvicorn_server.py in its protocol, serve.py
through Hypercorn's settings). The sizes follow nginx and Go's ``net/http``
(InfluxDB's server): a request line and headers of tens of KiB, refused with
414 (URL) or 431 (headers) and the connection closed; a client that takes too
long to send its head or its body gets 408.

Connections are capped below the process's file-descriptor limit
(``RLIMIT_NOFILE``), so a crowd of idle or trickling sockets can never take
the descriptors the store needs for its WAL, Parquet files and flushes.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_URL_BYTES = 64 * 1024  # longer request targets: 414 (InfluxQL in a GET URL stays well below)
MAX_HEAD_BYTES = 64 * 1024  # request line + headers: 431 past it
MAX_HEADERS = 100  # header lines: 431 past it (Apache's LimitRequestFields)
HEAD_TIMEOUT_S = 30.0  # from a request's first byte to the end of its headers (nginx: 60 s)
REQUEST_TIMEOUT_S = 300.0  # from a request's first byte to the end of its body (25 MB at 85 KB/s)
MAX_CONNECTIONS = 4096  # open client connections, at most (fewer when RLIMIT_NOFILE is low)
FD_RESERVE = 256  # descriptors kept for the store (WAL, Parquet files, flushes) and Flight


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-request and per-process bounds; ``max_connections`` None: :func:`connection_cap`."""

    max_url_bytes: int = MAX_URL_BYTES
    max_head_bytes: int = MAX_HEAD_BYTES
    max_headers: int = MAX_HEADERS
    head_timeout_s: float = HEAD_TIMEOUT_S
    request_timeout_s: float = REQUEST_TIMEOUT_S
    max_connections: int | None = None

    def connections(self) -> int:
        return connection_cap(self.max_connections)


def connection_cap(requested: int | None = None, reserve: int = FD_RESERVE) -> int:
    """The connection limit: ``requested`` (default :data:`MAX_CONNECTIONS`), at most
    the soft ``RLIMIT_NOFILE`` less ``reserve`` (and at least 8)."""
    cap = requested or MAX_CONNECTIONS
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return cap
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, max(8, soft - reserve))
    return cap


def raise_fd_limit(target: int = MAX_CONNECTIONS + 4 * FD_RESERVE) -> int:
    """Raise the soft ``RLIMIT_NOFILE`` toward ``target`` (never past the hard limit), as servers
    do at start: distributions default to a soft 1,024, which would cap connections far below
    :data:`MAX_CONNECTIONS`. Returns the soft limit in force."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 0
    want = target if hard == resource.RLIM_INFINITY else min(target, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (OSError, ValueError):
            pass
    return soft


REASONS = {400: "Bad Request", 408: "Request Timeout", 414: "URI Too Long", 431: "Request Header Fields Too Large",
           503: "Service Unavailable"}


def refusal(status: int, default_headers=(), head: bool = False) -> bytes:
    """A whole plain-text answer that closes the connection, as Go's server words it
    (``head``: to a HEAD request, so without its body)."""
    reason = REASONS[status]
    body = b"%d %s" % (status, reason.encode())
    out = [b"HTTP/1.1 %d %s\r\n" % (status, reason.encode())]
    for name, value in default_headers:
        out += (name, b": ", value, b"\r\n")
    out.append(b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
               % len(body))
    if not head:
        out.append(body)
    return b"".join(out)


def asgi_limits(app, limits: Limits):
    """``app`` with the header count (431) and the body deadline (408) checked in ASGI.

    For Hypercorn, whose h11 caps a request head's bytes but not its header count,
    and whose read timeout is per read, not per body. (uvicorn_server.py checks both
    in its protocol, at no cost per request here.)
    """
    import asyncio
    import time

    from .params import HttpError

    async def limited(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        if len(scope["headers"]) > limits.max_headers:
            body = b"431 Request Header Fields Too Large"
            await send({"type": "http.response.start", "status": 431,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", b"%d" % len(body)), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})
            return
        deadline = time.monotonic() + limits.request_timeout_s
        complete = False  # the body has all arrived: later receives wait for a disconnect

        async def receive_by_deadline():
            nonlocal complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0.0))
            except asyncio.TimeoutError:
                raise HttpError(408, "request body not received in time") from None
            complete = not message.get("more_body", False)
            return message

        return await app(scope, receive_by_deadline, send)

    return limited
