"""A raw SELECT's WHERE condition (besides time and ``tag = 'v'``) as InfluxDB 3's planner prints it.

What is drawn: ``true``; a regex match on a field or on a column not in the table (v3 folds it to
``Boolean(false)``: planner tests regex_in_where-2, -3, -5, -6); a comparison of a numeric
literal with an expression of float fields (``+ - *``, math calls, literals) or of integer fields
(``+ - *``, literals), printed with unqualified columns and each literal of the expression's
type (planner tests where_clause_conditional_expressions, where_clause_mathematical_expressions:
``f64_field + Float64(10) > Float64(100)``, ``power(f64_field, Float64(2)) > Float64(100)``,
``i64_field * Int64(2) = Int64(20)``). DataFusion 50.1 kept such comparisons through its
optimizer and folded ``.. AND Boolean(false)`` to an EmptyRelation, ``.. AND Boolean(true)`` to
its left side (printed for the same expressions, once, by hand; no dependency).
"""
from __future__ import annotations

import re

import numpy as np

from ..ast import expr as A
from .aggcalls3 import ARROW
from .showplan3 import Table

FALSE, TRUE = "Boolean(false)", "Boolean(true)"
COMPARISONS = {"=": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
ARITHMETIC = ("+", "-", "*")
MATH = frozenset({"abs", "sin", "cos", "tan", "asin", "acos", "atan", "exp", "ln", "log2", "log10", "sqrt",
                  "ceil", "floor"})


def condition(cond, table: Table, types: dict[str, str]) -> str | None:
    """The condition's text as v3's planner prints it in the Filter, or None when not drawn."""
    cond = A.unparen(cond)
    if isinstance(cond, A.BooleanLiteral) and cond.val:
        return TRUE
    if not isinstance(cond, A.BinaryExpr):
        return None
    if cond.op in ("=~", "!~") and isinstance(cond.rhs, A.RegexLiteral) and isinstance(cond.lhs, A.VarRef):
        name = cond.lhs.name
        if name in table.tags and cond.lhs.type in (None, "tag"):
            return like(name, cond.op, cond.rhs.val)
        return FALSE if name not in table.tags and name != "time" else None
    if cond.op not in COMPARISONS or not _literal(cond.rhs):
        return None
    found = _expr(cond.lhs, table, types)
    if found is None:
        return None
    text, kind = found
    rhs = _typed(cond.rhs, kind)
    return None if rhs is None else f"{text} {COMPARISONS[cond.op]} {rhs}"


def like(tag: str, op: str, pattern: str) -> str | None:
    """A tag's regex match as the planner's rewrite_conditional_expr leaves it: the tag read as
    ``''`` when null (rewrite_tag_columns), then DataFusion's simplifier making a literal regex a
    LIKE (``/f/`` ``%f%``, ``/^host/`` ``host%``) and the null branch ``''`` fails (``=~``: the
    test alone) or passes (``!~``: ``tag IS NULL OR ..``); planner tests regex_in_where,
    where_clause_conditional_expressions-3, -4. Other patterns: None (not drawn)."""
    m = re.fullmatch(r"(\^?)([A-Za-z0-9]+)", pattern)
    if m is None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tag):
        return None
    text = f"{m.group(2)}%" if m.group(1) else f"%{m.group(2)}%"
    if op == "=~":
        return f'CAST({tag} AS Utf8) LIKE Utf8("{text}")'
    return f'{tag} IS NULL OR CAST({tag} AS Utf8) NOT LIKE Utf8("{text}")'


def _literal(e) -> bool:
    return isinstance(e, (A.IntegerLiteral, A.NumberLiteral))


def _typed(e, kind: str) -> str | None:
    """A numeric literal as the expression's type: an integer beside floats a Float64."""
    if kind == "Float64":
        return f"Float64({np.format_float_positional(float(e.val), trim='-')})"
    return f"Int64({e.val})" if isinstance(e, A.IntegerLiteral) else None


def _expr(e, table: Table, types: dict[str, str]) -> tuple[str, str] | None:
    """(text, Arrow type) of an expression of one numeric type over the table's fields."""
    e = A.unparen(e)
    if isinstance(e, A.VarRef) and e.type in (None, "field") and e.name in table.fields:
        kind = ARROW.get(types.get(e.name, ""))
        return (e.name, kind) if kind in ("Float64", "Int64") else None
    if isinstance(e, A.Call) and e.args:
        inner = _expr(e.args[0], table, types)
        if inner is None or inner[1] != "Float64":
            return None
        if e.name.lower() in MATH and len(e.args) == 1:
            return f"{e.name.lower()}({inner[0]})", "Float64"
        if e.name.lower() == "pow" and len(e.args) == 2 and _literal(e.args[1]):
            return f"power({inner[0]}, {_typed(e.args[1], 'Float64')})", "Float64"
        return None
    if isinstance(e, A.BinaryExpr) and e.op in ARITHMETIC:
        return _arithmetic(e, table, types)
    return None


def _arithmetic(e: A.BinaryExpr, table: Table, types: dict[str, str]) -> tuple[str, str] | None:
    """``lhs op rhs``: two expressions of one type, or one and a literal of its type; operands
    that are operations themselves are not drawn (their parentheses not followed)."""
    if isinstance(e.lhs, (A.BinaryExpr, A.ParenExpr)) or isinstance(e.rhs, (A.BinaryExpr, A.ParenExpr)):
        return None
    sides = [None if _literal(s) else _expr(s, table, types) for s in (e.lhs, e.rhs)]
    kinds = {s[1] for s in sides if s is not None}
    if len(kinds) != 1 or any(s is None and not _literal(x) for s, x in zip(sides, (e.lhs, e.rhs))):
        return None
    kind = kinds.pop()
    texts = [s[0] if s is not None else _typed(x, kind) for s, x in zip(sides, (e.lhs, e.rhs))]
    return (None if None in texts else (f"{texts[0]} {e.op} {texts[1]}", kind))
