"""Ingest over HTTP, side by side: tsdb and VictoriaMetrics (and other tsdb checkouts) taking turns.

    python -m bench.ingest_http                          # 100 hosts x 24 h, 4 workers, 3 rounds
    python -m bench.ingest_http --rounds 5 --workers 2 --tree before=/tmp/base --skip victoriametrics
    python -m bench.ingest_http --hours 6 --profile bench/out/profile/ingest.txt

Each round loads the same TSBS cpu-only file (bench.compare's, generated once) into a fresh
server of every system in turn (A B C A B C ...: on a shared, noisy machine a slow minute
then hurts every side of a ratio alike), with bench.loader's 5,000-line batches; only the
load is timed, from the first request to the last answer. Reported: values/s per load,
the server's CPU seconds over the load (less sensitive than wall time to other work on a
shared machine), the median per system and its ratio to VictoriaMetrics'. ``--tree NAME=PATH`` adds the
tsdb of another checkout (run with that tree's code) as one more system, for before/after.
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
from pathlib import Path

from . import loader, profile
from .compare import DB, data_file, values_in
from .queries import DEFAULT_SEED
from .tsdb_server import TsdbServer


class TreeServer(TsdbServer):
    """``tsdb serve`` run from another checkout (its code, its working directory)."""

    def __init__(self, tree: Path):
        super().__init__()
        self.tree = tree

    def _spawn(self, cmd, log_name, port, **popen_kw):
        env = dict(os.environ, PYTHONPATH=str(self.tree))
        super()._spawn(cmd, log_name, port, cwd=self.tree, env=env)


def systems(args) -> dict[str, type | object]:
    """name -> a callable making a fresh (unstarted) server."""
    out: dict[str, object] = {}
    if "tsdb" not in args.skip:
        out["tsdb"] = TsdbServer
    for spec in args.tree:
        name, _, path = spec.partition("=")
        out[name] = functools.partial(TreeServer, Path(path).resolve())
    if "victoriametrics" not in args.skip:
        from . import victoria
        if victoria.available():
            out["victoriametrics"] = victoria.VictoriaMetrics
        else:
            print("victoriametrics: not on PATH, skipped", file=sys.stderr)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        fields = fh.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_once(make, batches: loader.Batches, workers: int, spy_path: Path | None) -> tuple[float, float]:
    """(seconds, server CPU seconds) to load ``batches`` into a fresh server; raises on a failed batch."""
    with make() as srv:
        srv.create_database(DB)
        spy = profile.PySpy(srv.pid, spy_path) if spy_path else None
        if spy:
            spy.__enter__()
        try:
            cpu = cpu_seconds(srv.pid)
            res = loader.load_http(batches, srv.port, DB, workers, progress=False)
            cpu = cpu_seconds(srv.pid) - cpu
        finally:
            if spy:
                spy.__exit__(None, None, None)
        if res.errors:
            raise RuntimeError(f"{srv.name}: {len(res.errors)} failed batches, first: {res.errors[0]}")
        return res.seconds, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ingest_http", description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", type=int, default=100)
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--decimals", type=int, default=None)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--skip", default="", help="comma-separated: tsdb, victoriametrics")
    p.add_argument("--tree", action="append", default=[], help="NAME=PATH: the tsdb of another checkout")
    p.add_argument("--profile", type=Path, help="py-spy raw output of tsdb's last load (summary beside it)")
    args = p.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    batches = loader.split_batches(data_file(args.hosts, args.hours, args.seed, decimals=args.decimals)
                                   .read_bytes())
    values = values_in(batches)
    made = systems(args)
    rates: dict[str, list[float]] = {n: [] for n in made}
    cpus: dict[str, list[float]] = {n: [] for n in made}
    print(f"{values:,} values, {len(batches.parts)} batches, {args.workers} workers, {args.rounds} rounds")
    for r in range(args.rounds):
        for name, make in made.items():
            last = r == args.rounds - 1 and name == "tsdb"
            secs, cpu = load_once(make, batches, args.workers, args.profile if last else None)
            rates[name].append(values / secs)
            cpus[name].append(cpu)
            print(f"round {r + 1} {name:>16}: {values / secs / 1e6:6.3f} M values/s ({secs:.2f} s, "
                  f"server CPU {cpu:.2f} s)", flush=True)
    vm = statistics.median(rates["victoriametrics"]) if rates.get("victoriametrics") else None
    for name, rs in rates.items():
        med = statistics.median(rs)
        ratio = f", {med / vm:.2f}x VictoriaMetrics" if vm else ""
        print(f"median {name:>16}: {med / 1e6:6.3f} M values/s{ratio}, server CPU "
              f"{statistics.median(cpus[name]):.2f} s  (runs: {', '.join(f'{x / 1e6:.2f}' for x in rs)})")
    if args.profile:
        summary = args.profile.with_suffix(".summary.txt")
        summary.write_text(profile.summarise(args.profile, title="tsdb ingest (HTTP /write)"))
        print(f"profile: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
