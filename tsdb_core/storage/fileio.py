"""Durable file operations: every rewrite is temp file → fsync → rename → fsync dir.

Everything the store creates is private to its owner (directories 0700, files 0600, as
PostgreSQL insists for its data directory): the data, the WAL and the token file are readable
by no other local user. Modes are given at creation, so only a stricter umask can narrow them.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700

log = logging.getLogger("tsdb_core.store")


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """``os.open`` creating ``path`` readable by its owner only."""
    return os.open(path, flags, FILE_MODE)


def mkdir_private(path: Path) -> None:
    """``mkdir -p`` whose new directories are 0700 (parents included)."""
    missing = []
    p = path
    while not p.exists() and p.parent != p:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=DIR_MODE, exist_ok=True)


def warn_if_shared(root: Path) -> bool:
    """Log a WARNING when other local users can read or enter the store's root; True if so."""
    mode = stat.S_IMODE(os.stat(root).st_mode)
    if mode & 0o077:
        log.warning("store directory %s is accessible to other users (mode %04o): every local user can "
                    "read its data; run chmod 700 %s", root, mode, root)
        return True
    return False


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tmp_path(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a crash leaves either the old or the new file."""
    tmp = tmp_path(path)
    fd = open_private(tmp)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def makedirs_durable(path: Path, stop: Path) -> None:
    """``mkdir -p`` that fsyncs each new directory's parent (up to ``stop``)."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p == stop or p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=DIR_MODE, exist_ok=True)
        fsync_dir(d.parent)


def prune_empty_dirs(path: Path, stop: Path) -> None:
    """Remove ``path`` and its parents while empty, never ``stop`` itself."""
    p = path
    while p != stop and stop in p.parents:
        try:
            p.rmdir()
        except OSError:
            return
        p = p.parent
