"""fill() without a lower time bound, as influxd 1.6.7's fill iterator walks it.

Without a range start influxd's ``StartTime`` is ``MinTime``, and its fill iterator begins
at ``opt.Window(MinTime)``. Where that is ``MinTime`` itself (no GROUP BY offset), each
series' walk begins at its own first window (:func:`from_own_start`: no row before a
series' first point, in either direction). With an offset, ``Window`` subtracts it from
``MinTime`` and the int64 wraps: the walk begins far in 2262, past every point, so the
series' first point is emitted as it is, the next step wraps round to 1677, and windows
are filled from there, on a grid that is not the offset's, up to the range's end; later
points take the step of the walk that reaches them (:func:`walk_frame`). Under ORDER BY
time DESC the walk ends at the series' earliest point either way.

Under ``tz()`` ``Window`` reads the zone's offset at the wrapped time (2262) and the walk's
steps move by the change of offset wherever it changes (from the zone's local mean time
of 1677 on: +05:53:28 for Asia/Kolkata), as the iterator does over any range (fill.py).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...base.time import MIN_TIME
from ..plan.nodes import WINDOW_COLUMN
from .fill import zone_offset, zone_steps

_U64 = 1 << 64
_I64 = 1 << 63


def _wrap(x: int) -> int:
    """``x`` as Go's int64 arithmetic leaves it."""
    return (x + _I64) % _U64 - _I64


def go_window_start(t: int, interval: int, offset: int, tz: str | None = None) -> int:
    """influxd's ``IteratorOptions.Window(t)`` start, int64 wraps included."""
    t = _wrap(t - offset)
    zone = zone_offset(t, tz) if tz else 0
    dt = _wrap(t + zone) % interval  # Go's remainder, made non-negative as Window does
    start = MIN_TIME if MIN_TIME + dt >= t else _wrap(t - dt)
    if tz:
        o = zone - zone_offset(start, tz)
        if o and abs(o) < interval:
            start = _wrap(start + o)
    return _wrap(start + offset)


def wrapped_start(interval: int, offset: int, tz: str | None = None) -> int | None:
    """Where the fill iterator of a range without start begins when that is not ``MinTime``
    (an offset wrapped it), else None."""
    start = go_window_start(MIN_TIME, interval, offset, tz)
    return None if start == MIN_TIME else start


def applies(plan) -> bool:
    """Whether influxd's fill iterator of this plan may start wrapped: an ascending
    GROUP BY time() with an offset and no range start, under influxd's rules (InfluxDB 3
    starts at the data's first window and never wraps)."""
    return (plan.emulates_influxd and bool(plan.interval) and not plan.time_range.has_start
            and plan.ascending and bool(plan.offset))


def plan_start(plan) -> int | None:
    """:func:`wrapped_start` of the plan's walk where :func:`applies`, else None."""
    return wrapped_start(plan.interval, plan.offset, plan.tz) if applies(plan) else None


def _zone_origin(start: int, interval: int, tz: str) -> tuple[int, int]:
    """(the step after the wrapped ``start`` under ``tz()``, the walk's zone offset there):
    the step wraps to 1677 and moves by the change from the offset at ``start``."""
    wo, w = zone_offset(start, tz), _wrap(start + interval)
    z = zone_offset(w - 1, tz)
    if z != wo and abs(wo - z) < interval:
        w += wo - z
    return w, z


def _origin(first: int, start: int, interval: int) -> tuple[int, bool]:
    """(the walk's value at the step after any lead point, whether the first point leads)."""
    if first <= start:  # the first point is emitted at the wrapped start; the next step wraps
        return _wrap(start + interval), True
    return start, False


def rows_per_series(start: int, end: int, interval: int, tz: str | None = None) -> int:
    """The most rows the walk gives a series whose points lie in windows up to ``end`` (for
    the limits, before anything is read): its lead point and every step up to the one a
    point in the last window takes (influxd's count when the last window has a point).
    Under ``tz()`` the steps' moves add up to the change of offset from 1677 to ``end``
    (each move smaller than the interval, as the zones' are for intervals of a day)."""
    if tz:
        origin, z = _zone_origin(start, interval, tz)
        origin += z - zone_offset(end, tz)
    else:
        origin, _ = _origin(MIN_TIME + interval, start, interval)
    return 1 + max(-((origin - end) // interval) + 1, 0)


def walk(windows: np.ndarray, start: int, end: int, interval: int, tz: str | None = None) -> np.ndarray:
    """One series' window starts in the fill iterator's order: ``windows`` are its points'
    (ascending, distinct), ``end`` the last window of the range."""
    if tz:
        return _zone_walk(windows, start, end, interval, tz)
    return walks(np.zeros(windows.size, dtype=np.int64), windows, start, end, interval)[1]


def _zone_walk(windows: np.ndarray, start: int, end: int, interval: int, tz: str) -> np.ndarray:
    """:func:`walk` under ``tz()``: the steps are the zone's walk (fill.zone_steps), a point
    taking the first step not before it."""
    lead = int(windows[0]) <= start
    rest = windows[1:] if lead else windows
    origin, z = _zone_origin(start, interval, tz)
    # past ``end`` a step per point left over at most (each step takes one point)
    grid = zone_steps(origin, max(end, int(rest[-1]) if rest.size else end) + interval * (rest.size + 1),
                      interval, tz, z)
    k = np.arange(rest.size, dtype=np.int64)
    reach = np.searchsorted(grid, rest, side="left")
    steps = np.maximum.accumulate(reach - k) + k if rest.size else k
    total = max(int(steps[-1]) + 1 if rest.size else 0, int(np.searchsorted(grid, end, side="right")))
    out = grid[:total].copy()
    out[steps] = rest
    return np.concatenate([windows[:1], out]) if lead else out


def walk_frame(df: pl.DataFrame, keys: list[str], start: int, end: int, interval: int,
               tz: str | None = None) -> pl.DataFrame:
    """(keys, window) of every series of ``df`` in the walk's order, series in key order."""
    if tz:  # the zone's walk, series by series
        return _zone_walk_frame(df, keys, start, end, interval, tz)
    wins = df.select(*keys, WINDOW_COLUMN).unique().sort([*keys, WINDOW_COLUMN])
    if keys:
        sid = wins.select(pl.struct(keys).rle_id()).to_series().to_numpy().astype(np.int64)
    else:
        sid = np.zeros(wins.height, dtype=np.int64)
    series, out = walks(sid, wins[WINDOW_COLUMN].to_numpy(), start, end, interval)
    col = pl.Series(WINDOW_COLUMN, out, dtype=pl.Int64)
    if not keys:
        return pl.DataFrame([col])
    heads = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]]) if sid.size else sid
    return wins.select(keys)[heads].gather(series).with_columns(col)


def _zone_walk_frame(df: pl.DataFrame, keys: list[str], start: int, end: int, interval: int,
                     tz: str) -> pl.DataFrame:
    """:func:`walk_frame` under ``tz()``: a :func:`walk` a series."""
    parts = []
    for part in df.partition_by(keys, maintain_order=True) if keys else [df]:
        wins = np.unique(part[WINDOW_COLUMN].to_numpy())
        col = pl.DataFrame({WINDOW_COLUMN: pl.Series(walk(wins, start, end, interval, tz), dtype=pl.Int64)})
        parts.append(part.select(keys).head(1).join(col, how="cross") if keys else col)
    full = pl.concat(parts)
    return full.sort(keys, maintain_order=True) if keys else full


def walks(sid: np.ndarray, windows: np.ndarray, start: int, end: int,
          interval: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`walk` (without ``tz()``) of many series at once, each with its own origin:
    ``sid`` numbers the series 0, 1, ... in contiguous blocks of ``windows`` (ascending and
    distinct in each). Returns (the series of each row, its window), series after series."""
    n = windows.size
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    heads = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
    counts = np.diff(heads, append=n)
    at = np.repeat(np.arange(heads.size), counts)
    lead = windows[heads] <= start  # (_origin) the first point is emitted at the wrapped start
    wrapped = _wrap(start + interval)
    origin = np.where(lead, wrapped, start).astype(np.int64)
    k = np.arange(n) - heads[at] - lead[at]  # a point's place among the series' rest (-1: the lead)
    # a point takes the first step reaching it, and each step takes one point at most; the
    # steps from 1677 counted as whole intervals apart, then the rest (no int64 overflow)
    base, r0 = np.divmod(origin, interval)
    reach = np.maximum(-((r0[at] - windows) // interval) - base[at], 0)
    rest = k >= 0
    d = np.where(rest, reach - k, -n - 1)  # steps: walk's running max, series by series
    steps = pl.DataFrame({"s": at, "d": d}).select(pl.col("d").cum_max().over("s")).to_series().to_numpy() + k
    last = np.where(counts > lead, steps[heads + counts - 1] + 1, 0)
    # the grid's length up to ``end`` with Python ints (1677 to 2262 does not fit an int64)
    grid = np.where(lead, max((end - wrapped) // interval + 1, 0), max((end - start) // interval + 1, 0))
    total = np.maximum(last, grid)
    length = total + lead
    first = np.cumsum(length) - length  # each series' first row
    out = np.empty(int(length.sum()), dtype=np.int64)
    g = np.repeat(np.arange(heads.size), total)
    j = np.arange(g.size) - np.repeat(np.cumsum(total) - total, total)
    out[first[g] + lead[g] + j] = origin[g] + interval * j
    out[first[at[rest]] + lead[at[rest]] + steps[rest]] = windows[rest]
    out[first[lead]] = windows[heads[lead]]
    return np.repeat(np.arange(heads.size), length), out


_AGAIN = "\x00again"


def apart(full: pl.DataFrame, keys: list[str], window: str = WINDOW_COLUMN) -> pl.DataFrame:
    """``full`` with a step that meets a window the series already had (the lead point's,
    when the zone's moves bring the walk back onto it) a nanosecond later, so that a join
    with the points leaves it a gap; :func:`together` puts it back."""
    again = pl.int_range(pl.len()).over([*keys, window]) > 0
    full = full.with_columns(again.alias(_AGAIN))
    if not full[_AGAIN].any():
        return full.drop(_AGAIN)
    return full.with_columns(pl.when(pl.col(_AGAIN)).then(pl.col(window) + 1).otherwise(pl.col(window)))


def together(out: pl.DataFrame, window: str = WINDOW_COLUMN) -> pl.DataFrame:
    """The windows :func:`apart` moved, back in place."""
    if _AGAIN not in out.columns:
        return out
    return out.with_columns(pl.when(pl.col(_AGAIN)).then(pl.col(window) - 1).otherwise(pl.col(window))).drop(_AGAIN)


def from_own_start(full: pl.DataFrame, df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The rows of the filled ``full`` from each series' first window of ``df`` on."""
    if not keys:
        return full.filter(pl.col(WINDOW_COLUMN) >= df[WINDOW_COLUMN].min())
    firsts = df.group_by(keys).agg(pl.col(WINDOW_COLUMN).min().alias("\x00first"))
    out = full.join(firsts, on=keys, how="left", maintain_order="left", nulls_equal=True)
    return out.filter(pl.col(WINDOW_COLUMN) >= pl.col("\x00first")).drop("\x00first")


def linear(frame: pl.DataFrame, keys: list[str], full: pl.DataFrame, columns: list[str],
           interval: int) -> pl.DataFrame:
    """fill(linear) over the walk (``full``, as :func:`walk_frame` orders it) as influxd
    computes it: a gap after a point with a value takes the line from that point to the
    next one (a null one reads as 0), over times divided by the interval the Go way
    (truncated toward zero: before 1970 two windows can share a quotient, the slope is
    then infinite)."""
    out = full.join(frame.with_columns(pl.lit(True).alias(_POINT)), on=keys + [WINDOW_COLUMN],
                    how="left", maintain_order="left", nulls_equal=True)
    is_point = out[_POINT].fill_null(False).to_numpy()
    series = (out.select(pl.struct(keys).rank("dense")).to_series().to_numpy() if keys
              else np.zeros(out.height, dtype=np.int64))
    times = out[WINDOW_COLUMN].to_numpy()
    filled = []
    for c in columns:
        col = out[c]
        if not col.dtype.is_numeric():
            continue
        null = col.is_null().to_numpy()
        gap, y = _go_linear(times, col.cast(pl.Float64).fill_null(np.nan).to_numpy(), null, is_point,
                            series, interval)
        pos = pl.Series(np.flatnonzero(gap))
        if col.dtype.is_integer():  # Go's int64(x): out of range (±Inf, NaN) is MinInt64 on amd64
            bad = ~np.isfinite(y) | (np.abs(y) >= 2.0 ** 63)
            vals = pl.Series(np.where(bad, np.iinfo(np.int64).min, np.where(bad, 0, y)).astype(np.int64))
            filled.append(col.cast(pl.Int64).scatter(pos, vals))
        else:
            filled.append(col.cast(pl.Float64).scatter(pos, pl.Series(y, dtype=pl.Float64)))
    return out.with_columns(filled).drop(_POINT)


_POINT = "\x00point"


def _go_linear(times: np.ndarray, values: np.ndarray, null: np.ndarray, is_point: np.ndarray,
               series: np.ndarray, interval: int) -> tuple[np.ndarray, np.ndarray]:
    """(the gaps linear fills, their values): gaps between two points of one series whose
    earlier point has a value."""
    q = np.where(times < 0, -((-times) // interval), times // interval)
    n = times.size
    idx = np.arange(n)
    prev = np.maximum.accumulate(np.where(is_point, idx, -1))
    nxt = np.minimum.accumulate(np.where(is_point, idx, n)[::-1])[::-1]
    pc, nc = np.clip(prev, 0, None), np.clip(nxt, None, n - 1)
    gap = ~is_point & (prev >= 0) & (nxt < n) & (series[pc] == series) & (series[nc] == series) & ~null[pc]
    p, x = prev[gap], nxt[gap]
    pv, nv = values[p], np.where(null[x], 0.0, values[x])
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (nv - pv) / (q[x] - q[p]).astype(np.float64) * (q[gap] - q[p]).astype(np.float64) + pv
    return gap, y
