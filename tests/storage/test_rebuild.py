"""Rebuilding the catalog from the Parquet files: what comes back exactly, what is guessed, what is refused."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import tsdb_core
from tsdb_core.storage.catalog import Catalog
from tsdb_core.base.types import FieldType
from tsdb_core.storage.partitions import window_start
from tsdb_core.storage.objects import LocalFiles
from tsdb_core.storage.rebuild import NAMES_FILE, _Found, _width, rebuild

CFG = tsdb_core.StoreConfig.for_tests()
H = 3600 * 10**9
DAY = 24 * H


def _files(cat: Catalog):
    return sorted(cat.all_files(), key=lambda f: f.id)


def _schemas(cat: Catalog):
    return {(db.name, m): (sorted(mm.tags), dict(mm.fields))
            for db in cat.databases.values() for m, mm in db.measurements.items()}


@pytest.mark.local_files("builds the store's directory on disk")
def test_rebuild_gives_back_every_file_and_schema(tmp_path):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"cpu,host=a,dc=x f=1.5,i=2i,u=3u,b=true,s=\"str\" 1000\ncpu,host=b f=2 2000")
    s.write("d", f"cpu,host=a f=3 {30 * DAY}\nmem free=5i {30 * DAY}".encode())  # a second window; tagless
    s.write("other db", b"weird\\ name,t\\=k=v\\,w x=1 5")
    s.flush()
    want_files, want_schemas = _files(s._engine.state.catalog), _schemas(s._engine.state.catalog)
    s.close()
    got = rebuild(LocalFiles(root))
    assert got.bad == []
    assert _files(got.catalog) == want_files  # ids, names, windows, time ranges, rows, sizes, columns, paths
    assert _schemas(got.catalog) == want_schemas
    assert got.catalog.next_file_id == max(f.id for f in want_files) + 1
    assert want_schemas[("d", "cpu")] == (["dc", "host"], {"b": FieldType.BOOLEAN, "f": FieldType.FLOAT,
                                                           "i": FieldType.INTEGER, "s": FieldType.STRING,
                                                           "u": FieldType.UNSIGNED})
    assert got.notes[0] == "catalog rebuilt from 4 Parquet files: 2 databases, 2 retention policies, " \
                           "3 measurements, 5 rows"


@pytest.mark.local_files("builds the store's directory on disk")
def test_files_without_tag_metadata_use_their_sorting_columns(tmp_path):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"m,host=a,zone=z1 note=\"x\",v=1 1\nm,host=b,zone=z1 note=\"y\",v=2 2")
    s.flush()
    [f] = s.files()
    s.close()
    p = root / f.path
    md = pq.read_metadata(p)
    sorting = md.row_group(0).sorting_columns
    table = pq.read_table(p)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, p, sorting_columns=sorting)  # as files were written before tsdb.tags
    assert b"tsdb.tags" not in (pq.read_metadata(p).metadata or {})
    got = rebuild(LocalFiles(root))
    assert _schemas(got.catalog) == {("d", "m"): (["host", "zone"], {"note": FieldType.STRING,
                                                                     "v": FieldType.FLOAT})}


@pytest.mark.local_files("builds the store's directory on disk")
def test_over_long_names_come_back_from_their_sidecar(tmp_path):
    root = tmp_path / "s"
    db, m = "d" * 200, "é" * 100
    s = tsdb_core.open(root, config=CFG)
    s.write(db, f"{m} v=1 1".encode())
    s.flush()
    [f] = s.files()
    s.close()
    assert "~" in f.path and (root / Path(f.path).parent.parent / NAMES_FILE).exists()
    got = rebuild(LocalFiles(root))
    assert got.bad == [] and [(x.db, x.measurement) for x in got.catalog.all_files()] == [(db, m)]
    (root / Path(f.path).parent.parent / NAMES_FILE).unlink()
    got = rebuild(LocalFiles(root))
    assert got.catalog.all_files() == []
    assert got.bad == [(f.path, f"directory name {f.path.split('/')[0]!r} cannot be decoded (a long name's "
                                f"hash, and no {NAMES_FILE})")]


@pytest.mark.local_files("builds the store's directory on disk")
def test_a_file_that_conflicts_with_a_newer_one_is_left_out(tmp_path):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"m v=1 1")
    s.write("e", b"m v=2i 2")
    s.flush()
    fd, fe = s.files()
    s.close()
    copy = f"{fd.path.rsplit('/', 1)[0]}/{fe.id + 10:012d}.parquet"
    shutil.copy(root / fe.path, root / copy)  # an integer v, newer than d's float v
    got = rebuild(LocalFiles(root))
    assert got.bad == [(fd.path, "column 'v' conflicts with newer files of 'm'")]
    assert got.catalog.databases["d"].measurements["m"].fields == {"v": FieldType.INTEGER}
    assert sorted(f.path for f in got.catalog.all_files()) == sorted([fe.path, copy])


@pytest.mark.local_files("builds the store's directory on disk")
@pytest.mark.parametrize("name", ["%ZZ", "a%2", "x.y"])
def test_undecodable_directories_are_refused(tmp_path, name):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"m v=1 1")
    s.flush()
    [f] = s.files()
    s.close()
    parts = f.path.split("/")
    bad = "/".join([name, *parts[1:]])
    (root / bad).parent.mkdir(parents=True)
    shutil.move(root / f.path, root / bad)
    got = rebuild(LocalFiles(root))
    assert got.catalog.all_files() == [] and [b for b, _ in got.bad] == [bad]


def _found(ws: int, tmin: int, tmax: int) -> _Found:
    return _Found("", ("d", "r", "m"), ws, 1, 1, 1, tmin, tmax, ("time",), set(), {})


@pytest.mark.no_catalog
@pytest.mark.parametrize("width,times", [
    (7 * DAY, [0, 40 * DAY]),
    (DAY, [0, 3 * DAY + 5]),  # 1970-01-01 is a Thursday: not a 7d window start
    (H, [5 * H + 1, 7 * H + 2]),
    (2 * H, [2 * H + 1, 6 * H + 1, 9 * H]),
    (30 * DAY, [0, 100 * DAY]),
], ids=["7d", "1d", "1h", "2h", "30d"])
def test_the_window_width_is_read_off_the_windows(width, times):
    files = [_found(window_start(t, width), t, t) for t in times]
    assert _width(files) == width


def test_the_store_opens_on_a_rebuilt_catalog_with_every_row(tmp_path, catalogs):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.create_database("d")
    s.create_retention_policy("d", "hourly", duration=0, shard_duration=H, default=True)
    s.write("d", "\n".join(f"m,h={i % 3} v={i} {i * 20 * 60 * 10**9}" for i in range(10)).encode())
    s.flush()
    want = s.query("SELECT * FROM m", db="d", epoch="ns").statements[0].series[0].values
    n_files = len(s.files())
    s.close()
    catalogs.lose(root)
    s = tsdb_core.open(root, config=CFG)
    try:
        assert len(s.files()) == n_files == 4
        assert [(r.name, r.shard_group_duration, r.default) for r in s.retention_policies("d")] == \
            [("hourly", H, True)]
        assert s.query("SELECT * FROM m", db="d", epoch="ns").statements[0].series[0].values == want
        assert s.query("SHOW TAG VALUES WITH KEY = h", db="d").statements[0].series[0].values == \
            [["h", "0"], ["h", "1"], ["h", "2"]]
    finally:
        s.close()


@pytest.mark.local_files("builds the store's directory on disk")
def test_a_field_sharing_its_key_with_a_tag_comes_back_as_both(tmp_path):
    """The field's own column (``TWIN`` + key) reads back as field ``k`` beside tag ``k``,
    also from a file that holds only the field."""
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    s.write("d", b"tf,k=x v=1 1000")
    s.flush()
    s.write("d", b"tf k=2 2000")  # a file of its own, with the field's column only
    s.flush()
    want = _schemas(s._engine.state.catalog)
    s.close()
    got = rebuild(LocalFiles(root))
    assert got.bad == []
    assert _schemas(got.catalog) == want == {("d", "tf"): (["k"], {"k": FieldType.FLOAT, "v": FieldType.FLOAT})}
