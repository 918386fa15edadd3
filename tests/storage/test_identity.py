"""Store identity (storage/identity.py): a catalog records its data location and store id, the
data location holds a marker naming the store; a catalog is never used with another store's
data, and a catalog made stale by a rebuild elsewhere is refused or (beside a writer's WAL)
rebuilt from the objects."""
from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

import tsdb_core
from tsdb_core import StorageError
from tsdb_core.storage.catalog_sql import SCHEMA_VERSION, SqlCatalog
from tsdb_core.storage.identity import MARKER, normalise
from tsdb_core.storage.objects import open_data_files

from .s3server import s3_server  # noqa: F401 - the session fixture

CFG = tsdb_core.StoreConfig.for_tests()
V2_STORE = Path(__file__).parent / "data" / "v2_store"  # written by the code of catalog schema 2 (no ids)


def _count(store) -> int:
    res = store.query("SELECT count(v) FROM temp", db="weather")
    assert res.statements[0].error is None, res
    series = res.statements[0].series
    return series[0].values[0][1] if series else 0


def _identity(root: Path, url: str) -> tuple:
    cat = SqlCatalog(root, url)
    cat.open()
    try:
        return cat.db.execute("SELECT store_id, location FROM store_identity")[0]
    finally:
        cat.close()


def _marker(location: str, local: Path) -> dict:
    return orjson.loads(open_data_files(location, local).read_bytes(MARKER))


@pytest.mark.local_files("reads the marker file on the local disk")
def test_a_new_store_records_its_location_and_id(tmp_path, catalogs):
    root = tmp_path / "s"
    with tsdb_core.open(root, config=CFG) as s:
        s.write("weather", b"temp v=1 1")
    store_id, location = _identity(root, catalogs.url(root))
    assert location == str(root) and len(store_id) == 32
    marker = _marker(str(root), root)
    assert marker == {"store_id": store_id, "created": marker["created"], "catalog": catalogs.backend, "format": 1}
    with tsdb_core.open(root, config=CFG) as s:  # reopened: the same store
        assert _count(s) == 1 and s.recovery_report.clean
    assert _identity(root, catalogs.url(root))[0] == store_id


def test_a_remote_location_is_recorded_normalised(tmp_path, s3_server, catalogs):  # noqa: F811
    bucket = s3_server.new_bucket()
    uri = f"s3://{bucket}/p/"
    with tsdb_core.open(uri, wal_dir=tmp_path / "w", config=CFG, catalog=catalogs.url(tmp_path / "w")) as s:
        s.write("weather", b"temp v=1 1")
    store_id, location = _identity(tmp_path / "w", catalogs.url(tmp_path / "w"))
    assert location == f"s3://{bucket}/p"
    raw = open_data_files(uri, tmp_path / "w").read_bytes(MARKER).decode()
    assert store_id in raw and "postgres" not in raw.replace('"postgresql"', "")  # the kind, never the URL


@pytest.mark.no_catalog
@pytest.mark.parametrize("uri, recorded", [
    ("s3://key:secret@bucket/p/?endpoint_override=x", "s3://bucket/p"),
    ("abfs://container@account/p", "abfs://container@account/p"),  # a container, not a credential
    ("gs://bucket", "gs://bucket"),
])
def test_recorded_locations_carry_no_credentials(uri, recorded):
    assert normalise(SimpleNamespace(local=False, uri=uri)) == recorded
    assert normalise(SimpleNamespace(local=True, root=Path("rel"))) == str(Path("rel").absolute())


def test_a_catalog_of_another_location_is_refused(tmp_path, s3_server, catalogs):  # noqa: F811
    first, second = (f"s3://{s3_server.new_bucket()}/p" for _ in range(2))
    with tsdb_core.open(first, wal_dir=tmp_path / "w", config=CFG) as s:
        s.write("weather", b"temp v=1 1")
    match = f"this catalog belongs to the store at {first}, not {second}"
    with pytest.raises(StorageError, match=match):
        tsdb_core.open(second, wal_dir=tmp_path / "w", config=CFG)
    assert MARKER not in set(open_data_files(second, tmp_path / "w").list())  # nothing written there
    with tsdb_core.open(first, wal_dir=tmp_path / "w", config=CFG) as s:
        assert _count(s) == 1


@pytest.mark.local_files("names two local directories in the message (the S3 case runs in this module)")
def test_a_shared_catalog_of_another_directory_is_refused_to_writers_and_readers(tmp_path, catalogs):
    if catalogs.backend != "postgresql":
        pytest.skip("a SQLite catalog lives inside its directory")
    url = catalogs.url(tmp_path / "a")
    with tsdb_core.open(tmp_path / "a", config=CFG, catalog=url) as s:
        s.write("weather", b"temp v=1 1")
    match = f"this catalog belongs to the store at {tmp_path / 'a'}, not {tmp_path / 'b'}"
    with pytest.raises(StorageError, match=match):
        tsdb_core.open(tmp_path / "b", config=CFG, catalog=url)
    with pytest.raises(StorageError, match=match):
        tsdb_core.open(tmp_path / "b", catalog=url, read_only=True)
    with tsdb_core.open(tmp_path / "a", catalog=url, read_only=True) as r:
        assert _count(r) == 1


def test_a_moved_directory_keeps_its_catalog(tmp_path, catalogs):
    if catalogs.backend != "sqlite":
        pytest.skip("only a catalog inside the directory moves with it")
    with tsdb_core.open(tmp_path / "a", config=CFG) as s:
        s.write("weather", b"temp v=1 1")
    store_id = _identity(tmp_path / "a", "")[0]
    shutil.move(tmp_path / "a", tmp_path / "b")
    with tsdb_core.open(tmp_path / "b", config=CFG) as s:
        assert _count(s) == 1 and s.recovery_report.clean
    assert _identity(tmp_path / "b", "") == (store_id, str(tmp_path / "b"))


def test_a_location_kept_by_a_postgresql_catalog_refuses_a_new_sqlite_one(tmp_path, s3_server, catalogs,  # noqa: F811
                                                                         request):
    """The mistake it stops: a second machine opening the bucket without ``--catalog``."""
    if catalogs.backend != "sqlite":
        pytest.skip("uses the PostgreSQL cluster and the default catalog side by side")
    url = request.getfixturevalue("pg_cluster").fresh_url()
    uri = f"s3://{s3_server.new_bucket()}/p"
    with tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG, catalog=url) as s:
        s.write("weather", b"temp v=1 1")
    store_id = _marker(uri, tmp_path / "a")["store_id"]
    with pytest.raises(StorageError, match=rf"the data at {uri} belongs to store {store_id} \(made .*Z, its catalog "
                                           r"is postgresql\), but catalog .* is new: open it with the catalog "
                                           r"that made it, e.g. --catalog postgresql://"):
        tsdb_core.open(uri, wal_dir=tmp_path / "b", config=CFG)
    with pytest.raises(StorageError, match="belongs to store"):
        tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG)  # its own directory, no --catalog: the same
    with tsdb_core.open(uri, wal_dir=tmp_path / "b", config=CFG, catalog=url) as s:
        assert _count(s) == 1


@pytest.mark.local_files("reads the marker file on the local disk")
def test_a_stale_shared_catalog_is_refused(tmp_path, catalogs):
    if catalogs.backend != "postgresql":
        pytest.skip("a shared catalog is a PostgreSQL one")
    root = tmp_path / "s"
    old = catalogs.url(root)
    with tsdb_core.open(root, config=CFG) as s:
        s.write("weather", b"temp v=1 1")
    catalogs.lose(root)  # a new, empty catalog: rebuilt from the files, a new store id
    with tsdb_core.open(root, config=CFG) as s:
        assert _count(s) == 1
    new_id = _marker(str(root), root)["store_id"]
    with pytest.raises(StorageError, match=rf"belongs to store {new_id} .* but catalog .* is of store \w+ "
                                           r"\(stale: another catalog was made for the data since\)"):
        tsdb_core.open(root, config=CFG, catalog=old)
    with pytest.raises(StorageError, match="stale"):
        tsdb_core.open(root, catalog=old, read_only=True)


def test_a_stale_catalog_beside_a_wal_is_rebuilt_and_its_wal_replayed(tmp_path, s3_server, catalogs):  # noqa: F811
    if catalogs.backend != "sqlite":
        pytest.skip("the catalog beside the WAL is the default SQLite one")
    uri = f"s3://{s3_server.new_bucket()}/p"
    a = tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG)
    a.write("weather", b"temp v=1 1")
    a.flush()
    a.write("weather", b"temp v=2 2")  # only in a's WAL
    a._engine.state.wal.close()  # a crash
    a._engine.state.catalog_store.close()
    a._engine.release_if_forgotten()
    a._engine.state.closed = True
    with tsdb_core.open(uri, wal_dir=tmp_path / "b", config=CFG) as b:  # another machine takes over
        assert _count(b) == 1
        b.write("weather", b"temp v=3 3")
    with tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG) as a:  # the first machine back
        assert a.recovery_report.catalog_kept.startswith("catalog.sqlite.")
        assert _count(a) == 3  # b's flushed file kept, a's WAL replayed


@pytest.mark.parametrize("read_only_first", [False, True])
def test_a_store_made_before_ids_gets_them_on_its_next_writer_open(tmp_path, catalogs, read_only_first):
    if catalogs.backend != "sqlite":
        pytest.skip("the saved store has a SQLite catalog")
    root = tmp_path / "s"
    shutil.copytree(V2_STORE, root)
    if read_only_first:  # a reader cannot open an older schema: the writer migrates it
        with pytest.raises(StorageError, match=f"schema version 2, this version of tsdb reads {SCHEMA_VERSION}"):
            tsdb_core.open(root, read_only=True)
    with tsdb_core.open(root, config=CFG) as s:
        assert s.recovery_report.clean
        assert _count(s) == 3  # two flushed rows, one replayed from the WAL
    store_id, location = _identity(root, "")
    assert location == str(root) and _marker(str(root), root)["store_id"] == store_id
    with tsdb_core.open(root, read_only=True) as r:
        assert _count(r) == 3
