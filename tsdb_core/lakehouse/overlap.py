"""Which live files may be published without showing a row a later write replaced.

The store keeps one row per series and time: when two files hold the same series and time,
the newer file's values win when the store reads them (field by field). Iceberg readers
would see both rows, so such files are held back until compaction merges them into one file.
Only files whose time ranges overlap can share a (series, time); for those the keys are read
(time and tag columns only, once per publish) and just the files that really share one are
held. The verdict for each pair of files is kept: files never change, only come and go.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl
import pyarrow as pa

from .mapping import TIME

KeyReader = Callable[[object, list[str]], pa.Table]  # (file, columns) -> those columns


class OverlapCheck:
    """Splits a table's live files into (published, held back), remembering verdicts per pair."""

    def __init__(self, read_keys: KeyReader):
        self._read_keys = read_keys
        self._shares: dict[tuple[int, int], bool] = {}  # (older id, newer id) -> they share a key
        self.keys_read = 0  # files whose keys were read (the cost of the exact check)

    def split(self, files: Sequence, tags: Sequence[str]) -> tuple[list, list]:
        """(files safe to publish, files held back because they share a series and time with another)."""
        published: list = []
        held: list = []
        for group in _overlapping_groups(files):
            bad = self._held_ids(group, tags) if len(group) > 1 else set()
            for f in group:
                (held if f.id in bad else published).append(f)
        return published, held

    def _held_ids(self, group: list, tags: Sequence[str]) -> set[int]:
        """Ids of the files sharing a (series, time) with another file of ``group``."""
        keys: dict[int, pl.DataFrame] = {}
        bad: set[int] = set()
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if max(a.tmin, b.tmin) > min(a.tmax, b.tmax):  # ranges apart: no common time
                    continue
                pair = (min(a.id, b.id), max(a.id, b.id))
                if pair not in self._shares:
                    self._shares[pair] = _share(self._keys(a, tags, keys), self._keys(b, tags, keys))
                if self._shares[pair]:
                    bad.update(pair)
        return bad

    def _keys(self, f, tags: Sequence[str], cache: dict) -> pl.DataFrame:
        if f.id not in cache:
            frame = pl.from_arrow(self._read_keys(f, [TIME, *(t for t in tags if t in f.columns)]))
            assert isinstance(frame, pl.DataFrame)
            cache[f.id] = frame
            self.keys_read += 1
        return cache[f.id]

    def forget_except(self, live_ids: set[int]) -> None:
        """Drop verdicts about files that are gone (so the memory stays bounded)."""
        self._shares = {k: v for k, v in self._shares.items() if k[0] in live_ids and k[1] in live_ids}


def _overlapping_groups(files: Sequence) -> list[list]:
    """Files chained by overlapping [tmin, tmax] ranges (a sweep over files sorted by tmin)."""
    groups: list[list] = []
    end = None
    for f in sorted(files, key=lambda f: (f.tmin, f.id)):
        if end is not None and f.tmin <= end:
            groups[-1].append(f)
            end = max(end, f.tmax)
        else:
            groups.append([f])
            end = f.tmax
    return groups


def _share(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    """Whether two files' key frames (time and tags) hold a common (series, time)."""
    lo = max(a.get_column(TIME).min(), b.get_column(TIME).min())  # type: ignore[type-var]
    hi = min(a.get_column(TIME).max(), b.get_column(TIME).max())  # type: ignore[type-var]
    both = pl.concat([a.filter(pl.col(TIME).is_between(lo, hi)).with_columns(pl.lit(0).alias("__side")),
                      b.filter(pl.col(TIME).is_between(lo, hi)).with_columns(pl.lit(1).alias("__side"))],
                     how="diagonal_relaxed")
    cols = [c for c in both.columns if c != "__side"]
    return bool(both.select(pl.struct(cols).is_duplicated().any()).item())
