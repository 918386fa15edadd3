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

top()/bottom() of a field alone (and distinct(), sample()) emit a window's inner groups in
that order too, each group's points by time (ascending under ORDER BY time DESC: only the
windows run backwards), which a raw outer query keeps; under LIMIT/OFFSET top()/bottom()'s
builder hands the statement's limits to the field's storage iterator, cut and limited as a
raw subquery's (:func:`selector_input`).

A fill of values reads that same stream (query/iterator.gen.go, FillIterator.Next): its
window restarts whenever a point's tags differ from the previous point's, so each run of one
inner group's points is filled on its own, from the range's first window (its own first
window when the range has no start) to the range's last (its own last, descending without a
start); LIMIT then counts runs of tags of the filled stream (:func:`filled_runs`). Under tz()
a run steps through the zone's windows; the iterator fills each call before the cursor's math
(fill(<value>)'s number goes through the math, fill(linear) draws each call's line).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...base.errors import LimitExceeded
from ...base.time import MAX_TIME
from ...influxql import ast
from ...influxql import functions as F
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.limits import HARD_MAX_WINDOWS
from ..plan.nodes import WINDOW_COLUMN, SelectPlan, output_column
from . import fill_walk, go_merge
from .fill import bucket_expr, bucket_grid, window_start


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
    docstring): a LIMIT or OFFSET, a grouping tag the outer statement lacks and no fill of
    values; top()/bottom()/distinct()-like calls (rows of their own times) without tz()."""
    if plan.outer_dimensions is None or plan.is_raw or not (plan.limit or plan.row_offset):
        return False
    if plan.fill not in ("none", "null") or set(plan.dimensions) <= set(plan.outer_dimensions):
        return False
    return plan.tz is None or not _many_rows(plan)


def _many_rows(plan: SelectPlan) -> bool:
    return any(isinstance(c.expr, ast.Call) and F.spec(c.expr.name).many_rows for c in plan.columns)


def window_runs(df: pl.DataFrame, plan: SelectPlan) -> pl.DataFrame:
    """The aggregated rows the LimitIterator passes, in their order: each outer group's windows
    in query order, a window's inner groups by their tag values (keys in sorted order, a
    missing tag ""), a group's rows of top()/bottom() by time (ascending under ORDER BY time
    DESC too); the rows of a selector without GROUP BY time share one window."""
    dims = sorted(plan.dimensions)
    many = _many_rows(plan)
    wcol = "\x00regroup_window"
    window = [wcol] if plan.interval else []
    order = [*outer_keys(plan), *window, *dims, *(["time"] if many else [])]
    desc = [False] * len(outer_keys(plan)) + [not plan.ascending] * len(window) + [False] * (len(dims) + many)
    row = "\x00regroup_row"
    start = bucket_expr(plan.interval, plan.offset, None, None) if many and plan.interval else pl.col("time")
    ranked = df.with_row_index(row).with_columns(start.alias(wcol)).sort(order, descending=desc, maintain_order=True)
    kept = ranked.filter(_passes([NAME, *dims], plan.limit, plan.row_offset)).get_column(row)
    return df.with_row_index(row).filter(pl.col(row).is_in(kept.implode())).drop(row)


def fills_runs(plan: SelectPlan) -> bool:
    """Whether influxd fills this aggregating subquery's windows run by run (module docstring):
    GROUP BY time(), fill(<value>), fill(previous) or fill(linear), every column math over
    calls of one row per window."""
    if plan.outer_dimensions is None or plan.is_raw or not plan.interval:
        return False
    if plan.fill not in ("value", "previous", "linear"):
        return False
    return all(_over_calls(c.expr, False) for c in plan.columns)


def lines_calls(plan: SelectPlan) -> list[int]:
    """The columns of a subquery filled run by run under fill(linear) whose math is not a sum
    of calls times numbers: influxd draws each call's line, then computes the column (the
    line of the column's own values would differ)."""
    if plan.fill != "linear" or not fills_runs(plan):
        return []
    return [i for i, c in enumerate(plan.columns) if not _over_calls(c.expr, True)]


def _over_calls(e: ast.Expr, linear: bool) -> bool:
    """Whether ``e`` is a call of one row per window, or numbers and such calls combined by
    arithmetic (``linear``: by + and -, times or over a number), with a call in it."""
    if isinstance(e, ast.Call):
        return not F.spec(e.name).many_rows
    if isinstance(e, ast.ParenExpr):
        return _over_calls(e.expr, linear)
    if not isinstance(e, ast.BinaryExpr) or e.op not in ("+", "-", "*", "/") or not _has_call(e):
        return False
    if linear and e.op in ("*", "/"):
        number = (ast.NumberLiteral, ast.IntegerLiteral)
        return isinstance(e.rhs, number) and _over_calls(e.lhs, linear) or \
            e.op == "*" and isinstance(e.lhs, number) and _over_calls(e.rhs, linear)
    return all(isinstance(x, (ast.NumberLiteral, ast.IntegerLiteral)) or _over_calls(x, linear) for x in (e.lhs, e.rhs))


def _has_call(e: ast.Expr) -> bool:
    if isinstance(e, ast.Call):
        return True
    if isinstance(e, ast.ParenExpr):
        return _has_call(e.expr)
    return isinstance(e, ast.BinaryExpr) and (_has_call(e.lhs) or _has_call(e.rhs))


def _filled_number(e: ast.Expr, value):
    """A column's value where fill(<value>) filled its calls (count()'s as an integer):
    the cursor's math over them."""
    if isinstance(e, ast.Call):
        return int(value) if e.name == "count" else value
    if isinstance(e, ast.ParenExpr):
        return _filled_number(e.expr, value)
    if isinstance(e, (ast.NumberLiteral, ast.IntegerLiteral)):
        return e.val
    lhs, rhs = _filled_number(e.lhs, value), _filled_number(e.rhs, value)
    if lhs is None or rhs is None:
        return None
    if e.op == "/":
        return lhs / rhs if rhs else 0.0  # influxql's division by zero
    return lhs + rhs if e.op == "+" else lhs - rhs if e.op == "-" else lhs * rhs


def filled_runs(df: pl.DataFrame, plan: SelectPlan, extra: int = 0, limits: bool = True) -> pl.DataFrame:
    """The unfilled aggregated rows filled run by run in the reducer's order, then LIMIT/OFFSET
    counted per run (unless not ``limits``); in that order (reversed under ORDER BY time DESC,
    as the Order stage reverses it back). ``extra``: windows a transform reads past the range
    (exec/run_transforms.py)."""
    dims = sorted(plan.dimensions)
    order = [*outer_keys(plan), "time", *dims]
    desc = [False] * len(outer_keys(plan)) + [not plan.ascending] + [False] * len(dims)
    tags = [NAME, *dims]
    run, real = "\x00regroup_run", "\x00regroup_real"
    first, last = _range_windows(plan, extra)  # (a wider range read for another call's transform)
    df = df.filter((pl.col("time") >= first if first is not None else pl.lit(True)) & (pl.col("time") <= last))
    df = df.sort(order, descending=desc, maintain_order=True)
    df = df.with_columns(run_ids(tags).alias(run), pl.lit(True).alias(real))
    if plan.fill in ("null", "none"):  # the reducer's stream as it is (a null row comes to nothing)
        return _unfilled(df, plan, extra, run if limits else None).drop(run, real)
    spans = df.group_by(run, maintain_order=True).agg(*(pl.col(c).first() for c in tags),
                                                      pl.col("time").first().alias("a"),
                                                      pl.col("time").last().alias("b"))
    iv = plan.interval if plan.ascending else -plan.interval
    if plan.ascending:
        a, b = (pl.lit(first) if first is not None else pl.col("a")), pl.lit(last)
    else:
        a, b = pl.lit(last), (pl.lit(first) if first is not None else pl.col("b"))
    start = fill_walk.plan_start(plan)  # None with a range start (``first``)
    if start is not None:  # the wrapped walk from 1677, each run on its own (exec/fill_walk.py)
        spans = _walked_runs(df, plan, start, last, run, tags)
    elif plan.tz is None:
        spans = spans.select(run, *tags, pl.int_ranges(a, b + iv, iv).alias("time")).explode("time")
        spans = spans.filter(pl.col("time").is_not_null())
    else:
        spans = _zone_windows(spans.with_columns(a.alias("a"), b.alias("b")), plan, first, last, run)
        spans = spans.select(run, *tags, "time")
    spans = fill_walk.apart(spans, [run], "time") if start is not None else spans
    out = spans.join(df.drop(tags), on=[run, "time"], how="left", maintain_order="left")
    values = [c for c in df.columns if c not in (*tags, run, real, "time")]
    if start is not None and plan.fill == "linear":
        out = _walked_lines(out, values, plan, run, real)
    else:
        out = out.with_columns(_filled(c, out.schema[c], plan, run, real) for c in values)
    if limits:
        out = out.filter(_passes([run], plan.limit, plan.row_offset))
    out = fill_walk.together(out, "time").select(df.columns).drop(run, real)
    return out if plan.ascending else out.reverse()


def _unfilled(df: pl.DataFrame, plan: SelectPlan, extra: int, run: str | None) -> pl.DataFrame:
    """:func:`filled_runs` without a fill: the rows of the range's windows (and ``extra``),
    LIMIT/OFFSET counted per ``run`` (None: not)."""
    first, last = _range_windows(plan, extra)
    t = pl.col("time")
    out = df.filter((t >= first if first is not None else pl.lit(True)) & (t <= last))
    out = out.filter(_passes([run], plan.limit, plan.row_offset)) if run else out
    return out if plan.ascending else out.reverse()


def _range_windows(plan: SelectPlan, extra: int = 0) -> tuple[int | None, int]:
    """The windows of the range's start (None: unbounded) and end, ``extra`` windows wider
    before the start (after the end under ORDER BY time DESC)."""
    tr, wide = plan.time_range, extra * plan.interval
    lo, hi = (tr.start - wide, tr.end) if plan.ascending else (tr.start, tr.end + wide)
    first = window_start(lo, plan.interval, plan.offset, plan.tz) if tr.has_start else None
    return first, window_start(min(hi, MAX_TIME), plan.interval, plan.offset, plan.tz)


def _walked_runs(df: pl.DataFrame, plan: SelectPlan, start: int, last: int, run: str,
                 tags: list[str]) -> pl.DataFrame:
    """(run, tags, time) of every run's walk from the wrapped ``start`` (fill_walk.walk: the
    iterator restarts at each run). The statement's windows limit counted a walk per series:
    runs of a series that leave and come back walk again, so their sum is checked here."""
    runs = df[run].n_unique()
    rows = runs * fill_walk.rows_per_series(start, last, plan.interval, plan.tz)
    if rows > HARD_MAX_WINDOWS:
        raise LimitExceeded(f"max-select-windows limit exceeded: ({rows}/{HARD_MAX_WINDOWS}): "
                            f"{rows // runs} windows x {runs} runs")
    if plan.tz is None:  # all runs at once, in order of first appearance
        heads = df.select(run, *tags).unique(run, keep="first", maintain_order=True)
        rank = "\x00regroup_rank"
        wins = df.select(run, "time").unique().join(heads.select(run).with_row_index(rank), on=run)
        wins = wins.sort(rank, "time")
        sid = wins[rank].cast(pl.Int64).to_numpy()
        at, times = fill_walk.walks(sid, wins["time"].to_numpy(), start, last, plan.interval)
        return heads.gather(at).with_columns(pl.Series("time", times, dtype=pl.Int64))
    parts = []
    for part in df.select(run, *tags, "time").partition_by(run, maintain_order=True):
        wins = np.unique(part["time"].to_numpy())
        walk = pl.DataFrame({"time": fill_walk.walk(wins, start, last, plan.interval, plan.tz)})
        parts.append(part.drop("time").head(1).join(walk, how="cross"))
    return pl.concat(parts)


def _walked_lines(out: pl.DataFrame, values: list[str], plan: SelectPlan, run: str, real: str) -> pl.DataFrame:
    """fill(linear) over the runs' walks as influxd draws it there (fill_walk.linear)."""
    points = out.filter(pl.col(real).is_not_null()).select(run, pl.col("time").alias(WINDOW_COLUMN), *values)
    full = out.select(run, pl.col("time").alias(WINDOW_COLUMN))
    lines = fill_walk.linear(points, [run], full, values, plan.interval)
    return out.with_columns(lines[c].cast(out.schema[c], strict=False) for c in values)


def _zone_windows(spans: pl.DataFrame, plan: SelectPlan, first: int | None, last: int, run: str) -> pl.DataFrame:
    """Each run's windows from ``a`` to ``b`` (in query order) as the fill iterator walks them
    under tz() (exec/fill.py bucket_grid)."""
    lo = first if first is not None else min(spans["a"].min(), spans["b"].min())
    grid = pl.DataFrame({"time": bucket_grid(lo, last, plan.interval, plan.offset, plan.tz)}, schema={"time": pl.Int64})
    lo_e, hi_e = (pl.col("a"), pl.col("b")) if plan.ascending else (pl.col("b"), pl.col("a"))
    out = spans.join(grid, how="cross").filter(pl.col("time").is_between(lo_e, hi_e))
    return out.sort(run, "time", descending=[False, not plan.ascending], maintain_order=True)


def _filled(col: str, dtype, plan: SelectPlan, run: str, real: str) -> pl.Expr:
    """A column's value in the windows a run lacks: the number, the run's previous point's,
    or the line between the run's points around it (null past either end)."""
    gap = pl.col(real).is_null()
    if plan.fill == "value":
        value = next((_filled_number(c.expr, plan.fill_value) for i, c in enumerate(plan.columns)
                      if output_column(i) == col), plan.fill_value)
        lit = pl.lit(value).cast(dtype, strict=False) if dtype.is_numeric() else pl.lit(None, dtype)
        return pl.when(gap).then(lit).otherwise(pl.col(col)).alias(col)
    if plan.fill == "previous":
        return pl.col(col).forward_fill().over(run).alias(col)
    t = pl.when(~gap).then(pl.col("time"))
    pv, pt = pl.col(col).forward_fill().over(run), t.forward_fill().over(run)
    nv, nt = pl.col(col).backward_fill().over(run), t.backward_fill().over(run)
    line = pv + (nv - pv) * (pl.col("time") - pt) / (nt - pt)
    return pl.when(gap).then(line.cast(dtype, strict=False)).otherwise(pl.col(col)).alias(col)


def cut_series(lf: pl.LazyFrame, plan: SelectPlan, shard: pl.Expr, ascending: bool) -> pl.LazyFrame:
    """Each stored series' first LIMIT+OFFSET+1 points of each shard group, in query order
    (tsm1's limitIterator reads one point past the limit before it stops)."""
    names = set(lf.collect_schema().names())
    series = [NAME, *(t for t in plan.source_tags if t in names)]
    n = plan.limit + plan.row_offset + 1
    rank = pl.col("time").rank("ordinal", descending=not ascending).over([*series, shard])
    return lf.filter(rank <= n)


def regrouped_series(plan: SelectPlan) -> bool:
    """Whether influxd's storage iterators of this subquery limit each series on its own
    (tsm1 createVarRefIterator): it has a LIMIT or OFFSET, and the outer statement's GROUP BY
    lacks one of its grouping tags."""
    if plan.outer_dimensions is None or not (plan.limit or plan.row_offset):
        return False
    return not set(plan.dimensions) <= set(plan.outer_dimensions)


def selector_input(lf: pl.LazyFrame, plan: SelectPlan, shard: pl.Expr, collect) -> pl.LazyFrame:
    """The points top()/bottom() of a field alone read in a subquery under an outer GROUP BY
    lacking one of its tags (:func:`regrouped_series`): its builder hands the statement's
    LIMIT/OFFSET to the field's storage iterator (query/select.go reads it with ``b.opt``,
    whose limits it did not clear), so tsm1 cuts each stored series (:func:`cut_series`)
    and limits the heap merge of each outer group's series per shard group by runs of tags
    (query.LimitIterator), as under a raw subquery. ``collect``: a LazyFrame's rows."""
    names = set(lf.collect_schema().names())
    tags = [t for t in plan.source_tags if t in names]
    keys = outer_keys(plan)
    sh = "\x00regroup_shard"
    lf = cut_series(lf, plan, shard, plan.ascending).with_columns(shard.alias(sh))
    desc = [False] * (len(keys) + 1) + [not plan.ascending] + [False] * len(tags)
    df = collect(lf.sort([*keys, sh, "time", *tags], descending=desc, maintain_order=True))
    refs = [c.expr for c in plan.columns if isinstance(c.expr, ast.VarRef)]  # the aux values
    aux = go_merge.aux_columns(refs, {r.name: r.name for r in refs if r.name in names}, keys)
    df = go_merge.merged_rows(df, [*keys, sh], tags, plan.ascending, aux)
    runs = [NAME, *(d for d in plan.dimensions if d in names), sh]
    return df.filter(_passes(runs, plan.limit, plan.row_offset)).drop(sh).lazy()


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


def run_ids(cols: list) -> pl.Expr:
    """Each row's run number (from 1): a run ends wherever one of the columns' values changes."""
    exprs = [pl.col(c) if isinstance(c, str) else c for c in cols]
    return pl.any_horizontal([e.ne_missing(e.shift(1)) for e in exprs]).fill_null(True).cum_sum()


def _passes(cols: list, limit: int, offset: int) -> pl.Expr:
    """query.LimitIterator: the counter restarts at each change of the columns' values."""
    idx = pl.int_range(pl.len()).over(run_ids(cols))
    keep = idx >= offset
    return keep & (idx < offset + limit) if limit else keep
