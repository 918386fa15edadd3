"""Writer and reader processes for the shared-store kill test (tests/storage/test_kill_shared.py).

``zygote``: imports the store once, then for every JSON line on stdin (the store's location,
local directory, catalog URL, first batch, ack file, progress file) forks a writer and prints
its pid; when the writer dies it prints ``EXIT <status>``. The writer writes batches (the
shape of crash_child.py's), appends each acknowledged batch number to the ack file the moment
``write`` returns, and flushes every few batches and compacts every few flushes, writing
``F``/``f`` and ``C``/``c`` to the progress file just before and after each call: the parent
aims its SIGKILL inside them without reaching into the library.

``reader``: opens the store read-only and queries in a loop until its stdin closes, printing
per query the catalog version, per measurement count(v) and sum(v), and the recount of the
same snapshot (one multi-statement query: a reader refreshes its catalog once per query).
"""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crash_child

FLUSH_EVERY = 3  # batches
COMPACT_EVERY = 3  # flushes


def config(lease_s: float | None = None):
    from tsdb_core import StoreConfig

    extra = {"lease_s": lease_s} if lease_s else {}  # a lease that expires soon after this writer dies
    return StoreConfig.for_tests(compact_min_files=1000, wal_segment_bytes=16 * 1024, **extra)


def open_store(spec: dict, **kw):
    import tsdb_core

    return tsdb_core.open(spec["location"], config=config(spec.get("lease_s")), wal_dir=spec.get("wal_dir"),
                          catalog=spec.get("catalog") or None, **kw)


def _mark(fd: int, text: str) -> None:
    os.write(fd, f"{text}\n".encode())


def _marked(progress: int, mark: str, call) -> None:
    """``mark`` as the call starts, its lower-case twin and duration as it ends (the kill aims between)."""
    t = time.perf_counter()
    _mark(progress, mark)
    call()
    _mark(progress, f"{mark.lower()} {time.perf_counter() - t:.6f}")


def writer(spec: dict) -> None:
    ack = os.open(spec["ack"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    progress = os.open(spec["progress"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    store = open_store(spec)
    _mark(progress, "open")
    k, flushes = spec["first"], 0
    while True:
        r = store.write("crash", crash_child.batch_body(k))
        if not r.ok or r.points_written != 2 * crash_child.LINES:
            _mark(ack, f"ERROR {k} {r}")
            os._exit(3)
        _mark(ack, str(k))
        k += 1
        if k % FLUSH_EVERY == 0:
            _marked(progress, "F", store.flush)
            flushes += 1
            if flushes % COMPACT_EVERY == 0:
                _marked(progress, "C", store.compact)


def zygote() -> None:
    import tsdb_core  # noqa: F401 - imported once, inherited by every fork
    import tsdb_core.ingest.line_protocol  # noqa: F401

    print("READY", flush=True)
    for line in sys.stdin:
        spec = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                writer(spec)
            finally:
                os._exit(4)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {status}", flush=True)


SNAPSHOT = ("SELECT count(v), sum(v) FROM a; SELECT count(v), sum(v) FROM b; "
            "SELECT v FROM a; SELECT v FROM b")


def _one(res) -> tuple[int, float]:
    series = res.series
    return tuple(series[0].values[0][1:]) if series else (0, 0.0)


def _recount(res) -> tuple[int, float]:
    values = [row[1] for s in res.series for row in s.values]
    return len(values), float(sum(values))


def reader(spec: dict) -> None:
    """Query until stdin closes; one line per query (``ok``) or failure (``error``)."""
    import select

    store = open_store(spec, read_only=True)
    print("open", flush=True)
    while True:
        res = store.query(SNAPSHOT, db="crash")
        errors = [st.error for st in res.statements if st.error] + ([res.error] if res.error else [])
        if errors:
            print("error", json.dumps(errors), flush=True)
        else:
            a, b, ra, rb = (f(st) for f, st in zip((_one, _one, _recount, _recount), res.statements))
            print("ok", json.dumps([store.catalog_version(), a, b, ra, rb]), flush=True)
        if select.select([sys.stdin], [], [], 0.005)[0]:  # paced: the writer shares the cores
            break
    store.close()
    print("closed", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "zygote":
        zygote()
    else:
        reader(json.loads(sys.argv[2]))
