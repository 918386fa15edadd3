"""`tsdb serve --read-only`: a second process's view of a store another process writes.

In the first tests the writer is a store opened in this process and the reader the shim serving
the same directory with ``read_only`` (no lock, no background work), reached over real HTTP; in
the last, writer and readers are each a shim process of their own.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.cli import cli
from tsdb_http.serve import serve

NS = 1_000_000_000
REPO = str(Path(tsdb_core.__file__).resolve().parents[1])


@pytest.fixture()
def writer_and_reader(tmp_path):
    root = tmp_path / "store"
    writer = tsdb_core.open(root)
    writer.write("db", f"cpu,host=a v=1 {NS}\ncpu,host=b v=2 {2 * NS}".encode())
    writer.flush()
    stop, ready, urls, errors = threading.Event(), threading.Event(), [], []

    def run():
        try:
            serve(root, port=0, no_auth=True, compat="influxdb1", stop=stop, ready=ready, url_out=urls,
                  config=StoreConfig(read_only=True))
        except BaseException as e:  # the test reports it rather than hanging
            errors.append(e)
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30) and not errors, errors
    yield writer, urls[0]
    stop.set()
    thread.join(30)
    writer.close()


def _count(base: str) -> list:
    r = httpx.get(f"{base}/query", params={"db": "db", "q": "SELECT count(v) FROM cpu"})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]["series"][0]["values"][0][1]


def test_reader_answers_queries_and_follows_flushes(writer_and_reader):
    writer, base = writer_and_reader
    assert _count(base) == 2
    writer.write("db", f"cpu,host=c v=3 {3 * NS}".encode())
    assert _count(base) == 2  # not flushed yet: not visible
    writer.flush()
    assert _count(base) == 3


def test_reader_refuses_writes_and_changes(writer_and_reader):
    writer, base = writer_and_reader
    r = httpx.post(f"{base}/write", params={"db": "db"}, content=f"cpu,host=z v=9 {4 * NS}")
    assert r.status_code == 400
    assert "read-only" in r.json()["error"]
    r = httpx.post(f"{base}/query", params={"db": "db", "q": "DROP MEASUREMENT cpu"})
    assert "read-only" in r.json()["results"][0]["error"]
    assert _count(base) == 2


def test_read_only_cannot_load_the_demo(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--read-only", "--demo"])
    assert result.exit_code != 0
    assert "--demo loads samples into the store: it cannot go with --read-only" in result.output


# -- processes: a writer and two readers of one directory, each its own `tsdb serve` -----------------

_WRITER_SERVE = """
import sys
from tsdb_core import StoreConfig
from tsdb_http.serve import serve
# the shim as `tsdb serve` runs it, flushing what it buffered within a fraction of a second
serve(sys.argv[1], port=0, no_auth=True, compat="influxdb1", background_interval_s=0.05,
      config=StoreConfig(buffer_max_age_s=0.1))
"""


def _spawn(root, *args: str, code: str | None = None) -> subprocess.Popen:
    """A shim process on ``root``: ``tsdb serve ARGS``, or ``code`` run with the root as argument."""
    cmd = [sys.executable, "-c", code, str(root)] if code else [
        sys.executable, "-m", "tsdb_core.cli", "serve", "--data-dir", str(root), "--port", "0", "--no-auth",
        "--compat", "influxdb1", *args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)


def _url(proc: subprocess.Popen) -> tuple[str | None, str]:
    """(the base URL it serves, or None once it exited; what it printed until then)."""
    said = []
    for line in proc.stderr:  # ends when the process exits
        said.append(line)
        if line.startswith("tsdb: serving "):
            return line.split()[2], "".join(said)
    proc.wait(30)
    return None, "".join(said)


def _count_now(base: str) -> int:
    res = httpx.get(f"{base}/query", params={"db": "db", "q": "SELECT count(v) FROM cpu"}).json()["results"][0]
    return res["series"][0]["values"][0][1] if "series" in res else 0


def _until(base: str, want: int, seen: list[int], timeout: float = 30.0) -> None:
    """Query ``base`` until it counts ``want`` rows (recording every answer), within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.append(_count_now(base))
        if seen[-1] == want:
            return
        time.sleep(0.02)
    raise AssertionError(f"{base} counts {seen[-1]}, not {want}, after {timeout} s")


def _post(base: str, lines: str) -> None:
    r = httpx.post(f"{base}/write", params={"db": "db"}, content=lines.encode())
    assert r.status_code == 204, r.text


def test_a_writer_and_two_readers_each_serving_one_directory(tmp_path):
    """`tsdb serve` writing, two `tsdb serve --read-only` following it; a second writer refused; the
    writer SIGKILLed and a new one taking over: nothing it acknowledged is lost, the readers follow."""
    root = tmp_path / "store"
    procs = [_spawn(root, code=_WRITER_SERVE)]
    try:
        wbase, said = _url(procs[0])
        assert wbase, said
        assert httpx.post(f"{wbase}/query", params={"q": "CREATE DATABASE db"}).status_code == 200
        procs += [_spawn(root, "--read-only"), _spawn(root, "--read-only"), _spawn(root)]
        readers = []
        for proc in procs[1:3]:
            base, said = _url(proc)
            assert base and "read-only" in said, said
            readers.append(base)
        url, said = _url(procs[3])  # a second writer
        assert url is None and procs[3].returncode != 0 and "locked by another process" in said, said
        seen = {base: [] for base in readers}
        total = 0
        for k in range(4):  # every batch reaches both readers once the writer flushed it
            _post(wbase, "\n".join(f"cpu,host=h{i % 3} v={i} {NS + k * 1000 + i}" for i in range(10)))
            total += 10
            for base in readers:
                _until(base, total, seen[base])
        _post(wbase, f"cpu,host=last v=1 {2 * NS}")  # acknowledged: in the WAL, flushed or not
        total += 1
        procs[0].send_signal(signal.SIGKILL)
        assert procs[0].wait(30) == -signal.SIGKILL
        procs.append(_spawn(root, code=_WRITER_SERVE))  # the lock died with the old writer
        wbase, said = _url(procs[-1])
        assert wbase, said
        _post(wbase, f"cpu,host=new v=2 {3 * NS}")
        total += 1
        for base in readers:
            _until(base, total, seen[base])
            assert seen[base] == sorted(seen[base]) and set(seen[base]) <= {0, 10, 20, 30, 40, 41, 42}, seen
        assert _count_now(wbase) == total
    finally:
        running = [p for p in procs if p.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        for proc in running:
            assert proc.wait(30) == 0
