"""InfluxDB 3's planner text of one raw expression, at each stage EXPLAIN prints it.

A field with or without ``::type`` (planner.rs varref_to_df_expr: the column, a CAST between numeric
types, else NULL; a column not in the table NULL), a number, ``+ - *`` between numbers
(planner_rewrite_expression.rs rewrite_binary_expr: NULL beside a number is NULL), ``/``
(divide_carefully's CASE) and the math calls (scalar_math_func_to_df_expr), each as the planner
prints it, after DataFusion's type_coercion and after its simplify_expressions (``Out.texts``).
The plans around them: rawexpr3.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ast import expr as A
from .aggcalls3 import ARROW, NUMERIC
from .showplan3 import Table

UNARY = frozenset({"abs", "sin", "cos", "tan", "asin", "acos", "atan", "exp", "ln", "log2", "log10", "sqrt",
                   "ceil", "floor"})
PRECEDENCE = {"+": 30, "-": 30, "*": 40}  # DataFusion's Operator::precedence


STAGES = 3  # the planner's text, after DataFusion's type_coercion, after its simplify_expressions


@dataclass(frozen=True, slots=True)
class Out:
    """One projected column: its name, its text at each of the STAGES, the fields it reads (the
    filter tests them), the columns its text holds (the scan keeps them), its Arrow type after
    type coercion (``Null``: NULL), a literal's value (None: no literal)."""

    name: str
    texts: tuple[str, str, str]
    reads: frozenset[str]
    kind: str
    precedence: int = 99
    scans: frozenset[str] = frozenset()
    literal: float | None = None
    text_is_division: bool = False  # divide_carefully's CASE (_division)


def same(text: str) -> tuple[str, str, str]:
    """One text for every plan stage (initial, optimized, physical): a term no rule rewrites."""
    return (text,) * STAGES


def _float64(x: Out) -> tuple[str, str, str]:
    """``x`` coerced to Float64 by DataFusion's type_coercion (a column: a CAST from then on; a
    literal: a CAST that simplify_expressions folds into the Float64 literal)."""
    if x.kind == "Float64":
        return x.texts
    if x.literal is not None:
        return x.texts[0], f"CAST({x.texts[1]} AS Float64)", _float(x.literal)
    return x.texts[0], f"CAST({x.texts[1]} AS Float64)", f"CAST({x.texts[2]} AS Float64)"


def qualified(table: Table, name: str) -> str:
    """A column as the planner prints it: ``table.column``; a subquery's (a Table named ``""``:
    subquery3.py) unqualified."""
    return f"{table.name}.{name}" if table.name else name


def expression(e, table: Table, types: dict[str, str]) -> Out | None:
    """An expression as v3's planner prints it, or None when not drawn."""
    e = A.unparen(e)
    if isinstance(e, A.VarRef):
        return _varref(e, table, types)
    if isinstance(e, A.IntegerLiteral):
        return Out("", same(f"Int64({e.val})"), frozenset(), "Int64", literal=e.val)
    if isinstance(e, A.NumberLiteral):
        return Out("", same(_float(e.val)), frozenset(), "Float64", literal=e.val)
    if isinstance(e, A.BinaryExpr) and e.op in PRECEDENCE:
        return _binary(e, table, types)
    if isinstance(e, A.BinaryExpr) and e.op == "/":
        return _division(e, table, types)
    if isinstance(e, A.Call):
        return _call(e, table, types)
    return None


def _varref(e: A.VarRef, table: Table, types: dict[str, str]) -> Out | None:
    """varref_to_df_expr: the column, its CAST to another numeric type, or NULL."""
    if e.name == "time" or e.name in table.tags:
        return None
    if e.name not in table.fields:
        return Out(e.name, same("NULL"), frozenset(), "Null")  # whatever its ``::type``
    src = ARROW.get(types.get(e.name, ""))
    if src is None or e.type == "tag":
        return None
    col, one = qualified(table, e.name), frozenset({e.name})
    dst = ARROW[e.type] if e.type in ARROW else src
    if dst == src:
        return Out(e.name, same(col), one, src, scans=one)
    if src in NUMERIC and dst in NUMERIC:
        return Out(e.name, same(f"CAST({col} AS {dst})"), one, dst, scans=one)
    return Out(e.name, same("NULL"), one, "Null")


def _binary(e: A.BinaryExpr, table: Table, types: dict[str, str]) -> Out | None:
    """rewrite_binary_expr: NULL beside a number is NULL; operands of one numeric type pass, and
    so do a Float64 and an integer (not literals), which DataFusion's type_coercion casts."""
    lhs, rhs = expression(e.lhs, table, types), expression(e.rhs, table, types)
    if lhs is None or rhs is None or (not lhs.reads and not rhs.reads and "Null" not in (lhs.kind, rhs.kind)):
        return None
    name = "_".join(n for n in (lhs.name, rhs.name) if n)
    reads = lhs.reads | rhs.reads
    if {lhs.kind, rhs.kind} <= {"Null", *NUMERIC} and "Null" in (lhs.kind, rhs.kind):
        return Out(name, same("NULL"), reads, "Null")
    if lhs.kind not in NUMERIC or rhs.kind not in NUMERIC:
        return None
    kind = lhs.kind
    if lhs.kind != rhs.kind:
        if "Float64" not in (lhs.kind, rhs.kind) or lhs.literal is not None or rhs.literal is not None:
            return None  # (Int64 beside UInt64: arith3.py's rules; a literal beside another type: not drawn)
        kind = "Float64"
    prec = PRECEDENCE[e.op]
    left = _float64(lhs) if kind == "Float64" else lhs.texts
    right = _float64(rhs) if kind == "Float64" else rhs.texts
    texts = tuple(f"{_paren(lt, lhs, prec)} {e.op} {_paren(rt, rhs, prec)}" for lt, rt in zip(left, right))
    return Out(name, texts, reads, kind, prec, lhs.scans | rhs.scans)


def _division(e: A.BinaryExpr, table: Table, types: dict[str, str]) -> Out | None:
    """planner.rs divide_carefully between two numeric columns: each widened to Float64 by the
    planner (an integer CAST), a zero divisor answering 0 where the dividend is not null (planner
    test integer_division_float_promotion); DataFusion's rules keep the CASE (aggexpr3._case:
    neither side a literal nor never null). Literals and other operands: not drawn."""
    lhs, rhs = expression(e.lhs, table, types), expression(e.rhs, table, types)
    if lhs is None or rhs is None or any(x.kind not in NUMERIC or x.literal is not None or not x.reads
                                         or x.precedence != 99 for x in (lhs, rhs)):
        return None
    a, b = (x.texts[0] if x.kind == "Float64" else f"CAST({x.texts[0]} AS Float64)" for x in (lhs, rhs))
    text = f"CASE WHEN {b} = Float64(0) AND {a} IS NOT NULL THEN Float64(0) ELSE {a} / {b} END"
    return Out(f"{lhs.name}_{rhs.name}", same(text), lhs.reads | rhs.reads, "Float64", scans=lhs.scans | rhs.scans,
               text_is_division=True)


def _paren(text: str, side: Out, precedence: int) -> str:
    """An operand as DataFusion's BinaryExpr Display writes it: in parentheses below the operator's precedence."""
    return f"({text})" if side.precedence < precedence else text


def _call(e: A.Call, table: Table, types: dict[str, str]) -> Out | None:
    """scalar_math_func_to_df_expr over a numeric field: an integer argument DataFusion's
    type_coercion casts to Float64 (abs takes it as it is); ``log(x, b)`` and ``atan2(x, n)``
    with a literal (a Float64), ``pow(x, n)`` (``power``: an integer literal cast, then folded,
    beside a float or unsigned argument; two Int64s as they are). DataFusion 50.1 printed each
    coercion for the same calls, once, by hand (no dependency)."""
    name = e.name.lower()
    args = [expression(a, table, types) for a in e.args]
    if any(a is None for a in args) or not args or not args[0].reads or args[0].kind not in NUMERIC:
        return None
    x = args[0]
    if name in UNARY and len(args) == 1:
        kind, texts = (x.kind, x.texts) if name == "abs" else ("Float64", _float64(x))
        return Out(name, tuple(f"{name}({t})" for t in texts), x.reads, kind, scans=x.scans)
    if len(args) != 2 or args[1].literal is None or name not in ("log", "atan2", "pow"):
        return None
    n = args[1]
    if name == "pow":
        kind = "Int64" if x.kind == n.kind == "Int64" else "Float64"
        pairs = zip(x.texts, n.texts) if kind == "Int64" else zip(_float64(x), _float64(n))
        return Out(name, tuple(f"power({a}, {b})" for a, b in pairs), x.reads, kind, scans=x.scans)
    lit = _float(float(n.literal))
    texts = tuple(f"log({lit}, {t})" if name == "log" else f"atan2({t}, {lit})" for t in _float64(x))
    return Out(name, texts, x.reads, "Float64", scans=x.scans)


def _float(val: float) -> str:
    """A Float64 literal as DataFusion prints it (Rust's f64 Display: no exponent, no ``.0``)."""
    return f"Float64({np.format_float_positional(float(val), trim='-')})"
