"""Read-only readers beside one writer (storage/readonly.py): in one process, and as separate
processes on one directory."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import tsdb_core
from tsdb_core import ReadOnlyStore, StorageError, StoreConfig


ROWS, FLUSHES = 50, 8  # rows per flush, flushes by the writer process


def _lines(n: int, start: int) -> str:
    return "\n".join(f"cpu,host=h{i % 5} v={i} {start + i}" for i in range(n))


def _count(store, db: str = "db") -> int:
    res = store.query("SELECT count(v) FROM cpu", db=db).to_json()["results"][0]
    if "error" in res:
        assert res["error"] == f"database not found: {db}"
        return 0
    return res["series"][0]["values"][0][1] if "series" in res else 0


@pytest.fixture
def writer(tmp_path):
    w = tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests())
    w.write("db", _lines(10, 0))
    w.flush()
    yield w
    w.close()


def _follows(r, n: int, catalogs) -> None:
    """``r`` answers ``n``: at once on SQLite (the version is read before each query); on
    PostgreSQL once the writer's NOTIFY has reached it (storage/readonly.py)."""
    if catalogs.backend == "sqlite":
        assert _count(r) == n
        return
    deadline = time.monotonic() + 20
    while _count(r) != n:
        assert time.monotonic() < deadline, f"the reader never reached {n}"
        time.sleep(0.01)


def test_reader_sees_flushed_rows_only(writer, tmp_path, catalogs):
    with tsdb_core.open(tmp_path / "s", read_only=True) as r:
        assert r.read_only and _count(r) == 10
        assert r.catalog_version() == writer.catalog_version()
        writer.write("db", _lines(5, 100))
        assert _count(r) == 10  # in the writer's buffer: not visible
        before = r.refreshed_at()
        writer.flush()
        assert r.catalog_version() < writer.catalog_version()
        _follows(r, 15, catalogs)
        assert r.catalog_version() == writer.catalog_version()
        assert r.refreshed_at() >= before
        writer.write("db", "mem,host=z v=1 1")
        writer.flush()
        r.refresh()  # SHOW reads the catalog too; refresh() looks at once (PostgreSQL: without the NOTIFY)
        tags = r.query("SHOW TAG VALUES FROM mem WITH KEY = host", db="db").to_json()["results"][0]
        assert tags["series"][0]["values"] == [["host", "z"]]
        assert not r.refresh()  # nothing new


def test_reader_refuses_every_change(writer, tmp_path):
    with tsdb_core.open(tmp_path / "s", read_only=True) as r:
        for call in (lambda: r.write("db", "cpu v=1 1"), r.flush, r.compact, r.enforce_retention,
                     lambda: r.create_database("x"), lambda: r.drop_database("db"),
                     lambda: r.drop_measurement("db", "cpu"), lambda: r.delete("db", "cpu", 0, 10),
                     lambda: r.create_retention_policy("db", "rp", duration=0), r.start_background,
                     r.check_files):
            with pytest.raises(ReadOnlyStore, match="^the store is open read-only"):
                call()
        for q in ("CREATE DATABASE x", "DROP DATABASE db", "DELETE FROM cpu", "DROP MEASUREMENT cpu",
                  "SELECT v INTO cpu2 FROM cpu", "DROP SERIES FROM cpu",
                  "CREATE RETENTION POLICY rp ON db DURATION 1h REPLICATION 1"):
            res = r.query(q, db="db").to_json()["results"][0]
            assert res["error"].startswith("the store is open read-only"), q
        assert _count(r) == 10
    assert _count(writer) == 10 and writer.databases() == ["db"]


def test_reader_needs_an_existing_store(tmp_path, catalogs):
    if catalogs.backend != "sqlite":
        pytest.skip("the case is a missing catalog.sqlite")
    with pytest.raises(StorageError, match="no store to read"):
        tsdb_core.open(tmp_path / "none", read_only=True)
    assert not (tmp_path / "none" / "catalog.sqlite").exists()
    with pytest.raises(StorageError, match="needs a path"):
        tsdb_core.open(None, read_only=True)


@pytest.mark.local_files("checks the files on disk")
def test_replaced_files_outlive_their_entry_for_the_grace_period(tmp_path):
    for grace, kept in ((60.0, True), (0.0, False)):
        path = tmp_path / f"g{grace}"
        with tsdb_core.open(path, config=StoreConfig.for_tests(file_grace_s=grace, compact_min_files=99)) as w:
            for i in range(2):
                w.write("db", _lines(5, i * 10))
                w.flush()
            old = [path / f.path for f in w.files()]
            with tsdb_core.open(path, read_only=True) as r:
                assert _count(r) == 10
                assert w.compact() == 1
                assert all(p.exists() for p in old) is kept
                assert _count(r) == 10  # the reader moved to the compacted file


_WRITER = """
import sys, tsdb_core
w = tsdb_core.open(sys.argv[1], config=tsdb_core.StoreConfig.for_tests())
w.create_database("db")
print("ready", flush=True)
assert sys.stdin.readline() == "go\\n"
for i in range({flushes}):
    w.write("db", "\\n".join(f"cpu,host=h{{j % 5}} v={{j}} {{i * 1000 + j}}" for j in range({rows})))
    w.flush()
    print("flushed", (i + 1) * {rows}, w.catalog_version(), flush=True)
sys.stdin.readline()
w.close()
print("closed", flush=True)
"""

_READER = """
import sys, time, tsdb_core
r = tsdb_core.open(sys.argv[1], read_only=True)
print("open", flush=True)
deadline = time.monotonic() + 30
n = -1
while n < {total} and time.monotonic() < deadline:
    res = r.query("SELECT count(v) FROM cpu", db="db").to_json()["results"][0]
    n = res["series"][0]["values"][0][1] if "series" in res else 0
    print("count", n, flush=True)
try:
    r.write("db", "cpu v=1 1")
except tsdb_core.ReadOnlyStore as e:
    print("refused", e, flush=True)
r.close()
"""


def _spawn(code: str, path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)


def _expect(proc: subprocess.Popen, word: str) -> list[str]:
    line = proc.stdout.readline().split()
    assert line and line[0] == word, (word, line, proc.poll())
    return line


@pytest.mark.sqlite_catalog_only
def test_one_writer_two_reader_processes(tmp_path):
    path, total = tmp_path / "s", ROWS * FLUSHES
    writer = _spawn(_WRITER.format(flushes=FLUSHES, rows=ROWS), path)
    readers = []
    try:
        _expect(writer, "ready")
        readers = [_spawn(_READER.format(total=total), path) for _ in range(2)]
        for r in readers:
            _expect(r, "open")
        writer.stdin.write("go\n")
        writer.stdin.flush()
        flushed = [int(_expect(writer, "flushed")[1]) for _ in range(FLUSHES)]
        assert flushed == [ROWS * (i + 1) for i in range(FLUSHES)]
        for r in readers:
            out, _ = r.communicate(timeout=60)
            lines = out.splitlines()
            counts = [int(x.split()[1]) for x in lines if x.startswith("count ")]
            assert counts == sorted(counts) and counts[-1] == total  # never down, up to all of it
            assert set(counts) <= {0, *flushed}  # only whole flushes, never half of one
            assert lines[-1].startswith("refused the store is open read-only")
            assert r.returncode == 0
        with pytest.raises(StorageError, match="locked by another process"):
            tsdb_core.open(path)  # a second writer, while the first runs
        with tsdb_core.open(path, read_only=True) as mine:
            assert _count(mine) == total
            writer.stdin.write("close\n")
            writer.stdin.flush()
            _expect(writer, "closed")
            assert writer.wait(timeout=30) == 0
            with tsdb_core.open(path) as second:  # readers hold no lock: the next writer opens
                second.write("db", "cpu,host=x v=1 999999")
                second.flush()
                assert _count(mine) == total + 1
    finally:
        for p in (writer, *readers):
            if p.poll() is None:
                p.kill()
                p.wait()
