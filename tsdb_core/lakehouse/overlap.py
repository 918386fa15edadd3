"""Which live files may be published without showing a row a later write replaced.

The store keeps one row per series and time: when two files hold the same series and time,
the newer file's values win when the store reads them (field by field). Iceberg readers
would see both rows, so such files are held back until compaction merges them into one file.
Only files whose time ranges overlap can share a (series, time); for those the keys are read
(time and tag columns only) and just the files that really share one are held. The verdict
for a group of files is kept: files never change, only come and go.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl
import pyarrow as pa

from .mapping import TIME

KeyReader = Callable[[object, list[str]], pa.Table]  # (file, columns) -> those columns


class OverlapCheck:
    """Splits a table's live files into (published, held back), remembering verdicts."""

    def __init__(self, read_keys: KeyReader):
        self._read_keys = read_keys
        self._verdicts: dict[frozenset[int], frozenset[int]] = {}
        self.keys_read = 0  # files whose keys were read (the cost of the exact check)

    def split(self, files: Sequence, tags: Sequence[str]) -> tuple[list, list]:
        published: list = []
        held: list = []
        for group in _overlapping_groups(files):
            bad = self._held_ids(group, tags) if len(group) > 1 else frozenset()
            for f in group:
                (held if f.id in bad else published).append(f)
        return published, held

    def _held_ids(self, group: list, tags: Sequence[str]) -> frozenset[int]:
        ids = frozenset(f.id for f in group)
        verdict = self._verdicts.get(ids)
        if verdict is None:
            verdict = self._verdicts[ids] = _sharing_files(group, tags, self._read_keys)
            self.keys_read += len(group)
        return verdict

    def forget_except(self, live_ids: set[int]) -> None:
        """Drop verdicts about files that are gone (so the memory stays bounded)."""
        self._verdicts = {k: v for k, v in self._verdicts.items() if k <= live_ids}


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


def _sharing_files(group: list, tags: Sequence[str], read_keys: KeyReader) -> frozenset[int]:
    """Ids of the files in ``group`` holding a (series, time) that another file also holds."""
    frames = []
    for f in group:
        cols = [TIME, *(t for t in tags if t in f.columns)]
        frame = pl.from_arrow(read_keys(f, cols))
        assert isinstance(frame, pl.DataFrame)
        frames.append(frame.with_columns(pl.lit(f.id, dtype=pl.Int64).alias("__file")))
    keys = pl.concat(frames, how="diagonal_relaxed")
    key_cols = [c for c in keys.columns if c != "__file"]
    dup = keys.filter(pl.struct(key_cols).is_duplicated())
    return frozenset(dup.get_column("__file").unique().to_list())
