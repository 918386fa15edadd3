"""InfluxDB 3's plans of a raw SELECT of expressions: casts, arithmetic, math calls, missing columns.

The shape drawn: ``SELECT <exprs> FROM <one measurement> [WHERE <time range> [AND tag = 'v' ...]]
[GROUP BY <tags>]``, ascending, no LIMIT, OFFSET, fill, SLIMIT or tz(), where an expr is a field
with or without ``::type``, a column not in the table, a tag (alone), ``time`` (alone, maybe
aliased), a math call over a float, or ``+ - *`` between operands of one numeric type (a NULL
operand making the operation NULL); any expr may be aliased. The planner's plan is
iox_query_influxql planner.rs (varref_to_df_expr: a cast to the field's own type is the column,
between numeric types a CAST, else NULL; a column not in the table NULL; scalar_math_func_to_df_expr:
``log(x, b)`` is DataFusion's ``log(Float64(b), x)``, ``atan2``'s literals Float64, ``pow``
the ``power`` UDF) and planner_rewrite_expression.rs rewrite_binary_expr (NULL with a number is
NULL); the filter tests the fields read, the Sort is on time and the tags selected (planner tests
select_cast_postfix_operator, select_raw__simple_arithmetic_in_projection,
mathematical_scalar_functions, scalar_functions, mixture_of_existing_and_missing_fields,
time_column, single_measurement). No field of the table read: an EmptyRelation (whose physical
plan is DataFusion's EmptyExec). DataFusion's rules are selectplan3.py's (push_down_filter hands
the filter to the scan, optimize_projections narrows the scan to the columns the projection
reads: a field read only by the filter is not scanned). The physical plan stays this store's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ast import expr as A
from .aggcalls3 import ARROW, NUMERIC
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters

EMPTY = "EmptyRelation: rows=0"
UNARY = frozenset({"abs", "sin", "cos", "tan", "asin", "acos", "atan", "exp", "ln", "log2", "log10", "sqrt",
                   "ceil", "floor"})
PRECEDENCE = {"+": 30, "-": 30, "*": 40}  # DataFusion's Operator::precedence


@dataclass(frozen=True, slots=True)
class Out:
    """One projected column: its name, its planner text, the fields it reads (the filter tests
    them), the columns its text holds (the scan keeps them), its Arrow type (``Null``: NULL)."""

    name: str
    text: str
    reads: frozenset[str]
    kind: str
    precedence: int = 99
    scans: frozenset[str] = frozenset()


def expr_select(stmt, table: Table | None, types: dict[str, str], lower, upper, tags) -> Plans | None:
    """v3's plans of ``stmt`` when it has the shape drawn (see the module), else None.
    ``types``: the fields' InfluxQL types; ``tags``: the WHERE's ``tag = 'v'`` tests (None: other
    conditions)."""
    group = _group(stmt, table) if table is not None else None
    src = stmt.sources[0] if len(stmt.sources) == 1 else None
    if not isinstance(src, A.Measurement) or src.name != getattr(table, "name", None) or src.database is not None \
            or src.retention_policy is not None:
        return None
    if table is None or tags is None or group is None or stmt.into is not None or stmt.fill is not None \
            or stmt.slimit or stmt.soffset or stmt.limit or stmt.offset or stmt.location is not None \
            or not stmt.time_ascending or (lower is not None and upper is not None and lower > upper):
        return None
    time_name, outs = "time", []
    for f in stmt.fields:
        e = _bare(f.expr)
        if isinstance(e, A.VarRef) and e.name == "time" and e.type is None:
            time_name = f.alias or "time"
            continue
        if isinstance(e, A.VarRef) and e.name in table.tags and e.type in (None, "tag"):
            out = Out(e.name, f"{table.name}.{e.name}", frozenset(), "Dictionary", scans=frozenset({e.name}))
        else:
            out = _expr(e, table, types)
        if out is None:
            return None
        outs.append(Out(f.alias or out.name, out.text, out.reads, out.kind, scans=out.scans))
    names = [time_name, *(g for g in group if g not in {o.name for o in outs}), *(o.name for o in outs)]
    if all(o.kind == "Dictionary" for o in outs) or len(set(names)) != len(names):  # (tags alone: not drawn)
        return None
    fields = sorted({r for o in outs for r in o.reads})
    if not fields:
        return Plans(EMPTY, physical="EmptyExec\n")
    return _plans(table, outs, names, fields, lower, upper, tags, group, time_name)


def _group(stmt, table: Table) -> list[str] | None:
    """The GROUP BY names, sorted and deduplicated (planner.rs select_query_to_plan), when each
    is a tag or a column not in the table (projected as NULL, no Sort key: planner test
    select_single_measurement_group_by-6); None otherwise."""
    names = set()
    for d in stmt.dimensions:
        if not isinstance(d.expr, A.VarRef) or d.expr.type not in (None, "tag") or d.expr.name in table.fields \
                or d.expr.name == "time":
            return None
        names.add(d.expr.name)
    return sorted(names)


def _plans(table: Table, outs: list[Out], names, fields, lower, upper, tags, group, time_name) -> Plans:
    """The planner's plan and DataFusion's push_down_filter and optimize_projections steps."""
    m = table.name
    grouped = [f"{m}.{g} AS {g}" if g in table.tags else f"NULL AS {g}" for g in group if g not in {o.name for o in outs}]
    exprs = [f"{m}.time AS {time_name}", *grouped, *(f"{o.text} AS {o.name}" for o in outs)]
    projection = f"Projection: {dict_literal(m)} AS iox::measurement, " + ", ".join(exprs)
    selected = [o.name for o in outs if o.kind == "Dictionary" and o.name not in group]
    sort = "Sort: " + ", ".join([*(f"{g} ASC NULLS LAST" for g in group if g in table.tags), f"{time_name} ASC NULLS LAST",
                                 *(f"{t} ASC NULLS LAST" for t in selected)])
    base, pushed = scan_filters(m, fields, tags, lower, upper)
    scanned = ", ".join(sorted({"time", *(g for g in group if g in table.tags), *(c for o in outs for c in o.scans)}))
    return Plans(plan_block(sort, plan_block(projection, base)), (
        ("push_down_filter", plan_block(sort, plan_block(projection, f"TableScan: {m}, {pushed}"))),
        ("optimize_projections", plan_block(sort, plan_block(projection,
                                                             f"TableScan: {m} projection=[{scanned}], {pushed}")))))


def _bare(e):
    while isinstance(e, A.ParenExpr):
        e = e.expr
    return e


def _expr(e, table: Table, types: dict[str, str]) -> Out | None:
    """An expression as v3's planner prints it, or None when not drawn."""
    e = _bare(e)
    if isinstance(e, A.VarRef):
        return _varref(e, table, types)
    if isinstance(e, A.IntegerLiteral):
        return Out("", f"Int64({e.val})", frozenset(), "Int64")
    if isinstance(e, A.NumberLiteral):
        return Out("", _float(e.val), frozenset(), "Float64")
    if isinstance(e, A.BinaryExpr) and e.op in PRECEDENCE:
        return _binary(e, table, types)
    if isinstance(e, A.Call):
        return _call(e, table, types)
    return None


def _varref(e: A.VarRef, table: Table, types: dict[str, str]) -> Out | None:
    """varref_to_df_expr: the column, its CAST to another numeric type, or NULL."""
    if e.name == "time" or e.name in table.tags:
        return None
    if e.name not in table.fields:
        return Out(e.name, "NULL", frozenset(), "Null")  # whatever its ``::type``
    src = ARROW.get(types.get(e.name, ""))
    if src is None or e.type == "tag":
        return None
    col, one = f"{table.name}.{e.name}", frozenset({e.name})
    dst = ARROW[e.type] if e.type in ARROW else src
    if dst == src:
        return Out(e.name, col, one, src, scans=one)
    if src in NUMERIC and dst in NUMERIC:
        return Out(e.name, f"CAST({col} AS {dst})", one, dst, scans=one)
    return Out(e.name, "NULL", frozenset({e.name}), "Null")


def _binary(e: A.BinaryExpr, table: Table, types: dict[str, str]) -> Out | None:
    """rewrite_binary_expr: NULL beside a number is NULL; operands of one numeric type pass."""
    lhs, rhs = _expr(e.lhs, table, types), _expr(e.rhs, table, types)
    if lhs is None or rhs is None or (not lhs.reads and not rhs.reads and "Null" not in (lhs.kind, rhs.kind)):
        return None
    name = "_".join(n for n in (lhs.name, rhs.name) if n)
    reads = lhs.reads | rhs.reads
    if {lhs.kind, rhs.kind} <= {"Null", *NUMERIC} and "Null" in (lhs.kind, rhs.kind):
        return Out(name, "NULL", reads, "Null")
    if lhs.kind != rhs.kind or lhs.kind not in NUMERIC:
        return None
    prec = PRECEDENCE[e.op]
    left = f"({lhs.text})" if lhs.precedence < prec else lhs.text
    right = f"({rhs.text})" if rhs.precedence < prec else rhs.text
    return Out(name, f"{left} {e.op} {right}", reads, lhs.kind, prec, lhs.scans | rhs.scans)


def _call(e: A.Call, table: Table, types: dict[str, str]) -> Out | None:
    """scalar_math_func_to_df_expr over a Float64 argument (DataFusion's type coercion then
    changes nothing); ``log(x, b)`` and ``atan2(x, n)`` with a literal, ``pow`` of two Int64s."""
    name = e.name.lower()
    args = [_expr(a, table, types) for a in e.args]
    if any(a is None for a in args) or not args or not args[0].reads or args[0].kind == "Null":
        return None
    x = args[0]
    if name in UNARY and len(args) == 1 and x.kind == "Float64":
        return Out(name, f"{name}({x.text})", x.reads, "Float64", scans=x.scans)
    if len(args) != 2 or args[1].reads or _bare(e.args[1]).__class__ not in (A.IntegerLiteral, A.NumberLiteral):
        return None
    lit = _float(float(_bare(e.args[1]).val))
    if name == "log" and x.kind == "Float64":
        return Out(name, f"log({lit}, {x.text})", x.reads, "Float64", scans=x.scans)
    if name == "atan2" and x.kind == "Float64":
        return Out(name, f"atan2({x.text}, {lit})", x.reads, "Float64", scans=x.scans)
    if name == "pow" and x.kind == args[1].kind == "Int64":
        return Out(name, f"power({x.text}, {args[1].text})", x.reads, "Int64", scans=x.scans)
    return None


def _float(val: float) -> str:
    """A Float64 literal as DataFusion prints it (Rust's f64 Display: no exponent, no ``.0``)."""
    return f"Float64({np.format_float_positional(float(val), trim='-')})"
