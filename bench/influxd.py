"""A throw-away InfluxDB 1.6.7 (`influxd` from Debian) for the side-by-side benchmark.

Own config, loopback ports picked free, every directory inside one temp folder;
never touches /var/lib/influxdb or port 8086. Stock engine settings except what
keeps the figures honest: no `_internal` monitor database (it would add its own
writes and bytes), no per-request logs (they cost InfluxDB time we would not pay).
"""
from __future__ import annotations

import os
import shutil
import time

from . import procstat
from .procserver import ProcServer, free_port, wait_ping

__all__ = ["Influxd", "available", "free_port", "wait_ping", "DEFAULT_COLD", "FORCE_COLD"]

CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{root}/meta"
  retention-autocreate = true
  logging-enabled = false
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  index-version = "inmem"
  wal-fsync-delay = "0s"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "{cold}"
  compact-full-write-cold-duration = "{full_cold}"
[coordinator]
  log-queries-after = "0s"
[retention]
  enabled = false
[shard-precreation]
  enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false
  max-body-size = 0
  max-row-limit = 0
[logging]
  level = "warn"
  suppress-logo = true
[continuous_queries]
  enabled = false
"""

# InfluxDB's own defaults, used while loading and querying.
DEFAULT_COLD = ("10m0s", "4h0m0s")
# Used for one restart after the load: snapshot the cache and fully compact at once.
FORCE_COLD = ("1s", "1s")


def available() -> bool:
    return shutil.which("influxd") is not None


class Influxd(ProcServer):
    """``with Influxd() as db: db.port ...``; the temp folder goes away on exit."""

    name = "influxdb"

    def __init__(self, root: str | os.PathLike | None = None, *, keep: bool = False):
        super().__init__(root, keep, "bench-influxd-")
        self.http_port = 0
        self.rpc_port = 0

    # -- lifecycle -------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.http_port

    def start(self, cold: tuple[str, str] = DEFAULT_COLD) -> "Influxd":
        self.root.mkdir(parents=True, exist_ok=True)
        self.http_port, self.rpc_port = free_port(), free_port()
        conf = self.root / "influxdb.conf"
        conf.write_text(CONFIG.format(root=self.root, rpc_port=self.rpc_port, http_port=self.http_port,
                                      cold=cold[0], full_cold=cold[1]))
        env = {k: v for k, v in os.environ.items() if not k.startswith("INFLUXDB_")}
        self._spawn(["influxd", "run", "-config", str(conf)], "influxd.log", self.http_port, env=env)
        return self

    def restart(self, cold: tuple[str, str] = DEFAULT_COLD) -> None:
        self.stop()
        self.start(cold)

    def create_database(self, db: str) -> None:
        status, body = self._create_database_http(db)
        if status != 200 or b'"error"' in body:
            raise RuntimeError(f"CREATE DATABASE failed: HTTP {status} {body[:300]!r}")

    # -- figures -----------------------------------------------------------------------
    def disk_bytes(self, wal: bool = True) -> int:
        """Bytes the engine keeps: TSM, series file, meta and (unless ``wal=False``) the WAL."""
        dirs = ("data", "meta", "wal") if wal else ("data", "meta")
        return sum(procstat.dir_bytes(self.root / d) for d in dirs)

    def wal_bytes(self) -> int:
        return procstat.dir_bytes(self.root / "wal")

    def _compaction_state(self) -> tuple[int, int, int, int]:
        data, wal = self.root / "data", self.root / "wal"
        tmp = sum(1 for p in data.rglob("*.tmp"))
        tsm = sum(1 for p in data.rglob("*.tsm"))
        return procstat.dir_bytes(wal), tmp, tsm, procstat.dir_bytes(data)

    def force_compaction(self, timeout: float = 600.0, settle: float = 4.0) -> int:
        """Restart with 1 s cold thresholds, wait until the cache is snapshotted to TSM and
        each shard fully compacted (TSM present, no temp files, sizes stable for
        ``settle`` s), then restart with the stock settings. Returns the compacted bytes
        without the WAL: InfluxDB 1.6 leaves its last (already snapshotted) segment
        behind, and counting that redundant copy would be unfair to it."""
        self.restart(FORCE_COLD)
        deadline = time.monotonic() + timeout
        stable_since, last = None, None
        while time.monotonic() < deadline:
            state = self._compaction_state()
            _wal, tmp, tsm, _ = state
            settled = tmp == 0 and tsm > 0
            if settled and state == last:
                stable_since = stable_since or time.monotonic()
                if time.monotonic() - stable_since >= settle:
                    break
            else:
                stable_since = None
            last = state
            time.sleep(0.25)
        size = self.disk_bytes(wal=False)
        self.restart(DEFAULT_COLD)
        return size
