"""Ingest benchmark: devops cpu data through ``store.write``, and the same data's TSM size in InfluxDB.

    python -m bench.ingest                       # 100 hosts x 24 h, 5,000-line batches, + influxd
    python -m bench.ingest --hours 2 --no-influx # quick look

Reports field values/s through ``Store.write`` (parse + validate + WAL fsync +
buffer), the process's peak RSS, the flush and compaction times, and on-disk
bytes per field value of the Parquet files after flush + compaction; then loads
the same bodies over HTTP ``/write`` into a throw-away influxd 1.6.7
(bench/influxd.py: own temp dirs, loopback ports), restarts it with 1 s cold
thresholds so the cache is snapshotted and fully compacted, and measures its
data directory (TSM + index, without the WAL).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import devops
from tsdb_core.base.time import MAX_TIME, MIN_TIME


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _files_bytes(root: Path, suffix: str) -> int:
    return sum(p.stat().st_size for p in root.rglob(f"*{suffix}"))


def _dir_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def run_store(bodies: list[bytes], workers: int, root: Path) -> dict:
    import tsdb_core

    rss_before = _peak_rss()
    store = tsdb_core.open(root)
    values = 0
    points = 0
    lock = threading.Lock()
    nxt = iter(range(len(bodies)))

    def work() -> None:
        nonlocal values, points
        while True:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            r = store.write("benchmark", bodies[i])
            if r.errors:
                raise RuntimeError(f"batch {i}: {r.errors[0]}")
            with lock:
                values += r.values_written
                points += r.points_written

    t0 = time.perf_counter()
    if workers == 1:
        work()
    else:
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    write_s = time.perf_counter() - t0
    rss_after_write = _peak_rss()
    t1 = time.perf_counter()
    store.flush()
    flush_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    store.compact()
    compact_s = time.perf_counter() - t2
    files = store.files()
    t3 = time.perf_counter()
    rows = store.scan("benchmark", None, "cpu", MIN_TIME, MAX_TIME).collect().height
    scan_s = time.perf_counter() - t3
    store.close()
    parquet = _files_bytes(root, ".parquet")
    return {
        "points": points, "values": values, "write_s": round(write_s, 3),
        "values_per_s": round(values / write_s), "flush_s": round(flush_s, 3), "compact_s": round(compact_s, 3),
        "full_scan_s": round(scan_s, 3), "rows_scanned": rows, "files": len(files),
        "parquet_bytes": parquet, "parquet_bytes_per_value": round(parquet / values, 4),
        "store_dir_bytes": _dir_bytes(root), "peak_rss_bytes": _peak_rss(), "rss_before_open_bytes": rss_before,
        "peak_rss_after_writes_bytes": rss_after_write,
    }


def run_influxd(bodies: list[bytes], workers: int, values: int) -> dict:
    from . import influxd
    from .loader import Batches, load_http

    if not influxd.available():
        return {"skipped": "influxd not on PATH"}
    data = b"".join(bodies)
    parts = tuple(memoryview(b) for b in bodies)
    batches = Batches(data, parts, sum(b.count(b"\n") for b in bodies))
    with influxd.Influxd() as db:
        db.create_database("benchmark")
        res = load_http(batches, db.port, "benchmark", workers, progress=False)
        if res.errors:
            return {"error": res.errors[0]}
        compacted = db.force_compaction()
        tsm = _files_bytes(db.root / "data", ".tsm")
        return {"load_s": round(res.seconds, 3), "values_per_s": round(values / res.seconds),
                "tsm_bytes": tsm, "tsm_bytes_per_value": round(tsm / values, 4),
                "data_dir_bytes_without_wal": compacted,
                "data_dir_bytes_per_value": round(compacted / values, 4),
                "peak_rss_bytes": db.peak_rss()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--workers", type=int, default=1, help="concurrent writer threads (group commit)")
    ap.add_argument("--no-influx", action="store_true", help="skip the influxd comparison")
    ap.add_argument("--dir", help="store directory (default: a temp dir, removed afterwards)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    bodies = list(devops.batches(args.hosts, args.hours, args.seed, devops.BATCH_LINES))
    gen_s = time.perf_counter() - t
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    root = Path(args.dir) if args.dir else tmp / "store"
    try:
        out = {"data": f"devops cpu, {args.hosts} hosts x {args.hours:g} h, {len(bodies)} batches of "
                       f"{devops.BATCH_LINES} lines", "generate_s": round(gen_s, 1),
               "body_bytes": sum(len(b) for b in bodies), "workers": args.workers}
        out["tsdb"] = run_store(bodies, args.workers, root)
        if not args.no_influx:
            out["influxdb_1_6_7"] = run_influxd(bodies, max(args.workers, 4), out["tsdb"]["values"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    s = out["tsdb"]
    print(out["data"])
    print(f"tsdb   : {s['values']:,} values in {s['write_s']} s = {s['values_per_s']:,} values/s "
          f"(target >= 2,000,000); peak RSS {s['peak_rss_bytes'] / 2**20:,.0f} MiB "
          f"(before open: {s['rss_before_open_bytes'] / 2**20:,.0f} MiB = the generated bodies; "
          f"after the writes: {s['peak_rss_after_writes_bytes'] / 2**20:,.0f} MiB)")
    print(f"         flush {s['flush_s']} s, compact {s['compact_s']} s, full scan {s['full_scan_s']} s; "
          f"{s['files']} files, {s['parquet_bytes']:,} B Parquet = {s['parquet_bytes_per_value']} B/value")
    inf = out.get("influxdb_1_6_7")
    if inf:
        if "tsm_bytes" in inf:
            print(f"influxd: {inf['tsm_bytes']:,} B TSM = {inf['tsm_bytes_per_value']} B/value "
                  f"(data dir without WAL {inf['data_dir_bytes_without_wal']:,} B = "
                  f"{inf['data_dir_bytes_per_value']} B/value); HTTP load {inf['values_per_s']:,} values/s")
        else:
            print(f"influxd: {inf}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
