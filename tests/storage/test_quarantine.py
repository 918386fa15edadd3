"""Damaged Parquet files: the footer check, the quarantine move, and what the store serves after."""
from __future__ import annotations

import struct
from pathlib import Path

import pytest

import tsdb_core
from tsdb_core.storage.objects import LocalFiles
from tsdb_core.storage.quarantine import decode_problem, footer_problem, is_quarantined, quarantine


def _at(path):
    """(data files, relative path) of a local file."""
    return LocalFiles(path.parent), path.name

CFG = tsdb_core.StoreConfig.for_tests()
DAY = 86_400 * 10**9


def _store(root: Path, windows: int = 2):
    s = tsdb_core.open(root, config=CFG)
    for w in range(windows):
        s.write("d", f"m,h=a v={w} {w * 10 * DAY + 1}\nm,h=b v={w}.5 {w * 10 * DAY + 2}".encode())
        s.flush()
    return s


def _damaged(data: bytes, how: str) -> bytes:
    b = bytearray(data)
    flen = struct.unpack_from("<I", data, len(data) - 8)[0]
    if how == "empty":
        return b""
    if how == "short":
        return data[:10]
    if how == "head-magic":
        b[0] ^= 0xFF
    elif how == "tail-magic":
        b[-1] ^= 0xFF
    elif how == "footer-length":
        struct.pack_into("<I", b, len(b) - 8, len(b))
    elif how == "footer-bytes":
        for i in range(len(b) - 8 - flen, len(b) - 8 - flen + 24):
            b[i] ^= 0x5A
    elif how == "appended":
        b += b"PAR1"
    elif how == "truncated":
        b = b[: len(b) // 2]
    return bytes(b)


CASES = {
    "empty": "empty (0 bytes)",
    "short": "too short (10 bytes)",
    "head-magic": "no Parquet magic (PAR1) at both ends",
    "tail-magic": "no Parquet magic (PAR1) at both ends",
    "footer-length": "footer length",
    "footer-bytes": "",  # any reason: the decoder's words
    "appended": "footer length",
    "truncated": "",
}


@pytest.mark.local_files("damages the files on disk")
@pytest.mark.parametrize("how", list(CASES))
def test_footer_problem_names_the_damage(tmp_path, how):
    s = _store(tmp_path / "s", 1)
    [f] = s.files()
    s.close()
    p = tmp_path / "s" / f.path
    assert footer_problem(*_at(p), f.rows, f.size, f.columns) is None
    p.write_bytes(_damaged(p.read_bytes(), how))
    why = footer_problem(*_at(p), f.rows, f.size, f.columns)
    assert why is not None and why.startswith(CASES[how]), why


@pytest.mark.local_files("damages the files on disk")
def test_footer_problem_compares_rows_and_columns_with_the_catalog(tmp_path):
    s = _store(tmp_path / "s", 1)
    [f] = s.files()
    s.close()
    p = tmp_path / "s" / f.path
    assert footer_problem(*_at(p), f.rows + 1, f.size, f.columns) == f"{f.rows} rows, the catalog says {f.rows + 1}"
    assert footer_problem(*_at(p), f.rows, f.size, ("time", "v")) == "3 columns, the catalog says 2"
    assert footer_problem(*_at(tmp_path / "nope.parquet"), 1, 1, ()) == "missing"


@pytest.mark.local_files("damages the files on disk")
def test_decode_problem_sees_what_the_footer_check_cannot(tmp_path):
    s = _store(tmp_path / "s", 1)
    [f] = s.files()
    s.close()
    p = tmp_path / "s" / f.path
    assert decode_problem(*_at(p), f.rows) is None
    b = bytearray(p.read_bytes())
    for i in range(8, 48):
        b[i] ^= 0x5A
    p.write_bytes(bytes(b))
    assert footer_problem(*_at(p), f.rows, f.size, f.columns) is None
    assert decode_problem(*_at(p), f.rows).startswith("does not decode (")


@pytest.mark.no_catalog
def test_quarantine_keeps_the_relative_path_and_never_overwrites(tmp_path):
    rel = "d/autogen/m/0/000000000001.parquet"
    for n in range(3):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x%d" % n)
        dst = quarantine(LocalFiles(tmp_path), rel)
        assert dst == "quarantine/d/autogen/m/0/" + ("000000000001.parquet" + (f".{n}" if n else ""))
        assert (tmp_path / dst).read_bytes() == b"x%d" % n and is_quarantined(dst)
    assert quarantine(LocalFiles(tmp_path), rel) is None  # gone already
    assert not (tmp_path / "d/autogen/m/0").exists()  # the emptied window directory is pruned


@pytest.mark.local_files("damages the files on disk")
def test_a_database_named_quarantine_is_an_ordinary_database(tmp_path):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.write("quarantine", b"m v=1 1")
    s.write("d", b"m v=2 2")
    s.flush()
    d_file = next(f for f in s.files() if f.db == "d")
    s.close()
    (root / d_file.path).write_bytes(b"")
    s = tsdb_core.open(root, config=CFG)
    try:
        assert [q for q, _ in s.recovery_report.quarantined] == [d_file.path]
        assert s.query("SELECT v FROM m", db="quarantine").statements[0].series[0].values == [[
            "1970-01-01T00:00:00.000000001Z", 1.0]]
        assert [f.db for f in s.files()] == ["quarantine"]
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)  # neither the orphan sweep nor the check touches either
    try:
        assert s.recovery_report.clean and (root / "quarantine" / d_file.path).exists()
        assert [f.db for f in s.files()] == ["quarantine"]
    finally:
        s.close()


@pytest.mark.local_files("damages the files on disk")
def test_check_files_deep_quarantines_bad_pages_in_a_live_store(tmp_path):
    s = _store(tmp_path / "s", 2)
    try:
        f0, f1 = s.files()
        assert s.check_files(deep=True) == []
        p = tmp_path / "s" / f0.path
        b = bytearray(p.read_bytes())
        for i in range(8, 48):
            b[i] ^= 0x5A
        p.write_bytes(bytes(b))
        # verified files are not decoded again; a file not yet verified is
        assert s.check_files(deep=True) == []
        s._engine.recovery.forget_verified()
        [(rel, why)] = s.check_files(deep=True)
        assert rel == f0.path and why.startswith("does not decode")
        assert s.files() == [f1]
        st = s.query("SELECT v FROM m", db="d", epoch="ns").statements[0]
        assert st.error is None and st.series[0].values == [[10 * DAY + 1, 1.0], [10 * DAY + 2, 1.5]]
    finally:
        s.close()


@pytest.mark.local_files("damages the files on disk")
def test_after_read_error_checks_only_the_files_the_thread_scanned(tmp_path):
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    try:
        s.write("d", b"a v=1 1\nb v=2 2")
        s.flush()
        fa, fb = s.files()
        for f in (fa, fb):
            (tmp_path / "s" / f.path).write_bytes(b"garbage!" * 4)
        s._engine.recovery.note_scan([fb])
        assert s.after_read_error(ValueError("not a read error")) == []
        assert s.after_read_error(OSError("parquet: bad")) == [fb.path]
        assert s.files() == [fa]
        # with nothing noted (the notes are used once), every live file is checked
        assert s.after_read_error(OSError("parquet: bad")) == [fa.path]
        assert s.files() == [] and len(s.recovery_report.quarantined) == 2
    finally:
        s.close()


@pytest.mark.no_catalog
def test_an_in_memory_store_has_a_clean_report_and_nothing_to_check():
    s = tsdb_core.open(None)
    s.write("d", b"m v=1 1")
    assert s.recovery_report.clean and s.check_files(deep=True) == []
    assert s.after_read_error(OSError("parquet")) == []
    s.close()
