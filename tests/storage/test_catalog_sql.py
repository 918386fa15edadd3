"""The catalog in SQL (storage/catalog_sql.py): one transaction per change, only what changed,
versioned tables, the migration of a ``catalog.json`` store. Runs on SQLite and on PostgreSQL
(the ``catalogs`` fixture of conftest.py)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest

import tsdb_core
from tsdb_core.base.errors import StorageError
from tsdb_core.storage import catalog_sql
from tsdb_core.storage.catalog import Catalog, FileMeta
from tsdb_core.storage.catalog_sql import SQLITE_FILE, CatalogUnavailable, SqlCatalog

CFG = tsdb_core.StoreConfig.for_tests(compact_min_files=1000)  # compaction only when asked
DAY = 86_400 * 10**9
JSON_STORE = Path(__file__).parent / "data" / "json_store"  # written by the code before the tables


def _committed(root: Path, url: str) -> Catalog:
    """What a second connection reads from the catalog tables right now."""
    reader = SqlCatalog(root, url)
    try:
        return reader.open()
    finally:
        reader.close()


def _same(a: Catalog, b: Catalog) -> bool:
    """The same catalog (its files in id order: the grouping's order is not part of it)."""
    da, db = orjson.loads(a.to_bytes()), orjson.loads(b.to_bytes())
    da["files"].sort()
    db["files"].sort()
    return da == db


def _values(s, q, db="d"):
    st = s.query(q, db=db, epoch="ns").statements[0]
    return [tuple(v) for v in st.series[0].values] if st.series else []


def test_every_change_is_committed_as_it_happens(tmp_path, catalogs):
    root = tmp_path / "s"
    url = catalogs.url(root)
    s = tsdb_core.open(root, config=CFG)
    steps = [
        lambda: s.create_database("d"),
        lambda: s.create_retention_policy("d", "week", duration=7 * DAY, shard_duration=DAY),
        lambda: s.alter_retention_policy("d", "week", duration=14 * DAY, default=True),
        lambda: (s.write("d", b"m,h=a v=1 1\nm,h=b v=2 2", rp="autogen"), s.flush()),
        lambda: (s.write("d", b"m,h=c v=3,w=1i 3\nn x=1 4", rp="autogen"), s.flush()),
        lambda: s.compact(),
        lambda: s.query("DELETE FROM m WHERE h = 'a'", db="d"),
        lambda: s.query("DROP MEASUREMENT n", db="d"),
        lambda: s.drop_retention_policy("d", "week"),
        lambda: s.create_database("e"),
        lambda: s.drop_database("e"),
    ]
    try:
        for step in steps:
            step()
            live = s._engine.state.catalog
            assert _same(_committed(root, url), live)
        assert [f.rows for f in s.files()] == [2]
        assert _values(s, "SELECT v FROM autogen.m") == [(2, 2.0), (3, 3.0)]
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.recovery_report.clean and list(s.databases()) == ["d"]
        assert _values(s, "SELECT v, w FROM autogen.m") == [(2, 2.0, None), (3, 3.0, 1)]
    finally:
        s.close()


def _record(store: SqlCatalog) -> list[tuple[str, int]]:
    """The statements a commit runs that touch rows: (statement's first words, rows)."""
    seen = []
    db = store.db
    real_many, real_one = db.executemany, db.execute

    def many(sql, rows):
        rows = list(rows)
        if rows:
            seen.append((" ".join(sql.split()[:3]), len(rows)))
        return real_many(sql, rows)

    def one(sql, params=()):
        if sql.startswith(("INSERT", "UPDATE", "DELETE")):
            seen.append((" ".join(sql.split()[:3]), 1))
        return real_one(sql, params)

    db.executemany, db.execute = many, one
    return seen


def test_a_flush_writes_only_its_files(tmp_path, catalogs):
    root = tmp_path / "s"
    with tsdb_core.open(root, config=CFG) as s:
        s.write("d", "\n".join(f"m{i % 5},h={i} v={i} {i}" for i in range(50)).encode())
        s.flush()
        st = s._engine.state
        seen = _record(st.catalog_store)
        s.write("d", b"m1,h=1 v=7 100")  # a known measurement, known fields: one new file
        s.flush()
        assert seen == [("INSERT INTO files", 1), ("UPDATE catalog_state SET", 1)]
        seen.clear()
        st.catalog_store.commit(st.catalog)  # nothing changed: no transaction at all
        assert seen == []
        s.write("d", b"m1,h=1 v=7,extra=1i 101")  # a new field: that measurement's fields rewritten
        s.flush()
        assert ("INSERT INTO measurement_fields", 2) in seen and ("INSERT INTO files", 1) in seen
        assert not [w for w, _ in seen if "databases" in w or "retention" in w]


def test_a_failed_commit_leaves_the_committed_catalog_and_is_retried(tmp_path, catalogs):
    root = tmp_path / "s"
    url = catalogs.url(root)
    s = tsdb_core.open(root, config=CFG)
    try:
        for t in range(3):
            s.write("d", f"m v={t} {t}".encode())
            s.flush()
        before = _committed(root, url)
        store = s._engine.state.catalog_store
        real = store.db.executemany

        def failing(sql, rows):  # the old files' rows are deleted, then the disk fails
            if sql.startswith("INSERT INTO files"):
                raise store.db.unavailable[0]("disk I/O error")
            return real(sql, rows)

        store.db.executemany = failing
        with pytest.raises(CatalogUnavailable, match="commit failed"):
            s.compact()
        assert _same(_committed(root, url), before)  # rolled back: the three files
        assert len(_committed(root, url).all_files()) == 3
        store.db.executemany = real
        s._engine.state.save_catalog()  # the next commit writes the whole difference
        after = _committed(root, url)
        assert _same(after, s._engine.state.catalog) and [f.rows for f in after.all_files()] == [3]
    finally:
        s._engine.state.catalog_store.db.executemany = real
        s.close()


def test_a_flush_whose_commit_fails_keeps_its_rows_and_commits_them_once_later(tmp_path, catalogs):
    root = tmp_path / "s"
    url = catalogs.url(root)
    with tsdb_core.open(root, config=CFG) as s:
        s.write("d", b"m v=1 1\nm v=2 2")
        store = s._engine.state.catalog_store
        real = store.db.executemany

        def failing(sql, rows):
            if sql.startswith("INSERT INTO files"):
                raise store.db.unavailable[0]("server closed the connection")
            return real(sql, rows)

        store.db.executemany = failing
        with pytest.raises(CatalogUnavailable):
            s.flush()
        store.db.executemany = real
        assert s.files() == [] and _committed(root, url).all_files() == []
        assert _values(s, "SELECT v FROM m") == [(1, 1.0), (2, 2.0)]  # still served from the buffer
        s.flush()
        assert [f.rows for f in _committed(root, url).all_files()] == [2]
    with tsdb_core.open(root, config=CFG) as s:
        assert s.recovery_report.clean and _values(s, "SELECT v FROM m") == [(1, 1.0), (2, 2.0)]
        assert [f.rows for f in s.files()] == [2]


def test_a_reader_sees_the_old_file_set_or_the_new_one(tmp_path, catalogs):
    """Flushes and compactions commit while another connection reads: every file set it sees
    holds whole batches, never fewer rows than before, never more than were written."""
    root = tmp_path / "s"
    url = catalogs.url(root)
    s = tsdb_core.open(root, config=CFG)
    written = [0]
    done = threading.Event()

    def writer():
        try:
            for i in range(40):
                s.write("d", "\n".join(f"m,h={j} v={i} {i * 100 + j}" for j in range(10)).encode())
                written[0] += 10
                s.flush()
                if i % 4 == 3:
                    s.compact()
        finally:
            done.set()

    t = threading.Thread(target=writer)
    s.create_database("d")
    t.start()
    reader = SqlCatalog(root, url)
    reader.open()
    last, seen = 0, set()
    try:
        deadline = time.monotonic() + 60
        while not done.is_set() and time.monotonic() < deadline:
            rows = sum(f.rows for f in reader.load().all_files())
            assert rows % 10 == 0 and last <= rows <= written[0], (last, rows, written[0])
            last = rows
            seen.add(rows)
    finally:
        reader.close()
        t.join()
        s.close()
    assert done.is_set() and len(seen) > 3
    assert sum(f.rows for f in _committed(root, url).all_files()) == 400


@pytest.mark.local_files("a copied store directory of the JSON catalog era")
def test_a_catalog_json_store_is_migrated_on_open(tmp_path, catalogs):
    root = tmp_path / "s"
    shutil.copytree(JSON_STORE, root)
    doc = (root / "catalog.json").read_bytes()
    s = tsdb_core.open(root, config=CFG)
    try:
        assert not (root / "catalog.json").exists()
        assert (root / "catalog.json.migrated").read_bytes() == doc
        assert _same(_committed(root, catalogs.url(root)), Catalog.from_bytes(doc))
        assert s.recovery_report.clean and s.recovery_report.replayed_rows == 1
        assert list(s.databases()) == ["weather", "empty"]
        assert [(r.name, r.duration, r.shard_group_duration, r.default) for r in s.retention_policies("weather")] \
            == [("autogen", 0, 7 * DAY, False), ("week", 7 * DAY, DAY, False), ("forever", 0, 7 * DAY, True)]
        assert _values(s, "SELECT v, n, ok, note, city FROM temp", db="weather") == [
            (10**9, 1.5, 3, True, "x", "oslo"), (2 * 10**9, 20.25, None, None, None, "rome"),
            (3 * 10**9, 2.5, None, None, None, "oslo"), (4 * 10**9, 21.0, None, None, None, "rome")]
        assert _values(s, "SELECT speed FROM autogen.wind", db="weather") == [(10**9, 7)]
        assert _values(s, "SHOW TAG KEYS FROM temp", db="weather") == [("city",), ("unit",)]
        assert {f.id for f in s.files()} == {2, 4}
        s.write("weather", b"temp,city=oslo v=9 5000000000")
        s.flush()
        assert max(f.id for f in s.files()) == 5  # the file counter came along
    finally:
        s.close()
    with tsdb_core.open(root, config=CFG) as s:
        assert s.recovery_report.clean
        assert len(_values(s, "SELECT v FROM temp", db="weather")) == 5


@pytest.mark.local_files("a copied store directory of the JSON catalog era")
def test_a_migration_interrupted_after_its_commit_finishes_on_open(tmp_path, catalogs):
    root = tmp_path / "s"
    shutil.copytree(JSON_STORE, root)
    tsdb_core.open(root, config=CFG).close()
    (root / "catalog.json.migrated").rename(root / "catalog.json")  # as if killed before the rename
    (root / "catalog.json").write_bytes(b'{"stale": true}')  # the tables win, the document is not read
    with tsdb_core.open(root, config=CFG) as s:
        assert s.recovery_report.clean and not (root / "catalog.json").exists()
        assert len(_values(s, "SELECT v FROM temp", db="weather")) == 4


@pytest.mark.local_files("a copied store directory of the JSON catalog era")
def test_a_damaged_catalog_json_is_kept_and_rebuilt_into_the_tables(tmp_path, catalogs):
    root = tmp_path / "s"
    shutil.copytree(JSON_STORE, root)
    (root / "catalog.json").write_bytes(b'{"version": 1, "files": [')
    with tsdb_core.open(root, config=CFG) as s:
        rep = s.recovery_report
        assert rep.catalog_kept.startswith("catalog.json.corrupt-")
        assert (root / rep.catalog_kept).read_bytes() == b'{"version": 1, "files": ['
        # files 1 and 3 were merged into 4 but not yet deleted when that store stopped: their rows
        # come back twice, and a query answers each point once
        assert rep.catalog[0].startswith("catalog rebuilt from 4 Parquet files")
        # the policies' settings are not in the files: which one is the default is not either
        assert len(_values(s, "SELECT v FROM forever.temp", db="weather")) == 4
    assert {f.id for f in _committed(root, catalogs.url(root)).all_files()} == {1, 2, 3, 4, 5}  # 5: the WAL row, flushed at close


def _schema_versions(root: Path, url: str) -> list[int]:
    store = SqlCatalog(root, url)
    try:
        store.open()
        return [v for (v,) in store.db.execute("SELECT version FROM schema_version ORDER BY version")]
    finally:
        store.close()


def test_schema_migrations_run_in_order_once(tmp_path, catalogs, monkeypatch):
    root = tmp_path / "s"
    url = catalogs.url(root)
    with tsdb_core.open(root, config=CFG) as s:
        s.write("d", b"m v=1 1")
    known = list(range(1, catalog_sql.SCHEMA_VERSION + 1))
    assert _schema_versions(root, url) == known
    step = ("ALTER TABLE files ADD COLUMN checksum TEXT", "UPDATE files SET checksum = 'none'")
    monkeypatch.setattr(catalog_sql, "MIGRATIONS", [*catalog_sql.MIGRATIONS, step])
    monkeypatch.setattr(catalog_sql, "SCHEMA_VERSION", len(known) + 1)
    with tsdb_core.open(root, config=CFG) as s:
        assert s.recovery_report.clean and _values(s, "SELECT v FROM m") == [(1, 1.0)]
        s.write("d", b"m v=2 2")
    assert _schema_versions(root, url) == [*known, len(known) + 1]
    store = SqlCatalog(root, url)
    store.open()
    assert store.db.execute("SELECT checksum FROM files") == [("none",), (None,)]
    store.close()


def test_a_catalog_newer_than_the_code_is_refused(tmp_path, catalogs):
    root = tmp_path / "s"
    tsdb_core.open(root, config=CFG).close()
    store = SqlCatalog(root, catalogs.url(root))
    store.open()
    store.db.execute("INSERT INTO schema_version VALUES (99)")
    store.close()
    with pytest.raises(StorageError, match=f"schema version 99; this version of tsdb knows up to {catalog_sql.SCHEMA_VERSION}:"):
        tsdb_core.open(root, config=CFG)


def test_sqlite_catalog_is_readable_by_another_process_while_open(tmp_path, catalogs):
    if catalogs.backend != "sqlite":
        pytest.skip("SQLite file only")
    root = tmp_path / "s"
    with tsdb_core.open(root, config=CFG) as s:
        s.write("d", b"m v=1 1\nn v=2 2")
        s.flush()
        code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                "print(c.execute('SELECT count(*), sum(rows) FROM files').fetchone())")
        out = subprocess.run([sys.executable, "-c", code, str(root / SQLITE_FILE)], capture_output=True,
                             text=True, check=True, timeout=60)
        assert out.stdout.strip() == "(2, 2)"


def test_a_damaged_postgresql_catalog_is_refused_naming_it(tmp_path, catalogs):
    if catalogs.backend != "postgresql":
        pytest.skip("on SQLite a damaged catalog is kept aside and rebuilt (tests/reliability/test_torn_files.py)")
    root = tmp_path / "s"
    url = catalogs.url(root)
    with tsdb_core.open(root, config=CFG) as s:
        s.write("d", b"m v=1 1")
    store = SqlCatalog(root, url)
    store.open()
    store.db.execute("UPDATE files SET path = '/etc/passwd'")
    store.close()
    with pytest.raises(StorageError, match="is unreadable: repair it"):
        tsdb_core.open(root, config=CFG)


def test_names_survive_the_tables(tmp_path, catalogs):
    cat = Catalog()
    for name in ["nul\x00byte", "\x01lead", "ünï ✓", "back\\slash", "'; DROP TABLE files; --"]:
        cat.create_database(name)
        cat.databases[name].measurements[name] = tsdb_core.storage.catalog.MeasurementMeta()
        cat.add_file(FileMeta(cat.allocate_file_id(), name, "autogen", name, 0, DAY, 1, 2, 3, 4, ("time", name), "x"))
    store = SqlCatalog(tmp_path, catalogs.url(tmp_path))
    store.open()
    store.commit(cat)
    store.close()
    assert _same(_committed(tmp_path, catalogs.url(tmp_path)), cat)


@pytest.mark.no_catalog
def test_the_catalog_option_is_checked():
    with pytest.raises(StorageError, match="postgresql:// URL"):
        SqlCatalog(Path("."), "mysql://x")
