"""The store on local disk vs on an S3 API server (moto on 127.0.0.1): ingest and TSBS queries.

    python -m bench.objectstore                  # small: 100 hosts x 24 h = 8.64 M values
    python -m bench.objectstore --hosts 10 --hours 2 --runs 3

Per location: ingest values/s (writes, then the flush that makes the data durable there), and
each TSBS query's median over ``--runs`` runs in three states, each query asked of a store
opened as a reader (``read_only``) the way a new query process would:

- cold: a store just opened, its object cache emptied first (every file fetched, then decoded);
- warm: a store just opened, the object cache left full (nothing fetched; every file decoded);
- hot: the same open store asked again (the decoded-partition cache answers).

Local stores have no object cache: their cold and warm runs are the same (a new store, the
operating system's page cache warm). The S3 server is moto's, in this process: its figures say
what the object-store path costs in requests and copies, not what a real bucket's network adds.
A progress bar is shown on a terminal.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.storage.object_cache import CACHE_DIR

from . import devops, s3local
from .queries import BenchQuery, devops_queries

DB = "benchmark"
STATES = ("cold", "warm", "hot")


class _Bar:
    """A rich progress bar on a terminal (or when asked), nothing otherwise."""

    def __init__(self, total: int, enabled: bool | None):
        self.enabled = sys.stdout.isatty() if enabled is None else enabled
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            self._p = Progress(TextColumn("[bold]{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                               TimeElapsedColumn(), transient=True)
            self._task = self._p.add_task("", total=total)
            self._p.start()

    def step(self, what: str, n: int = 1) -> None:
        if self.enabled:
            self._p.update(self._task, description=what, advance=n)

    def close(self) -> None:
        if self.enabled:
            self._p.stop()


def _ingest(location: str, wal_dir: Path, hosts: int, hours: float, bar: _Bar, name: str) -> tuple[float, int]:
    """(seconds, values) to write the data set and flush it."""
    values = 0
    t0 = time.perf_counter()
    with tsdb_core.open(location, wal_dir=wal_dir, config=StoreConfig()) as store:
        for body in devops.iter_chunks(hosts=hosts, hours=hours):
            res = store.write(DB, body)
            values += res.points_written * len(devops.FIELDS)
            bar.step(f"{name}: ingest")
        store.flush()
    return time.perf_counter() - t0, values


def _timed(store: tsdb_core.Store, bq: BenchQuery) -> float:
    t0 = time.perf_counter()
    res = store.query(bq.q, db=DB)
    took = time.perf_counter() - t0
    assert res.error is None and all(s.error is None for s in res.statements), (bq.name, res)
    return took


def _query(location: str, wal_dir: Path, bq: BenchQuery, runs: int, bar: _Bar, name: str) -> dict[str, float]:
    """Median seconds of ``bq`` per state (cold, warm, hot)."""
    reader = StoreConfig(read_only=True)
    times: dict[str, list[float]] = {s: [] for s in STATES}
    for state in ("cold", "warm"):
        for _ in range(runs):
            if state == "cold":
                shutil.rmtree(wal_dir / CACHE_DIR, ignore_errors=True)
            with tsdb_core.open(location, wal_dir=wal_dir, config=reader) as store:
                times[state].append(_timed(store, bq))
            bar.step(f"{name}: {bq.name} {state}")
    with tsdb_core.open(location, wal_dir=wal_dir, config=reader) as store:
        _timed(store, bq)
        for _ in range(runs):
            times["hot"].append(_timed(store, bq))
            bar.step(f"{name}: {bq.name} hot")
    return {s: statistics.median(t) for s, t in times.items()}


def run(hosts: int, hours: float, runs: int, progress: bool | None) -> dict:
    """{location: (ingest values/s, {query: {state: median seconds}})} for local and S3."""
    queries = devops_queries(hosts, hours)
    chunks = sum(1 for _ in devops.iter_chunks(hosts=hosts, hours=hours))
    bar = _Bar(2 * (chunks + len(queries) * 3 * runs), progress)
    results = {}
    try:
        with s3local.serving() as server, tempfile.TemporaryDirectory() as tmp:
            bucket = server.new_bucket("tsdb-bench")
            places = (("local", f"{tmp}/local", Path(f"{tmp}/local")),
                      ("s3", f"s3://{bucket}/store", Path(f"{tmp}/s3-local")))
            for name, location, wal in places:
                secs, values = _ingest(location, wal, hosts, hours, bar, name)
                results[name] = (values / secs, {})
            for bq in queries:  # both places query by query: a load that comes and goes hits both alike
                for name, location, wal in places:
                    results[name][1][bq.name] = _query(location, wal, bq, runs, bar, name)
    finally:
        bar.close()
    return results


def report(results: dict) -> list[str]:
    """The table: ingest, then per query each state's median (ms) per location and S3/local."""
    local, s3 = results["local"], results["s3"]
    lines = [f"{'ingest values/s':28}{local[0]:>14,.0f} local{s3[0]:>14,.0f} s3   s3/local {s3[0] / local[0]:.2f}",
             "",
             f"{'median ms':28}" + "".join(f"{'local ' + s:>12}" for s in STATES)
             + "".join(f"{'s3 ' + s:>12}" for s in STATES) + "".join(f"{'ratio ' + s:>12}" for s in STATES)]
    for q, loc in local[1].items():
        rem = s3[1][q]
        lines.append(f"{q:28}" + "".join(f"{loc[s] * 1e3:>12.1f}" for s in STATES)
                     + "".join(f"{rem[s] * 1e3:>12.1f}" for s in STATES)
                     + "".join(f"{rem[s] / loc[s]:>12.2f}" for s in STATES))
    return lines


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=24)
    p.add_argument("--runs", type=int, default=5, help="runs per query and state (their median is shown)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar (default: when stdout is a terminal)")
    a = p.parse_args(argv)
    print("\n".join(report(run(a.hosts, a.hours, a.runs, a.progress))), flush=True)


if __name__ == "__main__":
    main()
