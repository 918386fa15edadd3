"""influxd 1.x's reading of a SELECT's WHERE beyond its comparisons.

What its storage engine does to the condition as a whole: the tsm1 engine reads each field the
condition names through one cursor, whatever types the condition casts it to
(:func:`one_type_per_field`); the inmem index takes arithmetic operands as it takes series
filters (:func:`arithmetic_leaves`). (ConditionExpr's own reading: where_v1.py.)
"""
from __future__ import annotations

from ...influxql import ast
from ...influxql.ast.visit import find, transform
from ..functions.math import MATH_FUNCTIONS
from .time_range import is_time_ref

# influxql.DataType numbers: the engine's condition cursors sort by name, then by these
_RANK = {"float": 1, "integer": 2, "string": 3, "boolean": 4, "tag": 7, "unsigned": 9}


def one_type_per_field(cond, fields: dict[str, str], tags) -> ast.Expr:
    """``cond`` with every reference to a field it reads under several types reading the one the
    engine reads: RewriteFields types a bare or ``::field`` reference as the field's own type;
    tsm1's createVarRefSeriesIterator opens a cursor per (name, type) of ExprNames, sorted by
    name then type, and sets each into one map by name, so the last type wins for every
    reference (``f::integer = 0 AND f > 0`` compares the integer both times; ``f::string``
    beside ``f`` makes both nil). A ``::tag`` compared with a string or regex is the index's
    (a series filter), no cursor."""
    types: dict[str, set[str]] = {}
    for ref in find(cond, ast.VarRef, prune=_series_filter):
        if ref.name in fields and ref.name not in tags:
            own = fields[ref.name]
            types.setdefault(ref.name, set()).add(own if ref.type in (None, "field") else ref.type)
    read = {name: max(ts, key=lambda t: _RANK.get(t, 0)) for name, ts in types.items() if len(ts) > 1}
    if not read:
        return cond

    def retyped(n):
        if type(n) is ast.VarRef and n.name in read:
            t = read[n.name]
            return ast.VarRef(n.name, None if t == fields[n.name] else t)
        return n
    return transform(cond, retyped, prune=_series_filter)


def _series_filter(e) -> bool:
    """A comparison of a ``::tag`` with a string or regex literal (tsdb/index/inmem idsForExpr)."""
    if type(e) is not ast.BinaryExpr:
        return False
    sides = (e.lhs, e.rhs)
    return any(type(s) is ast.VarRef and s.type == "tag" for s in sides) \
        and any(isinstance(s, (ast.StringLiteral, ast.RegexLiteral)) for s in sides)


_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "&", "|", "^"})
_CASTS = frozenset({"float", "integer", "unsigned", "string", "boolean", "field"})


def arithmetic_leaves(cond, fields):
    """``cond`` (over measurements only) with each arithmetic operand of its AND/OR tree
    (``WHERE f * 0``, ``b & false OR f > 1``) the literal the inmem index makes of it: its
    WalkWhereForSeriesIds keeps the series idsForExpr finds for an operator that is no
    comparison and drops the filter, so every point of them passes (:func:`_all_series`)."""
    if isinstance(cond, ast.ParenExpr):
        inner = arithmetic_leaves(cond.expr, fields)
        return cond if inner is cond.expr else ast.ParenExpr(inner)
    if not isinstance(cond, ast.BinaryExpr):
        return cond
    if cond.op in ("AND", "OR"):
        lhs, rhs = arithmetic_leaves(cond.lhs, fields), arithmetic_leaves(cond.rhs, fields)
        return cond if lhs is cond.lhs and rhs is cond.rhs else ast.BinaryExpr(cond.op, lhs, rhs)
    if cond.op in _ARITHMETIC and not (is_time_ref(cond.lhs) or is_time_ref(cond.rhs)):
        return ast.BooleanLiteral(_all_series(cond, fields))
    return cond


def _all_series(e: ast.BinaryExpr, fields) -> bool:
    """Whether idsForExpr (tsdb/index/inmem/meta.go) finds every series for ``e``: nested
    arithmetic, no name, or a field (a cast) on one side; else a tag or unknown name beside a
    string, a regex or a name that is no field finds none (only = and != compare tags)."""
    if isinstance(e.lhs, ast.BinaryExpr) or isinstance(e.rhs, ast.BinaryExpr):
        return True
    ref, value = (e.lhs, e.rhs) if isinstance(e.lhs, ast.VarRef) else (e.rhs, e.lhs)
    if not isinstance(ref, ast.VarRef) or _field_side(ref, fields):
        return True
    if isinstance(value, ast.VarRef):
        return _field_side(value, fields)
    return not isinstance(value, (ast.StringLiteral, ast.RegexLiteral))


def _field_side(ref: ast.VarRef, fields) -> bool:
    return ref.type in _CASTS or (ref.type is None and ref.name in fields)


_NUMERIC = frozenset({"float", "integer", "unsigned"})
IS_NULL = "\x00is_null"  # an internal call: true where its argument is null (exec/expressions.py)


def over_subqueries(cond, fields: dict[str, str], tags):
    """``cond`` (over subqueries only) as influxd's filter evaluates it on their points, which
    carry each name once, with its own type: a cast converts between numeric types only, any
    other (``::string``, ``::tag``, ``::field`` of a grouping tag) reads the value as it is.
    An arithmetic operand of the AND/OR tree is no boolean to evalBinaryExpr (but for ``&``,
    ``|``, ``^`` beside a boolean): a number makes the AND or OR holding it false, a nil
    (a string's, a float's ``&``, a missing value's) is false beside a boolean (``x OR c``
    holds where x is nil and c holds) (:func:`_operand`)."""
    cond = transform(cond, lambda n: _as_read(n, fields, tags) if type(n) is ast.VarRef else n)
    if _operand(cond, fields) is not None:
        return ast.BooleanLiteral(False)
    return _numbers_in_logic(cond, fields)


def _as_read(ref: ast.VarRef, fields, tags) -> ast.VarRef:
    if ref.type is None or ref.type == "field" and ref.name not in tags:
        return ref
    if ref.name in fields and ref.type in _NUMERIC and fields[ref.name] in _NUMERIC:
        return ref
    return ast.VarRef(ref.name) if ref.name in fields or ref.name in tags else ref


def _numbers_in_logic(e, fields):
    inner = ast.unparen(e)
    if type(inner) is not ast.BinaryExpr or inner.op not in ("AND", "OR"):
        return e
    lhs, rhs = _numbers_in_logic(inner.lhs, fields), _numbers_in_logic(inner.rhs, fields)
    lk, rk = _operand(lhs, fields), _operand(rhs, fields)
    if lk is None and rk is None:
        return e if lhs is inner.lhs and rhs is inner.rhs else ast.BinaryExpr(inner.op, lhs, rhs)
    if inner.op == "AND" or (lk is not None and rk is not None):
        return ast.BooleanLiteral(False)
    (kind, operand), other = ((lk, lhs), rhs) if lk is not None else ((rk, rhs), lhs)
    if kind == "nil":
        return other
    return ast.ParenExpr(ast.BinaryExpr("AND", ast.Call(IS_NULL, (operand,)), other))


def _operand(e, fields) -> str | None:
    """What arithmetic operand ``e`` makes: ``"number"`` (nil where an operand is), ``"nil"``;
    None for anything else (no arithmetic, or a bitwise one with a boolean side: a boolean)."""
    e = ast.unparen(e)
    if type(e) is not ast.BinaryExpr or e.op not in _ARITHMETIC:
        return None
    sides = [_value_type(ast.unparen(s), fields) for s in (e.lhs, e.rhs)]
    if e.op in ("&", "|", "^"):
        if "boolean" in sides:
            return None
        return "number" if all(t in ("integer", "unsigned") for t in sides) else "nil"
    return "number" if all(t in _NUMERIC for t in sides) else "nil"


def _value_type(e, fields) -> str | None:
    """The type of the value ``e`` makes on a subquery's point (None: a nil)."""
    kind = type(e)
    if kind is ast.VarRef:
        return e.type if e.type in _NUMERIC else fields.get(e.name) if e.type in (None, "field") else None
    if kind is ast.IntegerLiteral or kind is ast.UnsignedLiteral:
        return "integer"
    if kind is ast.NumberLiteral:
        return "float"
    if kind is ast.BooleanLiteral:
        return "boolean"
    if kind is ast.Call:  # the MathValuer answers a float, or nil for another argument
        numbers = all(_value_type(ast.unparen(a), fields) in _NUMERIC for a in e.args)
        return "float" if e.name in MATH_FUNCTIONS and e.args and numbers else None
    if kind is ast.BinaryExpr and e.op in _ARITHMETIC:
        sides = {_value_type(ast.unparen(s), fields) for s in (e.lhs, e.rhs)}
        if _operand(e, fields) != "number":
            return "boolean" if e.op in ("&", "|", "^") and "boolean" in sides else None
        return "float" if e.op == "/" or "float" in sides else "integer"
    return None
