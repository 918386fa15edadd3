"""GROUP BY time windows and fill(): InfluxDB's bucket alignment and gap filling.

``window_start`` is InfluxDB's ``IteratorOptions.Window`` (offset, then the
zone offset of ``tz()``, corrected once at the window start so DST days are
23 or 25 hours long); ``bucket_grid`` lists the windows of a time range (under
``tz()`` the walk of influxd's fill iterator); ``fill`` completes each series'
grid with null/none/value/previous/linear.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from ...base.errors import QueryError
from ...base.time import MIN_TIME
from ..plan.nodes import GRID_COLUMN, KEY_COLUMN, WINDOW_COLUMN, gap_column


def _zone_offset(ns: int, zone: ZoneInfo) -> int:
    sec = ns // 1_000_000_000
    sec = max(min(sec, 253402300799), -62135596800)
    off = datetime.fromtimestamp(sec, tz=timezone.utc).astimezone(zone).utcoffset()
    return int(off.total_seconds()) * 1_000_000_000 if off else 0


def window_start(t: int, interval: int, offset: int = 0, tz: str | None = None) -> int:
    """The start of the window holding ``t`` (InfluxDB's ``opt.Window``)."""
    t -= offset
    zone = ZoneInfo(tz) if tz else None
    zoff = _zone_offset(t, zone) if zone else 0
    dt = (t + zoff) % interval
    start = MIN_TIME if MIN_TIME + dt >= t else t - dt
    if zone is not None:
        o = zoff - _zone_offset(start, zone)
        if o != 0 and abs(o) < interval:
            start += o
    return start + offset


def bucket_grid(first: int, last: int, interval: int, offset: int, tz: str | None,
                max_buckets: int = 0) -> list[int]:
    """Window starts from the window of ``first`` to the window of ``last``; under ``tz()``
    the windows influxd's fill iterator steps through (:func:`_zone_walk`)."""
    b, end = _grid_ends(first, last, interval, offset, tz, max_buckets)
    if tz is None:
        return list(range(b, end + 1, interval))
    return _zone_walk(b, end, interval, tz)


def bucket_grid_array(first: int, last: int, interval: int, offset: int, max_buckets: int = 0) -> np.ndarray:
    """:func:`bucket_grid` without ``tz()``, as int64 (for numpy callers: no list of ints to convert)."""
    b, end = _grid_ends(first, last, interval, offset, None, max_buckets)
    return np.arange(b, end + 1, interval, dtype=np.int64)


def grid_ends(first: int, last: int, interval: int, offset: int, max_buckets: int = 0) -> tuple[int, int]:
    """The first and last window start of a grid without ``tz()``, its size checked as
    :func:`bucket_grid` checks it (for callers that then build only part of it)."""
    return _grid_ends(first, last, interval, offset, None, max_buckets)


def _grid_ends(first: int, last: int, interval: int, offset: int, tz: str | None,
               max_buckets: int) -> tuple[int, int]:
    """The first and last window start of a grid, its size checked against the bucket limits."""
    b = window_start(first, interval, offset, tz)
    end = window_start(last, interval, offset, tz)
    n = (end - b) // interval + 1
    if max_buckets and n > max_buckets:
        raise QueryError(f"max-select-buckets limit exceeded: ({n}/{max_buckets})")
    if n > 10_000_000:
        raise QueryError(f"max-select-buckets limit exceeded: ({n}/10000000)")
    return b, end


_CHUNK = 1 << 16


def zone_steps(w: int, end: int, interval: int, tz: str, wo: int) -> np.ndarray:
    """:func:`_zone_walk` from ``w`` whose last zone offset is ``wo`` (the walk's offset
    when it stepped to ``w``), as int64."""
    return np.asarray(_zone_walk(w, end, interval, tz, wo), dtype=np.int64)


def zone_offset(ns: int, tz: str) -> int:
    """The offset of ``tz`` at ``ns`` (influxd's ``opt.Zone``): the zone database's rule past
    its last transition, as Go applies it (2262 is in daylight time in New York; Polars'
    data stops such rules in 2100, :func:`_zone_offsets`)."""
    return _zone_offset(ns, ZoneInfo(tz))


def _zone_walk(w: int, end: int, interval: int, tz: str, wo: int | None = None) -> list[int]:
    """influxd's fill iterator under ``tz()``: from the first window, one interval at a time;
    where the zone offset just before a step differs from the last one, the step moves by
    the difference (when smaller than the interval). Regular runs are checked a chunk at a
    time against vectorised zone offsets; a zone change (twice a year for DST) is one step."""
    wo = int(_zone_offsets(np.asarray([w], dtype=np.int64), tz)[0]) if wo is None else wo
    out: list = []
    while w <= end:
        n = min((end - w) // interval + 1, _CHUNK)
        cand = w + interval * np.arange(n, dtype=np.int64)
        zs = _zone_offsets(cand[1:] - 1, tz) if n > 1 else np.empty(0, dtype=np.int64)
        bad = np.flatnonzero(zs != wo)
        if not bad.size:
            out.append(cand)
            w = int(cand[-1]) + interval
            z = int(_zone_offsets(np.asarray([w - 1], dtype=np.int64), tz)[0])
        else:
            m = int(bad[0]) + 1
            out.append(cand[:m])
            w, z = int(cand[m]), int(zs[m - 1])
        if z != wo:
            if abs(wo - z) < interval:
                w += wo - z
            wo = z
    return np.concatenate(out).tolist() if out else []


def row_windows(first: int, last: int, interval: int, offset: int, tz: str) -> list[int]:
    """Every start influxd's ``Window(t)`` gives to a time from ``first`` to ``last`` under
    ``tz()``, ascending: a row's window is the last of them not after it (:func:`bucket_expr`).
    Near a zone change they need not be steps of the fill iterator's walk."""
    return _zone_grid(window_start(first, interval, offset, tz), window_start(last, interval, offset, tz),
                      interval, offset, tz)


def _next_start(b: int, interval: int, offset: int, tz: str) -> int:
    nxt = window_start(b + interval, interval, offset, tz)
    if nxt <= b:  # a DST shift swallowed the step: move past it
        nxt = window_start(b + 2 * interval, interval, offset, tz)
    return nxt


def _zone_grid(b: int, end: int, interval: int, offset: int, tz: str) -> list[int]:
    """The windows of ``tz()`` from ``b`` to ``end``: regular steps, checked a chunk at a time
    against a vectorised :func:`window_start`; only where a zone shift breaks the step (twice
    a year for DST) does a window come from the one-at-a-time rule."""
    out: list = []
    restarts = 0
    while b <= end:
        n = min((end - b) // interval + 1, _CHUNK)
        cand = b + interval * np.arange(n, dtype=np.int64)
        bad = np.flatnonzero(_window_starts(cand, interval, offset, tz) != cand)
        k = int(bad[0]) if bad.size else n
        out.append(cand[:max(k, 1)])
        restarts += k < n
        prev = int(cand[max(k, 1) - 1])
        if restarts > 1000:  # the two zone databases disagree: step one window at a time
            b = _next_start(prev, interval, offset, tz)
            rest = []
            while b <= end:
                rest.append(b)
                b = _next_start(b, interval, offset, tz)
            out.append(np.asarray(rest, dtype=np.int64))
        else:
            b = _next_start(prev, interval, offset, tz)
    return np.concatenate(out).tolist() if out else []


def merged_windows(walk: list[int], data: list[int]) -> list[int]:
    """The windows one series' answer has under ``tz()`` (influxd's fill iterator): each step of
    the walk is taken by the series' next window when that one is not later, else it is a gap
    to fill; windows left after the walk follow."""
    out, j = [], 0
    for w in walk:
        if j < len(data) and data[j] <= w:
            out.append(data[j])
            j += 1
        else:
            out.append(w)
    out.extend(data[j:])
    return out


def _zone_offsets(t: np.ndarray, tz: str) -> np.ndarray:
    local = pl.Series(t).cast(pl.Datetime("ns", "UTC")).dt.convert_time_zone(tz)
    return (local.dt.base_utc_offset() + local.dt.dst_offset()).dt.total_nanoseconds().to_numpy()


def _window_starts(t: np.ndarray, interval: int, offset: int, tz: str) -> np.ndarray:
    """:func:`window_start` of many times at once (zone offsets from Polars' time zone data)."""
    t = t - offset
    zoff = _zone_offsets(t, tz)
    start = t - (t + zoff) % interval
    o = zoff - _zone_offsets(start, tz)
    start = np.where((o != 0) & (np.abs(o) < interval), start + o, start)
    return start + offset


def bucket_expr(interval: int, offset: int, tz: str | None, grid: list[int] | None) -> pl.Expr:
    """``_b``: the window start of each row's time."""
    t = pl.col("time")
    if not interval:
        raise ValueError("no interval")
    if tz is None or grid is None:
        return (t // interval) * interval if not offset else ((t - offset) // interval) * interval + offset
    g = pl.lit(pl.Series(GRID_COLUMN, grid, dtype=pl.Int64))
    return g.gather((g.search_sorted(t, side="right") - 1).clip(0, None))


def fill(frame: pl.DataFrame, keys: list[str], grid: list[int], columns: list[str],
         mode: str, value, count_like: set[str], descending: bool = False, *,
         merge: bool = False, full: pl.DataFrame | None = None, scalar=None) -> pl.DataFrame:
    """Complete every series (``keys``) of ``frame`` to the grid and fill the gaps.

    ``descending`` (ORDER BY time DESC): fill(previous) looks at the later window.
    ``merge``: each series' windows are :func:`merged_windows` of the grid and its own.
    ``full``: the (keys, window) rows to complete to, in order, instead of the grid's.
    ``scalar``: fill(<number>) as a column's type (value, dtype -> value), else influxd's cast.
    """
    if mode == "none" or frame.height == 0:
        return frame
    if full is None:
        full = _merged(frame, keys, grid) if merge else _crossed(frame, keys, grid, descending)
    out = full.join(frame, on=keys + [WINDOW_COLUMN], how="left", maintain_order="left")
    if mode == "null":
        fills = [_only_gaps(c, out, pl.col(c).fill_null(0)) for c in columns if c in count_like]
    elif mode == "value":
        fills = [_only_gaps(c, out, _fill_value(c, out.schema[c], value) if scalar is None or out.schema[c] == pl.Null else
                            pl.col(c).fill_null(pl.lit(scalar(value, out.schema[c]), out.schema[c])))
                 for c in columns]
    elif mode == "previous":
        out = out.with_row_index(FILL_ROW)
        return out.with_columns([_previous(c, out, keys) for c in columns]).drop(FILL_ROW)
    elif mode == "linear":
        fills = [_linear(c, out, keys) for c in columns]
    else:
        raise QueryError(f"unknown fill option {mode}")
    return out.with_columns(fills) if fills else out


def _crossed(frame: pl.DataFrame, keys: list[str], grid: list[int], descending: bool) -> pl.DataFrame:
    series = frame.select(keys).unique(maintain_order=True) if keys else pl.DataFrame({KEY_COLUMN: [0]})
    grid_df = pl.DataFrame({WINDOW_COLUMN: pl.Series(grid[::-1] if descending else grid, dtype=pl.Int64)})
    full = series.join(grid_df, how="cross")
    return full.drop(KEY_COLUMN) if not keys else full


def _merged(frame: pl.DataFrame, keys: list[str], grid: list[int]) -> pl.DataFrame:
    """(keys, window) of every series in :func:`merged_windows` order (ascending time)."""
    parts = []
    for part in frame.partition_by(keys, maintain_order=True) if keys else [frame]:
        wins = merged_windows(grid, sorted(part[WINDOW_COLUMN].unique().to_list()))
        head = part.select(keys).head(1)
        parts.append(head.join(pl.DataFrame({WINDOW_COLUMN: pl.Series(wins, dtype=pl.Int64)}), how="cross")
                     if keys else pl.DataFrame({WINDOW_COLUMN: pl.Series(wins, dtype=pl.Int64)}))
    return pl.concat(parts)


FILL_ROW = "\x00fill_row"  # a row's place in the completed grid (fill(previous) reads back)


def _previous(c: str, out: pl.DataFrame, keys: list[str]) -> pl.Expr:
    """fill(previous): a window without points takes the series' previous emitted value,
    null included (influxd's fill iterator keeps the last point, stddev's null of one point
    too); a value emitted as null stays null."""
    over = (lambda e: e.over(keys)) if keys else (lambda e: e)
    gap = gap_column(c)
    if gap not in out.columns:
        return over(pl.col(c).forward_fill()).alias(c)
    is_gap = pl.col(gap).fill_null(True)
    last = over(pl.when(~is_gap).then(pl.col(FILL_ROW)).forward_fill())
    return pl.when(is_gap).then(pl.col(c).gather(last)).otherwise(pl.col(c)).alias(c)


def _only_gaps(c: str, out: pl.DataFrame, filled: pl.Expr) -> pl.Expr:
    """Fill where the window had no point for this aggregate (``_gap<c>`` true or row absent);
    a value an aggregate did emit as null (stddev of one point) stays null."""
    gap = gap_column(c)
    if gap not in out.columns:
        return filled
    return pl.when(pl.col(gap).fill_null(True)).then(filled).otherwise(pl.col(c)).alias(c)


def fill_number(value, dtype):
    """fill()'s number as the column's type holds it (castToType); None where it holds none."""
    if value is None or not dtype.is_numeric():
        return None
    if not dtype.is_integer():
        return float(value)
    v = int(value)  # influxd casts to the aggregate's type: 1.5 -> 1
    if dtype == pl.UInt64:  # (past its range: none; 1.6.7 writes no unsigned field to ask)
        return v if 0 <= v < (1 << 64) else None
    return v if -(1 << 63) <= v < (1 << 63) else -(1 << 63)  # Go's int64(f) on amd64: MinInt64 past the range


def _fill_value(c: str, dtype, value) -> pl.Expr:
    if dtype == pl.Int64 or (dtype == pl.UInt64 and value >= 0):
        return pl.col(c).fill_null(pl.lit(fill_number(value, dtype), dtype))
    if dtype == pl.UInt64:
        return pl.col(c).cast(pl.Float64).fill_null(float(value))
    if dtype == pl.Float64 or dtype == pl.Null:
        return pl.col(c).cast(pl.Float64).fill_null(float(value))
    if dtype == pl.String:  # a number does not fit: influxd fills the type's zero value
        return pl.col(c).fill_null("")
    if dtype == pl.Boolean:
        return pl.col(c).fill_null(False)
    return pl.col(c)


def _linear(c: str, out: pl.DataFrame, keys: list[str]) -> pl.Expr:
    """fill(linear) of the windows without points, between the points around them (influxd's
    fill iterator: none after a point emitted as null, whose value reads as 0 after a gap)."""
    dtype = out.schema[c]
    e = pl.col(c)
    if dtype in (pl.String, pl.Boolean):
        return e
    over = (lambda x: x.over(keys)) if keys else (lambda x: x)
    gap = gap_column(c)
    if gap not in out.columns:
        anchors, after_null = e.cast(pl.Float64), pl.lit(False)
    else:
        is_gap = pl.col(gap).fill_null(True)
        anchors = pl.when(~is_gap).then(e.cast(pl.Float64).fill_null(0.0))
        after_null = over(pl.when(~is_gap).then(e.is_null()).forward_fill()).fill_null(True)
        after_null = after_null & is_gap | ~is_gap  # emitted rows keep their value
    interp = over(anchors.interpolate())
    if dtype in (pl.Int64, pl.UInt64):
        interp = interp.cast(pl.Int64)
    return pl.when(after_null).then(e).otherwise(interp).alias(c)
