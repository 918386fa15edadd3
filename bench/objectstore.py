"""The store on local disk vs on an S3 API server (moto on 127.0.0.1): ingest and TSBS queries.

    python -m bench.objectstore                  # small: 100 hosts x 24 h = 8.64 M values
    python -m bench.objectstore --hosts 10 --hours 2 --runs 3

Per location: ingest values/s (writes, then the flush that makes the data durable there), and
each TSBS query's time on a freshly opened store (cold: every file fetched and decoded once)
and its median over ``--runs`` further runs (warm: the decoded-partition cache answers). The S3
server is moto's, in this process: its figures say what the object-store path costs in
requests and copies, not what a real bucket's network adds.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

import tsdb_core
from tsdb_core.base.config import StoreConfig

from . import devops
from .queries import devops_queries

DB = "benchmark"


def _ingest(location: str, wal_dir: Path, hosts: int, hours: float) -> tuple[float, int]:
    """(seconds, values) to write the data set and flush it."""
    values = 0
    t0 = time.perf_counter()
    with tsdb_core.open(location, wal_dir=wal_dir, config=StoreConfig()) as store:
        for body in devops.iter_chunks(hosts=hosts, hours=hours):
            res = store.write(DB, body)
            values += res.points_written * len(devops.FIELDS)
        store.flush()
    return time.perf_counter() - t0, values


def _queries(location: str, wal_dir: Path, hosts: int, hours: float, runs: int) -> dict[str, tuple[float, float]]:
    """Per query: (cold seconds: the first run on a store just opened, warm median seconds)."""
    out = {}
    for bq in devops_queries(hosts, hours):
        times = []
        with tsdb_core.open(location, wal_dir=wal_dir) as store:
            for _ in range(runs + 1):
                t0 = time.perf_counter()
                res = store.query(bq.q, db=DB)
                times.append(time.perf_counter() - t0)
                assert res.error is None and all(s.error is None for s in res.statements), (bq.name, res)
        out[bq.name] = (times[0], statistics.median(times[1:]))
    return out


def _start_s3() -> tuple[object, str]:
    from moto.server import ThreadedMotoServer
    import pyarrow.fs as pafs

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1",
                      AWS_ENDPOINT_URL=f"http://{host}:{port}")
    fs = pafs.S3FileSystem(endpoint_override=f"{host}:{port}", scheme="http", region="us-east-1",
                           allow_bucket_creation=True)
    fs.create_dir("tsdb-bench")
    return server, "s3://tsdb-bench/store"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=24)
    p.add_argument("--runs", type=int, default=5, help="warm runs per query (after one cold run)")
    a = p.parse_args(argv)
    server, uri = _start_s3()
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, location, wal in (("local", f"{tmp}/local", Path(f"{tmp}/local")),
                                        ("s3", uri, Path(f"{tmp}/s3-wal"))):
                secs, values = _ingest(location, wal, a.hosts, a.hours)
                results[name] = (values / secs, _queries(location, wal, a.hosts, a.hours, a.runs))
                print(f"{name}: ingest {values:,} values in {secs:.2f} s", flush=True)
    finally:
        server.stop()
    _report(results)


def _report(results: dict) -> None:
    names = list(results)
    print(f"\n{'':28}" + "".join(f"{n:>24}" for n in names))
    print(f"{'ingest values/s':28}" + "".join(f"{results[n][0]:>24,.0f}" for n in names))
    print(f"{'query (ms)':28}" + "".join(f"{'cold':>12}{'warm median':>12}" for _ in names))
    for q in results[names[0]][1]:
        row = "".join(f"{results[n][1][q][0] * 1e3:>12.1f}{results[n][1][q][1] * 1e3:>12.2f}" for n in names)
        print(f"{q:28}{row}")


if __name__ == "__main__":
    main()
