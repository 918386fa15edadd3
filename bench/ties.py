"""What replaying influxd's sort costs mode() and percentile() where a tie decides the answer.

    python -m bench.ties --dir /tmp/ties [--runs 7] [--rounds 3] [--baseline old=/work/main] [--only LABEL,...]

Builds three stores once under ``--dir`` (kept for later runs): ``devops`` (TSBS cpu-only,
100 hosts x 24 h, values to 2 decimals, flushed: 864,000 rows), ``uniform`` (100 hosts x 24 h
every 10 s, ``x`` uniform over 0.00..100.00: ties in most hours) and ``ties`` (one series of
1,000,000 points, flushed: ``ten`` cycles through 10 values, so they all tie; ``few`` is
one of 100 values drawn at random, so percentile() picks a value repeated ~10,000 times).
Then times each query in the influxdb1 dialect in a fresh process per tree and round,
this checkout and each ``--baseline`` tree in turn (the order reversed every other round),
and prints the medians of wall and CPU (process) ms side by side, and whether the answers
differ. On a shared machine compare CPU ms: wall times follow the load.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
T0 = 1_451_606_400_000_000_000  # 2016-01-01T00:00:00Z
DAY = "time >= '2016-01-01T00:00:00Z' AND time < '2016-01-02T00:00:00Z'"
QUERIES = {  # label -> (store, InfluxQL)
    "mode 1h x 24 (864k)": ("devops", f"SELECT mode(usage_user) FROM cpu WHERE {DAY} GROUP BY time(1h)"),
    "mode 1h by host (864k)": ("devops", f"SELECT mode(usage_user) FROM cpu WHERE {DAY} GROUP BY time(1h), hostname"),
    "mode 10m (864k)": ("devops", f"SELECT mode(usage_user) FROM cpu WHERE {DAY} GROUP BY time(10m)"),
    "percentile 1 host": ("devops", f"SELECT percentile(usage_user, 95) FROM cpu WHERE hostname = 'host_1' AND {DAY}"),
    "mode x 1h (864k uniform)": ("uniform", f"SELECT mode(x) FROM m WHERE {DAY} GROUP BY time(1h)"),
    "mode x 1h by host (uniform)": ("uniform", f"SELECT mode(x) FROM m WHERE {DAY} GROUP BY time(1h), host"),
    "percentile x 1 host (uniform)": ("uniform", f"SELECT percentile(x, 95) FROM m WHERE host = 'h00' AND {DAY}"),
    "mode 10 tied (1M)": ("ties", "SELECT mode(ten) FROM t"),
    "percentile tied (1M)": ("ties", "SELECT percentile(few, 95) FROM t"),
    "percentile 50 tied (1M)": ("ties", "SELECT percentile(few, 50) FROM t"),
}


def build(root: Path) -> None:
    """Both stores, unless already there."""
    import numpy as np
    import polars as pl

    import tsdb_core

    from bench import devops

    if not (root / "devops").exists():
        with tsdb_core.open(root / "devops") as store:
            store.create_database("b")
            for body in devops.batches(100, 24, decimals=2):
                assert not store.write("b", body).errors
            store.flush()
    if not (root / "uniform").exists():
        rng = np.random.default_rng(7)
        hosts, steps = 100, 8640
        df = pl.DataFrame({"time": np.tile(T0 + np.arange(steps, dtype=np.int64) * 10_000_000_000, hosts),
                           "host": np.repeat([f"h{h:02d}" for h in range(hosts)], steps),
                           "x": rng.integers(0, 10_001, hosts * steps) / 100})
        with tsdb_core.open(root / "uniform") as store:
            store.create_database("b")
            assert not store.write_dataframe("b", df, "m", tags=("host",)).errors
            store.flush()
    if not (root / "ties").exists():
        n = 1_000_000
        rng = np.random.default_rng(5)
        df = pl.DataFrame({"time": T0 + np.arange(n, dtype=np.int64) * 1_000_000_000, "s": ["a"] * n,
                           "ten": (np.arange(n) % 10).astype(np.float64),
                           "few": rng.integers(0, 100, n).astype(np.float64)})
        with tsdb_core.open(root / "ties") as store:
            store.create_database("b")
            assert not store.write_dataframe("b", df, "t", tags=("s",)).errors
            store.flush()


def measure(root: Path, runs: int, labels: list[str]) -> dict[str, float]:
    """Median wall and CPU ms of ``runs`` runs of each query (after one warm-up), in this
    process, and a digest of the answer."""
    import tsdb_core

    out = {}
    stores = {name: tsdb_core.open(root / name, dialect="influxdb1") for name in ("devops", "uniform", "ties")}
    try:
        for label in labels:
            name, q = QUERIES[label]
            store, times = stores[name], []
            res = store.query(q, db="b")
            answer = json.dumps(res.to_json(), sort_keys=True, default=str)
            cpu = []
            for _ in range(runs):
                t, c = time.perf_counter(), time.process_time()
                store.query(q, db="b")
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            out[label] = [statistics.median(times), statistics.median(cpu),
                          hashlib.sha1(answer.encode()).hexdigest()]
    finally:
        for s in stores.values():
            s.close()
    return out


def run_tree(code: Path, root: Path, runs: int, labels: list[str]) -> dict:
    """:func:`measure` in a fresh process importing tsdb_core from ``code`` (this file run as
    a script, so the tree needs no bench/ties.py of its own)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", "--dir", str(root),
           "--runs", str(runs), "--only", ",".join(labels)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=code)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", action="append", default=[],
                    help="[NAME=]DIR of another tree to time beside this one (repeatable)")
    ap.add_argument("--only", help="comma-separated labels")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # one tree's side
    args = ap.parse_args(argv)
    labels = args.only.split(",") if args.only else list(QUERIES)
    if args.measure:
        print(json.dumps(measure(args.dir, args.runs, labels)))
        return
    build(args.dir)
    trees = {"new": REPO}
    for i, b in enumerate(args.baseline):
        name, _, path = b.rpartition("=")
        trees[name or ("old" if i == 0 else f"old{i + 1}")] = Path(path)
    wall: dict[str, dict[str, list]] = {t: {lab: [] for lab in labels} for t in trees}
    cpu: dict[str, dict[str, list]] = {t: {lab: [] for lab in labels} for t in trees}
    answers: dict[str, dict[str, str]] = {t: {} for t in trees}
    for r in range(args.rounds):
        for t in (list(trees) if r % 2 == 0 else list(trees)[::-1]):
            for lab, (ms, cms, h) in run_tree(trees[t], args.dir, args.runs, labels).items():
                wall[t][lab].append(ms)
                cpu[t][lab].append(cms)
                answers[t][lab] = h
    names = list(trees)
    print(f"{'query':30} " + " ".join(f"{t + ' wall':>10} {t + ' cpu':>9}" for t in names)
          + "".join(f"  {t}/new cpu" for t in names[1:]))
    for lab in labels:
        w = [statistics.median(wall[t][lab]) for t in names]
        c = [statistics.median(cpu[t][lab]) for t in names]
        ratios = "".join(f"  {x / c[0]:9.2f}x" for x in c[1:])
        differ = [t for t in names[1:] if answers[t][lab] != answers[names[0]][lab]]
        same = f"  answer differs from {', '.join(differ)}" if differ else ""
        print(f"{lab:30} " + " ".join(f"{a:10.1f} {b:9.1f}" for a, b in zip(w, c)) + ratios + same)

if __name__ == "__main__":
    main()
