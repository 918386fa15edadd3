"""The general executor: runs a plan's operator tree with Polars.

Scan → Filter → Aggregate | Series → Fill → Transform → Order/Limit → Project, each
stage with the parameters its node holds. Stays lazy up to the aggregate (one
``collect`` per statement); what follows (fill, transforms, ordering, limits) works on
the small aggregated frame. Rows carry the measurement (``NAME``) and the GROUP BY
tags, and the output columns are working columns (:mod:`..plan.nodes` lists them);
:func:`run_frame` returns the rows of every series, in InfluxDB order.
"""
from __future__ import annotations

import atexit
import threading
import time as _time
from dataclasses import dataclass, field, replace

import polars as pl

from ...base.errors import LimitExceeded, QueryError, UnsupportedType
from ...base.time import MAX_TIME, MIN_TIME
from ...base.types import field_key
from ...influxql import ast
from ...influxql import functions as F
from ...influxql.ast.visit import find, transform
from ..functions import aggregates as agg
from ..analyze.conditions import all_refs as _all_refs
from ..analyze.conditions import conjuncts as _conjuncts
from ..analyze.conditions import AnyString, scan_tags
from ..analyze.conditions import tag_equalities as _tag_equalities
from . import cast_trace, fast_tree, fill_walk, go_merge, go_nan, go_reduce, go_ties, integral_v1, outer_calls, regroup, run_transforms, sorted_groups, stretches
from . import runs as series_runs
from .aux_fill import cast_fill, fill_aux, numeric_comparisons, prefill_refs, text_fills
from .counts import from_counts
from .field_limits import limit_fields, limited_columns
from .held_scan import held_scan
from .expressions import CHECKED_CAST, cond_expr, dtype_of, ref_expr, value_expr
from .number_scalar import number_to_scalar
from .fill import bucket_expr, bucket_grid, fill, fill_number, row_windows, window_start
from ..plan.nodes import (BOUND_COLUMN, COUNT_COLUMN, INPUT_COLUMN, POINT_TIME_COLUMN, VALUE_COLUMN,
                          WINDOW_COLUMN, Aggregate, FastSelect, Fill, Filter, Merge, OrderLimit,
                          Project, Scan, SelectPlan, Series, SubqueryScan, Transform, ZipByTime,
                          ORDER_ROW_COLUMN, ORDER_TIME_COLUMN, SOURCE_COLUMN, SUBQUERY_ROW_COLUMN, gap_column,
                          output_column, seen_column, tag_name, LoweredCall, NULL_VALUE_PREFIX,
                          TIME_FIELD, VALUE_PREFIX)
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.tree import with_tree

TAG_TMP = "\x00tag:"  # a series tag carried beside the selected columns
FALLS_TMP = "\x00falls"  # a row of a subquery's stream read at a later time (_stream_time)
HIDDEN_TMP = "\x00hidden:"  # a subquery's series tag its rows read as null (SubqueryScan.hidden)
PAST_TMP = "\x00past"  # a series' next point past a raw LIMIT's cut (the heap held it)
AUX_TMP = "\x00aux:"  # a string field the heap compares after equal times (go_merge.aux_columns)
TIE_COLUMN = "\x00tie"  # groups whose mode()/percentile() answer depends on influxd's sort
ROW_TMP = "\x00block_row"
EXTRA_TMP = "\x00extra_window"  # a row filled in a transform's extra window only (_filled_stretches)


@dataclass
class Ctx:
    provider: object
    now: int
    max_points: int = 0
    max_series: int = 0
    max_buckets: int = 0
    points: int = 0
    series_lf: object = None  # rows of the matching series before field conditions
    deadline: float = 0.0  # time.perf_counter() past which the statement stops (query_timeout_s)
    # Collect so that the deadline can cancel the work (Polars' in-memory engine, polled), or at
    # full speed (its default engine) when the statement's estimated work ends well before it.
    cancellable: bool = True
    # a subquery's text/boolean columns its fill(<number>) left empty: {column: the number}
    text_fills: dict = field(default_factory=dict)
    # (SLIMIT, SOFFSET) the enclosing statements add to the statement running (influxd 1.x)
    series_limits: tuple[int, int] = (0, 0)
    # what _tree_spans and _runs_tree found for the plans run (once per statement, not per stage)
    tree_memo: dict = field(default_factory=dict)


def collect(lf: pl.LazyFrame, ctx: Ctx, engine: str = "auto") -> pl.DataFrame:
    """``lf.collect()``, cancelled at ``ctx.deadline``: influxd's query-timeout kills the query
    rather than dropping its answer, and Polars stops a query between its operators."""
    if not ctx.deadline:
        return lf.collect(engine=engine)
    if not ctx.cancellable:
        out = lf.collect(engine=engine)
        if _time.perf_counter() >= ctx.deadline:
            raise QueryError("query-timeout limit exceeded")
        return out
    job = lf.collect(engine=engine, background=True)
    pause = 0.00002  # short first waits: most collects end almost at once
    while True:
        out = job.fetch()
        if out is not None:
            return out
        if _time.perf_counter() >= ctx.deadline:
            job.cancel()
            _cancelled.reap(job)
            raise QueryError("query-timeout limit exceeded")
        _time.sleep(pause)
        pause = min(pause * 1.5, 0.005)


class _Reaper:
    """Waits for cancelled queries to stop: a cancelled Polars query still running when the
    interpreter exits aborts the process (a Rayon panic), so exit waits for them too."""

    def __init__(self) -> None:
        self._jobs: set = set()
        self._lock = threading.Lock()
        atexit.register(self.join)

    def reap(self, job) -> None:
        with self._lock:
            self._jobs.add(job)
        threading.Thread(target=self._wait, args=(job,), name="tsdb-cancelled-query", daemon=True).start()

    def _wait(self, job) -> None:
        try:
            job.fetch_blocking()
        except Exception:  # noqa: BLE001 - "query interrupted" is the expected end
            pass
        with self._lock:
            self._jobs.discard(job)

    def join(self) -> None:
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            self._wait(job)


_cancelled = _Reaper()


@dataclass
class Lowered:
    """The calls the executor computes: output expressions reading working columns
    (:class:`LoweredCall`), aggregate call → its column, transform call → (its column,
    the expression it reads). Taken from the plan's operator nodes."""

    exprs: list = field(default_factory=list)
    aggs: dict = field(default_factory=dict)
    transforms: dict = field(default_factory=dict)


@dataclass
class Stages:
    """The operators below Order/Limit, as the general executor runs them bottom-up."""

    source: object
    filter: Filter | None
    shape: Aggregate | Series
    fill: Fill | None
    transform: Transform | None

    @classmethod
    def of(cls, node) -> "Stages":
        transform = node if isinstance(node, Transform) else None
        node = node.child if transform else node
        fill = node if isinstance(node, Fill) else None
        shape = node.child if fill else node
        node = shape.child
        filt = node if isinstance(node, Filter) else None
        return cls(filt.child if filt else node, filt, shape, fill, transform)

    def lowered(self, project: Project) -> Lowered:
        aggs = self.shape.calls if isinstance(self.shape, Aggregate) else ()
        transforms = zip(self.transform.calls, self.transform.inputs) if self.transform else ()
        return Lowered(list(project.exprs), {c.call: c.column for c in aggs},
                       {c.call: (c.column, inner) for c, inner in transforms})


# -- loading ----------------------------------------------------------------------------

def load(source, ctx: Ctx, counted: frozenset[str] = frozenset()) -> pl.LazyFrame | None:
    """The rows of a Scan, a Subquery or a Merge of them, each tagged with its measurement;
    ``counted``: fields the statement only counts (:func:`_counted`)."""
    inputs = source.inputs if isinstance(source, Merge) else (source,)
    frames = []
    several = len(inputs) > 1 and any(isinstance(s, SubqueryScan) for s in inputs)
    for i, src in enumerate(inputs):
        if isinstance(src, SubqueryScan):
            inner = run_frame(src.plan, ctx)
            if inner is not None and inner.height:
                inner = inner.drop(run_transforms.SERIES_RUN_COLUMN, strict=False)  # (a level's own)
                ctx.text_fills.update(text_fills(src.plan, inner))
                frames.append(inner.lazy().with_columns(
                    ([pl.lit(i, pl.Int32).alias(SOURCE_COLUMN)] if several else [])
                    + [pl.lit(None, pl.String).alias(t) for t in src.hidden if t in inner.columns]
                    + [pl.col(t).alias(HIDDEN_TMP + t) for t in src.hidden if t in inner.columns]
                    + ([pl.lit(True).alias(SUBQUERY_ROW_COLUMN)] if src.whole else [])
                    + [pl.lit(True).alias(NULL_VALUE_PREFIX + n) for n in src.nulls]
                    + _order_time(src, src.plan.emulates_influxd, several)))
        elif not src.time_range.empty:
            lf = _scan(src, ctx, counted)
            frames.append(lf.with_columns(pl.lit(i, pl.Int32).alias(SOURCE_COLUMN)) if several else lf)
    if not frames:
        return None
    lf = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    have = set(lf.collect_schema().names())
    wanted = {c for src in inputs if isinstance(src, Scan) for c in src.columns}
    missing = [pl.lit(None).alias(c) for c in sorted(wanted - have)]
    return lf.with_columns(missing) if missing else lf


def _order_time(src: SubqueryScan, regrouped: bool = True, several: bool = False) -> list[pl.Expr]:
    """A raw outer query reads the rows of a subquery of one selector per series in series
    order, as influxd: their window's time, one for all, orders them (ORDER_TIME_COLUMN)."""
    inner = src.plan
    if not src.whole and regrouped and not several and regroup.fills_runs(inner) and run_transforms.streams(inner):
        # under an outer GROUP BY time(): its fill sees a series again there too (_stretches numbers them)
        return [pl.lit(0, pl.Int64).alias(run_transforms.SERIES_RUN_COLUMN)]
    # the filled runs, in the reducer's order; the streams of transforms (exec/run_transforms.py),
    # alone in FROM: a series again wherever the stream comes back to a group
    if src.whole and regrouped and (regroup.fills_runs(inner) or run_transforms.streams(inner)):
        row = pl.int_range(pl.len(), dtype=pl.Int64)
        runs = [] if several else [run_transforms.series_runs(regroup.outer_keys(inner), inner.ascending)]
        return [pl.lit(0, pl.Int64).alias(ORDER_TIME_COLUMN), (row if inner.ascending else -row).alias(ORDER_ROW_COLUMN),
                *runs]
    if src.whole and inner.interval and regrouped and _many_rows(inner):
        row = _reducer_row(inner)
        return [_stream_time(inner, row).alias(ORDER_TIME_COLUMN), row.alias(ORDER_ROW_COLUMN)]
    if not src.whole or inner.interval:
        return []
    if regrouped and (regroup.regrouped(inner) or _same_groups(inner)):  # its rows leave in the order of influxd's merge
        row = pl.int_range(pl.len(), dtype=pl.Int64)
        row = row if inner.ascending else -row
        return [pl.col("time").alias(ORDER_TIME_COLUMN), row.alias(ORDER_ROW_COLUMN)]
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    if _many_rows(inner):
        # top()/bottom() hand their rows on by series, then time, under ORDER BY time DESC too
        row = pl.struct([NAME, *inner.dimensions, "time"]).rank("ordinal").cast(pl.Int64)
        row = row if inner.ascending else -row
    elif not inner.point_time:
        return []
    if not regrouped:
        return [pl.lit(inner.time_range.start, pl.Int64).alias(ORDER_TIME_COLUMN), row.alias(ORDER_ROW_COLUMN)]
    return [_stream_time(inner, row).alias(ORDER_TIME_COLUMN), row.alias(ORDER_ROW_COLUMN)]


def _same_groups(inner: SelectPlan) -> bool:
    """Whether a raw subquery groups as the outer statement does: its rows, merged under its
    groups, are the stream influxd hands on, rows of equal time in that order."""
    return inner.is_raw and inner.outer_dimensions is not None and set(inner.dimensions) == set(inner.outer_dimensions)


def _stream_time(inner: SelectPlan, row: pl.Expr) -> pl.Expr:
    """The time a subquery's row of ``row``'s place (ORDER_ROW_COLUMN) in its stream is merged
    at beside other sources: influxd's sorted merge pops a stream's next row when its time is
    the least of the streams' next rows; a stream whose times fall back (a selector's rows
    by series, top()'s by window and group) is read as if each row's time were the latest
    of those before it in its outer group (the earliest, under ORDER BY time DESC)."""
    desc = not inner.ascending
    at = row.rank("ordinal", descending=desc).cast(pl.Int64) - 1
    t = pl.col("time").sort_by(row, descending=desc)
    return (t.cum_min() if desc else t.cum_max()).gather(at).over(regroup.outer_keys(inner))


def _reducer_row(inner: SelectPlan) -> pl.Expr:
    """Each row's place as top()/bottom() over GROUP BY time hand them on, which a raw outer
    query keeps: its reducer (query/iterator.gen.go ``reduce``) runs window after window
    under the outer query's groups, emitting a window's inner groups by their tags (the
    sorted Tags.ID, a missing tag "") and each group's points by time, ascending under
    ORDER BY time DESC too (only the windows run backwards)."""
    window = _window_expr(inner)
    row = pl.struct([NAME, (window if inner.ascending else -window).alias(WINDOW_COLUMN),
                     *sorted(inner.dimensions), "time", pl.int_range(pl.len()).alias(ROW_TMP)])
    row = row.rank("ordinal").cast(pl.Int64)
    return row if inner.ascending else -row


def _window_expr(inner: SelectPlan) -> pl.Expr:
    """Each row's window start; under tz() as influxd's opt.Window finds it (fill.window_start,
    once per distinct time: a subquery's selected rows)."""
    if inner.tz is None:
        return bucket_expr(inner.interval, inner.offset, None, None)

    def starts(s: pl.Series) -> pl.Series:
        found = {t: window_start(t, inner.interval, inner.offset, inner.tz) for t in s.unique().drop_nulls().to_list()}
        return s.replace_strict(found, default=None, return_dtype=pl.Int64)
    return pl.col("time").map_batches(starts, return_dtype=pl.Int64)


def _scan(src: Scan, ctx: Ctx, counted: frozenset[str] = frozenset()) -> pl.LazyFrame:
    tr = src.time_range
    tags = src.tag_filter()
    columns = list(src.columns)
    trace = cast_trace.TRACE.get()
    if trace is not None:  # a failing cast's rerun orders its rows by series (exec/cast_trace.py)
        sch = ctx.provider.schema(src.database, src.measurement)
        trace.tags.update(sch.tags if sch is not None else ())
        columns += [t for t in sorted(trace.tags) if t not in columns and sch is not None and t in sch.tags]
    if src.renames:  # fields read under their twin name (Scan.renames): no tag of that key here
        stored = dict(src.renames)
        columns = [stored.get(c, c) for c in columns if c in stored or c not in stored.values()]
    args = (src.database, src.retention_policy, src.measurement, tr.start, tr.end, columns)
    if counted and not src.renames and ctx.provider.capabilities.counted_scan:
        lf = ctx.provider.scan(*args, tags=tags or None, limit=src.limit or None, counted=counted)
    elif src.limit and src.held:  # InfluxDB 3: each field's n values, however sparse
        sch, stored = ctx.provider.schema(src.database, src.measurement), dict(src.renames)
        lf = held_scan(lambda limit: ctx.provider.scan(*args, tags=tags, limit=limit), *src.limit,
                       tuple(stored.get(f, f) for f in src.held), [c for c in columns if sch and c in sch.tags])
    elif src.limit:
        lf = ctx.provider.scan(*args, tags=tags, limit=src.limit)
    elif tags:
        lf = ctx.provider.scan(*args, tags=tags)
    else:
        lf = ctx.provider.scan(*args)
    if src.renames:
        lf = lf.rename({b: a for a, b in src.renames}, strict=False)
    return lf.with_columns(pl.lit(src.measurement).alias(NAME))


def _counted(stages: Stages, project: Project) -> frozenset[str]:
    """Fields the statement reads only as ``count(field)``: only their nulls matter, so the
    provider need not read their values back (a decimal column stays unconverted)."""
    if not isinstance(stages.shape, Aggregate):
        return frozenset()
    counts, other = set(), set()
    for c in stages.shape.calls:
        a0 = c.call.args[0] if c.call.args else None
        if c.call.name == "count" and isinstance(a0, ast.VarRef):
            counts.add(a0.name)
        else:
            other.update(r.name for r in _all_refs(c.call))
    exprs = [*project.exprs, *(stages.transform.inputs if stages.transform else ())]
    if stages.filter is not None:
        exprs.append(stages.filter.condition)
    other.update(r.name for e in exprs for r in _all_refs(e))
    return frozenset(counts - other)


def _field_refs(e) -> list:
    return [r for r in _all_refs(e) if r.type != "tag"]


# -- running the tree ----------------------------------------------------------------------

def run_frame(plan: SelectPlan, ctx: Ctx) -> pl.DataFrame | None:
    """All rows of the statement: the measurement (``NAME``), GROUP BY tags, ``time``, the
    output columns; ordered. Runs ``plan.root`` (the general tree below a FastSelect)."""
    project = plan.root.child if isinstance(plan.root, FastSelect) else plan.root
    if isinstance(project.child, ZipByTime):
        return _zip_by_time(plan, project.child, ctx)
    calls = outer_calls.parts(plan) if plan.emulates_influxd else None
    if calls:  # each call a stream of its own over the subquery (exec/outer_calls.py)
        frames = [(cols, run_frame(with_tree(outer_calls.part_plan(plan, cols), ctx.provider, fast=False), ctx))
                  for cols in calls]
        df = outer_calls.merged(plan, frames)
        return _name_columns(plan, df) if df is not None else None
    order, down = _series_limits(plan, project.child, ctx)
    stages = Stages.of(order.child)
    counted, df = from_counts(plan, stages, order, project, ctx)
    if counted:
        return finish(plan, order, df, [NAME], ordered=False) if df is not None else None
    keys = [NAME, *stages.shape.dimensions]
    low = stages.lowered(project)
    grouped = None if _tree_exact(plan, stages, low, ctx) else series_runs.groups(plan, stages, order, low, ctx)
    if grouped is not None:
        df = _aggregate(plan, stages, order, None, grouped.schema, low, keys, ctx, grouped)
        df, order = _window_runs(plan, stages, order, df, low)
        return finish(plan, order, df, keys) if df is not None and df.height else None
    outer, ctx.series_limits = ctx.series_limits, down
    try:
        lf = load(_series_read(plan, stages, low, ctx), ctx, _counted(stages, project))
    finally:
        ctx.series_limits = outer
    if lf is None:
        return None
    lf, schema = _select_rows(plan, stages, order, keys, lf, ctx)
    lf, schema = _null_values(lf, schema, low)
    if isinstance(stages.shape, Series) and stages.transform is None and plan.emulates_influxd \
            and regroup.regrouped(plan):
        return _regrouped_rows(plan, stages, order, lf, schema, low, ctx)
    if isinstance(stages.shape, Series):
        df = _raw(plan, stages, order, lf, schema, low, keys, ctx)
        if stages.transform is not None and plan.emulates_influxd:  # each transform limited alone (_raw)
            order = replace(order, limit=0, offset=0)
    else:
        df = _aggregate(plan, stages, order, lf, schema, low, keys, ctx)
        df, order = _window_runs(plan, stages, order, df, low)
    if df is None or df.height == 0:
        return None
    ordered = isinstance(stages.shape, Series) and stages.transform is None
    return finish(plan, order, df, keys, ordered=ordered)


def _series_limits(plan: SelectPlan, order: OrderLimit, ctx: Ctx) -> tuple[OrderLimit, tuple[int, int]]:
    """influxd 1.x adds a statement's SLIMIT/SOFFSET to its subqueries' (query/iterator.go,
    newIteratorOptionsSubstatement) and applies the sums where they read storage, counting the
    outer statement's groups; a statement reading subqueries only applies none itself. The
    Order/Limit this statement applies, and the sums its subqueries start from."""
    if not plan.emulates_influxd:
        return order, (0, 0)
    cap = 2**31 - 1  # as the planner's ROWS_MAX
    down = (min(order.slimit + ctx.series_limits[0], cap), min(order.soffset + ctx.series_limits[1], cap))
    if plan.sources and all(isinstance(s, SubqueryScan) for s in plan.sources):
        here = (0, 0)
    else:
        here = down
    if here != (order.slimit, order.soffset):
        order = OrderLimit(order.ascending, order.limit, order.offset, *here, order.child)
    return order, down


def _regrouped_rows(plan: SelectPlan, stages: Stages, order: OrderLimit, lf, schema, low: Lowered,
                    ctx: Ctx) -> pl.DataFrame | None:
    """A raw subquery's LIMIT/OFFSET under an outer GROUP BY other than its own: its rows
    merged under the outer's groups, limited by runs of tags (exec/regroup.py)."""
    stored = any(isinstance(s, Scan) for s in plan.sources)  # subqueries only: no tsm1 cut, no shards
    shard = _shard_group(_shard_duration(plan, ctx)) if stored else None
    lf = regroup.cut_series(lf, plan, shard, order.ascending) if stored else lf
    free = OrderLimit(order.ascending, 0, 0, order.slimit, order.soffset, order.child)
    keys = regroup.outer_keys(plan)
    df = _raw(plan, stages, free, lf, schema, low, keys, ctx)
    if df is None or df.height == 0:
        return None
    df = regroup.run_limit(df, plan, shard)
    return finish(plan, free, df, keys, ordered=True) if df.height else None


def _window_runs(plan: SelectPlan, stages: Stages, order: OrderLimit, df, low: Lowered):
    """An aggregating subquery's LIMIT/OFFSET under an outer GROUP BY other than its own:
    counted over runs of tags in the reducer's order (exec/regroup.py); the rows, and the
    Order/Limit left to apply."""
    if df is None or not df.height or not plan.emulates_influxd:
        return df, order
    if stages.transform is not None:  # the streams' limits applied (_runs_transformed, _stretch_streams, _transform_stage)
        if not (run_transforms.read_as_streams(plan) or (_stretched(plan) and plan.outer_dimensions is None)
                or (_several_streams(plan, stages.shape, low) and (order.limit or order.offset))):
            return df, order
    elif regroup.fills_runs(plan):
        df = regroup.filled_runs(df, plan)
        lines = regroup.lines_calls(plan)  # computed again over each call's line (_aggregate kept them)
        calls = [c for c in low.aggs.values() if c in df.columns] if lines else []
        df = df.with_columns(value_expr(low.exprs[i], dict(df.schema)).alias(output_column(i))
                             for i in lines).drop(calls)
    elif regroup.regrouped_windows(plan):
        df = regroup.window_runs(df, plan)
    else:
        return df, order
    return df, OrderLimit(order.ascending, 0, 0, order.slimit, order.soffset, order.child)


def _shard_duration(plan: SelectPlan, ctx: Ctx) -> int:
    """The shard-group duration of the first measurement the statement reads."""
    s = next(s for s in plan.sources if isinstance(s, Scan))
    return s.shard_group_duration(ctx.provider) or 7 * 86_400 * 10**9  # (influxd's default for autogen)


def _select_rows(plan: SelectPlan, stages: Stages, order: OrderLimit, keys: list[str],
                 lf: pl.LazyFrame, ctx: Ctx) -> tuple[pl.LazyFrame, dict]:
    """The Filter stage (and SLIMIT's choice of series, made before field conditions)."""
    cond = stages.filter.condition if stages.filter is not None else None
    if cond is not None and ctx.text_fills:  # a subquery's filled cells compare as numbers
        cond, filled = numeric_comparisons(cond, ctx.text_fills)
        lf = lf.with_columns(filled) if filled else lf
    schema = dict(lf.collect_schema())
    pre = _pushdown(cond, schema)
    if pre is not None:
        lf = lf.filter(pre)
    lf = _stored_tags_lacking(plan, lf, schema, keys) if plan.emulates_influxd else lf  # (1.x only)
    lf = lf.with_columns([pl.col(d).fill_null("") if d in schema else pl.lit("").alias(d)
                          for d in keys[1:]])
    tag_cond = _tag_only(cond)
    if order.slimit or order.soffset:  # a subquery's count the outer statement's groups (exec/regroup.py)
        own = plan.outer_dimensions is None or (plan.outer_pattern and not plan.emulates_influxd)
        groups = keys if own else regroup.outer_keys(plan)
        lf = _slimit(order, lf, tag_cond, schema, groups)
    ctx.series_lf = lf.filter(cond_expr(tag_cond, schema)) if tag_cond is not None else lf
    if cond is not None:  # influxd's NaN (a subquery's stddev() of one point) compares as in Go
        go_nan = plan.emulates_influxd and any(isinstance(s, SubqueryScan) for s in plan.sources)
        lf = lf.filter(cond_expr(cond, schema, go_nan))
    return lf, dict(lf.collect_schema())


def _stored_tags_lacking(plan: SelectPlan, lf: pl.LazyFrame, schema: dict, keys: list[str]) -> pl.LazyFrame:
    """A selected grouping tag some subquery groups by without selecting (its "" is real,
    :func:`_grouped_tags_read`) reads as null on a measurement's rows lacking it (influxd):
    those rows marked as :func:`_null_values` reads them, before the key's null becomes ""."""
    if not any(isinstance(s, Scan) for s in plan.sources):
        return lf
    real = {d for s in plan.sources if isinstance(s, SubqueryScan) for d in _unselected_groups(s.plan)}
    names = [c.expr.name for c in plan.columns if isinstance(c.expr, ast.VarRef) and c.expr.type == "tag"
             and c.expr.name in real and c.expr.name in keys and c.expr.name in schema]
    marks = []
    for n in dict.fromkeys(names):
        lacking = pl.when(pl.col(n).is_null()).then(True)
        mark = NULL_VALUE_PREFIX + n
        marks.append((pl.coalesce(mark, lacking) if mark in schema else lacking).alias(mark))
    return lf.with_columns(marks) if marks else lf


def _null_values(lf: pl.LazyFrame, schema: dict, low: Lowered) -> tuple[pl.LazyFrame, dict]:
    """Selected tags whose values some subquery's rows lack though they group by them
    (``SubqueryScan.nulls``): read from a column of their own, null on those rows, so that
    the grouping key (and WHERE, which reads the key as influxd does) keeps the tag."""
    names = [c[len(NULL_VALUE_PREFIX):] for c in schema if c.startswith(NULL_VALUE_PREFIX)]
    names = [n for n in names if n in schema]
    if not names:
        return lf, schema
    lf = lf.with_columns([pl.when(pl.col(NULL_VALUE_PREFIX + n).is_null()).then(pl.col(n))
                          .alias(VALUE_PREFIX + n) for n in names])

    def swap(e):
        if isinstance(e, ast.VarRef) and e.type == "tag" and e.name in names:
            return ast.VarRef(VALUE_PREFIX + e.name, "tag")
        return e
    low.exprs = [e if isinstance(e, LoweredCall) else transform(e, swap) for e in low.exprs]
    return lf, dict(lf.collect_schema())


def _zip_by_time(plan: SelectPlan, node: ZipByTime, ctx: Ctx) -> pl.DataFrame | None:
    """Each part of a :class:`ZipByTime` on its own (ordered, LIMIT and OFFSET applied, as
    influxd does per iterator), rows joined on (series, time)."""
    keys = [NAME, *plan.dimensions]
    parts = []
    for cols, part in ((node.raw_columns, node.raw), (node.aggregate_columns, node.aggregates)):
        df = run_frame(part, ctx)
        if df is not None and df.height:
            parts.append(df.select([*keys, "time", *[pl.col(output_column(j)).alias(output_column(i))
                                                     for j, i in enumerate(cols)]]))
    if not parts:
        return None
    df = parts[0] if len(parts) == 1 else parts[0].join(parts[1], on=[*keys, "time"], how="full",
                                                        coalesce=True, nulls_equal=True)
    have = set(df.columns)
    df = df.sort([*keys, "time"], descending=not plan.ascending, maintain_order=True).select(
        [*keys, "time", *[pl.col(c) if c in have else pl.lit(None).alias(c)
                          for c in (output_column(i) for i in range(len(plan.columns)))]])
    return _name_columns(plan, df)


def _pushdown(cond, schema) -> pl.Expr | None:
    """A filter implied by WHERE that Parquet statistics can prune with.

    ``tag = 'x'`` compiles to ``tag.fill_null('') == 'x'`` (a missing tag is ''), which
    row-group statistics cannot use; for a non-empty ``'x'`` the plain ``tag == 'x'``
    (or ``is_in`` for an OR of them) keeps the same rows, so it is added in front.
    """
    out = []
    for c in _conjuncts(cond):
        eq = _tag_equalities(c, schema)
        if eq is not None:
            name, vals = eq
            out.append(pl.col(name) == vals[0] if len(vals) == 1 else pl.col(name).is_in(vals))
    if not out:
        return None
    return out[0] if len(out) == 1 else pl.all_horizontal(out)


def _slimit(order: OrderLimit, lf: pl.LazyFrame, tag_cond, schema, keys: list[str]) -> pl.LazyFrame:
    """SLIMIT/SOFFSET pick series as influxd does: from the series index, i.e. before the
    field conditions of WHERE are applied (tag conditions do apply)."""
    base = lf.filter(cond_expr(tag_cond, schema)) if tag_cond is not None else lf
    # index order (even for ORDER BY DESC): tag sets by their key, which names only the tags
    # a series has (tsdb.MakeTagsKey: "host|region|a|r0", "region|r2")
    dims = keys[1:]
    tag_key = pl.concat_str([pl.when(pl.col(d) != "").then(pl.lit(tag_name(d))) for d in dims]
                            + [pl.when(pl.col(d) != "").then(pl.col(d)) for d in dims],
                            separator="|", ignore_nulls=True) if dims else pl.lit("")
    series = base.select(keys).unique().sort([pl.col(NAME), tag_key, *dims])
    idx = pl.int_range(pl.len()).over(NAME)  # SLIMIT counts the series of each measurement
    cond = idx >= order.soffset
    if order.slimit:
        cond = cond & (idx < order.soffset + order.slimit)
    series = series.filter(cond)
    return lf.join(series, on=keys, how="semi")


def _tag_only(cond):
    """The part of a condition that only involves tags (AND-ed parts), or None."""
    if cond is None:
        return None
    if isinstance(cond, ast.ParenExpr):
        return _tag_only(cond.expr)
    if isinstance(cond, ast.BinaryExpr) and cond.op == "AND":
        lhs, rhs = _tag_only(cond.lhs), _tag_only(cond.rhs)
        if lhs is None or rhs is None:
            return lhs or rhs
        return ast.BinaryExpr("AND", lhs, rhs)
    refs = _all_refs(cond)
    stringy = isinstance(cond, ast.BinaryExpr) and any(
        isinstance(x, (ast.StringLiteral, ast.RegexLiteral)) for x in (cond.lhs, cond.rhs))
    if refs and all(r.type == "tag" or (r.type is None and stringy) for r in refs):
        return cond
    return None


def _many_rows(plan: SelectPlan) -> bool:
    """top(), bottom(), distinct(), sample(): ordered by :func:`_aggregate` (a window's rows
    keep the reducer's order under ORDER BY time DESC)."""
    return any(isinstance(c.expr, ast.Call) and F.spec(c.expr.name).many_rows for c in plan.columns)


def finish(plan: SelectPlan, order: OrderLimit, df: pl.DataFrame, keys: list[str],
           ordered: bool = False) -> pl.DataFrame:
    """The Order/Limit stage: time ASC/DESC within series unless ``ordered``, then
    LIMIT/OFFSET per series; then the output columns named."""
    if not order.ascending and not ordered and not _many_rows(plan):
        df = df.reverse()  # influxd reverses everything: series order and equal-time ties too
    if plan.offset_shard and order.offset and not order.limit:
        df = df.filter(pl.int_range(pl.len()).over([*keys, _shard_group(plan.offset_shard)]) <= order.offset)
    if (order.limit or order.offset or plan.fill == "value") and plan.emulates_v3:
        df = limit_fields(plan, df, keys, order.limit, order.offset)  # (fill(<number>): the defaults)
    elif order.limit or order.offset:  # (LimitIterator: a stream's series counted again on each return)
        idx = pl.int_range(pl.len()).over(keys + [c for c in (run_transforms.SERIES_RUN_COLUMN,) if c in df.columns])
        cond = idx >= order.offset
        if order.limit:
            cond = cond & (idx < order.offset + order.limit)
        df = df.filter(cond)
    return _name_columns(plan, fill_aux(plan, _grouped_tags_read(plan, df, keys), keys))


def _grouped_tags_read(plan: SelectPlan, df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """A selected tag the statement groups by reads as null where a series lacks it (influxd):
    the '' is the grouping key's alone. A subquery's grouping tag it does not select is a
    real ''."""
    if not plan.dimensions:
        return df
    real = {d for s in plan.sources if isinstance(s, SubqueryScan) for d in _unselected_groups(s.plan)}
    cols = [output_column(i) for i, c in enumerate(plan.columns) if isinstance(c.expr, ast.VarRef)
            and c.expr.type == "tag" and c.expr.name in keys and c.expr.name not in real
            and output_column(i) in df.columns]
    if not cols:
        return df
    return df.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in cols])


# Go's zero time (year 1), from which influxd truncates times to shard groups, in ns
GO_ZERO_TIME = -62_135_596_800 * 1_000_000_000


def _shard_group(duration: int) -> pl.Expr:
    """The shard group of each row's time (Go's ``time.Truncate``; the origin is taken modulo
    the duration so the arithmetic stays within int64)."""
    return (pl.col("time") - GO_ZERO_TIME % duration) // duration


def _name_columns(plan: SelectPlan, df: pl.DataFrame) -> pl.DataFrame:
    """A subquery's rows carry the output names (a repeated name keeps its first column)."""
    if plan.omit_time is False:
        return df
    names: dict[str, str] = {}
    for i, c in enumerate(plan.columns):
        name = TIME_FIELD if c.name == "time" and plan.emulates_influxd else c.name  # not the time column
        if name not in names.values():
            names[output_column(i)] = name
    # a selected tag named as a grouping tag: the selected value is what the outer reads
    clash = [n for n in names.values() if n in df.columns]
    return df.drop([output_column(i) for i in range(len(plan.columns))
                    if output_column(i) not in names] + clash).rename(names)


def _raw(plan, stages: Stages, order: OrderLimit, lf, schema, low: Lowered, keys,
         ctx) -> pl.DataFrame | None:
    """The Series stage (and Fill/Transform over raw rows): points with some selected field."""
    refs = sorted({r for c in plan.columns for r in _field_refs(c.expr) if r.name in schema},
                  key=str)
    marked = any(m in schema for s in plan.sources if isinstance(s, SubqueryScan) for m in s.marks)
    # influxd reads a subquery's rows once some selected name has a known type, tags included;
    # InfluxDB 3 filters no subquery's rows (planner.rs plan_from_data_source: only a table's
    # ``is_not_null`` disjunction): its rewriter kept the subquery for a name the outer reads
    typed = SUBQUERY_ROW_COLUMN in schema and (plan.emulates_v3 or any(
        r.type not in (None, "unknown", "tagarg") for c in plan.columns for r in _all_refs(c.expr)))
    if not refs and not marked and not typed:
        return None
    base = lf
    # InfluxDB 3 keeps a row by its source columns (planner.rs: ``Column::from_name(name).is_not_null()``)
    # and then fails the row's checked cast
    checked = {c.args[0] for col in plan.columns for c in find(col.expr, ast.Call) if c.name == CHECKED_CAST}
    keep = [(pl.col(r.name) if r in checked else ref_expr(r, schema)).is_not_null() for r in refs]
    if typed or marked:
        # a name some source knows is selected: every row of a subquery (SubqueryScan.whole)
        keep.append(pl.col(SUBQUERY_ROW_COLUMN).fill_null(False))
    lf = lf.filter(pl.any_horizontal(keep))
    if not _covers_all_fields(plan, {r.name for r in refs}, ctx):
        base = lf
    refs = [r.name for r in refs]
    tag_order = [c for c in schema if c not in refs and c not in ("time", NAME)
                 and schema[c] == pl.String and c not in keys and not c.startswith(HIDDEN_TMP)]
    if stages.transform is None:
        if stages.fill is not None:  # influxd fills a raw row's missing values before computing
            lf = prefill_refs(lf, schema, refs, stages.fill.value,
                              cast=number_to_scalar if plan.emulates_v3 else cast_fill)
        return _raw_rows(plan, order, lf, base, schema, low, keys, tag_order, ctx)
    desc = not order.ascending
    # several subqueries: a transform reads one stream after the other (influxd's MergeIterator)
    stream = SOURCE_COLUMN in schema and plan.emulates_influxd
    if ORDER_TIME_COLUMN in schema and plan.emulates_influxd and not stream \
            and all(c.name in run_transforms.STREAMED for c in low.transforms):  # (its reducers)
        return _stream_read(plan, order, lf, schema, low, keys, tag_order, ctx)
    if stream:  # each stream's rows of equal time in the order it hands them on
        df = collect(lf.sort(keys + [SOURCE_COLUMN, "time"], descending=[desc] * len(keys) + [False, desc],
                             maintain_order=True), ctx)
    else:  # a subquery's rows of equal time in the order it hands them on, where it says
        ties = [ORDER_ROW_COLUMN] if ORDER_ROW_COLUMN in schema and plan.emulates_influxd else []
        # (a window's groups leave influxd's reducers by their tags ascending, under DESC too: _raw_rows)
        up = desc and not ties and plan.emulates_influxd and _reduced(plan)
        df = collect(lf.sort(keys + ["time"] + ties + tag_order,
                             descending=[True] * (len(keys) + 1) + [False] * len(tag_order) if up else desc), ctx)
    # the transforms read the series merged as influxd merges them (exec/go_merge.py)
    heap = _heap_columns(plan, low, dict(df.schema), keys, tag_order)
    if stream and heap is None and _own_heaps(plan):  # a measurement's series on a heap of its own
        heap_cols, tags, aux = _heap_keys(_heap_columns(plan, low, dict(df.schema), keys, tag_order, True), keys, df.schema)
        df = _scan_rows_merged(df.with_columns(heap_cols), plan, keys, tags, aux, desc, apart=True).drop(dict.fromkeys(tags + aux))
    elif heap is not None:
        tags, aux_refs, strings = heap
        hid = {t: f"{TAG_TMP}{t}" for t in tags if HIDDEN_TMP + t in df.columns}  # a series by its stored key
        df = df.with_columns(pl.coalesce(HIDDEN_TMP + t, t).alias(m) for t, m in hid.items())
        df = go_merge.merged_rows(df, keys + ([SOURCE_COLUMN] if stream else []), [hid.get(t, t) for t in tags],
                                  not desc, go_merge.aux_columns(aux_refs, {**{c: c for c in tags}, **strings}, keys))
    return _raw_transformed(plan, order, df.reverse() if desc else df, low, keys, schema, stream, ctx)


def _raw_transformed(plan, order: OrderLimit, df: pl.DataFrame, low: Lowered, keys, schema, stream: bool,
                     ctx) -> pl.DataFrame:
    """Transforms over raw rows read in the order they take them (reversed under DESC), their
    outputs joined by time; as influxd: each call limited alone, its cursor filling a call
    without a point at the row."""
    _count_points(df, ctx)
    df = _transforms(order, df, low, keys, schema, plan.interval, ctx.deadline, stream,
                     limits=(order.limit, order.offset) if plan.emulates_influxd else (0, 0))
    if plan.emulates_influxd and len(low.transforms) > 1:  # a stream without the row's point
        df = run_transforms.gaps_filled(df, keys, [n for n, _ in low.transforms.values()], order.ascending, plan.fill,
                                        plan.fill_value)
    sch = {**schema, **dict(df.schema)}
    return df.select(keys + ["time"] + [value_expr(e, sch).alias(output_column(i))
                                        for i, e in enumerate(low.exprs)])


def _stream_read(plan, order: OrderLimit, lf, schema, low: Lowered, keys, tag_order, ctx) -> pl.DataFrame:
    """Transforms over one subquery's stream, read in the order it hands its rows on (its rows'
    ORDER_TIME_COLUMN, as :func:`_raw_rows` orders them; exec/run_transforms.py stream_read),
    reversed under ORDER BY time DESC as :func:`finish` reverses it back."""
    desc = not order.ascending
    runs = [run_transforms.SERIES_RUN_COLUMN] if run_transforms.SERIES_RUN_COLUMN in schema else []
    t = pl.coalesce(ORDER_TIME_COLUMN, "time")
    # under DESC the merge hands a subquery's filled runs on by group, descending; the runs of a
    # subquery of streams (run_transforms.streams) stay in the order its cursor reads them
    src = plan.sources[0]
    by_group = desc and not (isinstance(src, SubqueryScan) and run_transforms.streams(src.plan))
    groups = keys + runs if by_group else runs + keys
    df = collect(lf.sort(groups + [t, ORDER_ROW_COLUMN] + tag_order, descending=desc), ctx)
    _count_points(df, ctx)
    sch = {**schema, **dict(df.schema)}
    calls = [(name, call, value_expr(inner, sch)) for call, (name, inner) in low.transforms.items()]
    out = run_transforms.stream_read(df, keys, calls, plan.interval, order.ascending, (order.limit, order.offset))
    sch = {**sch, **dict(out.schema)}
    out = out.select(keys + ["time"] + [value_expr(e, sch).alias(output_column(i)) for i, e in enumerate(low.exprs)]
                     + [run_transforms.SERIES_RUN_COLUMN])
    return out.reverse() if desc else out


def _raw_rows(plan, order: OrderLimit, lf, base, schema, low: Lowered, keys, tag_order,
              ctx) -> pl.DataFrame:
    """Raw rows in their final order (DESC = every sort key descending = influxd's full
    reversal), each series first cut to its LIMIT+OFFSET newest/oldest times."""
    desc = not order.ascending
    heap = _heap_columns(plan, low, schema, keys, tag_order)
    # the streams of several subqueries merge on one heap across the groups: none cut short
    streams = SOURCE_COLUMN in schema and plan.emulates_influxd and (heap is None or _shared_measurement(plan))
    scans = streams and heap is None and bool(_own_heaps(plan))  # beside subqueries
    heap = _heap_columns(plan, low, schema, keys, tag_order, scans)
    runs = [run_transforms.SERIES_RUN_COLUMN] if run_transforms.SERIES_RUN_COLUMN in schema else []
    n = order.limit + order.offset if order.limit and not streams and not runs else 0
    held = _fields_held(plan, low, schema) if n and plan.emulates_v3 else None
    n = 0 if held == [] else n
    ordered = ORDER_TIME_COLUMN in schema
    t = pl.coalesce(ORDER_TIME_COLUMN, "time") if ordered else pl.col("time")
    whole = lf
    lf, cut, ahead = _limit_cut(lf, base, keys, t, n, desc, ctx, held) if n else (lf, None, None)
    if ordered:  # rows of equal order time keep their order in the subquery (reversed under DESC)
        lf = lf.sort(runs + keys + [t, ORDER_ROW_COLUMN] + tag_order, descending=desc)
    elif desc and _reduced(plan):
        # a window's rows leave influxd's reducer by their tags ascending, under DESC too
        lf = lf.sort(keys + ["time"] + tag_order, descending=[True] * (len(keys) + 1) + [False] * len(tag_order))
    else:  # a subquery's rows of equal time (and tags) stay in the order it hands them on
        lf = lf.sort(keys + ["time"] + tag_order, descending=desc, maintain_order=not _merged(plan))
    cols = [value_expr(e, schema).alias(output_column(i)) for i, e in enumerate(low.exprs)]
    if plan.omit_time:  # a raw subquery hands its rows' series tags to the outer query
        names = {c.name for c in plan.columns}
        cols += [pl.col(t) for t in dict.fromkeys((*plan.source_tags, *plan.dimensions))
                 if t in schema and t not in keys and t not in names]
    heap_cols, tags, aux = _heap_keys(heap if heap is not None else ([], [], {}), keys, schema)
    sel = keys + ["time"] + cols + heap_cols + runs
    sel += [SOURCE_COLUMN] if SOURCE_COLUMN in schema else []
    falls = streams and ordered  # a subquery's stream whose times fall back (_stream_time)
    df = collect(lf.select(sel + ([(t != pl.col("time")).alias(FALLS_TMP)] if falls else [])), ctx)
    falls = falls and bool(df.get_column(FALLS_TMP).any())
    if scans:  # a measurement's series on a heap of its own, then every source's stream
        df = _sources_merged(_scan_rows_merged(df, plan, keys, tags, aux, desc), low, keys, desc, falls)
    elif tags and go_merge.shared_times(df, keys):
        one = len(plan.sources) == 1 and isinstance(plan.sources[0], Scan)
        near = (plan.sources[0], ahead) if n and one else None
        own = [SOURCE_COLUMN] if streams else []  # a heap of each subquery's own
        if own:
            df = df.sort(keys + own + ["time"] + tags, descending=desc, maintain_order=True)
        df = _heap_merged(df, whole, sel, keys + own, tags, aux, cut, desc, ctx, near)
        if own:  # then the subqueries' streams merged on the outer statement's heap
            df = _sources_merged(df.sort(keys + ["time"], descending=desc, maintain_order=True), low, keys, desc)
    elif heap is None and streams:
        df = _sources_merged(df, low, keys, desc, falls)
    df = df.drop(tags + [c for c in aux if c.startswith(AUX_TMP)] + [SOURCE_COLUMN, FALLS_TMP], strict=False)
    _count_points(df, ctx)
    return df


def _heap_keys(heap: tuple, keys: list[str], schema) -> tuple[list[pl.Expr], list[str], list[str]]:
    """The columns a heap of stored series compares (:func:`_heap_columns`' ``heap``): their
    expressions, the series tags' names and the aux values' (:func:`go_merge.aux_columns`).
    A subquery's series go by their stored keys, tags it hides included."""
    series_tags, refs, strings = heap
    tags = [f"{TAG_TMP}{c}" for c in series_tags]
    cols = [(pl.coalesce(HIDDEN_TMP + c, c) if HIDDEN_TMP + c in schema else pl.col(c)).alias(m)
            for c, m in zip(series_tags, tags)]
    names = {**dict(zip(series_tags, tags)), **{c: f"{AUX_TMP}{c}" for c in strings if c not in series_tags}}
    aux = go_merge.aux_columns(refs, names, keys) if tags else []
    return cols + [pl.col(strings[c[len(AUX_TMP):]]).alias(c) for c in aux if c.startswith(AUX_TMP)], tags, aux


def _scan_rows_merged(df: pl.DataFrame, plan, keys: list[str], tags: list[str], aux: list[str],
                      desc: bool, apart: bool = False) -> pl.DataFrame:
    """``df`` with the rows of each measurement read beside subqueries (a stream of its own)
    in the order its stored series' heap hands them on (exec/go_merge.py), in the places
    those rows held. ``apart``: ``df`` holds stream after stream (a transform reads them so)."""
    scans = _own_heaps(plan)
    pos = "\x00scan_pos"
    df = df.with_row_index(pos)
    mine = pl.col(SOURCE_COLUMN).is_in(scans)
    part = df.filter(mine)
    if not tags:
        return df.drop(pos)
    # each source's rows together: the rows of equal time from two sources are no tie of one heap
    part = part.sort(keys + [SOURCE_COLUMN, "time"] + tags, descending=desc, maintain_order=True)
    if not go_merge.shared_times(part, keys + [SOURCE_COLUMN]):
        return df.drop(pos)
    places = part.get_column(pos).sort()
    auxes = {i: _source_aux(plan.sources[i], aux, tags, keys) for i in scans}
    if len(set(map(tuple, auxes.values()))) < 2:
        part = go_merge.merged_rows(part, keys + [SOURCE_COLUMN], tags, not desc, next(iter(auxes.values()), aux))
    else:  # a subquery's heap compares its own statement's aux values
        part = pl.concat([go_merge.merged_rows(part.filter(pl.col(SOURCE_COLUMN) == i), keys + [SOURCE_COLUMN], tags,
                                               not desc, a) for i, a in auxes.items()])
        part = part.sort(keys + [SOURCE_COLUMN], descending=desc, maintain_order=True)
    if not apart:
        part = part.sort(keys + ["time"], descending=desc, maintain_order=True)
    part = part.with_columns(places.alias(pos))
    return pl.concat([df.filter(~mine), part]).sort(pos).drop(pos)


def _source_aux(src, aux: list[str], tags: list[str], keys: list[str]) -> list[str]:
    """The aux columns a source's own heap compares (:func:`_scan_rows_merged`): a
    measurement's, the outer statement's; a raw subquery's, its own statement's."""
    if isinstance(src, Scan):
        return aux
    names = {**{c[len(TAG_TMP):]: c for c in tags}, **{c[len(AUX_TMP):]: c for c in aux if c.startswith(AUX_TMP)}}
    return go_merge.aux_columns([r for c in src.plan.columns for r in _all_refs(c.expr)], names, keys)


def _own_heaps(plan) -> list[int]:
    """The sources whose stored series merge on a heap of their own beside subqueries: each
    measurement, and each raw subquery of measurements (no call, no LIMIT/OFFSET)."""
    def raw(s):
        p = s.plan
        return (p.is_raw and not p.limit and not p.row_offset and all(isinstance(x, Scan) for x in p.sources)
                and not any(next(find(c.expr, ast.Call), None) for c in p.columns))
    return [i for i, s in enumerate(plan.sources) if isinstance(s, Scan) or (isinstance(s, SubqueryScan) and raw(s))]


def _fields_held(plan: SelectPlan, low: Lowered, schema) -> list[pl.Expr]:
    """InfluxDB 3 (exec/field_limits.py): for each limited column, where it holds a value
    (its ``n`` first such rows are what it may keep); ``[]`` when some column is not a plain
    field (then no cut)."""
    names = limited_columns(plan)
    exprs = [e for i, e in enumerate(low.exprs) if output_column(i) in names]
    if not all(isinstance(e, ast.VarRef) for e in exprs):
        return []
    return [value_expr(e, schema).is_not_null() for e in exprs]


def _limit_cut(lf, base, keys: list[str], t: pl.Expr, n: int, desc: bool, ctx, held: list | None = None):
    """The rows up to each group's ``n``-th time (``lf``, filtered), the condition that cut
    them, and the next time past any group's cut. ``held``: the ``n``-th time of each
    column's values (:func:`_fields_held`), the furthest of them."""
    def nth(t):
        if n == 1:  # the same, computed as a plain group aggregate instead of a top-k
            return t.max() if desc else t.min()
        return t.top_k(n).min() if desc else t.bottom_k(n).max()
    pick = nth(t)
    if held:
        picks = [nth(t.filter(h)) for h in held]
        pick = pl.min_horizontal(picks) if desc else pl.max_horizontal(picks)
    # first, from the keys and times alone, the oldest (newest) time any series keeps:
    # a plain time bound the scan prunes with, before the wide rows are read; and the
    # next time past any group's cut, where the series' next points likely are
    beyond = (t.filter(t < pick).max() if desc else t.filter(t > pick).min()).alias(PAST_TMP)
    b, ahead = pl.col(BOUND_COLUMN), pl.col(PAST_TMP)
    bound, ahead = collect(base.group_by(keys).agg(pick.alias(BOUND_COLUMN), beyond).select(
        b.min() if desc else b.max(), ahead.min() if desc else ahead.max()), ctx).row(0)
    if bound is not None:
        lf = lf.filter(t >= bound if desc else t <= bound)
    cut = t >= pick.over(keys) if desc else t <= pick.over(keys)
    return lf.filter(cut), cut, ahead


def _sources_merged(df: pl.DataFrame, low: Lowered, keys: list[str], desc: bool, replay: bool = False) -> pl.DataFrame:
    """Rows of several subqueries in FROM, those of equal time in the order influxd's heap
    of the subqueries' streams hands them over (exec/go_merge.py: an input per subquery, in
    FROM order, each stream's rows in its own order; the outer statement's aux values compared
    after equal times, up to a nil). One heap for all groups: the groups' places in ``df``'s
    order stand for their times, so that the replay runs on from one group into the next.
    ``replay``: some stream's times fall back (:func:`_stream_time`): the places rank the
    groups and the rows' own times, and the heap is replayed row by row."""
    if SOURCE_COLUMN not in df.columns or not (replay or go_merge.shared_times(df, keys)):
        return df
    refs = [r for e in low.exprs for r in _all_refs(e)]
    names = {e.name: output_column(i) for i, e in reversed(list(enumerate(low.exprs))) if isinstance(e, ast.VarRef)}
    aux = go_merge.aux_columns(refs, {n: c for n, c in names.items() if c in df.columns}, [])
    src, at = f"{TAG_TMP}{SOURCE_COLUMN}", f"{TAG_TMP}time"
    # FROM order under ORDER BY time DESC too (merged_rows reverses the stored series' order)
    idx = (999_999 - pl.col(SOURCE_COLUMN)) if desc else pl.col(SOURCE_COLUMN)
    place = regroup.run_ids([*keys, "time"]).cast(pl.Int64)
    # a stream holding rows of equal time (several series of a subquery): the heap replayed too
    replay = replay or bool(df.select(pl.struct(*keys, "time", SOURCE_COLUMN).is_duplicated().any()).item())
    if replay:
        group = regroup.run_ids(keys) if keys else pl.lit(0)
        place = pl.struct(group.alias("g"), (-pl.col("time") if desc else pl.col("time")).alias("t")).rank("dense")
    df = df.with_columns(idx.cast(pl.String).str.zfill(6).alias(src), pl.col("time").alias(at),
                         (-place.cast(pl.Int64) if desc else place.cast(pl.Int64)).alias("time"))
    out = go_merge.merged_rows(df, [], [src], not desc, aux, replay)
    return out.with_columns(pl.col(at).alias("time")).drop(src, at)


def _heap_merged(df: pl.DataFrame, whole: pl.LazyFrame, sel: list, keys: list[str], tags: list[str],
                 aux: list[str], cut, desc: bool, ctx, near: tuple | None = None) -> pl.DataFrame:
    """Raw rows of several series in influxd's heap-merge order (exec/go_merge.py). Under a
    LIMIT the heap also held each series' next point past the cut (pushed as its previous
    one was popped): those join the replay, then leave."""
    if cut is not None:
        past = _past_points(whole, sel, keys, tags, cut, desc, ctx, near)
        df = pl.concat([df.with_columns(pl.lit(False).alias(PAST_TMP)),
                        past.with_columns(pl.lit(True).alias(PAST_TMP))], how="vertical_relaxed")
        df = df.sort(keys + ["time"] + tags, descending=desc, maintain_order=True)
    df = go_merge.merged_rows(df, keys, tags, not desc, aux)
    return df.filter(~pl.col(PAST_TMP)).drop(PAST_TMP) if cut is not None else df


def _past_points(whole: pl.LazyFrame, sel: list, keys: list[str], tags: list[str], cut, desc: bool, ctx,
                 near: tuple | None) -> pl.DataFrame:
    """Each series' nearest point past a raw LIMIT's cut. ``near``: (the one Scan, the next
    time past any group's cut): when the rows up to that time hold a point of every series
    the index knows, those are all (a series' nearest point lies in the earliest rows past
    the cut), and the scan past them is spared; else the whole range is read."""
    t = pl.col("time")
    nearest = (t.max() if desc else t.min()).over(keys + tags)
    if near is not None and near[1] is not None:
        src, ahead = near
        got = collect(whole.filter(t >= ahead if desc else t <= ahead).filter(~cut).select(sel)
                      .filter(t == nearest), ctx)
        known = ctx.provider.series(src.database, src.retention_policy, src.measurement)
        if known is not None and got.height == known.height:
            return got
    return collect(whole.filter(~cut).select(sel).filter(t == nearest), ctx)


def _heap_columns(plan, low: Lowered, schema, keys: list[str], tag_order: list[str], scans: bool = False):
    """What influxd's heap merges raw rows by (exec/go_merge.py), or None when they come
    from no heap: the series tags, the statement's refs (for its aux values) and its string
    fields' columns. Over a raw subquery (:func:`_raw_inner`), the inner statement's.
    ``scans``: the measurements' series read beside subqueries (:func:`_scan_rows_merged`)."""
    if _merged(plan) or scans:
        refs = [r for e in low.exprs for r in _all_refs(e)]
        fields = {r.name: r.name for r in refs}
        tags = [c for c in tag_order if c in schema]
    else:
        inners = _raw_inners(plan)
        if not inners:
            return None
        inner = inners[0]
        refs = [r for c in inner.columns for r in _all_refs(c.expr)]
        fields = {c.expr.name: c.name for c in reversed(inner.columns) if isinstance(c.expr, ast.VarRef)}
        tags = [c for c in dict.fromkeys(t for i in inners for t in i.source_tags) if c in schema and c not in keys]
    strings = {r.name: fields[r.name] for r in refs
               if r.type == "string" and r.name in fields and schema.get(fields[r.name]) == pl.String}
    return tags, refs, strings


def _raw_inners(plan) -> list[SelectPlan] | None:
    """The subqueries of a raw outer query when each selects raw fields (no call, no
    LIMIT/OFFSET; an SLIMIT picks the outer query's groups) of stored measurements, the
    same columns, no two the same measurement: influxd then merges each measurement's stored
    series on one heap under the outer query's GROUP BY (newIteratorOptionsSubstatement hands
    the inner the outer's dimensions), comparing the inner statement's aux values after
    equal times; measurements apart (the heap compares names first). Several subqueries over
    one measurement: a heap each, their streams merged by the outer statement's
    (:func:`_shared_measurement`)."""
    if not plan.sources or not all(isinstance(s, SubqueryScan) for s in plan.sources):
        return None
    inners = [s.plan for s in plan.sources]
    if any(not i.is_raw or i.limit or i.row_offset
           or not all(isinstance(s, Scan) for s in i.sources) for i in inners):
        return None
    if any(next(find(c.expr, ast.Call), None) for i in inners for c in i.columns):
        return None
    if len({tuple(map(str, i.columns)) for i in inners}) > 1:
        return None
    return inners


def _shared_measurement(plan) -> bool:
    """Whether two of the statement's subqueries read one measurement."""
    names = [s.measurement for i in plan.sources if isinstance(i, SubqueryScan) for s in i.plan.sources
             if isinstance(s, Scan)]
    return len(set(names)) < len(names)


def _reduced(plan) -> bool:
    """Whether every source is a subquery that aggregates (its rows come from reducers, which
    emit a window's groups in tag order: query/iterator.gen.go, ``reduce``)."""
    return all(isinstance(s, SubqueryScan) and not s.plan.is_raw for s in plan.sources)


def _merged(plan) -> bool:
    """Whether raw rows come from stored series (influxd merges them on a heap,
    exec/go_merge.py), not from a subquery's rows (kept in the order it emits them)."""
    return all(isinstance(s, Scan) for s in plan.sources)


def _unselected_groups(plan: SelectPlan) -> set[str]:
    """The grouping tags of a subquery that it does not select as a tag of the same name."""
    selected = {c.name for c in plan.columns if isinstance(c.expr, ast.VarRef) and c.expr.type == "tag"}
    return {tag_name(d) for d in plan.dimensions if d not in plan.inherited_dimensions} - selected


def _covers_all_fields(plan, refs: set[str], ctx: Ctx) -> bool:
    """Whether ``refs`` hold every field of every source: then each stored point has one
    of them non-null (a point has a field), and "some ref not null" keeps every row."""
    for src in plan.sources:
        if not isinstance(src, Scan):
            return False
        sch = ctx.provider.schema(src.database, src.measurement)
        if sch is None or not set(sch.fields) <= refs:
            return False
    return True


def _count_points(df: pl.DataFrame, ctx: Ctx) -> None:
    ctx.points += df.height
    if ctx.max_points and ctx.points > ctx.max_points:
        raise LimitExceeded(f"max-select-point limit exceeed: ({ctx.points}/{ctx.max_points})")


STRETCH_TMP = "\x00stretch"


def _aggregate(plan, stages: Stages, order: OrderLimit, lf, schema, low: Lowered, keys,
               ctx, grouped: series_runs.RunGroups | None = None) -> pl.DataFrame | None:
    """The Aggregate stage, then Fill and Transform over its rows, then the output columns;
    ``grouped``: the rows already in their groups (exec/runs.py), ``lf`` unused."""
    a: Aggregate = stages.shape
    if order.limit or order.offset:
        lf = _selector_input_limit(plan, order, lf, low, keys, ctx)
    windowed = _with_windows(plan, a, lf, low, ctx) if grouped is None else (None, None)
    if windowed is None:
        return None
    lf, stretch = _stretches(plan, a, windowed[0], keys, low)
    gkeys = keys + stretch + [WINDOW_COLUMN]
    multi = [c for c in low.aggs if F.spec(c.name).many_rows]
    df = _reduced_rows(plan, a, order, lf, schema, low, gkeys, multi, ctx, grouped)
    if df is None:
        return None
    df = _one_point_nans(plan, df, low)
    streamed = integral_v1.leads(low.aggs)  # influxd's stream iterator: no fill, own order
    grouped_df = df if grouped is not None else None  # its rows come sorted (exec/runs.py)
    runs = plan.emulates_influxd and stages.transform is None and regroup.fills_runs(plan)  # (exec/regroup.py)
    runs_read = plan.emulates_influxd and stages.transform is not None and run_transforms.read_as_streams(plan)
    in_range = _range_calls(plan, a, lf, schema, low, gkeys, ctx) if runs_read and grouped is None else None
    walked = False  # rows in the order of influxd's wrapped fill walk (exec/fill_walk.py)
    if stages.fill is not None and df.height and not streamed and not runs and not stretch and not runs_read:
        df = _fill_windows(plan, a, stages.fill, df, low, keys, windowed[1], bool(multi), ctx)
        walked = a.interval and stages.fill.mode != "none" and not multi and fill_walk.plan_start(plan) is not None
    if stretch:
        df = _filled_stretches(plan, a, stages.fill, df, keys, low)
    if streamed and not plan.ascending and not a.interval and not _lone_stream(plan, a, low, schema):
        df = integral_v1.descending(df, list(low.aggs.values()), WINDOW_COLUMN, 0)
    by = stretch[:-1] + keys + (stretch[-1:] or [WINDOW_COLUMN]) + ([POINT_TIME_COLUMN] if POINT_TIME_COLUMN in df.columns else [])
    if df is not grouped_df and not walked:
        # the reducers' map is read at the end: most often in the reverse of the input's order
        df = df.sort(by, maintain_order=True, descending=streamed and not a.interval)
    if multi and not plan.ascending:  # influxd reverses series and windows, not a window's rows
        df = df.with_row_index(ROW_TMP).sort(keys + [WINDOW_COLUMN, ROW_TMP],
                                             descending=[True] * (len(keys) + 1) + [False]).drop(ROW_TMP)
    time = POINT_TIME_COLUMN if POINT_TIME_COLUMN in df.columns else WINDOW_COLUMN
    flushed = [integral_v1.FLUSH_COLUMN] if integral_v1.FLUSH_COLUMN in df.columns else []
    if stages.transform is None and _plain_calls(low, df):
        # the calls' columns as they are, renamed: no query plan (two selects' fixed cost)
        return pl.DataFrame([*(df.get_column(k) for k in keys), df.get_column(time).alias("time"),
                             *(df.get_column(e.column).alias(output_column(i)) for i, e in enumerate(low.exprs)),
                             *(df.get_column(c) for c in [*flushed, *stretch[:-1]])])
    df = df.with_columns(pl.col(time).alias("time"))
    if stages.transform is not None:
        df = _transform_stage(plan, order, a, df, low, keys, schema, ctx, runs_read, in_range, stages.fill)
    dschema = {**schema, **dict(df.schema)}
    cols = [value_expr(e, dschema).alias(output_column(i)) for i, e in enumerate(low.exprs)]
    lines = list(low.aggs.values()) if runs and regroup.lines_calls(plan) else []  # (_window_runs)
    return df.select(keys + ["time"] + cols + flushed + lines + stretch[:-1])


def _one_point_nans(plan, df: pl.DataFrame, low: Lowered) -> pl.DataFrame:
    """influxd's stddev() of one point is NaN (FloatStddevReduceSlice), a value: fill() keeps it,
    transforms and an outer statement's calls read it, count() counts it; it shows as null
    (engine.to_series). Here the null of a group that saw a point becomes that NaN."""
    if not plan.emulates_influxd:
        return df
    own = [c for call, c in low.aggs.items() if call.name == "stddev" and gap_column(c) in df.columns]
    return df.with_columns([pl.when(pl.col(c).is_null() & ~pl.col(gap_column(c))).then(float("nan"))
                            .otherwise(pl.col(c)).alias(c) for c in own]) if own else df


def _reduced_rows(plan, a: Aggregate, order: OrderLimit, lf, schema, low: Lowered, gkeys: list[str], multi: list,
                  ctx, grouped) -> pl.DataFrame | None:
    """The Aggregate's rows per group: a calls' several rows, the one row of influxd's reduce
    tree over series runs, else the scalar aggregates; None: none (a type without an iterator
    where no row is)."""
    try:
        if multi:
            streamed = any(isinstance(src, SubqueryScan) for src in plan.sources)
            return _multi_rows(lf, schema, low, gkeys, multi[0], ctx, plan.ascending,
                               _stream_ties(plan, lf, STRETCH_TMP in gkeys) if streamed else None)
        df = None if order.slimit or order.soffset or grouped is not None else \
            _runs_row(plan, a, schema, low, gkeys, ctx)  # (SLIMIT: the runs are not the series left)
        return _scalar_aggs(plan, a, lf, schema, low, gkeys, ctx, grouped) if df is None else df
    except UnsupportedType:
        # influxd builds the typed iterator only where there is data: no rows, no error
        series = ctx.series_lf if ctx.series_lf is not None else lf  # series, not points
        if series.select(pl.len()).collect().item() == 0:
            return None
        raise


def _transform_stage(plan, order: OrderLimit, a: Aggregate, df: pl.DataFrame, low: Lowered, keys: list[str],
                     schema, ctx, runs_read: bool, in_range: pl.DataFrame | None = None,
                     f: Fill | None = None) -> pl.DataFrame:
    """The Transform stage over the aggregated rows: per series in time order, or as streams
    (:func:`_runs_transformed`; ``in_range``: :func:`_range_calls`; ``f``: a statement's own
    fill, which its streams apply)."""
    # a field no point has (a Null column of the scan) is not a column here: null, not an error
    known = {k: v for k, v in schema.items() if v != pl.Null or k in df.columns}
    wrapped = _wrapped(plan)
    if STRETCH_TMP in df.columns and plan.outer_dimensions is None:  # over a subquery's filled runs
        return _stretch_streams(plan, df, low, keys, known)
    if runs_read:
        top = (lambda read, calls, extra: _top_stream(plan, a, f, read, low, keys, calls, extra, ctx)) \
            if plan.outer_dimensions is None else None
        return _runs_transformed(plan, a, df, low, keys, {**known, **dict(df.schema)}, wrapped, in_range, top)
    if wrapped and all(F.spec(call.name).extends_range for call in low.transforms):
        return df.with_columns(pl.lit(None, pl.Float64).alias(name) for name, _ in low.transforms.values())
    beside = _calls_beside(plan, a, low, df)
    several = _several_streams(plan, a, low)
    limits = (order.limit, order.offset) if several else (0, 0)  # each stream limited alone
    # a transform reading no extra window (cumulative_sum()) beside one that does reads the range only
    # (influxd widens only the latter's iterator options: query/select.go buildCallIterator)
    ranged = _own_range(plan, a) if plan.emulates_influxd and plan.extra_intervals else None
    out = _transforms(order, df, low, keys, {**known, **dict(df.schema)}, a.interval, ctx.deadline, beside=beside,
                      limits=limits, ranged=ranged)
    if limits != (0, 0) and beside is not None:
        out = _calls_limited(out, df.filter(beside), low, keys, limits, plan.ascending)
    return _cursor_filled(plan, out, low, keys) if several else out


def _cursor_filled(plan, out: pl.DataFrame, low: Lowered, keys: list[str]) -> pl.DataFrame:
    """The cursor's row where a stream has no point (query/cursor.go, read beside other streams;
    a call's outside its LIMIT): fill()'s number, under fill(previous) the stream's last value
    in the series as the cursor reads it (backwards under ORDER BY time DESC), else null."""
    names = [name for name, _ in low.transforms.values()] + sorted(_untransformed_calls(low) & set(out.columns))
    if plan.fill == "value":
        return out.with_columns(pl.col(n).fill_null(pl.lit(v, out.schema[n])) for n in names
                                if (v := fill_number(plan.fill_value, out.schema[n])) is not None)
    if plan.fill == "previous":
        step = pl.Expr.forward_fill if plan.ascending else pl.Expr.backward_fill
        return out.with_columns(step(pl.col(n)).over(keys) for n in names)
    return out


def _several_streams(plan, a: Aggregate, low: Lowered) -> bool:
    """Whether a statement's transforms of windows stand beside calls or one another (influxdb1):
    each an iterator of its own, limited alone, read together by the cursor (:func:`_cursor_filled`)."""
    return _streams_beside(plan, a, low) or (not plan.emulates_v3 and bool(a.interval) and len(low.transforms) > 1
                                             and plan.outer_dimensions is None)


def _calls_limited(out: pl.DataFrame, points: pl.DataFrame, low: Lowered, keys: list[str],
                   limits: tuple[int, int], ascending: bool) -> pl.DataFrame:
    """The calls beside transforms, each a stream limited alone (influxd's LimitIterator per
    field): a call's value only in its own LIMIT/OFFSET windows of the series (``points``: the
    windows the calls emit), the rows no stream keeps dropped."""
    n, skip = limits
    rank = pl.int_range(pl.len()).over(keys)
    kept = points.sort(keys + ["time"], descending=[False] * len(keys) + [not ascending], maintain_order=True) \
        .select(keys + ["time"]).unique(keys + ["time"], maintain_order=True) \
        .filter((rank >= skip) & ((rank < skip + n) if n else pl.lit(True))).with_columns(pl.lit(True).alias(ROW_TMP))
    out = out.join(kept, on=keys + ["time"], how="left", maintain_order="left")
    plain = [c for c in _untransformed_calls(low) if c in out.columns]
    names = [name for name, _ in low.transforms.values()]
    out = out.with_columns(pl.when(pl.col(ROW_TMP)).then(pl.col(c)).alias(c) for c in plain)
    return out.filter(pl.col(ROW_TMP).fill_null(False) | pl.any_horizontal(pl.col(c).is_not_null() for c in names)) \
        .drop(ROW_TMP)


def _calls_beside(plan, a: Aggregate, low: Lowered, df: pl.DataFrame) -> pl.Expr | None:
    """The rows of a statement's windows that the calls beside its transforms emit (influxdb1;
    None: none): each call is an iterator of its own, filled over the range, and the cursor
    reads every stream's rows, a transform's null where it has none (its first window's)."""
    if not _streams_beside(plan, a, low) or not _untransformed_calls(low) & set(df.columns):
        return None
    return _own_range(plan, a)


def _own_range(plan, a: Aggregate) -> pl.Expr:
    """The windows of the statement's own range, on the side a transform's extra window widens."""
    tr = plan.time_range
    if plan.ascending:
        return pl.col("time") >= window_start(tr.start, a.interval, a.offset, a.tz) if tr.has_start else pl.lit(True)
    return pl.col("time") <= window_start(tr.end, a.interval, a.offset, a.tz)


def _starts_within(plan) -> bool:
    """Whether the statement reads one subquery whose range starts at or after its own (ends at
    or before it under ORDER BY time DESC): a transform widening the statement's range there
    reads no more."""
    src = plan.sources[0] if len(plan.sources) == 1 else None
    inner = src.plan.time_range if isinstance(src, SubqueryScan) else None
    if inner is None:
        return False
    return inner.has_start and inner.start >= plan.time_range.start if plan.ascending \
        else inner.end <= plan.time_range.end


def _streams_beside(plan, a: Aggregate, low: Lowered) -> bool:
    """Whether a statement's transforms of windows stand beside calls read as they are (influxdb1)."""
    return not plan.emulates_v3 and bool(a.interval) and bool(_untransformed_calls(low)) and plan.outer_dimensions is None


def _untransformed_calls(low: Lowered) -> set[str]:
    """The columns of the statement's calls read as they are (not a transform's inner call)."""
    return {c.column for e in low.exprs for c in find(e, LoweredCall)} & set(low.aggs.values())

def _wrapped(plan) -> bool:
    """Whether a subquery's transforms that read an extra window read nothing: without a start,
    influxd 1.x moves their MinTime back a window and the int64 wraps; the calls beside them
    (cumulative_sum() too: query/select.go widens only the others' options) read the range
    (plan/planner.py _scan_range)."""
    return plan.emulates_influxd and plan.outer_dimensions is not None and bool(plan.extra_intervals) \
        and plan.ascending and not plan.time_range.has_start


def _range_calls(plan, a: Aggregate, lf, schema, low: Lowered, gkeys: list[str], ctx: Ctx) -> pl.DataFrame | None:
    """The calls beside a subquery's transforms (and under cumulative_sum()) aggregated over
    the statement's own range (keys, window, ``time``): influxd widens only the iterator
    options of a transform that reads an extra window (query/select.go buildCallIterator), so
    where the range cuts a window (its end under ORDER BY time DESC, its start else) the
    other calls' window holds fewer points. None where the scan is the range."""
    tr = plan.time_range
    cut = tr.end + 1 if not plan.ascending else tr.start
    if not plan.extra_intervals or a.tz is not None or cut in (MIN_TIME, MAX_TIME + 1) \
            or (cut - a.offset) % a.interval == 0:
        return None
    plain = _untransformed_calls(low)
    if not plain and all(F.spec(call.name).extends_range for call in low.transforms):
        return None
    lf = lf.filter(pl.col("time").is_between(tr.start, tr.end))
    df = _scalar_aggs(plan, a, lf, schema, low, gkeys, ctx)
    if df is None:
        return None
    return df.sort(gkeys, maintain_order=True).with_columns(pl.col(WINDOW_COLUMN).alias("time"))


def _runs_transformed(plan, a: Aggregate, df: pl.DataFrame, low: Lowered, keys: list[str], schema,
                      wrapped: bool = False, in_range: pl.DataFrame | None = None, top=None) -> pl.DataFrame:
    """The Transform stage of a filled subquery under an outer statement (or of a statement's
    own calls, ``top``): each transform's
    aggregated rows filled run by run over the range and its extra window, the transform run
    per series in that stream's order, then its LIMIT by runs of tags; the calls read as they
    are filled run by run too; several streams read together as influxd's cursor reads them
    (exec/run_transforms.py). Reversed under ORDER BY time DESC as the Order stage reverses it back.
    ``wrapped``: the transforms read nothing (:func:`_wrapped`); ``in_range``: the calls' own
    rows where they differ from the transforms' (:func:`_range_calls`); ``top``: a statement's
    own streams (:func:`_top_stream`: (rows, calls, extra windows) -> the filled stream)."""
    asc, outer = plan.ascending, regroup.outer_keys(plan)
    streams = []
    for call, (name, inner) in low.transforms.items():
        extra = int(F.spec(call.name).extends_range)
        read = df if extra or in_range is None else in_range  # (cumulative_sum() reads the range)
        calls = [c.column for c in find(inner, LoweredCall)]
        if top is not None:
            filled = top(read, calls, extra)
        else:
            rows = run_transforms.call_rows(read, keys, calls)
            filled = regroup.filled_runs(rows.clear() if wrapped and extra else rows, plan, extra, limits=False)
            filled = run_transforms.stream_order(filled, outer, asc)
        filled = filled.select(keys + ["time", value_expr(inner, {**schema, **dict(filled.schema)}).alias("value")])
        out = run_transforms.transformed(filled, keys, name, call, a.interval, asc)
        streams.append(run_transforms.limited(out, keys, plan.limit, plan.row_offset))
    read = _untransformed_calls(low) & set(df.columns)
    for c in sorted(read):  # each call read as it is: a stream of its own (the run's own LIMIT)
        rows = df if in_range is None else in_range
        if top is not None:
            filled = run_transforms.limited(top(rows, [c], 0).select(keys + ["time", c]), keys, plan.limit,
                                            plan.row_offset)
        else:
            filled = run_transforms.stream_order(regroup.filled_runs(run_transforms.call_rows(rows, keys, [c]), plan),
                                                 outer, asc)
        streams.append(filled)
    merged = run_transforms.cursor_merged if top is None else run_transforms.sorted_merged
    out = streams[0] if len(streams) == 1 else merged(streams, keys, asc, plan.fill, plan.fill_value)
    return out if asc else out.reverse()


def _top_stream(plan, a: Aggregate, f: Fill | None, df: pl.DataFrame, low: Lowered, keys: list[str],
                calls: list[str], extra: int, ctx: Ctx) -> pl.DataFrame:
    """One call's stream in a statement of transforms (exec/run_transforms.py top_streams):
    the series' windows where ``calls`` saw a point over the call's own range (``extra``
    windows wider: its transform's), filled there as the statement's fill() fills, in the
    stream's order (name, tags, time; all descending under ORDER BY time DESC)."""
    own = replace(plan, extra_intervals=extra)
    first, last = _window_span(own, a)
    win = pl.col(WINDOW_COLUMN)
    seen = [~pl.col(gap_column(c)) if gap_column(c) in df.columns else pl.col(c).is_not_null() for c in calls]
    low_end = win >= window_start(first, a.interval, a.offset, a.tz) if first is not None else pl.lit(True)
    rows = df.filter(pl.any_horizontal(seen) & low_end & (win <= window_start(last, a.interval, a.offset, a.tz)))
    if f is not None and rows.height:
        rows = _fill_windows(own, a, f, rows, low, keys, None, False, ctx)
    rows = rows.with_columns(win.alias("time"))
    order = [NAME, *sorted(k for k in keys if k != NAME), "time"]  # (the cursor's: tags by key)
    return rows.sort(order, descending=not plan.ascending, maintain_order=True)


def _stretched(plan) -> bool:
    """Whether this statement's GROUP BY time() reduces stretches of a subquery's filled runs
    (:func:`_stretches`)."""
    src = plan.sources[0] if len(plan.sources) == 1 else None
    return plan.emulates_influxd and bool(plan.interval) and isinstance(src, SubqueryScan) \
        and regroup.fills_runs(src.plan)


def _stretch_streams(plan, df: pl.DataFrame, low: Lowered, keys: list[str], schema) -> pl.DataFrame:
    """Transforms over reduced stretches (:func:`_filled_stretches`' rows, in stream order): each
    call a stream of its own, a transform's reducer per series kept across the stream
    (run_transforms.transformed), each stream limited alone, read together by the cursor
    (run_transforms.cursor_merged: fill()'s number where a stream lacks the row's point); rows
    and series runs as the emitter sees them, reversed under ORDER BY time DESC as
    :func:`finish` reverses them back."""
    asc = plan.ascending
    df = df if asc else df.reverse()
    sch = {**schema, **dict(df.schema)}
    streams = []
    mine = df.filter(~pl.col(EXTRA_TMP)) if EXTRA_TMP in df.columns else df  # (_filled_stretches)
    for call, (name, inner) in low.transforms.items():
        src = df if F.spec(call.name).extends_range else mine
        read = src.select(keys + ["time", value_expr(inner, sch).alias("value")])
        out = run_transforms.transformed(read, keys, name, call, plan.interval, asc)
        streams.append(run_transforms.limited(out, keys, plan.limit, plan.row_offset))
    # a call beside the transforms reads the range only: no transform's extra window (where every
    # transform reads one), yet the subquery's own rows before it (where cumulative_sum() reads them,
    # or where the subquery's range starts within the range: the extra window then holds only its
    # own transform's rows, which the call's iterator reads too; _filled_stretches marks the rest)
    tr = plan.time_range
    cut = all(F.spec(c.name).extends_range for c in low.transforms) and not _starts_within(plan)
    own = (pl.col("time") >= window_start(tr.start, plan.interval, plan.offset, plan.tz) if asc
           else pl.col("time") <= window_start(tr.end, plan.interval, plan.offset, plan.tz)) \
        if tr.has_start and cut else pl.lit(True)
    for c in sorted(_untransformed_calls(low) & set(df.columns)):
        rows = mine.filter(own).select(keys + ["time", c])
        streams.append(run_transforms.limited(rows, keys, plan.limit, plan.row_offset))
    out = streams[0] if len(streams) == 1 else run_transforms.cursor_merged(streams, keys, asc, plan.fill,
                                                                             plan.fill_value)
    out = out.with_columns(regroup.run_ids(keys).alias(run_transforms.SERIES_RUN_COLUMN))
    return out if asc else out.reverse()


def _stretches(plan, a: Aggregate, lf, keys: list[str], low: Lowered) -> tuple[pl.LazyFrame, list[str]]:
    """Over a subquery's filled runs (exec/regroup.py), influxd's reducer closes a window
    whenever the stream's next row falls in another: each stretch of one group's rows in one
    window is reduced on its own, in stream order (exec/stretches.py; the rows, and the
    stretch column)."""
    if not _stretched(plan):
        return lf, []
    names = lf.collect_schema().names()
    reads = {c.args[0].name for c in low.aggs if c.args and isinstance(c.args[0], ast.VarRef)} & set(names)
    merged = all(call.name in stretches.MERGED for call in low.aggs)
    lf = stretches.stretch_ids(lf, keys, WINDOW_COLUMN, sorted(reads), merged, STRETCH_TMP)
    if run_transforms.SERIES_RUN_COLUMN not in names:
        return lf, [STRETCH_TMP]
    # a group the reducer's points come back to (the rows without a value skipped: _order_time)
    return lf.with_columns(run_transforms.series_runs(keys, plan.ascending)), [run_transforms.SERIES_RUN_COLUMN, STRETCH_TMP]


def _filled_stretches(plan, a: Aggregate, f: Fill | None, df: pl.DataFrame, keys: list[str],
                      low: Lowered) -> pl.DataFrame:
    """The reduced stretches in stream order (numbered so, negated under ORDER BY time DESC
    as the Order stage reverses them), with the outer fill()'s rows (exec/stretches.py). Where
    the subquery's stream comes back to a group (run_transforms.SERIES_RUN_COLUMN), the
    FillIterator sees another series: each run is filled on its own, a series of its own."""
    run = [c for c in (run_transforms.SERIES_RUN_COLUMN,) if c in df.columns]
    df = df.sort([*run, *keys, STRETCH_TMP], maintain_order=True)
    keys = keys + run
    # a transform's extra window filled too, where every transform reads one (cumulative_sum() does
    # not); where some do, the rows filled there are marked EXTRA_TMP (each call fills its own range)
    reads = [F.spec(c.name).extends_range for c in low.transforms]
    extends, mixed = bool(reads) and all(reads), any(reads) and not all(reads)
    # (where the widening reads nothing more, the calls beside keep the real rows there: _stretch_streams)
    mixed = mixed or extends and _starts_within(plan)
    ranged = _window_span(replace(plan, extra_intervals=0), a)
    first, last = _window_span(plan, a) if extends or mixed else ranged
    df = df.with_columns(pl.lit(True).alias(EXTRA_TMP)) if mixed else df
    span = (window_start(first, a.interval, a.offset, a.tz) if first is not None else None,
            window_start(last, a.interval, a.offset, a.tz))
    if f is not None and f.mode != "none" and df.height:
        counts = {c for call, c in low.aggs.items() if call.name == "count"}
        fills = {c: (0 if f.mode == "null" and c in counts else f.value if f.mode == "value" else None)
                 for c in low.aggs.values() if c in df.columns}
        # (stddev() of one point is null itself: such a call's nulls are its own)
        own = {c for call, c in low.aggs.items() if call.name in stretches.MERGED and c in fills}
        df = stretches.own_nulls(df, keys, {c: v for c, v in fills.items() if c in own}, f.mode)
        mode = "value" if f.mode == "null" else f.mode
        if stretches.steady(span, df[WINDOW_COLUMN], a):
            df = stretches.fill_stream(df, keys, WINDOW_COLUMN, fills, mode, span, a.interval, plan.ascending)
        else:  # under tz(), across a change of the zone's offset
            walk = stretches.zone_walk(span, df[WINDOW_COLUMN], a)
            done = stretches.fill_walk(df, keys, WINDOW_COLUMN, fills, mode, span, walk, plan.ascending) \
                if walk else None
            df = df if done is None else done
    if mixed:
        win, (lo, hi) = pl.col(WINDOW_COLUMN), ranged
        outside = (win < window_start(lo, a.interval, a.offset, a.tz) if lo is not None else pl.lit(False)) \
            | (win > window_start(hi, a.interval, a.offset, a.tz))
        df = df.with_columns((pl.col(EXTRA_TMP).is_null() & outside).alias(EXTRA_TMP))
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    return df.with_columns((row if plan.ascending else -row).alias(STRETCH_TMP))


def _plain_calls(low: Lowered, df: pl.DataFrame) -> bool:
    """Whether every output column is a call's column of ``df`` as it is (no math, no literal)."""
    return all(isinstance(e, LoweredCall) and e.column in df.columns for e in low.exprs)


def _selector_input_limit(plan, order: OrderLimit, lf, low: Lowered, keys, ctx) -> pl.LazyFrame:
    """top()/bottom() of a field alone under LIMIT/OFFSET: influxd's builder hands the
    statement's limits to the field's storage iterator, which reads LIMIT+OFFSET+1 points of
    each series group per shard group (tsm1's limitIterator), the first ones in time order;
    the call then sees only those."""
    calls = list(low.aggs)
    if len(calls) != 1 or calls[0].name not in ("top", "bottom") or len(calls[0].args) != 2 \
            or any(not isinstance(s, Scan) for s in plan.sources):
        return lf
    src = plan.sources[0]
    shard = src.shard_group_duration(ctx.provider)
    if not shard:
        return lf
    if plan.emulates_influxd and regroup.regrouped_series(plan):  # (exec/regroup.py)
        return regroup.selector_input(lf, plan, _shard_group(shard), lambda f: collect(f, ctx))
    n = order.limit + order.offset + 1
    # points of equal time: the tag set's series in key order (reversed when descending)
    tags = [t for t in plan.source_tags if t in lf.collect_schema() and t not in keys]
    place = pl.struct(["time", *[pl.col(t).fill_null("") for t in tags]]).rank(
        "ordinal", descending=not plan.ascending)
    return lf.filter(place.over([*keys, _shard_group(shard)]) <= n)


def _with_windows(plan, a: Aggregate, lf, low: Lowered, ctx):
    """(rows with their window start in ``WINDOW_COLUMN``, the zone-aware window grid or None);
    None when there are no rows to place."""
    tr = plan.time_range
    grid = None
    if not a.interval:
        start = tr.start if tr.has_start else 0
        first = next(iter(low.aggs)) if low.aggs else None
        if first is not None and first.name == "integral":  # the reducer's own time
            dtype = dtype_of(first.args[0], dict(lf.collect_schema()))
            start = integral_v1.lone_time(tr, plan.ascending, dtype)
        return lf.with_columns(pl.lit(start, dtype=pl.Int64).alias(WINDOW_COLUMN)), None
    if a.tz is not None:  # zone-aware windows: list them, then look rows up
        first, last = _window_span(plan, a)
        if first is None:
            first = lf.select(pl.col("time").min()).collect().item()
        if first is None:
            return None
        grid = bucket_grid(first, last, a.interval, a.offset, a.tz, ctx.max_buckets)
        rows = row_windows(first, last, a.interval, a.offset, a.tz)
        return lf.with_columns(bucket_expr(a.interval, a.offset, a.tz, rows).alias(WINDOW_COLUMN)), grid
    return lf.with_columns(bucket_expr(a.interval, a.offset, a.tz, grid).alias(WINDOW_COLUMN)), grid


def _window_span(plan, a: Aggregate) -> tuple[int | None, int]:
    """(first, last) time the windows cover: the range, and the extra window a transform of
    windows reads (before the start; after the end under ORDER BY time DESC); first None
    when the range has no start (the data's first time then)."""
    tr, extra = plan.time_range, plan.extra_intervals * a.interval
    if not plan.ascending:
        return (tr.start if tr.has_start else None), min(tr.end + extra, MAX_TIME)
    return (tr.start - extra if tr.has_start else None), tr.end


def _fill_windows(plan, a: Aggregate, f: Fill, df, low: Lowered, keys, grid, multi: bool, ctx):
    """The Fill stage: rows for the windows (or the one window) without points."""
    known = [c for call, c in low.aggs.items() if _known_field(call)]  # fill() leaves unknown fields null
    if not a.interval:
        if f.mode == "value" and known:  # no windows: fill(x) still fills (v3: the projection's coalesce)
            df = fill(df, keys, [int(df[WINDOW_COLUMN][0])], known, "value", f.value, set(),
                      scalar=number_to_scalar if plan.emulates_v3 else None)
        return df
    if f.mode == "none" or multi:
        return df
    first, last = _window_span(plan, a)
    count_like = {c for call, c in low.aggs.items() if call.name == "count"}
    if first is None and plan.emulates_v3:  # no range start: from the data's first window
        first = int(df[WINDOW_COLUMN].min())
    elif first is None:  # no range start: influxd's fill iterator walks each series (exec/fill_walk.py)
        return _walked(plan, a, f, df, low, keys, known, count_like, last, ctx)
    grid = grid or bucket_grid(first, last, a.interval, a.offset, a.tz, ctx.max_buckets)
    if f.mode == "null" and not count_like and _complete(df, keys, grid, a.interval, a.offset, a.tz):
        return df
    merge = a.tz is not None and plan.ascending and not df[WINDOW_COLUMN].is_in(grid).all()
    df = fill(df, keys, grid, known, f.mode, f.value, count_like, descending=not plan.ascending, merge=merge,
              scalar=number_to_scalar if plan.emulates_v3 else None)
    if f.mode == "null":
        df = _no_count_without_field(plan, df, low, ctx)
    return df


def _walked(plan, a: Aggregate, f: Fill, df, low: Lowered, keys, known, count_like, last: int, ctx):
    """fill() without a range start: from each series' own first window, or, where an offset
    wraps influxd's start, along its walk from 1677 (exec/fill_walk.py)."""
    start = fill_walk.plan_start(plan)
    if start is None:
        grid = bucket_grid(int(df[WINDOW_COLUMN].min()), last, a.interval, a.offset, a.tz, ctx.max_buckets)
        merge = a.tz is not None and plan.ascending and not df[WINDOW_COLUMN].is_in(grid).all()
        out = fill(df, keys, grid, known, f.mode, f.value, count_like, descending=not plan.ascending, merge=merge)
        if keys and f.mode != "none":
            out = fill_walk.from_own_start(out, df, keys)
    else:
        end = window_start(last, a.interval, a.offset, a.tz)
        full = fill_walk.apart(fill_walk.walk_frame(df, keys, start, end, a.interval, a.tz), keys)
        if f.mode == "linear":
            out = fill_walk.linear(df, keys, full, known, a.interval)
        else:
            out = fill(df, keys, [], known, f.mode, f.value, count_like, full=full)
        out = fill_walk.together(out)
    return _no_count_without_field(plan, out, low, ctx) if f.mode == "null" else out


def _complete(df: pl.DataFrame, keys: list[str], grid: list[int], interval: int, offset: int,
              tz: str | None) -> bool:
    """Every series has a row in every window (rows are unique per series and window), so
    fill(null) without counts would add nothing: the sort that follows gives the same rows.

    Only for plain windows (no ``tz()``): the grid is then every aligned start between its
    ends, so "aligned and inside" is "in the grid" (a few Series calls, no query plan to build).
    """
    if tz is not None or not grid or df.height % len(grid) or (grid[0] - offset) % interval:
        return False
    b = df[WINDOW_COLUMN]
    if b.null_count() or b.min() < grid[0] or b.max() > grid[-1] or \
            not ((b - offset) % interval == 0).all():
        return False
    return _series_count(df, keys) * len(grid) == df.height


def _series_count(df: pl.DataFrame, keys: list[str]) -> int:
    """Distinct key tuples of ``df``: the count of the one key that varies when the others are
    constant (the measurement mostly is), without building a struct column."""
    counts = [df.get_column(k).n_unique() for k in keys]
    varying = [n for n in counts if n > 1]
    if len(varying) <= 1:
        return varying[0] if varying else min(counts)
    return df.select(pl.struct(keys).n_unique()).item()


def _no_count_without_field(plan, df: pl.DataFrame, low: Lowered, ctx: Ctx) -> pl.DataFrame:
    """fill(null) turns an empty window's count into 0, but only in measurements that have
    the field: elsewhere influxd has no iterator and the count stays null."""
    fixes = []
    for call, alias in low.aggs.items():
        a0 = call.args[0] if call.args else None
        if call.name != "count" or not isinstance(a0, ast.VarRef):
            continue
        has = []
        for src in plan.sources:
            if isinstance(src, Scan):
                sch = ctx.provider.schema(src.database, src.measurement)
                if sch is not None and field_key(a0.name) in sch.fields:
                    has.append(src.measurement)
            else:
                has.append(None)
        if None not in has:
            fixes.append(pl.when(pl.col(NAME).is_in(has)).then(pl.col(alias)).alias(alias))
    return df.with_columns(fixes) if fixes else df


def _known_field(call) -> bool:
    a0 = call.args[0] if call.args else None
    if isinstance(a0, ast.Call) and a0.args:
        a0 = a0.args[0]
    return not (isinstance(a0, ast.VarRef) and a0.type in ("unknown", None))  # "tagarg" is known


def _scalar_aggs(plan, a: Aggregate, lf, schema, low: Lowered, gkeys, ctx: Ctx,
                 grouped: series_runs.RunGroups | None = None) -> pl.DataFrame | None:
    """One row per group of every one-value aggregate (selectors' aux fields beside)."""
    if grouped is not None:  # no mode(), integral() or aux field here (exec/runs.py)
        gaps = [gap_column(c) for call, c in low.aggs.items() if _counts_points(call)]
        df = grouped.reduce([(call.name, call.args[0].name, c) for call, c in low.aggs.items()], gaps)
        if df is not None:
            return df
    streamed = plan.emulates_influxd and any(isinstance(src, SubqueryScan) for src in plan.sources)
    in_order = plan.emulates_influxd and not streamed
    if streamed:
        lf = lf.with_columns(_stream_ties(plan, lf, STRETCH_TMP in gkeys))
    exprs, modes, integrals = _agg_exprs(a, schema, low, plan.ascending, plan.emulates_v3, _backwards(plan, a, ctx),
                                         streamed, in_order, in_order and not _time_ordered(plan, ctx))
    if grouped is not None:
        seen, keep = _seen_exprs(schema, low, exprs)
        return _finish_aggs(plan, a, grouped.agg(exprs), schema, low, gkeys, ctx, [], [], [], seen, keep, None)
    if integrals and len(integrals) == len(low.aggs):
        return _integral_rows(plan, a, lf, schema, gkeys, integrals, ctx)
    if _lone_stream(plan, a, low, schema):
        call, alias = next(iter(low.aggs.items()))
        tmp = lf.with_columns(value_expr(call.args[0], schema).alias(VALUE_COLUMN))
        unit = int(call.args[1].val) if len(call.args) > 1 else 1_000_000_000
        return integral_v1.stream_frame(collect(tmp, ctx), gkeys[:-1], VALUE_COLUMN, alias,
                                        integral_v1.whole_range(plan.time_range), unit, False,
                                        WINDOW_COLUMN).drop(integral_v1.FLUSH_COLUMN)
    aux = _aux_exprs(a, schema, low, gkeys, plan.ascending, plan.emulates_v3, streamed)
    exprs += aux
    tied = None if plan.emulates_v3 else _percentile_point(a, low, aux)  # v3 sorts by value, time
    nans = go_nan.nan_calls(low.aggs, schema, dtype_of) if streamed else []  # (a subquery's NaN)
    exprs += _sort_marks(schema, tied, nans)
    seen, keep = _seen_exprs(schema, low, exprs)
    df = _finish_aggs(plan, a, lf, schema, low, gkeys, ctx, exprs, modes, integrals, seen, keep, False)
    df = _reduced_as_influxd(plan, a, lf, df, schema, low, gkeys, ctx)
    if tied is not None:
        df = go_ties.replay_percentile(
            df, lf, gkeys,
            value_expr(tied.args[0], schema), float(_literal_value(tied.args[1])), TIE_COLUMN,
            POINT_TIME_COLUMN if POINT_TIME_COLUMN in df.columns else None,
            [e.meta.output_name() for e in aux], plan.ascending, _series_columns(plan, lf, gkeys, ctx),
            sorted({r.name for e in low.exprs for r in _all_refs(e)} & set(gkeys)))
    return go_nan.replay(df, lf, gkeys, nans, lambda e: value_expr(e, schema), plan.ascending,
                         POINT_TIME_COLUMN if a.point_time and POINT_TIME_COLUMN in df.columns else None)


def _sort_marks(schema, tied, nans: list) -> list[pl.Expr]:
    """The columns marking the groups whose answers Go's sort decides: percentile()'s tied point
    (exec/go_ties.py), a subquery's NaN read by median()/percentile()/mode() (exec/go_nan.py)."""
    marks = [value_expr(call.args[0], schema).is_nan().any().alias(go_nan.flag(i)) for i, call, _ in nans]
    if tied is not None:
        marks.append(agg.percentile_tied(value_expr(tied.args[0], schema), (_literal_value(tied.args[1]),),
                                         dtype_of(tied.args[0], schema)).alias(TIE_COLUMN))
    return marks


def _stream_ties(plan, lf, stretched: bool) -> pl.Expr:
    """agg.STREAM_TIES of a subquery's rows: its groups' tags joined as Go's Tags.ID() orders
    them (values by sorted key), the order its reducers emit a window's groups in; the rows'
    own order where they come ``stretched`` (in stream order already: exec/stretches.py)."""
    if stretched:
        return pl.int_range(pl.len(), dtype=pl.Int64).alias(agg.STREAM_TIES)
    names = set(lf.collect_schema().names())
    tags = sorted({tag_name(d) for s in plan.sources if isinstance(s, SubqueryScan) for d in s.plan.dimensions}
                  & names)
    if not tags:
        return pl.lit("").alias(agg.STREAM_TIES)
    return pl.concat_str([pl.col(t).cast(pl.String).fill_null("") for t in tags], separator="\x00").alias(agg.STREAM_TIES)


def _percentile_point(a: Aggregate, low: Lowered, aux: list):
    """The percentile() call whose point (time, auxiliary fields) the answer shows, if any."""
    first = next(iter(low.aggs), None)
    if first is None or first.name != "percentile" or not isinstance(first.args[0], ast.VarRef):
        return None
    return first if a.point_time or aux else None


def _series_columns(plan, lf: pl.LazyFrame, gkeys: list[str], ctx: Ctx) -> list[str]:
    """The tag columns that tell the series of a group apart (sorted: series key order)."""
    tags: set[str] = set()
    for src in plan.sources:
        if isinstance(src, Scan):
            sch = ctx.provider.schema(src.database, src.measurement)
            tags.update(sch.tags if sch is not None else ())
    names = set(lf.collect_schema().names())
    return sorted(t for t in tags if t in names and t not in gkeys)


def _lone_stream(plan, a: Aggregate, low: Lowered, schema) -> bool:
    first = next(iter(low.aggs), None)
    return first is not None and integral_v1.lone_stream(
        low.aggs, a.interval, plan.ascending, dtype_of(first.args[0], schema))


def _integral_rows(plan, a: Aggregate, lf, schema, gkeys, integrals, ctx: Ctx) -> pl.DataFrame:
    """integral() alone with GROUP BY time: the windows its reducers emit (influxd's stream
    iterators: a window without an emission has no row, fill() adds none)."""
    df = None
    for a0, alias, unit in integrals:
        tmp = lf.with_columns(value_expr(a0, schema).alias(VALUE_COLUMN))
        # one call answered at the top: its closing windows come after all others (to_series)
        flush = len(integrals) == 1 and not plan.omit_time
        if not plan.ascending and len(integrals) == 1:
            # read backwards: the reducer ported step by step (its labels, its boundary rows)
            df = integral_v1.stream_frame(collect(tmp, ctx), gkeys[:-1], VALUE_COLUMN, alias,
                                          integral_v1.windows(a.interval, a.offset), unit, False,
                                          WINDOW_COLUMN)
            return df if flush else df.drop(integral_v1.FLUSH_COLUMN)
        integer = dtype_of(a0, schema) in (pl.Int64, pl.UInt64)
        part = agg.integral_frame(tmp, gkeys[:-1], VALUE_COLUMN, alias, a.interval, a.offset, unit,
                                  integer, integral_v1.FLUSH_COLUMN if flush else None)
        df = part if df is None else df.join(part, on=gkeys, how="full", coalesce=True)
    return collect(df, ctx)


def _finish_aggs(plan, a: Aggregate, lf, schema, low: Lowered, gkeys, ctx: Ctx, exprs, modes,
                 integrals, seen, keep, runs: bool) -> pl.DataFrame:
    """The groups' rows of :func:`_scalar_aggs`, collected once (``runs`` None: ``lf`` holds the
    groups already, :meth:`series_runs.RunGroups.agg`; else :func:`_group_agg` groups them)."""
    if runs is None:
        df = lf
    else:
        df = _group_agg(plan, a, lf, gkeys, exprs, ctx) if exprs else lf.select(gkeys).unique()
    for i, (a0, alias) in enumerate(modes):
        tmp = lf.with_columns(value_expr(a0, schema).alias(VALUE_COLUMN))
        part = (agg.mode_frame3(tmp, gkeys, VALUE_COLUMN, alias) if plan.emulates_v3  # v3: no Go sort
                else agg.mode_frame(tmp, gkeys, VALUE_COLUMN, alias, f"{TIE_COLUMN}{i}"))
        df = df.join(part, on=gkeys, how="left")
    for a0, alias, unit in integrals:
        tmp = lf.with_columns(value_expr(a0, schema).alias(VALUE_COLUMN))
        integer = dtype_of(a0, schema) in (pl.Int64, pl.UInt64)
        part = agg.integral_frame(tmp, gkeys[:-1], VALUE_COLUMN, alias, a.interval, a.offset, unit,
                                  integer)
        df = df.join(part, on=gkeys, how="full", coalesce=True) if exprs or modes else part
    # the clean-up below stays in the lazy plan, so the statement still collects once
    # count() of a field with no points is "no value" (null); fill() may turn it into 0 later
    counts = [c for call, c in low.aggs.items() if call.name == "count"]
    if counts:
        df = df.with_columns([pl.when(pl.col(c) != 0).then(pl.col(c)).alias(c) for c in counts])
    if keep:
        df = df.filter(pl.any_horizontal(keep))
    # an aggregate that saw no point in its group emitted nothing: fill() may fill it
    gaps = [(pl.col(seen_column(i)) == 0).alias(gap_column(c))
            for i, c in enumerate(low.aggs.values()) if seen_column(i) in seen]
    df = collect(df.with_columns(gaps).drop(seen), ctx)
    if modes and not plan.emulates_v3:
        df = go_ties.replay_modes(df, lf, gkeys,
                                  [(value_expr(a0, schema), alias, f"{TIE_COLUMN}{i}")
                                   for i, (a0, alias) in enumerate(modes)], plan.ascending,
                                  _series_columns(plan, lf, gkeys, ctx))
    return df


def _reduced_as_influxd(plan, a: Aggregate, lf, df: pl.DataFrame, schema, low: Lowered, gkeys, ctx: Ctx) -> pl.DataFrame:
    """Float sums and means (and means of integers) of groups that may span several series
    or shard groups, recomputed in the order influxd adds them (exec/go_reduce.py); the
    other groups' answers stand (one series in one shard group: its points in read order)."""
    calls = [(call, alias) for call, alias in low.aggs.items() if _tree_reduced(call, schema)]
    if not calls or not df.height or plan.emulates_v3 or not all(isinstance(s, Scan) for s in plan.sources):
        return df
    if not _tree_spans(plan, a, ctx):
        calls = [(call, alias) for call, alias in calls if call.name == "stddev"]
        if not calls:
            return df
    shard = _shard_duration(plan, ctx)
    ran = _runs_reduced(plan, a, df, [(c, al) for c, al in calls if c.name != "stddev"], low, ctx)
    if ran is not None:
        df, calls = ran, [(c, al) for c, al in calls if c.name == "stddev"]
    series = _series_columns(plan, lf, gkeys, ctx)
    for call, alias in calls:
        rows = collect(lf.select(*gkeys, *series, "time", value_expr(call.args[0], schema).alias(VALUE_COLUMN)), ctx)
        if call.name == "stddev":
            got = go_reduce.stddev(rows, gkeys, WINDOW_COLUMN, series, VALUE_COLUMN, plan.ascending, shard, df.height)
            if got is None:
                continue
        else:
            got = go_reduce.exact(rows, gkeys, WINDOW_COLUMN, series, VALUE_COLUMN, call.name, plan.ascending, shard)
        got = df.select(gkeys).join(got, on=gkeys, how="left", nulls_equal=True, maintain_order="left")
        df = df.with_columns(pl.when(got[VALUE_COLUMN].is_not_null()).then(got[VALUE_COLUMN])
                             .otherwise(pl.col(alias)).alias(alias))
    return df


def _runs_reduced(plan, a: Aggregate, df: pl.DataFrame, calls: list, low: Lowered, ctx: Ctx) -> pl.DataFrame | None:
    """:func:`_reduced_as_influxd` of ``calls`` from :func:`_runs_tree`'s answers; None when
    it has none for some of them."""
    got = _runs_tree(plan, a, low, ctx) if calls else None
    if got is None or any(c not in got[1] for c, _ in calls):
        return None
    wins, cols = got[0], [got[1][c] for c, _ in calls]
    if not a.interval:
        if df.height != 1 or len(wins) > 1:
            return None
        return df.with_columns(pl.lit(vals[0] if n[0] else None, pl.Float64).alias(alias)
                               for (_, alias), (vals, n, _) in zip(calls, cols))
    found = pl.DataFrame([pl.Series(WINDOW_COLUMN, wins, pl.Int64)]
                         + [pl.select(pl.when(pl.lit(pl.Series(n)) > 0).then(pl.lit(pl.Series(vals, dtype=pl.Float64))))
                            .to_series().alias(alias) for (_, alias), (vals, n, _) in zip(calls, cols)])
    found = df.select(WINDOW_COLUMN).join(found, on=WINDOW_COLUMN, how="left", maintain_order="left")
    return df.with_columns(pl.when(found[alias].is_not_null()).then(found[alias]).otherwise(pl.col(alias)).alias(alias)
                           for _, alias in calls)


def _runs_row(plan, a: Aggregate, schema, low: Lowered, gkeys, ctx: Ctx) -> pl.DataFrame | None:
    """:func:`_scalar_aggs` of a statement without GROUP BY whose calls are all float sums and
    means :func:`_runs_tree` answers: its one row (or none) built from those answers, not from
    a Polars aggregation whose sums would be replaced; None otherwise."""
    if a.interval or gkeys != [NAME, WINDOW_COLUMN] or not low.aggs or \
            not all(c.name in ("sum", "mean") and _tree_reduced(c, schema) for c in low.aggs):
        return None
    got = _runs_tree(plan, a, low, ctx)
    if got is None or len(got[0]) != 1 or any(c not in got[1] for c in low.aggs):
        return None
    cols = [got[1][c] for c in low.aggs]
    if not any(int(n[0]) for _, n, _ in cols):
        return None  # (no point: the general path's empty answer)
    tr = plan.time_range
    return pl.DataFrame([pl.Series(NAME, [plan.sources[0].measurement], pl.String),
                         pl.Series(WINDOW_COLUMN, [tr.start if tr.has_start else 0], pl.Int64),
                         *(pl.Series(alias, [float(v[0]) if n[0] else None], pl.Float64)
                           for alias, (v, n, _) in zip(low.aggs.values(), cols)),
                         *(pl.Series(gap_column(alias), [not n[0]], pl.Boolean)
                           for alias, (_, n, _) in zip(low.aggs.values(), cols))])


def _runs_tree(plan, a: Aggregate, low: Lowered, ctx: Ctx):
    """(windows, {call: (values, counts, is_count) per window}) of the statement's sum() and
    mean() calls as influxd's tree adds them, from series runs (exec/fast_tree.py, as the fast
    executor adds them), found once per statement: when it reads one measurement exactly by
    tags, without GROUP BY tags or zone, in time order, over groups that span partials. None
    when it does not or the rows are not held so (then the rows' replay, go_reduce.exact)."""
    seen = ctx.tree_memo.get(("runs", id(plan)))
    if seen is not None and seen[0] is plan:
        return seen[1]
    src, got = (plan.sources[0] if plan.sources else None), None  # (a reader may know no source yet)
    calls = [c for c in low.aggs if c.name in ("sum", "mean") and c.args and isinstance(c.args[0], ast.VarRef)]
    if calls and plan.emulates_influxd and not a.dimensions and a.tz is None and plan.ascending \
            and len(plan.sources) == 1 and isinstance(src, Scan) and ctx.provider.capabilities.exact_tag_scan \
            and not src.time_range.empty and all(_tag_equalities(c, AnyString) is not None for c in _conjuncts(plan.condition)) \
            and _tree_spans(plan, a, ctx):
        cols = fast_tree.tree_columns(src, calls, a.interval, a.offset, ctx.provider, scan_tags(plan.condition) or {},
                                      _shard_duration(plan, ctx))
        got = None if cols is None else (cols[0], dict(zip(calls, cols[1])))
    ctx.tree_memo[("runs", id(plan))] = (plan, got)
    return got


def _series_read(plan, stages: Stages, low: Lowered, ctx: Ctx):
    """The statement's source, its Scans reading every tag when :func:`_reduced_as_influxd`
    will tell a group's series apart."""
    src = stages.source
    scans = src.inputs if isinstance(src, Merge) else (src,)
    if plan.emulates_v3 or not isinstance(stages.shape, Aggregate) or not all(isinstance(s, Scan) for s in scans) \
            or not any(c.name in ("sum", "mean", "stddev") for c in low.aggs) or not _tree_spans(plan, stages.shape, ctx):
        return src
    if not any(c.name == "stddev" for c in low.aggs) and _runs_tree(plan, stages.shape, low, ctx) is not None:
        return src  # the sums come from series runs: no tag told apart
    read = tuple(replace(s, columns=s.columns + _tags_unread(s, ctx)) for s in scans)
    return Merge(read) if isinstance(src, Merge) else read[0]


def _tags_unread(src: Scan, ctx: Ctx) -> tuple[str, ...]:
    sch = ctx.provider.schema(src.database, src.measurement)
    return tuple(t for t in sorted(sch.tags if sch is not None else ()) if t not in src.columns)


def _tree_spans(plan, a: Aggregate, ctx: Ctx) -> bool:
    """go_reduce.spans_partials of the statement, once for each plan the statement runs."""
    seen = ctx.tree_memo.get(("spans", id(plan)))
    if seen is None or seen[0] is not plan:
        seen = (plan, go_reduce.spans_partials(plan, a.interval, a.offset, a.tz, ctx.provider))
        ctx.tree_memo[("spans", id(plan))] = seen
    return seen[1]


def _tree_exact(plan, stages: Stages, low: Lowered, ctx: Ctx) -> bool:
    """Whether :func:`_reduced_as_influxd` recomputes some call (then the rows are not read
    as series runs, exec/runs.py): sum() and mean() whose groups may span series or shard
    groups (stddev(): runs.groups declines what RunGroups.reduce does not take as influxd)."""
    if plan.emulates_v3 or not isinstance(stages.shape, Aggregate):
        return False
    names = {c.name for c in low.aggs}
    return bool(names & {"sum", "mean"}) and _tree_spans(plan, stages.shape, ctx)


def _tree_reduced(call, schema) -> bool:
    """Whether influxd's reduce tree changes a call's last digits: float sum(), mean() and
    stddev() (its own running mean), mean() and stddev() of integers."""
    if call.name not in ("sum", "mean", "stddev") or not call.args or not isinstance(call.args[0], ast.VarRef):
        return False
    dtype = schema.get(call.args[0].name)
    return dtype == pl.Float64 or (call.name != "sum" and dtype in (pl.Int64, pl.UInt64))


def _backwards(plan, a: Aggregate, ctx: Ctx) -> bool:
    """Whether float sums and means add a window's points from its last: under ORDER BY time
    DESC influxd reads a series backwards, and its reducers add in that order (the last
    digits differ). Only where every group is one series of one measurement (its index,
    narrowed by WHERE's tag equalities, says so): how influxd orders several series in a
    group backwards is not modelled."""
    if plan.emulates_v3 or plan.ascending or not a.interval or len(plan.sources) != 1 or not isinstance(plan.sources[0], Scan):
        return False
    return go_reduce.one_series_groups(plan, ctx.provider)


def _time_ordered(plan, ctx: Ctx) -> bool:
    """Whether each series' rows the statement reads come in time order (its Scans' provider
    says so: DataProvider.series_ordered), as influxd's reducers add a window's points."""
    return ctx.provider.capabilities.series_order and all(
        isinstance(s, Scan) and ctx.provider.series_ordered(s.database, s.retention_policy, s.measurement,
                                                            s.time_range.start, s.time_range.end)
        for s in plan.sources)


def _agg_exprs(a: Aggregate, schema, low: Lowered, ascending: bool = True, nan_order: bool = False,
               backwards: bool = False, streamed: bool = False, in_order: bool = False, by_time: bool = False):
    """(Polars aggregations, mode() calls, integral() calls) of the lowered aggregates
    (``nan_order``: :attr:`SelectPlan.emulates_v3`; ``backwards``: :func:`_backwards`; ``streamed``: over a
    subquery's stream, float sums added one row after another, :func:`agg.scalar_agg`; ``in_order``:
    :attr:`SelectPlan.emulates_influxd`, float sums and means added one row after another, in time
    order under ``by_time``: :func:`_time_ordered` does not hold). Means grouped by tags are left
    as Polars adds them: RunGroups.reduce answers them from lists of the held rows, whose
    in-order means (``list.mean``) cost TSBS's double-groupby-all 15-20% (measured)."""
    exprs, modes, integrals = [], [], []
    selector = next(iter(low.aggs)) if a.point_time else None
    for call, alias in low.aggs.items():
        name, args = call.name, call.args
        a0 = args[0]
        if name == "count" and isinstance(a0, ast.Call) and a0.name == "distinct":
            v = value_expr(a0.args[0], schema)
            exprs.append(agg.scalar_agg("count_distinct", v, (), dtype_of(a0.args[0], schema),
                                        sequential=streamed).alias(alias))
            continue
        v = value_expr(a0, schema)
        dtype = dtype_of(a0, schema)
        if isinstance(a0, ast.VarRef) and a0.name not in schema:
            dtype = None
        if name == "mode":
            modes.append((a0, alias))
            continue
        if name == "integral" and a.interval:
            agg.check_type(name, dtype)  # influxd's words for a string or boolean field
            unit = int(args[1].val) if len(args) > 1 else 1_000_000_000
            integrals.append((a0, alias, unit))
            continue
        extra = tuple(_literal_value(x) for x in args[1:])
        back = backwards or (streamed and not ascending and name in ("max", "min", "first", "last"))  # (read backwards)
        # (a mean of GROUP BY tags' groups stays Polars': exec/runs.py's lists add so, for speed)
        ordered = in_order and (name == "sum" or not a.dimensions)
        exprs.append(agg.scalar_agg(name, v, extra, dtype, a.interval, nan_order, back, streamed, ordered,
                                    by_time).alias(alias))
        if call is selector:
            exprs.append(agg.selector_time(name, v, extra, ascending, dtype if nan_order else None,
                                           streamed and dtype == pl.Float64).alias(POINT_TIME_COLUMN))
    return exprs, modes, integrals


def _aux_exprs(a: Aggregate, schema, low: Lowered, gkeys, ascending: bool = True, nan_order: bool = False,
               streamed: bool = False) -> list:
    """Plain fields beside one selector are read at its point, in windows too (influxd; over a
    subquery's ``streamed`` floats, the point its reducer keeps: agg.selector_aux)."""
    only = next(iter(low.aggs)) if len(low.aggs) == 1 else None
    aux_of = next(iter(low.aggs)) if a.point_time else (
        only if only is not None and F.spec(only.name).picks_point else None)
    if aux_of is None:
        return []
    extra = tuple(_literal_value(x) for x in aux_of.args[1:])
    sv = value_expr(aux_of.args[0], schema)
    dtype = dtype_of(aux_of.args[0], schema)
    stream = streamed and dtype == pl.Float64
    dtype = dtype if nan_order else None  # (the NaN rules' only use of it)
    return [agg.selector_aux(aux_of.name, sv, pl.col(r), extra, ascending, dtype, stream).alias(r)
            for r in sorted({r.name for e in low.exprs for r in _all_refs(e)})
            if r in schema and r not in gkeys]  # a GROUP BY tag is already a key


def _seen_exprs(schema, low: Lowered, exprs: list) -> tuple[list[str], list]:
    """Adds to ``exprs`` the count of points each aggregate saw; returns those columns and the
    conditions that keep a group (some aggregate emitted a point; stddev of one point: null)."""
    seen, keep = [], []
    for i, (call, alias) in enumerate(low.aggs.items()):
        if not _counts_points(call):
            keep.append(pl.col(alias).is_not_null())  # no point picked: nothing emitted
        else:
            a0 = call.args[0]
            a0 = a0.args[0] if isinstance(a0, ast.Call) and a0.args else a0
            exprs.append(value_expr(a0, schema).count().alias(seen_column(i)))
            seen.append(seen_column(i))
            keep.append(pl.col(seen_column(i)) > 0)
    return seen, keep


def _counts_points(call) -> bool:
    """Whether :func:`_seen_exprs` counts the points ``call`` saw (else its value tells)."""
    a0 = call.args[0]
    if isinstance(a0, ast.Call) and a0.args:
        a0 = a0.args[0]
    return not (call.name == "percentile" or (isinstance(a0, ast.VarRef) and a0.type in ("unknown", "tagarg")))


def _group_agg(plan, a: Aggregate, lf: pl.LazyFrame, gkeys: list[str], exprs: list,
               ctx: Ctx | None = None) -> pl.LazyFrame:
    """``group_by(gkeys).agg(exprs)``, without hashing keys that are constant: the measurement when
    one measurement is read, the window without GROUP BY time. count(*) over everything is then
    a plain select rather than a grouping of every row by two literal columns. With ``ctx``, rows
    grouped by tags are put in group order and aggregated as slices where their keys come in
    runs (exec/sorted_groups.py: the same answers as hashing, without hashing strings or copying
    groups into lists)."""
    const = {}
    if len(plan.sources) == 1 and isinstance(plan.sources[0], Scan):
        const[NAME] = pl.lit(plan.sources[0].measurement)
    if not a.interval:
        const[WINDOW_COLUMN] = pl.col(WINDOW_COLUMN).first()
    rest = [k for k in gkeys if k not in const]
    names = [e.meta.output_name() for e in exprs]
    if not rest:  # one group: aggregate everything; no rows means no group, as group_by says
        firsts = [pl.col(k).first() for k in const if k != WINDOW_COLUMN]
        window = [const[WINDOW_COLUMN]] if WINDOW_COLUMN in const else []
        out = lf.select([*firsts, *window, *exprs, pl.len().alias(COUNT_COLUMN)])
        return out.filter(pl.col(COUNT_COLUMN) > 0).drop(COUNT_COLUMN).select([*gkeys, *names])
    if ctx is not None and sorted_groups.worth_it(lf.collect_schema(), rest):
        rows = collect(lf, ctx)
        out = sorted_groups.agg(rows, rest, list(const), exprs)
        if out is not None:
            return out.lazy().select([*gkeys, *names])
        lf = rows.lazy()
    out = lf.group_by(rest).agg([*[pl.col(k).first() for k in const], *exprs])
    if ctx is not None:  # lists of a group's values: the in-memory engine copies them for less
        return collect(out, ctx, "in-memory").lazy().select([*gkeys, *names])
    return out.select([*gkeys, *names])


def _multi_rows(lf, schema, low: Lowered, gkeys, call, ctx: Ctx, ascending: bool = True,
                ties: pl.Expr | None = None) -> pl.DataFrame:
    """top/bottom/sample/distinct: several rows per group (``ties``: over a subquery, the order
    its stream brings rows of equal time in (_stream_ties), in which its NaN top()/bottom()
    read as influxd, exec/go_nan.py)."""
    alias = low.aggs[call]
    a0 = call.args[0]
    if call.name in ("top", "bottom"):
        tags = [x.name for x in call.args[1:-1]]
        args = tuple(tags) + (call.args[-1].val,)
        extra = sorted({r.name for e in low.exprs for r in _all_refs(e)} | set(tags))
        extra = [x for x in extra if x in schema and x not in gkeys]  # a group key is carried
        dtype = dtype_of(a0, schema)
        if dtype in (pl.String, pl.Boolean):
            raise UnsupportedType(f"unsupported {call.name} iterator type: "
                                  f"*query.{'string' if dtype == pl.String else 'boolean'}InterruptIterator")
    elif call.name == "sample":
        args, extra = (call.args[1].val,), []
    else:
        args, extra = (), []
    lf = lf.with_columns(value_expr(a0, schema).alias(VALUE_COLUMN))
    out = collect(agg.multi_rows(call.name, lf, gkeys, VALUE_COLUMN, args, alias, extra, ascending), ctx)
    if ties is not None and len(args) == 1 and call.name in ("top", "bottom") and dtype_of(a0, schema) == pl.Float64:
        out = go_nan.top_rows(out, lf, gkeys, call.name, int(args[0]), VALUE_COLUMN, alias, extra, ascending, ties)
    return out


def _literal_value(e):
    if isinstance(e, ast.Literal):
        return e.val
    return e


# -- transforms (derivative, difference, ...) over each series ------------------------------------

def _transforms(order: OrderLimit, df: pl.DataFrame, low: Lowered, keys, schema, interval: int,
                deadline: float = 0.0, stream: bool = False, beside: pl.Expr | None = None,
                limits: tuple[int, int] = (0, 0), ranged: pl.Expr | None = None) -> pl.DataFrame:
    """The Transform stage: every transform call per series; rows = union of the outputs
    (in time order, or in the order read when ``stream``: several subqueries one after another),
    and of ``df``'s rows where ``beside`` holds (:func:`_calls_beside`); ``limits``: each
    call's (LIMIT, OFFSET) per series, applied before the union; ``ranged``: the rows a
    transform that reads no extra window reads.

    The transforms run in Python, outside a Polars collect: the deadline is checked per series."""
    from ..functions.transforms import apply_transform

    if not order.ascending:
        df = df.reverse()
    sch = {**schema, **dict(df.schema)}
    outs = []
    for call, (name, inner) in low.transforms.items():
        read = df if ranged is None or F.spec(call.name).extends_range else df.filter(ranged)
        src = read.select(keys + ["time", value_expr(inner, sch).alias(INPUT_COLUMN)])
        args = tuple(_literal_value(a) for a in call.args[1:])
        frames = []
        for part in src.partition_by(keys, maintain_order=True):
            if deadline and _time.perf_counter() >= deadline:
                raise QueryError("query-timeout limit exceeded")
            t, v = apply_transform(call.name, part["time"].to_numpy(), part[INPUT_COLUMN], args,
                                   interval=interval, ascending=order.ascending)
            if limits != (0, 0):
                stop = limits[1] + limits[0] if limits[0] else None
                t, v = t[limits[1]:stop], v[limits[1]:stop]
            if len(t) == 0:
                continue
            vals = pl.Series(name, v)
            if vals.dtype == pl.Float64:
                vals = vals.fill_nan(None)
            frames.append(pl.DataFrame({"time": pl.Series(t, dtype=pl.Int64), name: vals})
                          .with_columns([pl.lit(part[k][0]).alias(k) for k in keys]))
        if frames:
            outs.append(pl.concat(frames, how="vertical_relaxed"))
        else:
            outs.append(pl.DataFrame(schema={**{k: pl.String for k in keys}, "time": pl.Int64,
                                             name: pl.Float64}))
    if beside is not None:
        outs.append(df.filter(beside).select(keys + ["time"]).unique(keys + ["time"], maintain_order=True))
    out = outs[0]
    if len(outs) > 1:  # influxd's cursor reads one point of each stream a row: equal times pair in order
        on = keys + ["time", ROW_TMP]
        outs = [o.with_columns(pl.int_range(pl.len()).over(keys + ["time"]).alias(ROW_TMP)) for o in outs]
        out = outs[0]
        for o in outs[1:]:
            out = out.join(o, on=on, how="full", coalesce=True, maintain_order="left_right")
        out = out.drop(ROW_TMP)
    rest = [c for c in df.columns if c not in out.columns and c not in (INPUT_COLUMN,)]
    if rest:
        out = out.join(df.select(keys + ["time"] + rest).unique(keys + ["time"], keep="first",
                                                                maintain_order=True),
                       on=keys + ["time"], how="left")
    # rows of equal time keep the order they were read in once finish() reverses a DESC answer
    out = out if order.ascending else out.reverse()
    out = out.sort(keys, maintain_order=True) if stream else out.sort(keys + ["time"], maintain_order=True)
    return out.select(keys + ["time"] + [c for c in out.columns if c not in keys and c != "time"])
