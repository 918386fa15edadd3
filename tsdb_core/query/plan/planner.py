"""SELECT → :class:`SelectPlan`: resolve sources, validate, expand wildcards, name columns.

Validation follows InfluxDB 1.x's ``query/compile.go`` (same checks, same
words); wildcard expansion follows ``RewriteFields`` (fields and tags of every
source, sorted; ``mean(*)`` → ``mean_<field>`` per field of a supported type; InfluxDB 3
quotes the field: :func:`generated_name`).
"""
from __future__ import annotations

import re
from dataclasses import replace

from ...base.errors import DatabaseNotFound, QueryError, RetentionPolicyNotFound
from ...base.time import MAX_TIME
from ...base.types import TWIN, field_key
from ...influxql import ast
from ...influxql import functions as F
from ...influxql.dialect import Dialect
from ...influxql.dialects import arith3, fillnum3, names3, timearith3
from ...influxql.dialects.timerange3 import identifier as v3_identifier
from ...influxql.ast.visit import find, transform
from ...influxql.parser.lexing import quote_string
from ...base import regex as linear_regex
from .nodes import AGGREGATES, KEY_ONLY, SELECTORS, TIME_FIELD, Column, Scan, SelectPlan, SubqueryScan, \
    reads_extra_window, tag_name
from .tree import with_tree
from ..exec.expressions import check_types
from ..analyze.time_range import TimeRange, parse_time_string, split_where
from ..analyze.compile import compile_fields, validate_condition
from ..analyze import condition_v1
from ..analyze.reduce_v1 import reduce_field, unevaluated_as_nil
from ..analyze.where_v1 import read_where
from ..analyze.types_v1 import check_fields, statement_text

# the column a cast to a field type of a name no source has as a field reads: none (its value is
# nil to influxd, which compares false, where a missing tag compares as '')
NO_FIELD = "\x00no field:"

# LIMIT/OFFSET past any series' row count all mean "every row" / "no row" (influxd takes up
# to 2^63-1); held below 2^31 so that LIMIT + OFFSET fits Polars' u32 row counts.
ROWS_MAX = 2**31 - 1


class SourceSchema:
    """Fields (name → type text) and tag keys of the sources of one statement."""

    def __init__(self, time_is_field: bool = False) -> None:
        # ``time`` beside the time column names a field (influxdb1), held in TIME_FIELD; there
        # a cast other than ::tag reads a field only (influxd's cursors): a tag's is null
        self.time_is_field = time_is_field
        self.fields: dict[str, str] = {}
        self.tags: set[str] = set()
        # series tags a raw subquery's rows carry without selecting them: they group
        # (GROUP BY host) but are no columns: SELECT, WHERE and ``*`` see nothing (influxd)
        self.hidden: set[str] = set()
        # keys both field and tag of one measurement (1.x stores both): the field's column
        # is ``field_column``'s; a bare name reads the field, ``::tag`` the tag (influxd)
        self.twins: set[str] = set()
        # fields of the measurements (not of subqueries): one that is a tag of another
        # source is a twin too, each source reading its own
        self.scan_fields: set[str] = set()

    def column(self, name: str) -> str:
        """The column of field ``name``."""
        if name == "time" and self.time_is_field:
            return TIME_FIELD
        return TWIN + name if name in self.twins else name

    def add(self, fields: dict[str, str], tags) -> None:
        for k, v in fields.items():
            self.fields.setdefault(k, v)
        self.tags.update(tags)


# -- entry point ----------------------------------------------------------------

def plan_select(stmt: ast.SelectStatement, provider, *, db: str | None, rp: str | None,
                now: int, dialect: Dialect = Dialect.INFLUXDB1) -> SelectPlan:
    """Turn a SELECT AST into a SelectPlan against the provider's catalog, with the tree that runs it.
    ``dialect``: how generated columns are named (:func:`generated_name`), InfluxDB 3's
    integer/unsigned rules (:func:`_v3_arithmetic`) and 1.x's subquery grouping (:func:`_probe`,
    :func:`_nested_under`)."""
    return with_tree(_plan(stmt, provider, db=db, rp=rp, now=now, dialect=dialect), provider)


def _plan(stmt: ast.SelectStatement, provider, *, db, rp, now: int,
          parent: SelectPlan | None = None, dialect: Dialect = Dialect.INFLUXDB1) -> SelectPlan:
    """The statement's facts: fields, tags, time range, groups (no operator tree yet)."""
    time_range, condition, refusal = _where(stmt, now, dialect, parent is not None)
    interval, offset, dim_exprs = _dimensions(stmt, now)
    inherited = False
    ascending = stmt.time_ascending
    if parent is not None:
        ascending = _subquery_ascending(stmt, parent, dialect)
        time_range = time_range.intersect(parent.time_range)
        if not interval and parent.interval:
            interval, offset, inherited = parent.interval, parent.offset, True
    fields, time_column = time_fields(stmt.fields, dialect)
    reduce = reduce_field if dialect is Dialect.INFLUXDB1 else reduce_literals
    fields = [ast.Field(reduce(f.expr), f.alias) for f in fields]
    has_agg = compile_fields(stmt, _compiled_fields(stmt.fields, fields, reduce, dialect), interval, inherited).has_agg
    if interval and not time_range.has_end:
        time_range = TimeRange(time_range.start, now)
    probe = _probe(stmt, time_range, interval, offset, dim_exprs, parent, dialect, fields)
    known = SourceSchema(time_is_field=dialect is Dialect.INFLUXDB1)
    sources = _sources(stmt, provider, db, rp, now, probe, known, dialect)
    # a field of one measurement that is a tag of another: each source reads its own (influxd)
    # (a subquery's unselected series tag included: its rows group by it)
    known.twins.update(k for k in known.scan_fields if k in known.tags or k in known.hidden)
    dims, passed = _group_keys(dim_exprs, known, parent)
    condition = _bound_condition(condition, known, dialect, sources)
    all_tags = any(isinstance(d, (ast.Wildcard, ast.RegexLiteral)) for d in dim_exprs)
    sources = _under_pattern(sources, dims) if all_tags else sources
    own_dims = [d for d in dims if d not in passed]  # a tag passed down is still listed by *
    if dialect is Dialect.INFLUXDB1:
        _prepared_v1(stmt, fields, known, refusal, lambda: _normalized(stmt, provider, db, rp))
    columns, types = _expand_fields(fields, known, own_dims, stmt.into is not None, all_tags,
                                    unique=parent is None, dialect=dialect)
    columns = _checked(columns, known.fields, dialect, None if has_agg else stmt.location or "")
    fill = _fill(stmt, parent, interval)
    if dialect is Dialect.INFLUXDB3 and fill == "value":
        _v3_fill_number(columns, sources, provider, dims, stmt.fill_value, interval)
    calls = [c for col in columns for c in _top_calls(col.expr)]
    # influxd maps equal calls to one iterator: max(x), max(x) is still one selector
    point_time = (has_agg and not interval and len(set(calls)) == 1 and calls[0].name in SELECTORS)
    extra = 1 if interval and any(reads_extra_window(col.expr) for col in columns) else 0
    # top()/bottom() under LIMIT/OFFSET read each stored series' first points (exec/lazy.py)
    limited = bool(stmt.limit or stmt.offset) and any(c.name in ("top", "bottom") for c in calls)
    needed = _needed_columns(columns, condition, dims, known, raw=not has_agg or limited)
    clamp = parent if parent is not None or probe.read_range is None or not probe.read_range.empty else probe
    scan_range = _scan_range(time_range, extra * interval, ascending, dialect, None if parent is None else columns, clamp)
    sources = tuple(replace(s, columns=needed, time_range=scan_range, renames=_renames(s, known, provider))
                    if isinstance(s, Scan)
                    else _mark_nulls(_mark_tags(_hide_tags(s, dims, len(sources)), columns, not has_agg), columns, dims)
                    for s in sources)
    return SelectPlan(
        sources=sources, columns=tuple(columns), time_range=time_range, condition=condition,
        is_raw=not has_agg, dimensions=tuple(dims), interval=interval, offset=offset,
        fill=fill, fill_value=stmt.fill_value, ascending=ascending,
        limit=_rows(stmt.limit), row_offset=_rows(stmt.offset), slimit=_rows(stmt.slimit),
        soffset=_rows(stmt.soffset), tz=stmt.location, time_column=time_column,
        point_time=point_time, types=types, into=stmt.into, extra_intervals=extra,
        source_tags=tuple(sorted(known.tags)), inherited_dimensions=passed, dialect=dialect,
        offset_shard=_offset_shard(stmt, sources, columns, has_agg, provider, dialect))


def _where(stmt: ast.SelectStatement, now: int, dialect: Dialect, subquery: bool):
    """(time range, the rest of WHERE, the error to raise once the fields pass or None)
    (influxdb1: as influxd's ConditionExpr reads it, twice: analyze/where_v1.py)."""
    if dialect is Dialect.INFLUXDB1:
        where = read_where(stmt, now, subquery)
        return where.time_range, where.condition, where.refusal
    time_range, condition = split_where(stmt.condition, now, stmt.location)
    validate_condition(condition)
    return time_range, condition, None


def _prepared_v1(stmt, fields, known: SourceSchema, refusal, sources) -> None:
    """What influxd's Prepare refuses once the fields are compiled: their types (check_fields),
    then the WHERE (``refusal``: where_v1's second pass)."""
    check_fields(stmt, fields, known.fields, known.tags, sources)
    if refusal is not None:
        raise refusal


def _subquery_ascending(stmt: ast.SelectStatement, parent: SelectPlan, dialect: Dialect) -> bool:
    """A subquery's time order. influxd runs it in the outer query's, refusing another; InfluxDB 3
    sorts it by its own ORDER BY (ascending by default) and the outer query re-sorts its rows
    (iox planner.rs Context::subquery: ``order_by: select.order_by.unwrap_or_default()``)."""
    if dialect is Dialect.INFLUXDB3:
        return stmt.time_ascending
    if stmt.order_by and stmt.time_ascending != parent.ascending:
        raise QueryError("subqueries must be ordered in the same direction as the query itself")
    return parent.ascending


def _bound_condition(condition, known, dialect, sources):
    """The WHERE bound to the sources' tags and fields (influxdb1: over subqueries as their points
    answer it, each field read under one type, over measurements its arithmetic operands as the
    index takes them; InfluxDB 3's integer rules applied)."""
    if condition is None:
        return None
    if dialect is Dialect.INFLUXDB1:
        if sources and all(isinstance(s, SubqueryScan) for s in sources):
            condition = condition_v1.over_subqueries(condition, known.fields, known.tags)
        condition = condition_v1.one_type_per_field(condition, known.fields, known.tags)
        if all(isinstance(s, Scan) for s in sources):
            condition = condition_v1.arithmetic_leaves(condition, known.fields)
    condition = _bind(condition, known)
    if dialect is Dialect.INFLUXDB1:
        condition = unevaluated_as_nil(condition)
    if dialect is Dialect.INFLUXDB3:
        condition = _v3_arithmetic([condition], known.fields, arith3.rewrite_condition)[0]
    return condition


def _probe(stmt, time_range, interval, offset, dim_exprs, parent, dialect, fields) -> SelectPlan:
    """What the sources are planned under: the statement's range, windows and GROUP BY tags
    (in influxdb1 every enclosing level's tags too, as influxd's GroupBy takes them), and the
    range their reads are clamped to (SelectPlan.read_range: the outermost statement's)."""
    dims = tuple(d.name for d in dim_exprs if isinstance(d, ast.VarRef))
    if parent is not None and dialect is Dialect.INFLUXDB1:
        dims = tuple(dict.fromkeys(dims + parent.dimensions))
    if parent is None and _maps_no_shards(fields, time_range, interval, stmt.time_ascending, dialect):
        read = TimeRange(time_range.end + 1, time_range.end)
    else:
        read = parent.read_range if parent is not None else extended_range(
            time_range, interval if any(reads_extra_window(f.expr) for f in fields) else 0, stmt.time_ascending)
    return SelectPlan(sources=(), columns=(), time_range=time_range, interval=interval,
                      offset=offset, ascending=stmt.time_ascending, dimensions=dims,
                      read_range=read if dialect is Dialect.INFLUXDB1 else None)


def _checked(columns: list, fields: dict, dialect: Dialect, raw_tz: str | None = None) -> list:
    """The columns once their operand types pass (influxdb3: its integer/unsigned rules applied,
    and a raw projection's arithmetic on ``time`` refused: dialects/timearith3.py; ``raw_tz``:
    None for an aggregate, else tz()'s zone or "")."""
    if dialect is not Dialect.INFLUXDB3:
        return columns
    for c in columns:
        check_types(c.expr, fields)
    if raw_tz is not None:
        msg = timearith3.time_arithmetic_error((c.expr for c in columns), fields, raw_tz or None)
        if msg is not None:
            raise QueryError(f"datafusion error: Error during planning: {msg}")
    return _v3_arithmetic(columns, fields)


def influxd_text(stmt, provider, db, rp, normalized: bool) -> str:
    """A statement as influxql's String() prints it; ``normalized``: a SELECT's FROM list as
    influxd's normalizer leaves it before running it (database and retention policy filled in)."""
    if not isinstance(stmt, ast.SelectStatement):
        return str(stmt)
    return statement_text(stmt, _normalized(stmt, provider, db, rp) if normalized else stmt.sources)


def _normalized(stmt, provider, db, rp) -> list:
    """The FROM list as influxd's statement normalizer leaves it: database and retention policy
    filled in (what its panic answer prints)."""
    out = []
    for m in stmt.sources:
        if isinstance(m, ast.Measurement):
            database = m.database or db
            policy = m.retention_policy or rp or provider.resolve_rp(database, None)
            m = replace(m, database=database, retention_policy=policy)
        out.append(m)
    return out


def _v3_fill_number(columns, sources, provider, dims, value, interval: int) -> None:
    """InfluxDB 3 plans fill(<number>)'s defaults before it reads: a text, boolean or tag
    aggregate fails the statement, whatever the range holds (dialects/fillnum3.py)."""
    tables = [_type_of(s, provider) for s in sources]
    msg = fillnum3.fill_number_error(((c.name, c.expr) for c in columns), tables,
                                     {tag_name(d) for d in dims}, value, interval)
    if msg is not None:
        raise QueryError(msg)


def _type_of(source, provider):
    """A reference's type in one source: a measurement's own field or tag (each table is
    planned apart), a subquery's column as bound."""
    if not isinstance(source, Scan):
        return lambda ref: ref.type
    schema = provider.schema(source.database, source.measurement)

    def type_of(ref: ast.VarRef) -> str | None:
        key = field_key(ref.name)
        if ref.type != "tag" and key in schema.fields:
            return schema.fields[key].value
        return "tag" if key in schema.tags else None
    return type_of


def _fill(stmt: ast.SelectStatement, parent, interval: int) -> str:
    """The statement's fill; a subquery's null fill is none (influxd's compile.go skips it)."""
    fill = stmt.fill or "null"
    return "none" if parent is not None and interval and fill == "null" else fill


def _under_pattern(sources, dims: list) -> list:
    """GROUP BY * or /regex/: the subqueries run under the tags it expands to."""
    return [replace(s, plan=replace(s.plan, outer_dimensions=tuple(dims), outer_pattern=True))
            if isinstance(s, SubqueryScan) else s for s in sources]


def extended_range(tr: TimeRange, extra: int, ascending: bool) -> TimeRange:
    """The range a transform of windows reads: one window more before the start, or after
    the end under ORDER BY time DESC (influxd reads the windows in the query's order)."""
    if not extra:
        return tr
    if ascending:
        return TimeRange(tr.start - extra, tr.end) if tr.has_start else tr
    return TimeRange(tr.start, min(tr.end + extra, MAX_TIME)) if tr.end < MAX_TIME else tr


def _renames(s: Scan, known: SourceSchema, provider) -> tuple[tuple[str, str], ...]:
    """The fields of ``s`` stored under their key that the statement reads under their twin
    name: a key both field and tag in another of its measurements (``SELECT * FROM a, b``)."""
    if not known.twins:
        return ()
    schema = provider.schema(s.database, s.measurement)
    return tuple((TWIN + k, k) for k in sorted(known.twins) if k in schema.fields and k not in schema.tags)


def _offset_shard(stmt, sources, columns, has_agg: bool, provider, dialect: Dialect = Dialect.INFLUXDB1) -> int:
    """The shard-group duration that caps OFFSET without LIMIT (SelectPlan.offset_shard): raw
    fields of measurements only, math over them included (aggregates and subqueries are
    limited after the merge). influxd 1.x's storage only: InfluxDB 3 has no shard groups."""
    math = F.names(F.MATH)  # row-level functions read the fields' storage iterators too
    if not stmt.offset or stmt.limit or has_agg or stmt.into is not None or not sources \
            or dialect is not Dialect.INFLUXDB1 or any(not isinstance(s, Scan) for s in sources) \
            or any(call.name not in math for c in columns for call in find(c.expr, ast.Call)):
        return 0
    return sources[0].shard_group_duration(provider)


def _sources(stmt, provider, db, rp, now, probe: SelectPlan, known: SourceSchema,
             dialect: Dialect = Dialect.INFLUXDB1) -> list:
    """Scans of the measurements and plans of the subqueries, their fields and tags noted."""
    sources = []
    for src in stmt.sources:
        if not isinstance(src, ast.SubQuery):
            sources.extend(_resolve_measurement(src, provider, db, rp, probe.time_range, known))
            continue
        inner = _plan(src.statement, provider, db=db, rp=rp, now=now, parent=probe, dialect=dialect)
        outer = None if any(isinstance(d.expr, (ast.Wildcard, ast.RegexLiteral)) for d in stmt.dimensions) \
            else probe.dimensions
        inner = replace(inner, omit_time=True, outer_dimensions=outer)
        if dialect is Dialect.INFLUXDB1:
            inner = _nested_under(inner, outer, provider)
        inner = with_tree(inner, provider, fast=False)
        sources.append(SubqueryScan(inner))
        names = {c.name for c in inner.columns}
        # top(x, tag, n)'s tag columns: readable by name, not listed by ``*`` (influxd)
        args = _selector_tag_args(inner.columns)
        # a selected tag is a column of type tag: ``*`` lists it, ``count(*)`` skips it
        known.add({c.name: "tag" if isinstance(c.expr, ast.VarRef) and c.expr.type == "tag"
                   else inner.types.get(c.name, "float") for c in inner.columns if c.name not in args},
                  tuple(tag_name(d) for d in inner.dimensions if d not in inner.inherited_dimensions))
        if dialect is Dialect.INFLUXDB1:  # its time fields are fields to the outer ``*`` (null)
            known.add({f.alias or "time": "unknown" for f in src.statement.fields if _is_time_ref(ast.unparen(f.expr))}, ())
        known.hidden.update(args)
        if inner.is_raw:  # raw rows keep their series tags
            known.hidden.update(t for t in inner.source_tags if t not in names)
    return sources


def _nested_under(plan: SelectPlan, outer, provider) -> SelectPlan:
    """A subquery's own subqueries run under the outermost statement's GROUP BY tags too:
    influxd hands each level the options' Dimensions it was given (newIteratorOptionsSubstatement,
    ``subOpt.Dimensions = opt.Dimensions``), not the level's own GROUP BY."""
    if outer is None:
        return plan
    sources = [replace(s, plan=with_tree(_nested_under(replace(s.plan, outer_dimensions=outer), outer, provider),
                                         provider, fast=False))
               if isinstance(s, SubqueryScan) and s.plan.outer_dimensions is not None
               and not s.plan.outer_pattern else s for s in plan.sources]
    return replace(plan, sources=type(plan.sources)(sources))


def _selector_tag_args(columns) -> set[str]:
    """Names of the columns top()/bottom() add after themselves for their tag arguments."""
    out: set[str] = set()
    for i, c in enumerate(columns):
        if isinstance(c.expr, ast.Call) and c.expr.name in ("top", "bottom"):
            out.update(col.name for col in columns[i + 1:i + len(c.expr.args) - 1])
    return out


def _hide_tags(src: SubqueryScan, dims, n_sources: int) -> SubqueryScan:
    """Beside other sources a name may be another source's tag: the subquery's rows still read
    it as null when they carry it unselected (influxd), unless the outer statement groups by it."""
    inner = src.plan
    if n_sources < 2 or not inner.is_raw:
        return src
    own = {c.name for c in inner.columns} | {tag_name(d) for d in inner.dimensions}
    hidden = tuple(t for t in inner.source_tags if t not in own and t not in dims)
    return replace(src, hidden=hidden) if hidden else src


def _mark_tags(src: SubqueryScan, columns, raw: bool) -> SubqueryScan:
    """Under a raw outer query: every row of the subquery kept, and which of its selected tags
    the outer query selects (``SubqueryScan.whole`` and ``marks``)."""
    if not raw:
        return src
    inner = {c.name for c in src.plan.columns
             if isinstance(c.expr, ast.VarRef) and c.expr.type == "tag"}
    read = {r.name for c in columns for r in find(c.expr, ast.VarRef) if r.type == "tag"}
    return replace(src, whole=True, marks=tuple(sorted(inner & read)))


def _group_keys(dim_exprs, known: SourceSchema, parent: SelectPlan | None):
    """(GROUP BY key columns, those of them passed down from ``parent``). A field's name
    groups by a tag of that name, which no series has (a KEY_ONLY column)."""
    dims = [d + KEY_ONLY if known.fields.get(d, "tag") != "tag" and d not in known.tags
            and d not in known.hidden else d for d in _expand_dimensions(dim_exprs, known)]
    passed = _passed_dimensions(parent, dims, known)
    return sorted(dims + list(passed)), passed


def _passed_dimensions(parent: SelectPlan | None, dims: list[str], known: SourceSchema) -> tuple[str, ...]:
    """The outer statement's GROUP BY tags an aggregating subquery groups by as well (influxd
    passes its dimensions down), but for names this one groups by or reads as fields."""
    if parent is None:
        return ()
    own = {tag_name(d) for d in dims}
    return tuple(d for d in parent.dimensions if d not in own and d not in known.fields)


def _mark_nulls(src: SubqueryScan, columns, dims) -> SubqueryScan:
    """Names the outer statement selects as tags and groups by that this subquery neither
    selects nor groups by itself (``SubqueryScan.nulls``): influxd reads their values from the
    subquery's columns and own dimensions only, so they are null, while its rows still group."""
    inner = src.plan
    own = {c.name for c in inner.columns} | {
        tag_name(d) for d in inner.dimensions if d not in inner.inherited_dimensions}
    read = {r.name for c in columns for r in find(c.expr, ast.VarRef) if r.type == "tag"}
    nulls = tuple(sorted((read & set(dims)) - own))
    return replace(src, nulls=nulls) if nulls else src


def _rows(n: int) -> int:
    return min(n, ROWS_MAX)


def _top_calls(e) -> list:
    """Aggregate calls of an output expression (not looking inside them)."""
    return [c for c in find(e, ast.Call, prune=_is_aggregate) if _is_aggregate(c)]


def _is_aggregate(node) -> bool:
    return isinstance(node, ast.Call) and node.name in AGGREGATES


def _scan_range(time_range: TimeRange, extra: int, ascending: bool, dialect: Dialect,
                sub_columns=None, parent: SelectPlan | None = None) -> TimeRange:
    """The range the statement's measurements are read over: ``extra`` ns wider for a
    transform of windows. Without a start, influxd 1.x moves MinTime back a window: the
    int64 wraps and the range reads no point - unless other calls read it: in a subquery
    (``sub_columns``, its columns) calls beside the transforms read the range all the same
    (exec/lazy.py ``_wrapped``). A subquery's reads are clamped to its ``parent``'s SelectPlan.read_range
    (an empty one: the outermost statement maps no shards, :func:`_maps_no_shards`)."""
    read = parent.read_range if parent is not None else None
    if extra and ascending and not time_range.has_start and dialect is Dialect.INFLUXDB1 and (
            sub_columns is None or all(reads_extra_window(col.expr) for col in sub_columns)):
        return TimeRange(time_range.end + 1, time_range.end)
    if read is not None and read.empty:  # the outermost statement maps no shards (_maps_no_shards)
        return read
    scan = extended_range(time_range, extra, ascending)
    return scan.intersect(read) if read is not None and not scan.empty else scan


# The calls for which influxd 1.x's compiler sets ExtraIntervals (query/compile.go): cumulative_sum()
# too, which reads no extra window itself
_EXTRA_INTERVALS = frozenset({"cumulative_sum"})


def _maps_no_shards(fields, time_range: TimeRange, interval: int, ascending: bool, dialect: Dialect) -> bool:
    """Whether the outermost statement reads nothing at all: influxd 1.x's Prepare moves a range
    without start back by ExtraIntervals windows before mapping shards, MinTime's nanoseconds
    wrap to 2262 and no shard group is mapped - for the statement's every call and subquery,
    whichever call set ExtraIntervals (any transform of windows, cumulative_sum() too)."""
    if not (interval and ascending and not time_range.has_start and dialect is Dialect.INFLUXDB1):
        return False
    return any(c.name in _EXTRA_INTERVALS or F.spec(c.name).extends_range
               for f in fields for c in find(f.expr, ast.Call) if c.name not in arith3.INTERNAL_CALLS)


def reduce_literals(e):
    """Fold arithmetic on two numeric literals, as influxql.Reduce does (x / 0 is 0)."""
    return transform(e, _fold)


_NUMBERS = (ast.IntegerLiteral, ast.NumberLiteral)


def _fold(e):
    if isinstance(e, ast.ParenExpr) and isinstance(e.expr, ast.Literal):
        return e.expr
    if not (isinstance(e, ast.BinaryExpr) and isinstance(e.lhs, _NUMBERS)
            and isinstance(e.rhs, _NUMBERS) and e.op in ("+", "-", "*", "/", "%")):
        return e
    a, b = e.lhs.val, e.rhs.val
    both_int = isinstance(e.lhs, ast.IntegerLiteral) and isinstance(e.rhs, ast.IntegerLiteral)
    if e.op == "/":
        return ast.NumberLiteral(0.0 if b == 0 else a / b)
    if e.op == "%":
        if b == 0:
            return ast.IntegerLiteral(0) if both_int else ast.NumberLiteral(0.0)
        r = abs(a) % abs(b) * (1 if a >= 0 else -1)
        return ast.IntegerLiteral(int(r)) if both_int else ast.NumberLiteral(float(r))
    r = {"+": a + b, "-": a - b, "*": a * b}[e.op]
    return ast.IntegerLiteral(r) if both_int else ast.NumberLiteral(float(r))


def time_fields(fields, dialect: Dialect) -> tuple[list, str]:
    """(The SELECT list without the fields that select the time column, the column's name).

    InfluxDB 3 takes every ``time`` (iox planner.rs varref_to_df_expr: ``(ExprScope::Projection,
    "time")``; rewriter.rs field_list_normalize_time), the first alias naming the column. influxd's
    RewriteTimeFields removes ``time`` (any cast, in parentheses; ``TIME`` is a field) as it walks
    the list, the field after each removed one unseen (``time, time`` keeps the second), the last
    removed one's alias naming the column; what it leaves is a field named ``time`` (null)."""
    if dialect is Dialect.INFLUXDB3:
        kept = [f for f in fields if not _is_time_ref(f.expr)]
        return kept, next((f.alias for f in fields if _is_time_ref(f.expr) and f.alias), "time")
    kept, name, i = list(fields), "time", 0
    while i < len(kept):
        if _is_time_ref(ast.unparen(kept[i].expr)):
            name = kept.pop(i).alias or "time"
        i += 1
    return kept, name


def _compiled_fields(written, kept: list, reduce, dialect: Dialect) -> list:
    """The fields influxd's compileFields checks: all but a bare ``time``; one in parentheses is a
    field there (an auxiliary one: ``(time), mean(x)`` mixes), which RewriteTimeFields removes only
    afterwards (``SELECT (time) FROM m`` answers nothing, no error)."""
    if dialect is not Dialect.INFLUXDB1 or len(written) - len(kept) == sum(_is_time_ref(f.expr) for f in written):
        return kept
    return [ast.Field(reduce(f.expr), f.alias) for f in written if not _is_time_ref(f.expr)]


def _is_time_ref(e: ast.Expr) -> bool:
    return isinstance(e, ast.VarRef) and e.name == "time"


# -- sources -----------------------------------------------------------------------

def _resolve_measurement(m: ast.Measurement, provider, db, rp, tr, known) -> list[Scan]:
    database = m.database or db
    if not database:
        raise QueryError("database name required")
    if not provider.has_database(database):
        raise DatabaseNotFound(database)
    policy = m.retention_policy or rp
    names = [p.name for p in provider.retention_policies(database)]
    if policy and policy not in names:
        raise RetentionPolicyNotFound(policy, database)
    policy = provider.resolve_rp(database, policy or None)
    if m.regex is not None:
        pat = linear_regex.compile(m.regex.val)
        measurements = [n for n in provider.measurements(database, policy) if pat.search(n)]
    else:
        measurements = [m.name]
    out = []
    for name in measurements:
        schema = provider.schema(database, name)
        if schema is None:
            continue
        known.add({k: v.value for k, v in schema.fields.items()}, schema.tags)
        known.twins.update(k for k in schema.tags if k in schema.fields)
        known.scan_fields.update(schema.fields)
        out.append(Scan(database, policy, name, tr, ()))
    return out


# -- dimensions ----------------------------------------------------------------------

def _dimensions(stmt: ast.SelectStatement, now: int):
    interval = offset = 0
    dims: list[ast.Expr] = []
    for d in stmt.dimensions:
        e = d.expr
        if isinstance(e, ast.Call):
            if e.name.lower() != "time":
                raise QueryError("only time() calls allowed in dimensions")
            if not 1 <= len(e.args) <= 2:
                raise QueryError("time dimension expected 1 or 2 arguments")
            if not isinstance(e.args[0], ast.DurationLiteral):
                raise QueryError("time dimension must have duration argument")
            if interval:
                raise QueryError("multiple time dimensions not allowed")
            interval = e.args[0].val
            if interval <= 0:
                interval = 0
                continue
            if len(e.args) == 2:
                a = e.args[1]
                if isinstance(a, ast.DurationLiteral):
                    offset = _go_remainder(a.val, interval)  # sign kept, as Go: tz() looks it up
                elif isinstance(a, ast.Call) and a.name.lower() == "now":
                    offset = now % interval
                else:
                    raise QueryError(_offset_refusal(a))
        elif isinstance(e, ast.VarRef):
            if e.name.lower() == "time":
                raise QueryError("time() is a function and expects at least one argument")
            dims.append(e)
        elif isinstance(e, (ast.Wildcard, ast.RegexLiteral)):
            dims.append(e)
        else:
            raise QueryError("only time and tag dimensions allowed")
    return interval, offset, dims


_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}(?:.+)?\Z", re.S)


def _offset_refusal(arg) -> str:
    """1.x's words for a GROUP BY time() offset that is not a duration or now().

    A time string passes influxd's compile check (query/compile.go) but stays a string
    literal, which ``SelectStatement.GroupByOffset`` then refuses by its quoted text.
    """
    if isinstance(arg, ast.StringLiteral) and _DATE_LIKE.match(arg.val):
        try:
            parse_time_string(arg.val)
        except QueryError:
            return "invalid timestamp string"  # ToTimeLiteral's refusal, in compile
        return f"invalid time dimension offset: {quote_string(arg.val)}"
    return "time dimension offset must be duration or now()"


def _expand_dimensions(dims, known: SourceSchema) -> list[str]:
    out: list[str] = []
    for d in dims:
        if isinstance(d, ast.VarRef):
            names = [d.name]
        elif isinstance(d, ast.Wildcard):
            names = sorted(known.tags)
        else:
            pat = linear_regex.compile(d.val)
            names = sorted(t for t in known.tags if pat.search(t))
        out.extend(n for n in names if n not in out)
    return sorted(out)  # series are keyed by their sorted tag set


# -- wildcard expansion and naming ------------------------------------------------------------

def _expand_fields(fields, known: SourceSchema, dims: list[str], has_target: bool,
                   no_tags: bool = False, unique: bool = True, dialect: Dialect = Dialect.INFLUXDB1):
    """Expand wildcards; a ``*`` or regex GROUP BY keeps every tag out of ``SELECT *`` (influxd).
    A subquery's columns keep their names as they are (not ``unique``): influxd names them for
    the outer query before it makes them unique, and a repeated name reads its first column."""
    out: list[tuple[str, ast.Expr, bool]] = []
    keys = frozenset(dims)
    for f in fields:
        e = f.expr
        if isinstance(e, ast.Wildcard) or isinstance(e, ast.RegexLiteral):
            pat = linear_regex.compile(e.val) if isinstance(e, ast.RegexLiteral) else None
            want_f = not isinstance(e, ast.Wildcard) or e.type in (None, "field")
            want_t = (not isinstance(e, ast.Wildcard) or e.type in (None, "tag")) and not no_tags
            names = []
            if want_f:
                names += [(n, ast.VarRef(known.column(n), known.fields[n])) for n in known.fields]
            if want_t:
                names += [(n, ast.VarRef(n, "tag")) for n in known.tags
                          if n not in dims]
            for n, ref in sorted(names, key=lambda x: x[0]):
                if pat is None or pat.search(n):
                    out.append((n, ref, False))
            continue
        call = _wild_call(e)
        if call is not None:
            arg = call.args[0]
            pat = linear_regex.compile(arg.val) if isinstance(arg, ast.RegexLiteral) else None
            supported = F.spec(call.name).input_types
            base = f.alias or e.name  # the outer call's: derivative(max(*)) → derivative_<field> (influxd)
            for n in sorted(known.fields):
                if known.fields[n] in supported and (pat is None or pat.search(n)):
                    ref = ast.VarRef(known.column(n), known.fields[n])
                    out.append((generated_name(base, n, dialect), _bind(_replace_arg(e, call, ref), known, keys),
                                True))
            continue
        out.append((f.alias if f.alias is not None else _field_name(e, dialect), _bind(e, known, keys),
                    f.alias is not None))
        if isinstance(e, ast.Call) and F.spec(e.name).first_arg == F.SELECTED and not has_target:
            out.extend((a.name, _bind(a, known, keys), False) for a in e.args[1:-1])
    if unique and dialect is Dialect.INFLUXDB3:
        names = names3.column_names([n for n, _, _ in out], [e for _, e, _ in out], [tag_name(d) for d in dims])
    else:
        names = _column_names(out) if unique else [n for n, _, _ in out]
    columns = [Column(n, e) for n, (_, e, _) in zip(names, out)]
    types: dict[str, str] = {}
    for c in columns:
        types.setdefault(c.name, _expr_type(c.expr))
    return columns, types


def _v3_arithmetic(columns: list, types: dict, rule=None) -> list:
    """The columns with InfluxDB 3's integer/unsigned arithmetic (dialects/arith3.py); its
    refusals as the planning errors v3 answers. With ``rule``, ``columns`` are conditions
    rewritten by it (arith3.rewrite_condition)."""
    try:
        if rule is not None:
            return [rule(c, types) for c in columns]
        return [replace(c, expr=arith3.rewrite(c.expr, types)) for c in columns]
    except arith3.MixedIntegers as e:
        raise QueryError(f"datafusion error: Error during planning: {e}") from None


def generated_name(base: str, field: str, dialect: Dialect) -> str:
    """The column of a wildcard call over ``field``, ``<call or alias>_<field>``: InfluxDB
    1.x writes the field bare (``RewriteFields``: ``fmt.Sprintf("%s_%s", f.Name(), ref.Val)``);
    InfluxDB 3 writes it as an ``Identifier`` prints (rewriter.rs ``format!("{}_{}",
    field_name(&f), var_ref_name)``): quoted when a v3 keyword or not a bare identifier,
    ``median_"and"``, ``median_"my field"``."""
    if dialect is Dialect.INFLUXDB3:
        return f"{base}_{v3_identifier(field)}"
    return f"{base}_{field}"


def _wild_call(e):
    """The innermost call whose argument is a wildcard/regex (``mean(*)``, ``derivative(max(*))``)."""
    if isinstance(e, ast.Call) and e.args:
        a = e.args[0]
        if isinstance(a, (ast.Wildcard, ast.RegexLiteral)):
            return e
        if isinstance(a, ast.Call):
            return _wild_call(a)
    return None


def _replace_arg(e, target, ref):
    if e is target:
        return ast.Call(e.name, (ref,) + tuple(e.args[1:]))
    return ast.Call(e.name, (_replace_arg(e.args[0], target, ref),) + tuple(e.args[1:]))


def _field_name(e, dialect: Dialect = Dialect.INFLUXDB1) -> str:
    if isinstance(e, ast.Call):
        return e.name
    if isinstance(e, ast.Distinct):
        return "distinct"
    if isinstance(e, ast.VarRef):
        return e.name
    if isinstance(e, ast.ParenExpr):
        return _field_name(e.expr, dialect)
    if isinstance(e, ast.BinaryExpr):
        return "_".join(_names_in(e, dialect))
    return ""


def _names_in(e, dialect: Dialect = Dialect.INFLUXDB1) -> list[str]:
    """Names of the fields and calls of an expression, in order (a call's arguments not).
    InfluxDB 3 prints a field as an ``Identifier`` here (field.rs ``BinaryExprNameVisitor``:
    ``self.0.push(n.name.to_string())``, quoted as :func:`generated_name` quotes), a call bare."""
    named = (ast.VarRef, ast.Call, ast.Distinct)
    field = v3_identifier if dialect is Dialect.INFLUXDB3 else str
    return ["distinct" if isinstance(n, ast.Distinct) else field(n.name) if isinstance(n, ast.VarRef)
            else n.name
            for n in find(e, named, prune=lambda n: isinstance(n, (ast.Call, ast.Distinct)))]


def _column_names(out) -> list[str]:
    """InfluxDB's ColumnNames: aliases are kept; generated names get ``_1``, ``_2``...
    skipping any name already taken."""
    taken: dict[str, int] = {}
    for name, _, is_alias in out:
        if is_alias:
            taken[name] = 1
    names = []
    for name, _, is_alias in out:
        if not is_alias:
            count = taken.get(name)
            if count is not None:
                while f"{name}_{count}" in taken:
                    count += 1
                taken[name] = count + 1
                name = f"{name}_{count}"
            taken[name] = taken.get(name, 0) + 1
        names.append(name)
    return names


def _bind(e, known: SourceSchema, keys: frozenset[str] = frozenset()):
    """Annotate every VarRef with its type: a field type name, ``tag``, or None (unknown).

    ``keys`` are the GROUP BY names of a SELECT list: one the data lacks is a grouping key of
    empty strings at execution, yet to the SELECT list it stays an unknown field (null)."""
    if isinstance(e, ast.VarRef):
        if e.type in ("field", None):
            if e.name in known.fields:
                return ast.VarRef(known.column(e.name), known.fields[e.name])
            if e.type is None and e.name in known.tags:
                return ast.VarRef(e.name, "tag")
            if e.name in known.hidden:
                return ast.VarRef(e.name, "unknown")
            return ast.VarRef(known.column(e.name), None if e.type is None and e.name not in keys else "unknown")
        if e.type == "tag":
            return ast.VarRef(e.name, "tag" if e.name in known.tags else "unknown")
        if known.time_is_field and field_key(e.name) not in known.fields and e.name not in ("time", TIME_FIELD):
            return ast.VarRef(NO_FIELD + e.name, e.type)  # influxd: a cast reads a field (t::string of a tag: nil)
        # a cast: keep the target type, remember the source type via the known at execution
        column = known.column(e.name)
        return e if column == e.name else ast.VarRef(column, e.type)
    if isinstance(e, ast.Call):
        args = tuple(_bind(a, known, keys) for a in e.args)
        a0 = args[0] if args else None
        if e.name in AGGREGATES and isinstance(a0, ast.VarRef) and a0.type == "tag":
            args = (ast.VarRef(a0.name, "tagarg"),) + args[1:]  # influxd aggregates fields only
        return ast.Call(e.name, args)
    if isinstance(e, ast.Distinct):
        return ast.Call("distinct", (_bind(ast.VarRef(e.val), known, keys),))
    if isinstance(e, ast.BinaryExpr):
        return ast.BinaryExpr(e.op, _bind(e.lhs, known, keys), _bind(e.rhs, known, keys))
    if isinstance(e, ast.ParenExpr):
        return ast.ParenExpr(_bind(e.expr, known, keys))
    return e


def _expr_type(e) -> str:
    if isinstance(e, ast.VarRef):
        return {"tag": "string", None: "float", "unknown": "float", "tagarg": "float"}.get(e.type, e.type)
    if isinstance(e, ast.Call):
        result = F.spec(e.name).result
        if result != "input":
            return result
        if e.args:
            return _expr_type(e.args[0])
    return "float"


def _needed_columns(columns, condition, dims, known: SourceSchema, raw: bool) -> tuple[str, ...]:
    refs: set[str] = {d for d in dims if not d.endswith(KEY_ONLY)}
    for c in columns:
        refs.update(_refs(c.expr))
    if condition is not None:
        refs.update(_refs(condition))
    if raw or any(c.name in ("mode", "percentile") for col in columns for c in find(col.expr, ast.Call)):
        refs.update(known.tags)  # raw rows of one time are ordered by their series key, and
        # so are the points of one time mode()/percentile() hand to Go's sort (exec/go_ties.py)
        # (``raw``: also the points of each series a limited top()/bottom() reads)
    refs.discard("time")
    return tuple(sorted(refs))


def _refs(e) -> set[str]:
    return {r.name for r in find(e, ast.VarRef)}


def _go_remainder(a: int, b: int) -> int:
    """Go's ``%`` (the sign of ``a``): ``time(1d, -3h)`` keeps -3h, which matters under tz()."""
    r = abs(a) % b
    return -r if a < 0 else r
