"""Large /query answers over HTTP in JSON, CSV and msgpack: this tree against a baseline checkout.

    python -m bench.answer_http [--keep DIR] [--hosts 100] [--hours 24] [-n 15] [--baseline CODE_DIR]
                                [--compat influxdb1|cloud-dedicated] [--formats json,csv,msgpack]

Builds (or reuses, ``--keep``) a TSBS devops store, serves it with ``tsdb serve`` from this
tree and, with ``--baseline``, a copy of it from another checkout, and asks each server in
turn (order reversed every round) for high-cpu-all and one host's raw points over the whole
time span (``SELECT *``: time, 10 tags, 10 fields) in each format. Prints the median latency
and the server's CPU per request, and checks that both servers send the same bytes.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from .procserver import free_port, stopped_after, wait_ping
from .queries import DEFAULT_START, devops_queries
from .shim_overhead import DB, REPO, build_store, interleaved_ms

ACCEPT = {"json": "application/json", "csv": "text/csv", "msgpack": "application/x-msgpack"}


def queries(hosts: int, hours: float) -> dict[str, str]:
    """label -> InfluxQL: high-cpu-all and one host's raw points over ``hours``."""
    high = devops_queries(hosts, hours, names=["high-cpu-all"])[0].q
    lo = DEFAULT_START.strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = f"SELECT * FROM cpu WHERE hostname = 'host_0' AND time >= '{lo}' AND time < '{lo}' + {int(hours * 60)}m"
    return {"high-cpu-all": high, f"host_0 {hours:g} h raw": raw}


def start(root: Path, code: Path, compat: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "tsdb_core.cli", "serve", "--data-dir", str(root), "--port", str(port),
           "--compat", compat, "--no-auth"]
    log = open(root.parent / f"serve-{root.name}.log", "wb")
    proc = subprocess.Popen(cmd, cwd=code, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(code)})
    wait_ping(port, proc)
    return proc, port


class Client:
    """One keep-alive connection; ``get`` returns the body and whether it came chunked."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def get(self, q: str, accept: str) -> tuple[bytes, bool]:
        self.conn.request("GET", "/query?" + urllib.parse.urlencode({"q": q, "db": DB}), headers={"Accept": accept})
        resp = self.conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{resp.status}: {body[:300]!r}")
        return body, resp.getheader("Content-Length") is None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.answer_http", description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("-n", type=int, default=15, help="timed rounds (median)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--keep", default=None, help="build (or reuse) the store under this folder")
    ap.add_argument("--baseline", default=None, help="a code checkout to serve side by side (before/after)")
    ap.add_argument("--compat", default="influxdb1", choices=["influxdb1", "cloud-dedicated"])
    ap.add_argument("--formats", default="json,csv,msgpack")
    a = ap.parse_args(argv)
    tmp = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="answer-http-"))
    root = tmp / "data"
    try:
        if not root.exists():
            build_store(root, a.hosts, a.hours)
        servers = [("this tree", REPO, root)]
        if a.baseline:
            base_root = tmp / "data-baseline"
            shutil.rmtree(base_root, ignore_errors=True)
            shutil.copytree(root, base_root)
            servers.insert(0, ("baseline", Path(a.baseline).resolve(), base_root))
        _run(a, servers)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(a, servers) -> None:
    clients = []
    with stopped_after([]) as procs:
        for _label, code, data in servers:
            proc, port = start(data, code, a.compat)
            procs.append(proc)
            clients.append(Client(port))
        print(f"{'answer':<34}{'MB':>6}" + "".join(f"{label[:10] + ' ms':>15}{'cpu ms':>8}{'chunked':>8}"
                                                    for label, *_ in servers))
        for label, q in queries(a.hosts, a.hours).items():
            for fmt in a.formats.split(","):
                bodies = [c.get(q, ACCEPT[fmt]) for c in clients]
                if len({b for b, _ in bodies}) != 1:
                    print(f"  {label} {fmt}: THE BODIES DIFFER", file=sys.stderr)
                res = interleaved_ms([lambda c=c: c.get(q, ACCEPT[fmt]) for c in clients], a.n, a.warmup,
                                     [p.pid for p in procs])
                cells = "".join(f"{ms:15.1f}{cpu:8.1f}{'yes' if ch else 'no':>8}" for (ms, cpu), (_, ch) in zip(res, bodies))
                print(f"{label + ' ' + fmt:<34}{len(bodies[0][0]) / 1e6:6.1f}{cells}", flush=True)
        print(f"(medians of {a.n} interleaved rounds; cpu = server CPU per request, all threads; "
              f"compat {a.compat}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")


if __name__ == "__main__":
    main()
