"""Which of InfluxDB 3's plans EXPLAIN draws over this store, in the influxdb3 dialect.

The plan texts are the dialect's (``influxql/dialects/``: showplan3.py, selectplan3.py,
showscan3.py, scanplan3.py); this module reads what they need from the store: the tables
(their tags and fields), the WHERE clause split into time range and the rest, and where
the rows in that range live (``DataProvider.stored_pieces``: rows not yet persisted and
Parquet files, as IOx's chunks). None: not drawn (the caller prints this store's plan).
"""
from __future__ import annotations

import dataclasses
import time as _time

from ..base.errors import LimitExceeded, QueryError
from ..base.time import MAX_TIME, MIN_TIME
from ..influxql.ast import expr as A
from ..influxql.ast import meta as M
from ..influxql.ast import select as S
from ..influxql.ast.visit import find
from ..influxql.dialects import aggunion3, dropempty3, showplan3, subquery3, topstar3, unioncast3
from ..influxql.dialects.aggplan3 import aggregate_select
from ..influxql.dialects.distinct3 import distinct_select
from ..influxql.dialects.integral3 import integral_select
from ..influxql.dialects.nullagg3 import nulled_select
from ..influxql.dialects.rawexpr3 import EMPTY, expr_select
from ..influxql.dialects.scanplan3 import Chunk
from ..influxql.dialects.selectplan3 import (
    group_tags,
    raw_select,
    select_plan,
    tag_tests,
)
from ..influxql.dialects.selfields3 import selector_fields_select
from ..influxql.dialects.selfunion3 import over_self_union, self_union_plans
from ..influxql.dialects.showplan3 import MEMORY_TABLES, Plans, Table
from ..influxql.dialects.showscan3 import tag_values_plans
from ..influxql.dialects.showwhere3 import conjuncts, measurements_plans, tag_keys_plans
from ..influxql.dialects.unioncast3 import Source, kept
from ..influxql.dialects.unionplan3 import union_plans
from ..influxql.dialects.winfunc3 import window_function_select
from ..influxql.dialects.winselect3 import window_select
from .analyze.time_range import split_where

METADATA_CUTOFF_NS = 24 * 3600 * 10**9  # iox_query/src/config.rs influxql_metadata_cutoff
TEXT_BUDGET = 1 << 30  # the union's drawn text when no query_memory_bytes is set


@dataclasses.dataclass(frozen=True, slots=True)
class DrawLimits:
    """The store's query limits held by a union's drawing: v3 plans every table of ``FROM /re/``
    (a branch each, its initial plan nesting them: text quadratic in the tables), so EXPLAIN
    must not do what the SELECT may not. ``max_tables``: max_select_series (each table a
    branch, one series at least); ``memory_bytes``: query_memory_bytes, over the initial
    plan's text; ``deadline``: query_timeout_s's, as ``time.perf_counter()`` (0: none)."""

    max_tables: int = 0
    memory_bytes: int = 0
    deadline: float = 0.0

    @classmethod
    def of(cls, config, deadline: float) -> DrawLimits:
        """The limits of a store's ``config`` and a statement's ``deadline``."""
        return cls(config.max_select_series or 0, config.query_memory_bytes or 0, deadline)

    def check_tables(self, n: int) -> None:
        """max-select-series over the ``n`` tables holding rows in the range (as the SELECT counts
        series: a table matched but empty there is no series of it)."""
        if self.max_tables and n > self.max_tables:
            raise LimitExceeded(f"max-select-series limit exceeded: ({n}/{self.max_tables})")

    def check_time(self) -> None:
        """query-timeout, between two tables' plans."""
        if self.deadline and _time.perf_counter() >= self.deadline:
            raise QueryError("query-timeout limit exceeded")

    def check_text(self, plans: list[Plans]) -> None:
        """query-memory over the union's initial plan, estimated before it is built: each
        table's plan indented two spaces a level, table i of n at depth n - i (unionplan3's fold)."""
        n, budget = len(plans), self.memory_bytes or TEXT_BUDGET
        size = sum(len(p.initial) + 2 * (n - max(i, 1) + 1) * (p.initial.count("\n") + 1) for i, p in enumerate(plans))
        if size > budget:
            raise LimitExceeded(f"query-memory limit exceeded: ({size}/{budget} bytes): "
                                f"the plan of {n} tables")


def show_plans(stmt, provider, db: str, rp: str | None, now: int) -> Plans | None:
    """v3's plans of a SHOW over this database's tables (showplan3.py; a SHOW TAG VALUES:
    showscan3.py; a SHOW MEASUREMENTS with WHERE: showwhere3.py); None for other statements
    and for a WHERE clause not drawn."""
    if not isinstance(stmt, tuple(MEMORY_TABLES) + (M.ShowTagValuesStatement,)):
        return None
    cond, time_range = getattr(stmt, "condition", None), None
    if cond is not None:
        tr, cond = split_where(cond, now)
        time_range = (tr.start if tr.has_start else None, tr.end if tr.has_end else None)
    tables = [Table(m, tuple(sorted(schema.tags)), frozenset(schema.fields)) for m in sorted(provider.measurements(db, rp))
              if (schema := provider.schema(db, m)) is not None]
    plans = showplan3.show_plans(stmt, tables, now, METADATA_CUTOFF_NS, time_range, cond)
    limited = bool(getattr(stmt, "limit", 0) or getattr(stmt, "offset", 0))
    if plans is None or (limited and not isinstance(stmt, (M.ShowTagKeysStatement, M.ShowTagValuesStatement,
                                                           M.ShowMeasurementsStatement))):
        return plans
    limit = plans.initial.split("\n", 1)[0] if limited else None  # the SeriesLimit over the Sort
    lower, upper = time_range or (None, None)
    if lower is None and upper is None:
        lower = now - METADATA_CUTOFF_NS
    if isinstance(stmt, M.ShowMeasurementsStatement) and stmt.condition is not None:
        named = [t for t in tables if showplan3.with_measurement(t.name, stmt.source)]
        return measurements_plans(plans.initial, [(t.name, conjuncts(t, lower, upper, cond)) for t in named],
                                  stmt.offset, stmt.limit)
    if isinstance(stmt, M.ShowTagKeysStatement) and stmt.condition is not None:
        named = showplan3.from_tables(tables, stmt.sources)
        tests = tag_tests(cond, named[0]) if cond is not None and named else []
        drawn = tag_keys_plans(plans.initial, [(t, conjuncts(t, lower, upper, cond), _chunks(provider, db, rp, t.name,
                                                                                             lower, upper))
                                               for t in named], lower, upper, tests or [], limit)
        return drawn or plans
    if not isinstance(stmt, M.ShowTagValuesStatement):
        return plans
    pairs = [(t, k) for t in showplan3.from_tables(tables, stmt.sources)
             for k in showplan3.matching_keys(t.tags, stmt.op, stmt.tag_key_expr)]
    tests = {t.name: tag_tests(cond, t) if cond is not None else [] for t, _ in pairs}
    if not pairs or (lower is not None and upper is not None and lower > upper):
        return plans
    chunks = {t.name: _chunks(provider, db, rp, t.name, lower, upper) for t, _ in pairs}
    return tag_values_plans(plans.initial, [(t, k, tests[t.name], chunks[t.name]) for t, k in pairs], lower, upper,
                            limit)


# planner.rs select_query_to_plan over no table: an EmptyRelation, whose physical plan is EmptyExec, of one
# column ("let's at least have all the strictly necessary metadata": iox::measurement, a tag, not nullable;
# snapshot select__error_cases-3: ``EmptyRelation: rows=0 [iox::measurement:Dictionary(Int32, Utf8)]``)
NOTHING = Plans(EMPTY, physical="EmptyExec\n",
                schemas=(f"EmptyExec, schema=[{showplan3.MEASUREMENT}:{showplan3.DICT}]\n",) * 2)


def select_plans(stmt, provider, db: str, rp: str | None, now: int,
                 limits: DrawLimits = DrawLimits()) -> Plans | None:
    """v3's plans of a raw SELECT (selectplan3.py) over this store's table and the chunks
    holding its rows in the range, the planner's plan of an aggregate one (aggplan3.py) or
    of a lone percentile(), top() or bottom() (winselect3.py), of window functions (winfunc3.py),
    of integral() (integral3.py), of expressions (rawexpr3.py) and of DISTINCT (distinct3.py);
    over several tables, the union of those (unionplan3.py); None for other shapes; ``limits``:
    the store's, over a union (DrawLimits)."""
    if isinstance(stmt, S.SelectStatement) and (_no_table(stmt, provider, db, rp)
                                                or _every_table_dropped(stmt, provider, db, rp)):
        return NOTHING
    if isinstance(stmt, S.SelectStatement) \
            and (len(stmt.sources) > 1 or any(getattr(s, "regex", None) is not None for s in stmt.sources)):
        return _union(stmt, provider, db, rp, now, limits)
    if isinstance(stmt, S.SelectStatement) and len(stmt.sources) == 1 and isinstance(stmt.sources[0], A.SubQuery):
        return _subquery(stmt, provider, db, rp, now)
    if not isinstance(stmt, S.SelectStatement) or len(stmt.sources) != 1 \
            or not isinstance(stmt.sources[0], A.Measurement) or stmt.sources[0].name is None:
        return None
    name = stmt.sources[0].name
    schema = provider.schema(db, name) if name in provider.measurements(db, rp) else None
    table = Table(name, tuple(sorted(schema.tags)), frozenset(schema.fields)) if schema is not None else None
    lower, upper, rest = _bounds(stmt, now, with_rest=True)
    refs = raw_select(stmt, table, lower, upper, rest)
    if refs is None:
        tags = tag_tests(rest, table) if rest is not None and table is not None else []
        types = {f: t.value for f, t in schema.fields.items()} if schema is not None else {}
        # under tz() the range reads tz(time): neither IOx's pruning nor v3's ChunkFilter bounds time by it
        zoned = (None, None) if stmt.location is not None else (lower, upper)
        chunks = _chunks(provider, db, rp, name, *zoned) if table is not None else None
        found = expr_select(stmt, table, types, lower, upper, tags, rest) if table is not None else None
        if found is None and table is not None:
            found = distinct_select(stmt, table, now)
        stmt = _time_first(stmt)
        draw = lambda s: aggregate_select(s, table, types, lower, upper, tags, now, chunks)  # noqa: E731
        if found is None and table is not None:
            found = nulled_select(stmt, table, types, draw, lower) or selector_fields_select(stmt, table, types, draw)
        if found is None:
            found = aggregate_select(stmt, table, types, lower, upper, tags, now, chunks)
        if found is None and table is not None:
            found = window_select(stmt, table, types, lower, upper, tags, group_tags(stmt, table))
        if found is None and table is not None:
            found = window_function_select(stmt, table, types, lower, upper, tags, now, chunks)
        if found is None and table is not None:
            found = integral_select(stmt, table, types, lower, upper, tags, now)
        return found
    tags = tag_tests(rest, table) if rest is not None else []
    return select_plan(refs, table, lower, upper, tags, _chunks(provider, db, rp, name, lower, upper),
                       descending=not stmt.time_ascending, group=tuple(group_tags(stmt, table)),
                       offset=stmt.offset, limit=stmt.limit, types={f: t.value for f, t in schema.fields.items()},
                       zone=stmt.location)


def _no_table(stmt, provider, db: str, rp: str | None) -> bool:
    """Whether the FROM clause (measurements of this database) names no table in the catalog:
    planner.rs select_query_to_plan plans no table, its plan an EmptyRelation ("empty result, but
    let's at least have all the strictly necessary metadata"; planner tests
    select_raw__measurement_doesnt_exist), whose physical plan is DataFusion's EmptyExec."""
    if stmt.into is not None or not all(isinstance(s, A.Measurement) and s.database is None
                                        and s.retention_policy is None for s in stmt.sources):
        return False
    return not any(showplan3.with_measurement(m, s) for m in provider.measurements(db, rp) for s in stmt.sources)


def _every_table_dropped(stmt, provider, db: str, rp: str | None) -> bool:
    """Whether rewriter.rs from_drop_empty (dropempty3.py) drops every table the FROM clause
    names (none has a field the SELECT list reads: ``SELECT mean(tag) FROM m``), leaving the
    planner no table: the EmptyRelation of _no_table (planner test select__error_cases-3)."""
    if stmt.into is not None or not all(isinstance(s, A.Measurement) and s.database is None
                                        and s.retention_policy is None for s in stmt.sources):
        return False

    def schema_of(source):
        schemas = [s for s in (provider.schema(db, m) for m in provider.measurements(db, rp)
                               if showplan3.with_measurement(m, source)) if s is not None]
        return topstar3.merged_types(s.fields for s in schemas), {t for s in schemas for t in s.tags}
    return not dropempty3.drop_empty(stmt, schema_of).sources


def _union(stmt, provider, db: str, rp: str | None, now: int, limits: DrawLimits) -> Plans | None:
    """unionplan3.py's plans of the statement over the tables its FROM clause names (each
    table's plan drawn, the fields it reads of one type in every table, no tag read, no
    wildcard); a lone table's when the FROM clause names only one in the catalog. None when
    a table is named by two sources (``FROM cpu, cpu``): planner.rs union_from plans each
    source naming the table and unions them under one projection (planner tests
    from_zero_to_many-4, multiple_data_sources-2), a shape not drawn."""
    if not all(isinstance(s, A.Measurement) and s.database is None and s.retention_policy is None
               for s in stmt.sources) or stmt.into is not None:
        return None
    names = sorted(m for m in provider.measurements(db, rp)
                   if any(showplan3.with_measurement(m, s) for s in stmt.sources))
    if any(sum(showplan3.with_measurement(m, s) for s in stmt.sources) > 1 for m in names):
        if len(names) != 1 or any(s.regex is not None for s in stmt.sources):
            return None  # (a table named twice beside others: not drawn)
        schema = provider.schema(db, names[0])
        table = Table(names[0], tuple(sorted(schema.tags)), frozenset(schema.fields)) if schema is not None else None
        if table is None:
            return None
        lone = select_plans(dataclasses.replace(stmt, sources=stmt.sources[:1]), provider, db, rp, now)
        return self_union_plans(stmt, table) or (  # union_from's Union of its scans, an aggregate over it
            over_self_union(stmt, table, lone) if isinstance(lone, Plans) and "Aggregate: " in lone.initial else None)
    if len(names) == 1:  # the others not in the catalog: the lone table's plan (rewriter.rs drops them)
        return select_plans(dataclasses.replace(stmt, sources=(A.Measurement(name=names[0]),)), provider, db, rp, now)
    parts = [*stmt.fields, *stmt.dimensions, *([stmt.condition] if stmt.condition is not None else [])]
    if len(names) < 2 or any(True for p in parts for _ in find(p, (A.Wildcard, A.RegexLiteral))) \
            or any(not isinstance(d.expr, A.Call) for d in stmt.dimensions):  # GROUP BY time() alone
        return _cast_union(stmt, provider, db, rp, now, names, limits) if len(names) > 1 else None
    read = {r.name for p in parts for r in find(p, A.VarRef)} - {"time"}
    plans, types = [], set()
    lower, upper = _bounds(stmt, now)
    limits.check_tables(sum(1 for name in names if _chunks(provider, db, rp, name, lower, upper) != ()))
    for name in names:
        limits.check_time()
        schema = provider.schema(db, name)
        if schema is None or not read <= set(schema.fields) or read & set(schema.tags):
            return _mean_union(stmt, provider, db, rp, now, names, limits) \
                or _cast_union(stmt, provider, db, rp, now, names, limits)
        types.add(tuple(schema.fields[f] for f in sorted(read)))
        plan = select_plans(dataclasses.replace(stmt, sources=(A.Measurement(name=name),)), provider, db, rp, now)
        if not isinstance(plan, Plans):
            return None
        plans.append(plan)
    if len(types) != 1:
        return None
    limits.check_text(plans)
    return union_plans(plans)


def _mean_union(stmt, provider, db: str, rp: str | None, now: int, names: list[str],
                limits: DrawLimits) -> Plans | None:
    """aggunion3.py's plans of means over tables some of whose fields are missing."""
    tables = []
    for name in names:
        schema = provider.schema(db, name)
        if schema is None:
            return None
        tables.append((Table(name, tuple(sorted(schema.tags)), frozenset(schema.fields)),
                       {f: t.value for f, t in schema.fields.items()}))
    branches = aggunion3.missing_mean_branches(stmt, tables, lambda s, t: select_plans(
        dataclasses.replace(s, sources=(A.Measurement(name=t.name),)), provider, db, rp, now))
    if branches is None:
        return None
    limits.check_text(branches)
    return union_plans(branches)


def _cast_union(stmt, provider, db: str, rp: str | None, now: int, names: list[str],
                limits: DrawLimits) -> Plans | None:
    """unioncast3.py's plans of a raw SELECT over tables whose columns differ (a column one lacks,
    a tag): the tables from_drop_empty keeps, a lone one's plan when one is left."""
    sources = []
    for name in names:
        schema = provider.schema(db, name)
        if schema is None:
            return None
        sources.append(Source(Table(name, tuple(sorted(schema.tags)), frozenset(schema.fields)),
                              {f: t.value for f, t in schema.fields.items()}))
    sources = kept(stmt, sources)
    if len(sources) < 2:
        return None if not sources else select_plans(
            dataclasses.replace(stmt, sources=(A.Measurement(name=sources[0].table.name),)), provider, db, rp, now)
    lower, upper, rest = _bounds(stmt, now, with_rest=True)
    limits.check_tables(sum(1 for s in sources if _chunks(provider, db, rp, s.table.name, lower, upper) != ()))
    plans = unioncast3.branches(stmt, sources, lower, upper, rest)
    if plans is None:
        return None
    limits.check_text(plans)
    return union_plans(plans)


def _subquery(stmt, provider, db: str, rp: str | None, now: int) -> Plans | None:
    """subquery3.py's plans of a raw SELECT over one subquery of one measurement of the catalog."""
    inner = stmt.sources[0].statement
    source = inner.sources[0] if len(inner.sources) == 1 else None
    if not isinstance(source, A.Measurement) or source.database is not None or source.retention_policy is not None \
            or source.name not in provider.measurements(db, rp) or inner.location is not None:
        return None
    schema = provider.schema(db, source.name)
    plans = select_plans(subquery3.inner_statement(inner), provider, db, rp, now) if schema is not None else None
    if not isinstance(plans, Plans):
        return None
    table = Table(source.name, tuple(sorted(schema.tags)), frozenset(schema.fields))
    return subquery3.subquery_plans(stmt, inner, plans, table, {f: t.value for f, t in schema.fields.items()})


def _time_first(stmt):
    """An aggregate SELECT's list without a ``time`` written in it, as the planner gets it either
    way: the rewriter's field checks pass it over (rewriter.rs check_fields: ``Expr::VarRef(VarRef
    { name, .. }) if name.deref() == "time" => Ok(())``) and field_list_normalize_time moves it
    first, where it puts one when none is written (planner test select__functions__issue_15698:
    ``SELECT time, LAST(usage_idle) ...`` planned as without it)."""
    fields = tuple(f for f in stmt.fields if not (f.alias in (None, "time") and f.expr == _TIME))
    return stmt if len(fields) in (0, len(stmt.fields)) else dataclasses.replace(stmt, fields=fields)


_TIME = A.VarRef("time")


def _bounds(stmt, now: int, with_rest: bool = False):
    """The WHERE's time bounds (None where open) and, ``with_rest``, the rest of it."""
    lower = upper = rest = None
    if stmt.condition is not None:
        tr, rest = split_where(stmt.condition, now)
        lower, upper = (tr.start if tr.has_start else None), (tr.end if tr.has_end else None)
    return (lower, upper, rest) if with_rest else (lower, upper)


def _chunks(provider, db: str, rp: str | None, name: str, lower: int | None,
            upper: int | None) -> tuple[Chunk, ...] | None:
    """The table's rows in the range as IOx's chunks (this store's files hold no duplicates,
    as v3's compacted ones); None when the provider cannot tell."""
    pieces = provider.stored_pieces(db, rp, name, MIN_TIME if lower is None else lower,
                                    MAX_TIME if upper is None else upper)
    if pieces is None:
        return None
    return tuple(Chunk(path, tmin, tmax, window, duplicates=not path, columns=frozenset(columns))
                 for window, path, tmin, tmax, columns in pieces)
