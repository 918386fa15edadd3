"""A real ``tsdb serve`` in a subprocess on a free 127.0.0.1 port: start, SIGKILL, restart.

``cli=True`` runs the shipped command (``python -m tsdb_core.cli serve``);
otherwise :mod:`reliability.child` serves the same app with tiny flush and
compaction thresholds, so kills also land inside flushes, compactions and WAL
roll-overs (the interesting moments).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, *, cli: bool = False, extra: list[str] | None = None,
                 log_path: Path | None = None):
        self.data_dir = Path(data_dir)
        self.cli = cli
        self.extra = extra or []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = log_path or self.data_dir.parent / f"{self.data_dir.name}.server.log"
        self.starts = 0

    def command(self) -> list[str]:
        mod = ["-m", "tsdb_core.cli", "serve"] if self.cli else ["-m", "reliability.child"]
        return [sys.executable, *mod, "--data-dir", str(self.data_dir), "--port", str(self.port),
                "--no-auth", *self.extra]

    def start(self, timeout: float = 60.0) -> float:
        """Start and wait until /ping answers; returns the seconds it took (open + WAL replay)."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        log = open(self.log_path, "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=log, env=env, cwd=str(REPO))
        log.close()
        self.starts += 1
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; log: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/ping", timeout=1.0).status_code == 204:
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"server did not answer /ping within {timeout}s; log: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no flush, no close, no atexit."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
        self.proc = None

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful: flush and close); returns the exit code."""
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(10)
        self.proc = None
        return rc

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
