"""A benchmark server run as a child process: pick a port, spawn, wait for /ping, stop.

Shared by :class:`bench.influxd.Influxd` and :class:`bench.tsdb_server.TsdbServer`,
which differ only in the command line, the stop signal and how long a clean
stop may take.
"""
from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from . import procstat


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ping(port: int, proc: subprocess.Popen | None = None, timeout: float = 60.0,
              path: str = "/ping") -> None:
    """Poll ``GET /ping`` until it answers 204 (or 200); raise if the process died."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status in (200, 204):
                return
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    raise TimeoutError(f"no answer on 127.0.0.1:{port}{path} after {timeout}s ({last})")


@contextlib.contextmanager
def stopped_after(procs: list[subprocess.Popen]):
    """``procs`` (filled inside the block) terminated when the block ends, however it ends."""
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(60)


class ProcServer:
    """Lifecycle of one server process in a temp folder (removed on exit unless ``keep``).

    Subclasses set ``STOP_SIGNAL``/``STOP_TIMEOUT`` and write ``start()``, which
    calls :meth:`_spawn` with their command line.
    """

    STOP_SIGNAL = signal.SIGTERM
    STOP_TIMEOUT = 30.0
    START_TIMEOUT = 60.0
    slack = 1.0          # start/stop timeouts multiplied by this (larger data sets take longer)

    def __init__(self, root: str | os.PathLike | None, keep: bool, prefix: str):
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix=prefix))
        self.keep = keep
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def peak_rss(self) -> int:
        return procstat.hwm_bytes(self.pid)

    def start(self):
        raise NotImplementedError

    def _create_database_http(self, db: str) -> tuple[int, bytes]:
        """POST ``CREATE DATABASE`` to ``/query``: (HTTP status, body)."""
        import urllib.parse
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("POST", "/query", body=urllib.parse.urlencode({"q": f'CREATE DATABASE "{db}"'}),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, body

    def _spawn(self, cmd: list[str], log_name: str, port: int, **popen_kw) -> None:
        """Run ``cmd`` (output appended to ``root/log_name``) and wait until ``port`` answers /ping."""
        log = open(self.root / log_name, "ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, **popen_kw)
        log.close()
        try:
            wait_ping(port, self.proc, timeout=self.START_TIMEOUT * self.slack)
        except Exception:
            self.stop()
            raise

    def stop(self, timeout: float | None = None) -> None:
        """``STOP_SIGNAL`` first, SIGKILL after ``timeout`` (default ``STOP_TIMEOUT``) seconds."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(self.STOP_SIGNAL)
            try:
                self.proc.wait(self.STOP_TIMEOUT * self.slack if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._own_root and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
