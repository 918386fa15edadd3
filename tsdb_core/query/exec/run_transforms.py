"""A transform of an aggregate (difference(mean(x)) & co) in a subquery under an outer
statement, as influxd 1.x streams it (query/select.go buildCallIterator, iterator.gen.go).
Without a fill of values (fill(null), fill(none)) the transform reads the reducer's stream
itself (window after window, a window's groups by tags); the rest below holds for both.

The transform's input is the call's FillIterator over the reducer's output (exec/regroup.py):
each run of one inner group's windows is filled on its own, from the range's first window
less the extra interval the transform reads (after the last under ORDER BY time DESC). The
transform is a stream iterator: one reducer per series (name and tags), kept across the
runs, reading the filled points in stream order and skipping points without a value. So a
series' later run restarts at the range's first window and the reducer pairs it with the
previous run's last point (differences of a fill(0) run are 0s, its first window's times
and all). A reducer skips a point of its last point's time (functions.go); elapsed() does not.
A LIMIT/OFFSET is query.LimitIterator over the transform's stream (buildFieldIterator): its
counter restarts wherever a point's tags differ from the previous point's.

Several calls (two transforms, a transform beside an aggregate) each stream on their own
(each from its own first window); query/cursor.go's multiScannerCursor reads them together
(:func:`cursor_merged`): each row the least next point of all streams by name, tags, time
(the greatest under ORDER BY time DESC), a stream whose next point is another filling in
fill()'s number (fill(previous): the series' last row's value; else null).

A statement of its own (no subquery, :func:`top_streams`) streams the same way: each call's
iterator filled over its own range (a transform's extra window its own), the fill's null
windows points without a value (transforms skip them; fill(previous)'s cursor keeps its map).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...influxql import ast
from ...influxql import functions as F
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.nodes import Scan, gap_column
from .fill import fill_number
from .regroup import fills_runs, run_ids

SERIES_RUN_COLUMN = "\x00srun"  # a run of one outer group in a stream: influxd emits a series each (engine.to_series)
STREAMED = frozenset({"difference", "non_negative_difference", "derivative", "non_negative_derivative",
                      "cumulative_sum", "moving_average", "elapsed"})


def streams(plan) -> bool:
    """Whether this subquery's columns are each calls and numbers combined by arithmetic, one
    or more of them a transform of :data:`STREAMED` over one call of one row per window (the
    others such calls)."""
    if plan.outer_dimensions is None or plan.is_raw or not plan.interval:
        return False
    return _streamed_columns(plan)


def read_as_streams(plan) -> bool:
    """:func:`streams` or :func:`top_streams` (exec/lazy.py _runs_transformed)."""
    return streams(plan) or top_streams(plan)


def top_streams(plan) -> bool:
    """Whether this statement, no subquery, reads its columns as :func:`streams` does: influxd
    1.x builds every call's iterator on its own there too (query/select.go buildCursor), each
    filled, transformed and limited alone, and its cursor reads them together (module
    docstring). GROUP BY time over stored measurements, with a range start or under ORDER BY
    time DESC (each series' walk then ends at its own first window; ascending without a start
    the statement reads nothing, plan/planner.py _maps_no_shards)."""
    if plan.outer_dimensions is not None or plan.emulates_v3 or plan.is_raw or not plan.interval:
        return False
    if not (plan.time_range.has_start or not plan.ascending) or not all(_plain_source(s) for s in plan.sources):
        return False
    return _streamed_columns(plan)


def _plain_source(src) -> bool:
    """A measurement, or a subquery whose rows the outer reducer reads window by window as a
    measurement's (no filled runs, no streams of its own: exec/lazy.py _stretches)."""
    return isinstance(src, Scan) or not (fills_runs(src.plan) or streams(src.plan))


def _streamed_columns(plan) -> bool:
    calls = [_calls(c.expr) for c in plan.columns]
    if any(c is None or not c for c in calls):
        return False
    calls = [e for c in calls for e in c]
    return any(e.name in STREAMED for e in calls) and all(_streamed(e) or _plain(e) for e in calls)


def _plain(e: ast.Call) -> bool:
    return e.name not in STREAMED and not F.spec(e.name).many_rows


def _streamed(e: ast.Call) -> bool:
    return e.name in STREAMED and bool(e.args) and isinstance(e.args[0], ast.Call) and _plain(e.args[0])


def _calls(e: ast.Expr) -> list[ast.Call] | None:
    """The calls of a column of calls and numbers combined by arithmetic (None: other terms)."""
    if isinstance(e, ast.Call):
        return [e]
    if isinstance(e, (ast.NumberLiteral, ast.IntegerLiteral)):
        return []
    if isinstance(e, ast.ParenExpr):
        return _calls(e.expr)
    if isinstance(e, ast.BinaryExpr) and e.op in ("+", "-", "*", "/"):
        lhs, rhs = _calls(e.lhs), _calls(e.rhs)
        return None if lhs is None or rhs is None else lhs + rhs
    return None


def transformed(df: pl.DataFrame, keys: list[str], name: str, call: ast.Call, interval: int,
                ascending: bool) -> pl.DataFrame:
    """``df``'s filled stream (keys, time, the transform's input ``value``) transformed per
    series in stream order: keys, time and ``name``, in that order."""
    df = df.with_row_index("\x00row").filter(pl.col("value").is_not_null())
    outs = [_series(part, keys, name, call, interval, ascending)
            for part in df.partition_by(keys, maintain_order=True)]
    out = pl.concat([o for o in outs if o.height], how="vertical_relaxed") if any(o.height for o in outs) else None
    if out is None:
        return pl.DataFrame(schema={**{k: df.schema[k] for k in keys}, "time": pl.Int64, name: pl.Float64})
    return out.sort("\x00row").drop("\x00row")


def _series(part: pl.DataFrame, keys: list[str], name: str, call: ast.Call, interval: int,
            ascending: bool) -> pl.DataFrame:
    """One series' reducer over its points in stream order (functions.go)."""
    t = part.get_column("time").to_numpy()
    v = part.get_column("value")
    integer = v.dtype.is_integer()
    v = v.to_numpy()
    rows = part.get_column("\x00row").to_numpy()
    if call.name not in ("cumulative_sum", "moving_average", "elapsed"):  # a point of the last one's time is skipped
        keep = np.ones(len(t), dtype=bool)
        keep[1:] = t[1:] != t[:-1]
        t, v, rows = t[keep], v[keep], rows[keep]
    if call.name in ("difference", "non_negative_difference"):
        out_t, out_v, out_r = t[1:], v[1:] - v[:-1], rows[1:]
        if call.name == "non_negative_difference":
            ok = ~(out_v < 0)  # (Go's diff < 0: a NaN difference, of stddev()'s NaN, is kept)
            out_t, out_v, out_r = out_t[ok], out_v[ok], out_r[ok]
    elif call.name in ("derivative", "non_negative_derivative"):
        unit = int(call.args[1].val) if len(call.args) > 1 else interval  # a DurationLiteral's ns
        diff = (v[1:] - v[:-1]).astype(np.float64)
        elapsed = (t[1:] - t[:-1]) if ascending else (t[:-1] - t[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            out_v = diff / (elapsed.astype(np.float64) / float(unit))
        ok = ~(diff < 0) if call.name == "non_negative_derivative" else np.ones(len(diff), dtype=bool)
        out_t, out_v, out_r = t[1:][ok], out_v[ok], rows[1:][ok]
        integer = False
    elif call.name == "elapsed":  # Go's integer division (toward zero)
        unit = int(call.args[1].val) if len(call.args) > 1 else 1
        step = t[1:] - t[:-1]
        out_t, out_v, out_r = t[1:], np.sign(step) * (np.abs(step) // unit), rows[1:]
        integer = True
    elif call.name == "cumulative_sum":
        out_t, out_v, out_r = t, np.cumsum(v), rows
    else:
        out_t, out_v, out_r = _moving_average(t, v, rows, int(call.args[1].val), integer)
        integer = False
    dtype = pl.Int64 if integer else pl.Float64
    return pl.DataFrame({"\x00row": pl.Series(out_r, dtype=pl.UInt32), "time": pl.Series(out_t, dtype=pl.Int64),
                         name: pl.Series(out_v, dtype=dtype)}).with_columns(
        [pl.lit(part[k][0], part.schema[k]).alias(k) for k in keys]).select(["\x00row", *keys, "time", name])


def stream_read(df: pl.DataFrame, keys: list[str], calls: list[tuple[str, ast.Call, pl.Expr]], interval: int,
                ascending: bool, limits: tuple[int, int] = (0, 0)) -> pl.DataFrame:
    """A raw outer statement's transforms over a subquery's stream (``df`` in the order it hands
    its rows on, which need not be by time: filled runs, a selector's rows by series): each call
    (its column, call, input expression) a stream iterator of its own with one reducer per
    series kept across the stream (:func:`transformed`), several read together by the cursor
    (:func:`cursor_merged`, fill(null)'s), each stream first limited on its own (``limits``:
    LIMIT, OFFSET; :func:`limited`); a series again wherever the stream comes back to it."""
    unit = interval or 1_000_000_000  # derivative()'s unit: the interval, else a second
    streams = [limited(transformed(df.select(keys + ["time", expr.alias("value")]), keys, name, call, unit, ascending),
                       keys, *limits) for name, call, expr in calls]
    out = streams[0] if len(streams) == 1 else cursor_merged(streams, keys, ascending, "null", None)
    return out.with_columns(run_ids(keys).alias(SERIES_RUN_COLUMN))


def _moving_average(t, v, rows, n: int, integer: bool):
    """The reducer's ring of ``n`` values and its running sum (subtract the oldest, add the
    newest, in that order); a point once the ring is full."""
    if len(v) < n:
        return t[:0], np.zeros(0), rows[:0]
    steps = np.empty(2 * len(v) - n, dtype=np.int64 if integer else np.float64)
    steps[:n] = v[:n]
    steps[n::2], steps[n + 1::2] = -v[:len(v) - n], v[n:]
    sums = np.cumsum(steps)[np.r_[n - 1, np.arange(n + 1, len(steps), 2)]]
    return t[n - 1:], sums.astype(np.float64) / n, rows[n - 1:]



def series_runs(outer: list[str], ascending: bool) -> pl.Expr:
    """:data:`SERIES_RUN_COLUMN` of a subquery's rows in stream order: where the cursor reads
    misaligned streams (:func:`cursor_merged`) it may leave an outer group and come back to
    it; influxd's emitter then starts another series (negated under ORDER BY time DESC, as the
    outer statement sorts descending)."""
    run = run_ids(outer).cast(pl.Int64)
    return (run if ascending else -run).alias(SERIES_RUN_COLUMN)


def call_rows(df: pl.DataFrame, keys: list[str], calls: list[str]) -> pl.DataFrame:
    """The aggregated rows (keys, time, ``calls``' columns) of the groups where one of the
    calls saw a point: each call is an iterator of its own, whose reducer emits only those
    (a measurement lacking the call's field emits nothing)."""
    seen = [~pl.col(gap_column(c)) if gap_column(c) in df.columns else pl.col(c).is_not_null() for c in calls]
    return df.filter(pl.any_horizontal(seen)).select(keys + ["time", *calls])


def stream_order(filled: pl.DataFrame, outer: list[str], ascending: bool) -> pl.DataFrame:
    """:func:`regroup.filled_runs`' rows (reversed under ORDER BY time DESC) in the order the
    stream hands them on: under DESC influxd's merge heap also hands on the outer statement's
    groups (name, tags) in descending order, each group's runs as they come."""
    if ascending:
        return filled
    return filled.reverse().sort([pl.col(k).fill_null("") for k in outer], descending=True, maintain_order=True)


def limited(df: pl.DataFrame, keys: list[str], limit: int, offset: int) -> pl.DataFrame:
    """query.LimitIterator over a stream: each run of rows of equal tags counted on its own."""
    if not (limit or offset):
        return df
    idx = pl.int_range(pl.len()).over(run_ids(keys))
    keep = idx >= offset
    return df.filter(keep & (idx < offset + limit) if limit else keep)


def gaps_filled(df: pl.DataFrame, keys: list[str], cols: list[str], ascending: bool, fill: str,
                value) -> pl.DataFrame:
    """A raw statement's transforms joined by time (one row per point of any): where a call's
    stream has no point at the row, influxd's cursor reads fill()'s number (cast as the column
    holds it) or, under fill(previous), the stream's last value in the series (the answer's
    order: ``df`` ascending, read from its end when not ``ascending``); otherwise null."""
    if fill not in ("value", "previous"):
        return df
    if fill == "value":
        return df.with_columns(pl.col(c).fill_null(fill_number(value, df.schema[c])) for c in cols)
    step = pl.Expr.forward_fill if ascending else pl.Expr.backward_fill
    return df.with_columns(step(pl.col(c)).over(keys) if keys else step(pl.col(c)) for c in cols)


def cursor_merged(streams: list[pl.DataFrame], keys: list[str], ascending: bool, fill: str, value) -> pl.DataFrame:
    """Streams (``keys``, time, their value columns; each in its own order) read together as
    influxd's multiScannerCursor reads its scanners (module docstring): one row per step, the
    least next point (name, tags by key, time; the greatest when not ``ascending``), each
    stream's columns from its next point where that is the row's, else the fill's default."""
    ids = [NAME, *sorted(k for k in keys if k != NAME)]
    heads = [list(zip(*(s.get_column(c).fill_null("").to_list() for c in ids), s.get_column("time").to_list()))
             for s in streams]
    cols = [[c for c in s.columns if c not in keys and c != "time"] for s in streams]
    vals = [s.select(c).rows() for s, c in zip(streams, cols)]
    rows = [s.select(keys).rows() for s in streams]
    default = [tuple(fill_number(value, s.schema[c]) if fill == "value" else None for c in cs) for s, cs in zip(streams, cols)]
    pos = [0] * len(streams)
    out_keys, out_time, out_vals = [], [], [[] for _ in streams]
    last, seen = None, list(default)
    while True:
        live = [h[p] for h, p in zip(heads, pos) if p < len(h)]
        if not live:
            break
        best = min(live) if ascending else max(live)
        if best[:-1] != last:  # a new series clears the cursor's map
            last, seen = best[:-1], [(None,) * len(c) for c in cols]
        out_time.append(best[-1])
        for k, (h, p) in enumerate(zip(heads, pos)):
            if p < len(h) and h[p] == best:
                if len(out_keys) < len(out_time):
                    out_keys.append(rows[k][p])
                seen[k] = vals[k][p] if fill != "previous" else _kept(seen[k], vals[k][p])
                pos[k] += 1
            elif fill != "previous":  # (fill(previous): the map keeps the series' last value)
                seen[k] = default[k]
            out_vals[k].append(seen[k])
    data = {k: pl.Series(k, [r[i] for r in out_keys], dtype=streams[0].schema[k]) for i, k in enumerate(keys)}
    data["time"] = pl.Series("time", out_time, dtype=pl.Int64)
    for s, cs, v in zip(streams, cols, out_vals):
        data.update({c: pl.Series(c, [r[i] for r in v], dtype=s.schema[c]) for i, c in enumerate(cs)})
    return pl.DataFrame(data)


def sorted_merged(streams: list[pl.DataFrame], keys: list[str], ascending: bool, fill: str, value) -> pl.DataFrame:
    """:func:`cursor_merged` where every stream is in the cursor's own order (name, tags by
    key, time; all descending when not ``ascending``) with one point per series and time, as
    a statement's own streams are: the cursor's rows are then the sorted union of the
    streams' points, each stream's columns joined, a stream without the row's point (or its
    point without a value) filling in fill()'s number, the series' last value under
    fill(previous), else null."""
    ids = [NAME, *sorted(k for k in keys if k != NAME)]
    on = keys + ["time"]
    out = pl.concat([s.select(on) for s in streams], how="vertical_relaxed").unique(on)
    out = out.sort(ids + ["time"], descending=not ascending)
    fills = []
    for s in streams:
        out = out.join(s, on=on, how="left", maintain_order="left")
        for c in (c for c in s.columns if c not in on):
            if fill == "previous":
                fills.append(pl.col(c).forward_fill().over(ids))
            elif fill == "value" and fill_number(value, s.schema[c]) is not None:
                fills.append(pl.col(c).fill_null(pl.lit(fill_number(value, s.schema[c]), s.schema[c])))
    return out.with_columns(fills) if fills else out


def _kept(seen: tuple, point: tuple) -> tuple:
    """A point's columns under fill(previous): a null (a Nil point: the fill iterator's
    windows before a series' first value) leaves the cursor's map as it was (SkipDefault)."""
    return tuple(s if v is None else v for s, v in zip(seen, point))
