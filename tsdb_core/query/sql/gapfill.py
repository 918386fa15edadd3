"""``date_bin_gapfill`` with ``locf`` / ``interpolate``: InfluxDB 3's gap filling, after Polars' aggregate.

InfluxDB 3 (IOx's ``HandleGapFill``) plans a gap-filling query as the aggregate with
``date_bin`` in place of ``date_bin_gapfill``, then a GapFill step that emits, for every series
(the other GROUP BY columns), one row per bin from ``date_bin(lower bound)`` to
``date_bin(upper bound)`` of the WHERE clause's time range: missing rows get null (0 for
``count``), ``locf(agg)`` carries the last non-null value forward (nulls of present rows too),
``interpolate(agg)`` draws a line between the non-null values around a gap (integers
truncated, as InfluxQL does). Both bounds are required, with IOx's errors when missing.

:func:`plan` reads that out of the SELECT (and rewrites it to what Polars runs); :func:`apply`
fills the aggregate's answer. ORDER BY / LIMIT / OFFSET move after the filling.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlglot import exp

from ...base.errors import LimitExceeded, QueryError
from .literals import constant_ns, date_bin_sql, origin_of, stride_of
from .temporal import date_bin

__all__ = ["GapFillPlan", "plan", "apply", "MAX_BINS", "FILLS"]

MAX_BINS = 10_000_000  # bins a gap-filling query may emit per series
FILLS = ("locf", "interpolate")
_AGGREGATES = frozenset("""avg count first last max median min quantile_cont quantile_disc stddev stddev_samp
stddev_pop std sum variance var var_samp var_pop array_agg string_agg bool_and bool_or corr covar covar_pop
covar_samp bit_and bit_or bit_xor""".split())


def _plan_error(text: str) -> QueryError:
    return QueryError(f"SQL error: Error during planning: {text}")


@dataclass(frozen=True)
class GapFillPlan:
    stride: int
    origin: int
    lower: int  # first time the range admits (ns, inclusive)
    upper: int  # last time the range admits (ns, inclusive)
    time: str  # the output column of date_bin_gapfill
    series: tuple[str, ...]
    fills: tuple[tuple[str, str], ...]  # (output column, "locf" | "interpolate" | "count")
    order: tuple[tuple[str, bool], ...]  # (output column, descending)
    limit: int | None
    offset: int


def plan(tree: exp.Expression) -> GapFillPlan | None:
    """The gap filling ``tree`` asks for (None: none), with the tree rewritten for Polars."""
    calls = [n for n in tree.find_all(exp.Anonymous) if n.name.lower() == "date_bin_gapfill"]
    if not calls:
        fill = next((n for n in tree.find_all(exp.Anonymous) if n.name.lower() in FILLS), None)
        if fill is not None:
            raise _plan_error(f"{fill.name.lower()} may only be used in the SELECT list of a gap-filling query")
        return None
    sel = calls[0].parent_select
    if not isinstance(tree, exp.Select) or any(c.parent_select is not tree for c in calls):
        raise QueryError("SQL error: This feature is not implemented: date_bin_gapfill outside the "
                         "outermost SELECT")
    if len({c.sql() for c in calls}) > 1:
        raise _plan_error("DATE_BIN_GAPFILL specified more than once")
    if not sel.args.get("group"):
        raise _plan_error("date_bin_gapfill may only be used as a GROUP BY expression")
    if sel.args.get("having"):
        raise QueryError("SQL error: This feature is not implemented: HAVING in a gap-filling query")
    args = calls[0].expressions
    if len(args) not in (2, 3):
        raise _plan_error("DATE_BIN_GAPFILL expects 2 or 3 arguments")
    if not isinstance(args[1], exp.Column):
        raise _plan_error("DATE_BIN_GAPFILL requires a column as the source argument")
    stride = stride_of(args[0], "DATE_BIN_GAPFILL")
    origin = origin_of(args[2] if len(args) == 3 else None, "DATE_BIN_GAPFILL")
    lower, upper = _time_range(sel, args[1].name)
    names = _name_items(sel)
    time, series = _group_columns(sel, names, calls[0])
    fills = _fills(sel, names, {time, *series})
    order, limit, offset = _take_order(sel, names)
    for c in calls:
        c.replace(date_bin_sql(c.expressions[1].copy(), stride, origin))
    return GapFillPlan(stride, origin, lower, upper, time, tuple(series), fills, order, limit, offset)


def _conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node] if node is not None else []


_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _time_range(sel: exp.Select, time: str) -> tuple[int, int]:
    """The inclusive [lower, upper] ns of the WHERE clause's top-level time conditions."""
    where = sel.args.get("where")
    lower = upper = None
    for c in _conjuncts(where.this if where else None):
        if isinstance(c, exp.Between) and _is_col(c.this, time):
            bounds = [(exp.GTE, c.args["low"]), (exp.LTE, c.args["high"])]
        elif type(c) in _FLIP and _is_col(c.this, time):
            bounds = [(type(c), c.expression)]
        elif type(c) in _FLIP and _is_col(c.expression, time):
            bounds = [(_FLIP[type(c)], c.this)]
        else:
            continue
        for op, value in bounds:
            ns = constant_ns(value)
            if ns is None:
                side = "lower" if op in (exp.GT, exp.GTE) else "upper"
                raise _plan_error(f"{side} time bound for gap fill query must evaluate to a scalar")
            if op in (exp.GT, exp.GTE, exp.EQ):
                lower = max(lower if lower is not None else ns, ns + (op is exp.GT))
            if op in (exp.LT, exp.LTE, exp.EQ):
                upper = min(upper if upper is not None else ns, ns - (op is exp.LT))
    if lower is None and upper is None:
        raise _plan_error("gap-filling query is missing both upper and lower time bounds")
    if lower is None:
        raise _plan_error("gap-filling query is missing lower time bound")
    if upper is None:
        raise _plan_error("gap-filling query is missing upper time bound")
    return lower, upper


def _is_col(node: exp.Expression, name: str) -> bool:
    return isinstance(node, exp.Column) and node.name == name


def _name_items(sel: exp.Select) -> list[str]:
    """Every SELECT item's output name, aliasing the unnamed ones with DataFusion's display name."""
    names = []
    for item in list(sel.expressions):
        if isinstance(item, exp.Star):
            raise QueryError("SQL error: This feature is not implemented: SELECT * in a gap-filling query")
        if not isinstance(item, (exp.Alias, exp.Column)):
            named = exp.Alias(alias=exp.to_identifier(item.sql(normalize_functions="lower"), quoted=True))
            item.replace(named)
            named.set("this", item)  # the same node: calls found in it stay in the tree
            item = named
        names.append(item.alias_or_name)
    return names


def _item_of(sel: exp.Select, names: list[str], g: exp.Expression) -> int | None:
    """The SELECT item a GROUP BY / ORDER BY expression names (position, alias or same expression)."""
    if isinstance(g, exp.Literal) and not g.is_string and 1 <= int(g.this) <= len(names):
        return int(g.this) - 1
    if isinstance(g, exp.Column) and not g.table and g.name in names:
        return names.index(g.name)
    for i, item in enumerate(sel.expressions):
        if (item.this if isinstance(item, exp.Alias) else item) == g:
            return i
    return None


def _group_columns(sel: exp.Select, names: list[str], call: exp.Anonymous) -> tuple[str, list[str]]:
    time, series = None, []
    for g in sel.args["group"].expressions:
        i = _item_of(sel, names, g)
        if i is None:
            raise QueryError("SQL error: This feature is not implemented: a GROUP BY expression of a "
                             f"gap-filling query that is not in the SELECT list: {g.sql()}")
        item = sel.expressions[i]
        if (item.this if isinstance(item, exp.Alias) else item) == call or g == call:
            time = names[i]
        elif call in item.find_all(exp.Anonymous):
            raise _plan_error("DATE_BIN_GAPFILL must be a top-level expression in the GROUP BY clause when "
                              "gap filling. It cannot be part of another expression or cast")
        else:
            series.append(names[i])
    if time is None:
        raise _plan_error("date_bin_gapfill may only be used as a GROUP BY expression")
    return time, series


def _fills(sel: exp.Select, names: list[str], keys: set[str]) -> tuple[tuple[str, str], ...]:
    """The fill of each aggregate column; ``locf(x)`` / ``interpolate(x)`` become ``x``."""
    fills = []
    for item, name in zip(sel.expressions, names):
        if name in keys:
            continue
        body = item.this if isinstance(item, exp.Alias) else item
        fn = body.name.lower() if isinstance(body, exp.Anonymous) else ""
        if fn in FILLS:
            if len(body.expressions) != 1:
                raise _plan_error(f"{fn} should have at least 1 argument")
            arg = body.expressions[0]
            if not _is_aggregate(arg):
                raise _plan_error(f"{fn} must be called on an aggregate column in a gap-filling query")
            body.replace(arg)
            body = arg
            fills.append((name, fn))
        elif fn == "count":
            fills.append((name, "count"))
        for inner in body.find_all(exp.Anonymous):
            if inner.name.lower() in FILLS:
                raise _plan_error(f"{inner.name.lower()} must be called on an aggregate column in a "
                                  "gap-filling query")
    return tuple(fills)


def _is_aggregate(node: exp.Expression) -> bool:
    if isinstance(node, exp.Bracket):
        node = node.this
    return isinstance(node, exp.Anonymous) and (node.name.lower() in _AGGREGATES
                                                or node.name.lower().startswith("selector_"))


def _take_order(sel: exp.Select, names: list[str]):
    """ORDER BY / LIMIT / OFFSET, taken off the SELECT to run after the filling."""
    order = []
    for o in (sel.args.get("order").expressions if sel.args.get("order") else []):
        i = _item_of(sel, names, o.this)
        if i is None:
            raise QueryError("SQL error: This feature is not implemented: ORDER BY in a gap-filling query "
                             f"on something not in the SELECT list: {o.this.sql()}")
        order.append((names[i], bool(o.args.get("desc"))))
    limit = _count(sel.args.get("limit"))
    offset = _count(sel.args.get("offset")) or 0
    for key in ("order", "limit", "offset"):
        sel.set(key, None)
    return tuple(order), limit, offset


def _count(node) -> int | None:
    if node is None:
        return None
    value = node.expression if isinstance(node, exp.Limit) else node.expression or node.this
    if not isinstance(value, exp.Literal) or value.is_string:
        raise QueryError("SQL error: This feature is not implemented: a LIMIT or OFFSET that is not a number "
                         "in a gap-filling query")
    return int(value.this)


# -- filling --------------------------------------------------------------------------

def apply(lf: pl.LazyFrame, p: GapFillPlan) -> pl.LazyFrame:
    """The aggregate's answer with every series' missing bins added and filled."""
    first, last = date_bin(p.stride, p.lower, p.origin), date_bin(p.stride, p.upper, p.origin)
    n = (last - first) // p.stride + 1 if last >= first else 0
    if n > MAX_BINS:
        raise LimitExceeded(f"SQL error: gap filling would make {n} rows per series (limit {MAX_BINS})")
    schema = lf.collect_schema()
    columns = list(schema)
    time_type = schema[p.time]
    bins = pl.LazyFrame({p.time: pl.int_range(first, first + n * p.stride, p.stride, eager=True,
                                              dtype=pl.Int64)}).select(pl.col(p.time).cast(time_type))
    keys = list(p.series)
    grid = lf.select(keys).unique().join(bins, how="cross") if keys else bins
    out = grid.join(lf, on=[*keys, p.time], how="left", nulls_equal=True).sort([*keys, p.time])
    for name, how in p.fills:
        if how == "interpolate" and not schema[name].is_numeric():
            raise QueryError(f"SQL error: This feature is not implemented: interpolate of {schema[name]} "
                             f"values ({name}): only integers and floats")
    fills = [_fill(name, how, p.time, keys, schema[name]) for name, how in p.fills]
    out = out.with_columns(fills).select(columns) if fills else out.select(columns)
    if p.order:
        out = out.sort([c for c, _ in p.order], descending=[d for _, d in p.order], nulls_last=True,
                       maintain_order=True)
    if p.offset or p.limit is not None:
        out = out.slice(p.offset, p.limit)
    return out


def _fill(name: str, how: str, time: str, keys: list[str], dtype: pl.DataType) -> pl.Expr:
    def over(e: pl.Expr) -> pl.Expr:
        return e.over(keys) if keys else e

    col = pl.col(name)
    if how == "count":
        return col.fill_null(0)
    if how == "locf":
        return over(col.forward_fill())
    t = pl.col(time).cast(pl.Int64)
    known = pl.when(col.is_not_null()).then(t)
    prev_t, next_t = over(known.forward_fill()), over(known.backward_fill())
    prev_v, next_v = over(col.forward_fill()), over(col.backward_fill())
    if dtype.is_integer() and dtype.is_signed_integer():
        rise = (next_v - prev_v).cast(pl.Float64)
    else:
        rise = next_v.cast(pl.Float64) - prev_v.cast(pl.Float64)
    slope = rise / (next_t - prev_t).cast(pl.Float64)
    value = slope * (t - prev_t).cast(pl.Float64) + prev_v.cast(pl.Float64)
    gap = col.is_null() & prev_t.is_not_null() & next_t.is_not_null()
    return pl.when(gap).then(value.cast(dtype, strict=False)).otherwise(col).alias(name)
