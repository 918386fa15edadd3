"""A raw LIMIT's scan under InfluxDB 3's per-field limits (``Scan.held``, exec/field_limits.py).

The provider's ``limit = (n, newest)`` keeps at least each series' n oldest (newest) rows, but
a field null in some of them needs more rows for its n values. So the scan reads m > n rows
of each series and keeps them when they are enough: in each group of rows by the tags read
(a union of series), the first m rows read are the group's true first m (each is among its
series' first m), and a group with fewer than m rows read holds them all. A field whose n-th
value lies within those m rows has its n first values exact, in that group and in any
coarser one (an answer's series). Otherwise a larger m, then the whole range.
"""
from __future__ import annotations

import polars as pl

_TRIES = 2  # limited reads before the whole range
_ROW = "\x00held_row"


def held_scan(scan, n: int, newest: bool, held: tuple[str, ...], tags: list[str]) -> pl.LazyFrame:
    """The rows ``scan(limit)`` reads (``limit`` None: every row), enough for each of
    ``held`` to find its ``n`` values in each group of ``tags``."""
    m = 2 * n
    for _ in range(_TRIES):
        df = scan((m, newest)).collect()
        short = _shortfall(df, n, m, newest, [f for f in held if f in df.columns], tags)
        if short is None:
            return df.lazy()
        if not short:
            break
        m = short
    return scan(None)


def _shortfall(df: pl.DataFrame, n: int, m: int, newest: bool, held: list[str],
               tags: list[str]) -> int | None:
    """None when every group of ``df`` holds each field's ``n`` values within its first ``m``
    rows (or has fewer rows); else the m a next read likely needs (from the sparsest field's
    values per row), 0 when some field has none."""
    if not held or df.height < m:
        return None
    aggs = [pl.len().alias(_ROW), *[pl.col(f).head(m).count() for f in held]]  # (a group's rows in time order)
    df = df.sort("time", descending=newest)  # (eager: a lazy plan's fixed cost is most of it here)
    counts = df.group_by(tags).agg(aggs) if tags else df.select(aggs)
    full = counts.filter(pl.col(_ROW) >= m)  # the groups read short of m hold every row
    least = full.select(pl.min_horizontal(pl.col(f).min() for f in held)).item() if full.height else None
    if least is None or least >= n:
        return None
    return 0 if least == 0 else -(-m * n // least) * 2
