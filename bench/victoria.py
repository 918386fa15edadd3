"""A throw-away VictoriaMetrics (Debian's ``victoria-metrics``) and the TSBS queries in MetricsQL.

Loopback port picked free, data in a temp folder, stopped by PID (SIGINT: it flushes what it
holds in memory first). Loaded through its InfluxDB line-protocol endpoint (``/write``): each
field becomes the series ``cpu_<field>`` with the line's tags as labels. VictoriaMetrics keeps
timestamps in milliseconds and values as decimals of about 12 significant digits.

Queries are the forms of TSBS's own VictoriaMetrics generator
(cmd/tsbs_generate_queries/databases/victoriametrics/devops.go): ``/api/v1/query_range`` with
``max(max_over_time(...[1m])) by (__name__)`` and the like, the same hosts and windows as the
InfluxQL ones. Its windows look back from each step, ``(t - 1m, t]``, where InfluxQL's look
forward, ``[t, t + 1m)``, so the answers are not the same numbers and are not compared;
``show-tag-values-hostname`` (``/api/v1/label/hostname/values``) is. What TSBS's generator
cannot express in MetricsQL (:data:`NOT_EXPRESSIBLE`) is left out.

The response cache is off (``-search.disableCache``): the benchmark asks each query several
times over data from 2016, and a cached answer would time the cache. Acknowledged writes are
buffered in memory and reach disk within about a second (not durable at acknowledgement).
"""
from __future__ import annotations

import calendar
import shutil
import signal
import time
import urllib.parse
import urllib.request
from datetime import datetime

import orjson

from . import procstat
from .procserver import ProcServer, free_port
from .queries import BenchQuery, parts

BINARY = "victoria-metrics"
NOT_EXPRESSIBLE = {  # TSBS's generator panics on these ("not supported in PromQL"); ours are not TSBS's
    "high-cpu": "HighCPUForHosts: not supported in PromQL (TSBS)",
    "lastpoint": "LastPointPerHost: not supported in PromQL (TSBS)",
    "groupby-orderby-limit": "GroupByOrderByLimit: not supported in PromQL (TSBS)",
    "raw": "raw rows of every field: not a TSBS query for VictoriaMetrics",
    "count-all": "count of every value: not a TSBS query for VictoriaMetrics",
}


def available() -> bool:
    return shutil.which(BINARY) is not None


class VictoriaMetrics(ProcServer):
    name = "victoriametrics"
    STOP_SIGNAL = signal.SIGINT
    STOP_TIMEOUT = 60.0

    def __init__(self, root=None, *, keep: bool = False):
        super().__init__(root, keep, "bench-victoria-")
        self.port = 0

    def start(self) -> "VictoriaMetrics":
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        cmd = [BINARY, f"-storageDataPath={self.root / 'data'}", f"-httpListenAddr=127.0.0.1:{self.port}",
               "-retentionPeriod=100y", "-search.disableCache", "-loggerLevel=WARN"]
        self._spawn(cmd, "victoria.log", self.port)
        return self

    def create_database(self, db: str) -> None:
        """Nothing to create: series appear as they are written."""

    def _get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=600) as resp:
            return resp.read()

    def disk_bytes(self) -> int:
        return procstat.dir_bytes(self.root / "data")

    def force_compaction(self, timeout: float = 600.0, settle: float = 3.0) -> int:
        """Flush memory to disk, merge the partitions, wait until the size holds still for
        ``settle`` s, stop (a clean stop flushes the rest) and measure, then start again."""
        self.start()
        self._get("/internal/force_flush")
        self._get("/internal/force_merge")
        deadline, last, since = time.monotonic() + timeout, -1, time.monotonic()
        while time.monotonic() < deadline:
            size = self.disk_bytes()
            if size != last:
                last, since = size, time.monotonic()
            elif time.monotonic() - since >= settle:
                break
            time.sleep(0.25)
        self.stop()
        size = self.disk_bytes()
        self.start()
        return size


def _unix(rfc: str) -> int:
    return calendar.timegm(datetime.strptime(rfc, "%Y-%m-%dT%H:%M:%SZ").timetuple())


def _selector(metrics: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    """TSBS's getSelectClause."""
    host = ("" if not hosts else f"hostname='{hosts[0]}'" if len(hosts) == 1
            else f"hostname=~'{'|'.join(hosts)}'")
    if len(metrics) == 1:
        return f"cpu_{metrics[0]}{{{host}}}"
    names = f"__name__=~'cpu_({'|'.join(metrics)})'"
    return "{" + names + (f", {host}" if host else "") + "}"


def translate(bq: BenchQuery) -> str | None:
    """The request path of a query (None: not expressible, see :data:`NOT_EXPRESSIBLE`)."""
    p = parts(bq)
    if p.kind == "show-tag-values":
        return "/api/v1/label/hostname/values"
    if p.kind in NOT_EXPRESSIBLE:
        return None
    if p.kind == "single-groupby":
        q, step = f"max(max_over_time({_selector(p.metrics, p.hosts)}[1m])) by (__name__)", 60
    elif p.kind == "cpu-max-all":
        q, step = f"max(max_over_time({_selector(p.metrics, p.hosts)}[1h])) by (__name__)", 3600
    else:  # double-groupby
        q, step = f"avg(avg_over_time({_selector(p.metrics, ())}[1h])) by (__name__, hostname)", 3600
    args = {"query": q, "start": _unix(p.start), "end": _unix(p.end), "step": step}
    return "/api/v1/query_range?" + urllib.parse.urlencode(args)


def influx_shape_of_labels(body: bytes) -> bytes:
    """``/api/v1/label/hostname/values`` as InfluxDB's SHOW TAG VALUES answer (for the check)."""
    values = sorted(orjson.loads(body)["data"])
    series = [{"name": "cpu", "columns": ["key", "value"], "values": [["hostname", v] for v in values]}]
    return orjson.dumps({"results": [{"statement_id": 0, "series": series}]})
