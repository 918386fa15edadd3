"""A provider seen through a time window: the series, tag keys, tag values and measurements
with points in [start, end]. InfluxDB 3 answers SHOW from rows in a range; 1.x answers
SHOW SERIES / TAG KEYS / TAG VALUES with a time bound from the shard groups it overlaps."""
from __future__ import annotations

import polars as pl

from ...base.time import MAX_TIME, MIN_TIME

# Go's zero time (year 1), from which influxd truncates times to shard groups, in ns
GO_ZERO_TIME = -62_135_596_800 * 1_000_000_000


class SeriesInWindow:
    """Everything but series, tag keys, tag values and measurements is the wrapped provider's."""

    def __init__(self, provider, start: int, end: int):
        self._p, self._start, self._end = provider, start, end

    def __getattr__(self, name):
        return getattr(self._p, name)

    def series(self, db: str, rp: str | None, measurement: str) -> pl.DataFrame:
        schema = self._p.schema(db, measurement)
        tags = list(schema.tags) if schema is not None else []
        if self._start > self._end:
            frame = pl.DataFrame(schema={t: pl.String for t in tags} or {"time": pl.Int64})
        else:
            frame = self._p.scan_frame(db, rp, measurement, self._start, self._end, columns=tags or None)
        if not tags:
            # width 0: one tagless series (meta/show.py series_frame); a zero-row column: none
            return pl.DataFrame() if frame.height else pl.DataFrame(schema={"\x00series": pl.Int64})
        return frame.select(tags).unique(maintain_order=True)

    def tag_values(self, db: str, rp: str | None, measurement: str, tag: str) -> list[str]:
        frame = self.series(db, rp, measurement)
        if tag not in frame.columns:
            return []
        return sorted(v for v in set(frame[tag].to_list()) if v)

    def tag_keys(self, db: str, rp: str | None, measurement: str) -> list[str]:
        frame = self.series(db, rp, measurement)
        return sorted(c for c in frame.columns if frame[c].is_not_null().any() and (frame[c] != "").any())

    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        if self._start > self._end:
            return []
        return [m for m in self._p.measurements(db, rp)
                if self._p.scan_frame(db, rp, m, self._start, self._end).height]


def shard_groups(start: int, end: int, duration: int) -> tuple[int, int]:
    """[start, end] widened to whole shard groups of ``duration`` (Go's ``time.Truncate``);
    an unbounded side stays unbounded."""
    if duration <= 0:
        return start, end
    if start != MIN_TIME:
        start -= (start - GO_ZERO_TIME) % duration
    if end != MAX_TIME:
        end = end - (end - GO_ZERO_TIME) % duration + duration - 1
    return start, min(end, MAX_TIME)
