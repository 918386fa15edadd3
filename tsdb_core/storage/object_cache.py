"""A bounded local cache of files fetched from an object store, so repeated queries do not refetch.

A remote store's Parquet files and sidecars never change once written (a new file gets a new
name), so a whole copy on local disk can stand in for the object until the store deletes it.
Copies live flat in one directory (``<local dir>/object-cache``, mode 0700), one file each,
named by a hash of the object's relative path (mode 0600). A copy appears by rename of a
finished temporary file, so no reader ever sees half of one.

The directory is shared by every process that opens the store with the same local directory
(the writer and the readers on its machine, which share the catalog there anyway): a file one
fetched serves all, and nothing needs coordinating beyond the filesystem. Lookups are a
``stat``; a hit sets the copy's modification time, which orders least-recently-used eviction
across processes; eviction unlinks, and a process that already opened a copy keeps reading it.
Each process rescans the directory when its own count passes the bound or a second has gone by,
so the bound holds to within what other processes add in that second.

A copy whose size differs from the catalog's is dropped and fetched again; a decoder error on a
copy drops it too (:class:`~.objects.ObjectFiles` retries once from the store). Copies are not
fsynced: after a power loss a bad one is found by those checks and fetched again.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import BinaryIO, Callable

from .fileio import mkdir_private

log = logging.getLogger("tsdb_core.store")

CACHE_DIR = "object-cache"
_PART = ".part"  # not ``.tmp``: the writer's open removes those, and another process may be fetching
_RESCAN_S = 1.0
_STALE_PART_S = 600.0  # a temporary file this old belongs to a fetch that died


class SizeMismatch(OSError):
    """A fetched object is not the size the catalog says: the store's damage, not the cache's."""


class ObjectCache:
    """Whole copies of objects, at most about ``limit`` bytes (least recently used evicted)."""

    def __init__(self, root: Path, limit: int):
        self.root = root
        self.limit = limit
        self._lock = threading.Lock()
        self._total = 0  # bytes in the directory at the last scan, plus what this process added since
        self._scanned = float("-inf")
        self.fetches = 0  # objects this process fetched into the cache (for tests and benchmarks)

    @classmethod
    def open(cls, local: Path, limit: int) -> "ObjectCache | None":
        """The cache under ``local``; None when ``limit`` is 0 or the directory cannot be made."""
        if limit <= 0:
            return None
        root = local / CACHE_DIR
        try:
            mkdir_private(root)
        except OSError as e:  # a reader without write access to the local directory: no cache
            log.warning("object cache %s unavailable (%s): every read fetches from the store", root, e)
            return None
        return cls(root, limit)

    def path(self, rel: str) -> str:
        """Where the copy of ``rel`` lives (the extension kept, for whoever looks)."""
        return os.path.join(self.root, _name(rel))

    def get(self, rel: str, size: int | None) -> str | None:
        """The copy of ``rel`` if there is one of ``size`` bytes (any size when None), marked used."""
        path = self.path(rel)
        try:
            st = os.stat(path)
        except OSError:  # absent, or the directory unusable: a miss either way
            return None
        if size is not None and st.st_size != size:
            self._unlink(path)
            return None
        try:
            os.utime(path)
        except OSError:  # evicted just now by another process
            return None
        return path

    def fetch(self, rel: str, fill: Callable[[BinaryIO], None], size: int | None) -> str:
        """Copy ``rel`` in with ``fill(out)``; its path. :class:`SizeMismatch` when the copy is not
        ``size`` bytes; OSError when ``fill`` or the local disk fails."""
        path = self._store(rel, fill, size)
        self.fetches += 1
        return path

    def _store(self, rel: str, fill: Callable[[BinaryIO], None], size: int | None) -> str:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=_name(rel) + ".", suffix=_PART)  # 0600
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)
                n = out.tell()
            if size is not None and n != size:
                raise SizeMismatch(f"object {rel} is {n} bytes, the catalog says {size}")
            path = self.path(rel)
            os.replace(tmp, path)
        except BaseException:
            self._unlink(tmp)
            raise
        self._added(n)
        return path

    def adopt(self, rel: str, tmp: str) -> None:
        """Take a file just written to the store (a private temporary file on the same disk)."""
        try:
            n = os.path.getsize(tmp)
            if n > self.limit:
                raise OSError("larger than the cache")
            os.replace(tmp, self.path(rel))
        except OSError:
            self._unlink(tmp)  # another filesystem, or too large: it is fetched when read
            return
        self._added(n)

    def put(self, rel: str, data: bytes) -> None:
        """Keep a copy of bytes just written to the store (a full disk only costs a later fetch)."""
        if len(data) <= self.limit:
            try:
                self._store(rel, lambda out: out.write(data), len(data))
            except OSError as e:
                log.debug("object cache: %s not kept (%s)", rel, e)

    def drop(self, rel: str) -> None:
        """Forget ``rel`` (deleted from the store)."""
        self._unlink(self.path(rel))

    def sweep(self, live: dict[str, int | None]) -> None:
        """Drop copies of files not in ``live`` (relative path → catalog size, None: any) or of
        another size, and temporary files of dead fetches. The writer runs it on open."""
        keep = {_name(rel): size for rel, size in live.items()}
        now = time.time()
        for e in _entries(self.root):
            if e.name.endswith(_PART):
                if now - _mtime(e) > _STALE_PART_S:
                    self._unlink(e.path)
            elif e.name not in keep or keep[e.name] not in (None, _size(e)):
                self._unlink(e.path)
        self._rescan()

    def total(self) -> int:
        """Bytes of copies in the directory now (a scan)."""
        return sum(_size(e) for e in _entries(self.root) if not e.name.endswith(_PART))

    # -- bound ------------------------------------------------------------------------
    def _added(self, n: int) -> None:
        with self._lock:
            self._total += n
            due = self._total > self.limit or time.monotonic() - self._scanned > _RESCAN_S
        if due:
            self._rescan()

    def _rescan(self) -> None:
        """Count the directory and evict the least recently used copies past the bound."""
        copies = [(e, _mtime(e), _size(e)) for e in _entries(self.root) if not e.name.endswith(_PART)]
        total = sum(n for _e, _t, n in copies)
        if total > self.limit:
            copies.sort(key=lambda c: c[1])
            for e, _t, n in copies:
                if total <= self.limit:
                    break
                self._unlink(e.path)
                total -= n
        with self._lock:
            self._total = total
            self._scanned = time.monotonic()

    @staticmethod
    def _unlink(path: str) -> None:
        try:
            os.unlink(path)
        except OSError:  # gone already (another process), or the directory unusable
            pass


class CatalogSizes:
    """The catalog's size of a file by its relative path: ``files()`` lists the live files (under
    the store's lock). The map is rebuilt when a path is not in it, or on request."""

    def __init__(self, files: Callable[[], list]):
        self._files = files
        self._sizes: dict[str, int] = {}

    def __call__(self, rel: str) -> int | None:
        size = self._sizes.get(rel)
        if size is None and rel.endswith(".parquet"):
            self.reload()
            size = self._sizes.get(rel)
        return size

    def reload(self) -> dict[str, int]:
        self._sizes = sizes = {f.path: f.size for f in self._files()}
        return sizes


def _name(rel: str) -> str:
    ext = ".arrow" if rel.endswith(".arrow") else ".parquet"
    return hashlib.sha256(rel.encode()).hexdigest()[:40] + ext


def _entries(root: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(root) as it:
            return [e for e in it if e.is_file(follow_symlinks=False)]
    except OSError:
        return []


def _size(e: os.DirEntry) -> int:
    try:
        return e.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


def _mtime(e: os.DirEntry) -> float:
    try:
        return e.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0
