"""The writer lease (storage/lease.py): one writer per store; a second is refused naming the
holder and the expiry; a dead writer's lease is taken over once expired; a writer that lost its
lease becomes a reader. Several machines are writers with their own local directories (WAL)
on one bucket of the S3 server (moto, real HTTP on 127.0.0.1), sharing a PostgreSQL catalog or
each keeping its own SQLite one (the lease object in the bucket keeps them apart)."""
from __future__ import annotations

import re
import time

import orjson

import pytest

from tests.waiting import wait_until as _until

import tsdb_core
from tsdb_core import ReadOnlyStore
from tsdb_core.base.errors import StorageError
from tsdb_core.storage.lease import LEASE_OBJECT, DataLease, LeaseLost, Unreadable
from tsdb_core.storage.objects import open_data_files

from .s3server import s3_server  # noqa: F401 - the session fixture

CFG = tsdb_core.StoreConfig.for_tests()
FAST = tsdb_core.StoreConfig.for_tests(lease_s=1.0)
HOLDER = r"\S+ pid \d+ \(\w+\)"
UNTIL = r"until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ s from now\)"


@pytest.fixture()
def shared(catalogs):
    """Writers on different machines sharing one PostgreSQL catalog."""
    if catalogs.backend != "postgresql":
        pytest.skip("a shared catalog is a PostgreSQL one")
    return catalogs


@pytest.fixture()
def bucket(s3_server):  # noqa: F811
    return f"s3://{s3_server.new_bucket()}/store"


def _open(uri, wal, url=None, config=CFG):
    return tsdb_core.open(uri, wal_dir=wal, config=config, catalog=url)


def _open_when_free(uri, wal, url=None, config=FAST):
    """Open as soon as the other writer's lease has expired (refused until then, naming it)."""
    def attempt():
        try:
            return _open(uri, wal, url, config)
        except StorageError as e:
            assert "holds the lease" in str(e), e
            return None
    return _until(attempt, "the expired lease was taken over")


def _stall(store):
    """The writer stops renewing its leases (hung, or cut off from the catalog and the bucket)."""
    cat = store._engine.state.catalog_store
    for lease in (cat.lease, cat.data_lease):
        if lease is not None:
            lease.stop()


def _count(store) -> int:
    res = store.query("SELECT count(v) FROM m", db="d")
    assert res.statements[0].error is None, res
    series = res.statements[0].series
    return series[0].values[0][1] if series else 0


def _lease_object(uri, wal):
    """The lease object as the store reads it (again while a renewal's write tears it on moto)."""
    return DataLease(open_data_files(uri, wal), str(wal)).read()


def test_a_second_writer_is_refused_naming_the_holder(tmp_path, shared, bucket):
    url = shared.url(tmp_path / "a")
    a = _open(bucket, tmp_path / "a", url)
    try:
        with pytest.raises(StorageError, match=rf"has a writer: {HOLDER} holds the lease until "
                                               r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \((\d+) s from now\)") as refused:
            _open(bucket, tmp_path / "b", url)
        # a 30 s lease, taken just now: under load the second open has taken a few seconds
        assert 20 <= int(re.search(r"\((\d+) s from now", str(refused.value)).group(1)) <= 30
        a.write("d", b"m v=1 1")
        a.flush()
    finally:
        a.close()
    with _open(bucket, tmp_path / "b", url) as b:  # given up at close: the next writer needs no wait
        assert [f.rows for f in b.files()] == [1] and b.recovery_report.clean


def test_writers_with_their_own_catalogs_on_one_bucket_are_kept_apart(tmp_path, bucket):
    """Each machine its own catalog beside its WAL: the lease object in the bucket decides."""
    a = _open(bucket, tmp_path / "a")
    try:
        held = _lease_object(bucket, tmp_path / "a")
        assert held["holder"] in str(a._engine.state.catalog_store.data_lease.holder)
        with pytest.raises(StorageError, match=rf"store {bucket} has a writer: {HOLDER} holds the lease {UNTIL}"):
            _open(bucket, tmp_path / "b")
        a.write("d", b"m v=1 1\nm v=2 2")
        a.flush()
    finally:
        a.close()
    assert LEASE_OBJECT not in set(open_data_files(bucket, tmp_path / "a").list())  # released
    with _open(bucket, tmp_path / "b") as b:
        assert _count(b) == 2  # rebuilt from the objects: nothing swept


def test_an_expired_lease_object_is_taken_over_and_the_old_writer_turns_reader(tmp_path, bucket):
    a = _open(bucket, tmp_path / "a", config=FAST)
    a.write("d", b"m v=1 1")
    a.flush()
    a.write("d", b"m v=2 2")  # unflushed: in a's WAL only
    _stall(a)
    b = _open_when_free(bucket, tmp_path / "b")
    try:
        taken = _lease_object(bucket, tmp_path / "b")
        assert taken["holder"] == b._engine.state.catalog_store.data_lease.holder
        with pytest.raises(LeaseLost, match=rf"lost its lease on {bucket} to {HOLDER} \(taken at .*Z\): "
                                            "nothing committed.*stay in its WAL"):
            a.flush()
        _until(lambda: a.read_only, "the writer that lost its lease turned into a reader")
        with pytest.raises(ReadOnlyStore, match=r"lost its lease .* is read-only now and writing is refused; "
                                                r"its unflushed rows stay in its WAL"):
            a.write("d", b"m v=3 3")
        for refused in (a.flush, a.compact, lambda: a.create_database("x")):
            with pytest.raises(ReadOnlyStore, match=taken["holder"].replace("(", r"\(").replace(")", r"\)")):
                refused()
        assert _count(a) == 1 and _count(b) == 1  # a answers from the catalog; its row 2 waits in its WAL
        assert not a._engine.maintenance.background_running
    finally:
        b.close()
        a.close()
    assert _lease_object_absent(bucket, tmp_path / "a")


def _lease_object_absent(uri, wal) -> bool:
    return LEASE_OBJECT not in set(open_data_files(uri, wal).list())


def test_a_restart_on_the_same_root_takes_its_own_lease_back_at_once(tmp_path, catalogs):
    root = tmp_path / "s"
    url = catalogs.url(root)
    a = tsdb_core.open(root, config=CFG, catalog=url)
    a.write("d", b"m v=1 1")
    a.flush()
    _stall(a)
    a._engine.release_if_forgotten()  # as if killed: the directory lock is free, the lease is not
    with tsdb_core.open(root, config=CFG, catalog=url) as b:
        assert [f.rows for f in b.files()] == [1]
    a._engine.state.catalog_store.db.close()


def test_a_killed_writer_on_this_host_is_replaced_at_once(tmp_path, bucket):
    """The lease object names a root on this host whose directory lock is free: its writer is gone."""
    a = _open(bucket, tmp_path / "a")
    a.write("d", b"m v=1 1")
    a.flush()
    _stall(a)
    a._engine.release_if_forgotten()  # killed: the lease object stays for 30 s
    with _open(bucket, tmp_path / "b") as b:
        assert _count(b) == 1
    a._engine.state.catalog_store.close()


def _sql(url: str, stmt: str, params=()):
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute(stmt, params)


def test_a_writer_whose_shared_lease_expired_turns_reader_and_follows_the_catalog(tmp_path, shared, bucket):
    url = shared.url(tmp_path / "a")
    a = _open(bucket, tmp_path / "a", url)
    a.write("d", b"m v=1 1")
    a.flush()
    a.write("d", b"m v=2 2")  # unflushed: in a's WAL only
    _stall(a)
    _sql(url, "UPDATE leases SET expires_at = 0")  # as if a had been cut off for the whole lease
    data = open_data_files(bucket, tmp_path / "a")
    data.write_bytes(LEASE_OBJECT, orjson.dumps({**_lease_object(bucket, tmp_path / "a"), "expires_at": 0}))
    assert _lease_object(bucket, tmp_path / "a")["expires_at"] == 0
    b = _open(bucket, tmp_path / "b", url)
    try:
        with pytest.raises(LeaseLost, match=r"lost its lease on postgresql://\S+ to " + HOLDER + r" \(taken at "):
            a.flush()
        _until(lambda: a.read_only, "the writer that lost its lease turned into a reader")
        with pytest.raises(ReadOnlyStore, match="is read-only now and DELETE is refused"):
            a.delete("d", "m", 0, 10)
        b.write("d", b"m v=10 10\nm v=11 11")
        b.flush()
        assert _count(b) == 3
        assert _until(lambda: _count(a) == 3, "the old writer followed the new writer's flush")
        assert a.catalog_version() == b.catalog_version()
    finally:
        b.close()
        a.close()
    with _open(bucket, tmp_path / "a", url) as again:  # its WAL replayed as the writer again
        assert _count(again) == 4


def test_a_renewal_that_finds_another_holder_turns_the_writer_reader(tmp_path, catalogs, bucket):
    """No flush needed: the background renewal notices (the lease object; on PostgreSQL the row too)."""
    url = catalogs.url(tmp_path / "a")
    a = _open(bucket, tmp_path / "a", url, config=FAST)
    try:
        a.start_background(0.05)
        a.write("d", b"m v=1 1")
        other = {"holder": "elsewhere pid 1 (00000000)", "host": "elsewhere", "pid": 1, "root": "/x",
                 "expires_at": time.time() + 60, "taken_at": time.time()}
        if catalogs.backend == "postgresql":
            _sql(url, "UPDATE leases SET holder = %s, taken_at = %s", (other["holder"], other["taken_at"]))
        renewals = a._engine.state.catalog_store.data_lease
        renewals.stop()  # else a renewal between its read and its write could put its own name back
        open_data_files(bucket, tmp_path / "a").write_bytes(LEASE_OBJECT, orjson.dumps(other))
        renewals._start("data lease")
        _until(lambda: a.read_only, "the renewal found the other holder")
        assert not a._engine.maintenance.background_running
        health = a.health()
        assert health["status"] == "degraded" and "elsewhere pid 1" in health["lease_lost"]
        with pytest.raises(ReadOnlyStore, match=r"lost its lease on .* to elsewhere pid 1 \(00000000\) \(taken at"):
            a.write("d", b"m v=2 2")
        assert _count(a) == 0  # its buffered row left with the writer: it is in the WAL
    finally:
        a.close()
    assert _lease_object(bucket, tmp_path / "a")["holder"] == "elsewhere pid 1 (00000000)"  # not ours to delete


def test_an_unreadable_lease_object_is_retried_by_renewals_and_overwritten_by_a_new_writer(tmp_path, bucket):
    data = open_data_files(bucket, tmp_path / "a")
    data.write_bytes(LEASE_OBJECT, b'{"holder": "torn')
    with _open(bucket, tmp_path / "a") as a:  # garbage names no holder
        lease = a._engine.state.catalog_store.data_lease
        assert _lease_object(bucket, tmp_path / "a")["holder"] == lease.holder
        data.write_bytes(LEASE_OBJECT, b"not json")
        with pytest.raises(Unreadable):
            lease.renew()  # an I/O failure, retried: not a lost lease
        assert not a.read_only and a._engine.lost is None
        data.write_bytes(LEASE_OBJECT, orjson.dumps({"holder": lease.holder}))  # readable again: renewed
        lease.renew()
        a.write("d", b"m v=1 1")
    with _open(bucket, tmp_path / "b") as b:
        assert _count(b) == 1
