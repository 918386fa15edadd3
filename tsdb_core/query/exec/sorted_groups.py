"""GROUP BY as slices: the rows gathered group by group, then aggregated as runs.

A float sum, mean or deviation depends on the order its values are added in. The one order
every path shares is a group's rows in row order, reduced as a slice is
(``functions/aggregates._in_row_order``). A hash group-by gets there by copying each
group's values into a list; here the rows' runs of equal keys are found instead (rows come
series by series, times ascending, so the runs are few), the runs numbered by group and put
in group order by a stable sort (a group's rows keep their order), and Polars aggregates
each group as one contiguous slice. The answers are the same bits; only the work differs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ...base.run_rows import run_rows

GROUP_COLUMN = "\x00sgroup"
MAX_RUN_SHARE = 4  # past one run of equal keys per this many rows, hashing the keys is cheaper


@dataclass(frozen=True, slots=True)
class Groups:
    """Rows in group order: sorted row i is original row ``rows[i]``."""

    rows: np.ndarray | None  # the permutation putting a group's rows together (None: each run is a group)
    group: np.ndarray        # each sorted row's group number (uint32, ascending from 0)
    firsts: np.ndarray       # each group's first original row
    keys: pl.DataFrame       # each group's keys, in group order


def find(df: pl.DataFrame, keys: list[str]) -> Groups | None:
    """The groups of ``df`` by ``keys``, or None when the keys change too often for their runs
    to be cheaper than hashing, or a key holds nulls."""
    if any(df.get_column(k).null_count() for k in keys):
        return None
    starts = _run_starts(df, keys)
    if starts.size * MAX_RUN_SHARE > df.height and starts.size > 64:
        return None
    values = df.select(keys).gather(pl.Series(starts))
    lengths = np.diff(np.append(starts, df.height))
    gid = np.zeros(starts.size, dtype=np.int64)  # each run's group (dense after each key)
    for k in keys:
        rank = values.get_column(k).rank("dense").to_numpy().astype(np.int64) - 1
        gid = gid * (int(rank.max()) + 1) + rank
        gid = np.unique(gid, return_inverse=True)[1].reshape(-1)
    rows = None
    if int(gid.max()) + 1 < gid.size:  # a group of several runs: its runs brought together
        order = np.argsort(gid, kind="stable")  # runs in group order, a group's runs as they came
        lengths, starts, gid, values = lengths[order], starts[order], gid[order], values[order]
        rows = run_rows(starts, lengths)
        rows = rows.astype(np.uint32) if df.height < 1 << 32 else rows
    new = np.ones(gid.size, dtype=bool)
    new[1:] = gid[1:] != gid[:-1]
    group = np.repeat((np.cumsum(new) - 1).astype(np.uint32), lengths)
    return Groups(rows, group, starts[new], values.filter(pl.Series(new)))


def _run_starts(df: pl.DataFrame, keys: list[str]) -> np.ndarray:
    """The first row of each run of equal keys (int64, ascending, from 0)."""
    new = np.zeros(df.height, dtype=bool)
    new[0] = True
    for k in keys:
        s = df.get_column(k)
        if s.dtype.is_integer():
            v = s.to_numpy()
            new[1:] |= v[1:] != v[:-1]
        else:
            new[1:] |= s.slice(1).ne(s.slice(0, s.len() - 1)).to_numpy()
    return np.flatnonzero(new)


def worth_it(schema, keys: list[str]) -> bool:
    """Whether to sort rows into groups rather than hash their keys: a string key makes the
    hashing (and copying each group's values into a list) cost several times the sort; over
    integer keys alone (windows) hashing costs no more."""
    return any(schema[k] == pl.String for k in keys)


def agg(df: pl.DataFrame, keys: list[str], firsts: list[str], exprs: list[pl.Expr]) -> pl.DataFrame | None:
    """``df.group_by(keys).agg(first of each of firsts, *exprs)`` (groups in no particular
    order), each group's rows aggregated as one slice in row order; None when :func:`find`
    declines."""
    groups = find(df, keys) if df.height else None
    if groups is None:
        return None
    used = df.select(sorted({c for e in exprs for c in e.meta.root_names()})).rechunk()
    if groups.rows is not None and used.width:
        used = used.gather(pl.Series(groups.rows))
    rows = pl.DataFrame([*used.get_columns(), pl.Series(GROUP_COLUMN, groups.group).set_sorted()])
    # the in-memory engine groups a sorted column as slices (the streaming one as it will)
    out = (rows.lazy().group_by(GROUP_COLUMN, maintain_order=True).agg(exprs)
           .collect(engine="in-memory"))
    at = out.get_column(GROUP_COLUMN)
    first = df.select(firsts).gather(groups.firsts).gather(at) if firsts else pl.DataFrame()
    return pl.concat([groups.keys.gather(at), first, out.drop(GROUP_COLUMN)], how="horizontal")
