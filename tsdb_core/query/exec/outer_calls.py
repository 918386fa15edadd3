"""Calls of an outer GROUP BY time() over a subquery's filled runs, as influxd 1.x runs them
(query/select.go callIterator, subquery.go buildVarRefIterator): each call is an iterator of
its own over a cursor of the subquery, its points Nil where its field is null, so its
reducer's stretches (exec/stretches.py) are its own; the outer cursor then reads the calls'
streams together (exec/run_transforms.py ``cursor_merged``). Calls of one field share a
stream; a column mixing fields is not split (the calls are then reduced together)."""
from __future__ import annotations

import dataclasses

import polars as pl

from ...influxql import ast
from ...influxql.ast.visit import find
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.nodes import SelectPlan, SubqueryScan, output_column, reads_extra_window
from . import regroup, run_transforms


def parts(plan: SelectPlan) -> list[tuple[int, ...]] | None:
    """The statement's columns by the field they read (each part a stream of its own), or
    None when the statement is not such a shape or reads one field."""
    sources = plan.sources
    if len(sources) != 1 or not isinstance(sources[0], SubqueryScan) or plan.is_raw or not plan.interval \
            or not (regroup.fills_runs(sources[0].plan) or run_transforms.streams(sources[0].plan)):
        return None
    fields: dict[str, list[int]] = {}
    for i, c in enumerate(plan.columns):
        refs = {r.name for call in find(c.expr, ast.Call) for r in find(call, ast.VarRef)}
        if len(refs) != 1:
            return None
        fields.setdefault(refs.pop(), []).append(i)
    return [tuple(cols) for cols in fields.values()] if len(fields) > 1 else None


def part_plan(plan: SelectPlan, cols: tuple[int, ...]) -> SelectPlan:
    """The statement of ``cols`` alone (time kept: the parts meet on it); a part of no transform
    reading the window before the range reads none (its call iterator's own range)."""
    columns = tuple(plan.columns[i] for i in cols)
    extra = plan.extra_intervals if any(reads_extra_window(c.expr) for c in columns) else 0
    return dataclasses.replace(plan, columns=columns, omit_time=False, root=None, extra_intervals=extra)


def merged(plan: SelectPlan, frames: list[tuple[tuple[int, ...], pl.DataFrame]]) -> pl.DataFrame | None:
    """The parts' rows (each a frame of its own columns, in its order) read together as the
    outer statement's cursor reads them; every output column, a part without rows fill()'s
    number (else null)."""
    keys = [NAME, *plan.dimensions]
    frames = [(cols, df) for cols, df in frames if df is not None and df.height]
    # a part whose stream comes back to a group: the rows stay in the cursor's order, a series
    # again wherever the group changes (engine._runs)
    runs = [run_transforms.SERIES_RUN_COLUMN] if any(run_transforms.SERIES_RUN_COLUMN in df.columns
                                                      for _, df in frames) else []
    streams = [df.select([*keys, "time", *(pl.col(output_column(j)).alias(output_column(i)) for j, i in enumerate(cols))])
               for cols, df in frames]
    if not streams:
        return None
    out = streams[0] if len(streams) == 1 else run_transforms.cursor_merged(streams, keys, plan.ascending,
                                                                             plan.fill, plan.fill_value)
    have = set(out.columns)
    absent = pl.lit(plan.fill_value if plan.fill == "value" else None)  # (the cursor's default for a call of no rows)
    return out.select([*keys, "time", *(pl.col(c) if c in have else absent.alias(c)
                                         for c in (output_column(i) for i in range(len(plan.columns)))),
                       *(pl.lit(0, pl.Int64).alias(c) for c in runs)])
