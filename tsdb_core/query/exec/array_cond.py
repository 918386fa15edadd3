"""A WHERE condition on fields evaluated with NumPy over one series' arrays.

A one-host raw read with a field condition (TSBS high-cpu-1: ``usage_user > 90.0 AND
hostname = 'h'``) otherwise builds a Polars frame of every source's slice, concatenates it
and filters it; on a store still being written to, the slices of several buffered pieces
made that twice the settled store's time. Over the series' arrays it is a few NumPy
comparisons, whatever the number of pieces.

Only comparisons of a numeric field with a number, joined by AND/OR, are taken (anything
else: None, the Polars path). Their answers are cond_expr's: a missing value (NaN here,
null there) matches no comparison, ``!=`` included; an integer field compares with a float
number as a float, a float field with an integer number as a float (Polars' supertypes).
Without NOT in InfluxQL, "unknown counts as false" keeps exactly the rows a Kleene filter keeps.
"""
from __future__ import annotations

import operator

import numpy as np

from ...influxql import ast

_OPS = {"=": operator.eq, "!=": operator.ne, "<>": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_KINDS = {"float": "f", "integer": "i"}


def field_names(conds: list, fields: dict[str, str]) -> set[str] | None:
    """The fields the ANDed ``conds`` compare (``fields``: field name -> type name), None when
    they are not such comparisons."""
    names = [_field_names(c, fields) for c in conds]
    return None if None in names else set().union(*names)


def mask(conds: list, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """The rows of ``arrays`` matching every one of ``conds`` (accepted by :func:`field_names`)."""
    return np.logical_and.reduce([_mask(c, arrays) for c in conds])


def _field_names(cond, fields: dict[str, str]) -> set[str] | None:
    if isinstance(cond, ast.ParenExpr):
        return _field_names(cond.expr, fields)
    if not isinstance(cond, ast.BinaryExpr):
        return None
    if cond.op in ("AND", "OR"):
        lhs, rhs = _field_names(cond.lhs, fields), _field_names(cond.rhs, fields)
        return None if lhs is None or rhs is None else lhs | rhs
    side = _sides(cond)
    if side is None:
        return None
    ref = side[0]
    kind = fields.get(ref.name)
    if kind not in _KINDS or ref.type not in (None, kind):
        return None
    return {ref.name}


def _mask(cond, arrays: dict[str, np.ndarray]) -> np.ndarray:
    if isinstance(cond, ast.ParenExpr):
        return _mask(cond.expr, arrays)
    if cond.op in ("AND", "OR"):
        lhs, rhs = _mask(cond.lhs, arrays), _mask(cond.rhs, arrays)
        return (lhs & rhs) if cond.op == "AND" else (lhs | rhs)
    ref, op, lit = _sides(cond)
    a = arrays[ref.name]
    if a.dtype.kind == "f":
        got = _OPS[op](a, float(lit.val))
        return got & ~np.isnan(a) if op in ("!=", "<>") else got  # a missing value matches nothing
    if isinstance(lit, ast.NumberLiteral):
        return _OPS[op](a.astype(np.float64), lit.val)
    return _OPS[op](a, np.int64(lit.val))


def _sides(e: ast.BinaryExpr):
    """(field ref, operator as if the ref were on the left, number) of ``ref op number``."""
    if e.op not in _OPS:
        return None
    if isinstance(e.lhs, ast.VarRef) and type(e.rhs) in (ast.NumberLiteral, ast.IntegerLiteral):
        return e.lhs, e.op, e.rhs
    if isinstance(e.rhs, ast.VarRef) and type(e.lhs) in (ast.NumberLiteral, ast.IntegerLiteral):
        return e.rhs, _FLIP.get(e.op, e.op), e.lhs
    return None
