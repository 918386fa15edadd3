"""Writer process for the SIGKILL crash test (tests/storage/test_crash.py).

Run as a *zygote*: it imports the store once, then for every command line
``<root> <first-batch> <ack-file> <threads>`` on stdin forks a writer and prints its pid;
when the writer dies it prints ``EXIT <status>``. The writer opens the store,
writes batch after batch and appends each acknowledged batch number to the ack
file the moment ``write`` returns. Forking keeps a kill round well under a
second instead of paying Python + Polars start-up every time.
"""
from __future__ import annotations

import os
import sys

T0 = 1_600_000_000_000_000_000
LINES = 20  # per measurement per batch


def config():
    from tsdb_core import StoreConfig

    return StoreConfig.for_tests(buffer_max_rows=300, compact_min_files=3, wal_segment_bytes=16 * 1024)


def batch_body(k: int) -> bytes:
    out = []
    for m in ("a", "b"):
        for j in range(LINES):
            out.append(f"{m},w=w{j % 4},m={m} b={k}i,j={j}i,v={k * 1000 + j}.25,s=\"k{k}\" {T0 + k * 100 + j}")
    return "\n".join(out).encode()


def check_batches(s, acked: set[int]) -> set[int]:
    """Every batch is whole and right, in both measurements; every acknowledged one is there."""
    import polars as pl

    from tsdb_core.base.time import MAX_TIME, MIN_TIME

    present = {}
    for m in ("a", "b"):
        df = s.scan("crash", None, m, MIN_TIME, MAX_TIME).collect()
        if df.height == 0:
            present[m] = set()
            continue
        counts = df.group_by("b").len()
        half = counts.filter(pl.col("len") != LINES)
        assert half.height == 0, f"half batches in {m}: {half.to_dicts()[:5]}"
        bad = df.filter((pl.col("v") != pl.col("b") * 1000 + pl.col("j") + 0.25)
                        | (pl.col("time") != T0 + pl.col("b") * 100 + pl.col("j"))
                        | (pl.col("s") != pl.lit("k") + pl.col("b").cast(pl.String))
                        | (pl.col("w") != pl.lit("w") + (pl.col("j") % 4).cast(pl.String))
                        | (pl.col("m") != m))
        assert bad.height == 0, f"wrong values in {m}: {bad.head(5).to_dicts()}"
        present[m] = set(counts["b"].to_list())
    assert present["a"] == present["b"], "a batch is in one measurement but not the other"
    missing = acked - present["a"]
    assert not missing, f"acknowledged batches lost: {sorted(missing)[:10]}"
    return present["a"]


def writer(root: str, first: int, ack_path: str, threads: int = 1) -> None:
    """Write batches ``first``, ``first + 1``, ... from ``threads`` threads at once (their
    records then share WAL fsyncs), acknowledging each as its ``write`` returns."""
    import itertools
    import threading

    import tsdb_core

    ack = os.open(ack_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    store = tsdb_core.open(root, config=config())
    numbers = itertools.count(first)
    lock = threading.Lock()

    def loop() -> None:
        while True:
            with lock:
                k = next(numbers)
            r = store.write("crash", batch_body(k))
            if not r.ok or r.points_written != 2 * LINES:
                os.write(ack, f"ERROR {k} {r}\n".encode())
                os._exit(3)
            os.write(ack, f"{k}\n".encode())

    for _ in range(threads - 1):
        threading.Thread(target=loop, daemon=True).start()
    loop()


def zygote() -> None:
    import tsdb_core  # noqa: F401 - imported once, inherited by every fork
    import tsdb_core.ingest.line_protocol  # noqa: F401

    print("READY", flush=True)
    for line in sys.stdin:
        root, first, ack_path, threads = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                writer(root, int(first), ack_path, int(threads))
            finally:
                os._exit(4)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {status}", flush=True)


if __name__ == "__main__":
    zygote()
