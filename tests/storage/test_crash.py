"""kill -9 at random moments: every acknowledged batch survives whole, no batch is ever half there.

A forked writer (crash_child.py) writes batches of 40 points over two
measurements, with flushes, compactions and WAL segment roll-overs happening
all the time (tiny thresholds), and records each batch the moment ``write``
returns. The parent SIGKILLs it at a random moment (also during open and WAL
replay), reopens the store and checks every acknowledged batch point by point.
20 kills by default; TSDB_SLOW=1 runs 150.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tsdb_core

sys.path.insert(0, str(Path(__file__).parent))
import crash_child  # noqa: E402

pytestmark = pytest.mark.sqlite_catalog_only  # the store is written by a child process

KILLS = 150 if os.environ.get("TSDB_SLOW") == "1" else 20


def _verify(root: Path, acked: set[int]) -> set[int]:
    """Check the store; returns the batch numbers present."""
    with tsdb_core.open(root, config=crash_child.config()) as s:
        if not s.has_database("crash"):  # killed before its first write
            assert not acked
            return set()
        return crash_child.check_batches(s, acked)


@pytest.mark.parametrize("threads", [1, 3], ids=["one-writer", "three-writers"])
def test_sigkill_never_loses_an_acknowledged_batch(tmp_path, threads):
    """With three writer threads, writes share WAL fsyncs (group commit): still none is
    acknowledged before its record is in the WAL."""
    rng = random.Random(int(os.environ.get("TSDB_CRASH_SEED", "7")))
    root = tmp_path / "store"
    repo = Path(tsdb_core.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    zyg = subprocess.Popen([sys.executable, crash_child.__file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True, bufsize=1, env=env)
    try:
        assert zyg.stdout.readline().strip() == "READY"
        acked: set[int] = set()
        present: set[int] = set()
        next_k = 0
        kills = 0
        for rnd in range(KILLS):
            ack_file = tmp_path / f"acks-{rnd}.txt"
            zyg.stdin.write(f"{root} {next_k} {ack_file} {threads}\n")
            pid = int(zyg.stdout.readline())
            if rnd % 2:  # odd rounds: let the writer get going first, then kill mid-stream
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and (not ack_file.exists() or not ack_file.stat().st_size):
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.2))
            else:  # even rounds: any moment, also while it opens the store and replays the WAL
                time.sleep(rng.uniform(0.0, 0.35))
            os.kill(pid, signal.SIGKILL)
            status = zyg.stdout.readline().split()
            assert status[0] == "EXIT"
            code = int(status[1])
            assert os.WIFSIGNALED(code) and os.WTERMSIG(code) == signal.SIGKILL, f"writer died by itself: {code}"
            kills += 1
            text = ack_file.read_text() if ack_file.exists() else ""
            assert "ERROR" not in text, text
            acked |= {int(x) for x in text.split()}
            present = _verify(root, acked)
            next_k = max(present | acked | {next_k - 1}) + 1
        assert kills == KILLS
        print(f"{kills} kills, {len(acked)} batches acknowledged, {len(present)} present, "
              f"{len(list(root.rglob('*.parquet')))} parquet files")
        assert len(acked) >= KILLS // 2, f"too few batches acknowledged to mean anything: {len(acked)}"
    finally:
        zyg.stdin.close()
        zyg.wait(timeout=10)
