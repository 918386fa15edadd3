"""What publishing the store as Iceberg tables costs: ingest and flush with publishing on vs off,
and what holding back replaced rows costs when writes re-send points.

    python -m bench.lakehouse                     # 100 hosts x 6 h, a flush every 10,000 lines
    python -m bench.lakehouse --hosts 20 --hours 1 --rounds 1

``plain``: write, flush every ``--flush-lines`` lines. ``publish``: the same, plus one
``Publisher.publish()`` after each flush (what the commit hook will do). ``resend``: each
write also re-sends the last 5 % of the previous one (a client retry): files then share
(series, time) keys, are held back until compaction, and the exact check reads their keys.
Rounds alternate plain/publish so machine noise hits both alike.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.lakehouse import Publisher, verify

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


def _run(root: Path, bodies: list[bytes], publish: bool) -> dict:
    """Seconds for writes+flushes (and publishes); per-publish times; rows held at the end."""
    publish_s: list[float] = []
    t0 = time.perf_counter()
    with tsdb_core.open(root, config=StoreConfig(compact_min_files=1_000_000)) as store:
        publisher = Publisher(store) if publish else None
        for body in bodies:
            store.write(DB, body)
            store.flush()
            if publisher is not None:
                p0 = time.perf_counter()
                publisher.publish()
                publish_s.append(time.perf_counter() - p0)
        total = time.perf_counter() - t0
        out = {"total_s": total, "publish_s": publish_s, "files": len(store.files())}
        if publisher is not None:
            checks = verify(publisher)
            out["held_rows"] = sum(c.held_rows for c in checks)
            out["rows"] = sum(c.store_rows + c.held_rows for c in checks)
            out["keys_read"] = publisher.overlap.keys_read
            c0 = time.perf_counter()
            store.compact()
            publisher.publish()
            out["compact_publish_s"] = time.perf_counter() - c0
            out["held_after_compact"] = sum(c.held_rows for c in verify(publisher))
            publisher.close()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--flush-lines", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    bodies = _bodies(args.hosts, args.hours, args.flush_lines, resend=False)
    resent = _bodies(args.hosts, args.hours, args.flush_lines, resend=True)
    values = sum(b.count(b"\n") for b in bodies) * len(devops.FIELDS)
    print(f"{args.hosts} hosts x {args.hours} h = {values:,} values, {len(bodies)} flushes")
    plain, pub = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            plain.append(_run(Path(tmp) / f"plain{r}", bodies, False))
            pub.append(_run(Path(tmp) / f"pub{r}", bodies, True))
        re = _run(Path(tmp) / "resend", resent, True)
    med = statistics.median
    each = [s for run in pub for s in run["publish_s"]]
    print(f"ingest+flush, publishing off: {med(r['total_s'] for r in plain):.3f} s (median of {args.rounds})")
    print(f"ingest+flush, publishing on:  {med(r['total_s'] for r in pub):.3f} s; one publish: median "
          f"{med(each) * 1e3:.1f} ms, max {max(each) * 1e3:.1f} ms")
    print(f"resend 5 %: held back before compaction {re['held_rows']:,} of {re['rows']:,} rows, "
          f"{re['keys_read']} files' keys read, publish median {med(re['publish_s']) * 1e3:.1f} ms; "
          f"compact+publish {re['compact_publish_s']:.2f} s, then held {re['held_after_compact']}")


if __name__ == "__main__":
    main()
