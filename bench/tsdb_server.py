"""`tsdb serve` as a child process, the same shape as :class:`bench.influxd.Influxd`.

Run as ``python -m tsdb_core.cli`` from this checkout, so the benchmark measures the
code in the tree, not whatever ``tsdb`` is on PATH.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import procstat
from .influxd import free_port, wait_ping

REPO = Path(__file__).resolve().parent.parent


class TsdbServer:
    name = "tsdb"

    def __init__(self, root: str | os.PathLike | None = None, *, keep: bool = False,
                 extra_args: tuple[str, ...] = ("--compat", "influxdb1")):
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="bench-tsdb-"))
        self.keep, self.extra_args = keep, extra_args
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tsdb_core.cli", *args]

    def start(self) -> "TsdbServer":
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log = open(self.root / "tsdb.log", "ab")
        cmd = self._cli("serve", "--data-dir", str(self.data_dir), "--port", str(self.port),
                        "--no-auth", *self.extra_args)
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=REPO)
        log.close()
        try:
            wait_ping(self.port, self.proc)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 120.0) -> None:
        """SIGINT first (a clean shutdown flushes the buffer), then SIGKILL."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "TsdbServer":
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._own_root and not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self, db: str) -> None:
        """CREATE DATABASE over HTTP; if the server cannot (yet), ``tsdb db create`` offline."""
        import http.client
        import urllib.parse
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("POST", "/query", body=urllib.parse.urlencode({"q": f'CREATE DATABASE "{db}"'}),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        if resp.status == 200 and b'"error"' not in body:
            return
        self.stop()
        subprocess.run(self._cli("db", "create", db, "--data-dir", str(self.data_dir)), cwd=REPO,
                       check=True, capture_output=True, timeout=120)
        self.start()

    def log_tail(self, n: int = 2000) -> str:
        try:
            return (self.root / "tsdb.log").read_text(errors="replace")[-n:]
        except FileNotFoundError:
            return ""

    def peak_rss(self) -> int:
        return procstat.hwm_bytes(self.pid)

    def disk_bytes(self) -> int:
        return procstat.dir_bytes(self.data_dir)

    def force_compaction(self, timeout: float = 600.0) -> int:
        """Stop, run ``tsdb compact`` (flush + merge), measure, start again."""
        self.stop()
        res = subprocess.run(self._cli("compact", "--data-dir", str(self.data_dir)), cwd=REPO,
                             capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            raise RuntimeError(f"tsdb compact failed ({res.returncode}): {res.stderr[-2000:]}")
        size = self.disk_bytes()
        self.start()
        return size
