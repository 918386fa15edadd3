"""Query throughput with 1, 2 and 4 reader processes over one store (TSBS devops query mix).

    python -m bench.readers                           # 100 hosts x 12 h = 4.32 M values, 1/2/4 readers
    python -m bench.readers --hosts 10 --hours 2 --duration 5 --with-writer

A TSBS devops cpu-only store is written on local disk (default SQLite catalog), flushed and
compacted, and the writer closed. Then, for each reader count N, N processes each open the
store with ``tsdb_core.open(path, read_only=True)``, run the whole query mix once (their
decoded-partition caches warm), wait on one barrier, run ``--warmup`` more seconds untimed and
then ``--duration`` seconds timed, cycling through the mix (reader i starts at a different
query, so they do not run the same one in step). A query counts when it ends inside the timed
window. Reported: total and per-process queries/s, the scaling factor against one reader, and
each query's median latency at each level.

``--with-writer`` repeats every level, on a fresh copy of the store, with a writer process
beside the readers, appending new rows to the same measurement at ``--writer-values`` values/s
and flushing every ``--flush-interval`` seconds (each flush is a catalog change the readers
pick up; the flushes' compactions replace files the readers have cached).

The table goes to the terminal and to ``<out>/readers.md``, the figures to ``<out>/readers.json``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import devops
from .compare import OUT, machine
from .queries import DEFAULT_SEED, devops_queries

DB = "benchmark"


# -- the store ---------------------------------------------------------------------------
def build_store(root: Path, hosts: int, hours: float, seed: int, progress: bool) -> tuple[int, float]:
    """Write the data set, flush and compact it, close the writer; (values, seconds)."""
    import tsdb_core

    total = -(-hosts * int(hours * 360) // devops.BATCH_LINES)
    values, t0 = 0, time.perf_counter()
    with tsdb_core.open(root) as store, _Bar("ingest", total, "batches", progress) as bar:
        for body in devops.iter_chunks(hosts=hosts, hours=hours, seed=seed):
            values += store.write(DB, body).points_written * len(devops.FIELDS)
            bar.advance(1)
        store.flush()
        store.compact()
    return values, time.perf_counter() - t0


# -- one reader process ------------------------------------------------------------------
@dataclass
class ReaderResult:
    """What one reader process measured in the timed window."""

    index: int
    queries: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    error: str | None = None


def _ask(store, q) -> float:
    t0 = time.perf_counter()
    res = store.query(q.q, db=DB)
    dt = time.perf_counter() - t0
    bad = res.error or next((s.error for s in res.statements if s.error), None)
    if bad:
        raise RuntimeError(f"{q.name}: {bad}")
    return dt


def reader_main(index: int, n: int, root: str, hosts: int, hours: float, seed: int,
                warmup: float, duration: float, barrier, results) -> None:
    """Open read-only, warm the cache with one pass, meet the others, measure, report."""
    import tsdb_core

    out = ReaderResult(index)
    try:
        mix = devops_queries(hosts, hours, seed=seed)
        with tsdb_core.open(root, read_only=True) as store:
            for q in mix:
                _ask(store, q)
            barrier.wait()
            start = time.perf_counter()
            measure_from, end = start + warmup, start + warmup + duration
            k = index * len(mix) // n
            while True:
                q = mix[k % len(mix)]
                k += 1
                dt = _ask(store, q)
                done = time.perf_counter()
                if done > end:
                    break
                if done - dt >= measure_from:
                    out.queries += 1
                    out.latencies.setdefault(q.name, []).append(dt)
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which reports it
        out.error = f"{type(exc).__name__}: {exc}"
        barrier.abort()
    results.put(out)


# -- the concurrent writer ---------------------------------------------------------------
def writer_main(root: str, hosts: int, hours: float, seed: int, values_per_s: float,
                flush_interval: float, ready, stop, results) -> None:
    """Append rows after the data set's end at a fixed rate, flushing every ``flush_interval``."""
    import tsdb_core
    from tsdb_core import StoreConfig

    keys = devops.host_keys(hosts, random.Random(seed))
    rng = random.Random(seed + 1)
    step_ns = devops.START_NS + int(hours * 3600) * 10**9
    steps = max(1, int(values_per_s / 10 / (hosts * len(devops.FIELDS))))  # ~0.1 s of rows per write
    written = flushes = 0
    with tsdb_core.open(root, config=StoreConfig(buffer_max_age_s=3600)) as store:
        ready.set()
        t0 = last_flush = time.perf_counter()
        while not stop.is_set():
            lines = [f"{key} " + ",".join(f"{f}={rng.uniform(0, 100):.3f}" for f in devops.FIELDS)
                     + f" {step_ns + k * devops.INTERVAL_NS}" for k in range(steps) for key in keys]
            written += store.write(DB, "\n".join(lines).encode()).points_written * len(devops.FIELDS)
            step_ns += steps * devops.INTERVAL_NS
            now = time.perf_counter()
            if now - last_flush >= flush_interval:
                store.flush()
                flushes, last_flush = flushes + 1, now
            ahead = t0 + written / values_per_s - time.perf_counter()
            if ahead > 0:
                stop.wait(ahead)
        seconds = time.perf_counter() - t0
    results.put({"writer_values": written, "writer_seconds": seconds, "writer_flushes": flushes})


# -- one level ---------------------------------------------------------------------------
def run_level(n: int, args, root: Path, with_writer: bool) -> dict:
    """N readers (and the writer, if asked) measured together; the level's figures."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(n + 1), ctx.Queue()
    writer = stop = None
    if with_writer:
        ready, stop = ctx.Event(), ctx.Event()
        writer = ctx.Process(target=writer_main, args=(str(root), args.hosts, args.hours, args.seed,
                                                       args.writer_values, args.flush_interval, ready, stop, results))
        writer.start()
        if not ready.wait(120):
            raise RuntimeError("the writer process did not open the store")
    procs = [ctx.Process(target=reader_main, args=(i, n, str(root), args.hosts, args.hours, args.seed,
                                                   args.warmup, args.duration, barrier, results))
             for i in range(n)]
    for p in procs:
        p.start()
    label = f"{n} reader{'s' * (n > 1)}" + (" + writer" if with_writer else "")
    window = args.warmup + args.duration
    try:
        barrier.wait(timeout=600)
    except threading.BrokenBarrierError:  # a reader failed before the barrier: its error says why
        window = 0.0
    _wait_window(label, window, args.progress)
    got = [results.get(timeout=600) for _ in procs]
    if stop is not None:
        stop.set()
        got.append(results.get(timeout=120))
        writer.join(120)
    for p in procs:
        p.join(60)
    return summarise(n, args.duration, got, with_writer)


def _wait_window(label: str, seconds: float, progress: bool) -> None:
    """Show the measuring window passing (a bar on a terminal)."""
    with _Bar(label, seconds, "s", progress) as bar:
        t0 = last = time.perf_counter()
        while (now := time.perf_counter()) < t0 + seconds:
            time.sleep(min(0.2, t0 + seconds - now))
            bar.advance(time.perf_counter() - last)
            last = time.perf_counter()


def summarise(n: int, duration: float, got: list, with_writer: bool) -> dict:
    """Queries/s (total, per process) and per-query medians (ms) of one level."""
    readers = sorted((r for r in got if isinstance(r, ReaderResult)), key=lambda r: r.index)
    errors = [f"reader {r.index}: {r.error}" for r in readers if r.error]
    if errors:
        raise RuntimeError("; ".join(errors))
    lat: dict[str, list[float]] = {}
    for r in readers:
        for name, xs in r.latencies.items():
            lat.setdefault(name, []).extend(xs)
    level = {"readers": n, "with_writer": with_writer, "seconds": duration,
             "queries": sum(r.queries for r in readers),
             "per_process_qps": [r.queries / duration for r in readers],
             "median_ms": {k: statistics.median(v) * 1e3 for k, v in lat.items()},
             "runs": {k: len(v) for k, v in lat.items()}}
    level["qps"] = level["queries"] / duration
    level.update(next((w for w in got if isinstance(w, dict)), {}))
    return level


# -- report ------------------------------------------------------------------------------
def markdown(levels: list[dict], names: list[str], meta: dict) -> str:
    """Throughput table (with the scaling factor) and per-query medians, per level."""
    out = ["# Reader processes: TSBS query throughput", ""]
    out += [f"- {k}: {v}" for k, v in meta.items()]
    out += ["", "| readers | writer | total queries/s | per process queries/s | scaling vs 1 reader |",
            "|---:|---|---:|---:|---:|"]
    for lv in levels:
        base = next((b for b in levels if b["readers"] == 1 and b["with_writer"] == lv["with_writer"]), None)
        per = lv["per_process_qps"]
        writer = (f"{lv['writer_values'] / lv['writer_seconds']:,.0f} values/s, {lv['writer_flushes']} flushes"
                  if lv["with_writer"] else "-")
        scale = f"{lv['qps'] / base['qps']:.2f}x" if base and base["qps"] else "-"
        out.append(f"| {lv['readers']} | {writer} | {lv['qps']:,.1f} | "
                   f"{statistics.mean(per):,.1f} ({min(per):,.1f}-{max(per):,.1f}) | {scale} |")
    heads = [f"{lv['readers']}r{'+w' * lv['with_writer']}" for lv in levels]
    out += ["", "Median latency per query (ms; runs in the timed window in parentheses):", "",
            "| query | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(levels)]
    for name in names:
        cells = [f"{lv['median_ms'][name]:,.2f} ({lv['runs'][name]})" if name in lv["median_ms"] else "-"
                 for lv in levels]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


class _Bar:
    """A rich progress bar on a terminal, nothing otherwise."""

    def __init__(self, label: str, total: float, unit: str, enabled: bool):
        self.enabled = enabled
        if enabled:
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            self._p = Progress(TextColumn(f"[bold]{label}"), BarColumn(),
                               TextColumn(f"{{task.completed:,.0f}}/{{task.total:,.0f}} {unit}"),
                               TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
            self._task = self._p.add_task(label, total=total)

    def __enter__(self) -> _Bar:
        if self.enabled:
            self._p.start()
        return self

    def advance(self, by: float) -> None:
        if self.enabled:
            self._p.advance(self._task, by)

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._p.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.readers", description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=12)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--readers", default="1,2,4", help="comma-separated reader process counts")
    p.add_argument("--warmup", type=float, default=2.0, help="untimed seconds after the barrier")
    p.add_argument("--duration", type=float, default=20.0, help="timed seconds per level")
    p.add_argument("--with-writer", action="store_true",
                   help="also run every level with a writer appending and flushing beside the readers")
    p.add_argument("--writer-values", type=float, default=50_000, help="the writer's rate, values/s")
    p.add_argument("--flush-interval", type=float, default=1.0, help="the writer's flush interval, s")
    p.add_argument("--dir", type=Path, default=None, help="where to build the store (default: a temp dir)")
    p.add_argument("--out", type=Path, default=OUT / "readers")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars (default: when stdout is a terminal)")
    args = p.parse_args(argv)
    args.readers = [int(n) for n in args.readers.split(",") if n.strip()]
    args.progress = sys.stdout.isatty() if args.progress is None else args.progress
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [q.name for q in devops_queries(args.hosts, args.hours, seed=args.seed)]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp) / "store"
        values, secs = build_store(root, args.hosts, args.hours, args.seed, args.progress)
        print(f"store: {values:,} values written, flushed and compacted in {secs:.1f} s", flush=True)
        levels = []
        for with_writer in (False, True) if args.with_writer else (False,):
            for n in args.readers:
                at = root
                if with_writer:  # a fresh copy: each level's writer starts from the same data set
                    at = Path(tmp) / f"store-{n}-writer"
                    shutil.copytree(root, at)
                levels.append(run_level(n, args, at, with_writer))
                lv = levels[-1]
                print(f"{n} reader(s){' + writer' if with_writer else ''}: {lv['qps']:,.1f} queries/s", flush=True)
    meta = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "command": "python -m bench.readers " + shlex.join(argv if argv is not None else sys.argv[1:]),
            "data": f"TSBS devops cpu-only, {args.hosts} hosts x {args.hours:g} h, seed {args.seed}: "
                    f"{values:,} values on local disk (SQLite catalog), compacted",
            "method": f"per level: one untimed pass of the {len(names)}-query mix per reader, a barrier, "
                      f"{args.warmup:g} s untimed, {args.duration:g} s timed"}
    md = markdown(levels, names, meta)
    print("\n" + md)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "readers.md").write_text(md)
    (args.out / "readers.json").write_text(json.dumps({"meta": meta, "levels": levels}, indent=1))
    print(f"written: {args.out / 'readers.md'}, {args.out / 'readers.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
