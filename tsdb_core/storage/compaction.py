"""Compaction: merge a window's files into one, resolving duplicate points for good.

The files are read oldest first, so the field-level merge (last non-null value
wins) gives the same answer every read gave before; the result is one sorted,
deduplicated file. The caller swaps it in the catalog in one step.
"""
from __future__ import annotations

import polars as pl

from ..catalog import Catalog, FileMeta
from ..model import FieldType
from .partitions import Files, prepare

WindowKey = tuple[str, str, str, int]  # db, rp, measurement, window start


def windows_to_compact(catalog: Catalog, min_files: int, keys=None) -> list[list[FileMeta]]:
    """Groups of files sharing a window, for windows holding at least ``min_files`` files."""
    groups: dict[WindowKey, list[FileMeta]] = {}
    for key, fl in catalog.files.items():
        if keys is not None and key not in keys:
            continue
        for f in fl:
            groups.setdefault((*key, f.window_start), []).append(f)
    return [sorted(g, key=lambda f: f.id) for g in groups.values() if len(g) >= max(min_files, 2)]


def merge_files(files: Files, group: list[FileMeta], tags: tuple[str, ...],
                fields: dict[str, FieldType]) -> pl.DataFrame:
    frames = [files.read(f) for f in sorted(group, key=lambda f: f.id)]
    merged = pl.concat(frames, how="diagonal_relaxed")
    return prepare(merged, tags, fields, dedup=True)
