"""What a query text costs the first time it is seen, the second time, and later (in process).

    python -m bench.first_sighting [--hosts 100] [--hours 4] [--texts 200] [--vary time|all]
                                   [--baseline CODE_DIR] [--rounds 2] [--clock wall|cpu] [--http]
                                   [--queries A,B] [--keep DIR]

Dashboards and benchmarks rarely send a text twice: the time range moves (``--vary time``:
the hosts of each query stay, its window moves, as a dashboard refreshes) or the hosts
change too (``--vary all``: TSBS's own draws). Each text is run three or more times
in a row: its first run is the first sighting, then the second, then the median of the
rest ("later"). lastpoint has no time range: its texts differ by trailing spaces.

A worker process opens the store (built once in ``--keep`` or a temp folder), answers
a few untimed texts, then times ``--texts`` new texts per query; its first query after
opening the store is reported too ("after open": files read and decoded; the engine's
imports were done before, on a scratch store). With ``--baseline DIR`` (another checkout,
e.g. the main tree) workers of both trees take turns, ``--rounds`` each, so both are
measured in the same noise; the figures are medians over all rounds and the ratio is
this tree's over the baseline's. ``--http`` asks a ``tsdb serve`` of each tree instead, on
a copy of the store, over one keep-alive connection. ``--clock cpu`` times the process's CPU time instead of
the wall clock: on a machine shared with other work, waiting for a core then counts for
neither tree.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DB = "benchmark"
QUERIES = ("single-groupby-1-1-1", "single-groupby-1-1-12", "single-groupby-5-1-1", "cpu-max-all-1", "lastpoint")
KINDS = ("after open", "first", "second", "later")
_WINDOW = re.compile(r"time >= '([^']+)' and time < '([^']+)'")


def build_store(root: Path, hosts: int, hours: float) -> None:
    """The TSBS devops data, flushed and compacted (as a server holds it after a load)."""
    import tsdb_core

    from . import devops
    store = tsdb_core.open(root)
    try:
        store.create_database(DB)
        for body in devops.batches(hosts, hours):
            store.write(DB, body, "ns")
        store.flush()
        store.compact()
    finally:
        store.close()


def _moved(q: str, rng: random.Random, hours: float) -> str:
    """``q`` with its window moved to a random place inside the data (its length kept)."""
    m = _WINDOW.search(q)
    if m is None:
        return q
    lo, hi = (datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) for t in m.groups())
    # a window longer than the data (cpu-max-all's 8 h) moves too, partly past the data's end
    span = int(max(3600, hours * 3600 - (hi - lo).total_seconds()))
    start = datetime(2016, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, span))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return q[:m.start()] + (f"time >= '{start.strftime(fmt)}' and time < '{(start + (hi - lo)).strftime(fmt)}'"
                            + q[m.end():])


def texts(names: list[str], hosts: int, hours: float, n: int, vary: str, seed: int) -> dict[str, list[str]]:
    """``n`` distinct texts per query name (fewer when the shape has fewer)."""
    from .queries import devops_queries

    out: dict[str, list[str]] = {}
    for name in names:
        seen: dict[str, None] = {}
        base = devops_queries(hosts, hours, seed=seed, names=[name])[0].q
        rng = random.Random(f"{seed}:{name}")
        for i in range(n * 20):
            if name == "lastpoint":
                q = base + " " * (i + 1)
            elif vary == "time":
                q = _moved(base, rng, hours)
            else:
                q = devops_queries(hosts, hours, seed=seed + 1 + i, names=[name])[0].q
            seen.setdefault(q)
            if len(seen) == n:
                break
        out[name] = list(seen)
    return out


def worker(store_path: str, plan: dict) -> dict:
    """Time the texts of ``plan`` (see :func:`texts`) against the store; per name and kind, ms."""
    import tsdb_core

    clock = time.process_time if plan["clock"] == "cpu" else time.perf_counter
    scratch = tsdb_core.open(None)  # the engine's imports and parser tables: not the store's cost
    scratch.create_database(DB)
    scratch.write(DB, "cpu,hostname=host_0 usage_user=1 1451606400000000000")
    scratch.query(plan["open"], db=DB)
    scratch.close()
    store = tsdb_core.open(store_path)
    try:
        t0 = clock()
        store.query(plan["open"], db=DB)
        out: dict = {"after open": [(clock() - t0) * 1e3]}
        for q in plan["warm"]:
            store.query(q, db=DB)
        times: dict[str, dict[str, list[float]]] = {n: {k: [] for k in KINDS[1:]} for n in plan["texts"]}
        for name, qs in plan["texts"].items():  # one query after the other, as a dashboard panel
            for q in qs:
                runs = []
                for _ in range(plan["repeat"]):
                    t = clock()
                    store.query(q, db=DB)
                    runs.append((clock() - t) * 1e3)
                times[name]["first"].append(runs[0])
                times[name]["second"].append(runs[1])
                times[name]["later"].append(statistics.median(runs[2:]))
        out["queries"] = times
        return out
    finally:
        store.close()


def http_worker(code: Path, store: Path, plan: dict) -> dict:
    """:func:`worker` over HTTP: ``tsdb serve`` of ``code`` on a copy of the store, asked over
    one keep-alive connection (wall clock, as a client sees it)."""
    import http.client
    import urllib.parse

    from .ingest_http import TreeServer

    srv = TreeServer(code)
    shutil.copytree(store, srv.data_dir)
    with srv:  # (starts it)
        time.sleep(2.0)  # a server is not asked at the instant it starts (its read-ahead runs then)
        conn = http.client.HTTPConnection("127.0.0.1", srv.port)

        def ask(q: str) -> float:
            t = time.perf_counter()
            conn.request("GET", "/query?" + urllib.parse.urlencode({"db": DB, "q": q}))
            resp = conn.getresponse()
            body = resp.read()
            dt = (time.perf_counter() - t) * 1e3
            if resp.status != 200 or b'"error"' in body[:2000]:
                raise RuntimeError(f"{resp.status}: {body[:300]!r}")
            return dt

        out: dict = {"after open": [ask(plan["open"])]}
        for q in plan["warm"]:
            ask(q)
        times: dict[str, dict[str, list[float]]] = {n: {k: [] for k in KINDS[1:]} for n in plan["texts"]}
        for name, qs in plan["texts"].items():
            for q in qs:
                runs = [ask(q) for _ in range(plan["repeat"])]
                times[name]["first"].append(runs[0])
                times[name]["second"].append(runs[1])
                times[name]["later"].append(statistics.median(runs[2:]))
        out["queries"] = times
        conn.close()
    return out


def _run_worker(code: Path, store: Path, plan: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    # this file runs as a script: the tree under test provides tsdb_core, this one the harness
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(store)],
                          input=json.dumps(plan), capture_output=True, text=True, env=env, check=False)
    if proc.returncode:
        raise RuntimeError(f"worker with {code} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def _merge(into: dict, res: dict) -> None:
    into.setdefault("after open", []).extend(res["after open"])
    for name, kinds in res["queries"].items():
        for kind, vals in kinds.items():
            into.setdefault(name, {}).setdefault(kind, []).extend(vals)


def _report(results: dict[str, dict], names: list[str], say) -> None:
    trees = list(results)
    say(f"{'query':<24} {'sighting':<10} " + " ".join(f"{t:>12}" for t in trees)
        + ("   ratio" if len(trees) == 2 else ""))
    for name in names:
        for kind in KINDS[1:]:
            meds = [statistics.median(results[t][name][kind]) for t in trees]
            ratio = f"  {meds[0] / meds[1]:6.2f}x" if len(meds) == 2 else ""
            say(f"{name:<24} {kind:<10} " + " ".join(f"{m:9.3f} ms" for m in meds) + ratio)
    meds = [statistics.median(results[t]["after open"]) for t in trees]
    ratio = f"  {meds[0] / meds[1]:6.2f}x" if len(meds) == 2 else ""
    say(f"{'(first query)':<24} {'after open':<10} " + " ".join(f"{m:9.3f} ms" for m in meds) + ratio)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--texts", type=int, default=200, help="new texts per query and round")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each text (at least 3)")
    ap.add_argument("--vary", choices=("time", "all"), default="time",
                    help="time: move each query's window; all: TSBS's draws (hosts too)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="cpu: the process's CPU time (all its threads), fairer on a busy machine")
    ap.add_argument("--http", action="store_true",
                    help="ask a `tsdb serve` of each tree over HTTP instead (wall clock)")
    ap.add_argument("--queries", default=",".join(QUERIES))
    ap.add_argument("--baseline", help="another checkout to compare with (e.g. /work/main)")
    ap.add_argument("--rounds", type=int, default=2, help="workers per tree (taking turns)")
    ap.add_argument("--keep", help="folder to build the store in and reuse")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, json.loads(sys.stdin.read()))))
        return
    names = args.queries.split(",")
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="first-sighting-"))
    store = root / f"store-{args.hosts}x{args.hours:g}"
    try:
        if not (store / "_tsdb_store.json").exists():
            print(f"building {args.hosts} hosts x {args.hours:g} h in {store} ...", flush=True)
            build_store(store, args.hosts, args.hours)
        trees = {"this tree": REPO}
        if args.baseline:
            trees = {"baseline": Path(args.baseline).resolve(), "this tree": REPO}
        results: dict[str, dict] = {t: {} for t in trees}
        for r in range(args.rounds):
            plan = {"texts": texts(names, args.hosts, args.hours, args.texts, args.vary, 1000 + r),
                    "warm": [q for t in texts(names, args.hosts, args.hours, 10, args.vary, 5000 + r).values()
                             for q in t],
                    "open": texts(["single-groupby-1-1-1"], args.hosts, args.hours, 1, args.vary,
                                  9000 + r)["single-groupby-1-1-1"][0],
                    "repeat": max(3, args.repeat), "clock": args.clock}
            order = list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]
            for label, code in order:
                run = http_worker if args.http else _run_worker
                _merge(results[label], run(code, store, plan))
        load = os.getloadavg()
        print(f"{args.hosts} hosts x {args.hours:g} h, {args.texts} new texts per query and round "
              f"(vary {args.vary}), {args.rounds} rounds, {'HTTP' if args.http else args.clock + ' clock'}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        _report({t: results[t] for t in (["this tree", "baseline"] if args.baseline else ["this tree"])},
                names, print)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    _HERE = str(Path(__file__).resolve().parent)
    if sys.path and sys.path[0] == _HERE:  # run as a script (a worker): bench/ must not shadow
        del sys.path[0]                    # modules; tsdb_core comes from PYTHONPATH's tree,
        sys.path.append(str(REPO))         # bench.* from this checkout
    main()
