"""Live/settled ratio per TSBS query, paired: one store frozen as a load leaves it, one settled.

    python -m bench.live_pairs                       # 100 hosts x 24 h, windows ending at the newest point
    python -m bench.live_pairs --windows tsbs --runs 31 --queries double-groupby-5,high-cpu-1

bench/live.py times queries while a feeder writes: each third of the feed gets a handful of
queries on a store that changes under them, on a machine whose load changes too, so its
ratios are noise. Here the two states are built once and then held still, and each query is
timed on both in turn, many times:

- **live**: the first ``1 - --live-share`` of the data loaded at full speed, the rest written
  in ``--feed-batch``-line writes with one query after each (as a dashboard reads a feed), so
  the buffer holds the pieces and tail a running feed leaves; nothing flushed or compacted,
  and no quiet-time merge of the pieces (``buffer_sort_quiet_s`` is set out of reach), so the
  store stays in that state while it is measured (its pieces are printed before and after);
- **settled**: the same lines in a second store, flushed and compacted.

Each round times every query on both stores back to back (which goes first alternates by
round), wall and CPU time of the process (Polars' threads included). Medians per query and
their ratios are printed; the goal is every ratio <= 1.5. Answers must be equal (exit 1 if not).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import loader
from .compare import DB, OUT, data_file
from .live import GOAL, split_feed
from .queries import DEFAULT_SEED, BenchQuery, devops_queries, parse_rfc3339, rfc3339
from .report import compare_json

_WINDOW = re.compile(r"time >= '([^']+)' and time < '([^']+)'")


def _open(path: Path):
    import tsdb_core
    # the pieces a feed leaves stay as they are: no merge after a quiet spell, no flush by age
    return tsdb_core.open(path, config=tsdb_core.StoreConfig(buffer_sort_quiet_s=1e9, buffer_max_age_s=1e9,
                                                             wal_fsync=False))


def build(batches: loader.Batches, queries: list[BenchQuery], share: float, feed_lines: int, root: Path):
    """(the live store, the settled store) holding the same lines. The live store is written by
    one writer that waits for the buffer's catch-ups after each write and query (:func:`settled_views`):
    its pieces are then the same on every run (with two writers and catch-ups racing the next write,
    builds left 5 to 8 pieces, and the ratios moved with them)."""
    bulk, feed = split_feed(batches, share, feed_lines)
    live = _open(root / "live")

    def write(body: bytes) -> None:
        live.write(DB, body)
        settled_views(live)

    loader.load_embedded(loader.Batches(b"", tuple(bulk.parts), 0), write, 1, progress=False)
    for i, part in enumerate(feed.parts):
        write(bytes(part))
        live.query(queries[i % len(queries)].q, db=DB)
        settled_views(live)
    settled = _open(root / "settled")
    loader.load_embedded(batches, lambda b: settled.write(DB, b), 2, progress=False)
    settled.flush()
    settled.compact()
    return live, settled


def settled_views(store) -> None:
    """Wait until no buffered view of ``store`` sorts in the background (a bench's look inside: not an API)."""
    for view in list(getattr(store._engine.state.buffer, "views", {}).values()):
        if not view.settle():
            raise RuntimeError("a catch-up of the buffer ran past its wait")


def pieces(store) -> str:
    """The live store's buffered pieces (rows each) and unsorted tail, as text."""
    views = getattr(store._engine.state.buffer, "views", {})  # (a bench's look inside: not an API)
    out = []
    for view in views.values():
        sizes = [p.decoded.frame.height for p in getattr(view, "_pieces", [])]
        out.append(f"pieces {sizes}")
    return "; ".join(out) or "no buffered pieces"


def newest_windows(queries: list[BenchQuery], newest_ns: int) -> list[BenchQuery]:
    """Each query's window moved to end just after ``newest_ns`` (a dashboard of the last hours)."""
    out = []
    for q in queries:
        m = _WINDOW.search(q.q)
        if not m:
            out.append(q)
            continue
        lo, hi = parse_rfc3339(m.group(1)), parse_rfc3339(m.group(2))
        shift = datetime.fromtimestamp(newest_ns // 10**9 + 1, timezone.utc) - hi
        new = f"time >= '{rfc3339(lo + shift)}' and time < '{rfc3339(hi + shift)}'"
        out.append(BenchQuery(q.name, q.q.replace(m.group(0), new)))
    return out


def _timed(store, q: str) -> tuple[float, float, bytes]:
    import orjson
    w0, c0 = time.perf_counter(), time.process_time()
    body = orjson.dumps(store.query(q, db=DB).to_json())
    return time.perf_counter() - w0, time.process_time() - c0, body


def measure(live, settled, queries: list[BenchQuery], runs: int) -> tuple[dict, list[str]]:
    """{query: {(state, "wall"|"cpu"): [seconds]}}, and the queries whose answers differ."""
    times = {q.name: {} for q in queries}
    differ = []
    for q in queries:  # warm: caches, catch-ups started by a first read
        a, b = _timed(live, q.q)[2], _timed(settled, q.q)[2]
        if compare_json(a, b) is not None:
            differ.append(f"{q.name}: {compare_json(a, b)}")
    for r in range(runs):
        for q in queries:
            pair = (("live", live), ("settled", settled))
            for state, store in pair if r % 2 == 0 else pair[::-1]:
                wall, cpu, _ = _timed(store, q.q)
                times[q.name].setdefault((state, "wall"), []).append(wall)
                times[q.name].setdefault((state, "cpu"), []).append(cpu)
    return times, differ


def table(times: dict, queries: list[BenchQuery]) -> tuple[str, list[str]]:
    """Markdown: medians (ms) and live/settled ratios, wall and CPU; the queries over the goal."""
    rows = ["| query | live ms | settled ms | wall ratio | live CPU ms | settled CPU ms | CPU ratio |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    over = []
    for q in queries:
        m = {k: statistics.median(v) * 1e3 for k, v in times[q.name].items()}
        rw = m["live", "wall"] / m["settled", "wall"]
        rc = m["live", "cpu"] / max(m["settled", "cpu"], 1e-6)
        if min(rw, rc) > GOAL:
            over.append(q.name)
        rows.append(f"| {q.name} | {m['live', 'wall']:.3f} | {m['settled', 'wall']:.3f} | {rw:.2f} | "
                    f"{m['live', 'cpu']:.3f} | {m['settled', 'cpu']:.3f} | {rc:.2f} |")
    return "\n".join(rows), over


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options (``argv``: None for sys.argv)."""
    p = argparse.ArgumentParser(prog="python -m bench.live_pairs", description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=24)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--runs", type=int, default=21, help="rounds of every query on both stores")
    p.add_argument("--live-share", type=float, default=0.1, help="share of the data written as a feed")
    p.add_argument("--feed-batch", type=int, default=1_000, help="lines per feed write")
    p.add_argument("--windows", choices=("newest", "tsbs"), default="newest",
                   help="newest: each window moved to end at the newest point; tsbs: as drawn")
    p.add_argument("--queries", help="comma-separated subset of query names")
    p.add_argument("--data-dir", type=Path, default=OUT / "data", help="where the generated data file is kept")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build both stores, time every query on each in turn, print the ratios; 1 if answers differ."""
    args = parse_args(argv)
    path = data_file(args.hosts, args.hours, args.seed, args.data_dir)
    batches = loader.split_batches(path.read_bytes())
    queries = devops_queries(args.hosts, args.hours, seed=args.seed,
                             names=args.queries.split(",") if args.queries else None)
    with tempfile.TemporaryDirectory(prefix="bench-live-pairs-") as root:
        live, settled = build(batches, queries, args.live_share, args.feed_batch, Path(root))
        try:
            if args.windows == "newest":
                newest = settled.query("SELECT last(usage_user) FROM cpu", db=DB).to_json()
                stamp = newest["results"][0]["series"][0]["values"][0][0]
                ns = int(parse_rfc3339(stamp).timestamp())
                queries = newest_windows(queries, ns * 10**9)
            before = pieces(live)
            times, differ = measure(live, settled, queries, args.runs)
            after = pieces(live)
        finally:
            live.close()
            settled.close()
    text, over = table(times, queries)
    print(f"{path.name}, live share {args.live_share}, feed writes of {args.feed_batch} lines, "
          f"windows {args.windows}, {args.runs} rounds (medians)")
    print(f"live store: {before}" + ("" if after == before else f" -> after the rounds: {after}"))
    print(text)
    print(f"\nOver {GOAL}x the settled store (wall and CPU): {', '.join(over) or 'none'}")
    if differ:
        print("ANSWERS DIFFER between the live and the settled store:\n" + "\n".join(differ))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
