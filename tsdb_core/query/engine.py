"""The query pipeline: parse → plan (an operator tree) → execute → result.

    res = execute(provider, "SELECT mean(v) FROM cpu GROUP BY time(1m)", db="mydb")
    res.to_json()

Errors never escape: a parse error is the request's ``error`` (InfluxDB's
``error parsing query: ...``), a statement error is that statement's
``error``, and the statements after a failed one are ``not executed`` as in
InfluxDB 1.x. Bugs become ``internal error: ...``.
"""
from __future__ import annotations

import logging
import time as _time
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..base.errors import Panicked, ParseError, TsdbError
from ..influxql import ast, parse
from ..influxql.ast.visit import find
from ..influxql.dialect import Dialect
from ..influxql.parser.templates import literal_sites, origin
from ..influxql.parser.driver import refuse_number_overflow
from .exec import fast as fastpath
from .plan import limits
from .meta import dispatch as metadata
from .plan.nodes import FastSelect, SelectPlan, SubqueryScan, output_column, tag_name
from .plan.nodes import MEASUREMENT_COLUMN as NAME
from .plan.nodes import ROW_COLUMN as ROW
from .plan.planner import influxd_text, plan_select
from .results import (BLOCK_ROWS, FRAME_ROWS, FRAME_SERIES_ROWS, PARTIAL_ROWS, QueryResult, Series,
                      SeriesBlock, StatementResult, frame_rows, rfc3339_times, time_expr)
from .exec.aux_fill import inner_cells, mixed_cells, patch_rows
from .exec.cast_trace import CastFailure, first_failure
from .exec.integral_v1 import FLUSH_COLUMN, emission_order
from .exec.run_transforms import SERIES_RUN_COLUMN
from .exec.lazy import Ctx, run_frame
from .analyze.now_use import mentions_now
from .analyze.time_literals import check_time_literals, passes_like

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreparedQuery:
    """InfluxQL parsed once: callers authorise ``statements`` and then execute them unparsed."""

    text: str
    statements: tuple[ast.Statement, ...]


def prepare(text: str, params: dict | None = None, *, finite_numbers: bool = True) -> PreparedQuery:
    """Parse ``text`` with ``$name`` parameters bound; raises ParseError (with its position).

    An unbound ``$x`` and nesting past the depth limit are errors here, before any work;
    so is a float literal past float64's range unless ``finite_numbers=False`` (v3 reads
    it as infinity).
    """
    params = params if params is not None else {}
    statements = tuple(parse(text, params, limit_depth=True))
    if finite_numbers:
        refuse_number_overflow(text, params)
    return PreparedQuery(text, statements)


def execute(provider, query: str | PreparedQuery, *, db: str | None = None, rp: str | None = None,
            epoch: str | None = None, params: dict | None = None, now: int | None = None,
            config=None, fast: bool = True) -> QueryResult:
    """Run InfluxQL against ``provider``: each statement in turn; errors become per-statement results.

    ``fast=False`` runs every SELECT with the general executor, even where the planner
    chose the fast one (both answer the same; tests compare them)."""
    t0 = _time.perf_counter()
    try:
        prepared = query if isinstance(query, PreparedQuery) else prepare(query, params)
    except ParseError as e:
        return QueryResult(error=f"error parsing query: {e}")
    except TsdbError as e:
        return QueryResult(error=str(e))
    statements = prepared.statements
    now = provider.now() if now is None else now
    config = config if config is not None else provider.config
    timeout = config.query_timeout_s or 0
    if log.isEnabledFor(logging.DEBUG):
        log.debug("parse %.1f ms", (_time.perf_counter() - t0) * 1e3)
    results: list[StatementResult] = []
    failed = False
    for i, stmt in enumerate(statements):
        if failed:
            results.append(StatementResult(i, error="not executed"))
            continue
        try:
            _check_literals(stmt, now)  # 1.x's range of time literals (not InfluxDB 3's)
        except TsdbError as e:
            results.append(StatementResult(i, error=str(e)))
            failed = True
            continue
        res = run_statement(i, stmt, provider, db=db, rp=rp, epoch=epoch, now=now, config=config,
                            deadline=t0 + timeout if timeout else 0.0, fast=fast)
        if timeout and _time.perf_counter() - t0 > timeout:
            # Polars work is cancelled at the deadline (exec.lazy.collect); what runs outside
            # a collect (formatting rows) is only checked here: its answer is dropped
            res = StatementResult(i, error="query-timeout limit exceeded")
        failed = res.error is not None
        results.append(res)
        if res.statement_id == Panicked.statement_id:  # influxd recovered from a panic: the query
            if len(statements) > 1:  # ends there, its answer printing the whole query
                texts = [influxd_text(s, provider, db, rp, j <= i) for j, s in enumerate(statements)]
                res = StatementResult(res.statement_id, error=";\n".join(texts) + " [panic:" +
                                      res.error.rsplit(" [panic:", 1)[1])
                results[-1] = res
            break
    if log.isEnabledFor(logging.DEBUG):
        log.debug("execute %.1f ms", (_time.perf_counter() - t0) * 1e3)
    return QueryResult(results)


def run_statement(i: int, stmt, provider, *, db, rp, epoch, now, config, deadline: float = 0.0,
                  fast: bool = True, dialect: Dialect = Dialect.INFLUXDB1) -> StatementResult:
    """Execute one parsed statement and return its StatementResult (errors included, never raised).
    ``dialect``: whose InfluxQL it runs as (the plan carries it: SelectPlan.emulates_influxd)."""
    try:
        if isinstance(stmt, ast.SelectStatement):
            return select(i, stmt, provider, db=db, rp=rp, epoch=epoch, now=now, config=config,
                          deadline=deadline, fast=fast, dialect=dialect)
        if isinstance(stmt, ast.ExplainStatement):
            plan = plan_select(stmt.statement, provider, db=db, rp=rp, now=now, dialect=dialect)
            rows = [[line] for line in plan.explain().splitlines()]
            return StatementResult(i, [Series("", None, ["QUERY PLAN"], rows)])
        return metadata.execute_meta(provider, stmt, statement_id=i, db=db, rp=rp, now=now,
                                     epoch=epoch)
    except Panicked as e:
        return StatementResult(e.statement_id, error=str(e))
    except TsdbError as e:
        return StatementResult(i, error=str(e))
    except Exception as e:  # noqa: BLE001 - a bug must not take the whole request down
        log.exception("internal error in statement %d", i)
        # a damaged Parquet file found by this read is moved aside (storage/recovery.py)
        moved = provider.after_read_error(e)
        note = f" (damaged file moved to quarantine: {', '.join(moved)})" if moved else ""
        return StatementResult(i, error=f"internal error: {type(e).__name__}: {e}{note}")


_PASSED_MAX = 2048
_passed: dict[int, ast.Statement] = {}  # id -> the statement itself (held: the id stays its own)


def _check_literals(stmt, now: int) -> None:
    """:func:`check_time_literals`, once per statement object when the statement has no
    ``now()``: its literals then read the same at every instant, and the parse cache hands
    the same object back for the same text (dashboards repeat theirs)."""
    if _passed.get(id(stmt)) is stmt:
        return
    src = origin(stmt)  # built from a template: the check passed its first text?
    sites = literal_sites(stmt) if src is not None and _passed.get(id(src)) is src else None
    if sites is None or not passes_like(stmt, src, sites):
        check_time_literals(stmt, now)
    if not mentions_now(stmt):
        if len(_passed) >= _PASSED_MAX:
            _passed.clear()
            if sites is not None:  # (still passed: its texts keep their shortcut)
                _passed[id(src)] = src
        _passed[id(stmt)] = stmt


def _ctx(provider, now, config, deadline: float = 0.0) -> Ctx:
    return Ctx(provider, now, deadline=deadline, max_points=config.max_select_point or 0,
               max_series=config.max_select_series or 0, max_buckets=config.max_select_buckets or 0)


def select(i: int, stmt: ast.SelectStatement, provider, *, db, rp, epoch, now, config,
           deadline: float = 0.0, fast: bool = True, dialect: Dialect = Dialect.INFLUXDB1) -> StatementResult:
    """Plan and run one SELECT statement: plan → the executor its tree chose → series."""
    cache = provider.plan_cache
    if cache is not None:
        plan = cache.plan(plan_select, stmt, provider, db=db, rp=rp, now=now, dialect=dialect)
    else:
        plan = plan_select(stmt, provider, db=db, rp=rp, now=now, dialect=dialect)

    def new_ctx() -> Ctx:
        return _ctx(provider, now, config, deadline)
    memory = config.query_memory_bytes or 0
    max_buckets = config.max_select_buckets or 0  # (as _ctx reads it: the fast path builds no Ctx)
    limits.check_grid(plan, provider, max_buckets, config.max_select_windows or 0, memory)
    limits.check_raw(plan, provider, memory)
    # the fast executor counts no points: max-select-point needs the general one
    if fast and isinstance(plan.root, FastSelect) and not config.max_select_point:
        series = fastpath.select(plan, provider, plan.root.tag_filter(), epoch, max_buckets)
        if series is not None:
            return StatementResult(i, series)
    ctx = new_ctx()
    if ctx.deadline:
        ctx.cancellable = limits.may_outlast(plan, provider, (ctx.deadline - _time.perf_counter()) / 2)
    try:
        frame = run_frame(plan, ctx)
    except CastFailure as e:  # name the value v3's scan order meets first, not Polars' first
        raise first_failure(lambda: run_frame(plan, new_ctx()), e) from None
    if plan.into is not None:  # influxd writes no NaN (a point of only NaN fields is no point)
        n = write_into(provider, plan, _nans_as_nulls(plan, frame), db=db, rp=rp)
        return StatementResult(i, [Series("result", None, ["time", "written"],
                                          [[_zero_time(epoch), n]])])
    return StatementResult(i, to_series(plan, frame, epoch, ctx))


def _calls_stddev(plan: SelectPlan) -> bool:
    """Whether the statement or a subquery of it calls stddev() (the only source of NaN in an
    answer: exec/lazy.py _one_point_nans); looked for in the plan, not in the rows."""
    return any(c.name == "stddev" for col in plan.columns for c in find(col.expr, ast.Call)) \
        or any(isinstance(src, SubqueryScan) and _calls_stddev(src.plan) for src in plan.sources)


def _nans_as_nulls(plan: SelectPlan, frame: pl.DataFrame | None) -> pl.DataFrame | None:
    """The statement's output columns with influxd's NaN (exec/lazy.py _one_point_nans) as null."""
    if frame is None or not (plan.emulates_influxd and _calls_stddev(plan)):
        return frame
    cols = [output_column(i) for i in range(len(plan.columns))]
    return frame.with_columns(pl.col(c).fill_nan(None) for c in cols if frame.schema.get(c) == pl.Float64)


def _zero_time(epoch):
    return 0 if epoch else "1970-01-01T00:00:00Z"


def to_series(plan: SelectPlan, frame: pl.DataFrame | None, epoch: str | None, ctx: Ctx) -> list[Series]:
    """Split the statement's rows into InfluxDB series, formatting times in one pass."""
    if frame is None or frame.height == 0:
        return []
    keys = [NAME, *plan.dimensions]
    cols = [output_column(i) for i in range(len(plan.columns))]
    names = [plan.time_column] + [c.name for c in plan.columns]
    frame = _nans_as_nulls(plan, frame)  # influxd's NaN of one point shows as null, in every format
    rows_frame = _rows_frame(frame, cols, epoch, plan.tz)
    # fill(<number>) into text cells (the statement's; a subquery's win): built as rows
    mixed = {**mixed_cells(plan, frame), **inner_cells(plan, frame, ctx.text_fills)}
    if FLUSH_COLUMN in frame.columns:  # integral()'s closing windows, emitted after the others
        runs, order = emission_order(frame, keys)
        return _run_series(plan, rows_frame[order], runs, names, ctx, mixed)
    if SERIES_RUN_COLUMN in frame.columns:  # a subquery's stream coming back to a series: a series again
        return _run_series(plan, rows_frame, _runs(frame, keys), names, ctx, mixed)  # (the runs left by LIMIT)
    if not plan.dimensions and frame[NAME].n_unique() == 1:  # one series: no grouping needed
        partial = frame.height > PARTIAL_ROWS
        if frame.height >= FRAME_ROWS and not mixed:
            return [Series(frame[NAME][0], None, names, frame=rows_frame, partial=partial)]
        return [Series(frame[NAME][0], None, names, patch_rows(frame_rows(rows_frame), mixed),
                       partial=partial)]
    if frame.height < FRAME_ROWS:
        runs = _contiguous_series(frame, keys)
        if runs is not None:
            return _run_series(plan, rows_frame, runs, names, ctx, mixed)
    out: list[Series] = []
    # one conversion to Python rows, then the rows handed out by series (first-seen order,
    # as partition_by(maintain_order=True)): cheaper than a partition per series
    groups = frame.select(keys).with_row_index(ROW).group_by(keys, maintain_order=True).agg(
        pl.col(ROW))
    _check_series(groups.height, ctx)
    if frame.height >= FRAME_ROWS and frame.height >= FRAME_SERIES_ROWS * groups.height and not mixed:
        return _frame_series(plan, rows_frame, groups, names)
    all_rows = patch_rows(frame_rows(rows_frame), mixed)
    contiguous = groups.height == 1
    for g in groups.iter_rows(named=True):
        idx = g[ROW]
        if contiguous:
            rows = all_rows
        elif idx[-1] - idx[0] == len(idx) - 1:
            rows = all_rows[idx[0]:idx[-1] + 1]
        else:
            rows = [all_rows[i] for i in idx]
        tags = {tag_name(d): g[d] for d in plan.dimensions} if plan.dimensions else None
        # influxd emits rows in chunks of 10,000 and the merged series keeps the first
        # chunk's partial flag: a series of more than 10,000 rows says "partial": true
        out.append(Series(g[NAME], tags, names, rows, partial=len(rows) > PARTIAL_ROWS))
    return out




SHARED_TIMES = 4  # rows per distinct time from which each distinct time is formatted once


def _rows_frame(frame: pl.DataFrame, cols: list[str], epoch: str | None, tz: str | None) -> pl.DataFrame:
    """The time column as the answer writes it, then ``cols``. The windows of a GROUP BY answer
    repeat in every series: each distinct time is formatted once (``rfc3339_times``), then
    gathered, with no query plan to build."""
    times = frame.get_column("time")
    if epoch or tz or times.dtype != pl.Int64 or times.null_count() or frame.height < 2 * SHARED_TIMES:
        return frame.select(time_expr("time", epoch, tz).alias("time"), *cols)
    distinct, at = np.unique(times.to_numpy(), return_inverse=True)
    if distinct.size * SHARED_TIMES > frame.height:
        return frame.select(time_expr("time", epoch, tz).alias("time"), *cols)
    text = pl.Series("time", rfc3339_times(distinct), pl.String).gather(at.astype(np.int64))
    return pl.DataFrame([text, *(frame.get_column(c) for c in cols)])


def _check_series(n: int, ctx: Ctx) -> None:
    """1.x's max-select-series limit on an answer of ``n`` series."""
    if ctx.max_series and n > ctx.max_series:
        from ..base.errors import LimitExceeded
        raise LimitExceeded(f"max-select-series limit exceeded: ({n}/{ctx.max_series})")


def _contiguous_series(frame: pl.DataFrame, keys: list[str]) -> list[tuple[tuple, int]] | None:
    """(key values, row count) of each series in row order when each series' rows are one
    run (an aggregate's rows come sorted by series); None when a series comes back later."""
    runs = _runs(frame, keys)
    return runs if len({key for key, _ in runs}) == len(runs) else None


def _runs(frame: pl.DataFrame, keys: list[str]) -> list[tuple[tuple, int]]:
    """``itertools.groupby``'s runs of the rows' keys, found by comparing each row with the
    one before, column by column (``ne_missing``: a null equals a null, any dtype): no
    Python value a row."""
    n, cols = frame.height, [frame.get_column(k) for k in keys]
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    for c in cols:
        after, before = c.slice(1), c.slice(0, max(n - 1, 0))
        # ne_missing only where needed: it costs some 20 µs a column more than ``!=``
        change[1:] |= (after.ne_missing(before) if c.null_count() else after != before).to_numpy()
    first = pl.Series(change)  # (a filter: cheaper than a gather of strings)
    lengths = np.diff(np.flatnonzero(change), append=n).tolist()
    return list(zip(zip(*(c.filter(first).to_list() for c in cols)), lengths))


def _run_series(plan: SelectPlan, rows_frame: pl.DataFrame, runs: list[tuple[tuple, int]], names: list[str],
                ctx: Ctx, mixed: dict[int, object]) -> list[Series]:
    """:func:`to_series` of a small answer whose series are runs of rows (:func:`_contiguous_series`)."""
    _check_series(len(runs), ctx)
    # many rows in all: one block the encoders may write in one pass (rows built if read)
    block = SeriesBlock(rows_frame) if rows_frame.height >= BLOCK_ROWS and not mixed else None
    all_rows = None if block is not None else patch_rows(frame_rows(rows_frame), mixed)
    dims = [(tag_name(d), i) for i, d in enumerate(plan.dimensions, 1)]
    out: list[Series] = []
    start = 0
    for key, n in runs:
        tags = {name: key[i] for name, i in dims} if dims else None
        if block is not None:
            out.append(Series(key[0], tags, names, partial=n > PARTIAL_ROWS, span=(block, start, n)))
        else:
            rows = all_rows if n == len(all_rows) else all_rows[start:start + n]
            out.append(Series(key[0], tags, names, rows, partial=n > PARTIAL_ROWS))
        start += n
    return out


def _frame_series(plan: SelectPlan, rows_frame: pl.DataFrame, groups: pl.DataFrame,
                  names: list[str]) -> list[Series]:
    """:func:`to_series` of a large answer: each series keeps its rows as a frame (a slice
    when they are contiguous), Python rows are built only if someone reads ``values``."""
    out: list[Series] = []
    for g in groups.iter_rows(named=True):
        idx = g[ROW]
        if groups.height == 1:
            part = rows_frame
        elif idx[-1] - idx[0] == len(idx) - 1:
            part = rows_frame.slice(idx[0], len(idx))
        else:
            part = rows_frame[idx]
        tags = {tag_name(d): g[d] for d in plan.dimensions} if plan.dimensions else None
        out.append(Series(g[NAME], tags, names, frame=part, partial=len(idx) > PARTIAL_ROWS))
    return out


def write_into(provider, plan: SelectPlan, frame: pl.DataFrame | None, *, db, rp) -> int:
    """SELECT ... INTO: write the rows as points (GROUP BY tags stay tags); returns points written."""
    from ..base.errors import DatabaseNotFound
    from ..base.types import FieldType, field_column

    if frame is None or frame.height == 0:
        return 0
    target = plan.into.measurement
    tdb = target.database or db
    if not tdb or not provider.has_database(tdb):
        raise DatabaseNotFound(tdb or "")
    trp = target.retention_policy or None
    dims = [d for d in plan.dimensions if d == tag_name(d)]  # no empty tags written
    written = 0
    for part in frame.partition_by(NAME, maintain_order=True):
        name = target.name or part[NAME][0]
        # a name given twice (AS "a", ... AS "a"): the last column wins, as in influxd; a
        # name also a GROUP BY tag is written as both, the field in its own column (1.x)
        last = {c.name: i for i, c in enumerate(plan.columns)}
        values = [pl.col(output_column(i)).alias(field_column(n, dims)) for n, i in last.items()]
        out = part.select(["time", *[pl.when(pl.col(d) != "").then(pl.col(d)).alias(d) for d in dims],
                           *values])
        fields = {c: FieldType.from_polars(out.schema[c]) for c in (field_column(n, dims) for n in last)
                  if out.schema[c] != pl.Null}
        out = out.select(["time", *dims, *fields]).filter(
            pl.any_horizontal([pl.col(f).is_not_null() for f in fields]))
        if out.height:
            written += provider.write_frame(tdb, trp, name, out, tuple(dims), fields)
    return written
