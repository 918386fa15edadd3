"""The direct lane's request cost in process: Python calls and CPU per ``ShimApp.answer_now``.

    python -m bench.direct_lane --keep DIR [--queries A,B] [--baseline CODE_DIR] [--rounds 5] [-n 500]

Opens the store of a ``bench.shim_overhead --keep DIR`` run (``DIR/data``) with the app of
this tree (and of ``--baseline``, in turns: one child process per round and checkout) and
asks ``answer_now`` for each TSBS query's GET /query (the same text every time): the
calls one request makes (``sys.setprofile``: Python and C calls), this thread's CPU per
request back to back, and after each request's caches are thrashed (8 MB touched, its own
cost taken off), medians over rounds. The lane's cost record is set so that every request is
answered there (a preempted call would otherwise send the next ones the usual way). Both
checkouts must send the same bytes.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADERS = [(b"host", b"127.0.0.1"), (b"accept-encoding", b"identity"), (b"user-agent", b"bench")]


def lane(root: str):
    """(app, shim, store) of the app over the store at ``root`` (auth off, as the benchmark)."""
    import tsdb_core
    from tsdb_http.app import ShimConfig, create_app

    store = tsdb_core.open(root)
    app = create_app(store, None, ShimConfig(compat="influxdb1", no_auth=True))
    return app, app.state.shim, store


def primed(app, shim, qs: bytes) -> bytes:
    """The answer's body, once the lane's record says the request runs here (every time)."""
    from tsdb_http import routes_query as rq

    shape = rq._get_shape(qs, None, "identity", shim.config.dialect, shim.influxql)
    key, _, kshape = shape.core
    shim.offload.call(key, *rq._execute_args(shim, shape, None), measured=True, shape=kshape)
    shim.offload.budget_s = 10.0  # (no demotion by a call the machine's load stretched; each renews the record)
    answer = app.answer_now(b"/query", qs, HEADERS)
    if answer is None:
        raise SystemExit(f"not answered by the lane: {qs[:120]!r}")
    return answer[1]


def calls_of(fn) -> int:
    """Python and C calls one ``fn()`` makes."""
    n = 0

    def count(frame, event, arg):
        nonlocal n
        n += event in ("call", "c_call")
    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n - 1  # (the profiler sees setprofile(None) too)


def cpu_us(fn, n: int, reps: int = 9) -> float:
    """Median over ``reps`` blocks of this thread's CPU per ``fn()`` (us)."""
    out = []
    for _ in range(reps):
        t0 = time.thread_time()
        for _ in range(n):
            fn()
        out.append((time.thread_time() - t0) / n * 1e6)
    return statistics.median(out)


def child(root: str, texts: list[str], n: int) -> dict:
    """Per query text: calls, warm and cold CPU us per request, and the body's digest."""
    import numpy as np

    app, shim, store = lane(root)
    junk = np.zeros(8 << 20, dtype=np.uint8)

    def thrash():
        junk[::64] += 1
    out = {}
    try:
        for q in texts:
            qs = urllib.parse.urlencode({"q": q, "db": "benchmark"}).encode()
            body = primed(app, shim, qs)
            ask = functools.partial(app.answer_now, b"/query", qs, HEADERS)
            cold = cpu_us(lambda ask=ask: (thrash(), ask()), max(n // 4, 1)) - cpu_us(thrash, max(n // 4, 1))
            out[q] = {"calls": calls_of(ask), "warm": cpu_us(ask, n), "cold": cold,
                      "body": hashlib.sha256(body).hexdigest()}
    finally:
        store.close()
    return out


def run_child(code: Path, root: str, texts: list[str], n: int) -> dict:
    """:func:`child` in a process of its own with ``code`` first on its path (one checkout each)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    got = subprocess.run([sys.executable, __file__, "--child", root, str(n)], input=json.dumps(texts),
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(got.stdout)


def main(argv: list[str] | None = None) -> None:
    """The command line; ``--child ROOT N`` (texts on stdin) is one checkout's measuring process."""
    if argv is None and sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], json.loads(sys.stdin.read()), int(sys.argv[3]))))
        return
    from .queries import devops_queries

    ap = argparse.ArgumentParser(prog="python -m bench.direct_lane", description=__doc__.split("\n")[0])
    ap.add_argument("--keep", required=True, help="a bench.shim_overhead --keep folder")
    ap.add_argument("--queries", default="single-groupby-1-1-1,single-groupby-1-1-12")
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--baseline", default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("-n", type=int, default=500)
    a = ap.parse_args(argv)
    names = a.queries.split(",")
    texts = [bq.q for bq in devops_queries(a.hosts, a.hours, names=names)]
    codes = {"this tree": REPO, **({"baseline": Path(a.baseline)} if a.baseline else {})}
    runs: dict[str, list[dict]] = {c: [] for c in codes}
    for r in range(a.rounds):
        for label in (list(codes) if r % 2 == 0 else list(codes)[::-1]):
            runs[label].append(run_child(codes[label], str(Path(a.keep) / "data"), texts, a.n))
    report(names, texts, runs)


def report(names: list[str], texts: list[str], runs: dict[str, list[dict]]) -> None:
    """A table of calls and median CPU per request for each checkout; a line where bodies differ."""
    print(f"{'request':24} {'checkout':10} {'calls':>6} {'warm us':>8} {'cold us':>8}")
    for name, q in zip(names, texts):
        bodies = set()
        for label, rs in runs.items():
            bodies |= {r[q]["body"] for r in rs}
            warm, cold = (statistics.median(r[q][k] for r in rs) for k in ("warm", "cold"))
            print(f"{name:24} {label:10} {rs[0][q]['calls']:6d} {warm:8.1f} {cold:8.1f}")
        if len(bodies) > 1:
            print(f"{name}: the checkouts sent different bytes")
    print(f"(medians of {len(next(iter(runs.values())))} rounds; CPU of the calling thread per request)")


if __name__ == "__main__":
    main()
