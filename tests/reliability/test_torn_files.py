"""Torn and corrupt files: the WAL tail, a Parquet file, the catalog.

What the store promises: it opens, says what it skipped (a WARNING log naming
the file and bytes, and ``Store.recovery_report``), never serves garbage and
never crashes: a cut or corrupt WAL record is skipped alone; a damaged Parquet
file is moved to ``<root>/quarantine/`` (at open when its footer is bad, at the
first read that fails otherwise: that query answers an error, later ones the
rest); an unreadable or missing catalog is rebuilt from the Parquet files and
the WAL, the unreadable one kept as ``catalog.sqlite.corrupt-<time>``.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

import tsdb_core

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
    """The last record corrupt: nothing follows it to resync on."""
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
        [skip] = s.recovery_report.wal_skipped
        assert (skip.segment, skip.reason, skip.end) == (seg.name, "corrupt record", len(data))
    finally:
        s.close()


def _record_offsets(seg: Path) -> list[int]:
    import struct
    data, pos, out = seg.read_bytes(), 8, []
    while pos + 16 <= len(data):
        out.append(pos)
        pos += 16 + struct.unpack_from("<I", data, pos)[0]
    return out


@pytest.mark.parametrize("where", ["payload", "crc", "seq", "length"])
def test_corrupt_wal_record_in_the_middle_is_skipped_alone(tmp_path, caplog, where):
    root = _crashed_copy(tmp_path, 4)
    seg = _segment(root)
    starts = _record_offsets(seg)
    assert len(starts) == 4
    data = bytearray(seg.read_bytes())
    at = starts[1] + {"payload": 40, "crc": 4, "seq": 8, "length": 1}[where]
    data[at] ^= 0x5A  # the second of four records (batch 1)
    seg.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        s = tsdb_core.open(root, config=CFG)
    try:
        err, rows = _values(s)
        assert err is None
        assert rows == [(b * 10**9, float(v)) for b in (0, 2, 3) for v in (b, b + 0.5)]  # only batch 1 lost
        [skip] = s.recovery_report.wal_skipped
        assert (skip.segment, skip.start, skip.end, skip.reason) == (seg.name, starts[1], starts[2], "corrupt record")
        assert any(f"bytes {starts[1]}-{starts[2]}" in r.getMessage() for r in caplog.records), caplog.text
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


def _damage(p: Path, damage: str) -> None:
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


ALL = [(10**9, 1.0), (2 * 10**9, 2.0), (1000 * DAY, 3.0)]


@pytest.mark.parametrize("damage", ["truncate", "flip-footer", "empty"])
def test_parquet_with_a_bad_footer_is_quarantined_at_open(tmp_path, caplog, damage):
    root, files = _two_windows(tmp_path)
    assert len(files) == 2
    p = files[0]  # the window holding v=1 and v=2
    rel = p.relative_to(root).as_posix()
    _damage(p, damage)
    damaged = p.read_bytes()
    with caplog.at_level(logging.WARNING):
        s = tsdb_core.open(root, config=CFG)
    try:
        assert _values(s) == (None, [(1000 * DAY, 3.0)])  # the rest answers, nothing invented
        assert (root / "quarantine" / rel).read_bytes() == damaged and not p.exists()  # evidence kept
        [(qrel, why)] = s.recovery_report.quarantined
        assert qrel == rel and why
        assert s.recovery_report.files_checked == 2
        assert [f.path for f in s.files()] == [files[1].relative_to(root).as_posix()]
        assert any(rel in r.getMessage() and "quarantine" in r.getMessage() for r in caplog.records), caplog.text
        assert _values(s, "SHOW SERIES")[1] == [("m,h=a",)]  # h=b lived only in the damaged file
        s.write("d", f"m,h=c v=4 {1001 * DAY}".encode())  # writes and flushes still work
        s.flush()
        assert _values(s)[1] == [(1000 * DAY, 3.0), (1001 * DAY, 4.0)]
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)  # and the next open is clean: the quarantine stays put
    try:
        assert s.recovery_report.clean and (root / "quarantine" / rel).exists()
        assert _values(s)[1] == [(1000 * DAY, 3.0), (1001 * DAY, 4.0)]
    finally:
        s.close()


def test_parquet_with_bad_data_pages_is_quarantined_at_the_first_failed_read(tmp_path):
    root, files = _two_windows(tmp_path)
    p = files[0]
    rel = p.relative_to(root).as_posix()
    _damage(p, "flip-data")  # the footer still parses: the open-time check cannot see it
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.recovery_report.clean
        err, rows = _values(s)
        assert err is not None and rows == []  # the failing query answers an error, never other values
        # the engine handed the failure to the store, which moved the file aside
        assert f"damaged file moved to quarantine: {rel}" in err
        assert [q for q, _ in s.recovery_report.quarantined] == [rel]
        assert (root / "quarantine" / rel).exists() and not p.exists()
        assert _values(s) == (None, [(1000 * DAY, 3.0)])
    finally:
        s.close()


def test_missing_parquet_file_is_dropped_and_reported(tmp_path):
    root, files = _two_windows(tmp_path)
    files[0].unlink()
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.recovery_report.missing == [files[0].relative_to(root).as_posix()]
        assert _values(s) == (None, [(1000 * DAY, 3.0)])
    finally:
        s.close()


def _hand_edit(path, sql):
    con = sqlite3.connect(path)
    with con:
        con.execute(sql)
    con.close()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "wrong-shape", "no-database", "missing"])
def test_unreadable_catalog_is_rebuilt_from_the_files(tmp_path, caplog, damage):
    root, files = _two_windows(tmp_path)
    cat = root / "catalog.sqlite"
    data = cat.read_bytes()
    assert not (root / "catalog.sqlite-wal").exists()  # checkpointed at close: the file is the catalog
    if damage == "missing":
        cat.unlink()
    elif damage == "wrong-shape":  # a hand edit: a number that is not one
        _hand_edit(cat, "UPDATE files SET rows = 'many' WHERE id = (SELECT min(id) FROM files)")
    elif damage == "no-database":  # a hand edit: files of a database the catalog does not hold
        _hand_edit(cat, "DELETE FROM databases")
    else:
        cat.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00\xff" * 50, "empty": b""}[damage])
    bad = None if damage == "missing" else cat.read_bytes()
    with caplog.at_level(logging.WARNING):
        s = tsdb_core.open(root, config=CFG)
    try:
        assert _values(s) == (None, ALL)
        assert _values(s, "SHOW TAG KEYS")[1] == [("h",)]
        assert _values(s, "SHOW FIELD KEYS")[1] == [("v", "float")]
        assert [(r.name, r.duration, r.shard_group_duration, r.default)
                for r in s.retention_policies("d")] == [("autogen", 0, 7 * DAY, True)]
        rep = s.recovery_report
        assert rep.catalog[0].startswith("catalog rebuilt from 2 Parquet files")
        kept = sorted(root.glob("catalog.sqlite.corrupt-*"))
        if bad is None:
            assert kept == [] and rep.catalog_kept is None
        else:
            assert [k.name for k in kept] == [rep.catalog_kept] and kept[0].read_bytes() == bad
        assert all(p.exists() for p in files)
        assert any("rebuilt" in r.getMessage() and "not recoverable" in r.getMessage() for r in caplog.records)
        s.write("d", f"m,h=c v=4 {1001 * DAY}".encode())
        s.flush()
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)  # the rebuilt catalog was saved: the next open is clean
    try:
        assert s.recovery_report.clean
        assert _values(s)[1] == [*ALL, (1001 * DAY, 4.0)]
    finally:
        s.close()


def test_rebuilt_catalog_keeps_unflushed_rows_of_a_crash(tmp_path):
    """Catalog lost after a SIGKILL: the files come back from their footers, the rest from the WAL."""
    src, root = tmp_path / "live", tmp_path / "crashed"
    s = tsdb_core.open(src, config=CFG)
    s.create_database("d")
    s.create_retention_policy("d", "week", duration=0, shard_duration=DAY)
    s.create_retention_policy("d", "other", duration=0)
    s.write("d", b"m,h=a v=1 1000000000")
    s.write("d", b"m,h=b n=5i 3000000000", rp="week")
    s.flush()
    s.write("d", b"m,h=a v=2 2000000000")
    s.write("d", b"m,h=c n=6i 4000000000", rp="other")
    shutil.copytree(src, root, ignore=shutil.ignore_patterns("store.lock"))
    s.close()
    (root / "catalog.sqlite").write_bytes(b"{")  # its -wal file was copied too: set aside with it
    s = tsdb_core.open(root, config=CFG)
    try:
        assert _values(s) == (None, [(10**9, 1.0), (2 * 10**9, 2.0)])
        assert _values(s, "SELECT n FROM d.week.m")[1] == [(3 * 10**9, 5)]
        assert _values(s, "SELECT n FROM d.other.m")[1] == [(4 * 10**9, 6)]
        rps = {r.name: (r.duration, r.shard_group_duration, r.default) for r in s.retention_policies("d")}
        # settings are not in the files: INF everywhere; the window width is read off the windows on disk
        assert rps == {"autogen": (0, 7 * DAY, True), "week": (0, DAY, False), "other": (0, 7 * DAY, False)}
        rep = s.recovery_report
        assert rep.replayed_rows == 2
        assert any("d.other: found only in the WAL" in n for n in rep.catalog), rep.catalog
        assert any("d.week: settings not recoverable" in n for n in rep.catalog), rep.catalog
    finally:
        s.close()


def test_compaction_moves_a_damaged_input_aside_and_goes_on(tmp_path):
    root = tmp_path / "store"
    s = tsdb_core.open(root, config=tsdb_core.StoreConfig.for_tests(compact_min_files=99))
    for v in (1, 2):  # two files in one window, the second to be damaged
        s.write("d", f"m,h=a v={v} {v * 10**9}".encode())
        s.flush()
    s.write("d", f"m,h=a v=3 {1000 * DAY}".encode())  # another window, left alone
    s.close()
    parquet = sorted(root.rglob("*.parquet"))
    first, second = [p for p in parquet if sum(q.parent == p.parent for q in parquet) == 2]
    _damage(second, "flip-data")  # the footer parses: the open-time check cannot see it
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.compact() == 0  # the group held a damaged file: nothing merged, no exception
        rel = second.relative_to(root).as_posix()
        assert [q for q, _ in s.recovery_report.quarantined] == [rel]
        assert _values(s) == (None, [(10**9, 1.0), (1000 * DAY, 3.0)])
        s.compact()  # and compaction keeps working afterwards
        assert _values(s) == (None, [(10**9, 1.0), (1000 * DAY, 3.0)])
    finally:
        s.close()
