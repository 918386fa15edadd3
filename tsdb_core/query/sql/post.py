"""What Polars' answer still needs after the SQL ran: gap filling, then selector structs.

A bare ``selector_x(v, t)`` in the SELECT list ran as two hidden columns (:mod:`.translate`);
here they become the one column InfluxDB 3 returns, a struct ``{value, time}``, in place.
"""
from __future__ import annotations

import polars as pl

from ...base.errors import QueryError
from . import gapfill
from .translate import Translation

__all__ = ["finish"]


def finish(lf: pl.LazyFrame, tr: Translation | None) -> pl.LazyFrame:
    """``lf`` gap-filled and with selector structs packed, as the translation asks (lazily)."""
    if tr is None:
        return lf
    if tr.gapfill is not None:
        packed = {s.name for s in tr.structs}
        if any(name in packed for name, _ in tr.gapfill.fills):
            raise QueryError("SQL error: This feature is not implemented: locf or interpolate of a whole "
                             "selector struct; fill its ['value'] instead")
        if tr.structs:  # rows the filling adds have a null struct, not a struct of nulls
            lf = lf.with_columns(pl.lit(True).alias(_PRESENT))
        lf = gapfill.apply(lf, tr.gapfill)
    if tr.structs:
        lf = _pack(lf, tr)
    return lf


_PRESENT = "__aggregate_row"


def _pack(lf: pl.LazyFrame, tr: Translation) -> pl.LazyFrame:
    by_value = {s.value: s for s in tr.structs}
    times = {s.time for s in tr.structs}
    exprs = []
    names = list(lf.collect_schema())
    for name in names:
        s = by_value.get(name)
        if s is not None:
            packed = pl.struct(pl.col(s.value).alias("value"), pl.col(s.time).alias("time"))
            if _PRESENT in names:
                packed = pl.when(pl.col(_PRESENT).is_not_null()).then(packed)
            exprs.append(packed.alias(s.name))
        elif name not in times and name != _PRESENT:
            exprs.append(pl.col(name))
    return lf.select(exprs)
