"""What the HTTP shim costs per request: HTTP latency minus the embedded time of the same work.

    python -m bench.shim_overhead [--hosts 50] [--hours 1] [-n 200] [--auth] [--keep DIR] [--queries A,B]
                                  [--baseline CODE_DIR] [--baseline-env NAME=VALUE] [--profile OUT] [--victoria]
                                  [--fresh-texts]

Builds a small TSBS devops store in a temp folder (never /tmp/perf), times each
query embedded (``Store.query``, and ``Store.query`` + the JSON encoding the shim
does), then starts ``tsdb serve`` (``python -m tsdb_core.cli``, this checkout) on a
free 127.0.0.1 port and times the same requests over one keep-alive
``http.client`` connection. Medians of ``-n`` rounds after a warm-up (a round
sends every request once, so machine noise spreads over all of them); the
``overhead`` column is HTTP median minus embedded (query + encode) median.
``--baseline DIR`` also serves a copy of the store with the code checked out in
DIR (e.g. ``git archive HEAD~3 | tar -x -C DIR``), interleaving the two servers
request by request, so before/after are measured in the same noise. ``--victoria`` also loads the same data into
VictoriaMetrics (Debian's ``victoria-metrics``, :mod:`bench.victoria`) and asks it the
MetricsQL forms of the same requests (``/health`` for /ping, the label API for SHOW TAG
VALUES; SHOW DATABASES has none) in the same rounds.
``--profile OUT`` runs ``py-spy record`` on the server during an extra loop of
one request (``--profile-request``, default SHOW TAG VALUES) and writes the raw
(collapsed) stacks to OUT.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from . import devops
from .procserver import free_port, wait_ping
from .queries import devops_queries
from .turns import turn_order

REPO = Path(__file__).resolve().parent.parent
DB = "benchmark"


def build_store(root: Path, hosts: int, hours: float) -> None:
    import tsdb_core

    store = tsdb_core.open(root)
    try:
        store.create_database(DB)
        for body in devops.batches(hosts, hours):
            res = store.write(DB, body, "ns")
            assert not res.errors, res.errors[:3]
    finally:
        store.close()


def cases(hosts: int, hours: float, names: list[str] | None = None) -> list[tuple[str, str | None, str | None]]:
    """(label, q, db); q None = GET /ping. ``names``: the TSBS queries asked after the SHOWs."""
    names = names or ["raw-1-host-1-min", "single-groupby-1-1-1"]
    qs = {bq.name: bq.q for bq in devops_queries(hosts, hours, names=names)}
    return [("GET /ping", None, None),
            ("SHOW DATABASES", "SHOW DATABASES", None),
            ("SHOW TAG VALUES hostname", "SHOW TAG VALUES WITH KEY = hostname", DB),
            *((name, qs[name], DB) for name in names)]


def victoria_paths(hosts: int, hours: float, todo) -> dict[str, str]:
    """label -> VictoriaMetrics request path of the same work (labels it cannot express left out)."""
    from . import victoria

    names = [label for label, q, _ in todo if q is not None and not q.startswith("SHOW")]
    paths = {"GET /ping": "/health"}
    paths["SHOW TAG VALUES hostname"] = victoria.translate(devops_queries(hosts, hours,
                                                                          names=["show-tag-values-hostname"])[0])
    for bq in devops_queries(hosts, hours, names=names):
        path = victoria.translate(bq)
        if path is not None:
            paths[bq.name] = path
    return paths


def start_victoria(tmp: Path, hosts: int, hours: float):
    """VictoriaMetrics on a free loopback port, loaded with the store's data (flushed, merged)."""
    from .victoria import VictoriaMetrics

    shutil.rmtree(tmp / "victoria", ignore_errors=True)  # (a kept folder: load afresh)
    vm = VictoriaMetrics(tmp / "victoria", keep=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", vm.port, timeout=120)
    for body in devops.batches(hosts, hours):
        conn.request("POST", "/write?precision=ns", body=body)
        resp = conn.getresponse()
        if resp.read() is None or resp.status != 204:
            raise RuntimeError(f"VictoriaMetrics refused a batch: {resp.status}")
    conn.close()
    vm.stop()
    vm.force_compaction()  # flush, merge and start again: what it serves is on disk
    return vm


def cpu_ns(pid: int) -> int:
    """CPU time of every thread of ``pid`` so far, in ns (/proc/<pid>/task/*/schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def interleaved_ms(fns: list, n: int, warmup: int, pids: list[int] | None = None) -> list[tuple[float, float]]:
    """(median ms, server CPU ms per call) of each callable, timed round-robin: one call of
    each per round, in :func:`~bench.turns.turn_order` (none always first, none twice in a row).

    The CPU figure (from the server's threads) does not count time spent waiting for a core,
    so it is steadier than the latency on a busy machine.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    pairs = list(zip(fns, times))
    cpu0 = [cpu_ns(pid) for pid in pids] if pids else None
    for i in range(n):
        for fn, out in turn_order(pairs, i):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    cpu = [(cpu_ns(pid) - c0) / n / 1e6 for pid, c0 in zip(pids, cpu0)] if pids else [float("nan")] * len(fns)
    return [(statistics.median(t) * 1000, c) for t, c in zip(times, cpu)]


def median_ms(fn, n: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def embedded(root: Path, todo, n: int, warmup: int) -> dict[str, tuple[float, float]]:
    """label -> (Store.query ms, Store.query + render_times + JSON encode ms)."""
    import tsdb_core
    from tsdb_http import encode

    store = tsdb_core.open(root)
    out = {}
    try:
        for label, q, db in todo:
            if q is None:
                out[label] = (0.0, 0.0)
                continue

            def run_query(q=q, db=db):
                return store.query(q, db, None, "ns", None)

            def run_encoded(q=q, db=db):
                res = store.query(q, db, None, "ns", None).statements
                encode.render_times(res, None, encode.JSON)
                return encode.Encoder(encode.JSON).encode(encode.Response(res))

            out[label] = (median_ms(run_query, n, warmup), median_ms(run_encoded, n, warmup))
    finally:
        store.close()
    return out


class Client:
    def __init__(self, port: int, token: str | None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def get(self, path: str) -> bytes:
        self.conn.request("GET", path, headers=self.headers)
        resp = self.conn.getresponse()
        body = resp.read()
        if resp.status not in (200, 204):
            raise RuntimeError(f"{path}: {resp.status} {body[:300]!r}")
        return body

    @staticmethod
    def path(q: str | None, db: str | None) -> str:
        if q is None:
            return "/ping"
        params = {"q": q, **({"db": db} if db else {})}
        return "/query?" + urllib.parse.urlencode(params)


def start_server(root: Path, port: int, auth: bool, code: Path = REPO,
                 env: dict[str, str] | None = None) -> subprocess.Popen:
    """``tsdb serve`` over ``root`` running the code in ``code`` (first on the import path)."""
    cmd = [sys.executable, "-m", "tsdb_core.cli", "serve", "--data-dir", str(root), "--port", str(port),
           "--compat", "influxdb1", *([] if auth else ["--no-auth"])]
    env = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    log = open(root.parent / f"serve-{root.name}.log", "wb")
    proc = subprocess.Popen(cmd, cwd=code, stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_ping(port, proc)
    return proc


def make_token(root: Path) -> str:
    from tsdb_http.tokens import TokenStore

    secret, _ = TokenStore(root).create("*", read=True, write=True, description="bench")
    return secret


def profile(pid: int, client: Client, path: str, out: str, seconds: float = 5.0) -> None:
    spy = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", "500", "--format", "raw", "--threads",
                            "-o", out, "--duration", str(int(seconds) + 1)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let py-spy attach
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client.get(path)
    spy.wait(30)


def asked(a, label: str, q: str | None, db: str | None, vm_paths: dict) -> tuple[list[str], list[str]]:
    """The request path of each call of ``label`` (warm-up and timed), and VictoriaMetrics' of the
    same work: the same text every time, or with ``--fresh-texts`` a TSBS query drawn anew for
    each round (another host and time range, as TSBS sends them: a text never seen before)."""
    calls = a.warmup + a.n
    if not a.fresh_texts or q is None or q.startswith("SHOW"):
        return [Client.path(q, db)] * calls, [vm_paths.get(label, "")] * calls
    from . import victoria

    drawn = [devops_queries(a.hosts, a.hours, seed=seed, names=[label])[0] for seed in range(1, calls + 1)]
    return [Client.path(bq.q, db) for bq in drawn], [victoria.translate(bq) or "" for bq in drawn]


def measure(servers: list, todo: list, emb: dict, a, token: str | None, tmp: Path) -> list:
    """Start the servers (and VictoriaMetrics), time every request round-robin: the table's rows."""
    procs, clients, vm = [], [], None
    try:
        for _label, code, data, env in servers:
            port = free_port()
            procs.append(start_server(data, port, a.auth, code, env))
            clients.append(Client(port, token))
        vm_paths = {}
        if a.victoria:
            vm = start_victoria(tmp, a.hosts, a.hours)
            vm_client, vm_paths = Client(vm.port, None), victoria_paths(a.hosts, a.hours, todo)
        rows = []
        for label, q, db in todo:
            paths, vm_seq = asked(a, label, q, db, vm_paths)
            fns = [lambda c=c, it=iter(paths): c.get(next(it)) for c in clients]
            pids = [p.pid for p in procs]
            if label in vm_paths:
                fns.append(lambda it=iter(vm_seq): vm_client.get(next(it)))
                pids.append(vm.pid)
            timed = interleaved_ms(fns, a.n, a.warmup, pids)
            rows.append((label, timed[:len(clients)], timed[len(clients):], *emb[label]))
        if a.profile:
            _, q, db = todo[a.profile_request]
            profile(procs[-1].pid, clients[-1], Client.path(q, db), a.profile)
        return rows
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(60)
        if vm is not None:
            vm.stop()


def print_table(names: list[str], rows: list, victoria: bool) -> None:
    head = "".join(f"{name[:10] + ' http':>16}{'cpu':>7}" for name in names)
    vm_head = f"{'victoria':>10}{'cpu':>7}" if victoria else ""
    print(f"{'request (ms)':<26}{head}{vm_head} {'query':>7} {'q+enc':>7} {'overhead':>9} {'cpu ovh':>8}")
    for label, http, vm, eq, ee in rows:
        cells = "".join(f"{h:16.3f}{c:7.3f}" for h, c in http)
        if victoria:
            cells += "".join(f"{h:10.3f}{c:7.3f}" for h, c in vm) if vm else f"{'-':>10}{'-':>7}"
        print(f"{label:<26}{cells} {eq:7.3f} {ee:7.3f} {http[-1][0] - ee:9.3f} {http[-1][1] - ee:8.3f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.shim_overhead", description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("-n", type=int, default=200, help="timed rounds (median)")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--auth", action="store_true", help="serve with auth on and send a token")
    ap.add_argument("--keep", default=None, help="build (or reuse) the store under this folder")
    ap.add_argument("--baseline", default=None, help="a code checkout to serve side by side (before/after)")
    ap.add_argument("--baseline-env", action="append", default=[], metavar="NAME=VALUE",
                    help="environment of the baseline server (e.g. TSDB_EVENT_LOOP=asyncio); "
                         "without --baseline the baseline runs this tree")
    ap.add_argument("--queries", default=None,
                    help="comma-separated TSBS queries to ask (default raw-1-host-1-min,single-groupby-1-1-1)")
    ap.add_argument("--profile", default=None, help="py-spy raw output file for a loop of one request")
    ap.add_argument("--profile-request", type=int, default=2, help="which request to profile (0 = /ping)")
    ap.add_argument("--victoria", action="store_true",
                    help="also ask VictoriaMetrics (loaded with the same data) the same requests, in the same rounds")
    ap.add_argument("--fresh-texts", action="store_true",
                    help="each round asks each TSBS query with another host and time range (drawn "
                         "alike for every server); the embedded columns keep one text")
    a = ap.parse_args(argv)

    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="shim-overhead-"))
    root = tmp / "data"
    try:
        if not root.exists():
            t0 = time.perf_counter()
            build_store(root, a.hosts, a.hours)
            print(f"store: {a.hosts} hosts x {a.hours} h built in {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr)
        todo = cases(a.hosts, a.hours, a.queries.split(",") if a.queries else None)
        emb = embedded(root, todo, a.n, a.warmup)
        token = make_token(root) if a.auth else None
        servers = [("this tree", REPO, root, {})]
        if a.baseline or a.baseline_env:
            base_root = tmp / "data-baseline"
            shutil.rmtree(base_root, ignore_errors=True)
            shutil.copytree(root, base_root)
            env = dict(kv.split("=", 1) for kv in a.baseline_env)
            servers.insert(0, ("baseline", Path(a.baseline or REPO).resolve(), base_root, env))
        rows = measure(servers, todo, emb, a, token, tmp)
        print_table([label for label, *_ in servers], rows, a.victoria)
        print(f"(medians of {a.n} interleaved rounds; cpu = server CPU per request (all threads); "
              f"overhead = this tree's http (cpu) - embedded q+enc; auth {'on' if a.auth else 'off'}; "
              f"python {sys.version.split()[0]})")
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
