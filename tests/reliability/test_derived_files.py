"""Issue 16 items 8 and 9: derived files (the series index ``_series.arrow``) never decide
what the store serves.

DELETE / DROP SERIES saved the series index before committing the catalog, so a crash
between the two left SHOW SERIES without a series whose rows were all there (and the store
said it was clean); a damaged ``_series.arrow`` stopped the store from opening with a raw
Polars traceback. Now the index is saved after the commit, stamped with the catalog's files
and a CRC-32, and rebuilt from the Parquet files at open when missing, damaged or stale
(a WARNING names it and ``recovery_report`` lists it); a damaged Parquet file beside it is
still quarantined.
"""
from __future__ import annotations

import logging

import pytest

import tsdb_core
from tsdb_core.storage.index import INDEX_FILE
from tsdb_core.storage.paths import measurement_dir

CFG = tsdb_core.StoreConfig.for_tests()
SERIES = [("m,h=a",), ("m,h=b",), ("m,h=c",)]


class Crash(BaseException):
    """Stands for the process dying at that point (nothing after it runs)."""


def _store(root):
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"m,h=a v=1 1\nm,h=b v=2 2\nm,h=c v=3 3")
    s.flush()
    return s


def _show(s):
    st = s.query("SHOW SERIES", db="d").statements[0]
    assert st.error is None, st.error
    return [tuple(r) for ser in st.series for r in ser.values]


def _count(s):
    st = s.query("SELECT count(v) FROM m", db="d").statements[0]
    return st.series[0].values[0][1] if st.series else 0


def _abandon(s):
    """Leave the store as a killed process would: no close, the lock released."""
    s._engine.state.closed = True
    if s._engine.state.wal is not None:
        s._engine.state.wal.close()
    s._engine.lock_file.release()


def _index_path(root):
    return root / measurement_dir("d", "autogen", "m") / INDEX_FILE


def test_a_crash_between_the_index_and_the_catalog_in_drop_series_loses_no_series(tmp_path):
    root = tmp_path / "s"
    s = _store(root)
    real = s._engine.state.save_catalog
    saved_index = []
    s._engine.index_files.save = (lambda orig: (lambda keys: (saved_index.append(keys), orig(keys))))(s._engine.index_files.save)

    def save_catalog():  # the crash lands at the catalog commit of the DROP SERIES
        raise Crash()

    s._engine.state.save_catalog = save_catalog
    with pytest.raises(Crash):
        s.query("DROP SERIES FROM m WHERE h = 'b'", db="d").statements[0]
    s._engine.state.save_catalog = real
    _abandon(s)
    s = tsdb_core.open(root, config=CFG)
    try:
        assert _count(s) == 3  # the catalog never committed the delete: every row is there
        assert _show(s) == SERIES  # and so is every series (was: m,h=b missing)
        assert saved_index == []  # nothing derived was written before the commit
    finally:
        s.close()


def test_a_crash_after_the_catalog_commit_before_the_index_is_rebuilt_at_open(tmp_path, caplog):
    root = tmp_path / "s"
    s = _store(root)
    old_index = _index_path(root).read_bytes()
    assert s.query("DROP SERIES FROM m WHERE h = 'b'", db="d").statements[0].error is None
    _abandon(s)
    _index_path(root).write_bytes(old_index)  # as if the crash came before the index save
    with caplog.at_level(logging.WARNING, logger="tsdb_core.store"):
        s = tsdb_core.open(root, config=CFG)
    try:
        assert _show(s) == [("m,h=a",), ("m,h=c",)]  # was: m,h=b still listed
        assert _count(s) == 2
        assert not s.recovery_report.clean
        [line] = s.recovery_report.derived
        assert line == (f"series index {_index_path(root)} is stale: it does not match the catalog's files "
                        "(written before a crash or restore): rebuilt from the Parquet files")
        assert any(line == r.getMessage() for r in caplog.records)
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.recovery_report.clean and _show(s) == [("m,h=a",), ("m,h=c",)]
    finally:
        s.close()


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "flipped", "deleted"])
def test_a_damaged_series_index_is_rebuilt_and_the_store_opens(tmp_path, caplog, how):
    root = tmp_path / "s"
    _store(root).close()
    p = _index_path(root)
    data = p.read_bytes()
    if how == "truncated":
        p.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        p.write_bytes(b"\x00garbage" * 40)
    elif how == "empty":
        p.write_bytes(b"")
    elif how == "flipped":
        b = bytearray(data)
        b[len(b) // 3] ^= 0x41
        p.write_bytes(bytes(b))
    else:
        p.unlink()
    with caplog.at_level(logging.INFO, logger="tsdb_core.store"):
        s = tsdb_core.open(root, config=CFG)  # was: a raw Polars error, the store did not open
    try:
        assert _show(s) == SERIES and _count(s) == 3
        assert s.tag_values("d", None, "m", "h") == ["a", "b", "c"]
        msgs = [r.getMessage() for r in caplog.records if "series index" in r.getMessage()]
        if how == "deleted":
            assert msgs == ["series index of d.autogen.m missing: rebuilt from the Parquet files"]
            assert s.recovery_report.clean
        else:
            assert len(msgs) == 1 and str(p) in msgs[0] and "rebuilt from the Parquet files" in msgs[0], msgs
            assert "damaged" in msgs[0]
            assert s.recovery_report.derived == msgs
    finally:
        s.close()
    _assert_next_open_clean(root)  # rewritten whole


def test_a_damaged_index_and_a_damaged_parquet_file_together(tmp_path):
    root = tmp_path / "s"
    s = _store(root)
    s.write("d", b"m,h=z v=9 " + str(400 * 86_400 * 10**9).encode())  # another window: another file
    s.flush()
    files = s.files()
    s.close()
    victim = [f for f in files if f.tmin > 100][0]
    (root / victim.path).write_bytes(b"PAR1 not really")
    _index_path(root).write_bytes(b"junk")
    s = tsdb_core.open(root, config=CFG)
    try:
        assert [rel for rel, _ in s.recovery_report.quarantined] == [victim.path]
        assert (root / "quarantine" / victim.path).exists()
        assert _show(s) == SERIES and _count(s) == 3  # the quarantine rebuilt that index anyway
    finally:
        s.close()
    _assert_next_open_clean(root)


def test_compaction_and_retention_keep_the_index_stamp_current(tmp_path):
    root = tmp_path / "s"
    s = _store(root)
    s.write("d", b"m,h=d v=4 4")
    s.flush()  # two files in one window: compacted (min 2 files in tests)
    assert len(s.files()) == 1
    s.close()
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.recovery_report.clean
        assert _show(s) == [*SERIES, ("m,h=d",)]
    finally:
        s.close()


def _assert_next_open_clean(root):
    """The open after a repair finds nothing to repair and the same series."""
    with tsdb_core.open(root, config=CFG) as s:
        assert s.recovery_report.clean and _show(s) == SERIES
