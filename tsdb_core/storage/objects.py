"""Where the data files (Parquet files and their sidecars) live: a local directory or an object store.

A store's location is a path or a URI. A plain path or ``file://`` keeps everything in one
local directory, as a store always has (temp file, fsync, rename, fsync of the directory; modes
0700/0600). ``s3://``, ``gs://``, ``abfs://`` and the other ``pyarrow.fs`` schemes put the data
files in the bucket; one PUT is atomic there (an object appears whole or not at all), so no
rename is needed. What must stay on the writer's own disk - the WAL, the lock file, the series
index and, for now, the catalog - lives in a local directory (:func:`local_dir_for`), beside the
bounded cache of objects already fetched (:mod:`.object_cache`).

Every key is ``<prefix>/<relative path>`` where the relative path comes from
:mod:`.paths` (user names percent-encoded) and is checked again here (:func:`check_rel`): no
key leaves the prefix.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import polars as pl
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from .fileio import (fsync_dir, makedirs_durable, mkdir_private, open_private, prune_empty_dirs, tmp_path,
                     atomic_write_bytes)
from .object_cache import ObjectCache, SizeMismatch

_UPLOAD_CHUNK = 8 << 20


def is_uri(location: str | os.PathLike) -> bool:
    """Whether ``location`` names a remote store (``scheme://``, not ``file://``)."""
    if not isinstance(location, str):
        return False
    scheme = urlsplit(location).scheme
    return len(scheme) > 1 and "://" in location and scheme != "file"


def local_path(location: str | os.PathLike) -> Path:
    """A local location as a Path (``file:///x`` → ``/x``)."""
    if isinstance(location, str) and location.startswith("file://"):
        return Path(urlsplit(location).path)
    return Path(location)


def local_dir_for(uri: str) -> Path:
    """The default local directory of a remote store (its WAL, lock, index and catalog):
    ``$XDG_DATA_HOME/tsdb/stores/<hash of the URI>`` (``~/.local/share`` without it)."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "tsdb" / "stores" / hashlib.sha256(uri.encode()).hexdigest()[:16]


def local_dir(location: str | os.PathLike, wal_dir: str | os.PathLike | None = None) -> Path:
    """Where a store keeps what stays on this machine (WAL, lock file, catalog): the directory
    itself for a path, ``wal_dir`` (default :func:`local_dir_for`) for a remote URI."""
    if not is_uri(location):
        if wal_dir is not None and Path(wal_dir) != local_path(location):
            raise ValueError("wal_dir is for stores in object storage; a local store keeps its WAL inside")
        return local_path(location)
    return Path(wal_dir) if wal_dir is not None else local_dir_for(str(location))


def check_rel(rel: str) -> str:
    """``rel`` if it is a relative key that stays under the root; ValueError otherwise."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"path escapes the store root: {rel!r}")
    return rel


class Staged:
    """A data file written but not yet visible: :meth:`commit` publishes it, :meth:`discard` drops it."""

    def __init__(self, size: int, commit: Callable[[], None], discard: Callable[[], None]):
        self.size = size
        self.commit = commit
        self.discard = discard


class LocalFiles:
    """Data files in a local directory (durable renames; private modes)."""

    local = True

    def __init__(self, root: Path):
        self.root = root
        self.uri = str(root)

    def path(self, rel: str) -> str:
        """What Polars and pyarrow open for ``rel``."""
        return os.path.join(self.root, rel)

    def stage(self, rel: str, write: Callable[[str], object]) -> tuple[object, Staged | None]:
        """``write(target)`` writes the file; (its result, the staged file); None when it says None."""
        path = self.root / rel
        makedirs_durable(path.parent, self.root)
        tmp = tmp_path(path)
        os.close(open_private(tmp))  # the writer truncates it and keeps its mode (0600)
        try:
            out = write(str(tmp))
        except BaseException:
            tmp.unlink(missing_ok=True)  # a failed merge (a damaged input) leaves nothing behind
            raise
        if out is None:
            tmp.unlink(missing_ok=True)
            return None, None
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)

        def commit() -> None:
            os.replace(tmp, path)
            fsync_dir(path.parent)
        return out, Staged(size, commit, lambda: tmp.unlink(missing_ok=True))

    def write_bytes(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        makedirs_durable(path.parent, self.root)
        atomic_write_bytes(path, data)

    def read_bytes(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def delete(self, rel: str) -> None:
        (self.root / rel).unlink(missing_ok=True)

    def prune(self, rel_dir: str) -> None:
        """Remove a directory left empty by deletes (and its empty parents, never the root)."""
        prune_empty_dirs(self.root / rel_dir, self.root)

    def move(self, src: str, dst: str) -> None:
        """Rename ``src`` to ``dst`` durably (directories made, the empty source directory pruned)."""
        s, d = self.root / src, self.root / dst
        makedirs_durable(d.parent, self.root)
        os.replace(s, d)
        fsync_dir(d.parent)
        fsync_dir(s.parent)
        prune_empty_dirs(s.parent, self.root)

    def list(self) -> Iterator[str]:
        """Every file's relative path (strings: a walk over many files must stay quick)."""
        top = str(self.root)
        n = len(top) + 1
        for dirpath, _dirs, names in os.walk(top):
            for name in names:
                yield os.path.join(dirpath, name)[n:].replace(os.sep, "/")

    def has_parquet(self) -> bool:
        return next(self.root.glob("*/*/*/*/*.parquet"), None) is not None

    def open_input(self, rel: str):
        """What ``pq.ParquetFile`` reads."""
        return self.path(rel)

    def footer_source(self, rel: str) -> tuple[int, Callable[[int, int], bytes], Callable[[], None]]:
        """(size, pread(n, offset), close) of a file; OSError when absent."""
        fd = os.open(self.path(rel), os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
        except OSError:
            os.close(fd)
            raise
        return size, lambda n, off: os.pread(fd, n, off), lambda: os.close(fd)

    def read_parquet(self, rel: str) -> pl.DataFrame:
        return pl.read_parquet(self.path(rel), hive_partitioning=False, glob=False)

    def scan(self, rels: list[str], schema: dict) -> pl.LazyFrame:
        return pl.scan_parquet([self.path(r) for r in rels], hive_partitioning=False, glob=False, schema=schema)

    def read_schema(self, rel: str) -> dict:
        return dict(pl.read_parquet_schema(self.path(rel)))


class ObjectFiles:
    """Data files in an object store through ``pyarrow.fs`` (S3 and S3-compatible, GCS, Azure...).

    A file is written to a local temporary file first (a compaction never holds a whole
    window in memory), then uploaded in one stream: readers see the object whole or not at all.
    With a ``cache`` (:mod:`.object_cache`), Parquet files and their sidecars are read from whole
    local copies, fetched once (one GET each, then local reads of footers and row groups) and
    kept until evicted or deleted; files this process writes go in as they are uploaded.
    ``sizes`` gives the catalog's size of a file: a copy of another size is fetched again.
    """

    local = False

    def __init__(self, fs: pafs.FileSystem, base: str, uri: str, tmp_dir: Path, cache: ObjectCache | None = None):
        self.fs = fs
        self.base = base.rstrip("/")
        self.uri = uri
        self.tmp_dir = tmp_dir
        self.cache = cache
        self.sizes: Callable[[str], int | None] = lambda rel: None

    @classmethod
    def from_uri(cls, uri: str, tmp_dir: Path, endpoint_override: str | None = None,
                 cache: ObjectCache | None = None) -> "ObjectFiles":
        """Open ``uri``; for ``s3://`` the endpoint comes from ``endpoint_override``, else
        ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3``, credentials from the AWS chain."""
        parts = urlsplit(uri)
        endpoint = endpoint_override or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if parts.scheme == "s3" and endpoint:
            ep = urlsplit(endpoint if "://" in endpoint else "https://" + endpoint)
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            fs = pafs.S3FileSystem(endpoint_override=ep.netloc, scheme=ep.scheme or "https", region=region,
                                   allow_delayed_open=True)
            base = parts.netloc + parts.path
        else:
            fs, base = pafs.FileSystem.from_uri(uri)
        mkdir_private(tmp_dir)
        return cls(fs, base, uri, tmp_dir, cache)

    def key(self, rel: str) -> str:
        return f"{self.base}/{check_rel(rel)}"

    def path(self, rel: str) -> str:
        return self.key(rel)

    def stage(self, rel: str, write: Callable[[str], object]) -> tuple[object, Staged | None]:
        fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, suffix=".tmp")
        os.close(fd)
        try:
            out = write(tmp)
        except BaseException:
            os.unlink(tmp)
            raise
        if out is None:
            os.unlink(tmp)
            return None, None

        def commit() -> None:
            try:
                with open(tmp, "rb") as src, self.fs.open_output_stream(self.key(rel)) as dst:
                    shutil.copyfileobj(src, dst, _UPLOAD_CHUNK)
            except BaseException:
                os.unlink(tmp)
                raise
            if self.cache is not None and _immutable(rel):
                self.cache.adopt(rel, tmp)  # the file just written: what queries read next
            else:
                os.unlink(tmp)
        return out, Staged(os.path.getsize(tmp), commit, lambda: Path(tmp).unlink(missing_ok=True))

    def write_bytes(self, rel: str, data: bytes) -> None:
        with self.fs.open_output_stream(self.key(rel)) as out:
            out.write(data)
        if self.cache is not None and _immutable(rel):
            self.cache.put(rel, data)

    def read_bytes(self, rel: str) -> bytes:
        return self._read(rel, lambda path: Path(path).read_bytes(), self._get_bytes)

    def _get_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self.key(rel)) as f:
            return f.read()

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.key(rel)).type == pafs.FileType.File

    def delete(self, rel: str) -> None:
        if self.cache is not None:
            self.cache.drop(rel)
        try:
            self.fs.delete_file(self.key(rel))
        except FileNotFoundError:
            pass

    def prune(self, rel_dir: str) -> None:
        """Object stores have no directories to leave behind."""

    def move(self, src: str, dst: str) -> None:
        """Copy, then delete: the object is never absent from both places."""
        self.fs.copy_file(self.key(src), self.key(dst))
        if self.cache is not None:
            self.cache.drop(src)
        self.fs.delete_file(self.key(src))

    def list(self) -> Iterator[str]:
        sel = pafs.FileSelector(self.base, recursive=True, allow_not_found=True)
        n = len(self.base) + 1
        for info in self.fs.get_file_info(sel):
            if info.type == pafs.FileType.File:
                yield info.path[n:]

    def listing(self) -> dict[str, int]:
        """Every file's relative path and size: one LIST (paged by the store)."""
        sel = pafs.FileSelector(self.base, recursive=True, allow_not_found=True)
        n = len(self.base) + 1
        return {info.path[n:]: info.size for info in self.fs.get_file_info(sel) if info.type == pafs.FileType.File}

    def has_parquet(self) -> bool:
        return any(r.endswith(".parquet") and r.count("/") == 4 for r in self.list())

    def open_input(self, rel: str):
        return self._read(rel, pa.memory_map, lambda rel: self.fs.open_input_file(self.key(rel)))

    def footer_source(self, rel: str) -> tuple[int, Callable[[int, int], bytes], Callable[[], None]]:
        info = self.fs.get_file_info(self.key(rel))
        if info.type != pafs.FileType.File:
            raise FileNotFoundError(rel)
        f = self.fs.open_input_file(self.key(rel))
        return info.size, lambda n, off: f.read_at(n, off), f.close

    def read_parquet(self, rel: str) -> pl.DataFrame:
        return self._read(rel, lambda path: pl.read_parquet(path, hive_partitioning=False, glob=False),
                          lambda rel: pl.from_arrow(pq.read_table(self.key(rel), filesystem=self.fs)))

    def scan(self, rels: list[str], schema: dict) -> pl.LazyFrame:
        frames = [self.read_parquet(r) for r in rels]
        return (frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")).lazy()

    def read_schema(self, rel: str) -> dict:
        return self._read(rel, lambda path: dict(pl.read_parquet_schema(path)), self._remote_schema)

    def _remote_schema(self, rel: str) -> dict:
        with self.fs.open_input_file(self.key(rel)) as f:
            return dict(pl.from_arrow(pq.read_schema(f).empty_table()).schema)

    def _read(self, rel: str, local: Callable[[str], object], remote: Callable[[str], object]):
        """``local(path of a whole copy)`` when the cache can hold ``rel``, else ``remote(rel)``.
        A copy that fails to read is dropped and fetched again, once: a second failure is the
        object's own (and goes to the caller, which may quarantine the file)."""
        cache = self.cache
        if cache is None or not _immutable(rel):
            return remote(rel)
        size = self.sizes(rel)
        if size is not None and size > cache.limit:
            return remote(rel)
        path = cache.get(rel, size)
        if path is not None:
            try:
                return local(path)
            except Exception:  # noqa: BLE001 - a damaged copy, or evicted at this moment: fetch again
                cache.drop(rel)
        try:
            path = cache.fetch(rel, lambda out: self._download(rel, out), size)
        except SizeMismatch:
            raise
        except OSError:  # the local disk (full?), or the store: reading directly tells which
            return remote(rel)
        try:
            return local(path)
        except FileNotFoundError:  # evicted by another process between the fetch and the open
            return remote(rel)

    def _download(self, rel: str, out) -> None:
        with self.fs.open_input_stream(self.key(rel)) as src:
            while chunk := src.read(_UPLOAD_CHUNK):
                out.write(chunk)


DataFiles = LocalFiles | ObjectFiles


def _immutable(rel: str) -> bool:
    """Whether ``rel`` never changes once written (a Parquet file or its sidecar): cacheable."""
    return rel.endswith((".parquet", ".newest.arrow"))


def open_data_files(location: str | os.PathLike, local_dir: Path,
                    endpoint_override: str | None = None, cache_bytes: int = 0) -> DataFiles:
    """The data files of a store at ``location`` (a path, ``file://`` or a remote URI); a
    remote store's reads go through a local cache of ``cache_bytes`` (0: none)."""
    if is_uri(location):
        return ObjectFiles.from_uri(str(location), local_dir / "upload", endpoint_override,
                                    ObjectCache.open(local_dir, cache_bytes))
    return LocalFiles(local_dir)
