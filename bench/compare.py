"""One command: tsdb vs InfluxDB 1.6.7 on the TSBS devops cpu-only data and query set.

    python -m bench.compare                      # small: 100 hosts x 24 h = 8.64 M values
    python -m bench.compare --scale large        # 1,000 hosts x 24 h
    python -m bench.compare --workers 1,2,4 --runs 5 --embedded

Both servers get the same file, one after the other (never at the same time: the
machine is small and shared). For each worker count a fresh server loads the file;
the last one is kept, compacted (InfluxDB: restart with 1 s cold thresholds; tsdb:
``tsdb compact``), measured on disk, and queried: ``--warmup`` untimed runs, then
``--runs`` timed ones, median reported. Answers are compared as normalised JSON.
The table goes to the terminal and to bench/out/results.md.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import loader, procstat, profile
from .influxd import Influxd
from .queries import DEFAULT_SEED, BenchQuery, devops_queries
from .report import Report, SystemRun

OUT = Path(__file__).resolve().parent / "out"
DB = "benchmark"
SCALES = {"small": (100, 24), "large": (1000, 24)}


# -- data --------------------------------------------------------------------------------
def data_file(hosts: int, hours: float, seed: int, out_dir: Path = OUT / "data") -> Path:
    """The TSBS cpu-only file for (hosts, hours, seed), generated once and reused."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"cpu-only-{hosts}h-{hours:g}hr-seed{seed}.lp"
    if not path.exists() or path.stat().st_size == 0:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            for chunk in _generate(hosts, hours, seed):
                fh.write(chunk)
        os.replace(tmp, path)
    return path


def _generate(hosts: int, hours: float, seed: int):
    """Chunks of line protocol from the devops generator (bench/devops.py)."""
    from . import devops
    yield from devops.iter_chunks(hosts=hosts, hours=hours, seed=seed)


def values_in(batches: loader.Batches) -> int:
    """Field values in the file: every TSBS line carries the same field set."""
    first = bytes(batches.parts[0][:4096]).split(b"\n", 1)[0]
    fields = first.split(b" ")[1]
    return batches.lines * (fields.count(b",") + 1)


# -- queries -----------------------------------------------------------------------------
def http_query(port: int, method: str = "GET") -> Callable[[str], tuple[int, bytes]]:
    """A keep-alive /query client; GET for reads (as TSBS), POST for CREATE/DROP."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def run(q: str) -> tuple[int, bytes]:
        params = urllib.parse.urlencode({"db": DB, "q": q})
        if method == "GET":
            conn.request("GET", "/query?" + params)
        else:
            conn.request("POST", "/query", body=params,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        return resp.status, resp.read()

    return run


def time_queries(run: Callable[[str], tuple[int, bytes]], queries: list[BenchQuery], sysrun: SystemRun,
                 warmup: int, runs: int, say: Callable[[str], None]) -> None:
    for bq in queries:
        try:
            for _ in range(warmup):
                run(bq.q)
            times, body, status = [], b"", 0
            for _ in range(runs):
                t0 = time.perf_counter()
                status, body = run(bq.q)
                times.append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - one bad query must not sink the table
            sysrun.errors[bq.name] = f"{type(exc).__name__}: {exc}"
            say(f"  {sysrun.name} {bq.name}: {sysrun.errors[bq.name]}")
            continue
        sysrun.answers[bq.name] = body
        if status != 200 or b'"error"' in body[:2000]:
            sysrun.errors[bq.name] = f"error answer (status {status}): {body[:300]!r}"
            say(f"  {sysrun.name} {bq.name}: {sysrun.errors[bq.name]}")
            continue                  # an error's latency is no figure
        sysrun.latencies[bq.name] = times
        say(f"  {sysrun.name:>14} {bq.name:<26} {sorted(times)[len(times) // 2] * 1000:9.2f} ms"
            f"  ({len(body):,} bytes)")


# -- one system over HTTP ----------------------------------------------------------------
def run_server(make_server, batches: loader.Batches, values: int, workers: list[int],
               queries: list[BenchQuery], args, say, baseline: SystemRun | None = None) -> SystemRun:
    name = make_server().name
    profiling = args.profile is not None and name == "tsdb"
    sysrun = SystemRun(name=name, values=values)
    peaks = []
    kept = None
    for i, w in enumerate(workers):
        srv = make_server()
        srv.start()
        try:
            srv.create_database(DB)
            spy = (profile.PySpy(srv.pid, args.profile / "ingest.txt")
                   if profiling and i == len(workers) - 1 else contextlib.nullcontext())
            with procstat.RssSampler(srv.pid) as rss, spy:
                res = loader.load_http(batches, srv.port, DB, w, label=f"{name} load, {w} workers",
                                       progress=args.progress)
            peaks.append(rss.peak)
            rate = values / res.seconds if res.ok else math.nan
            sysrun.ingest_by_workers[w] = rate
            say(f"{name}: loaded {values:,} values with {w} workers in {res.seconds:.2f} s "
                f"= {rate:,.0f} values/s, peak RSS {rss.peak / 2**20:,.0f} MiB"
                + (f"; {len(res.errors)} failed batches, first: {res.errors[0]}" if res.errors else ""))
            if res.errors:
                sysrun.errors["ingest"] = res.errors[0]
        except BaseException:
            srv.__exit__(None, None, None)
            raise
        if i < len(workers) - 1:
            srv.__exit__(None, None, None)
        else:
            kept = srv
    sysrun.peak_rss = max(peaks) if peaks else None
    sysrun.ingest_workers = max(sysrun.ingest_by_workers, key=sysrun.ingest_by_workers.get)
    try:
        t0 = time.perf_counter()
        sysrun.disk_bytes = kept.force_compaction()
        say(f"{name}: compacted in {time.perf_counter() - t0:.1f} s, {sysrun.disk_bytes:,} bytes on disk "
            f"= {sysrun.disk_bytes / values:.2f} bytes/value")
        time_queries(http_query(kept.port), queries, sysrun, args.warmup, args.runs, say)
        if profiling:
            profile_worst(kept.pid, http_query(kept.port), queries, sysrun, baseline, args, say)
    finally:
        kept.__exit__(None, None, None)
    return sysrun


def profile_worst(pid: int, run, queries: list[BenchQuery], ours: SystemRun, baseline: SystemRun | None,
                  args, say, n: int = 3, seconds: float = 5.0) -> None:
    """py-spy the server while it answers each of the ``n`` worst queries (by ratio to
    InfluxDB, else by latency) over and over for ``seconds``; write text summaries."""
    def badness(q: BenchQuery) -> float:
        mine = ours.median_ms(q.name)
        theirs = baseline.median_ms(q.name) if baseline and q.name in baseline.latencies else math.nan
        return mine / theirs if theirs and not math.isnan(theirs) else mine
    timed = [q for q in queries if q.name in ours.latencies]
    if args.profile_queries:
        worst = [q for q in timed if q.name in args.profile_queries]
    else:
        worst = sorted(timed, key=badness, reverse=True)[:n]
    summaries = []
    ingest = args.profile / "ingest.txt"
    if ingest.exists():
        summaries.append(profile.summarise(ingest, title="ingest (HTTP /write)"))
    for q in worst:
        raw = args.profile / f"query-{q.name}.txt"
        with profile.PySpy(pid, raw):
            t0, k = time.perf_counter(), 0
            while time.perf_counter() - t0 < seconds or k < 3:
                run(q.q)
                k += 1
        summaries.append(profile.summarise(raw, title=f"{q.name} x{k} ({badness(q):.2f}x): {q.q}"))
    (args.profile / "summary.txt").write_text("\n".join(summaries))
    say(f"profiles: {args.profile}/summary.txt (worst: {', '.join(q.name for q in worst)})")


# -- tsdb in-process ---------------------------------------------------------------------
def run_embedded(batches: loader.Batches, values: int, workers: list[int], queries: list[BenchQuery],
                 args, say) -> SystemRun:
    import orjson

    import tsdb_core

    sysrun = SystemRun(name="tsdb-embedded", values=values)
    root = Path(tempfile.mkdtemp(prefix="bench-embedded-"))
    try:
        store = None
        for w in workers:
            if store is not None:
                store.close()
            shutil.rmtree(root / "data", ignore_errors=True)
            store = tsdb_core.open(root / "data")
            res = loader.load_embedded(batches, lambda body: store.write(DB, body), w,
                                       label=f"tsdb-embedded load, {w} workers", progress=args.progress)
            rate = values / res.seconds if res.ok else math.nan
            sysrun.ingest_by_workers[w] = rate
            if res.errors:
                sysrun.errors["ingest"] = res.errors[0]
            say(f"tsdb-embedded: loaded {values:,} values with {w} workers in {res.seconds:.2f} s "
                f"= {rate:,.0f} values/s" + (f"; first error: {res.errors[0]}" if res.errors else ""))
        sysrun.ingest_workers = max(sysrun.ingest_by_workers, key=sysrun.ingest_by_workers.get)
        store.flush()
        store.compact()
        sysrun.disk_bytes = procstat.dir_bytes(root / "data")

        def run(q: str) -> tuple[int, bytes]:
            return 200, orjson.dumps(store.query(q, db=DB).to_json())

        time_queries(run, queries, sysrun, args.warmup, args.runs, say)
        store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return sysrun


# -- main --------------------------------------------------------------------------------
def machine() -> str:
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", choices=sorted(SCALES), default="small")
    p.add_argument("--hosts", type=int, help="override the scale's host count")
    p.add_argument("--hours", type=float, help="override the scale's hours")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--workers", default="2,4",
                   help="comma-separated loader worker counts; each loads a fresh server, best wins")
    p.add_argument("--runs", type=int, default=5, help="timed runs per query (median reported)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs per query before timing")
    p.add_argument("--queries", help="comma-separated subset of query names")
    p.add_argument("--embedded", action="store_true", help="also run tsdb in-process (no HTTP)")
    p.add_argument("--skip", default="", help="comma-separated systems to skip: influxdb,tsdb")
    p.add_argument("--no-sink", action="store_true", help="skip the loader-vs-no-op-sink check")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--profile", type=Path, nargs="?", const=OUT / "profile", default=None,
                   help="py-spy the tsdb server during its last load and its 3 worst queries "
                        "(figures of that run carry the sampling overhead)")
    p.add_argument("--profile-queries", help="comma-separated queries to profile instead of the 3 worst")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars (default: when stdout is a terminal)")
    args = p.parse_args(argv)
    hosts, hours = SCALES[args.scale]
    args.hosts = args.hosts or hosts
    args.hours = args.hours or hours
    args.workers = [int(w) for w in str(args.workers).split(",") if w.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    args.profile_queries = set(args.profile_queries.split(",")) if args.profile_queries else set()
    if args.profile_queries and args.profile is None:
        args.profile = OUT / "profile"
    if args.profile is not None and not profile.available():
        p.error("--profile needs py-spy on PATH (pip install py-spy)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from rich.console import Console
    console = Console() if sys.stdout.isatty() else Console(width=160)

    def say(msg: str) -> None:
        console.print(msg, highlight=False, markup=False)

    t_start = time.perf_counter()
    path = data_file(args.hosts, args.hours, args.seed)
    batches = loader.split_batches(path.read_bytes())
    values = values_in(batches)
    say(f"data: {path} ({len(batches.data) / 2**20:,.0f} MiB, {batches.lines:,} lines, {values:,} values, "
        f"{len(batches.parts)} batches of {loader.BATCH_LINES})")
    queries = devops_queries(args.hosts, args.hours, seed=args.seed,
                             names=args.queries.split(",") if args.queries else None)
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "python -m bench.compare " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "data": f"TSBS devops cpu-only, {args.hosts} hosts x {args.hours:g} h every 10 s from 2016-01-01, "
                f"seed {args.seed}: {batches.lines:,} lines, {values:,} values",
        "load": f"{loader.BATCH_LINES:,}-line batches to /write, workers tried: "
                f"{', '.join(map(str, args.workers))} (best shown)",
        "queries": f"{args.warmup} warm-up run(s), then median of {args.runs}",
    }
    if not args.no_sink:
        sink = loader.sink_throughput(batches, max(args.workers))
        meta["loader check"] = (f"the loader alone (no-op sink, {max(args.workers)} workers) pushes "
                                f"{values / sink.seconds:,.0f} values/s")
        say(meta["loader check"])

    influx = SystemRun(name="influxdb", values=values)
    ours: list[SystemRun] = []
    if "influxdb" not in args.skip:
        influx = run_server(Influxd, batches, values, args.workers, queries, args, say)
    if "tsdb" not in args.skip:
        from .tsdb_server import TsdbServer
        ours.append(run_server(TsdbServer, batches, values, args.workers, queries, args, say,
                               baseline=influx))
    if args.embedded:
        ours.append(run_embedded(batches, values, args.workers, queries, args, say))

    best = [s.ingest_rate for s in (influx, *ours) if not math.isnan(s.ingest_rate)]
    if best and "loader check" in meta:
        meta["loader check"] += f" = {values / sink.seconds / max(best):.1f}x the fastest system"
    meta["best worker count"] = ", ".join(f"{s.name} {s.ingest_workers}" for s in (influx, *ours)
                                          if s.ingest_by_workers)
    meta["wall time"] = f"{time.perf_counter() - t_start:.0f} s"
    report = Report(influx, ours, [q.name for q in queries], meta).build()
    report.print_rich(console)
    args.out.mkdir(parents=True, exist_ok=True)
    md = args.out / "results.md"
    queries_md = "\n".join(f"| {q.name} | `{q.q}` |" for q in queries)
    md.write_text("# tsdb vs InfluxDB 1.6.7\n\n" + report.markdown()
                  + "\n## Queries\n\n| name | InfluxQL |\n|---|---|\n" + queries_md + "\n")
    say(f"written: {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
