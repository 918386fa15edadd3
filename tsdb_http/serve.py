"""Run the shim under uvicorn (default) or Hypercorn: ``tsdb serve`` calls :func:`serve`.

    from tsdb_http.serve import serve
    serve("/var/lib/tsdb", host="127.0.0.1", port=8086)          # blocks until SIGTERM/SIGINT

What :func:`serve` does, in order:

1. opens the store at ``data_dir`` (``None`` = in memory) with the dialect's
   policy for databases created by a write (cloud: auto-created with a 3-day
   default policy, as the Cloud Dedicated API document says; influxdb1: never auto-created, 404);
2. opens the token store (``<data_dir>/tokens.json``); with auth on and no token
   file yet, creates an all-databases read/write/manage token and prints it once on
   stdout (a damaged file stops the start: :func:`bootstrap_token`);
3. optionally loads the demo data (``demo=True``);
4. starts the store's background flush and retention thread;
5. binds ``host:port`` (127.0.0.1 by default; port 0 picks a free one) and serves
   until SIGTERM or SIGINT (or ``stop`` is set, when run off the main thread);
6. on shutdown lets requests in flight finish (``graceful_timeout``), then
   closes the store, which flushes the write buffer to Parquet.

:func:`start_in_thread` runs the same server in a background thread (tests,
notebooks) and returns a handle with ``.url`` and ``.stop()``.
"""
from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import tsdb_core
from tsdb_core import StoreConfig, UserError
from tsdb_http.tokens import TokenStore

from .app import DEFAULT_MAX_BODY, ShimConfig, create_app
from .limits import Limits, raise_fd_limit
from .params import Dialect

log = logging.getLogger("tsdb_http")

AUTO_CREATE_DURATION = 3 * 86_400 * 10**9  # ns: the Cloud Dedicated API's /write creates databases keeping 3 days
READ_TIMEOUT_S = 30.0  # a client silent this long (mid-headers, mid-body or idle) is disconnected


def store_config(compat: str, base: StoreConfig | None = None) -> StoreConfig:
    """The store settings a dialect implies (auto-creation and its default duration)."""
    base = base or StoreConfig()
    if Dialect(compat) is Dialect.CLOUD:
        return replace(base, auto_create_databases=True, auto_create_duration=AUTO_CREATE_DURATION)
    return replace(base, auto_create_databases=False)


def bootstrap_token(tokens: TokenStore, out=None) -> str | None:
    """Create and print an all-databases read/write/manage token on a brand-new store (no tokens.json).

    A damaged tokens.json raises :class:`tsdb_http.tokens.TokenFileError` (``tsdb serve``
    exits saying how to recover); a valid one with no token left mints nothing.
    """
    if not tokens.is_new():
        if tokens.is_empty():
            print(f"tsdb: warning: {tokens.path} holds no token, so every request will be refused; "
                  "create one with `tsdb token create`", file=sys.stderr, flush=True)
        return None
    secret, info = tokens.create("*", read=True, write=True, manage=True,
                                 description="created by tsdb serve on first start")
    out = out or sys.stdout
    print("tsdb: no API token existed, so an all-databases read/write/manage token was created.\n"
          "tsdb: it is shown only now; keep it (revoke with `tsdb token revoke "
          f"{info.id}`):", file=sys.stderr, flush=True)
    print(secret, file=out, flush=True)
    return secret


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _hypercorn_config(sock: socket.socket, graceful_timeout: float, log_level: str, limits: Limits):
    from hypercorn.config import Config

    cfg = Config()
    # Hypercorn wraps the fd in a socket object that owns it: give it its own duplicate.
    cfg.bind = [f"fd://{os.dup(sock.fileno())}"]
    cfg.graceful_timeout = graceful_timeout
    cfg.accesslog = None
    cfg.errorlog = logging.getLogger("hypercorn.error")
    logging.getLogger("hypercorn.error").setLevel(log_level.upper())
    cfg.keep_alive_timeout = 75
    cfg.read_timeout = READ_TIMEOUT_S  # Hypercorn's default (None) lets a stalled client hold a socket forever
    cfg.h11_max_incomplete_size = limits.max_head_bytes  # a longer head: h11 answers 431
    return cfg


SERVERS = ("uvicorn", "hypercorn")


def http_server(name: str | None = None) -> str:
    """The HTTP server to run: ``name``, else ``$TSDB_HTTP_SERVER``, else uvicorn when installed.

    uvicorn's httptools protocol costs less per request than Hypercorn's h11 (uvicorn_server.py
    says why that matters) and enforces the connection limits; Hypercorn is the loopback-only
    fallback and stays supported and tested.
    """
    from . import uvicorn_server

    name = (name or os.environ.get("TSDB_HTTP_SERVER") or "").lower() or None
    if name is None:
        return "uvicorn" if uvicorn_server.available() else "hypercorn"
    if name not in SERVERS:
        raise ValueError(f"unknown HTTP server {name!r}: choose one of {', '.join(SERVERS)}")
    if name == "uvicorn" and not uvicorn_server.available():
        raise ValueError("the uvicorn server needs uvicorn and httptools: pip install 'tsdb[http]'")
    return name


async def _run(app, sock: socket.socket, stop: asyncio.Event, graceful_timeout: float, log_level: str,
               server: str, limits: Limits) -> None:
    if server == "uvicorn":
        from . import uvicorn_server

        await uvicorn_server.run(app, sock, stop, graceful_timeout, log_level, READ_TIMEOUT_S, limits)
        return
    from hypercorn.asyncio import serve as hypercorn_serve

    from .limits import asgi_limits

    await hypercorn_serve(asgi_limits(app, limits), _hypercorn_config(sock, graceful_timeout, log_level, limits),
                          shutdown_trigger=stop.wait)


def serve(data_dir: str | Path | None, host: str = "127.0.0.1", port: int = 8086, no_auth: bool = False,
          compat: str = "cloud-dedicated", demo: bool = False, max_body_bytes: int = DEFAULT_MAX_BODY, *,
          config: StoreConfig | None = None, graceful_timeout: float = 10.0, log_level: str = "warning",
          background_interval_s: float = 1.0, stop: threading.Event | None = None,
          ready: threading.Event | None = None, url_out: list | None = None,
          wrap_store=None, tokens: TokenStore | None = None,
          flight_port: int | None = None, inline_budget_ms: float | None = None,
          server: str | None = None, limits: Limits | None = None,
          allowed_hosts: tuple[str, ...] = (), cors_origins: tuple[str, ...] = (),
          wal_dir: str | Path | None = None, ui: bool | None = None) -> None:
    """Serve the HTTP API over the store at ``data_dir`` until SIGTERM/SIGINT (or ``stop``).

    ``compat`` is ``"cloud-dedicated"`` (the Cloud Dedicated API document's contract) or ``"influxdb1"``;
    ``no_auth`` accepts any or no token. ``max_body_bytes`` caps write bodies (also after gzip
    decompression; 413 past it). ``ready`` is set once the socket listens; ``url_out`` (a list)
    receives the base URL (useful with ``port=0``); ``ui`` serves the explorer at ``/`` (None: on loopback).
    ``flight_port`` also serves Arrow Flight (``tsdb_http.flight``) on ``host`` (its
    location follows the base URL in ``url_out``). ``inline_budget_ms`` bounds the reads that
    may run on the event loop (``tsdb_http.offload``; 0 = always a worker thread).
    ``tokens`` replaces the token store (kept in ``wal_dir`` for a store in object storage, with the
    WAL); ``wrap_store`` wraps the store (tests). ``server`` is ``"uvicorn"`` or ``"hypercorn"``
    (default: :func:`http_server`). ``limits`` bounds request heads, their deadlines and open connections.
    ``allowed_hosts`` adds Host names accepted with ``no_auth`` (besides loopback and IP
    literals); ``cors_origins`` are the browser origins answered with CORS headers (origins.py).
    """
    Dialect(compat)
    server = http_server(server)
    _check_exposure(server, host)
    raise_fd_limit()
    tokens = tokens if tokens is not None else TokenStore(data_dir and tsdb_core.local_dir(data_dir, wal_dir))
    if not no_auth:  # a damaged tokens.json stops the start before the store is opened or created
        tokens.is_new()
    store = tsdb_core.open(data_dir, config=store_config(compat, config), wal_dir=wal_dir)
    try:
        if not no_auth:
            bootstrap_token(tokens)
        if demo:
            _load_demo(store)
        limits = limits or Limits()
        shim_config = _shim_config(compat, no_auth, max_body_bytes, allowed_hosts, cors_origins, inline_budget_ms,
                                   ui=_is_loopback(host) if ui is None else ui)  # the explorer: on loopback
        app = create_app(wrap_store(store) if wrap_store else store, tokens, shim_config)
        if not store.config.read_only:  # a reader writes nothing: no flushes, no retention
            store.start_background(background_interval_s)
        sock = bind_socket(host, port)
        base = f"http://{host if ':' not in host else f'[{host}]'}:{sock.getsockname()[1]}"
        if url_out is not None:
            url_out.append(base)
        _announce(base, server, compat, no_auth, data_dir, store.config.read_only, shim_config.ui)
        flight = None if flight_port is None else _start_flight(store, tokens, host, flight_port, no_auth, url_out)
        _before_serving(app)
        try:
            run_loop(_serve_until_stopped(app, sock, stop, ready, graceful_timeout, log_level, server, limits))
        finally:
            sock.close()
            if flight is not None:
                flight.stop()
    finally:
        store.close()  # flushes the write buffer
        print("tsdb: stopped; store flushed and closed", file=sys.stderr, flush=True)


def _before_serving(app) -> None:
    warm_up(app)
    settle_heap()  # (after the warm-up: what it loaded is left alone too)


def warm_up(app) -> None:
    """Import the query engine and build the InfluxQL parser now, not in the first request
    (it would wait about a second)."""
    try:
        app.state.shim.prepare_fn()("SHOW DATABASES")
    except Exception:  # noqa: BLE001 - a failed warm-up only leaves the work to the first query
        log.debug("warm-up failed", exc_info=True)


GC_YOUNG = 3_000  # young-generation threshold: above the containers of an answer encoded on the loop


def settle_heap() -> None:
    """Keep garbage collections off the request path of a server process.

    An answer's rows are thousands of short-lived lists; while they are alive the young
    generation fills, and every few hundred requests a full collection walks every object
    the process holds (the store's catalog and caches, the libraries). Objects alive once
    the store is open are moved out of the collector's sight (``gc.freeze``): a full
    collection then walks only what came after. The young threshold is raised from
    Python's 700 to :data:`GC_YOUNG`, the containers alive at once while a small answer
    (``routes_query.INLINE_ROWS`` rows, each a list plus the encoder's copy) is built: such
    a request then frees its rows by reference counting before any collection starts,
    instead of walking them two or three times. Much higher thresholds cost small
    queries CPU (garbage cycles wait longer and their memory goes cold). Only in a server
    process (serving from its main thread): a server started inside a program leaves
    its heap alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    gc.collect()
    gc.freeze()
    young, mid, old = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG, young), mid, old)


def _shim_config(compat: str, no_auth: bool, max_body_bytes: int, allowed_hosts, cors_origins,
                 inline_budget_ms: float | None, ui: bool) -> ShimConfig:
    budget = {} if inline_budget_ms is None else {"inline_budget_ms": inline_budget_ms}
    return ShimConfig(compat=compat, no_auth=no_auth, max_body_bytes=max_body_bytes, allowed_hosts=tuple(allowed_hosts),
                      cors_origins=tuple(cors_origins), ui=ui, **budget)


def _announce(base: str, server: str, compat: str, no_auth: bool, data_dir, read_only: bool, ui: bool) -> None:
    print(f"tsdb: serving {base} ({server}, compat={compat}, auth={'off' if no_auth else 'on'}, "
          f"data={data_dir or 'memory'}{', read-only' if read_only else ''})", file=sys.stderr, flush=True)
    if ui:
        print(f"tsdb: data explorer at {base}/ (API reference at {base}/docs)", file=sys.stderr, flush=True)


def _start_flight(store, tokens: TokenStore, host: str, port: int, no_auth: bool, url_out: list | None):
    """Arrow Flight (SQL, InfluxQL) beside HTTP (tsdb_http/flight.py); its location joins ``url_out``."""
    from .flight import start_flight

    flight = start_flight(store, tokens, host, port, no_auth=no_auth)
    if url_out is not None:
        url_out.append(flight.location)
    return flight


def _check_exposure(server: str, host: str) -> None:
    """Hypercorn has no connection cap and no deadline for a request's head (no public hook for
    either), so it serves loopback only: a reverse proxy that limits connections can front it."""
    if server == "hypercorn" and not _is_loopback(host):
        raise UserError(
            f"Hypercorn serves loopback only (it cannot cap connections or bound the time to send a "
            f"request's headers): use the default uvicorn server to bind {host}, or bind 127.0.0.1 "
            "behind a reverse proxy that limits connections")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() in ("localhost", "localhost.")


def run_loop(coro):
    """Run ``coro`` on uvloop when it is installed (the ``http`` extra), else on asyncio's loop.

    uvloop lowers the loop's own share of a small request (socket writes, the wake-up
    from a worker thread); ``TSDB_EVENT_LOOP=asyncio`` forces the standard loop.
    """
    if os.environ.get("TSDB_EVENT_LOOP", "").lower() != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.run(coro)
    return asyncio.run(coro)


async def _serve_until_stopped(app, sock, stop: threading.Event | None, ready: threading.Event | None,
                               graceful_timeout: float, log_level: str, server: str, limits: Limits) -> None:
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, event.set)
    if stop is not None:
        threading.Thread(target=lambda: (stop.wait(), loop.call_soon_threadsafe(event.set)),
                         daemon=True, name="tsdb-serve-stop").start()
    if ready is not None:
        loop.call_soon(ready.set)
    await _run(app, sock, event, graceful_timeout, log_level, server, limits)


def _load_demo(store) -> None:
    from .demo import load_demo

    for db, points in load_demo(store).items():
        print(f"tsdb: demo: loaded {points} points into {db}", file=sys.stderr, flush=True)


@dataclass
class ServerHandle:
    """A server running in a background thread (see :func:`start_in_thread`)."""

    url: str
    thread: threading.Thread
    stop_event: threading.Event
    flight: str | None = None  # the Arrow Flight location, when served (``flight_port=``)

    def stop(self, timeout: float = 15.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def start_in_thread(data_dir: str | Path | None, **kwargs) -> ServerHandle:
    """Run :func:`serve` in a daemon thread on a free loopback port (``port=0`` by default)."""
    kwargs.setdefault("port", 0)
    stop, ready, urls, errors = threading.Event(), threading.Event(), [], []

    def run():
        try:
            serve(data_dir, stop=stop, ready=ready, url_out=urls, **kwargs)
        except BaseException as e:  # surface start-up failures to the caller
            errors.append(e)
            ready.set()

    t = threading.Thread(target=run, daemon=True, name="tsdb-serve")
    t.start()
    ready.wait(60)
    if errors:
        raise errors[0]
    return ServerHandle(urls[0], t, stop, urls[1] if len(urls) > 1 else None)


def main(argv: list[str] | None = None) -> None:
    """``python -m tsdb_http.serve [--data-dir D] [--host H] [--port P] [--no-auth] [--compat C]``."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m tsdb_http.serve")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8086)
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--compat", default="cloud-dedicated", choices=[d.value for d in Dialect])
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY)
    a = ap.parse_args(argv)
    try:
        serve(a.data_dir, a.host, a.port, a.no_auth, a.compat, a.demo, a.max_body_bytes)
    except UserError as e:  # a damaged tokens.json, a refused bind: what to fix, no traceback
        print(f"Error: {e}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
