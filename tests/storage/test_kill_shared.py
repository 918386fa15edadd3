"""SIGKILL of the writer inside a flush and inside a compaction, with a reader process querying
throughout: on a local directory with its SQLite catalog, and on the S3 server (moto on
127.0.0.1) with the catalog on PostgreSQL.

A forked writer (kill_child.py) writes batches, flushes every few and compacts every few
flushes, marking the start and end of each call in a progress file; the parent waits for a
start mark and kills it a random fraction of that call's usual duration later. After each kill
it reopens the store and checks: every acknowledged batch present point by point, every
catalog entry's object exists, no object the catalog does not list is left (the orphans of the
killed call are removed); then it compacts what the killed call left. A read-only reader
process queries the whole time: its counts never go down, are whole batches, and its sums equal
a recount of the rows of the same snapshot (one multi-statement query: one catalog version).
4 kills per backend by default (2 in a flush, 2 in a compaction); TSDB_SLOW=1 runs 60
(TSDB_KILLS=N sets the number).

The last test kills a writer on S3 + PostgreSQL and lets another machine take over once its
lease expires.
"""
from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tsdb_core
from tsdb_core.storage.objects import open_data_files

from . import crash_child, kill_child

pytestmark = pytest.mark.sqlite_catalog_only  # the store is written by child processes

KILLS = int(os.environ.get("TSDB_KILLS") or (60 if os.environ.get("TSDB_SLOW") == "1" else 4))
CHILD = str(Path(kill_child.__file__).resolve())


def _env() -> dict:
    repo = Path(tsdb_core.__file__).resolve().parents[1]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}


@pytest.fixture(params=["local-sqlite", "s3-postgresql"])
def spec(request, tmp_path) -> dict:
    if request.param == "local-sqlite":
        return {"location": str(tmp_path / "store")}
    server = request.getfixturevalue("s3_server")
    cluster = request.getfixturevalue("pg_cluster")
    return {"location": f"s3://{server.new_bucket()}/kill", "wal_dir": str(tmp_path / "local"),
            "catalog": cluster.fresh_url()}


def _parquet(data) -> set[str]:
    return {k for k in data.list() if (k.endswith(".parquet") and k.count("/") == 4) or k.endswith(".tmp")}


def _restart_and_check(spec: dict, acked: set[int]) -> tuple[set[int], int]:
    """Reopen as the writer; (batches present, orphans the reopening removed)."""
    data = open_data_files(spec["location"], Path(spec.get("wal_dir") or spec["location"]))
    before = _parquet(data)
    with kill_child.open_store(spec) as s:
        present = crash_child.check_batches(s, acked)
        live = {f.path for f in s.files()}
        buried = {path for _, path, _ in s._engine.state.catalog_store.buried()}  # kept for their grace
        after = _parquet(data)
        assert live <= after, f"catalog entries without their object: {sorted(live - after)}"
        assert after <= live | buried, f"objects the catalog does not list were left: {sorted(after - live - buried)}"
        assert s.recovery_report.quarantined == []
        s.compact()  # the killed compaction done (the store stays small; the reader sees it commit)
        assert crash_child.check_batches(s, acked) == present
    return present, len(before - live)


class Progress:
    """The writer's progress marks, read as they are appended."""

    def __init__(self, path: Path):
        self.path, self.offset, self.lines = path, 0, []

    def poll(self) -> list[str]:
        if self.path.exists():
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
            end = chunk.rfind(b"\n") + 1
            self.offset += end
            self.lines += chunk[:end].decode().splitlines()
        return self.lines

    def wait_for(self, mark: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.poll()
            if lines and lines[-1] == mark:
                return True
            time.sleep(0.0005)
        return False


class Zygote:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, CHILD, "zygote"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1, env=_env())
        assert self.proc.stdout.readline().strip() == "READY"

    def start(self, spec: dict) -> int:
        self.proc.stdin.write(json.dumps(spec) + "\n")
        return int(self.proc.stdout.readline())

    def reaped(self) -> int:
        status = self.proc.stdout.readline().split()
        assert status[0] == "EXIT", status
        return int(status[1])

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Reader:
    """The reader process; a thread collects its lines as they come (its pipe never fills)."""

    def __init__(self, spec: dict):
        self.proc = subprocess.Popen([sys.executable, CHILD, "reader", json.dumps(spec)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=_env())
        assert self.proc.stdout.readline().strip() == "open", self.proc.poll()
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._collect, daemon=True)
        self.thread.start()

    def _collect(self) -> None:
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.strip())
                self.changed.notify_all()

    def follow_to(self, total: int, timeout: float = 30.0) -> list[str]:
        """Wait until the reader reports ``total`` rows, then stop it; all its lines."""
        def saw() -> bool:
            last = self.lines[-1] if self.lines else ""
            return last.startswith("ok ") and json.loads(last[3:])[1][0] == total

        with self.changed:
            assert self.changed.wait_for(saw, timeout), f"the reader never saw all {total} rows: {self.lines[-3:]}"
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0
        self.thread.join(30)
        assert self.lines[-1] == "closed", self.lines[-3:]
        return self.lines

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _check_reader(lines: list[str]) -> list[list]:
    """Each snapshot: counts never down, whole batches, sums equal to the recount of its rows."""
    errors = [x for x in lines if x.startswith("error")]  # a file gone under a query is one too
    assert not errors, f"{len(errors)} reader queries failed, first: {errors[0]}"
    seen = [json.loads(x.split(" ", 1)[1]) for x in lines if x.startswith("ok ")]
    assert len(seen) >= 10, f"the reader queried too seldom: {len(seen)}"
    prev = [0, [0, 0.0], [0, 0.0]]
    for version, a, b, ra, rb in seen:
        assert a == ra and b == rb, f"sum of a snapshot differs from its recount: {a} {ra} {b} {rb}"
        assert a[0] % crash_child.LINES == 0 and b[0] % crash_child.LINES == 0, (a, b)
        assert version >= prev[0] and a[0] >= prev[1][0] and b[0] >= prev[2][0], (prev, [version, a, b])
        prev = [version, a, b]
    return seen


def _aim(progress: Progress, target: str, took: dict, rng: random.Random) -> None:
    """Wait for ``target``'s start mark, then sleep a random part of its usual duration."""
    assert progress.wait_for(target), f"the writer never reached {target}: {progress.poll()[-5:]}"
    usual = statistics.median(took[target]) if took[target] else 0.01
    time.sleep(rng.uniform(0.0, usual / 2))


def test_sigkill_in_flush_and_compaction_with_a_reader(spec, tmp_path):
    rng = random.Random(int(os.environ.get("TSDB_CRASH_SEED", "11")))
    with kill_child.open_store(spec) as s:
        s.create_database("crash")
    zyg, reader = Zygote(), Reader(spec)
    acked, present, orphans, inside = set(), set(), 0, {"F": 0, "C": 0}
    took = {"F": [], "C": []}
    try:
        for rnd in range(KILLS):
            target = "FC"[rnd % 2]
            progress = Progress(tmp_path / f"progress-{rnd}")
            ack = tmp_path / f"acks-{rnd}"
            pid = zyg.start({**spec, "first": max(present | acked | {-1}) + 1, "ack": str(ack),
                             "progress": str(progress.path)})
            _aim(progress, target, took, rng)
            os.kill(pid, signal.SIGKILL)
            code = zyg.reaped()
            assert os.WIFSIGNALED(code) and os.WTERMSIG(code) == signal.SIGKILL, f"writer died by itself: {code}"
            marks = progress.poll()
            inside[target] += marks[-1] == target
            for m in marks:
                if m[0] in "fc":
                    took[m[0].upper()].append(float(m.split()[1]))
            text = ack.read_text() if ack.exists() else ""
            assert "ERROR" not in text, text
            acked |= {int(x) for x in text.split()}
            present, removed = _restart_and_check(spec, acked)
            orphans += removed
        with kill_child.open_store(spec, read_only=True) as final:
            total = final.query("SELECT count(v) FROM a", db="crash").statements[0].series[0].values[0][1]
        assert total == len(present) * crash_child.LINES
        lines = reader.follow_to(total)
    finally:
        zyg.close()
        reader.kill()
    seen = _check_reader(lines)
    print(f"{spec['location'][:5]}: {KILLS} kills ({inside['F']} inside a flush, {inside['C']} inside a "
          f"compaction), {len(acked)} batches acknowledged, {orphans} orphans removed, {len(seen)} reader "
          f"snapshots ({len({s[0] for s in seen})} versions)")
    assert inside["F"] >= 1 and inside["C"] >= 1, inside



def test_a_killed_writer_is_followed_by_another_machine_once_its_lease_expires(s3_server, pg_cluster, tmp_path):
    """S3 + PostgreSQL, each process with a local directory of its own (three machines): writer A
    is SIGKILLed; writer B is refused while A's lease runs, then takes over with everything A
    flushed; the reader follows both; A's machine, back, replays the rows only its WAL held."""
    shared = {"location": f"s3://{s3_server.new_bucket()}/lease", "catalog": pg_cluster.fresh_url()}
    on = {m: {**shared, "wal_dir": str(tmp_path / m)} for m in "abr"}
    with kill_child.open_store(on["a"]) as s:
        s.create_database("crash")
    zyg, reader = Zygote(), Reader(on["r"])
    try:
        progress, ack = Progress(tmp_path / "progress"), tmp_path / "acks"
        pid = zyg.start({**on["a"], "first": 0, "ack": str(ack), "progress": str(progress.path), "lease_s": 2.0})
        assert progress.wait_for("C"), progress.poll()[-3:]  # two flushes done, compacting
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        assert os.WIFSIGNALED(zyg.reaped())
        acked = {int(x) for x in ack.read_text().split()}
        with pytest.raises(tsdb_core.StorageError, match=r"holds the lease until .* s from now\)"):
            kill_child.open_store(on["b"])
        b = _open_when_free(on["b"], deadline=killed_at + 20)
        with b:
            flushed = set(range(kill_child.COMPACT_EVERY * kill_child.FLUSH_EVERY))  # in its flushes so far
            present = crash_child.check_batches(b, flushed)
            assert present <= acked and present >= flushed
            first = max(acked) + 1
            b.write("crash", crash_child.batch_body(first))
            b.flush()
            total = (len(present) + 1) * crash_child.LINES
        _check_reader(reader.follow_to(total))
        with kill_child.open_store(on["a"]) as a:  # A's machine again: its WAL's rows come back
            assert crash_child.check_batches(a, acked | {first}) == acked | {first}
    finally:
        zyg.close()
        reader.kill()


def _open_when_free(spec: dict, deadline: float):
    """Open as the writer once the lease is free (retrying while another holds it), by ``deadline``."""
    while True:
        try:
            return kill_child.open_store(spec)
        except tsdb_core.StorageError as e:
            if "holds the lease" not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(0.1)
