"""The series index: distinct tag sets per (db, rp, measurement), without scanning data.

Writes hand over their tag columns (zero-copy selections) and the index folds
them in lazily, so the write path pays nothing; reads fold pending parts with
one ``unique``. Persisted beside the data as ``<measurement>/_series.arrow``
(Arrow IPC, ignored by ``**/*.parquet`` readers) when files are flushed.
"""
from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from .fileio import atomic_write_bytes, makedirs_durable

Key = tuple[str, str, str]
INDEX_FILE = "_series.arrow"
_FOLD_AT = 64


class SeriesIndex:
    """Distinct tag sets per measurement, kept in memory and on disk so SHOW and pruning need no scan."""
    def __init__(self) -> None:
        self._sets: dict[Key, pl.DataFrame] = {}
        self._pending: dict[Key, list[pl.DataFrame]] = {}
        # (key, tag) -> (the tag-set frame they came from, its sorted values): SHOW TAG VALUES
        # asks again and again; a fold or replace makes a new frame, so identity says "still valid"
        self._values: dict[tuple[Key, str], tuple[pl.DataFrame, tuple[str, ...]]] = {}
        self._columns: dict[Key, tuple[pl.DataFrame, list[str]]] = {}

    def add(self, key: Key, tags: pl.DataFrame) -> None:
        """Record the tag sets of ``tags`` (one String column per tag key, any number of rows)."""
        pend = self._pending.setdefault(key, [])
        pend.append(tags)
        if len(pend) >= _FOLD_AT:
            self._fold(key)

    def series(self, key: Key) -> pl.DataFrame:
        """Distinct tag sets, columns sorted by key, rows sorted; height 1 with no columns for a tagless measurement."""
        self._fold(key)
        frame = self._sets.get(key)
        return frame if frame is not None else pl.DataFrame()  # (a default argument is built every call)

    def tag_values(self, key: Key, tag: str) -> tuple[str, ...]:
        """The distinct non-empty values of ``tag`` (sorted by code point), remembered per tag-set frame."""
        frame = self.series(key)
        memo = self._values.get((key, tag))
        if memo is not None and memo[0] is frame:
            return memo[1]
        if tag not in frame.columns:
            values: tuple[str, ...] = ()
        else:
            col = frame.get_column(tag)
            raw = (set(col.to_list()) if col.len() <= 10_000 else
                   col.drop_nulls().unique().to_list())  # Python's set is quicker on a few thousand
            values = tuple(sorted(v for v in raw if v))  # UTF-8 byte order is code point order
        self._values[(key, tag)] = (frame, values)
        return values

    def columns(self, key: Key) -> list[str]:
        """The tag keys of ``key``'s series (the tag-set frame's columns), remembered like tag_values."""
        frame = self.series(key)
        memo = self._columns.get(key)
        if memo is None or memo[0] is not frame:
            memo = self._columns[key] = (frame, frame.columns)
        return memo[1]

    def keys(self) -> list[Key]:
        return list(self._sets.keys() | self._pending.keys()) if self._pending else list(self._sets)

    def replace(self, key: Key, tags: pl.DataFrame | None) -> None:
        """Set a key's tag sets outright (after a rebuild); None forgets it."""
        self._pending.pop(key, None)
        if tags is None:
            self._sets.pop(key, None)
        else:
            self._sets[key] = _distinct([tags])

    def drop(self, pred) -> None:
        for d in (self._sets, self._pending):
            for k in [k for k in d if pred(k)]:
                del d[k]
        for k in [k for k in self._values if pred(k[0])]:
            del self._values[k]
        for k in [k for k in self._columns if pred(k)]:
            del self._columns[k]

    def _fold(self, key: Key) -> None:
        pend = self._pending.pop(key, None)
        if not pend:
            return
        old = self._sets.get(key)
        self._sets[key] = _distinct(([old] if old is not None else []) + pend)

    # -- persistence -------------------------------------------------------------
    def save(self, key: Key, directory: Path, stop: Path) -> None:
        frame = self.series(key)
        makedirs_durable(directory, stop)
        buf = io.BytesIO()
        if frame.width == 0:
            frame = pl.DataFrame({"__tagless": [True] * frame.height}, schema={"__tagless": pl.Boolean})
        frame.write_ipc(buf)
        atomic_write_bytes(directory / INDEX_FILE, buf.getvalue())

    def load(self, key: Key, directory: Path) -> bool:
        path = directory / INDEX_FILE
        if not path.exists():
            return False
        frame = pl.read_ipc(io.BytesIO(path.read_bytes()))
        if "__tagless" in frame.columns:
            frame = pl.DataFrame(height=frame.height)
        self.replace(key, frame)
        return True


def _distinct(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Union of tag sets; a zero-width frame with rows stands for the empty tag set."""
    tagless = any(f.width == 0 and f.height for f in frames)
    wide = [f for f in frames if f.width > 0]
    if not wide:
        return pl.DataFrame(height=1 if tagless else 0)
    cat = pl.concat(wide, how="diagonal_relaxed")
    cols = sorted(cat.columns)
    cat = cat.select(cols)
    if tagless:
        cat = pl.concat([cat, pl.DataFrame({c: [None] for c in cols}, schema={c: pl.String for c in cols})])
    return cat.unique().sort(cols, nulls_last=False)
