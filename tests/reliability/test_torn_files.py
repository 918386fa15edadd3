"""Torn and corrupt files: the WAL tail, a Parquet file, the catalog.

What the store promises: it opens (or, for an unreadable catalog, refuses
with a clear CorruptionError and changes nothing), says what it skipped
(a WARNING log naming the file and byte), never serves garbage (a query that
needs a damaged Parquet file fails with an error, other windows still answer)
and never crashes.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

import tsdb_core
from tsdb_core.errors import CorruptionError

DAY = 86_400 * 10**9
CFG = tsdb_core.StoreConfig.for_tests()


def _values(store, q="SELECT v FROM m"):
    st = store.query(q, db="d", epoch="ns").statements[0]
    return st.error, [tuple(r) for s in st.series for r in s.values]


def _crashed_copy(tmp_path: Path, batches: int) -> Path:
    """A store directory as a SIGKILL leaves it: WAL records durable, nothing flushed or closed."""
    src, dst = tmp_path / "live", tmp_path / "crashed"
    s = tsdb_core.open(src, config=CFG)
    for b in range(batches):
        s.write("d", f"m,h=a v={b} {b * 10**9}\nm,h=b v={b + 0.5} {b * 10**9}".encode())
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("store.lock"))
    s.close()
    return dst


def _segment(root: Path) -> Path:
    segs = sorted((root / "wal").glob("*.wal"), key=lambda p: p.stat().st_size)
    return segs[-1]


@pytest.mark.parametrize("cut", [1, 7, 20, 40], ids=lambda c: f"cut{c}")
def test_torn_wal_tail_drops_only_the_torn_record(tmp_path, caplog, cut):
    root = _crashed_copy(tmp_path, 4)
    seg = _segment(root)
    data = seg.read_bytes()
    seg.write_bytes(data[:-cut])
    with caplog.at_level(logging.WARNING):
        s = tsdb_core.open(root, config=CFG)
    try:
        err, rows = _values(s)
        assert err is None
        assert rows == [(b * 10**9, float(v)) for b in range(3) for v in (b, b + 0.5)]
        assert any("torn" in r.getMessage() and seg.name in r.getMessage() for r in caplog.records), caplog.text
        s.write("d", b"m,h=a v=9 9000000000")  # and the store keeps working on the cut segment
        assert _values(s)[1][-1] == (9 * 10**9, 9.0)
    finally:
        s.close()


def test_corrupt_wal_record_is_skipped_with_the_rest_of_its_segment(tmp_path, caplog):
    root = _crashed_copy(tmp_path, 4)
    seg = _segment(root)
    data = bytearray(seg.read_bytes())
    data[len(data) - 30] ^= 0xFF  # inside the last record's payload: its CRC fails
    seg.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        s = tsdb_core.open(root, config=CFG)
    try:
        err, rows = _values(s)
        assert err is None and rows == [(b * 10**9, float(v)) for b in range(3) for v in (b, b + 0.5)]
        assert any("corrupt record" in r.getMessage() for r in caplog.records), caplog.text
    finally:
        s.close()


def _two_windows(tmp_path: Path) -> tuple[Path, list[Path]]:
    root = tmp_path / "store"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"m,h=a v=1 1000000000\nm,h=b v=2 2000000000")
    s.flush()
    s.write("d", f"m,h=a v=3 {1000 * DAY}".encode())
    s.close()
    return root, sorted(root.rglob("*.parquet"))


@pytest.mark.parametrize("damage", ["truncate", "flip-footer", "flip-data", "empty"])
def test_damaged_parquet_never_serves_garbage(tmp_path, damage):
    root, files = _two_windows(tmp_path)
    assert len(files) == 2
    p = files[0]  # the window holding v=1 and v=2
    data = bytearray(p.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip-footer":
        for i in range(len(data) - 40, len(data) - 8):
            data[i] ^= 0x5A
    elif damage == "flip-data":
        for i in range(8, 48):
            data[i] ^= 0x5A
    else:
        data = bytearray()
    p.write_bytes(bytes(data))
    s = tsdb_core.open(root, config=CFG)  # opens: files are only read by the queries that need them
    try:
        err, rows = _values(s)
        # Either a clean error, or (a flip the format cannot detect) exactly the stored rows: never others.
        assert err is not None or rows == [(10**9, 1.0), (2 * 10**9, 2.0), (1000 * DAY, 3.0)], (err, rows)
        if err is not None:
            assert rows == []
        err2, rows2 = _values(s, f"SELECT v FROM m WHERE time >= {999 * DAY}")
        assert err2 is None and rows2 == [(1000 * DAY, 3.0)]  # other windows still answer
        s.write("d", f"m,h=c v=4 {1001 * DAY}".encode())  # writes still work
        s.flush()
    finally:
        s.close()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "wrong-shape"])
def test_unreadable_catalog_refuses_to_open_and_changes_nothing(tmp_path, damage):
    root, files = _two_windows(tmp_path)
    cat = root / "catalog.json"
    data = cat.read_bytes()
    cat.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00\xff" * 50, "empty": b"",
                     "wrong-shape": b'{"version": 1}'}[damage])
    before = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    with pytest.raises(CorruptionError, match="catalog .* is unreadable"):
        tsdb_core.open(root, config=CFG)
    after = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    assert after == before
    cat.write_bytes(data)  # restored from a backup: everything is there
    s = tsdb_core.open(root, config=CFG)
    try:
        assert _values(s)[1] == [(10**9, 1.0), (2 * 10**9, 2.0), (1000 * DAY, 3.0)]
    finally:
        s.close()


def test_missing_catalog_never_deletes_the_parquet_files(tmp_path):
    root, files = _two_windows(tmp_path)
    (root / "catalog.json").unlink()
    with pytest.raises(CorruptionError, match="missing"):
        tsdb_core.open(root, config=CFG)
    assert all(p.exists() for p in files)
