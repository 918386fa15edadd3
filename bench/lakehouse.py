"""What publishing the store as Iceberg tables costs: ingest and flush with publishing off, on
(``StoreConfig(iceberg=True)``: each flush returns once its Iceberg commit is made) and async
(the same store, flushed behind ``Store.flush``'s back so only the publisher's thread publishes,
as before the commit moved into the flush), and the disk the published copies take.

    python -m bench.lakehouse                     # 100 hosts x 6 h, a flush every 10,000 lines
    python -m bench.lakehouse --hosts 20 --hours 1 --rounds 1

Each run writes the lines and flushes every ``--flush-lines`` lines (compaction by count off,
so only the publisher compacts). ``flushed``: until the last flush returns; ``caught up``:
until the Iceberg tables reflect it; ``closed``: until ``close()`` returned; ``store MB`` /
``copies MB``: the store's live files / the files the tables list, at the end. ``resend``: each
write also re-sends the last 5 % of the previous one (a client retry): those windows' files
share (series, time) keys, and the publisher compacts them before publishing.
Rounds alternate off/on/async so machine noise hits them alike.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.lakehouse import verify
from tsdb_core.lakehouse.publisher import current_files

from . import devops

DB = "benchmark"


def _bodies(hosts: int, hours: float, per_flush: int, resend: bool) -> list[bytes]:
    out, prev = [], []
    for body in devops.batches(hosts, hours, batch_lines=per_flush):
        cur = body.decode().splitlines()
        extra = prev[-max(1, len(prev) // 20):] if resend and prev else []
        out.append(("\n".join(extra + cur) + "\n").encode())
        prev = cur
    return out


def _caught_up(store, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while store.health()["iceberg"]["version"] != store.catalog_version():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the publisher did not catch up: {store.health()['iceberg']}")
        time.sleep(0.002)


def _copies_mb(store) -> float:
    """Size of the data files the Iceberg tables list (the copies), MB."""
    publisher = store.iceberg
    return sum(df.file_size_in_bytes for ident in publisher.our_tables()
               for df in current_files(publisher.catalog.load_table(ident).metadata, publisher.io).values()) / 1e6


def _run(root: Path, bodies: list[bytes], mode: str) -> dict:
    """Seconds until the last flush returned, until published, until closed; files and MB at the end."""
    out: dict = {}
    publish = mode != "off"
    t0 = time.perf_counter()
    store = tsdb_core.open(root, config=StoreConfig(compact_min_files=1_000_000, iceberg=publish))
    # async: the engine's flush, which leaves publishing to the publisher's thread
    flush = store._engine.flush if mode == "async" else store.flush
    for body in bodies:
        store.write(DB, body)
        flush()
    out["flushed_s"] = time.perf_counter() - t0
    if publish:
        _caught_up(store)
        out["caught_up_s"] = time.perf_counter() - t0
        checks = verify(store.iceberg)
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        out["held_rows"] = sum(c.held_rows for c in checks)
    out["files"] = len(store.files())
    out["store_mb"] = sum(f.size for f in store.files()) / 1e6  # live files (not those awaiting deletion)
    out["copies_mb"] = _copies_mb(store) if publish else 0.0
    store.close()
    out["closed_s"] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--flush-lines", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    med = statistics.median
    print("| data | publishing | flushed (s) | vs off | caught up (s) | closed (s) | files | store MB | copies MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    modes = ("off", "on", "async")
    for name, resend in (("plain", False), ("resend 5 %", True)):
        bodies = _bodies(args.hosts, args.hours, args.flush_lines, resend=resend)
        runs: dict[str, list[dict]] = {m: [] for m in modes}
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(args.rounds):
                for mode in modes:
                    runs[mode].append(_run(Path(tmp) / f"{name[:6]}-{mode}-{r}", bodies, mode))
        values = sum(b.count(b"\n") for b in bodies) * len(devops.FIELDS)
        off = med(r["flushed_s"] for r in runs["off"])
        for mode in modes:
            rs = runs[mode]
            flushed = med(r["flushed_s"] for r in rs)
            caught = f"{med(r['caught_up_s'] for r in rs):.3f}" if mode != "off" else "-"
            print(f"| {name}: {args.hosts} hosts x {args.hours} h, {values:,} values, {len(bodies)} flushes "
                  f"| {mode} | {flushed:.3f} | {flushed / off:.2f} | {caught} | {med(r['closed_s'] for r in rs):.3f} "
                  f"| {rs[-1]['files']} | {rs[-1]['store_mb']:.2f} | {rs[-1]['copies_mb']:.2f} |")


if __name__ == "__main__":
    main()
