"""Queries on live data: the TSBS query set while a loader writes, straight after, and settled.

    python -m bench.live                         # in process and over HTTP, 100 hosts x 24 h
    python -m bench.live --mode embedded --runs 7 --hosts 20 --hours 6

Dashboards look at what was just written. One fresh store per mode (in process, and
``tsdb serve`` over HTTP):

1. **bulk**: the data set but its last ``--live-share`` is loaded at full speed (timed: the
   ingest rate);
2. **live**: a feeder thread writes that last share in ``--feed-batch``-line writes paced at
   ``--feed-rate`` lines/s while the queries run round after round (a round: every query
   once) until the feeder is done; each query's time goes to the third of the feed its
   writes had reached when it started (**early**, **middle**, **late**). Before the write that
   leaves a third (or ends the feed) the feeder holds until every query ran in that third (so
   every third is measured where a round is slower than a third of the feed; the hold is
   reported, and is nil when rounds are quick);
3. **fresh**: the load has just finished (straight after); nothing was flushed or compacted on purpose;
4. **settled**: flushed and compacted (in process: ``Store.flush()`` and ``compact()``; over
   HTTP: stopped, ``tsdb compact``, started), then queried.

Medians per phase and their ratios to the settled store are printed (and written to
bench/out/live.md); the goal is every ratio <= 1.5. Answers of the fresh store must equal
the settled store's (same rows): a difference makes the command exit 1.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import loader
from .compare import DB, OUT, data_file, http_query, values_in
from .queries import DEFAULT_SEED, BenchQuery, devops_queries
from .report import compare_json

LIVE = ("early", "middle", "late")  # thirds of the feed
PHASES = (*LIVE, "fresh", "settled")
GOAL = 1.5


# -- the stores ------------------------------------------------------------------------------
class EmbeddedTarget:
    """A store in this process (a temporary directory)."""

    name = "embedded"

    def __init__(self) -> None:
        import tempfile
        import tsdb_core
        self.dir = tempfile.TemporaryDirectory(prefix="bench-live-")
        self.store = tsdb_core.open(Path(self.dir.name) / "data")

    def write(self, body: bytes) -> str | None:
        try:
            self.store.write(DB, body)
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            return f"{type(exc).__name__}: {exc}"
        return None

    def load(self, parts, workers: int) -> loader.LoadResult:
        return loader.load_embedded(loader.Batches(b"", tuple(parts), 0), lambda b: self.write(b), workers,
                                    progress=False)

    def query(self, q: str) -> tuple[int, bytes]:
        import orjson
        return 200, orjson.dumps(self.store.query(q, db=DB).to_json())

    def settle(self) -> None:
        self.store.flush()
        self.store.compact()

    def close(self) -> None:
        self.store.close()
        self.dir.cleanup()


class HttpTarget:
    """``tsdb serve`` in a child process (bench/tsdb_server.py), queried with keep-alive GETs."""

    name = "http"

    def __init__(self) -> None:
        from .tsdb_server import TsdbServer
        self.server = TsdbServer().__enter__()
        self.server.create_database(DB)
        self.run = http_query(self.server.port)
        self._local = threading.local()

    def write(self, body: bytes) -> str | None:
        send = getattr(self._local, "send", None)
        if send is None:
            send = self._local.send = loader.http_sender(self.server.port, f"/write?db={DB}")()
        return send(memoryview(body))

    def load(self, parts, workers: int) -> loader.LoadResult:
        return loader.load_http(loader.Batches(b"", tuple(parts), 0), self.server.port, DB, workers, progress=False)

    def query(self, q: str) -> tuple[int, bytes]:
        return self.run(q)

    def settle(self) -> None:
        self.server.force_compaction(measure=False)  # (the disk's size is no concern here)
        self.run = http_query(self.server.port)

    def close(self) -> None:
        self.server.__exit__(None, None, None)


# -- the phases ------------------------------------------------------------------------------
@dataclass
class Phases:
    """Timings (seconds) per phase per query, the answers per phase, and what the run did."""

    times: dict[str, dict[str, list[float]]] = field(default_factory=lambda: {p: {} for p in PHASES})
    answers: dict[str, dict[str, bytes]] = field(default_factory=lambda: {p: {} for p in PHASES})
    notes: list[str] = field(default_factory=list)

    def median_ms(self, phase: str, q: str) -> float:
        t = self.times[phase].get(q)
        return statistics.median(t) * 1e3 if t else float("nan")


class Feeder(threading.Thread):
    """Writes ``parts`` one after the other, paced at ``lines_per_s`` (one batch at a time).

    The feed is cut in thirds by writes done (:meth:`third`); before the write that leaves a
    third, the feeder waits until ``measured[k]`` is set for it (every query ran there), and its
    pacing clock skips the wait (``held``: the seconds spent waiting)."""

    def __init__(self, write: Callable[[bytes], str | None], parts, lines_per_s: float):
        super().__init__(name="bench-live-feeder", daemon=True)
        self.write, self.parts, self.rate = write, parts, lines_per_s
        self.errors: list[str] = []
        self.done = threading.Event()
        self.started = threading.Event()  # the first write is in
        self.measured = [threading.Event() for _ in LIVE]
        self.written = 0
        self.held = 0.0

    def third(self, written: int | None = None) -> int:
        """The third of the feed (an index in ``LIVE``) once ``written`` writes are done (default: now)."""
        w = self.written if written is None else written
        return min(len(LIVE) - 1, w * len(LIVE) // max(1, len(self.parts)))

    def _hold(self, i: int) -> float:
        """Wait before write ``i`` until the thirds it leaves were measured; the seconds waited."""
        n = len(self.parts)
        if i == 0:
            return 0.0  # (the queries start after the first write)
        upto = self.third(i + 1) if i < n - 1 else self.third(i) + 1
        t0 = time.perf_counter()
        for k in range(self.third(1), upto):
            self.measured[k].wait()  # a condition set by the query rounds, not a sleep
        return time.perf_counter() - t0

    def run(self) -> None:
        t0 = time.perf_counter()
        lines = 0
        try:
            for i, part in enumerate(self.parts):
                waited = self._hold(i)
                self.held += waited
                t0 += waited
                err = self.write(bytes(part))
                if err is not None:
                    self.errors.append(err)
                lines += bytes(part).count(b"\n")
                self.written += 1
                self.started.set()
                ahead = lines / self.rate - (time.perf_counter() - t0)
                if ahead > 0:
                    time.sleep(ahead)  # pacing a feed, not waiting on a condition
        finally:
            self.started.set()
            self.done.set()


def split_feed(batches: loader.Batches, share: float, feed_lines: int) -> tuple[loader.Batches, loader.Batches]:
    """(the bulk, in the loader's batches; the last ``share`` of the lines, in writes of
    ``feed_lines``), cut at a line boundary."""
    data = bytes(batches.data)
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1
    keep = min(len(ends), max(1, int(len(ends) * (1 - share))))
    cut = int(ends[keep - 1])
    return loader.split_batches(data[:cut]), loader.split_batches(data[cut:], feed_lines)


def timed(target, q: str) -> tuple[float, int, bytes]:
    t0 = time.perf_counter()
    status, body = target.query(q)
    return time.perf_counter() - t0, status, body


def timed_ok(target, bq: BenchQuery, phase: str, out: Phases) -> None:
    """One query timed and its answer kept under ``phase``; an error answer stops the run."""
    dt, status, body = timed(target, bq.q)
    if status != 200 or b'"error"' in body[:2000]:
        raise RuntimeError(f"{phase} {bq.name}: status {status}: {body[:300]!r}")
    out.times[phase].setdefault(bq.name, []).append(dt)
    out.answers[phase][bq.name] = body


def run_phase(target, queries: list[BenchQuery], runs: int, phase: str, out: Phases) -> None:
    """``runs`` rounds of every query (no warm-up: the first answer after a write is the
    one a dashboard waits for)."""
    for _ in range(runs):
        for bq in queries:
            timed_ok(target, bq, phase, out)


def run_live(target, queries: list[BenchQuery], feeder: Feeder, out: Phases) -> int:
    """Rounds of every query until the feeder is done, each time filed under the third of the
    feed at the query's start; tells the feeder when a third has every query. Returns the rounds begun."""
    names = {bq.name for bq in queries}
    rounds = 0
    try:
        while not feeder.done.is_set():
            rounds += 1
            for bq in queries:
                if feeder.done.is_set():
                    break
                k = feeder.third()
                timed_ok(target, bq, LIVE[k], out)
                if names <= out.times[LIVE[k]].keys():
                    feeder.measured[k].set()
    finally:
        for e in feeder.measured:
            e.set()  # (an error here must not leave the feeder waiting)
    return rounds


def run_target(target, batches: loader.Batches, queries: list[BenchQuery], args, say) -> Phases:
    """Bulk load, live rounds beside the feeder, fresh rounds, settle, settled rounds. One query
    on the empty store first: the process's imports (query engine, parser) are not a cost of
    live data, and the settled rounds run warm."""
    out = Phases()
    bulk, feed = split_feed(batches, args.live_share, args.feed_batch)
    warm, status, body = timed(target, "SHOW DATABASES")  # (the process's first query imports the query engine)
    if status != 200:
        raise RuntimeError(f"SHOW DATABASES: status {status}: {body[:300]!r}")
    out.notes.append(f"{target.name}: the process's first query (SHOW DATABASES, before the load): {warm * 1e3:.0f} ms")
    res = target.load(bulk.parts, args.workers)
    values = values_in(batches) * bulk.lines // batches.lines
    say(f"{target.name}: bulk load of {bulk.lines:,} lines in {res.seconds:.2f} s = {values / res.seconds:,.0f} values/s"
        + (f"; {len(res.errors)} errors, first: {res.errors[0]}" if res.errors else ""))
    feeder = Feeder(target.write, feed.parts, args.feed_rate)
    feeder.start()
    feeder.started.wait()
    rounds = run_live(target, queries, feeder, out)
    feeder.join()
    per = "/".join(str(min((len(out.times[p].get(bq.name, ())) for bq in queries), default=0)) for p in LIVE)
    out.notes.append(f"{target.name}: live: {rounds} rounds begun while the feeder made its {len(feed.parts)} "
                     f"writes (queries per third, early/middle/late: {per}); the feeder held {feeder.held:.2f} s")
    if feeder.errors:
        raise RuntimeError(f"feeder: {feeder.errors[0]}")
    run_phase(target, queries, args.runs, "fresh", out)
    t0 = time.perf_counter()
    target.settle()
    out.notes.append(f"{target.name}: settled (flush + compaction) in {time.perf_counter() - t0:.1f} s")
    for bq in queries:  # warm the settled store's caches, as bench.compare's warm-up does
        timed(target, bq.q)
    run_phase(target, queries, args.runs, "settled", out)
    return out


# -- the report ------------------------------------------------------------------------------
def table(name: str, ph: Phases, queries: list[BenchQuery]) -> tuple[str, list[str]]:
    """A markdown table of medians per phase and their ratios to the settled store, a line of
    how many queries each phase has over the goal (and the geometric mean of its ratios); the
    queries over the goal."""
    timed = PHASES[:-1]
    rows = [f"### {name}", "", "| query | " + " | ".join(f"{p} ms" for p in PHASES) + " | "
            + " | ".join(f"{p} / settled" for p in timed) + " | fresh, first run ms |",
            "|---|" + "---:|" * (len(PHASES) + len(timed) + 1)]
    over, ratios = [], {p: [] for p in timed}
    for bq in queries:
        ms = {p: ph.median_ms(p, bq.name) for p in PHASES}
        r = {p: ms[p] / ms["settled"] for p in timed}
        for p in timed:
            ratios[p].append(r[p])
        if any(v > GOAL for v in r.values()):
            over.append(f"{name} {bq.name}")
        first = ph.times["fresh"][bq.name][0] * 1e3
        rows.append(f"| {bq.name} | " + " | ".join(f"{ms[p]:.2f}" for p in PHASES) + " | "
                    + " | ".join(f"{r[p]:.2f}" for p in timed) + f" | {first:.2f} |")
    rows += ["", f"{name}, queries over {GOAL}x the settled store (geomean ratio): " + ", ".join(
        f"{p} {sum(v > GOAL for v in ratios[p])} of {len(queries)} ({_geomean(ratios[p]):.2f})" for p in timed)]
    return "\n".join(rows), over


def _geomean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values)))) if values else float("nan")


def differing(ph: Phases) -> list[str]:
    """Queries whose fresh answer differs from the settled one."""
    return [q for q, body in ph.answers["fresh"].items()
            if compare_json(body, ph.answers["settled"].get(q, b"")) is not None]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", choices=("embedded", "http", "both"), default="both")
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=24)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--workers", type=int, default=2, help="bulk loader threads")
    p.add_argument("--runs", type=int, default=5,
                   help="rounds straight after and settled (median reported); live rounds last the feed")
    p.add_argument("--live-share", type=float, default=0.1, help="share of the data the feeder writes")
    p.add_argument("--feed-rate", type=float, default=20_000, help="feeder lines per second")
    p.add_argument("--feed-batch", type=int, default=1_000, help="lines per feeder write")
    p.add_argument("--queries", help="comma-separated subset of query names")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--data-dir", type=Path, default=OUT / "data", help="where the generated data file is kept")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def say(msg: str) -> None:
        print(msg, flush=True)

    path = data_file(args.hosts, args.hours, args.seed, args.data_dir)
    batches = loader.split_batches(path.read_bytes())
    queries = devops_queries(args.hosts, args.hours, seed=args.seed,
                             names=args.queries.split(",") if args.queries else None)
    say(f"data: {path} ({batches.lines:,} lines, {values_in(batches):,} values)")
    makers = {"embedded": EmbeddedTarget, "http": HttpTarget}
    tables, over, notes, bad = [], [], [], []
    for mode in (["embedded", "http"] if args.mode == "both" else [args.mode]):
        target = makers[mode]()
        try:
            ph = run_target(target, batches, queries, args, say)
        finally:
            target.close()
        text, o = table(mode, ph, queries)
        tables.append(text)
        over += o
        notes += ph.notes
        bad += [f"{mode} {q}" for q in differing(ph)]
    report = "\n\n".join(tables) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    report += f"\nOver {GOAL}x the settled store: {', '.join(over) or 'none'}\n"
    say(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "live.md").write_text(f"# Live data (`python -m bench.live {' '.join(argv or sys.argv[1:])}`)\n\n"
                                      + report)
    if bad:
        say("ANSWERS DIFFER between the fresh and the settled store: " + ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
