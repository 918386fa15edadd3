"""`tsdb serve` as a child process, the same shape as :class:`bench.influxd.Influxd`.

Run as ``python -m tsdb_core.cli`` from this checkout, so the benchmark measures the
code in the tree, not whatever ``tsdb`` is on PATH.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from . import procstat
from .procserver import ProcServer, free_port

REPO = Path(__file__).resolve().parent.parent
REPLACED_GRACE_S = 60.0   # tsdb's file_grace_s default: replaced files outlive their catalog entry so long


class TsdbServer(ProcServer):
    name = "tsdb"
    STOP_SIGNAL = signal.SIGINT  # a clean shutdown flushes the buffer
    STOP_TIMEOUT = 120.0
    disk_settle = REPLACED_GRACE_S + 5     # seconds before the disk figure (see force_compaction)

    def __init__(self, root: str | os.PathLike | None = None, *, keep: bool = False,
                 extra_args: tuple[str, ...] = ("--compat", "influxdb1")):
        super().__init__(root, keep, "bench-tsdb-")
        self.extra_args = extra_args
        self.port = 0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tsdb_core.cli", *args]

    def start(self) -> "TsdbServer":
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        cmd = self._cli("serve", "--data-dir", str(self.data_dir), "--port", str(self.port),
                        "--no-auth", *self.extra_args)
        self._spawn(cmd, "tsdb.log", self.port, cwd=REPO)
        return self

    def create_database(self, db: str) -> None:
        """CREATE DATABASE over HTTP; if the server cannot (yet), ``tsdb db create`` offline."""
        status, body = self._create_database_http(db)
        if status == 200 and b'"error"' not in body:
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

    def disk_bytes(self) -> int:
        return procstat.dir_bytes(self.data_dir)

    def force_compaction(self, timeout: float = 600.0, measure: bool = True) -> int:
        """Stop, run ``tsdb compact`` (flush + merge), start again and measure once the files the
        merge replaced are gone (deleted when their grace period ends, :data:`REPLACED_GRACE_S`);
        ``measure=False``: no wait for that (0 returned), the queries need not wait for the disk."""
        self.stop()
        res = subprocess.run(self._cli("compact", "--data-dir", str(self.data_dir)), cwd=REPO,
                             capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            raise RuntimeError(f"tsdb compact failed ({res.returncode}): {res.stderr[-2000:]}")
        self.start()
        return procstat.settled_bytes(self.data_dir, self.disk_settle, timeout=timeout) if measure else 0
