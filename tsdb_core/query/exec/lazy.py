"""Execute a :class:`SelectPlan` with Polars: scan → filter → aggregate/fill → transform → series.

Stays lazy up to the aggregate (one ``collect`` per statement); what follows
(fill, transforms, ordering, limits) works on the small aggregated frame.
Rows carry the measurement (``NAME``, a name no tag can have) and the GROUP BY tags; the output columns
are ``_c0.._cN``; :func:`run` returns one frame per series, in InfluxDB order.
"""
from __future__ import annotations

import atexit
import dataclasses
import threading
import time as _time
from dataclasses import dataclass, field

import polars as pl

from ...base.errors import LimitExceeded, QueryError
from ...influxql import ast
from ...influxql import functions as F
from ..functions import aggregates as agg
from ..analyze.conditions import AnyString as _AnyString
from ..analyze.conditions import all_refs as _all_refs
from ..analyze.conditions import conjuncts as _conjuncts
from ..analyze.conditions import scan_tags as _scan_tags
from ..analyze.conditions import tag_equalities as _tag_equalities
from .expressions import cond_expr, dtype_of, ref_expr, value_expr
from .fill import bucket_expr, bucket_grid, fill
from ..plan.nodes import AGGREGATES, TRANSFORMS, Scan, SelectPlan, SubqueryScan
from ..plan.nodes import MEASUREMENT_COLUMN as NAME


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


def collect(lf: pl.LazyFrame, ctx: Ctx) -> pl.DataFrame:
    """``lf.collect()``, cancelled at ``ctx.deadline``: influxd's query-timeout kills the query
    rather than dropping its answer, and Polars stops a query between its operators."""
    if not ctx.deadline:
        return lf.collect()
    if not ctx.cancellable:
        out = lf.collect()
        if _time.perf_counter() >= ctx.deadline:
            raise QueryError("query-timeout limit exceeded")
        return out
    job = lf.collect(background=True)
    pause = 0.00002  # short first waits: most collects end within a millisecond
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
    """Output expressions with aggregate/transform calls replaced by placeholder columns."""

    exprs: list = field(default_factory=list)
    aggs: dict = field(default_factory=dict)        # Call -> "_aN"
    transforms: dict = field(default_factory=dict)  # Call -> ("_tN", inner expr)


# -- loading ----------------------------------------------------------------------------

def load(plan: SelectPlan, ctx: Ctx) -> pl.LazyFrame | None:
    frames = []
    for src in plan.sources:
        if isinstance(src, SubqueryScan):
            inner = run_frame(src.plan, ctx)
            if inner is not None and inner.height:
                frames.append(inner.lazy())
            continue
        tr = src.time_range
        if tr.empty:
            continue
        tags = _scan_tags(plan.condition)
        limit = _scan_limit(plan, ctx)
        if limit:
            lf = ctx.provider.scan(src.database, src.retention_policy, src.measurement,
                                   tr.start, tr.end, list(src.columns), tags=tags, limit=limit)
        elif tags:
            lf = ctx.provider.scan(src.database, src.retention_policy, src.measurement,
                                   tr.start, tr.end, list(src.columns), tags=tags)
        else:
            lf = ctx.provider.scan(src.database, src.retention_policy, src.measurement,
                                   tr.start, tr.end, list(src.columns))
        frames.append(lf.with_columns(pl.lit(src.measurement).alias(NAME)))
    if not frames:
        return None
    lf = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    have = set(lf.collect_schema().names())
    wanted = {c for src in plan.sources if isinstance(src, Scan) for c in src.columns}
    missing = [pl.lit(None).alias(c) for c in sorted(wanted - have)]
    return lf.with_columns(missing) if missing else lf


# -- lowering: calls → placeholder columns ------------------------------------------------------

def lower(plan: SelectPlan) -> Lowered:
    low = Lowered()

    def walk(e):
        if isinstance(e, ast.Call):
            if e.name in TRANSFORMS:
                inner = walk(e.args[0]) if not plan.is_raw else e.args[0]
                if e not in low.transforms:
                    low.transforms[e] = (f"\x00t{len(low.transforms)}", inner)
                return ast.VarRef(low.transforms[e][0], "_placeholder")
            if e.name in AGGREGATES:
                if e not in low.aggs:
                    low.aggs[e] = f"\x00a{len(low.aggs)}"
                return ast.VarRef(low.aggs[e], "_placeholder")
            return ast.Call(e.name, tuple(walk(a) for a in e.args))
        if isinstance(e, ast.BinaryExpr):
            return ast.BinaryExpr(e.op, walk(e.lhs), walk(e.rhs))
        if isinstance(e, ast.ParenExpr):
            return ast.ParenExpr(walk(e.expr))
        return e

    low.exprs = [walk(c.expr) for c in plan.columns]
    return low


def _field_refs(e) -> list:
    if isinstance(e, ast.VarRef):
        return [] if e.type == "tag" else [e]
    if isinstance(e, ast.Call):
        return [n for a in e.args for n in _field_refs(a)]
    if isinstance(e, ast.BinaryExpr):
        return _field_refs(e.lhs) + _field_refs(e.rhs)
    if isinstance(e, ast.ParenExpr):
        return _field_refs(e.expr)
    return []


# -- the two shapes of SELECT ----------------------------------------------------------------------

def run_frame(plan: SelectPlan, ctx: Ctx) -> pl.DataFrame | None:
    """All rows of the statement: the measurement (``NAME``), GROUP BY tags, ``time``, ``_c0..``; ordered."""
    mixed = _raw_transforms_beside_aggregates(plan)
    if mixed is not None:
        return _zip_by_time(plan, *mixed, ctx)
    lf = load(plan, ctx)
    if lf is None:
        return None
    schema = dict(lf.collect_schema())
    pre = _pushdown(plan.condition, schema)
    if pre is not None:
        lf = lf.filter(pre)
    dims = list(plan.dimensions)
    lf = lf.with_columns([pl.col(d).fill_null("") if d in schema else pl.lit("").alias(d)
                          for d in dims])
    if plan.slimit or plan.soffset:
        lf = _slimit(plan, lf, schema, [NAME] + dims)
    tag_cond = _tag_only(plan.condition, schema)
    ctx.series_lf = lf.filter(cond_expr(tag_cond, schema)) if tag_cond is not None else lf
    if plan.condition is not None:
        lf = lf.filter(cond_expr(plan.condition, schema))
    schema = dict(lf.collect_schema())
    low = lower(plan)
    keys = [NAME] + dims
    if plan.is_raw:
        df = _raw(plan, lf, schema, low, keys, ctx)
    else:
        df = _aggregate(plan, lf, schema, low, keys, ctx)
    if df is None or df.height == 0:
        return None
    return finish(plan, df, keys, ordered=plan.is_raw and not low.transforms)


def _calls(e):
    if isinstance(e, ast.Call):
        yield e
        for a in e.args:
            yield from _calls(a)
    elif isinstance(e, ast.BinaryExpr):
        yield from _calls(e.lhs)
        yield from _calls(e.rhs)
    elif isinstance(e, ast.ParenExpr):
        yield from _calls(e.expr)


def _raw_transforms_beside_aggregates(plan: SelectPlan) -> tuple[list[int], list[int]] | None:
    """(columns transforming raw points, aggregate columns) of ``SELECT derivative(v), count(i)``.

    Without GROUP BY time, influxd runs such columns as separate iterators and zips their
    points by time: the aggregates' one row per series (at the range start) and the
    transforms' rows meet where the times are equal, nulls elsewhere.
    """
    if plan.is_raw or plan.interval:
        return None
    raw, aggs = [], []
    for i, c in enumerate(plan.columns):
        calls = list(_calls(c.expr))
        on_raw = any(k.name in TRANSFORMS and not any(a.name in AGGREGATES for a in _calls(k.args[0]))
                     for k in calls if k.args)
        if on_raw and any(k.name in AGGREGATES for k in calls):
            return None  # both in one expression: not a shape influxd zips
        (raw if on_raw else aggs).append(i)
    return (raw, aggs) if raw and aggs else None


def _zip_by_time(plan: SelectPlan, raw: list[int], aggs: list[int], ctx: Ctx) -> pl.DataFrame | None:
    """:func:`run_frame` of a plan whose columns split as :func:`_raw_transforms_beside_aggregates`
    says: each part on its own (ordered, LIMIT and OFFSET applied, as influxd does per
    iterator), rows joined on (series, time)."""
    keys = [NAME, *plan.dimensions]
    parts = []
    for cols, is_raw in ((raw, True), (aggs, False)):
        part = dataclasses.replace(plan, columns=tuple(plan.columns[i] for i in cols), is_raw=is_raw,
                                   omit_time=False,
                                   point_time=False)  # a selector beside a transform: the range start
        df = run_frame(part, ctx)
        if df is not None and df.height:
            parts.append(df.select([*keys, "time", *[pl.col(f"\x00c{j}").alias(f"\x00c{i}") for j, i in enumerate(cols)]]))
    if not parts:
        return None
    df = parts[0] if len(parts) == 1 else parts[0].join(parts[1], on=[*keys, "time"], how="full",
                                                        coalesce=True, nulls_equal=True)
    have = set(df.columns)
    df = df.sort([*keys, "time"], descending=not plan.ascending, maintain_order=True).select(
        [*keys, "time", *[pl.col(c) if c in have else pl.lit(None).alias(c)
                          for c in (f"\x00c{i}" for i in range(len(plan.columns)))]])
    return finish(dataclasses.replace(plan, ascending=True, limit=0, row_offset=0), df, keys, ordered=True)


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


def _scan_limit(plan: SelectPlan, ctx: Ctx) -> tuple[int, bool] | None:
    """``(n, newest)`` when each series' n oldest (newest) points are all a raw LIMIT can keep.

    Holds when every stored point is a candidate row: plain columns covering every field
    (a point has some field), no condition but tag equalities, series not cut by SLIMIT.
    lastpoint (``SELECT * ... GROUP BY host ORDER BY time DESC LIMIT 1``) then reads one
    row per series instead of all of them.
    """
    if not (plan.is_raw and plan.limit and not plan.slimit and not plan.soffset and len(plan.sources) == 1
            and isinstance(plan.sources[0], Scan) and getattr(ctx.provider, "exact_tag_scan", False)):
        return None
    if not all(isinstance(c.expr, ast.VarRef) for c in plan.columns):
        return None
    for c in _conjuncts(plan.condition):
        if _tag_equalities(c, _AnyString) is None:
            return None
    fields = {c.expr.name for c in plan.columns if c.expr.type != "tag"}
    if not fields or not _covers_all_fields(plan, fields, ctx):
        return None
    return plan.limit + plan.row_offset, not plan.ascending


def _slimit(plan: SelectPlan, lf: pl.LazyFrame, schema, keys: list[str]) -> pl.LazyFrame:
    """SLIMIT/SOFFSET pick series as influxd does: from the series index, i.e. before the
    field conditions of WHERE are applied (tag conditions do apply)."""
    tag_cond = _tag_only(plan.condition, schema)
    base = lf.filter(cond_expr(tag_cond, schema)) if tag_cond is not None else lf
    series = base.select(keys).unique().sort(keys)  # index order, even for ORDER BY DESC
    idx = pl.int_range(pl.len()).over(NAME)  # SLIMIT counts the series of each measurement
    cond = idx >= plan.soffset
    if plan.slimit:
        cond = cond & (idx < plan.soffset + plan.slimit)
    series = series.filter(cond)
    return lf.join(series, on=keys, how="semi")


def _tag_only(cond, schema):
    """The part of a condition that only involves tags (AND-ed parts), or None."""
    if cond is None:
        return None
    if isinstance(cond, ast.ParenExpr):
        return _tag_only(cond.expr, schema)
    if isinstance(cond, ast.BinaryExpr) and cond.op == "AND":
        lhs, rhs = _tag_only(cond.lhs, schema), _tag_only(cond.rhs, schema)
        if lhs is None or rhs is None:
            return lhs or rhs
        return ast.BinaryExpr("AND", lhs, rhs)
    refs = _all_refs(cond)
    stringy = isinstance(cond, ast.BinaryExpr) and any(
        isinstance(x, (ast.StringLiteral, ast.RegexLiteral)) for x in (cond.lhs, cond.rhs))
    if refs and all(r.type == "tag" or (r.type is None and stringy) for r in refs):
        return cond
    return None


def _is_top_bottom(plan: SelectPlan) -> bool:
    return any(isinstance(c.expr, ast.Call) and F.spec(c.expr.name).first_arg == F.SELECTED
               for c in plan.columns)


def finish(plan: SelectPlan, df: pl.DataFrame, keys: list[str], ordered: bool = False) -> pl.DataFrame:
    """Order rows (time ASC/DESC within series) unless ``ordered``, then LIMIT/OFFSET per series."""
    if not plan.ascending and not ordered and not _is_top_bottom(plan):
        df = df.reverse()  # influxd reverses everything: series order and equal-time ties too
    if plan.limit or plan.row_offset:
        idx = pl.int_range(pl.len()).over(keys)
        cond = idx >= plan.row_offset
        if plan.limit:
            cond = cond & (idx < plan.row_offset + plan.limit)
        df = df.filter(cond)
    if plan.omit_time is False:
        return df
    names: dict[str, str] = {}  # a subquery's rows: a repeated column name keeps its first column
    for i, c in enumerate(plan.columns):
        if c.name not in names.values():
            names[f"\x00c{i}"] = c.name
    return df.drop([f"\x00c{i}" for i in range(len(plan.columns)) if f"\x00c{i}" not in names]).rename(names)


def _raw(plan, lf, schema, low: Lowered, keys, ctx) -> pl.DataFrame:
    refs = sorted({r for c in plan.columns for r in _field_refs(c.expr) if r.name in schema},
                  key=str)
    if not refs:
        return None
    base = lf
    lf = lf.filter(pl.any_horizontal([ref_expr(r, schema).is_not_null() for r in refs]))
    if not _covers_all_fields(plan, {r.name for r in refs}, ctx):
        base = lf
    refs = [r.name for r in refs]
    tag_order = [c for c in schema if c not in refs and c not in ("time", NAME)
                 and schema[c] == pl.String and c not in keys]
    if not low.transforms:
        # order here (DESC = every sort key descending = influxd's full reversal), and cut
        # each series to its LIMIT+OFFSET newest/oldest times before sorting everything
        desc = not plan.ascending
        n = plan.limit + plan.row_offset if plan.limit else 0
        if n:
            t = pl.col("time")
            pick = t.top_k(n).min() if desc else t.bottom_k(n).max()
            if n == 1:  # the same, and an order of magnitude faster as a group aggregate
                pick = t.max() if desc else t.min()
            # first, from the keys and times alone, the oldest (newest) time any series keeps:
            # a plain time bound the scan prunes with, before the wide rows are read
            bound = collect(base.group_by(keys).agg(pick.alias("\x00thr")).select(
                pl.col("\x00thr").min() if desc else pl.col("\x00thr").max()), ctx).item()
            if bound is not None:
                lf = lf.filter(t >= bound if desc else t <= bound)
            lf = lf.filter(t >= pick.over(keys) if desc else t <= pick.over(keys))
        lf = lf.sort(keys + ["time"] + tag_order, descending=desc)
        cols = [value_expr(e, schema).alias(f"\x00c{i}") for i, e in enumerate(low.exprs)]
        if plan.omit_time:  # a raw subquery hands its rows' series tags to the outer query
            names = {c.name for c in plan.columns}
            cols += [pl.col(t) for t in plan.source_tags
                     if t in schema and t not in keys and t not in names]
        df = collect(lf.select(keys + ["time"] + cols), ctx)
        _count_points(df, ctx)
        if plan.fill == "value":  # influxd fills a raw row's missing field values too
            df = df.with_columns([
                pl.col(f"\x00c{i}").fill_null(plan.fill_value) for i, c in enumerate(plan.columns)
                if isinstance(c.expr, ast.VarRef) and c.expr.type != "tag"
                and df.schema[f"\x00c{i}"] in (pl.Null, pl.Float64, pl.Int64)])
        return df
    df = collect(lf.sort(keys + ["time"] + tag_order), ctx)
    _count_points(df, ctx)
    df = _transforms(plan, df, low, keys, schema, ctx.deadline)
    sch = {**schema, **dict(df.schema)}
    return df.select(keys + ["time"] + [value_expr(e, sch).alias(f"\x00c{i}")
                                        for i, e in enumerate(low.exprs)])


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


def _has_placeholder(e) -> bool:
    if isinstance(e, ast.VarRef):
        return e.type == "_placeholder"
    if isinstance(e, ast.Call):
        return any(_has_placeholder(a) for a in e.args)
    if isinstance(e, ast.BinaryExpr):
        return _has_placeholder(e.lhs) or _has_placeholder(e.rhs)
    if isinstance(e, ast.ParenExpr):
        return _has_placeholder(e.expr)
    return False


def _count_points(df: pl.DataFrame, ctx: Ctx) -> None:
    ctx.points += df.height
    if ctx.max_points and ctx.points > ctx.max_points:
        raise LimitExceeded(f"max-select-point limit exceeed: ({ctx.points}/{ctx.max_points})")


def _aggregate(plan, lf, schema, low: Lowered, keys, ctx) -> pl.DataFrame | None:
    tr = plan.time_range
    grid = None
    if plan.interval:
        if plan.tz is not None:  # zone-aware windows: list them, then look rows up
            first = tr.start - plan.extra_intervals * plan.interval if tr.has_start else \
                lf.select(pl.col("time").min()).collect().item()
            if first is None:
                return None
            grid = bucket_grid(first, tr.end, plan.interval, plan.offset, plan.tz,
                               ctx.max_buckets)
        lf = lf.with_columns(bucket_expr(plan.interval, plan.offset, plan.tz, grid).alias("\x00b"))
    else:
        zero = bool(low.aggs) and next(iter(low.aggs)).name == "integral"  # influxd: ZeroTime
        start = tr.start if tr.has_start and not zero else 0
        lf = lf.with_columns(pl.lit(start, dtype=pl.Int64).alias("\x00b"))
    gkeys = keys + ["\x00b"]
    multi = [c for c in low.aggs if F.spec(c.name).many_rows]
    try:
        if multi:
            df = _multi_rows(plan, lf, schema, low, gkeys, multi[0], ctx)
        else:
            df = _scalar_aggs(plan, lf, schema, low, gkeys, ctx)
    except QueryError as e:
        # influxd builds the typed iterator only where there is data: no rows, no error
        series = ctx.series_lf if ctx.series_lf is not None else lf  # series, not points
        if str(e).startswith("unsupported ") and series.select(pl.len()).collect().item() == 0:
            return None
        raise
    if df is None:
        return None
    known = [a for c, a in low.aggs.items() if _known_field(c)]  # fill() leaves unknown fields null
    if plan.interval:
        if df.height and not tr.has_start:
            first = int(df["\x00b"].min())
        else:
            first = tr.start - plan.extra_intervals * plan.interval
        if plan.fill != "none" and not multi and df.height:
            grid = grid or bucket_grid(first, tr.end, plan.interval, plan.offset, plan.tz,
                                       ctx.max_buckets)
            count_like = {a for c, a in low.aggs.items() if c.name == "count"}
            if not (plan.fill == "null" and not count_like and _complete(df, keys, grid, plan.interval, plan.offset, plan.tz)):
                df = fill(df, keys, grid, known, plan.fill, plan.fill_value,
                          count_like, descending=not plan.ascending)
                if plan.fill == "null":
                    df = _no_count_without_field(plan, df, low, ctx)
    elif plan.fill == "value" and df.height and known:  # no windows: fill(x) still fills
        df = fill(df, keys, [int(df["\x00b"][0])], known, "value", plan.fill_value, set())
    df = df.sort(keys + ["\x00b"] + (["\x00t"] if "\x00t" in df.columns else []), maintain_order=True)
    time = pl.col("\x00t") if "\x00t" in df.columns else pl.col("\x00b")
    df = df.with_columns(time.alias("time"))
    if low.transforms:
        # a field no point has (a Null column of the scan) is not a column here: null, not an error
        known = {k: v for k, v in schema.items() if v != pl.Null or k in df.columns}
        df = _transforms(plan, df, low, keys, {**known, **dict(df.schema)}, ctx.deadline)
    dschema = {**schema, **dict(df.schema)}
    cols = [value_expr(e, dschema).alias(f"\x00c{i}") for i, e in enumerate(low.exprs)]
    return df.select(keys + ["time"] + cols)


def _complete(df: pl.DataFrame, keys: list[str], grid: list[int], interval: int, offset: int,
              tz: str | None) -> bool:
    """Every series has a row in every window (rows are unique per series and window), so
    fill(null) without counts would add nothing: the sort that follows gives the same rows.

    Only for plain windows (no ``tz()``): the grid is then every aligned start between its
    ends, so "aligned and inside" is "in the grid" (Series calls, no query plan: ~50 µs).
    """
    if tz is not None or not grid or df.height % len(grid) or (grid[0] - offset) % interval:
        return False
    b = df["\x00b"]
    if b.null_count() or b.min() < grid[0] or b.max() > grid[-1] or \
            not ((b - offset) % interval == 0).all():
        return False
    n = df[keys[0]].n_unique() if len(keys) == 1 else df.select(pl.struct(keys).n_unique()).item()
    return n * len(grid) == df.height


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
                if sch is not None and a0.name in sch.fields:
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


def _scalar_aggs(plan, lf, schema, low: Lowered, gkeys, ctx: Ctx) -> pl.DataFrame | None:
    exprs, modes, integrals = [], [], []
    selector = next(iter(low.aggs)) if plan.point_time else None
    # one selector beside plain fields: they are read at its point, in windows too (influxd)
    only = next(iter(low.aggs)) if len(low.aggs) == 1 else None
    aux_of = selector if selector is not None else (
        only if only is not None and F.spec(only.name).picks_point else None)
    for call, alias in low.aggs.items():
        name, args = call.name, call.args
        a0 = args[0]
        if name == "count" and isinstance(a0, ast.Call) and a0.name == "distinct":
            v = value_expr(a0.args[0], schema)
            exprs.append(agg.scalar_agg("count_distinct", v, (), dtype_of(a0.args[0], schema)).alias(alias))
            continue
        v = value_expr(a0, schema)
        dtype = dtype_of(a0, schema)
        if isinstance(a0, ast.VarRef) and a0.name not in schema:
            dtype = None
        if name == "mode":
            modes.append((a0, alias))
            continue
        if name == "integral" and plan.interval:
            agg.check_type(name, dtype)  # influxd's words for a string or boolean field
            unit = int(args[1].val) if len(args) > 1 else 1_000_000_000
            integrals.append((a0, alias, unit))
            continue
        extra = tuple(_literal_value(a) for a in args[1:])
        exprs.append(agg.scalar_agg(name, v, extra, dtype, plan.interval).alias(alias))
        if call is selector:
            exprs.append(agg.selector_time(name, v, extra).alias("\x00t"))
    aux_cols = []
    if aux_of is not None:
        extra = tuple(_literal_value(a) for a in aux_of.args[1:])
        sv = value_expr(aux_of.args[0], schema)
        for r in sorted({r.name for e in low.exprs for r in _aux_refs(e)}):
            if r in schema and r not in gkeys:  # a GROUP BY tag is already a key
                aux_cols.append(r)
                exprs.append(agg.selector_aux(aux_of.name, sv, pl.col(r), extra).alias(r))
    seen: list[str] = []
    keep = []  # a group stays when some aggregate emitted a point (stddev of one point: null)
    for i, (call, alias) in enumerate(low.aggs.items()):
        a0 = call.args[0]
        if isinstance(a0, ast.Call) and a0.args:
            a0 = a0.args[0]
        if call.name == "percentile" or (isinstance(a0, ast.VarRef) and a0.type in ("unknown", "tagarg")):
            keep.append(pl.col(alias).is_not_null())  # no point picked: nothing emitted
        else:
            exprs.append(value_expr(a0, schema).count().alias(f"\x00seen{i}"))
            seen.append(f"\x00seen{i}")
            keep.append(pl.col(f"\x00seen{i}") > 0)
    if exprs:
        df = _group_agg(plan, lf, gkeys, exprs)
    else:
        df = lf.select(gkeys).unique()
    for a0, alias in modes:
        tmp = lf.with_columns(value_expr(a0, schema).alias("\x00m"))
        df = df.join(agg.mode_frame(tmp, gkeys, "\x00m", alias), on=gkeys, how="left")
    for a0, alias, unit in integrals:
        tmp = lf.with_columns(value_expr(a0, schema).alias("\x00m"))
        part = agg.integral_frame(tmp, gkeys[:-1], "\x00m", alias, plan.interval, plan.offset, unit)
        df = df.join(part, on=gkeys, how="full", coalesce=True) if exprs or modes else part
    # the clean-up below stays in the lazy plan: one collect, no eager calls (~0.1 ms each)
    # count() of a field with no points is "no value" (null); fill() may turn it into 0 later
    counts = [a for c, a in low.aggs.items() if c.name == "count"]
    if counts:
        df = df.with_columns([pl.when(pl.col(a) != 0).then(pl.col(a)).alias(a) for a in counts])
    if keep:
        df = df.filter(pl.any_horizontal(keep))
    # an aggregate that saw no point in its group emitted nothing: fill() may fill it
    return collect(df.with_columns([(pl.col(f"\x00seen{i}") == 0).alias(f"\x00gap{a}")
                                    for i, a in enumerate(low.aggs.values()) if f"\x00seen{i}" in seen]
                                   ).drop(seen), ctx)


def _group_agg(plan, lf: pl.LazyFrame, gkeys: list[str], exprs: list) -> pl.LazyFrame:
    """``group_by(gkeys).agg(exprs)``, without hashing keys that are constant: the measurement when
    one measurement is read, ``_b`` without GROUP BY time. count(*) over everything is then a
    plain select (~20x faster than grouping 1 M rows by two literal columns)."""
    const = {}
    if len(plan.sources) == 1 and isinstance(plan.sources[0], Scan):
        const[NAME] = pl.lit(plan.sources[0].measurement)
    if not plan.interval:
        const["\x00b"] = pl.col("\x00b").first()
    rest = [k for k in gkeys if k not in const]
    if not rest:  # one group: aggregate everything; no rows means no group, as group_by says
        firsts = [pl.col(k).first() for k in const if k != "\x00b"]
        out = lf.select([*firsts, *([const["\x00b"]] if "\x00b" in const else []), *exprs, pl.len().alias("\x00n")])
        return out.filter(pl.col("\x00n") > 0).drop("\x00n").select([*gkeys, *[e.meta.output_name() for e in exprs]])
    aggs = [*[pl.col(k).first() for k in const], *exprs]
    out = lf.group_by(rest).agg(aggs)
    return out.select([*gkeys, *[e.meta.output_name() for e in exprs]])


def _aux_refs(e):
    return [r for r in _all_refs(e) if r.type != "_placeholder"]


def _multi_rows(plan, lf, schema, low: Lowered, gkeys, call, ctx: Ctx) -> pl.DataFrame:
    alias = low.aggs[call]
    a0 = call.args[0]
    if call.name in ("top", "bottom"):
        tags = [a.name for a in call.args[1:-1]]
        args = tuple(tags) + (call.args[-1].val,)
        extra = sorted({r.name for e in low.exprs for r in _aux_refs(e)} | set(tags))
        extra = [x for x in extra if x in schema]
        dtype = dtype_of(a0, schema)
        if dtype in (pl.String, pl.Boolean):
            raise QueryError(f"unsupported {call.name} iterator type: "
                             f"*query.{'string' if dtype == pl.String else 'boolean'}InterruptIterator")
        lf = lf.with_columns(value_expr(a0, schema).alias("\x00v"))
        out = agg.multi_rows(call.name, lf, gkeys, "\x00v", args, alias, extra)
    elif call.name == "sample":
        lf = lf.with_columns(value_expr(a0, schema).alias("\x00v"))
        out = agg.multi_rows("sample", lf, gkeys, "\x00v", (call.args[1].val,), alias, [])
    else:
        inner = a0 if isinstance(a0, ast.VarRef) else a0
        lf = lf.with_columns(value_expr(inner, schema).alias("\x00v"))
        out = agg.multi_rows("distinct", lf, gkeys, "\x00v", (), alias, [])
    return collect(out, ctx)


def _literal_value(e):
    if isinstance(e, ast.Literal):
        return e.val
    return e


# -- transforms (derivative, difference, ...) over each series ------------------------------------

def _transforms(plan, df: pl.DataFrame, low: Lowered, keys, schema, deadline: float = 0.0) -> pl.DataFrame:
    """Run every transform call per series (H4b's ``apply_transform``); rows = union of outputs.

    The transforms run in Python, outside a Polars collect: the deadline is checked per series."""
    from ..functions.transforms import apply_transform

    if not plan.ascending:
        df = df.reverse()
    sch = {**schema, **dict(df.schema)}
    outs = []
    for call, (name, inner) in low.transforms.items():
        src = df.select(keys + ["time", value_expr(inner, sch).alias("\x00in")])
        args = tuple(_literal_value(a) for a in call.args[1:])
        frames = []
        for part in src.partition_by(keys, maintain_order=True):
            if deadline and _time.perf_counter() >= deadline:
                raise QueryError("query-timeout limit exceeded")
            t, v = apply_transform(call.name, part["time"].to_numpy(), part["\x00in"], args,
                                   interval=plan.interval, ascending=plan.ascending)
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
    out = outs[0]
    for o in outs[1:]:
        out = out.join(o, on=keys + ["time"], how="full", coalesce=True, maintain_order="left_right")
    rest = [c for c in df.columns if c not in out.columns and c not in ("\x00in",)]
    if rest:
        out = out.join(df.select(keys + ["time"] + rest).unique(keys + ["time"], keep="first",
                                                                maintain_order=True),
                       on=keys + ["time"], how="left")
    out = out.sort(keys + ["time"], maintain_order=True)
    return out.select(keys + ["time"] + [c for c in out.columns if c not in keys and c != "time"])
