"""Issue 16 item 18: a store is private to its owner (directories 0700, files 0600).

Under the common umask 022 every directory and file the store creates (root, WAL, catalog,
Parquet files, sidecars, the series index, the lock, the quarantine) must deny group and
others; opening a root that others can read logs a WARNING naming it.
"""
from __future__ import annotations

import logging
import os
import stat

import pytest

import tsdb_core

CFG = tsdb_core.StoreConfig.for_tests()
DAY = 86_400 * 10**9


@pytest.fixture()
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for n in [*dirs, *files]:
            p = os.path.join(dirpath, n)
            out[os.path.relpath(p, root)] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


def test_nothing_in_the_store_is_readable_by_others(tmp_path, umask_022):
    root = tmp_path / "a" / "store"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"m,h=a v=1 1\nm,h=b v=2 " + str(10 * DAY).encode())
    s.flush()
    s.write("d", b"m,h=c v=3 2")
    s.flush()
    s.compact()
    s.write("d", b"m,h=d v=4 3")  # stays in the WAL
    f = s.files()[0]
    (root / f.path).write_bytes(b"garbage")  # damaged: quarantined at the next open
    s.close()
    s = tsdb_core.open(root, config=CFG)
    assert s.recovery_report.quarantined
    open_modes = _modes(root)  # SQLite's journal files exist while the catalog is open
    s.close()
    assert {open_modes[n] for n in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm")} == {0o600}
    modes = _modes(root)
    kinds = {p.rsplit(".", 1)[-1] for p in modes}
    assert {"parquet", "arrow", "sqlite", "wal", "lock"} <= kinds, sorted(modes)
    assert any(p.startswith("quarantine") for p in modes)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    shared = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert shared == {}


def test_open_warns_when_the_root_is_readable_by_others(tmp_path, caplog):
    root = tmp_path / "store"
    tsdb_core.open(root, config=CFG).close()
    with caplog.at_level(logging.WARNING, logger="tsdb_core.store"):
        tsdb_core.open(root, config=CFG).close()
    assert not [r for r in caplog.records if "accessible to other users" in r.getMessage()]
    os.chmod(root, 0o755)
    with caplog.at_level(logging.WARNING, logger="tsdb_core.store"):
        tsdb_core.open(root, config=CFG).close()
    msgs = [r.getMessage() for r in caplog.records if "accessible to other users" in r.getMessage()]
    assert msgs == [f"store directory {root} is accessible to other users (mode 0755): every local user can "
                    f"read its data; run chmod 700 {root}"]
