"""Running InfluxQL in the ``influxdb3`` dialect: v3's refusals, then the 1.x engine, then v3's shapes.

The rules (what v3 refuses and its words) are ``influxql/dialects/influxdb3.py``; this module
applies them around the one query engine (``engine.py``), so planner and executors stay
dialect-free but for what the dialect flag tells them (generated column names and integer
rules in the planner, the plan's ``dialect`` for the executor). What differs from
``engine.execute``:

- a statement v3's parser refuses fails the whole request as one statement error;
- ``params`` with a list or object value fail the request (v3 cannot decode them);
- each statement runs whatever the others did (v3 runs them side by side);
- the database is ``db`` or ``db/rp`` (v3's DBRP naming), required, and must exist;
- SHOW RETENTION POLICIES answers v3's placeholder policy;
- SHOW TAG VALUES, and SHOW TAG KEYS / MEASUREMENTS with a WHERE clause, read the last 24 h
  when the WHERE clause has no time bound;
- times are RFC 3339 with 0, 3, 6 or 9 fractional digits (chrono's ``AutoSi``).
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import time as _time

import polars as pl

from ..base import regex as linear_regex
from ..base.errors import DatabaseNotFound, ParseError, RetentionPolicyNotFound, TsdbError
from ..base.time import MAX_TIME
from ..influxql.ast import expr as A
from ..influxql.ast import meta as M
from ..influxql.ast import select as S
from ..influxql.ast.visit import find, transform
from ..influxql.dialect import Dialect
from ..influxql.dialects import dropempty3, explain3, operands3, params3, timerange3, topstar3, wildcards3
from ..influxql.dialects import influxdb3 as rules
from ..influxql.dialects.showplan3 import Plans
from ..influxql.dialects.statements import char_offset
from . import engine, v3plans
from .analyze.time_range import split_where
from .meta.window import SeriesInWindow
from .results import QueryResult, Series, StatementResult

METADATA_CUTOFF_NS = v3plans.METADATA_CUTOFF_NS


def prepare(text: str, params: dict | None = None) -> engine.PreparedQuery:
    """Parse as v3 would: raises ParseError worded as v3's (``error in InfluxQL statement: ...``)."""
    if params:
        undecodable = params3.value_error(params)
        if undecodable is not None:
            raise params3.UndecodableParams(undecodable)  # the whole request, before any parsing
    refused = rules.parse_error(text)
    if refused is not None:
        raise ParseError(refused)
    unbound: list[str | None] = []
    if params or "$" in text:
        params, unbound = params3.bind(text, params)
    text_1x, verbose, explained = rules.explain_words(text)
    text_1x, on_rp = rules.measurements_on(text_1x)
    text_1x = rules.order_by_time(text_1x)
    try:
        prepared = engine.prepare(text_1x, params, finite_numbers=False)
    except ParseError as e:
        pos = char_offset(text, e.line, e.column)
        raise ParseError(rules.our_parse_error(text, e.message, pos), e.line, e.column, pos) from None
    for stmt in prepared.statements:
        refused = rules.rewrite_error(stmt)
        if refused is not None:
            raise ParseError(refused)
    if not (any(unbound) and len(unbound) == len(prepared.statements)):
        unbound = []
    if "measurement" in text.lower() and _WITH_MEASUREMENT.search(text):
        unbound = _with_measurement_errors(text, prepared.statements, unbound)
    if unbound or verbose or explained or on_rp:
        return BoundQuery(prepared.text, prepared.statements, tuple(unbound), verbose, explained, on_rp)
    return prepared


_WITH_MEASUREMENT = re.compile(r"\bwith\s+measurement\b", re.IGNORECASE)


def _with_measurement_errors(text: str, statements, unbound: list) -> list:
    """The statement errors v3's planner gives SHOW MEASUREMENTS for its WITH MEASUREMENT
    operator, which only the text keeps, added to those of bound parameters."""
    found = [rules.with_measurement_error(p, s) for p, s in zip(rules.pieces(text), statements)]
    if not any(found) or len(found) != len(statements):
        return unbound
    return [u or f for u, f in zip(unbound or [None] * len(found), found)]


@dataclasses.dataclass(frozen=True, slots=True)
class BoundQuery(engine.PreparedQuery):
    """A prepared query with what the 1.x grammar cannot carry: statements v3 refuses for
    their bound parameters (``unbound[i]``: statement i's error, or None), the EXPLAIN
    statements written VERBOSE (their indexes) and the EXPLAINs of statements other than
    SELECT, which the 1.x grammar has not (index → ANALYZE, VERBOSE; the statement is the
    explained one); the SHOW MEASUREMENTS ON db.rp statements (index, rp: the statement
    holds ON db)."""

    unbound: tuple[str | None, ...] = ()
    verbose: frozenset[int] = frozenset()
    explained: tuple[tuple[int, bool, bool], ...] = ()
    on_rp: tuple[tuple[int, str], ...] = ()


def execute(provider, query, *, db: str | None = None, rp: str | None = None, epoch: str | None = None,
            params: dict | None = None, now: int | None = None, config=None) -> QueryResult:
    """Run InfluxQL as InfluxDB 3 does; errors become statement results, never raised."""
    t0 = _time.perf_counter()
    try:
        prepared = query if isinstance(query, engine.PreparedQuery) else prepare(query, params)
    except ParseError as e:
        return QueryResult([StatementResult(0, error=e.message)])
    except params3.UndecodableParams as e:
        return QueryResult(error=str(e))
    now = provider.now() if now is None else now
    config = config if config is not None else provider.config
    deadline = t0 + config.query_timeout_s if config.query_timeout_s else 0.0
    name = rules.database_name(db, rp)
    unbound = getattr(prepared, "unbound", ())
    verbose = getattr(prepared, "verbose", frozenset())
    explained = dict(getattr(prepared, "explained", ()))
    statements = [(stmt, name) for stmt in prepared.statements]
    for i, rp_on in getattr(prepared, "on_rp", ()):  # ON db.rp names the database db/rp (resolve_dbrp)
        stmt = statements[i][0]
        statements[i] = dataclasses.replace(stmt, database=None), rules.database_name(stmt.database, rp_on)
    results = [StatementResult(i, error=unbound[i]) if unbound and unbound[i] else
               _statement(i, stmt, provider, target, epoch, now, config, deadline, i in verbose, explained.get(i))
               for i, (stmt, target) in enumerate(statements)]
    for res, (stmt, _) in zip(results, statements):
        nulls_last(res, descending=isinstance(stmt, S.SelectStatement) and not stmt.time_ascending)
        if epoch is None:
            v3_times(res)
    return QueryResult(results)


def _statement(i, stmt, provider, name, epoch, now, config, deadline, verbose=False,
               explained=None) -> StatementResult:
    target = rules.query_database(stmt) or name
    refused = _operand_error(stmt, provider, target) or rules.statement_error(stmt, now, planned=False)
    if refused is not None and not isinstance(stmt, M.ShowDatabasesStatement):
        return StatementResult(i, error=refused)
    if target is None:
        return StatementResult(i, error=rules.NO_DATABASE)
    if refused is not None:
        return StatementResult(i, error=refused)
    stmt = _fold_time_calls(stmt, now)
    if rules.query_database(stmt) is None:
        stmt = _without_policies(stmt)
    try:
        db, rp = _resolve(provider, target)
    except DatabaseNotFound:
        return StatementResult(i, error=f"Database {target} not found")  # iox_v1_query_api error.rs
    expanded = _expand_top_wildcards(stmt, provider, db, rp)
    refused = rules.statement_error(expanded, now, planned=False) if expanded is not stmt else None
    if refused is not None:
        return StatementResult(i, error=refused)
    expanded = _drop_empty(i, expanded, provider, db, rp, verbose if explained is None else None)
    if isinstance(expanded, StatementResult):
        return expanded
    refused = rules.planner_error(expanded) if isinstance(expanded, S.SelectStatement) else None
    if refused is not None:
        return StatementResult(i, error=refused)
    stmt = expanded
    run = functools.partial(_run, provider=provider, db=db, rp=rp, epoch=epoch, now=now,
                            config=config, deadline=deadline)
    if explained is not None:
        ours = f"IndexScan: {target} [{stmt}]"
        plans = v3plans.show_plans(stmt, provider, db, rp, now)
        if isinstance(stmt, S.ExplainStatement) and not stmt.analyze:  # EXPLAIN ... EXPLAIN SELECT
            plans = _drawn(i, stmt.statement, provider, db, rp, now, v3plans.DrawLimits.of(config, deadline))
            if isinstance(plans, StatementResult):
                return plans
        if plans is not None and plans.physical is None:
            plans = dataclasses.replace(plans, physical=ours)  # v3's depends on its storage
        return _explain_other(i, stmt, run, explained, plans or ours, verbose)
    res = run(i, stmt)
    if not isinstance(stmt, S.ExplainStatement):
        return res
    drawn = None if stmt.analyze else _drawn(i, stmt.statement, provider, db, rp, now,
                                             v3plans.DrawLimits.of(config, deadline))
    if isinstance(drawn, StatementResult):
        return drawn
    return _explain_shape(res, stmt, run, verbose, drawn)


def _drawn(i: int, stmt, provider, db: str, rp: str | None, now: int, limits):
    """v3plans.select_plans under the store's limits; a limit passed: statement ``i``'s error."""
    if isinstance(stmt, S.SelectStatement) and stmt.dimensions:
        stmt = wildcards3.planner_named(stmt, functools.partial(_schema_of, provider=provider, db=db, rp=rp))
    try:
        return v3plans.select_plans(stmt, provider, db, rp, now, limits)
    except TsdbError as e:
        return StatementResult(i, error=str(e))


def _expand_top_wildcards(stmt, provider, db: str, rp: str | None = None):
    """top(*, n) / bottom(/re/, n) made one call per numeric field of the FROM measurements
    (named or matched by a regex: rewriter.rs expand_from), as v3's rewriter expands them
    before it checks the fields (dialects/topstar3.py)."""
    inner = stmt.statement if isinstance(stmt, S.ExplainStatement) else stmt
    if not isinstance(inner, S.SelectStatement) or not topstar3.has_wildcard(inner):
        return stmt
    schemas = (provider.schema(db, name) for m in inner.sources for name in _source_names(m, provider, db, rp))
    types = topstar3.merged_types({k: t.value for k, t in s.fields.items()} for s in schemas if s is not None)
    expanded = topstar3.expand(inner, types)
    if not expanded.fields and inner is not stmt:
        return stmt  # EXPLAIN of nothing to expand to: answered as before
    return dataclasses.replace(stmt, statement=expanded) if inner is not stmt else expanded


def _operand_error(stmt, provider, target: str | None) -> str | None:
    """v3's rewriter typing the fields of a SELECT and its subqueries (dialects/operands3.py),
    which needs the database's schema; its check_features (SLIMIT) comes first."""
    inner = stmt.statement if isinstance(stmt, S.ExplainStatement) else stmt
    if not isinstance(inner, S.SelectStatement) or target is None:
        return None
    selects = [q.statement for q in find(inner, A.SubQuery)][::-1] + [inner]
    if any(s.slimit or s.soffset for s in selects):
        return None
    try:
        db, rp = _resolve(provider, target)
    except DatabaseNotFound:
        return None
    for s in selects:
        schemas = [provider.schema(db, n) for m in s.sources if isinstance(m, A.Measurement)
                   for n in _source_names(m, provider, db, rp)]
        schemas = [x for x in schemas if x is not None]
        found = operands3.operand_error(s.fields, functools.partial(_column_type, schemas))
        if found is not None:
            return rules.DATAFUSION + rules.REWRITING + operands3.EXPAND + rules.PLANNING + found
    return None


def _column_type(schemas, name: str) -> str | None:
    """A column's v3 type over the tables (field_mapper.rs map_type; ``time`` a timestamp)."""
    return operands3.narrowest(
        "timestamp" if name == "time" else s.fields[name].value if name in s.fields
        else "tag" if name in s.tags else None for s in schemas)


def _without_policies(stmt):
    """A SELECT without the policies its FROM names (``rp.m``): v3's rewrite takes them out of
    the statement, and with no database there the request's database alone is read
    (iox_query_influxql_rewrite lib.rs resolve_dbrp: ``(None, Some(_)) => None``;
    iox_v1_query_api handler.rs resolve_db)."""
    if not isinstance(stmt, (S.SelectStatement, S.ExplainStatement)):
        return stmt
    return transform(stmt, lambda n: dataclasses.replace(n, retention_policy=None)
                     if isinstance(n, A.Measurement) and n.retention_policy and not n.database else n)


def _drop_empty(i: int, stmt, provider, db: str, rp: str | None, verbose: bool | None):
    """The statement without the FROM sources v3's rewriter drops (dropempty3.py), or its answer
    when none is left: an empty result; for EXPLAIN [ANALYZE] [VERBOSE] (``verbose`` not None), the
    plans of no table (v3plans.NOTHING), or AnalyzeExec's rows over its EmptyExec."""
    schema_of = functools.partial(_schema_of, provider=provider, db=db, rp=rp)
    if isinstance(stmt, S.SelectStatement):
        kept = dropempty3.drop_empty(stmt, schema_of)
        if not stmt.fields or rules.selects_no_field(stmt) or not kept.sources:
            return StatementResult(i)  # no field to expand to (topstar3.expand), or none read: nothing to plan
        return dropempty3.renamed_subqueries(kept, schema_of)
    if not isinstance(stmt, S.ExplainStatement) or not isinstance(stmt.statement, S.SelectStatement) \
            or verbose is None:
        return stmt
    kept = dropempty3.drop_empty(stmt.statement, schema_of)
    if kept.sources:
        return stmt if kept is stmt.statement else dataclasses.replace(stmt, statement=kept)
    if stmt.analyze:  # AnalyzeExec runs the EmptyExec: no row, no metrics (display.rs: ``, metrics=[]``)
        t0 = _time.perf_counter_ns()
        kinds = explain3.analyze_rows(v3plans.NOTHING.with_metrics, verbose=verbose, output_rows=0,
                                      elapsed_ns=_time.perf_counter_ns() - t0)
    else:
        kinds = explain3.rows(v3plans.NOTHING, verbose=verbose)
    return StatementResult(i, [Series(k, None, ["plan"], [[text]]) for k, text in kinds])


def _schema_of(m: A.Measurement, provider, db: str, rp: str | None):
    """wildcards3.SchemaOf over this store's catalog: the fields and tags of the measurements a
    FROM source names (none for one not in the catalog), None for one not resolved here."""
    if (m.database or db) != db or (m.regex is None and not m.name):
        return None  # not resolved here: left to the engine
    if m.regex is None:
        schema = provider.schema(db, m.name)
        return (schema.fields, schema.tags) if schema is not None else _NO_COLUMNS
    schemas = [s for s in (provider.schema(db, n) for n in _source_names(m, provider, db, rp)) if s is not None]
    types = topstar3.merged_types(s.fields for s in schemas)
    return types, {t for s in schemas for t in s.tags}


_NO_COLUMNS = ({}, ())


def _source_names(m, provider, db: str, rp: str | None) -> list[str]:
    """The measurements a FROM source names: itself, or those its regex matches in its policy
    (a subquery, or a policy that does not exist, none: the planner answers those)."""
    if not isinstance(m, A.Measurement) or (m.database or db) != db:
        return []
    if m.regex is None:
        return [m.name] if m.name else []
    try:
        policy = provider.resolve_rp(db, m.retention_policy or rp or None)
    except RetentionPolicyNotFound:
        return []
    pattern = linear_regex.compile(m.regex.val)
    return [n for n in provider.measurements(db, policy) if pattern.search(n)]


def _fold_time_calls(stmt, now: int):
    """GROUP BY time(...) arguments v3 folds to durations (``1s + 1s``, a timestamp string offset)."""
    if isinstance(stmt, S.SelectStatement):
        return timerange3.fold_time_call(stmt, now)
    if isinstance(stmt, S.ExplainStatement) and isinstance(stmt.statement, S.SelectStatement):
        return dataclasses.replace(stmt, statement=timerange3.fold_time_call(stmt.statement, now))
    return stmt


def _run(i, stmt, provider, *, now, **kw) -> StatementResult:
    """One statement on the engine, with v3's SHOW RETENTION POLICIES and metadata cutoff."""
    if isinstance(stmt, M.ShowRetentionPoliciesStatement):
        series_name, columns, rows = rules.RETENTION_POLICIES
        return StatementResult(i, [Series(series_name, None, columns, [list(r) for r in rows])])
    if isinstance(stmt, _SHOW_IN_POLICY) and provider.has_database(kw["db"]):
        provider = PolicyScoped(provider, kw["rp"] or provider.resolve_rp(kw["db"], None))
    stmt, provider = _metadata_cutoff(stmt, provider, now)
    if isinstance(stmt, M.ShowTagValuesStatement) and (stmt.limit or stmt.offset):
        whole = dataclasses.replace(stmt, limit=0, offset=0)
        return _per_key(engine.run_statement(i, whole, provider, now=now, **kw), stmt.limit, stmt.offset)
    return engine.run_statement(i, stmt, provider, now=now, dialect=Dialect.INFLUXDB3, **kw)


def _per_key(res: StatementResult, limit: int, offset: int) -> StatementResult:
    """SHOW TAG VALUES' LIMIT and OFFSET as v3 applies them: to each measurement's values of
    each key (planner.rs show_tag_values_to_plan: series_limit over iox::measurement, key);
    1.x applies them to each measurement's rows."""
    if res.error is not None:
        return res
    out = []
    for s in res.series:
        rows = [row for _, group in itertools.groupby(s.values, key=lambda row: row[0])
                for row in list(group)[offset:offset + limit if limit else None]]
        if rows:
            out.append(Series(s.name, s.tags, s.columns, rows, no_floats=s.no_floats))
    return StatementResult(res.statement_id, out)


_SHOW_IN_POLICY = (M.ShowMeasurementsStatement, M.ShowTagKeysStatement, M.ShowTagValuesStatement,
                   M.ShowFieldKeysStatement)


class PolicyScoped:
    """A provider whose reads name one retention policy: v3 names a database ``db/rp`` (DBRP
    mapping; ``db`` alone is the default policy's), a database of its own, so its SHOW
    statements list that policy's measurements, tags and values only (1.x's series index is
    the whole database's)."""

    def __init__(self, provider, rp: str):
        self._p, self._rp = provider, rp

    def __getattr__(self, name):
        return getattr(self._p, name)

    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        return self._p.measurements(db, rp or self._rp)

    def resolve_rp(self, db: str, rp: str | None) -> str:
        return self._p.resolve_rp(db, rp or self._rp)

    def series(self, db: str, rp: str | None, measurement: str):
        return self._p.series(db, rp or self._rp, measurement)

    def tag_keys(self, db: str, rp: str | None, measurement: str) -> list[str]:
        return self._p.tag_keys(db, rp or self._rp, measurement)

    def tag_values(self, db: str, rp: str | None, measurement: str, tag: str) -> list[str]:
        return self._p.tag_values(db, rp or self._rp, measurement, tag)

    def scan_frame(self, db: str, rp: str | None, measurement: str, *args, **kw):
        return self._p.scan_frame(db, rp or self._rp, measurement, *args, **kw)


# -- EXPLAIN as v3 answers it -------------------------------------------------------------------

def _explain_other(i: int, stmt, run, levels, plan, verbose: bool = False) -> StatementResult:
    """EXPLAIN of a SHOW or of an EXPLAIN (``levels``: each EXPLAIN's ANALYZE and VERBOSE, the
    outermost first): v3 plans the statement and DataFusion explains that plan (planner.rs
    explain_statement_to_plan), an EXPLAIN inside being DataFusion's ``Explain`` node over the
    inner plan (explain3.NodeOver). ``plan``: v3's plans of the SHOW (showplan3.py) or of a raw
    SELECT (selectplan3.py), or this store's (it answers a SHOW from the series index, one step;
    another SELECT from its own plan)."""
    if isinstance(stmt, S.ExplainStatement):  # the innermost EXPLAIN [ANALYZE] SELECT, kept by the grammar
        inner = run(i, stmt)
        if inner.error is not None:
            return inner
        ours = "\n".join(str(row[0]) for s in inner.series for row in s.values)
        plan = plan if isinstance(plan, Plans) else ours  # v3's when selectplan3.py draws it
        if plan is not ours and plan.physical is None:
            plan = dataclasses.replace(plan, physical=ours)
        levels, stmt = (*levels, (stmt.analyze, verbose)), stmt.statement
    kinds = _explained(i, stmt, run, tuple(levels), plan)
    if isinstance(kinds, StatementResult):
        return kinds
    return StatementResult(i, [Series(k, None, ["plan"], [[text]]) for k, text in kinds])


def _explained(i: int, stmt, run, levels, plan) -> list[tuple[str, str]] | StatementResult:
    """The (plan_type, plan) rows of ``levels[0]`` over what the inner levels make of the
    statement (or the statement's error)."""
    (analyze, verbose), rest = levels[0], levels[1:]
    target = plan
    for inner_analyze, _ in reversed(rest):
        target = explain3.NodeOver(target if not isinstance(target, str) else Plans(target, physical=target),
                                   inner_analyze)
    if not analyze:
        return explain3.rows(target, verbose=verbose)
    t0 = _time.perf_counter_ns()
    if rest:  # ANALYZE runs the inner EXPLAIN as a plan's root (ExplainExec has no metrics)
        inner = _explained(i, stmt, run, rest, plan)
        if isinstance(inner, StatementResult):
            return inner
        count = len(inner)
        shown = f"AnalyzeExec verbose={str(rest[0][1]).lower()}, metrics=[]\n" if rest[0][0] else \
            "ExplainExec, metrics=[]\n"
    else:
        res = run(i, stmt)
        if res.error is not None:
            return res
        count = sum(len(s.values) for s in res.series)
        shown = plan if isinstance(plan, str) else plan.with_metrics or plan.final_physical or plan.logical
    elapsed = _time.perf_counter_ns() - t0
    return explain3.analyze_rows(shown, verbose=verbose, output_rows=count, elapsed_ns=elapsed)


def _explain_shape(res: StatementResult, stmt: S.ExplainStatement, run, verbose: bool,
                   drawn: Plans | None = None) -> StatementResult:
    """v3's EXPLAIN is DataFusion's: a ``plan_type`` (the series name, iox planner.rs
    explain_statement_to_plan) and a ``plan`` column holding the whole plan as one string.
    Ours is this store's plan, under DataFusion's plan types (explain3.py); ANALYZE VERBOSE
    runs the statement for its row count and duration, as DataFusion's AnalyzeExec does."""
    if res.error is not None or not res.series:
        return res
    plan = "\n".join(str(row[0]) for s in res.series for row in s.values)
    if drawn is not None and drawn.physical is None:
        drawn = dataclasses.replace(drawn, physical=plan)  # no chunks known: this store's plan
    if not stmt.analyze:
        kinds = explain3.rows(drawn or plan, verbose=verbose)
    elif not verbose:
        kinds = explain3.analyze_rows(plan, verbose=False)
    else:
        t0 = _time.perf_counter_ns()
        inner = run(res.statement_id, stmt.statement)
        elapsed = _time.perf_counter_ns() - t0
        if inner.error is not None:  # a limit the run passed (max-select-series, ...): its error
            return inner
        count = sum(len(s.values) for s in inner.series)
        kinds = explain3.analyze_rows(plan, verbose=True, output_rows=count, elapsed_ns=elapsed)
    return StatementResult(res.statement_id, [Series(k, None, ["plan"], [[text]]) for k, text in kinds])


def _resolve(provider, name: str) -> tuple[str, str | None]:
    """``db`` or ``db/rp`` → (database, policy or None for the default)."""
    if provider.has_database(name):
        return name, None
    db, sep, rp = name.rpartition("/")
    if sep and provider.has_database(db) and any(p.name == rp for p in provider.retention_policies(db)):
        return db, rp
    raise DatabaseNotFound(name)


# -- SHOW ... WHERE: the last 24 h unless the WHERE clause bounds time ---------------------

def _metadata_cutoff(stmt, provider, now: int):
    """The statement (its time comparisons taken out) and a provider that sees only the
    series with points in its time range, for the SHOW statements v3 answers from data."""
    where = isinstance(stmt, (M.ShowTagKeysStatement, M.ShowMeasurementsStatement)) and stmt.condition is not None
    if not (isinstance(stmt, M.ShowTagValuesStatement) or where):
        return stmt, provider
    tr, rest = split_where(stmt.condition, now)
    start = tr.start if _bounds_time(stmt.condition) else now - METADATA_CUTOFF_NS
    end = tr.end if tr.has_end else MAX_TIME
    return dataclasses.replace(stmt, condition=rest), RecentSeries(provider, start, end)


_BOUNDS = frozenset((">", ">=", "<", "<=", "="))


def _bounds_time(cond) -> bool:
    """Whether a comparison of ``time`` bounds the range: v3's ``split_cond`` sets a lower or
    upper bound whatever its value, so ``time >= <the minimum time>`` is a bound, not none."""
    return cond is not None and any(
        n.op in _BOUNDS and any(isinstance(x, A.VarRef) and x.name.lower() == "time" for x in (n.lhs, n.rhs))
        for n in find(cond, A.BinaryExpr))


class RecentSeries(SeriesInWindow):
    """A provider whose series, tag keys, tag values and measurements are those with points
    in [start, end]; everything else is the wrapped provider's."""

    influxql_v1_meta = False  # SHOW's WHERE keeps the tag-only reading (meta/show.py v1_rules)


# -- series order: a missing tag value sorts last ----------------------------------------------

def nulls_last(res: StatementResult, descending: bool = False) -> None:
    """v3 sorts a SELECT's series by measurement then each GROUP BY tag, ``ASC NULLS LAST``
    (planner.rs: the Sort over iox::measurement and the group-by tags); 1.x's series keys
    sort a missing tag (``""``) first. Reorders in place, each measurement's series among
    themselves. ``descending``: a SELECT ... ORDER BY time DESC, whose measurements and series
    1.x reverses; v3 sorts them ascending still (planner/select.rs plan_with_sort: "Sort
    expressions referring to tag keys are always specified in lexicographically ascending order")."""
    series = res.series
    if descending and len(series) > 1:
        series.sort(key=lambda s: (s.name, [(v == "", v) for _, v in sorted((s.tags or {}).items())]))
        return
    if len(series) < 2 or not any(s.tags and "" in s.tags.values() for s in series):
        return
    first = {}
    for n, s in enumerate(series):
        first.setdefault(s.name, n)
    series.sort(key=lambda s: (first[s.name], [(v == "", v) for _, v in sorted((s.tags or {}).items())]))


# -- times as v3 writes them ------------------------------------------------------------------

_FRACTION = re.compile(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$")
_PAD = ("", "00", "0")  # zeros after a fraction of 3n, 3n+1, 3n+2 digits


def v3_time(text: str) -> str:
    """Go's RFC3339Nano (fraction trimmed) → chrono's AutoSi: 0, 3, 6 or 9 fractional digits."""
    if len(text) > 21 and text[19] == "." and text[-1] == "Z":  # UTC, the usual case: no regex
        return text[:-1] + _PAD[(len(text) - 21) % 3] + "Z"
    m = _FRACTION.match(text)
    if m is None:
        return text
    frac = m.group(2)
    return f"{m.group(1)}.{frac}{_PAD[len(frac) % 3]}{m.group(3)}"


def v3_times(res: StatementResult) -> None:
    """Rewrite the RFC 3339 ``time`` column of a statement's series in place (a frame-backed
    series in one Polars pass, its rows left unbuilt; the series sharing a block in one pass
    over the block's frame)."""
    blocks: set[int] = set()
    for s in res.series:
        if not s.columns or s.columns[0] != "time":
            continue
        frame, span = s.frame, s.span
        if frame is not None:
            if frame.width and frame.dtypes[0] == pl.String:
                s.frame = _v3_frame_times(frame)
            continue
        if span is not None:
            block = span[0]
            if id(block) not in blocks and block.frame.width and block.frame.dtypes[0] == pl.String:
                blocks.add(id(block))
                block.frame = _v3_frame_times(block.frame)
            continue
        if not s.values or not isinstance(s.values[0][0], str):
            continue
        for j, row in enumerate(s.values):
            t = row[0]
            if t is not None and "." in t:
                if isinstance(row, list):
                    row[0] = v3_time(t)
                else:
                    s.values[j] = [v3_time(t), *row[1:]]


# a fraction of 3n+1 or 3n+2 digits, then the zone (``Z`` or an offset): :func:`v3_time`'s padding
_ONE_OVER = r"^(.*T\d\d:\d\d:\d\d\.(?:\d{3})*\d)(\D.*)?$"
_TWO_OVER = r"^(.*T\d\d:\d\d:\d\d\.(?:\d{3})*\d\d)(\D.*)?$"


def v3_time_expr(c: pl.Expr) -> pl.Expr:
    """:func:`v3_time` of a String column of RFC3339Nano times, as a Polars expression."""
    return c.str.replace(_ONE_OVER, "${1}00${2}").str.replace(_TWO_OVER, "${1}0${2}")


def _utc_time_expr(c: pl.Expr) -> pl.Expr:
    """:func:`v3_time_expr` of UTC times (``...Z``): the fraction's length is the text's, less 21."""
    n = c.str.len_bytes()
    pad = pl.when(n % 3 == 1).then(pl.lit("00")).when(n % 3 == 2).then(pl.lit("0")).otherwise(pl.lit(""))
    fraction = (n > 21) & (c.str.slice(19, 1) == ".")
    return pl.when(fraction).then(pl.concat_str([c.str.head(-1), pad, pl.lit("Z")])).otherwise(c)


def _v3_frame_times(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame's first (time) column as :func:`v3_times` writes it; as it is when no UTC time
    holds a fraction of a second (the usual answer: nothing to rewrite)."""
    c = pl.col(frame.columns[0])
    longest, utc = frame.select(c.str.len_bytes().max().alias("n"), c.str.ends_with("Z").all().alias("z")).row(0)
    if longest is None or (utc and longest <= 21):
        return frame
    return frame.with_columns(_utc_time_expr(c) if utc else v3_time_expr(c))
