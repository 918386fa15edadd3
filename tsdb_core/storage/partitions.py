"""Parquet partition files: how rows are laid out, written, and read back merged.

Layout: ``<db>/<rp>/<measurement>/<window-start>/<file-id>.parquet`` where the
window is the policy's shard-group duration. Each file holds one window's rows,
deduplicated, sorted by (tags by falling cardinality, time), zstd-compressed with dictionary tags,
delta-encoded integers/time and floats as delta-encoded DECIMAL(18, s) when every value is
exactly a decimal of a few digits, else as DOUBLE in whichever of BYTE_STREAM_SPLIT, PLAIN or
dictionary their first values compress best (storage/encodings.py); every read turns such
decimals back into the doubles written. The catalog keeps each file's time range and columns,
so pruning never opens a file.

Reads: sources (files oldest first, then buffered chunks in arrival order) that
overlap another source in time, or are not unique inside, go through the
field-level merge (last non-null value per field wins); the rest are scanned
as they are.
"""
from __future__ import annotations

import io
import json
import logging
import operator
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .catalog import FileMeta
from ..base.config import StoreConfig
from ..base.types import TIME, FieldType
from . import encodings
from .cache import Decoded, DecodedCache
from .columns import FileColumns
from .objects import DataFiles
from .newest_pieces import newest_pieces
from .run_gather import joined_arrays, piece_runs

log = logging.getLogger("tsdb_core.store")

_ENCODING = {  # floats: chosen per file from the data (_column_options)
    FieldType.INTEGER: "DELTA_BINARY_PACKED",
    FieldType.UNSIGNED: "DELTA_BINARY_PACKED",
}


# Go's time.Truncate (what 1.x uses for shard groups) counts from 0001-01-01, a Monday:
# 7-day windows start on Mondays, not on Thursdays as multiples of the Unix epoch would.
_GO_ZERO_OFFSET = 62_135_596_800 * 1_000_000_000
_TMIN = operator.attrgetter("tmin")  # (sources in time order)


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def window_start(t: int, width: int) -> int:
    """Start of the partition window holding ``t`` (floor, also for times before 1970).

    Near the ends of the time range it can lie outside int64: :func:`window_bounds` clamps it.
    """
    return t - (t + _GO_ZERO_OFFSET) % width


def window_bounds(start: int, width: int) -> tuple[int, int]:
    """(start, exclusive end) of a window as stored: clamped to int64, so the catalog (JSON
    integers), Parquet paths and every comparison hold the windows at both ends of time."""
    return max(start, INT64_MIN), min(start + width, INT64_MAX)


def split_windows(frame: pl.DataFrame, width: int) -> list[tuple[int, pl.DataFrame]]:
    """Rows grouped by partition window (ascending); the starts as :func:`window_start`."""
    w = frame.get_column(TIME)
    lo, hi = window_start(w.min(), width), window_start(w.max(), width)
    if lo == hi:
        return [(lo, frame)]
    off = _GO_ZERO_OFFSET % width
    # the window number (t + off) // width, without ever leaving int64 (t may be near its ends)
    t = pl.col(TIME)
    number = t // width + (t % width + off) // width
    parts = frame.with_columns(number.alias(_W)).partition_by(_W, as_dict=True, include_key=False)
    return sorted(((k[0] * width - off, v) for k, v in parts.items()), key=lambda kv: kv[0])


def merge_points(lf: pl.LazyFrame, keys: list[str], fields: list[str]) -> pl.LazyFrame:
    """Same series + time → one row; per field the last non-null value (input order) wins. The
    rows keep a fixed order (each key's first row's; without fields, its kept row's): a float sum
    over them then adds in the same order on every call (a hash order changed its last digits,
    even its overflow, between calls)."""
    if not fields:
        return lf.unique(subset=keys, keep="last", maintain_order=True)
    return lf.group_by(keys, maintain_order=True).agg([pl.col(f).drop_nulls().last() for f in fields])


def canonical_columns(names, tags: tuple[str, ...], fields: dict[str, FieldType]) -> list[str]:
    """A file's column order: time, its tags, its fields (``names``: a frame or column names)."""
    present = set(names.columns if isinstance(names, pl.DataFrame) else names)
    return [TIME, *sorted(t for t in tags if t in present), *sorted(f for f in fields if f in present)]


def prepare(frame: pl.DataFrame, tags: tuple[str, ...], fields: dict[str, FieldType],
            dedup: bool, tag_order: list[str] | None = None) -> pl.DataFrame:
    """A file's content: all-null columns dropped, merged if asked, sorted by (tags, time).

    Sorting by ten string columns is slow; sorting the few distinct tag sets and then
    the rows by (series number, time) is an order of magnitude faster. ``tag_order``:
    the tags' sort priority (default :func:`sort_tags` of this frame), given when several
    frames become one file.
    """
    nonnull = frame.select(pl.all().count()).row(0, named=True)
    cols = [c for c in canonical_columns(frame, tags, fields) if c == TIME or nonnull[c]]
    tcols = [t for t in cols if t in tags]
    fcols = [f for f in cols if f in fields]
    work = frame.select(cols)
    # One (series number, time) order for every row: numpy's lexsort on two integer keys is
    # much faster here than Polars' arg_sort_by, and stable (equal keys keep input order).
    if tcols:
        sid = (work.lazy().select(tcols)
               .join(_series_keys(work, tcols, tag_order).lazy(), on=tcols, how="left", nulls_equal=True,
                     maintain_order="left")
               .select(_SID).collect().to_series().to_numpy())
    else:
        sid = np.zeros(work.height, dtype=np.uint32)
    order = np.lexsort((work.get_column(TIME).to_numpy(), sid))
    if dedup:
        ss, ts = sid[order], work.get_column(TIME).to_numpy()[order]
        same = (ss[1:] == ss[:-1]) & (ts[1:] == ts[:-1])  # a point written twice
        if same.any():
            return _merge_repeats(work, sid, order, same, cols, tcols, fcols)
    # No merge needed: gather once in that order (the input may stay in chunks, so the only
    # full-size copy is the output). A group_by over every row to merge none needs many times
    # the data's size in memory: only repeated points are grouped.
    return work.select(pl.all().gather(pl.Series(order)))


def _merge_repeats(work: pl.DataFrame, sid: np.ndarray, order: np.ndarray, same: np.ndarray,
                   cols: list[str], tcols: list[str], fcols: list[str]) -> pl.DataFrame:
    """Rows with a repeated (series, time) become one (per field the last non-null value in
    input order wins); the other rows pass as they are; all sorted by (series, time)."""
    repeated = np.zeros(len(order), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    base = work.with_columns(pl.Series(_SID, sid))
    merged = (base.select([_SID, *cols]).select(pl.all().gather(pl.Series(order[repeated]))).lazy()
              .group_by([_SID, TIME], maintain_order=True)
              .agg([pl.col(t).first() for t in tcols] + [pl.col(f).drop_nulls().last() for f in fcols])
              .select([_SID, *cols]).collect())
    single = base.select([_SID, *cols]).select(pl.all().gather(pl.Series(order[~repeated])))
    out = pl.concat([single, merged], how="vertical_relaxed")
    again = np.lexsort((out.get_column(TIME).to_numpy(), out.get_column(_SID).to_numpy()))
    return out.select(pl.all().gather(pl.Series(again))).select(cols)


def _series_keys(frame: pl.DataFrame, tcols: list[str], tag_order: list[str] | None = None) -> pl.DataFrame:
    """Distinct tag sets in sort order, numbered: sorting by the number sorts by the tags."""
    keys = frame.select(tcols).unique()
    if tag_order is None:
        order = sort_tags(keys, tcols)
    else:  # (a tag the order does not know still sorts, last: a series is never split)
        order = [t for t in tag_order if t in tcols] + [t for t in tcols if t not in tag_order]
    return keys.sort(order, nulls_last=False).with_row_index(_SID)


def sort_tags(frame: pl.DataFrame, tcols: list[str]) -> list[str]:
    """The tag order rows are sorted by: most distinct values first (then by name).

    A row group then holds series whose leading tag values are neighbours, so its min/max
    statistics on that tag are tight and a one-host lookup keeps about one row group (sorted by
    name, ``arch`` first, a group's ``hostname`` range spanned unrelated hosts).
    """
    if len(tcols) < 2:
        return list(tcols)
    return tags_by_count(tcols, frame.select([pl.col(t).n_unique() for t in tcols]).row(0))


def tags_by_count(tcols: list[str], counts) -> list[str]:
    """:func:`sort_tags`'s order from each tag's count of distinct values (null counts as one)."""
    return [t for _, t in sorted(zip((-c for c in counts), tcols))]


# Working column names: a NUL makes them names no stored column can have (storage/admission.py)
_SID = "\x00sid"
_W = "\x00window"


@dataclass(frozen=True, slots=True)
class Written:
    """What writing one Parquet file produced (bytes, rows, time range, columns), for the catalog."""
    size: int
    rows: int
    tmin: int
    tmax: int
    columns: tuple[str, ...]


class Files:
    """Where partition files live: a directory, or (in-memory stores) a dict of frames."""

    def __init__(self, data: "DataFiles | None", config: StoreConfig):
        self.data = data
        self.config = config
        self._mem: dict[int, pl.DataFrame] = {}
        # Parquet schema per file id (files never change): a scan given its schema skips
        # reading the footer when the query asks for the schema (a cost every query would pay)
        self._schemas: dict[int, dict[str, pl.DataType]] = {}
        # in-memory stores hold every frame anyway: only the series index is extra
        self._decoded = DecodedCache(1 << 62 if data is None else config.cache_bytes)
        # files too large for it whole: their series index and the columns queries read
        self._columns = None if data is None else FileColumns(self._decoded, data.open_input, self.sidecar)
        # footers of files too large for that cache: one-series lookups read only their row groups
        self._rg: dict[int, RowGroups] = {}
        # their sidecars (each series' newest row), read once; None: absent or unreadable
        self._newest: dict[int, pl.DataFrame | None] = {}

    def write_parts(self, file_id: int, rel: str, parts, tags: tuple[str, ...], fields: dict[str, FieldType],
                    tag_order: list[str]) -> Written | None:
        """Write prepared frames one after the other as one file (same columns, each sorted by
        ``tag_order`` then time, no series in two of them): a compaction never holds a whole
        window. An iterator is consumed once. None when they hold no rows (no file)."""
        if self.data is None:
            frames = [f for f in parts if f.height]
            if not frames:
                return None
            frame = frames[0] if len(frames) == 1 else pl.concat(frames)
            self._mem[file_id] = frame
            return Written(size=frame.estimated_size(), **_written_meta(frame))
        meta, staged = self.data.stage(rel, lambda target: _write_parquet(parts, target, tags, fields, self.config,
                                                                          tag_order))
        if staged is None:
            return None
        newest = meta.pop("newest")
        buf = io.BytesIO()
        newest.write_ipc(buf)
        body = buf.getvalue()  # + CRC-32: IPC has no checksum, and a wrong newest row would go unseen
        try:
            self.data.write_bytes(newest_rel(rel), body + zlib.crc32(body).to_bytes(4, "little"))
            staged.commit()
        except BaseException:
            staged.discard()
            raise
        return Written(size=staged.size, **meta)

    def scan(self, files: list[FileMeta], counted: frozenset[str] = frozenset()) -> pl.LazyFrame:
        """One lazy scan over files that share a column set; a decimal column in ``counted`` (the
        caller only counts it) is not converted, only its nulls kept (encodings.as_floats)."""
        if self.data is None:
            frames = [self._mem[f.id] for f in files]
            return (frames[0] if len(frames) == 1 else pl.concat(frames, rechunk=False)).lazy()
        # files of one column set may differ in types (a float column DOUBLE in one file, a
        # decimal of some scale in another): one scan per schema, decimals read back as doubles
        groups: dict[tuple, list[FileMeta]] = {}
        for f in files:
            schema = self._schemas.get(f.id)
            if schema is None:
                schema = self._schemas[f.id] = self.data.read_schema(f.path)
            groups.setdefault(tuple(schema.items()), []).append(f)
        scans = []
        for key, fl in groups.items():
            schema = dict(key)
            lf = self.data.scan([f.path for f in fl], schema)
            scans.append(encodings.as_floats(lf, schema, counted))
        return scans[0] if len(scans) == 1 else pl.concat(scans, how="vertical", rechunk=False)

    def select_arrays(self, files: list[FileMeta], tags: list[str], tag_values: dict[str, list[str]],
                      start: int, end: int, columns: list[str]) -> dict[str, np.ndarray] | None:
        """:meth:`Decoded.select_arrays` over files that do not overlap, in time order (a file
        and buffered pieces): the rows series by series when every file holds the same series
        (each series' times then ascend: exec/fast_grid.py reads hosts sampled alike one after
        the other), else file by file; None when one is not cached or a column is not plain numbers."""
        if len(files) == 1:
            parts = self._decoded_parts(files, tags, tag_values, start, end, columns,
                                        lambda dec: dec.select_arrays(tag_values, start, end, columns))
            return None if parts is None else parts[0] if len(parts) == 1 else \
                {c: np.concatenate([p[c] for p in parts]) for c in columns}
        parts = self._decoded_parts(files, tags, tag_values, start, end, columns,
                                    lambda dec: dec.array_runs(tag_values, start, end, columns))
        return None if parts is None else joined_arrays(parts, columns)

    def series_arrays(self, files: list[FileMeta], tags: list[str], tag_values: dict[str, list[str]],
                      start: int, end: int, columns: list[str], keep=None):
        """:meth:`Decoded.series_arrays` over files that do not overlap, in time order:
        (the series' tags, its rows), or None when several series match (or as select_arrays).
        Each source's arrays are sliced once, when joined (``Decoded.series_run``). ``keep``
        (arrays -> a boolean mask of the rows wanted) is asked once, of the joined columns it
        reads (:class:`_JoinedRows`), and the other columns copy the kept rows only: a store
        being written to is several pieces, and a mask, a test and a dict of views per piece
        cost a query more than the rows themselves."""
        parts = self._decoded_parts(sorted(files, key=_TMIN), tags, tag_values, start, end, columns,
                                    lambda dec: (dec, dec.series_run(tag_values, start, end, columns)))
        if parts is None or any(run is None for _, run in parts):
            return None
        found = [(dec, run) for dec, run in parts if run[1] is not None]
        if not found:
            return {}, {c: a[:0] for c, a in zip(columns, parts[0][1][0])}
        series = dict.fromkeys(tags) | found[0][0].run_tags(found[0][1][1])
        for dec, run in found[1:]:  # (pieces of one view hold the same tag keys: no key made up first)
            other = dec.run_tags(run[1])
            if other != series and dict.fromkeys(tags) | other != series:
                return None  # one series in each file, not the same one
        rows = _JoinedRows(columns, [(arrays, lo, hi) for _, (arrays, _, lo, hi) in found])
        mask = None if keep is None else keep(rows)
        if mask is None or mask.all():
            return series, {c: rows[c] for c in columns}
        if not mask.any():
            return series, {c: a[:0] for c, a in zip(columns, found[0][1][0])}
        return series, {c: rows[c][mask] for c in columns}

    def select_runs(self, files: list[FileMeta], tags: list[str], tag_values: dict[str, list[str]],
                    start: int, end: int, columns: list[str]):
        """:meth:`Decoded.select_runs` of files (or sorted pieces of buffered rows) that do not
        overlap, in time order: several as they are held (``PieceRuns``, storage/run_gather.py);
        None as select_arrays."""
        parts = self._decoded_parts(files, tags, tag_values, start, end, columns,
                                    lambda dec: dec.select_runs(tag_values, start, end, columns))
        return None if parts is None else piece_runs(parts)

    def _decoded_parts(self, files: list[FileMeta], tags: list[str], tag_values: dict[str, list[str]],
                       start: int, end: int, columns: list[str], take) -> list | None:
        """``take(decoded)`` for each file (or each of its row groups that may hold those series,
        for a file too large to hold whole); None when something is not cached, a file lacks
        a column, ``take`` says None, or nothing matched."""
        parts = []
        for f in files:  # (a Decoded: sorted buffered rows, storage/buffer_view.py)
            piece = isinstance(f, Decoded)
            if not (f.names.issuperset(columns) if piece else all(c in f.columns for c in columns)):
                return None  # a field missing from a file: null rows, which arrays cannot hold
            dec = f if piece else self._decoded_file(f, tags, columns, tag_values, start, end)
            decs = [dec] if dec is not None else self._decoded_groups(f, tags, tag_values, start, end)
            if not decs:
                return None
            for d in decs:
                part = take(d)
                if part is None:
                    return None
                parts.append(part)
        return parts or None

    def select_parts(self, files: list[FileMeta], tags: list[str], tag_values: dict[str, list[str]] | None,
                     start: int, end: int, columns: list[str],
                     limit: tuple[int, bool] | None = None) -> list[pl.DataFrame | pl.LazyFrame] | None:
        """Rows of each file from the decoded cache, sliced by series and time (see cache.py);
        None when a file does not fit the cache (the caller scans Parquet)."""
        parts = []
        for f in files:
            cols = [c for c in columns if c in f.columns]
            dec = self._decoded_file(f, tags, cols, tag_values, start, end, limit == (1, True))
            if dec is not None:
                parts.append(dec.select(tag_values, start, end, cols, limit))
                continue
            if limit == (1, True) and self.data is not None:
                newest = self._newest_of(f, tag_values, start, end, cols)
                if newest is not None:  # lastpoint: each series' newest row, from the sidecar
                    parts.append(newest)
                    continue
            if not tag_values or limit is not None or self.data is None:
                return None
            groups = self._decoded_groups(f, tags, tag_values, start, end)
            if groups:
                parts.extend(g.select(tag_values, start, end, cols) for g in groups)
                continue
            part = self._row_groups(f).read(self.data.open_input(f.path), tag_values, start, end, cols)
            if part is None:
                return None
            parts.append(part)
        return parts

    def _newest_of(self, f: FileMeta, tag_values: dict[str, list[str]] | None, start: int, end: int,
                   cols: list[str]) -> pl.DataFrame | None:
        """Each matching series' newest row in ``[start, end]`` from the file's sidecar; None when
        there is none, or a series' newest row is past ``end`` (an older row would be the one)."""
        last = self.sidecar(f)
        if last is None or last.height == 0 or last.get_column(TIME).max() > end:
            return None
        return _time_and_tags(last, tag_values, start, end).select(cols)

    def sidecar(self, f: FileMeta) -> pl.DataFrame | None:
        """Each series' newest row of ``f``, in file order (its sidecar, read once); None when
        it has none or it is damaged."""
        if f.id not in self._newest:
            path = newest_rel(f.path)
            self._newest[f.id] = None  # absent (an older file) or damaged: read the file itself
            try:
                raw = self.data.read_bytes(path)
            except OSError:
                raw = None
            if raw is not None:
                body, crc = raw[:-4], raw[-4:]
                try:
                    if zlib.crc32(body).to_bytes(4, "little") != crc:
                        raise ValueError("checksum mismatch")
                    self._newest[f.id] = pl.read_ipc(io.BytesIO(body))
                except Exception as e:  # noqa: BLE001 - derived data: never worth a failed query
                    log.warning("newest-row sidecar %s is damaged (%s): ignored, its Parquet file is read "
                                "instead", path, e)
        return self._newest[f.id]

    def _decoded_file(self, f: FileMeta, tags: list[str], columns: list[str] | None = None,
                      tag_values: dict[str, list[str]] | None = None, start: int = INT64_MIN, end: int = INT64_MAX,
                      newest: bool = False) -> Decoded | None:
        """``f`` decoded whole from the cache; for a file too large for that, its ``columns``
        held one by one (storage/columns.py): read now unless the query names few enough
        series for their row groups (``_decoded_groups``: then only when already held); never
        for each series' newest row (``newest``: the sidecar has them)."""
        dec = self._decoded.get(f.id, f.rows * len(f.columns) * 10,
                                lambda: Decoded(self.read(f), [c for c in f.columns if c in tags]))
        if dec is not None or columns is None or self._columns is None or newest:
            return dec
        if not tag_values:
            return self._columns.view(f, tags, columns)
        dec = self._columns.view(f, tags, columns, load=False)
        if dec is not None or len(self._row_groups(f).wanted(tag_values, start, end)) <= RowGroups.MAX_CACHED_GROUPS:
            return dec
        return self._columns.view(f, tags, columns)

    def warm(self, f: FileMeta, tags: list[str]) -> bool:
        """Read ahead what the first query of ``f`` reads: the file decoded into the cache when
        it fits (else its footer), and its sidecar (a server just started answers its first
        queries from them). Whether the cache has room for more (under half its budget used)."""
        if self.data is None:
            return False
        if self._decoded_file(f, tags) is None:
            self._row_groups(f)
        self.sidecar(f)
        return self._decoded.nbytes * 2 < self._decoded.budget

    def _decoded_groups(self, f: FileMeta, tags: list[str], tag_values: dict[str, list[str]] | None,
                        start: int, end: int) -> list[Decoded] | None:
        """The decoded row groups of a file too large to hold whole that may hold rows of those
        series: a one-host lookup decodes its one or two groups once, then slices them as it
        would a cached file. None when none or too many match, or they do not fit the cache."""
        if not tag_values or self.data is None:
            return None
        index = self._row_groups(f)
        groups = index.wanted(tag_values, start, end)
        if not groups or len(groups) > index.MAX_CACHED_GROUPS:
            return None
        tag_cols = [c for c in f.columns if c in tags]
        out = []
        for g in groups:
            rows = index.meta.row_group(g).num_rows
            dec = self._decoded.get((f.id, g), rows * len(f.columns) * 10,
                                    lambda g=g: Decoded(index.read_group(self.data.open_input(f.path), g), tag_cols))
            if dec is None:
                return None
            out.append(dec)
        return out

    def _row_groups(self, f: FileMeta) -> "RowGroups":
        index = self._rg.get(f.id)
        if index is None:
            index = self._rg[f.id] = RowGroups(pq.read_metadata(self.data.open_input(f.path)))
        return index

    def value_counts(self, files: list[FileMeta], fields: list[str], start: int, end: int) -> dict[str, int] | None:
        """Non-null values of each of ``fields`` with ``start <= time <= end`` over ``files`` (that
        share no row: the caller checked), from their footers where they say it (RowGroups.value_counts);
        None when one does not."""
        counts = dict.fromkeys(fields, 0)
        for f in files:
            if self.data is None:
                part = value_counts(self._mem[f.id], fields, start, end)
            else:
                part = self._row_groups(f).value_counts(self.data.open_input(f.path), fields, start, end)
            if part is None:
                return None
            for k, n in part.items():
                counts[k] += n
        return counts

    def select(self, files: list[FileMeta], tags: list[str], tag_values: dict[str, list[str]] | None,
               start: int, end: int, columns: list[str], limit: tuple[int, bool] | None = None) -> pl.LazyFrame | None:
        """:meth:`select_parts` as one LazyFrame."""
        parts = self.select_parts(files, tags, tag_values, start, end, columns, limit)
        if parts is None:
            return None
        lfs = [p.lazy() if isinstance(p, pl.DataFrame) else p for p in parts]
        return lfs[0] if len(lfs) == 1 else pl.concat(lfs, how="vertical", rechunk=False)

    def read(self, f: FileMeta) -> pl.DataFrame:
        if self.data is None:
            return self._mem[f.id]
        return encodings.as_floats(self.data.read_parquet(f.path))

    def forget(self, files: list[FileMeta]) -> None:
        """Drop what is cached of ``files`` (a reader's view of files another process deleted)."""
        for f in files:
            self._schemas.pop(f.id, None)
            self._rg.pop(f.id, None)
            self._decoded.drop(f.id)
            self._newest.pop(f.id, None)

    def delete(self, files: list[FileMeta]) -> None:
        self.forget(files)
        for f in files:
            if self.data is None:
                self._mem.pop(f.id, None)
            else:
                self.data.delete(f.path)
                self.data.delete(newest_rel(f.path))

    def exists(self, f: FileMeta) -> bool:
        return f.id in self._mem if self.data is None else self.data.exists(f.path)


NEWEST_SUFFIX = ".newest.arrow"  # beside each file: the newest row of each of its series


def newest_path(path: Path) -> Path:
    """The sidecar of a Parquet file: each series' newest row (Arrow IPC; not ``*.parquet``)."""
    return path.with_name(path.name[: -len(".parquet")] + NEWEST_SUFFIX)


def newest_rel(rel: str) -> str:
    """:func:`newest_path` of a relative path."""
    return rel[: -len(".parquet")] + NEWEST_SUFFIX


def _newest_rows(frame: pl.DataFrame, tcols: list[str]) -> pl.DataFrame:
    """The last row of each series of a frame sorted by series, then time."""
    if not tcols:
        return frame.tail(1)
    last = pl.int_range(pl.len()) == pl.len() - 1
    return frame.filter(pl.any_horizontal([last, *[pl.col(t).ne_missing(pl.col(t).shift(-1)) for t in tcols]]))


def _written_meta(frame: pl.DataFrame) -> dict:
    t = frame.get_column(TIME)
    return dict(rows=frame.height, tmin=t.min(), tmax=t.max(), columns=tuple(frame.columns))


def _column_options(frame: pl.DataFrame, tags: tuple[str, ...], fields: dict[str, FieldType],
                    group_rows: int) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """(dictionary-encoded columns, other columns' encodings, decimal scales of float columns
    stored as decimals) of a file that starts with ``frame``: tags and strings as dictionaries,
    time and integers delta-encoded, each float column as its first row group (``group_rows``)
    compresses best (storage/encodings.py)."""
    dictionary = [c for c in frame.columns if c in tags or fields.get(c) is FieldType.STRING]
    encoding = {TIME: "DELTA_BINARY_PACKED"}
    scales: dict[str, int] = {}
    for c in frame.columns:
        kind = fields.get(c) if c not in tags else None
        if kind is FieldType.FLOAT:
            sample = frame.get_column(c).head(min(group_rows, encodings.SAMPLE_ROWS)).drop_nulls().to_numpy()
            chosen, scale = encodings.float_layout(sample)
            if chosen == encodings.DICTIONARY:
                dictionary.append(c)
            elif chosen == encodings.DECIMAL:
                encoding[c], scales[c] = "DELTA_BINARY_PACKED", scale
            else:
                encoding[c] = chosen
        elif kind in _ENCODING:
            encoding[c] = _ENCODING[kind]
    return dictionary, encoding, scales


class _FileWriter:
    """One Parquet file written row group by row group. Float columns chosen as decimals stay
    so while every value written fits their scale; when a later row group does not (a
    compaction's later slices), the file so far is copied with those columns as DOUBLE."""

    def __init__(self, path: str, first: pl.DataFrame, tags: tuple[str, ...], fields: dict[str, FieldType],
                 config: StoreConfig, tag_order: list[str]):
        self.path, self.config = path, config
        self.cols = tuple(first.columns)
        self.dictionary, self.encoding, self.scales = _column_options(first, tags, fields,
                                                                      max(1, config.parquet_row_group_rows))
        self.sorting = [pq.SortingColumn(self.cols.index(c)) for c in tag_order if c in self.cols] + \
            [pq.SortingColumn(0)]
        # tsdb.tags: which String columns are tags, so a lost catalog can be rebuilt (storage/rebuild.py)
        self.base = first.slice(0, 0).to_arrow().schema.with_metadata(
            {"tsdb.tags": json.dumps([c for c in self.cols if c in tags])})
        self.writer = self._open()

    def _open(self) -> pq.ParquetWriter:
        schema = self.base
        for c, s in self.scales.items():
            schema = schema.set(schema.get_field_index(c), pa.field(c, pa.decimal64(encodings.PRECISION, s)))
        if self.scales:
            schema = schema.with_metadata({**schema.metadata, encodings.DECIMAL_COLUMNS_KEY: json.dumps(
                sorted(self.scales))})
        return pq.ParquetWriter(self.path, schema, compression=self.config.parquet_compression,
                                compression_level=self.config.parquet_compression_level,
                                use_dictionary=self.dictionary, column_encoding=self.encoding,
                                write_statistics=True, sorting_columns=self.sorting, store_decimal_as_integer=True)

    def write(self, table: pa.Table) -> None:
        """One row group (a float64 table with the file's columns)."""
        out, misfits = table, []
        for c, s in self.scales.items():
            dec = encodings.to_decimal(table.column(c), s)
            if dec is None:
                misfits.append(c)
            elif not misfits:
                out = out.set_column(out.schema.get_field_index(c), c, dec)
        if misfits:
            self._as_doubles(misfits, table)
            self.write(table)
        else:
            self.writer.write_table(out, row_group_size=max(1, out.num_rows))

    def _as_doubles(self, columns: list[str], table: pa.Table) -> None:
        """Store ``columns`` as DOUBLE from now on, in the layout ``table``'s values suit: the row
        groups written so far are copied into a new file with those columns read back."""
        self.writer.close()
        old = self.path + ".demote.tmp"  # (*.tmp: removed at open if a crash leaves it)
        os.replace(self.path, old)
        try:
            for c in columns:
                del self.scales[c]
                layout = encodings.float_encoding(table.column(c).drop_null().to_numpy())
                self.encoding.pop(c, None)
                if layout == encodings.DICTIONARY:
                    self.dictionary.append(c)
                else:
                    self.encoding[c] = layout
            self.writer = self._open()
            done = pq.ParquetFile(old)
            for g in range(done.num_row_groups):
                    self.write(encodings.as_floats(pl.from_arrow(done.read_row_group(g))).to_arrow())
        finally:
            os.unlink(old)

    def close(self) -> None:
        self.writer.close()


def _write_parquet(parts, path: str, tags: tuple[str, ...], fields: dict[str, FieldType],
                   config: StoreConfig, tag_order: list[str]) -> dict | None:
    """Write frames of one column set as one Parquet file; the :class:`Written` figures but
    size, None (no file) when they hold no rows."""
    step = max(1, config.parquet_row_group_rows)
    writer = None
    rows, tmin, tmax, cols = 0, None, None, ()
    newest: list[pl.DataFrame] = []
    try:
        for frame in parts:
            if frame.height == 0:
                continue
            if writer is None:
                cols = tuple(frame.columns)
                writer = _FileWriter(path, frame, tags, fields, config, tag_order)
            elif tuple(frame.columns) != cols:
                raise ValueError(f"parts of one file differ in columns: {frame.columns} != {list(cols)}")
            # Row group by row group, so the Arrow copy of a large flush never exists whole.
            for off in range(0, frame.height, step):
                writer.write(frame.slice(off, step).to_arrow())
            t = frame.get_column(TIME)
            rows += frame.height
            tmin = t.min() if tmin is None else min(tmin, t.min())
            tmax = t.max() if tmax is None else max(tmax, t.max())
            newest.append(_newest_rows(frame, [c for c in cols if c in tags]))
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        return None
    return dict(rows=rows, tmin=tmin, tmax=tmax, columns=cols, newest=pl.concat(newest))


# -- reading: sources → one merged LazyFrame -------------------------------------------
@dataclass(slots=True)
class Source:
    """A file, a sorted piece of buffered rows or a buffered chunk, in write order (``order``
    ascending = older). Sources of one ``group`` share no (series, time) key: overlapping
    in time, they still need no merge (storage/buffer_view.py)."""

    order: tuple[int, int]
    tmin: int
    tmax: int
    columns: tuple[str, ...]
    unique: Callable[[], bool] | bool
    file: FileMeta | None = None
    frame: pl.DataFrame | None = None
    decoded: Decoded | None = None
    group: int | None = None


class RowGroups:
    """A Parquet file's footer, parsed once: per row group the time range and the range of
    each tag column, so a lookup of a few series reads the row groups that may hold them
    (files are sorted by series, so that is one or two) without parsing the footer again."""

    MAX_GROUPS = 4  # one or two series; more groups than this and a plain scan is as quick
    MAX_CACHED_GROUPS = 64  # decoded once and kept (Files._decoded_groups): a few hosts' worth

    def __init__(self, meta: pq.FileMetaData):
        self.meta = meta
        n = meta.num_row_groups
        names = [meta.schema.column(j).name for j in range(meta.num_columns)]
        # per column: (min, max, known, all-null) arrays over the row groups
        self.ranges: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._nulls: tuple | None = None  # value_counts' (read when first asked): _null_counts
        self._last: tuple | None = None  # wanted()'s last question and answer
        for j, name in enumerate(names):
            lo, hi = np.empty(n, dtype=object), np.empty(n, dtype=object)
            known, empty = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
            for i in range(n):
                st = meta.row_group(i).column(j).statistics
                if st is not None and st.has_min_max:
                    lo[i], hi[i], known[i] = st.min, st.max, True
                elif st is not None and st.null_count == meta.row_group(i).num_rows:
                    empty[i] = True
            self.ranges[name] = (_typed(lo, known), _typed(hi, known), known, empty)

    def _null_counts(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(rows of each row group, per column its nulls in each, -1 where the footer does not say)."""
        meta, n = self.meta, self.meta.num_row_groups
        if self._nulls is None:
            by_column = {}
            for j in range(meta.num_columns):
                nulls = np.full(n, -1, dtype=np.int64)
                for i in range(n):
                    st = meta.row_group(i).column(j).statistics
                    if st is not None and st.has_null_count:
                        nulls[i] = st.null_count
                by_column[meta.schema.column(j).name] = nulls
            self._nulls = (np.array([meta.row_group(i).num_rows for i in range(n)], dtype=np.int64), by_column)
        return self._nulls

    def wanted(self, tag_values: dict[str, list[str]], start: int, end: int) -> list[int]:
        """Row groups that may hold rows of those series in that time range (the last answer
        kept: a query asks twice, whether to read them, then which)."""
        key = (tuple((k, tuple(v)) for k, v in tag_values.items()), start, end)
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        groups = self._wanted(tag_values, start, end)
        self._last = (key, groups)
        return groups

    def _wanted(self, tag_values: dict[str, list[str]], start: int, end: int) -> list[int]:
        keep = np.ones(self.meta.num_row_groups, dtype=bool)
        if TIME in self.ranges:
            lo, hi, known, _ = self.ranges[TIME]
            k = np.flatnonzero(known)
            keep[k] = (lo[k] <= end) & (hi[k] >= start)
        for key, values in tag_values.items():
            if key not in self.ranges:
                return []  # the tag is null in every row: never equal
            lo, hi, known, empty = self.ranges[key]
            hit = ~known & ~empty  # no statistics: it may hold anything
            k = np.flatnonzero(known & keep)
            for v in values:
                hit[k] |= (lo[k] <= v) & (hi[k] >= v)
            keep &= hit
        return np.flatnonzero(keep).tolist()

    def value_counts(self, path, fields: list[str], start: int, end: int) -> dict[str, int] | None:
        """Non-null values of each of ``fields`` with ``start <= time <= end``: from the footer's
        row and null counts for row groups wholly inside the range, read (time and those
        columns) for row groups across its ends; None when the footer lacks a statistic."""
        times = self.ranges.get(TIME)
        if times is None or not times[2].all() or times[0].dtype != np.int64:
            return None
        lo, hi = times[0], times[1]
        inside = (lo >= start) & (hi <= end)
        across = ~inside & (lo <= end) & (hi >= start)
        rows, all_nulls = self._null_counts()
        have = [f for f in fields if f in all_nulls]
        counts = dict.fromkeys(fields, 0)
        for f in have:
            nulls = all_nulls[f][inside]
            if (nulls < 0).any():
                return None
            counts[f] = int((rows[inside] - nulls).sum())
        groups = np.flatnonzero(across).tolist()
        if groups:
            table = pq.ParquetFile(path, metadata=self.meta).read_row_groups(groups, columns=[TIME, *have])
            for f, n in value_counts(pl.from_arrow(table), have, start, end).items():
                counts[f] += n
        return counts

    def read_group(self, path, group: int) -> pl.DataFrame:
        """One row group, every column."""
        return encodings.as_floats(pl.from_arrow(pq.ParquetFile(path, metadata=self.meta).read_row_group(group)))

    def read(self, path, tag_values: dict[str, list[str]], start: int, end: int,
             columns: list[str]) -> pl.DataFrame | None:
        """Rows with ``start <= time <= end`` of the series matching ``tag_values``, ``columns``
        only; None past ``MAX_GROUPS`` row groups (Polars' parallel scan does better there)."""
        groups = self.wanted(tag_values, start, end)
        if len(groups) > self.MAX_GROUPS:
            return None
        keys = [k for k in tag_values if k in self.ranges]
        need = list(dict.fromkeys([*columns, TIME, *keys]))
        if not groups:
            table = self.meta.schema.to_arrow_schema().empty_table().select(need)
        else:
            table = pq.ParquetFile(path, metadata=self.meta).read_row_groups(groups, columns=need)
        return _time_and_tags(encodings.as_floats(pl.from_arrow(table)), tag_values, start, end).select(columns)


def value_counts(frame: pl.DataFrame, fields: list[str], start: int, end: int) -> dict[str, int]:
    """Non-null values of each of ``fields`` in the rows with ``start <= time <= end`` (a field
    the frame lacks: 0)."""
    have = [f for f in fields if f in frame.columns]
    counts = dict.fromkeys(fields, 0)
    if have:
        row = frame.lazy().filter(pl.col(TIME).is_between(start, end)).select(
            [pl.col(f).count() for f in have]).collect().row(0, named=True)
        counts.update({f: int(row[f]) for f in have})
    return counts


def _time_and_tags(frame: pl.DataFrame, tag_values: dict[str, list[str]] | None, start: int,
                   end: int) -> pl.DataFrame:
    """Rows with ``start <= time <= end`` whose tags match ``tag_values`` (a tag the frame
    lacks is null: never equal)."""
    cond = pl.col(TIME).is_between(start, end)
    for key, values in (tag_values or {}).items():
        cond = cond & (pl.col(key).is_in(values) if key in frame.columns else pl.lit(False))
    return frame.filter(cond)


def _typed(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Statistics as a numpy string or int64 array (comparisons in C, not per object: a
    1,000-host day has 490 row groups), unknown entries filled; as they are otherwise."""
    sample = [v for v, k in zip(values.tolist(), known.tolist()) if k]
    if sample and all(type(v) is str for v in sample):
        return np.array([v if k else "" for v, k in zip(values.tolist(), known.tolist())], dtype=str)
    if sample and all(type(v) is int for v in sample):
        return np.array([v if k else 0 for v, k in zip(values.tolist(), known.tolist())], dtype=np.int64)
    return values


def dirty_flags(sources: list[Source]) -> list[bool]:
    """A source needs the merge if it overlaps another in time or repeats keys inside."""
    n = len(sources)
    dirty = [False] * n
    idx = sorted(range(n), key=lambda i: sources[i].tmin)
    group: list[int] = []
    gmax = None

    def mark(group: list[int]) -> None:
        kinds = {sources[j].group for j in group}
        if len(group) > 1 and (len(kinds) > 1 or None in kinds):  # one group: no shared key
            for j in group:
                dirty[j] = True

    for i in idx:
        s = sources[i]
        if group and s.tmin <= gmax:
            group.append(i)
            gmax = max(gmax, s.tmax)
        else:
            mark(group)
            group, gmax = [i], s.tmax
    mark(group)
    for i, s in enumerate(sources):
        if not dirty[i]:
            u = s.unique() if callable(s.unique) else s.unique
            dirty[i] = not u
    return dirty


def build_frame(files: Files, sources: list[Source], schema: dict[str, pl.DataType], tags: list[str],
                fields: list[str], start: int, end: int, out: list[str],
                tag_values: dict[str, list[str]] | None = None) -> pl.DataFrame:
    """:func:`build_scan`, collected; when every source is a clean cached file, built with
    eager calls only (a lazy plan's fixed cost is most of a one-series lookup)."""
    live = [s for s in sources if s.tmax >= start and s.tmin <= end]
    if not live:  # (a window past the rows written so far: no plan to run for nothing)
        return pl.DataFrame(schema={c: schema[c] for c in out})
    if all(s.file is not None or s.decoded is not None for s in live) and not any(dirty_flags(live)):
        frames: list[pl.DataFrame] = []
        for s in live:
            parts = files.select_parts([s.file], tags, tag_values, start, end, out) if s.file is not None else \
                [s.decoded.select(tag_values, start, end, [c for c in out if c in s.columns])]
            if parts is None:
                break
            frames.extend(_conform_frame(p.collect() if isinstance(p, pl.LazyFrame) else p, schema, out)
                          for p in parts)
        else:
            frames = [f for f in frames if f.height] or frames[:1]
            return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical", rechunk=False)
    return build_scan(files, sources, schema, tags, fields, start, end, out, tag_values).collect()


def _conform_frame(df: pl.DataFrame, schema: dict[str, pl.DataType], out: list[str]) -> pl.DataFrame:
    if df.columns == out:
        return df
    h = df.height
    return pl.DataFrame([df.get_column(c) if c in df.columns else
                         pl.repeat(None, h, dtype=schema[c], eager=True).alias(c) for c in out])


def build_scan(files: Files, sources: list[Source], schema: dict[str, pl.DataType], tags: list[str],
               fields: list[str], start: int, end: int, out: list[str],
               tag_values: dict[str, list[str]] | None = None,
               limit: tuple[int, bool] | None = None, counted: frozenset[str] = frozenset()) -> pl.LazyFrame:
    """Merged, deduplicated rows with ``start <= time <= end``, columns ``out`` (types from ``schema``).

    ``tag_values`` (tag → accepted values) keeps only the rows of matching series: sliced
    out of cached files by their series index, filtered everywhere else (Parquet statistics
    prune with it), so the result is exact. ``limit = (n, newest)`` lets clean cached files
    keep only the n oldest (newest) rows of each series: a superset of what a per-series
    LIMIT keeps (other sources are read whole). ``counted``: see :meth:`Files.scan`."""
    sources = [s for s in sources if s.tmax >= start and s.tmin <= end]
    if not sources:
        return pl.LazyFrame(schema={c: schema[c] for c in out})
    time_filter = pl.col(TIME).is_between(start, end)
    dirty = dirty_flags(sources)
    parts: list[pl.LazyFrame] = []
    clean_files: dict[tuple[str, ...], list[FileMeta]] = {}
    clean_frames: list[pl.DataFrame] = []
    for s, d in zip(sources, dirty):
        if d:
            continue
        if s.file is not None:
            clean_files.setdefault(s.columns, []).append(s.file)
        elif s.decoded is None:
            clean_frames.append(s.frame)
    def filtered(lf: pl.LazyFrame, cols: tuple[str, ...]) -> pl.LazyFrame:
        lf = lf.filter(time_filter)
        return lf.filter(_tag_filter(tag_values, cols)) if tag_values else lf

    for cols, fl in clean_files.items():
        lf = files.select(fl, tags, tag_values, start, end, out, limit)
        lf = filtered(files.scan(fl, counted), cols) if lf is None else lf
        parts.append(_conform(lf, cols, schema, out))
    parts.extend(_piece_rows(s, tag_values, start, end, out, limit, schema)
                 for s in _clean_pieces(sources, dirty, tag_values, start, end, limit))
    by_cols: dict[tuple[str, ...], list[pl.DataFrame]] = {}
    for fr in clean_frames:
        by_cols.setdefault(tuple(fr.columns), []).append(fr)
    for cols, frs in by_cols.items():
        lf = (frs[0] if len(frs) == 1 else pl.concat(frs, how="vertical", rechunk=False)).lazy()
        parts.append(_conform(filtered(lf, cols), cols, schema, out))

    dirty_src = sorted((s for s, d in zip(sources, dirty) if d), key=lambda s: s.order)
    if dirty_src:
        need = [TIME, *tags, *[f for f in fields if f in out]]
        lfs = []
        for s in dirty_src:
            lf = files.select([s.file], tags, tag_values, start, end, need) if s.file is not None else \
                _piece_rows(s, tag_values, start, end, need) if s.decoded is not None else None
            if lf is None:
                lf = filtered(files.scan([s.file]) if s.file is not None else s.frame.lazy(), s.columns)
            lfs.append(_conform(lf, s.columns, schema, need))
        merged = merge_points(pl.concat(lfs, how="vertical"), [*tags, TIME],
                              [f for f in fields if f in out])
        parts.append(merged.select(out))
    if len(parts) == 1:
        return parts[0]
    return pl.concat(parts, how="vertical", rechunk=False)


def _clean_pieces(sources: list[Source], dirty: list[bool], tag_values, start: int, end: int,
                  limit: tuple[int, bool] | None) -> list[Source]:
    """The sorted pieces of buffered rows among ``sources`` that need no merge; for each series'
    newest rows (``limit``), only those that may hold some (storage/newest_pieces.py)."""
    pieces = [s for s, d in zip(sources, dirty) if not d and s.decoded is not None]
    if limit is not None and limit[1] and len(pieces) > 1:
        return newest_pieces(pieces, tag_values, start, end, limit[0])
    return pieces


def _piece_rows(s: Source, tag_values, start: int, end: int, out: list[str], limit=None,
                schema: dict | None = None) -> pl.LazyFrame:
    """The rows of a sorted piece of buffered rows, sliced as a cached file's (columns ``out``
    when ``schema`` is given, else those of ``out`` it has)."""
    part = s.decoded.select(tag_values, start, end, [c for c in out if c in s.columns], limit)
    lf = part.lazy() if isinstance(part, pl.DataFrame) else part
    return lf if schema is None else _conform(lf, s.columns, schema, out)


def _tag_filter(tag_values: dict[str, list[str]], present: tuple[str, ...]) -> pl.Expr:
    """Rows whose tags take one of the asked values (a tag a source lacks is null: no match)."""
    return pl.all_horizontal([pl.col(k).is_in(v) if k in present else pl.lit(False)
                              for k, v in tag_values.items()])


def _conform(lf: pl.LazyFrame, present: tuple[str, ...], schema: dict[str, pl.DataType],
             out: list[str]) -> pl.LazyFrame:
    have = set(present)
    return lf.select([pl.col(c) if c in have else pl.lit(None, dtype=schema[c]).alias(c) for c in out])



class _JoinedRows(Mapping):
    """One series' rows in several sources, column by column: each source's arrays (in
    ``columns``' order) and its rows ``lo:hi`` there, joined when a column is first read (a
    condition reads a column or two of eleven); one source's rows are a view."""

    def __init__(self, columns: list[str], segments: list[tuple[tuple, int, int]]):
        self.at = {c: i for i, c in enumerate(columns)}
        self.segments = segments
        self.joined: dict[str, np.ndarray] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        hit = self.joined.get(column)
        if hit is None:
            i = self.at[column]
            parts = [arrays[i][lo:hi] for arrays, lo, hi in self.segments]
            hit = self.joined[column] = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return hit

    def __iter__(self):
        return iter(self.at)

    def __len__(self) -> int:
        return len(self.at)
