"""The WAL record of a write, side by side across checkouts: encode and decode CPU per value, bytes.

    python -m bench.wal_record --decimals 2 --tree before=/tmp/base
    python -m bench.wal_record --batches 40 --reps 25

Each tree (this one, and every ``--tree NAME=PATH``) runs this file as a script in its own
process with the tree's code: it parses the first batches of the TSBS file (bench.compare's, 5,000 lines each) with
its parser and encodes each batch's entry as its write path does (the parser's series codes
with it, where the tree's ``WalEntry`` takes them). Reported: process CPU (all threads: Polars
compresses on its pool) per field value, the minimum over ``--reps`` passes (the least disturbed
by other work on a shared machine), and record bytes per value.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINES = 5_000  # bench.loader's batch


def _cpu_ns() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return int((r.ru_utime + r.ru_stime) * 1e9)


def _child(path: str, batches: int, reps: int) -> dict:
    """Measured with the code on ``sys.path`` (the tree's): {encode, decode: ns/value, bytes/value}."""
    from tsdb_core.ingest.line_protocol import parse
    try:
        from tsdb_core.storage.wal_record import WalEntry, decode_write, encode_write
    except ImportError:  # a tree from before the record had its own module
        from tsdb_core.storage.wal import WalEntry, decode_write, encode_write
    coded = "series" in WalEntry.__dataclass_fields__
    with open(path, "rb") as fh:  # (TSBS lines are well under 1 KiB)
        lines = fh.read(batches * LINES * 1024).split(b"\n", batches * LINES)[:batches * LINES]
    parts = [b"\n".join(lines[i:i + LINES]) + b"\n" for i in range(0, len(lines), LINES)]
    entries = []
    for body in parts:
        for mb in parse(bytes(body), now=0).batches.values():
            extra = (mb.series,) if coded else ()
            fields = {k: t.value for k, t in mb.fields.items()}
            entries.append([WalEntry(mb.measurement, mb.tags, fields, mb.frame.rechunk(), *extra)])
    values = sum(e[0].frame.height * len(e[0].fields) for e in entries)
    records = [encode_write("db", "autogen", e) for e in entries]
    best = {"encode": float("inf"), "decode": float("inf")}
    for _ in range(reps):
        t0 = _cpu_ns()
        for e in entries:
            encode_write("db", "autogen", e)
        t1 = _cpu_ns()
        for r in records:
            decode_write(r)
        t2 = _cpu_ns()
        best["encode"] = min(best["encode"], (t1 - t0) / values)
        best["decode"] = min(best["decode"], (t2 - t1) / values)
    return {**best, "bytes": sum(map(len, records)) / values}


def main(argv: list[str] | None = None) -> int:
    """Measure each checkout's WAL record (``--tree``) on the same TSBS batches and print the table."""
    p = argparse.ArgumentParser(prog="python -m bench.wal_record", description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--seed", type=int, default=123)  # bench.queries.DEFAULT_SEED
    p.add_argument("--decimals", type=int, default=None)
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--tree", action="append", default=[], help="NAME=PATH: the code of another checkout")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.batches, args.reps)))
        return 0
    from bench import loader
    from bench.compare import data_file, values_in

    path = data_file(args.hosts, args.hours, args.seed, decimals=args.decimals)
    trees = {"this": REPO, **{n: Path(t).resolve() for n, _, t in (s.partition("=") for s in args.tree)}}
    print(f"{path.name}: first {args.batches} batches, min of {args.reps} passes "
          f"({values_in(loader.split_batches(path.read_bytes())):,} values in the file)")
    for name, tree in trees.items():
        env = dict(os.environ, PYTHONPATH=str(tree))  # run as a script: the tree's tsdb_core only
        out = subprocess.run([sys.executable, __file__, "--child", str(path),
                              "--batches", str(args.batches), "--reps", str(args.reps)],
                             env=env, cwd=REPO, capture_output=True, text=True, check=True)
        got = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:>10}: encode {got['encode']:5.1f} ns/value, decode {got['decode']:5.1f} ns/value, "
              f"{got['bytes']:5.2f} bytes/value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
