"""Server CPU per request of two checkouts, in alternating blocks: medians, not one total.

    python -m bench.server_cpu_ab --baseline DIR --keep DIR [--queries A,B] [--fresh-texts] [--blocks 30] [--per 40]
                                  [--gap SECONDS]

:mod:`bench.shim_overhead` reports one CPU figure per server (its whole run divided by the
requests), which one busy moment of a shared machine moves. Here each server answers the
same requests in blocks of ``--per``, the two servers taking turns (which goes first
alternates), and a block's CPU (every thread of the server, /proc schedstat) over its
requests is one sample: the medians of ``--blocks`` samples and their ratio are printed.
``--keep`` is the folder of a ``shim_overhead --keep`` run (its ``data`` and, from a run
with ``--baseline``, ``data-baseline``; a missing one is copied from ``data``). ``--gap`` pauses after each request,
so that other programs take the core between requests and each is answered from cold caches,
as in bench.compare's turns (a back-to-back request costs a third to a half of that).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from .procserver import free_port, stopped_after
from .queries import devops_queries
from .shim_overhead import DB, REPO, Client, cpu_ns, start_server

TAG_VALUES = "SHOW TAG VALUES WITH KEY = hostname"


def request_paths(name: str, hosts: int, hours: float, count: int, fresh: bool) -> list[str]:
    """``count`` request paths of one TSBS query (``tag-values``: SHOW TAG VALUES); with
    ``fresh`` each with another host and time range, as TSBS sends them."""
    if name == "tag-values":
        return [Client.path(TAG_VALUES, DB)] * count
    if not fresh:
        return [Client.path(devops_queries(hosts, hours, names=[name])[0].q, DB)] * count
    return [Client.path(devops_queries(hosts, hours, seed=s, names=[name])[0].q, DB) for s in range(1, count + 1)]


def block_cpu_us(procs: list, clients: list, paths: list[str], blocks: int, per: int,
                 gap: float = 0.0) -> list[list[float]]:
    """Per server, the CPU µs per request of each block (the first ``per`` paths warm up), with
    ``gap`` seconds of sleep after each timed request."""
    for client in clients:
        for p in paths[:per]:
            client.get(p)
    samples: list[list[float]] = [[] for _ in clients]
    for b in range(blocks):
        chunk = paths[per * (b + 1):per * (b + 2)]
        order = range(len(clients)) if b % 2 == 0 else reversed(range(len(clients)))
        for k in order:
            c0 = cpu_ns(procs[k].pid)
            for p in chunk:
                clients[k].get(p)
                if gap:
                    time.sleep(gap)
            samples[k].append((cpu_ns(procs[k].pid) - c0) / len(chunk) / 1e3)
    return samples


def main(argv: list[str] | None = None) -> None:
    """Alternate blocks of requests between the two trees' servers and print server-CPU medians and ratios."""
    ap = argparse.ArgumentParser(prog="python -m bench.server_cpu_ab", description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", required=True, help="the code checkout to compare this tree with")
    ap.add_argument("--keep", required=True, help="a shim_overhead --keep folder (its built store)")
    ap.add_argument("--queries", default="single-groupby-1-1-1,single-groupby-1-1-12,tag-values")
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--blocks", type=int, default=30)
    ap.add_argument("--per", type=int, default=40, help="requests a block")
    ap.add_argument("--fresh-texts", action="store_true", help="another host and time range each request")
    ap.add_argument("--gap", type=float, default=0.0, metavar="SECONDS",
                    help="sleep after each request (caches go cold meanwhile; e.g. 0.002)")
    a = ap.parse_args(argv)
    keep = Path(a.keep)
    if not (keep / "data-baseline").exists():
        shutil.copytree(keep / "data", keep / "data-baseline")
    servers = [(Path(a.baseline).resolve(), keep / "data-baseline"), (REPO, keep / "data")]
    clients = []
    with stopped_after([]) as procs:
        for code, data in servers:
            port = free_port()
            procs.append(start_server(data, port, False, code))
            clients.append(Client(port, None))
        print(f"{'request (server CPU us)':<28}{'baseline':>10}{'this tree':>11}{'ratio':>8}")
        for name in a.queries.split(","):
            paths = request_paths(name, a.hosts, a.hours, a.per * (a.blocks + 1), a.fresh_texts)
            old, new = (statistics.median(s) for s in block_cpu_us(procs, clients, paths, a.blocks, a.per, a.gap))
            print(f"{name:<28}{old:10.1f}{new:11.1f}{new / old:8.3f}", flush=True)
        print(f"(medians of {a.blocks} alternating blocks of {a.per} requests; "
              f"{'fresh texts' if a.fresh_texts else 'one text a query'}"
              f"{f'; {a.gap * 1e3:g} ms pause after each request' if a.gap else ''})")


if __name__ == "__main__":
    main()
