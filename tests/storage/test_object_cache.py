"""The local cache of objects fetched from object storage (storage/object_cache.py), against the
S3 API server on 127.0.0.1: a second reader fetches nothing, the bound holds, bad copies are
fetched again, deleted files leave the cache. Requests are counted by a pyarrow filesystem that
wraps the S3 one through pyarrow's public handler interface."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pyarrow.fs as pafs
import pytest

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.base.time import H
from tsdb_core.storage.object_cache import CACHE_DIR, ObjectCache
from tsdb_core.storage.objects import ObjectFiles, open_data_files

from .s3server import s3_server  # noqa: F401 - the session fixture

T0 = 1_700_000_000_000_000_000


class Counting(pafs.FileSystemHandler):
    """Every call passed to ``inner``; reads (whole-object streams and ranged files) and listings
    counted per kind."""

    def __init__(self, inner: pafs.FileSystem):
        self.inner = inner
        self.gets: list[str] = []
        self.lists = 0

    def get_type_name(self):
        return "counting"

    def equals(self, other):
        return self is other

    def normalize_path(self, path):
        return self.inner.normalize_path(path)

    def get_file_info(self, paths):
        return self.inner.get_file_info(paths)

    def get_file_info_selector(self, selector):
        self.lists += 1
        return self.inner.get_file_info(selector)

    def open_input_stream(self, path):
        self.gets.append(path)
        return self.inner.open_input_stream(path)

    def open_input_file(self, path):
        self.gets.append(path)
        return self.inner.open_input_file(path)

    def open_output_stream(self, path, metadata):
        return self.inner.open_output_stream(path, metadata=metadata)

    def open_append_stream(self, path, metadata):
        return self.inner.open_append_stream(path, metadata=metadata)

    def create_dir(self, path, recursive):
        self.inner.create_dir(path, recursive=recursive)

    def delete_dir(self, path):
        self.inner.delete_dir(path)

    def delete_dir_contents(self, path, missing_dir_ok=False):
        self.inner.delete_dir_contents(path, missing_dir_ok=missing_dir_ok)

    def delete_root_dir_contents(self):
        self.inner.delete_dir_contents("/", accept_root_dir=True)

    def delete_file(self, path):
        self.inner.delete_file(path)

    def move(self, src, dest):
        self.inner.move(src, dest)

    def copy_file(self, src, dest):
        self.inner.copy_file(src, dest)


def counted(store: tsdb_core.Store) -> Counting:
    """Route the store's requests through a counter (from now on)."""
    data = store._engine.state.files.data
    assert isinstance(data, ObjectFiles)
    handler = Counting(data.fs)
    data.fs = pafs.PyFileSystem(handler)
    return handler


def cache_of(store: tsdb_core.Store) -> ObjectCache:
    return store._engine.state.files.data.cache


def copies(local: Path) -> dict[str, int]:
    d = local / CACHE_DIR
    return {p.name: p.stat().st_size for p in d.iterdir() if not p.name.endswith(".part")}


def _sum(s, q="SELECT count(v), sum(v) FROM m"):
    res = s.query(q, db="db")
    assert res.error is None and res.statements[0].error is None, res
    return tuple(res.statements[0].series[0].values[0][1:])


@pytest.fixture
def store(s3_server, tmp_path):  # noqa: F811
    """(uri, local dir): 3 files (3 windows), written with the cache off so nothing is cached yet."""
    uri = f"s3://{s3_server.new_bucket()}/p"
    local = tmp_path / "local"
    with reader(uri, local, object_cache_bytes=0) as s:
        for i in range(3):
            s.write("db", "\n".join(f"m,host=h{j} v={i * 10 + j} {T0 + i * 8 * 24 * H + j}" for j in range(50)).encode())
            s.flush()
        assert len(s.files()) == 3
    assert not (local / CACHE_DIR).exists()
    return uri, local


def reader(uri: str, local: Path, **kw) -> tsdb_core.Store:
    return tsdb_core.open(uri, wal_dir=local, config=StoreConfig.for_tests(compact_min_files=1000, **kw))


def test_a_second_reader_fetches_nothing(store):
    uri, local = store
    with reader(uri, local) as s:
        n = counted(s)
        assert _sum(s) == (150, sum(i * 10 + j for i in range(3) for j in range(50)))
        parquet = sorted(f.path for f in s.files())
        assert sorted(g.rsplit("/p/", 1)[1] for g in n.gets) == parquet  # one GET per file, whole
        assert cache_of(s).fetches == 3
        sizes = {f.size for f in s.files()}
    assert set(copies(local).values()) == sizes and len(copies(local)) == 3
    with reader(uri, local) as s:  # a new process state: decoded cache empty, the object cache full
        n = counted(s)
        assert _sum(s)[0] == 150
        assert n.gets == [] and cache_of(s).fetches == 0


def test_modes_are_private(store):
    uri, local = store
    with reader(uri, local) as s:
        _sum(s)
    d = local / CACHE_DIR
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in d.iterdir())


def test_off_means_every_read_goes_to_the_store(store):
    uri, local = store
    with reader(uri, local, object_cache_bytes=0) as s:
        n = counted(s)
        assert _sum(s)[0] == 150
        assert len(n.gets) >= 3 and cache_of(s) is None
    assert not (local / CACHE_DIR).exists()


def test_a_short_or_corrupt_copy_is_fetched_again(store):
    uri, local = store
    with reader(uri, local) as s:
        expect = _sum(s)
    good = {p: p.read_bytes() for p in (local / CACHE_DIR).iterdir()}
    short, corrupt = sorted(good)[:2]
    short.write_bytes(good[short][:-100])  # a copy cut short: another size than the catalog's
    corrupt.write_bytes(b"\0" * len(good[corrupt]))  # same size, unreadable
    with reader(uri, local) as s:
        n = counted(s)
        assert _sum(s) == expect
        assert len(n.gets) == 2 and cache_of(s).fetches == 2
        assert s.recovery_report.quarantined == []
    assert {p: p.read_bytes() for p in (local / CACHE_DIR).iterdir()} == good


def test_eviction_keeps_the_bound_and_the_recently_used(store):
    uri, local = store
    with reader(uri, local, object_cache_bytes=0) as s:
        sizes = sorted(f.size for f in s.files())
    limit = sizes[-1] + sizes[-2]  # room for two files, never three
    with reader(uri, local, object_cache_bytes=limit) as s:
        for _ in range(2):  # each round reads the three windows in turn: each fetch evicts one
            for w in range(3):
                lo, hi = T0 + w * 8 * 24 * H, T0 + (w + 1) * 8 * 24 * H
                s._engine.state.files.forget(s.files())  # a new reader each time: no decoded copies
                assert _sum(s, f"SELECT count(v), sum(v) FROM m WHERE time >= {lo} AND time < {hi}")[0] == 50
                assert cache_of(s).total() <= limit
        assert len(copies(local)) == 2
        last = max(s.files(), key=lambda f: f.window_start)
        assert cache_of(s).get(last.path, last.size) is not None  # the one read last is kept


@pytest.mark.no_catalog
def test_lru_order_across_processes_is_the_modification_time(tmp_path):
    cache = ObjectCache.open(tmp_path, 300)
    for i, rel in enumerate(["a/1.parquet", "a/2.parquet", "a/3.parquet"]):
        cache.fetch(rel, lambda out: out.write(b"x" * 100), 100)
        os.utime(cache.path(rel), (1000 + i, 1000 + i))
    assert cache.get("a/1.parquet", 100) is not None  # used now: the newest
    cache.fetch("a/4.parquet", lambda out: out.write(b"y" * 100), 100)
    assert cache.total() == 300
    assert [cache.get(f"a/{i}.parquet", 100) is not None for i in range(1, 5)] == [True, False, True, True]
    with pytest.raises(OSError, match="the catalog says 50"):
        cache.fetch("a/5.parquet", lambda out: out.write(b"z" * 100), 50)
    assert cache.get("a/5.parquet", None) is None and not list(tmp_path.glob(f"{CACHE_DIR}/*.part"))


def test_written_files_go_in_and_deleted_ones_leave(s3_server, tmp_path):  # noqa: F811
    uri = f"s3://{s3_server.new_bucket()}/p"
    local = tmp_path / "local"
    with reader(uri, local, file_grace_s=0) as s:  # replaced files are due at once
        for i in range(3):
            s.write("db", f"m,host=a v={i} {T0 + i}".encode())
            s.flush()
        assert len(copies(local)) == 6  # write-through: 3 files and their sidecars
        n = counted(s)
        s._engine.state.files.forget(s.files())
        assert _sum(s) == (3, 3) and n.gets == []
        with reader(uri, local, read_only=True) as r:  # a reader sharing the local directory
            n = counted(r)
            assert _sum(r) == (3, 3) and n.gets == [] and cache_of(r).fetches == 0
        assert s.compact() == 1
    kept = copies(local)  # close reaped the replaced files (due): only the new one and its sidecar
    assert len(kept) == 2
    with reader(uri, local, file_grace_s=0) as s:
        n = counted(s)
        assert _sum(s) == (3, 3) and n.gets == []
        s.query("DROP MEASUREMENT m", db="db")
    assert copies(local) == {}


def test_open_drops_copies_of_files_the_store_no_longer_has(store):
    uri, local = store
    with reader(uri, local) as s:
        _sum(s)
        stray = ObjectCache(local / CACHE_DIR, 1 << 20)
        stray.fetch("db/autogen/m/0/000000009999.parquet", lambda out: out.write(b"gone"), 4)
    assert len(copies(local)) == 4
    with reader(uri, local) as s:
        assert len(copies(local)) == 3


def test_open_reads_no_footer_a_damaged_one_is_found_on_first_read_is_found_on_first_read(store):
    uri, local = store
    with reader(uri, local, object_cache_bytes=0) as s:
        victim = sorted(s.files(), key=lambda f: f.window_start)[0]
    data = open_data_files(uri, local)
    raw = data.read_bytes(victim.path)
    data.write_bytes(victim.path, raw[:-12] + b"\0" * 12)  # same size: only the footer tells
    with reader(uri, local) as s:
        assert s.recovery_report.files_checked == 3 and s.recovery_report.quarantined == []
        res = s.query("SELECT count(v) FROM m", db="db")  # the read that finds it fails
        assert res.error or res.statements[0].error
        assert [rel for rel, _ in s.recovery_report.quarantined] == [victim.path]
        assert _sum(s)[0] == 100


@pytest.mark.no_catalog
def test_serve_takes_the_cache_size(monkeypatch):
    pytest.importorskip("starlette")
    from click.testing import CliRunner

    import tsdb_http.serve
    from tsdb_core.cli import cli

    calls = []
    monkeypatch.setattr(tsdb_http.serve, "serve", lambda *a, **kw: calls.append(kw["config"]))
    for arg, want in (([], 1 << 30), (["--object-cache-size", "512MiB"], 512 << 20),
                      (["--object-cache-size", "2g"], 2 << 30), (["--object-cache-size", "0"], 0)):
        r = CliRunner().invoke(cli, ["serve", "--data-dir", "s3://b/p", *arg])
        assert r.exit_code == 0, r.output
        assert calls.pop().object_cache_bytes == want
    r = CliRunner().invoke(cli, ["serve", "--object-cache-size", "lots"])
    assert r.exit_code == 2 and "'lots' is not a size" in r.output


def test_a_cache_that_cannot_be_written_falls_back_to_the_store(store):
    uri, local = store
    with reader(uri, local) as s:
        d = local / CACHE_DIR
        os.rmdir(d)
        d.write_bytes(b"")  # no directory any more: every copy fails to be made
        n = counted(s)
        assert _sum(s)[0] == 150 and len(n.gets) >= 6  # each file tried, then read directly
        assert s.recovery_report.quarantined == []


def test_an_object_replaced_under_an_open_store_is_quarantined_on_read(store):
    uri, local = store
    with reader(uri, local) as s:
        victim = sorted(s.files(), key=lambda f: f.window_start)[0]
        open_data_files(uri, local).write_bytes(victim.path, b"PAR1 other bytes PAR1")
        res = s.query("SELECT count(v) FROM m", db="db")
        assert res.error or res.statements[0].error
        assert [rel for rel, _ in s.recovery_report.quarantined] == [victim.path]
        assert _sum(s)[0] == 100
