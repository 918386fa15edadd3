"""A raw subquery's LIMIT/OFFSET and SLIMIT/SOFFSET under the outer statement's GROUP BY, as
influxd 1.x applies them.

influxd runs a subquery under the outer query's dimensions (query/iterator.go,
newIteratorOptionsSubstatement: ``subOpt.Dimensions = opt.Dimensions``) while its points keep
the tags of both GROUP BYs (``GroupBy``, the tags the engine's iterators subset to). So SLIMIT
counts the outer query's groups (tsm1 engine, ``LimitTagSets``). Where the inner query groups
by a tag the outer does not, tsm1's createVarRefIterator cuts each stored series to
LIMIT+OFFSET+1 points per shard (its limitIterator leaves offsets to a higher iterator), merges
the series of each outer group on the sorted heap and hands the merge to query's
LimitIterator, whose counter restarts whenever a point's name or tags differ from the previous
point's; buildAuxIterator applies that LimitIterator once more over the merged shards. Rows of
one series rarely follow each other in a merge by time, so most pass; under an OFFSET most fail.

An aggregating subquery's LIMIT/OFFSET is the same LimitIterator, over its reducer's output
(query/select.go buildFieldIterator): under the outer's groups the reducer emits, window after
window, one point per inner group in the order of its tags (iterator.gen.go reduce(): the
sorted Tags.ID), so the counter restarts at each point unless an outer group holds one
inner group in a run of windows (:func:`window_runs`).
"""
from __future__ import annotations

import polars as pl

from ...influxql import ast
from ...influxql import functions as F
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.nodes import SelectPlan, output_column


def outer_keys(plan: SelectPlan) -> list[str]:
    """The grouping columns of the outer statement, as the subquery's rows carry them."""
    outer = set(plan.outer_dimensions or ())
    return [NAME, *(d for d in plan.dimensions if d in outer)]


def regrouped(plan: SelectPlan) -> bool:
    """Whether influxd limits this raw subquery's rows by runs of tags (module docstring): it
    has a LIMIT or OFFSET and groups by a tag the outer statement does not."""
    if plan.outer_dimensions is None or not plan.is_raw or not (plan.limit or plan.row_offset):
        return False
    return not set(plan.dimensions) <= set(plan.outer_dimensions)


def regrouped_windows(plan: SelectPlan) -> bool:
    """Whether influxd limits this aggregating subquery's rows by runs of tags (module
    docstring): a LIMIT or OFFSET, a grouping tag the outer statement lacks, one row per
    window and inner group (no top()/bottom()/distinct()-like calls) and no fill of values."""
    if plan.outer_dimensions is None or plan.is_raw or not (plan.limit or plan.row_offset):
        return False
    if plan.fill not in ("none", "null") or set(plan.dimensions) <= set(plan.outer_dimensions):
        return False
    return not any(isinstance(c.expr, ast.Call) and F.spec(c.expr.name).many_rows for c in plan.columns)


def window_runs(df: pl.DataFrame, plan: SelectPlan) -> pl.DataFrame:
    """The aggregated rows the LimitIterator passes, in their order: each outer group's windows
    in query order, a window's inner groups by their tag values (keys in sorted order, a
    missing tag ""); the rows of a selector without GROUP BY time share one window."""
    dims = sorted(plan.dimensions)
    window = ["time"] if plan.interval else []
    order = [*outer_keys(plan), *window, *dims]
    desc = [False] * len(outer_keys(plan)) + [not plan.ascending] * len(window) + [False] * len(dims)
    row = "\x00regroup_row"
    ranked = df.with_row_index(row).sort(order, descending=desc, maintain_order=True)
    kept = ranked.filter(_passes([NAME, *dims], plan.limit, plan.row_offset)).get_column(row)
    return df.with_row_index(row).filter(pl.col(row).is_in(kept.implode())).drop(row)


def cut_series(lf: pl.LazyFrame, plan: SelectPlan, shard: pl.Expr, ascending: bool) -> pl.LazyFrame:
    """Each stored series' first LIMIT+OFFSET+1 points of each shard group, in query order
    (tsm1's limitIterator reads one point past the limit before it stops)."""
    names = set(lf.collect_schema().names())
    series = [NAME, *(t for t in plan.source_tags if t in names)]
    n = plan.limit + plan.row_offset + 1
    rank = pl.col("time").rank("ordinal", descending=not ascending).over([*series, shard])
    return lf.filter(rank <= n)


def run_limit(df: pl.DataFrame, plan: SelectPlan, shard: pl.Expr | None) -> pl.DataFrame:
    """The rows (in influxd's merge order) both LimitIterators pass: per shard group, then
    over the merged shards; each counts a run of rows of equal name and tags. ``shard`` None:
    a statement reading subqueries only, limited once over their merged stream."""
    tags = [NAME, *(c for c in (_tag_column(plan, d, df.columns) for d in plan.dimensions) if c)]
    if shard is not None:
        df = df.filter(_passes(tags + [shard], plan.limit, plan.row_offset))
    return df.filter(_passes(tags, plan.limit, plan.row_offset))


def _tag_column(plan: SelectPlan, tag: str, columns: list[str]) -> str | None:
    """The column of a grouping tag: its own, or the output column selecting it by name."""
    if tag in columns:
        return tag
    return next((output_column(i) for i, c in enumerate(plan.columns) if isinstance(c.expr, ast.VarRef)
                 and c.expr.type == "tag" and c.expr.name == tag and output_column(i) in columns), None)


def _passes(cols: list, limit: int, offset: int) -> pl.Expr:
    """query.LimitIterator: the counter restarts at each change of the columns' values."""
    exprs = [pl.col(c) if isinstance(c, str) else c for c in cols]
    changed = pl.any_horizontal([e.ne_missing(e.shift(1)) for e in exprs]).fill_null(True)
    idx = pl.int_range(pl.len()).over(changed.cum_sum())
    keep = idx >= offset
    return keep & (idx < offset + limit) if limit else keep
