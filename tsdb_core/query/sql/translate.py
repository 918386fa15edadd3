"""InfluxDB 3's SQL functions as SQL that Polars runs: a rewrite of the parsed (sqlglot) tree.

Polars' SQL has no ``date_bin``, selectors, struct values or gap filling, and reads
``now()`` as local wall time and ``'...+02:00'`` ignoring the offset. The rewrite:

- ``now()`` → the query's start time as a nanosecond literal (one value per query, as DataFusion);
- ``time <op> '<RFC 3339>'`` → the same instant as a UTC string (offsets honoured, nanoseconds kept);
- a time literal plus or minus fixed intervals → one literal (so the scan's time range sees it);
- ``INTERVAL '1 hour 30 minutes'`` → one interval Polars reads (``'5400000000000 nanoseconds'``);
- ``date_bin(stride, t[, origin])`` → integer arithmetic on ``CAST(t AS BIGINT)`` (floor to the grid);
- ``selector_first|last|min|max(v, t)['value'|'time']`` → an ordered ``array_agg`` picked at 1;
  a bare selector in the SELECT list becomes two hidden columns that :mod:`.post` packs into the
  struct ``{value, time}``;
- ``date_bin_gapfill`` / ``locf`` / ``interpolate`` → :mod:`.gapfill` (its plan is returned here).

The result is checked by :mod:`.guard`'s allow-lists like any user SQL, so a rewrite cannot
introduce anything a user could not write: every node made here is plain arithmetic,
casts, CASE and allow-listed aggregates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from ...base.errors import QueryError
from ...base.time import format_rfc3339
from . import gapfill as gf
from .literals import constant_ns, date_bin_sql, interval_text, origin_of, stride_of, ts_literal
from .temporal import parse_interval, parse_timestamp

__all__ = ["Translation", "StructColumn", "translate"]

SELECTORS = ("selector_first", "selector_last", "selector_min", "selector_max")
_COMPARE = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


@dataclass(frozen=True)
class StructColumn:
    """A selector's struct output: ``name`` packs the hidden columns ``value`` and ``time``."""

    name: str
    value: str
    time: str


@dataclass
class Translation:
    tree: exp.Expression
    structs: list[StructColumn] = field(default_factory=list)
    gapfill: gf.GapFillPlan | None = None


def translate(tree: exp.Expression, now_ns: int) -> Translation:
    """Rewrite ``tree`` in place into SQL Polars runs; the post-processing the answer needs.

    One walk finds what the query uses; each rewrite runs only when its trigger is there, so
    plain SQL pays one walk."""
    names, strings, intervals = _survey(tree)
    if "now" in names:
        _replace_now(tree, now_ns)
    if strings:
        _time_strings(tree)
    if intervals:
        _intervals(tree)
        _fold_times(tree)
    plan = gf.plan(tree) if names & {"date_bin_gapfill", *gf.FILLS} else None
    if "date_bin" in names:
        _date_bins(tree)
    out = Translation(tree, gapfill=plan)
    if names & set(SELECTORS):
        _selectors(tree, out)
    return out


def _survey(tree: exp.Expression) -> tuple[set[str], bool, bool]:
    """(function names, has string literals, has intervals) of ``tree``."""
    names: set[str] = set()
    strings = intervals = False
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            names.add(node.name.lower())
        elif isinstance(node, exp.Literal):
            strings = strings or node.is_string
        elif isinstance(node, exp.Interval):
            intervals = True
    return names, strings, intervals


# -- literals -----------------------------------------------------------------------

def _replace_now(tree: exp.Expression, now_ns: int) -> None:
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() == "now":
            if node.expressions:
                raise QueryError("SQL error: Error during planning: now() takes no arguments")
            node.replace(ts_literal(now_ns))


def _is_time(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and node.name == "time"


def _time_strings(tree: exp.Expression) -> None:
    """``time`` compared with a string: the string read as DataFusion reads a timestamp, given to
    Polars in UTC (``...Z``, nanoseconds kept)."""
    for node in list(tree.find_all(*_COMPARE, exp.Between, exp.In)):
        if isinstance(node, exp.Between):
            sides = ["low", "high"] if _is_time(node.this) else []
        elif isinstance(node, exp.In):
            sides = ["expressions"] if _is_time(node.this) else []
        else:
            sides = ["expression"] if _is_time(node.this) else ["this"] if _is_time(node.expression) else []
        for key in sides:
            values = node.args.get(key)
            for v in values if isinstance(values, list) else [values]:
                if isinstance(v, exp.Literal) and v.is_string:
                    text = format_rfc3339(parse_timestamp(v.this))  # UTC: Polars ignores offsets
                    if text != v.this:
                        v.replace(exp.Literal.string(text))


def _intervals(tree: exp.Expression) -> None:
    """Intervals in DataFusion's spelling → one Polars reads (fixed ones as nanoseconds)."""
    for node in list(tree.find_all(exp.Interval)):
        if not isinstance(node.this, exp.Literal):
            continue
        months, nanos = parse_interval(interval_text(node))
        if months and nanos:
            continue  # Polars reads mixed calendar intervals itself
        text = f"{months} months" if months else f"{nanos} nanoseconds"
        node.replace(exp.Interval(this=exp.Literal.string(text)))


def _fold_times(tree: exp.Expression) -> None:
    """``now() - INTERVAL '1 hour'`` (a time literal plus or minus fixed intervals) → one literal, so
    the scan's time range sees it."""
    for node in list(tree.find_all(exp.Add, exp.Sub)):
        if node.root() is not tree:
            continue  # inside a part already folded
        ns = constant_ns(node)
        if ns is not None:
            node.replace(ts_literal(ns))


# -- date_bin -----------------------------------------------------------------------

def _date_bins(tree: exp.Expression) -> None:
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() != "date_bin":
            continue
        args = node.expressions
        if len(args) not in (2, 3):
            raise QueryError("SQL error: Error during planning: DATE_BIN expected two or three arguments")
        stride, origin = stride_of(args[0]), origin_of(args[2] if len(args) == 3 else None)
        source = args[1]
        if isinstance(source, exp.Literal) and source.is_string:  # a time string, as DataFusion reads it
            source = ts_literal(parse_timestamp(source.this))
        node.replace(date_bin_sql(source.copy(), stride, origin))


# -- selectors ----------------------------------------------------------------------

def _selector_parts(call: exp.Anonymous) -> tuple[exp.Expression, exp.Expression]:
    """(value, time) of ``selector_x(v, t)`` as SQL aggregates; null values are skipped."""
    fn = call.name.lower()
    if len(call.expressions) != 2:
        raise QueryError(f"SQL error: This feature is not implemented: {fn} with other than two arguments "
                         "(value, time)")
    v, t = call.expressions
    keys = {"selector_first": [(t, False)], "selector_last": [(t, True)],
            "selector_min": [(v, False), (t, False)], "selector_max": [(v, True), (t, False)]}[fn]
    order = [exp.Ordered(this=exp.Is(this=v.copy(), expression=exp.Null()), nulls_first=False)]
    order += [exp.Ordered(this=k.copy(), desc=desc, nulls_first=False) for k, desc in keys]

    def pick(of: exp.Expression) -> exp.Expression:
        agg = exp.Anonymous(this="array_agg", expressions=[exp.Order(this=of.copy(), expressions=[
            o.copy() for o in order])])
        return exp.Anonymous(this="array_get", expressions=[agg, exp.Literal.number(1)])

    no_value = exp.EQ(this=exp.Anonymous(this="count", expressions=[v.copy()]), expression=exp.Literal.number(0))
    time = exp.Case(ifs=[exp.If(this=no_value, true=exp.Null())], default=pick(t))
    return pick(v), time


def _selector_name(call: exp.Anonymous, tables: list[str]) -> str:
    """DataFusion's column name: ``selector_last(cpu.usage,cpu.time)``."""
    q = f"{tables[0]}." if len(tables) == 1 else ""
    args = ",".join(a.sql() if not isinstance(a, exp.Column) or a.table else q + a.name
                    for a in call.expressions)
    return f"{call.name.lower()}({args})"


def _is_selector(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() in SELECTORS


def _selectors(tree: exp.Expression, out: Translation) -> None:
    tables = sorted({t.name for t in tree.find_all(exp.Table)})
    for node in list(tree.find_all(exp.Bracket)):  # selector_x(v, t)['value'] / ['time']
        if not _is_selector(node.this):
            continue
        keys = node.expressions
        key = keys[0].this if len(keys) == 1 and isinstance(keys[0], exp.Literal) and keys[0].is_string else None
        if key not in ("value", "time"):
            raise QueryError(f"SQL error: Error during planning: {node.this.name.lower()} has the fields "
                             "'value' and 'time'")
        value, time = _selector_parts(node.this)
        part = value if key == "value" else time
        name = f"{_selector_name(node.this, tables)}[{key}]"
        if isinstance(node.parent, exp.Select):
            part = exp.alias_(part, name, quoted=True)
        node.replace(part)
    _bare_selectors(tree, out, tables)


def _bare_selectors(tree: exp.Expression, out: Translation, tables: list[str]) -> None:
    """A selector as a whole SELECT item: two hidden columns, packed into a struct afterwards."""
    for node in list(tree.find_all(exp.Anonymous)):
        if not _is_selector(node):
            continue
        item = node.parent if isinstance(node.parent, exp.Alias) else node
        if item.parent is not tree or not isinstance(tree, exp.Select):
            raise QueryError(f"SQL error: This feature is not implemented: {node.name.lower()}(...) as a "
                             "struct outside the SELECT list; use its ['value'] or ['time']")
        name = item.alias if isinstance(item, exp.Alias) else _selector_name(node, tables)
        n = len(out.structs)
        value, time = _selector_parts(node)
        hidden = StructColumn(name, f"__selector_{n}_value", f"__selector_{n}_time")
        out.structs.append(hidden)
        pos = tree.expressions.index(item)
        tree.set("expressions", tree.expressions[:pos] + [
            exp.alias_(value, hidden.value, quoted=True), exp.alias_(time, hidden.time, quoted=True)]
            + tree.expressions[pos + 1:])
