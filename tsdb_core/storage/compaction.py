"""Compaction: merge a window's files into one, resolving duplicate points for good.

The files are read oldest first, so the field-level merge (last non-null value
wins) gives the same answer every read gave before; the result is one sorted,
deduplicated file. The caller swaps it in the catalog in one step.

A window of more than ``StoreConfig.compact_slice_rows`` rows (400 k) is merged
a slice at a time: every file is sorted by series (leading tag first), so the
rows whose leading tag falls in a range of values are a few row groups of each
file (Parquet statistics find them), and no series spans two ranges. Each slice
is merged, sorted and written as row groups of the one output file before the
next is read: a large window never sits in memory several times over (the input
files, the merged frame and the frame being written).
"""
from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from .catalog import Catalog, FileMeta
from ..base.types import FieldType
from .partitions import Files, canonical_columns, prepare, sort_tags

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


def merge_slices(files: Files, group: list[FileMeta], tags: tuple[str, ...], fields: dict[str, FieldType],
                 series: pl.DataFrame, slice_rows: int) -> tuple[list[str], Iterator[pl.DataFrame]]:
    """The window merged (per field the last non-null value in file order wins), in slices by
    ranges of the leading tag.

    ``series``: the measurement's distinct tag sets (the series index); they fix the tag
    order of every slice and where the ranges fall (the ranges still cover every value,
    known or not). Returns the tag order and the slices, each with the same columns
    (the union of the inputs'); reading fewer rows than the inputs hold raises.
    """
    group = sorted(group, key=lambda f: f.id)
    present = {c for f in group for c in f.columns}
    tcols = [t for t in tags if t in present]
    known = [t for t in tcols if t in series.columns]
    order = sort_tags(series, known) + [t for t in tcols if t not in known]
    cols = canonical_columns(present, tags, fields)
    rows = sum(f.rows for f in group)
    if not order or rows <= slice_rows:
        merged = pl.concat([files.read(f) for f in group], how="diagonal_relaxed")
        return order, iter([_conformed(prepare(merged, tags, fields, dedup=True, tag_order=order),
                                       cols, tags, fields)])
    lead = order[0]
    counts = series.group_by(lead).len().drop_nulls(lead).sort(lead) if lead in series.columns else None
    uppers = [] if counts is None else _uppers(counts.get_column(lead).to_list(),
                                               counts.get_column("len").to_list(), -(-rows // slice_rows))

    def slices() -> Iterator[pl.DataFrame]:
        seen = 0
        key = pl.col(lead)
        for i in range(len(uppers) + 1):  # slice i: (upper i-1, upper i]; nulls in the first
            lo, hi = uppers[i - 1] if i else None, uppers[i] if i < len(uppers) else None
            cond = pl.lit(True) if lo is None else key > lo
            if hi is not None:
                cond = cond & (key <= hi) if lo is not None else (key <= hi) | key.is_null()
            # (a file without the leading tag has it null in every row: the first slice's)
            parts = [files.scan([f]).filter(cond).collect() if lead in f.columns else files.read(f)
                     for f in group if i == 0 or lead in f.columns]
            seen += sum(p.height for p in parts)
            merged = pl.concat(parts, how="diagonal_relaxed")
            if merged.height:
                yield _conformed(prepare(merged, tags, fields, dedup=True, tag_order=order), cols, tags, fields)
        if seen != rows:
            raise RuntimeError(f"compaction read {seen} rows of {rows} in slices by {lead}: not merged")

    return order, slices()


def _uppers(values: list, weights: list[int], n: int) -> list:
    """Up to ``n - 1`` upper bounds cutting sorted ``values`` into ranges of about equal weight."""
    total = sum(weights) or 1
    out, acc = [], 0
    for v, w in zip(values[:-1], weights[:-1]):
        acc += w
        if acc * n >= total * (len(out) + 1):
            out.append(v)
    return out


def _conformed(frame: pl.DataFrame, cols: list[str], tags: tuple[str, ...],
               fields: dict[str, FieldType]) -> pl.DataFrame:
    """``frame`` with every column of ``cols`` (typed nulls for those it dropped), in that order."""
    have = set(frame.columns)
    if have == set(cols) and frame.columns == cols:
        return frame
    return frame.select([pl.col(c) if c in have else
                         pl.lit(None, dtype=pl.String if c in tags else fields[c].polars).alias(c)
                         for c in cols])


