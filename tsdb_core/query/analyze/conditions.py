"""What WHERE and SELECT refer to: conjuncts, tag equalities, the scan's tag hint.

Shared by the general executor (exec/lazy.py) and the fast executor (exec/fast.py).
"""
from __future__ import annotations

import polars as pl

from ...influxql import ast
from ...influxql.ast.visit import find


class AnyString:
    """A schema in which every name may be a tag: the provider keeps only its real tag keys."""

    @staticmethod
    def get(name):
        return pl.String


def scan_tags(cond) -> dict[str, list[str]] | None:
    """WHERE's ANDed tag equalities as ``{key: values}``, the scan hint of DataProvider.scan."""
    out: dict[str, list[str]] = {}
    for c in conjuncts(cond):
        eq = tag_equalities(c, AnyString)
        if eq is not None:
            name, vals = eq
            out[name] = [v for v in out[name] if v in vals] if name in out else vals
    return out or None


def conjuncts(cond) -> list:
    """The ANDed parts of a condition (parentheses looked through); [] for none."""
    if cond is None:
        return []
    if isinstance(cond, ast.ParenExpr):
        return conjuncts(cond.expr)
    if isinstance(cond, ast.BinaryExpr) and cond.op == "AND":
        return conjuncts(cond.lhs) + conjuncts(cond.rhs)
    return [cond]


def tag_equalities(e, schema) -> tuple[str, list[str]] | None:
    """``(name, values)`` when ``e`` is ``s = 'v'`` or an OR of such on one String column."""
    if isinstance(e, ast.ParenExpr):
        return tag_equalities(e.expr, schema)
    if not isinstance(e, ast.BinaryExpr):
        return None
    if e.op == "OR":
        lhs, rhs = tag_equalities(e.lhs, schema), tag_equalities(e.rhs, schema)
        if lhs is None or rhs is None or lhs[0] != rhs[0]:
            return None
        return lhs[0], lhs[1] + rhs[1]
    if e.op != "=":
        return None
    ref, lit = (e.lhs, e.rhs) if isinstance(e.lhs, ast.VarRef) else (e.rhs, e.lhs)
    if not (isinstance(ref, ast.VarRef) and type(lit) is ast.StringLiteral):
        return None
    if ref.type not in ("tag", None) or schema.get(ref.name) != pl.String or lit.val == "":
        return None
    return ref.name, [lit.val]


def all_refs(e) -> list:
    """Every VarRef an expression reads, in order."""
    return list(find(e, ast.VarRef))
