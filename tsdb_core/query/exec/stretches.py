"""An outer GROUP BY time() over a subquery's filled runs (exec/regroup.py), as influxd 1.x
reduces and fills them (query/select.go callIterator, iterator.gen.go reduce() and FillIterator).

The subquery's rows reach the outer reducer in the stream order of its filled runs. The
reducer closes a window whenever the next point with a value falls in another window or
group: each stretch of one group's rows in one window is reduced on its own. A point without
a value (a run's leading fill(previous) nulls, fill(linear)'s nulls past a run's points) is
skipped, yet it closes the window when it lies in another (NextInWindow). For count(), sum(),
min(), max(), first(), last() and mean(), callIterator reduces the reduced points once more
(Iterators.Merge; count summed), which joins consecutive outputs of one group and window
again (mean() weighs each by its count): those see the nulls as absent.

The outer fill() is a FillIterator over the reduced stream: its expected window steps one
interval per row (modelled under tz() only where no change of the zone's offset moves a
window), so it fills only the windows a row is ahead of it, each group from the range's
first window (its own first row's without a start) and after its last row through the
range's last window (mirrored under ORDER BY time DESC, no tail without a start).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from .fill import bucket_grid
from .regroup import run_ids

MERGED = frozenset({"count", "sum", "min", "max", "first", "last", "mean"})  # reduced twice (module docstring)
_ORD, _SUB, _GAP = "\x00stretch_ord", "\x00stretch_sub", "\x00stretch_gap"


def stretch_ids(lf: pl.LazyFrame, keys: list[str], window: str, values: list[str], merged: bool,
                stretch: str) -> pl.LazyFrame:
    """The rows with a value of any of ``values`` (all when empty), each numbered by its
    stretch in ``stretch``: split where a null row lies in another window unless ``merged``."""
    if not values:
        return lf.with_columns(run_ids([*keys, window]).alias(stretch))
    nil = pl.all_horizontal([pl.col(c).is_null() for c in values])
    current = pl.when(~nil).then(pl.col(window)).forward_fill().shift(1)  # the open stretch's window
    closes = (nil & current.is_not_null() & (pl.col(window) != current)).cast(pl.Int64).cum_sum()
    lf = lf.with_columns(closes.alias(_GAP)).filter(~nil)
    return lf.with_columns(run_ids([*keys, window] if merged else [*keys, window, _GAP]).alias(stretch)).drop(_GAP)


def steady(span: tuple[int | None, int], windows: pl.Series, a) -> bool:
    """Whether the fill iterator steps one interval at a time over ``span`` (or from the first
    of ``windows`` without a start): always without tz(), under tz() where no change of the
    zone's offset moves a window (fill.bucket_grid's walk is then a plain range)."""
    if a.tz is None:
        return True
    walk = zone_walk(span, windows, a)
    return walk == list(range(walk[0], walk[-1] + 1, a.interval))


def zone_walk(span: tuple[int | None, int], windows: pl.Series, a) -> list[int]:
    """The windows the fill iterator steps through under tz() over ``span`` (fill.bucket_grid:
    an interval at a time, moved where the zone's offset changes)."""
    lo = span[0] if span[0] is not None else int(windows.min())
    return bucket_grid(lo, span[1], a.interval, a.offset, a.tz)


def fill_walk(df: pl.DataFrame, keys: list[str], window: str, fills: dict[str, object], mode: str,
              span: tuple[int | None, int], walk: list[int], ascending: bool) -> pl.DataFrame | None:
    """:func:`fill_stream` over a zone's walk that is no plain range: its expected window steps
    one place of ``walk`` per row, so the stream is filled over the places and the windows put
    back. None where a row's window lies off the walk (or fill(linear), drawn over times)."""
    place = {w: i for i, w in enumerate(walk)}
    if mode == "linear" or not set(df.get_column(window).unique().to_list()) <= set(place):
        return None
    first = None if span[0] is None else 0
    df = df.with_columns(pl.col(window).replace_strict(place, return_dtype=pl.Int64))
    out = fill_stream(df, keys, window, fills, mode, (first, len(walk) - 1), 1, ascending)
    return out.with_columns(pl.col(window).replace_strict(dict(enumerate(walk)), return_dtype=pl.Int64))


def fill_stream(df: pl.DataFrame, keys: list[str], window: str, fills: dict[str, object], mode: str,
                span: tuple[int | None, int], interval: int, ascending: bool) -> pl.DataFrame:
    """The rows (in stream order, each group's together) with the outer FillIterator's rows
    among them. ``span``: the range's first (None: no start) and last windows; ``fills``: each
    filled column's number (fill(<value>), fill(null): None) for ``mode`` "value"/"null", or
    any value for "previous"/"linear"."""
    sign = 1 if ascending else -1
    first, last = span if ascending else (span[1], span[0])
    if mode != "linear":
        return _fill_stream_np(df, keys, window, fills, mode, (first, last), interval, sign)
    t = pl.col(window) * sign
    i = pl.int_range(pl.len()).over(keys)
    lead = pl.lit(first * sign, pl.Int64) if first is not None else t.first().over(keys)
    # the expected window before row i: i*interval + max(start, the earlier rows' t_j - j*interval)
    ahead = (t - i * interval).cum_max().shift(1).over(keys)
    expect = i * interval + pl.max_horizontal(lead, ahead)
    df = df.with_row_index(_ORD).with_columns(expect.alias(_GAP))
    prev = {c: pl.col(c).shift(1).over(keys) for c in fills}
    before = df.select(*keys, (pl.col(_ORD) * 3).alias(_ORD),
                       *(_between(c, mode, v, prev[c], window, keys) for c, v in fills.items()),
                       pl.int_ranges(pl.col(_GAP), t, interval).alias(_SUB))
    tail = df.group_by(keys, maintain_order=True).agg(
        pl.col(_ORD).last() * 3 + 2, *(_after(c, mode, v) for c, v in fills.items()),
        (pl.max_horizontal(pl.col(_GAP), t) + interval).last().alias(_SUB))
    end = pl.lit(last * sign + interval if last is not None else None, pl.Int64)
    tail = tail.with_columns(pl.int_ranges(pl.col(_SUB), end, interval).alias(_SUB))
    added = pl.concat([before, tail], how="diagonal_relaxed").explode(_SUB).drop_nulls(_SUB)
    added = added.with_columns((pl.col(_SUB) * sign).alias(window)).drop(_SUB)
    added = added.with_columns(_linear(c, window) for c in fills if mode == "linear")
    real = df.with_columns(pl.col(_ORD) * 3 + 1).drop(_GAP)
    added = added.with_columns(pl.col(c).cast(df.schema[c], strict=False) for c in fills)
    out = pl.concat([real, added], how="diagonal_relaxed").sort(_ORD, maintain_order=True)
    return out.select(df.drop(_ORD, _GAP).columns)


def own_nulls(df: pl.DataFrame, keys: list[str], fills: dict[str, object], mode: str) -> pl.DataFrame:
    """Each call reads its own stream, filled by a FillIterator of its own: where a row holds
    another call's value only, this call's window is filled (fill(<value>): its number, count()'s
    too; fill(previous): its previous value; fill(null): left null, count()'s as well). ``fills``:
    the calls whose value is null only without a point (stretches.MERGED)."""
    if mode == "value":
        return df.with_columns(pl.col(c).fill_null(pl.lit(v).cast(df.schema[c], strict=False))
                               for c, v in fills.items() if v is not None)
    if mode == "previous":
        return df.with_columns(pl.col(c).forward_fill().over(keys) for c in fills)
    return df


def _fill_stream_np(df: pl.DataFrame, keys: list[str], window: str, fills: dict[str, object], mode: str,
                    span: tuple[int | None, int | None], interval: int, sign: int) -> pl.DataFrame:
    """:func:`fill_stream` for fill(<value>), fill(null) and fill(previous), its windows
    counted with NumPy (``span``: the first and last windows in stream direction)."""
    n = df.height
    gid = df.select(run_ids(keys)).to_series().to_numpy() if keys else np.zeros(n, dtype=np.int64)
    t = df.get_column(window).to_numpy().astype(np.int64) * sign
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    size = np.diff(np.r_[starts, n])
    i = np.arange(n) - np.repeat(starts, size)
    ahead = np.full(n, np.iinfo(np.int64).min)
    for a, z in zip(starts.tolist(), size.tolist()):  # each group's running max, shifted by one
        ahead[a + 1:a + z] = np.maximum.accumulate((t - i * interval)[a:a + z - 1])
    lead = np.repeat(t[starts], size) if span[0] is None else np.full(n, span[0] * sign)
    expect = i * interval + np.maximum(lead, ahead)
    cnt = np.maximum(0, -((expect - t) // interval))  # windows expect, expect + interval, ... < t
    rows = np.repeat(np.arange(n), cnt)
    win = expect[rows] + (np.arange(len(rows)) - np.repeat(np.cumsum(cnt) - cnt, cnt)) * interval
    last = starts + size - 1
    begin = np.maximum(expect[last], t[last]) + interval
    tails = np.zeros(len(last), dtype=np.int64) if span[1] is None else \
        np.maximum(0, -((begin - span[1] * sign - interval) // interval))
    tail_rows = np.repeat(last, tails)
    tail_win = np.repeat(begin, tails) + (np.arange(tails.sum()) - np.repeat(np.cumsum(tails) - tails, tails)) * interval
    src = np.r_[rows, tail_rows]
    added = pl.DataFrame({window: np.r_[win, tail_win] * sign}, schema={window: pl.Int64})
    added = pl.concat([df.select(keys)[src], added], how="horizontal") if keys else added
    if mode == "previous":  # the group's previous real row's value (none before its first)
        before = np.where(i[rows] > 0, rows - 1, -1)
        at = pl.Series(np.r_[before, tail_rows]).cast(pl.Int64)
        took = df.select(list(fills)).with_row_index(_ORD).join(
            pl.DataFrame({_ORD: at}).with_row_index(_SUB), on=_ORD, how="right").sort(_SUB)
        added = added.with_columns(took.get_column(c).cast(df.schema[c], strict=False) for c in fills)
    else:
        added = added.with_columns(pl.lit(v).cast(df.schema[c], strict=False).alias(c) for c, v in fills.items())
    order = np.argsort(np.r_[np.arange(n) * 3 + 1, rows * 3, tail_rows * 3 + 2], kind="stable")
    return pl.concat([df, added], how="diagonal_relaxed")[order].select(df.columns)


def _between(c: str, mode: str, value, prev: pl.Expr, window: str, keys: list[str]) -> pl.Expr:
    """A filled column before a row: the number, null, the group's previous row's value, or
    (fill(linear)) the previous row's and this row's (value, window) to draw the line."""
    if mode in ("value", "null"):
        return _number(c, value)
    if mode == "previous":
        return prev.alias(c)
    return pl.struct(prev.alias("pv"), pl.col(window).shift(1).over(keys).alias("pt"),
                     pl.col(c).alias("nv"), pl.col(window).alias("nt")).alias(c)


def _after(c: str, mode: str, value) -> pl.Expr:
    """A filled column after a group's last row: the number, null, its value (previous),
    none to draw a line to (linear)."""
    if mode in ("value", "null"):
        return _number(c, value)
    if mode == "previous":
        return pl.col(c).last()
    return pl.struct(pl.col(c).last().alias("pv"), pl.lit(None, pl.Int64).alias("pt"),
                     pl.lit(None).alias("nv"), pl.lit(None, pl.Int64).alias("nt")).alias(c)


def _number(c: str, value) -> pl.Expr:
    return pl.lit(value).alias(c)


def _linear(c: str, window: str) -> pl.Expr:
    """The line between the rows around a fill (none without a row before and after)."""
    s = pl.col(c).struct
    return (s.field("pv") + (s.field("nv") - s.field("pv")) * (pl.col(window) - s.field("pt"))
            / (s.field("nt") - s.field("pt"))).alias(c)
