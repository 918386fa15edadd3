"""The writer lease (storage/lease.py): one writer per catalog; a second is refused naming the
holder and the expiry; a dead writer's lease is taken over once expired."""
from __future__ import annotations

import shutil
import time

import pytest

import tsdb_core
from tsdb_core.base.errors import StorageError
from tsdb_core.storage import lease as lease_mod
from tsdb_core.storage.lease import LeaseLost

CFG = tsdb_core.StoreConfig.for_tests()


@pytest.fixture()
def shared(catalogs):
    """Writers on different roots (machines) sharing one PostgreSQL catalog."""
    if catalogs.backend != "postgresql":
        pytest.skip("a SQLite catalog lives in its root: the directory lock already keeps a second writer out")
    return catalogs


def _open(root, url):
    return tsdb_core.open(root, config=CFG, catalog=url)


def _stall(store):
    """The writer stops renewing its lease (hung, or cut off from the catalog)."""
    lease = store._engine.state.catalog_store.lease
    lease._stop.set()
    if lease._thread is not None:  # a SQLite catalog's lease is not renewed (lease.py)
        lease._thread.join()


@pytest.mark.local_files("copies the data directory to stand in for shared storage")
def test_a_second_writer_is_refused_naming_the_holder(tmp_path, shared):
    url = shared.url(tmp_path / "a")
    a = _open(tmp_path / "a", url)
    try:
        with pytest.raises(StorageError, match=r"has a writer: \S+ pid \d+ \(\w+\) holds the lease until "
                                               r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \((29|30) s from now\)"):
            _open(tmp_path / "b", url)
        a.write("d", b"m v=1 1")
        a.flush()
    finally:
        a.close()
    # the data must be where both machines see it (object storage, later): a copy stands in
    shutil.copytree(tmp_path / "a", tmp_path / "b", ignore=shutil.ignore_patterns("store.lock"),
                    dirs_exist_ok=True)
    with _open(tmp_path / "b", url) as b:  # given up at close: the next writer needs no wait
        assert [f.rows for f in b.files()] == [1] and b.recovery_report.clean


def test_an_expired_lease_is_taken_over_and_the_old_writer_commits_nothing(tmp_path, shared, monkeypatch):
    monkeypatch.setattr(lease_mod, "LEASE_S", 0.5)
    url = shared.url(tmp_path / "a")
    a = _open(tmp_path / "a", url)
    a.write("d", b"m v=1 1")
    _stall(a)
    deadline = time.monotonic() + 20
    while True:
        try:
            b = _open(tmp_path / "b", url)
            break
        except StorageError as e:
            assert "holds the lease" in str(e)
            assert time.monotonic() < deadline, "the expired lease was never taken over"
            time.sleep(0.05)
    try:
        a.write("d", b"m v=2 2")
        with pytest.raises(LeaseLost, match="lost its lease .* to .* pid"):
            a._engine.state.catalog_store.commit(a._engine.state.catalog)
        with pytest.raises(LeaseLost):
            a.create_database("other")
        assert "other" not in b.databases()
    finally:
        b.close()
        a._engine.release_if_forgotten()
        a._engine.state.catalog_store.db.close()


def test_a_restart_on_the_same_root_takes_its_own_lease_back_at_once(tmp_path, catalogs):
    root = tmp_path / "s"
    url = catalogs.url(root)
    a = _open(root, url)
    a.write("d", b"m v=1 1")
    a.flush()
    _stall(a)
    a._engine.release_if_forgotten()  # as if killed: the directory lock is free, the lease is not
    with _open(root, url) as b:
        assert [f.rows for f in b.files()] == [1]
    a._engine.state.catalog_store.db.close()
