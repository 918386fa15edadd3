"""A transform of an aggregate (difference(mean(x)) & co) in a filled subquery under an outer
statement, as influxd 1.x streams it (query/select.go buildCallIterator, iterator.gen.go).

The transform's input is the call's FillIterator over the reducer's output (exec/regroup.py):
each run of one inner group's windows is filled on its own, from the range's first window
less the extra interval the transform reads (after the last under ORDER BY time DESC). The
transform is a stream iterator: one reducer per series (name and tags), kept across the
runs, reading the filled points in stream order and skipping points without a value. So a
series' later run restarts at the range's first window and the reducer pairs it with the
previous run's last point (differences of a fill(0) run are 0s, its first window's times
and all). A reducer skips a point of its last point's time (functions.go).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...influxql import ast
from ...influxql import functions as F

STREAMED = frozenset({"difference", "non_negative_difference", "derivative", "non_negative_derivative",
                      "cumulative_sum", "moving_average"})


def streams(plan) -> bool:
    """Whether this subquery's columns are each one transform of :data:`STREAMED` over one
    call of one row per window, filled with a value, previous or linear, without limits."""
    if plan.outer_dimensions is None or plan.is_raw or not plan.interval or plan.limit or plan.row_offset:
        return False
    if plan.fill not in ("value", "previous", "linear") or len(plan.columns) != 1:
        return False
    calls = _calls(plan.columns[0].expr)
    if calls is None or len(calls) != 1:
        return False
    e = calls[0]
    return e.name in STREAMED and bool(e.args) and isinstance(e.args[0], ast.Call) \
        and not F.spec(e.args[0].name).many_rows and e.args[0].name not in STREAMED


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
    if call.name not in ("cumulative_sum", "moving_average"):  # a point of the last one's time is skipped
        keep = np.ones(len(t), dtype=bool)
        keep[1:] = t[1:] != t[:-1]
        t, v, rows = t[keep], v[keep], rows[keep]
    if call.name in ("difference", "non_negative_difference"):
        out_t, out_v, out_r = t[1:], v[1:] - v[:-1], rows[1:]
        if call.name == "non_negative_difference":
            ok = out_v >= 0
            out_t, out_v, out_r = out_t[ok], out_v[ok], out_r[ok]
    elif call.name in ("derivative", "non_negative_derivative"):
        unit = int(call.args[1].val) if len(call.args) > 1 else interval  # a DurationLiteral's ns
        diff = (v[1:] - v[:-1]).astype(np.float64)
        elapsed = (t[1:] - t[:-1]) if ascending else (t[:-1] - t[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            out_v = diff / (elapsed.astype(np.float64) / float(unit))
        ok = diff >= 0 if call.name == "non_negative_derivative" else np.ones(len(diff), dtype=bool)
        out_t, out_v, out_r = t[1:][ok], out_v[ok], rows[1:][ok]
        integer = False
    elif call.name == "cumulative_sum":
        out_t, out_v, out_r = t, np.cumsum(v), rows
    else:
        out_t, out_v, out_r = _moving_average(t, v, rows, int(call.args[1].val), integer)
        integer = False
    dtype = pl.Int64 if integer else pl.Float64
    return pl.DataFrame({"\x00row": pl.Series(out_r, dtype=pl.UInt32), "time": pl.Series(out_t, dtype=pl.Int64),
                         name: pl.Series(out_v, dtype=dtype)}).with_columns(
        [pl.lit(part[k][0], part.schema[k]).alias(k) for k in keys]).select(["\x00row", *keys, "time", name])


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

