"""Readers never lose a file under them and follow the writer promptly: the graveyard of
replaced files (storage/maintenance.py), the retry after a reload, LISTEN/NOTIFY on PostgreSQL
(storage/readonly.py), and readers on other machines (S3 data, PostgreSQL catalog)."""
from __future__ import annotations

import time

import pytest

from tests.waiting import wait_until as _wait_until

import tsdb_core
from tsdb_core import StorageError, StoreConfig
from tsdb_core.base.time import MAX_TIME, MIN_TIME
from tsdb_core.storage import readonly
from tsdb_core.storage.catalog_sql import CatalogUnavailable
from tsdb_core.storage.index import SeriesIndex

from .s3server import s3_server  # noqa: F401 - the session fixture

GRACE = 1.0  # file_grace_s of these tests' writers


@pytest.fixture(autouse=True)
def readers_follow_the_test_catalog(catalogs, monkeypatch):
    """Readers find the catalog where this test's writers keep it (conftest.py: SQLite or PostgreSQL)."""
    if catalogs.backend == "postgresql":
        cls = readonly.ReaderCatalog
        monkeypatch.setattr(readonly, "ReaderCatalog", lambda root, url="": cls(root, url or catalogs.url(root)))


def _lines(n: int, start: int) -> str:
    return "\n".join(f"cpu,host=h{i % 5} v={i} {start + i}" for i in range(n))


def _count(store, db: str = "db") -> int:
    res = store.query("SELECT count(v) FROM cpu", db=db).to_json()["results"][0]
    assert "error" not in res, res
    return res["series"][0]["values"][0][1] if "series" in res else 0


def _cfg(**kw) -> StoreConfig:
    return StoreConfig.for_tests(**{"compact_min_files": 99, "file_grace_s": GRACE, **kw})


def _two_files(w) -> list:
    for i in range(2):
        w.write("db", _lines(5, i * 10))
        w.flush()
    return list(w.files())


@pytest.mark.local_files("checks the buried files on the local disk")
def test_a_reader_keeps_its_files_through_compaction_close_and_a_new_writer(tmp_path):
    path = tmp_path / "s"
    w = tsdb_core.open(path, config=_cfg())
    old = _two_files(w)
    with tsdb_core.open(path, read_only=True) as r:
        held = r.scan("db", None, "cpu", MIN_TIME, MAX_TIME)  # a query's snapshot: the two old files
        assert w.compact() == 1
        buried = {i: due for i, _p, due in w._engine.state.catalog_store.buried()}
        assert sorted(buried) == [f.id for f in old]
        w.close()  # no longer deletes them early
        w = tsdb_core.open(path, config=_cfg())  # nor does the next writer's open-time sweep
        assert all((path / f.path).exists() for f in old) and w.recovery_report.clean
        assert held.collect().height == 10
        assert _count(r) == 10
        _wait_until(lambda: time.time() > max(buried.values()), what="the grace period")
        w.write("db", _lines(1, 100))
        w.flush()  # the new writer reaps what is due
        assert not any((path / f.path).exists() for f in old)
        assert w._engine.state.catalog_store.buried() == []
        # (a PostgreSQL reader learns of the commit by NOTIFY, a moment later: under load not yet)
        _wait_until(lambda: _count(r) == 11, what="the reader to see the new file")
    w.close()


@pytest.mark.local_files("checks the buried files on the local disk")
def test_close_reaps_only_what_is_due(tmp_path):
    path = tmp_path / "s"
    with tsdb_core.open(path, config=_cfg(file_grace_s=3600)) as w:
        old = _two_files(w)
        w.compact()
    assert all((path / f.path).exists() for f in old)  # a reader elsewhere may read them for an hour
    with tsdb_core.open(path, config=_cfg(file_grace_s=0)) as w:
        assert len(w._engine.state.catalog_store.buried()) == 2  # buried with the first writer's grace
        assert _count(w) == 10


@pytest.mark.local_files("checks the buried files on the local disk")
def test_drop_and_delete_bury_their_files_in_the_same_commit(tmp_path):
    path = tmp_path / "s"
    with tsdb_core.open(path, config=_cfg(file_grace_s=3600)) as w:
        old = _two_files(w)
        w.write("db", "mem v=1 1")
        w.flush()
        mem = [f for f in w.files() if f.measurement == "mem"]
        w.query("DROP MEASUREMENT mem; DELETE FROM cpu WHERE time < 10", db="db")
        store = w._engine.state.catalog_store
        with store.lock:
            listed = {row[0] for row in store.db.execute("SELECT id FROM files")}
        buried = {i for i, _p, _t in store.buried()}
        assert buried == {mem[0].id, old[0].id} and not buried & listed
    with tsdb_core.open(path, config=_cfg()) as w:
        assert all((path / f.path).exists() for f in (*old, *mem)) and _count(w) == 5


@pytest.mark.local_files("deletes a data file on the local disk (its S3 twin runs in this module)")
def test_a_stale_reader_runs_its_query_again_after_a_reload(tmp_path, monkeypatch):
    path = tmp_path / "s"
    with tsdb_core.open(path, config=_cfg(file_grace_s=0)) as w:
        old = _two_files(w)
        with tsdb_core.open(path, read_only=True, config=StoreConfig(cache_bytes=0)) as r:  # reads every file
            # the reader has not heard of the writer's commit yet (a query begun before it)
            monkeypatch.setattr(r._engine.follower, "before_query", lambda: None)
            v0 = r.catalog_version()
            assert w.compact() == 1
            assert not any((path / f.path).exists() for f in old)  # grace 0: gone at once
            assert _count(r) == 10  # failed on a vanished file, reloaded, answered on the new one
            assert r.catalog_version() == w.catalog_version() > v0
            old = w.files()
            w.write("db", _lines(5, 50))
            w.flush()
            assert w.compact() == 1
            assert r.sql("db", "SELECT count(v) AS n FROM cpu").column("n").to_pylist() == [15]  # raised: same
            (path / w.files()[0].path).unlink()  # still listed and missing: an error, as before
            version = w.catalog_version()
            res = r.query("SELECT count(v) FROM cpu", db="db").to_json()["results"][0]
            assert "No such file" in res["error"] or "not found" in res["error"].lower(), res
            assert r.catalog_version() == w.catalog_version() == version  # the reader changed nothing
            assert not (path / "quarantine").exists()


def test_a_stale_reader_of_s3_data_runs_its_query_again(tmp_path, catalogs, s3_server, monkeypatch):
    uri, url = f"s3://{s3_server.new_bucket()}/p", catalogs.url("shared")
    with tsdb_core.open(uri, wal_dir=tmp_path / "w", config=_cfg(file_grace_s=0, catalog=url)) as w:
        _two_files(w)
        with tsdb_core.open(uri, wal_dir=tmp_path / "w", read_only=True,
                            config=StoreConfig(cache_bytes=0, catalog=url)) as r:
            monkeypatch.setattr(r._engine.follower, "before_query", lambda: None)
            assert w.compact() == 1
            assert _count(r) == 10 and r.catalog_version() == w.catalog_version()


def _pg_only(catalogs):
    if catalogs.backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite readers read the version before each query")


def test_a_postgresql_reader_is_notified_instead_of_polling(tmp_path, catalogs):
    _pg_only(catalogs)
    path = tmp_path / "s"
    with tsdb_core.open(path, config=_cfg()) as w:
        _two_files(w)
        with tsdb_core.open(path, read_only=True) as r:
            listener = r._engine.follower.listener
            _wait_until(listener.connected.is_set, what="the listener")
            assert _count(r) == 10
            checked = r.refreshed_at()
            for _ in range(20):  # nothing committed: no round trip to the catalog
                assert _count(r) == 10
            assert r.refreshed_at() == checked
            t0 = time.time()
            w.write("db", _lines(5, 100))
            w.flush()
            _wait_until(lambda: _count(r) == 15, what="the notified reload")
            assert r.catalog_version() == w.catalog_version()
            assert t0 <= r.committed_at() <= time.time() and w.committed_at() == r.committed_at()
            _kill_backends(catalogs, f'LISTEN "{listener.channel}"')  # this reader's listener only
            _wait_until(lambda: not listener.connected.is_set(), what="the listener to notice")
            w.write("db", _lines(5, 200))
            w.flush()
            assert _count(r) == 20  # while it is down: the version before each query
            _wait_until(listener.connected.is_set, what="the listener to reconnect")
            w.write("db", _lines(5, 300))
            w.flush()
            _wait_until(lambda: _count(r) == 25, what="the notified reload after reconnecting")


def _kill_backends(catalogs, query: str) -> None:
    import psycopg

    with psycopg.connect(catalogs.cluster.url, autocommit=True) as c:
        n = c.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = %s "
                      "AND pid <> pg_backend_pid()", (query,)).fetchone()[0]
    assert n == 1


def test_readers_on_other_machines_follow_a_writer_of_s3_data(tmp_path, catalogs, s3_server):
    _pg_only(catalogs)
    uri, url = f"s3://{s3_server.new_bucket()}/p", catalogs.url("shared")
    data = s3_server.filesystem()
    w = tsdb_core.open(uri, wal_dir=tmp_path / "w1", catalog=url, config=_cfg())
    old = _two_files(w)
    readers = [tsdb_core.open(uri, wal_dir=tmp_path / f"r{i}", catalog=url, read_only=True) for i in range(2)]
    try:
        held = [r.scan("db", None, "cpu", MIN_TIME, MAX_TIME) for r in readers]
        assert [_count(r) for r in readers] == [10, 10]
        assert w.compact() == 1
        w.close()
        w = tsdb_core.open(uri, wal_dir=tmp_path / "w2", catalog=url, config=_cfg())  # another machine's writer
        assert w.recovery_report.clean and _count(w) == 10
        keys = [f"{uri[5:]}/{f.path}" for f in old]
        assert all(data.get_file_info(k).is_file for k in keys)  # buried, not swept
        assert [h.collect().height for h in held] == [10, 10]
        w.write("db", _lines(5, 100))
        w.flush()
        for r in readers:
            _wait_until(lambda r=r: _count(r) == 15, what="the reader to follow the new writer")
        assert w.compact() == 1
        for r in readers:
            _wait_until(lambda r=r: len(r.files()) == 1 and _count(r) == 15, what="the compaction")
    finally:
        for r in readers:
            r.close()
        w.close()


def test_a_reader_of_remote_data_needs_the_catalog(tmp_path, catalogs, s3_server):
    if catalogs.backend != "sqlite":
        pytest.skip("this run hands its PostgreSQL catalog to every reader: none is without one")
    uri = f"s3://{s3_server.new_bucket()}/p"
    with tsdb_core.open(uri, wal_dir=tmp_path / "w", config=_cfg(catalog=catalogs.url("w"))) as w:
        w.write("db", _lines(5, 0))
    with pytest.raises(StorageError, match=r"catalog='postgresql://\.\.\.' \(tsdb serve --catalog URL\)"):
        tsdb_core.open(uri, wal_dir=tmp_path / "elsewhere", read_only=True, catalog="")
    with pytest.raises(CatalogUnavailable, match="the catalog= / --catalog URL"):
        tsdb_core.open(uri, wal_dir=tmp_path / "elsewhere", read_only=True,
                       catalog="postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


def _hosts(r) -> list[str]:
    res = r.query("SHOW TAG VALUES FROM cpu WITH KEY = host", db="db").to_json()["results"][0]
    return [v[1] for v in res["series"][0]["values"]] if "series" in res else []


def test_a_reader_elsewhere_indexes_only_the_files_a_flush_added(tmp_path, catalogs, s3_server, monkeypatch):
    uri, url = f"s3://{s3_server.new_bucket()}/p", catalogs.url("shared")
    with tsdb_core.open(uri, wal_dir=tmp_path / "w", config=_cfg(catalog=url)) as w:
        _two_files(w)
        # no index file to load, as on another machine (on SQLite the reader needs the writer's directory)
        monkeypatch.setattr(SeriesIndex, "load", lambda *a: "missing")
        with tsdb_core.open(uri, wal_dir=tmp_path / ("r" if url else "w"), read_only=True,
                            config=StoreConfig(catalog=url)) as r:
            files, reads = r._engine.state.files, []
            real = files.read
            monkeypatch.setattr(files, "read", lambda f, *a, **k: reads.append(f.id) or real(f, *a, **k))
            assert _hosts(r) == [f"h{i}" for i in range(5)]
            w.write("db", "cpu,host=new v=1 1000")
            w.flush()
            r.refresh()
            assert reads == [w.files()[-1].id]  # the new file only
            assert _hosts(r) == [f"h{i}" for i in range(5)] + ["new"]
            w.query("DROP SERIES FROM cpu WHERE host = 'new'", db="db")
            r.refresh()  # files replaced: everything read again
            assert _hosts(r) == [f"h{i}" for i in range(5)] and _count(r) == 10
