"""Slow clients against the real server: a stalled request is dropped after the read timeout.

A client that stalls mid-body is cut after ``READ_TIMEOUT_S`` (30 s; 1 s here),
under both HTTP servers. A silent client is cut by the keep-alive timeout (75 s),
and so is a half-header one under Hypercorn (which counts it idle; uvicorn_server.py
cuts it after the read timeout); those cases run only with TSDB_SLOW=1.
"""
from __future__ import annotations

import socket
import time

import pytest

from reliability.server import Server

from .conftest import SLOW


@pytest.fixture(scope="module", params=["uvicorn", "hypercorn"])
def server(tmp_path_factory, request):
    s = Server(tmp_path_factory.mktemp("slow") / "store", extra=["--read-timeout", "1", "--http-server", request.param])
    s.start()
    yield s
    s.kill()


HALF_BODY = b"POST /api/v2/write?bucket=x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nm v=1"
HALF_HEADERS = b"POST /api/v2/write?bucket=x HTTP/1.1\r\nHost: a\r\n"


def _closed_within(port: int, sent: bytes, limit: float) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(sent)
        t0 = time.monotonic()
        sock.settimeout(limit)
        try:
            while sock.recv(65536):  # an error answer may come first; then the close
                pass
        except TimeoutError:
            pytest.fail(f"the server kept a stalled connection open for {limit} s")
        return time.monotonic() - t0


def test_client_stalled_mid_body_is_disconnected(server):
    assert _closed_within(server.port, HALF_BODY, 8) < 6


@pytest.mark.skipif(not SLOW, reason="waits for the 75 s keep-alive timeout: TSDB_SLOW=1")
@pytest.mark.parametrize("sent", [b"", HALF_HEADERS], ids=["silent", "half-headers"])
def test_client_stalled_before_the_request_is_disconnected(server, sent):
    assert _closed_within(server.port, sent, 90) < 85


def test_server_still_answers_after_stalled_clients(server):
    import httpx

    socks = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(50)]
    try:
        assert httpx.get(server.url + "/ping", timeout=5).status_code == 204
    finally:
        for s in socks:
            s.close()
