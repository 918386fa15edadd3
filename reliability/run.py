"""Run every reliability scenario and print the figures RELIABILITY.md records.

    python -m reliability.run            # kill loop 10 kills, load 30 s, fuzz 2,000 cases per input
    python -m reliability.run --long     # kill loop 50 kills, load 120 s, fuzz 100,000 cases per input
    python -m reliability.run --only kill,load --fuzz-examples 20000
    python -m reliability.run --only protocol-fuzz --protocol-seconds 600

Each scenario is bounded in time; the pytest ones (hostile, torn files, disk
full, slow clients) run through pytest so their assertions are the tests';
fuzzing runs ``reliability.fuzzrun`` (two worker processes, batched draws);
``flight-fuzz`` runs ``reliability.fuzz_flight`` (Flight SQL tickets, 2,000 cases; 20,000 with --long).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import fuzz_flight, fuzz_protocol, fuzzrun, killloop, load

REPO = Path(__file__).resolve().parents[1]
PYTEST_GROUPS = {
    "hostile": "tests/reliability/test_hostile.py",
    "torn": "tests/reliability/test_torn_files.py",
    "diskfull": "tests/reliability/test_disk_full.py",
    "slow-clients": "tests/reliability/test_slow_clients.py",
    # who may reach what (RELIABILITY.md, threat model)
    "security": " ".join(f"tests/reliability/test_{m}.py" for m in (
        "auth_hardening", "http_limits", "flight_security", "query_limits", "wedge", "derived_files",
        "file_modes")),
}


def _pytest(path: str, env: dict) -> str:
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *path.split()], cwd=REPO, env=env,
                       capture_output=True, text=True)
    last = (r.stdout.strip().splitlines() or ["(no output)"])[-1]
    if r.returncode:
        print(r.stdout[-5000:], file=sys.stderr)
    return f"{last} ({time.monotonic() - t0:.0f} s wall)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.run")
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--only", default="kill,load,fuzz,flight-fuzz,hostile,security,torn,diskfull,slow-clients")
    ap.add_argument("--kills", type=int)
    ap.add_argument("--load-seconds", type=float)
    ap.add_argument("--fuzz-examples", type=int)
    ap.add_argument("--protocol-seconds", type=float, help="protocol-fuzz (only with --only protocol-fuzz): 60 s, --long 600")
    a = ap.parse_args(argv)
    only = set(a.only.split(","))
    kills = a.kills or (50 if a.long else 10)
    seconds = a.load_seconds or (120.0 if a.long else 30.0)
    examples = a.fuzz_examples or (100_000 if a.long else 2_000)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    if a.long:
        env["TSDB_SLOW"] = "1"
    failed = False
    with tempfile.TemporaryDirectory() as d:
        if "kill" in only:
            try:
                fig = killloop.run(Path(d) / "kill", kills=kills, log=lambda m: print("  " + m, flush=True))
                print(f"kill loop: {fig.row()}", flush=True)
            except AssertionError as e:
                failed = True
                print(f"kill loop: FAILED {e}", flush=True)
        if "load" in only:
            fig, errors = load.run(Path(d) / "load", seconds=seconds)
            failed |= bool(errors)
            print(f"load (8 writers, 4 readers): {fig.row()}" + (f" FIRST ERRORS {errors[:3]}" if errors else ""),
                  flush=True)
        if "fuzz" in only:
            results, totals = fuzzrun.run(examples, root=d, log=lambda m: print(m, flush=True), progress=10_000)
            failed |= bool(totals["broken"])
            print(fuzzrun.summary(results, totals), flush=True)
        if "flight-fuzz" in only:
            fig, wall, cpu = fuzz_flight.run(a.fuzz_examples or (20_000 if a.long else 2_000), root=Path(d))
            failed |= bool(fig.findings)
            print(fuzz_flight.summary(fig, wall, cpu), flush=True)
            for f in fig.findings[:5]:
                print(f"  FINDING {f}", flush=True)
        if "protocol-fuzz" in only:  # not in the default set: run it by name
            stats = fuzz_protocol.fuzz(a.protocol_seconds or (600.0 if a.long else 60.0), workdir=Path(d))
            failed |= bool(stats["findings"])
    for name, path in PYTEST_GROUPS.items():
        if name in only:
            out = _pytest(path, env)
            failed |= "failed" in out or "error" in out
            print(f"{name}: {out}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
