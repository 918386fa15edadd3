"""InfluxDB 3's LIMIT/OFFSET: each selected field limited on its own (``SelectPlan.emulates_v3``).

IOx plans a statement's LIMIT/OFFSET as a SeriesLimitExec (iox_query/src/exec/series_limit/
physical.rs) with one limit expression per value column of the projection (planner.rs ``fn
limit``: Float64, Int64, UInt64, Utf8 and Boolean columns; tags are dictionaries, time a
timestamp, neither limited). Each column's rows are numbered per series in the time order; a
column "filled" by an aggregate (an Aggregate's outputs, and expressions over them:
planner/metadata.rs ``expr_is_influxql_filled``) numbers every row (RESPECT NULLS), any other
(raw fields, a transform's output) only its non-null values (IGNORE NULLS). A row is kept when
some column's number is within (OFFSET, OFFSET+LIMIT]; in a kept row each column outside its
own range reads the default: NULL, or the number of fill(<number>) (``number_to_scalar``).
fill(<number>) plans the SeriesLimit without LIMIT/OFFSET too (``fn limit`` returns its input
only "if offset.is_none() && limit.is_none() && !matches!(fill_clause, FillClause::Value(_))"):
every value is then within range, and a null of an IGNORE NULLS column reads the number.

influxd 1.x limits rows (``lazy.finish``); this module runs under the influxdb3 dialect only.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...influxql import ast
from .number_scalar import number_to_scalar
from ..plan.nodes import AGGREGATES, TRANSFORMS, SelectPlan, output_column

_NUMBERS = (pl.Float64, pl.Int64, pl.UInt64)
_KEEP = "\x00field_limits_keep"


def limit_fields(plan: SelectPlan, df: pl.DataFrame, keys: list[str], limit: int, offset: int) -> pl.DataFrame:
    """``df`` (each series' rows in the answer's order) limited as IOx's SeriesLimitExec."""
    cols = limited_columns(plan, df)
    if all(cols.values()):  # RESPECT NULLS alike (or no value column): one row number, every value kept
        if not limit and not offset:  # fill(<number>) alone: every row numbered, kept as it is
            return df
        n = pl.int_range(pl.len()).over(keys)
        return df.filter((n >= offset) & (n < offset + limit) if limit else n >= offset)
    first = _first_rows(df, keys)
    if first is not None:  # each series' rows together: numbered by NumPy (a window per column costs more)
        oks = {name: _within(df.get_column(name), first, respect, limit, offset) for name, respect in cols.items()}
        keep = np.logical_or.reduce(list(oks.values()))
        out = df.filter(pl.Series(keep))
        return out.with_columns(pl.when(pl.lit(pl.Series(ok[keep]))).then(pl.col(name)).otherwise(
            _default(plan, df.schema[name])).alias(name) for name, ok in oks.items() if not ok[keep].all())
    within, values = [], []
    for name, respect in cols.items():
        c = pl.col(name)
        n = (pl.int_range(pl.len()) if respect else c.is_not_null().cum_sum() - 1).over(keys)
        n = n if respect else pl.when(c.is_not_null()).then(n)
        ok = (n >= offset) & (n < offset + limit) if limit else n >= offset
        within.append(ok.fill_null(False))
        values.append(pl.when(ok).then(c).otherwise(_default(plan, df.schema[name])).alias(name))
    keep = pl.any_horizontal(within).alias(_KEEP)
    return df.with_columns(*values, keep).filter(pl.col(_KEEP)).drop(_KEEP)


def _first_rows(df: pl.DataFrame, keys: list[str]) -> np.ndarray | None:
    """Each row's series' first row, when each series' rows are together (else None)."""
    if not keys or not df.height:
        return np.zeros(df.height, dtype=np.int64)
    new = df.select(pl.any_horizontal(pl.col(k).ne_missing(pl.col(k).shift()) for k in keys)).to_series().to_numpy()
    new[0] = True
    starts = np.flatnonzero(new)
    if len(starts) > 1 and len(starts) != df.select(pl.struct(keys).n_unique()).item():
        return None
    return starts[np.cumsum(new) - 1]


def _within(s: pl.Series, first: np.ndarray, respect: bool, limit: int, offset: int) -> np.ndarray:
    """Whether each value's number in its series (every row's, or only non-null values') is
    within [offset, offset+limit)."""
    held = s.is_not_null().to_numpy()
    if respect:
        n = np.arange(len(s)) - first
    else:
        seen = np.cumsum(held)
        n = seen - 1 - (seen[first] - held[first])
    ok = n >= offset
    if limit:
        ok &= n < offset + limit
    return ok if respect else ok & held


def limited_columns(plan: SelectPlan, df: pl.DataFrame | None = None) -> dict[str, bool]:
    """The output columns a LIMIT numbers, each with whether its nulls count (RESPECT NULLS)."""
    out = {}
    for i, col in enumerate(plan.columns):
        name = output_column(i)
        if (isinstance(col.expr, ast.VarRef) and col.expr.type == "tag") or (df is not None and name not in df.columns):
            continue
        out[name] = not plan.is_raw and _filled(col.expr)
    return out


def _filled(e) -> bool:
    """Whether IOx marks the column of an aggregating statement ``influxql::filled``: an
    aggregate's output (a field beside a selector is read from it), not a transform's."""
    if isinstance(e, ast.Call):
        if e.name in TRANSFORMS:
            return False
        return e.name in AGGREGATES or any(_filled(a) for a in e.args)
    if isinstance(e, ast.BinaryExpr):
        return _filled(e.lhs) or _filled(e.rhs)
    if isinstance(e, ast.ParenExpr):
        return _filled(e.expr)
    return isinstance(e, ast.VarRef)


def _default(plan: SelectPlan, dtype) -> pl.Expr:
    """What a kept row's column outside its own limit reads: NULL, or fill(<number>) as the
    column's type (``number_to_scalar``: ``as i64``/``as u64``; text and boolean NULL)."""
    v = plan.fill_value
    if plan.fill == "value" and dtype in _NUMBERS and isinstance(v, (int, float)) and not isinstance(v, bool):
        return pl.lit(number_to_scalar(v, dtype), dtype)  # Rust's ``as``: wraps, saturates (no null)
    return pl.lit(None, dtype)  # a text or boolean column: no conversion, the type's NULL
