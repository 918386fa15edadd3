"""influxql's ``Reduce`` with influxd's ``MathValuer``, as influxd 1.6.7 applies it to each SELECT
field before compiling it (query/compile.go compileFields: ``f.Expr = influxql.Reduce(f.Expr,
&valuer)``), in the influxdb1 dialect.

What it folds decides influxd's answers: a field left a literal is refused (``field must contain
at least one variable``: ``exp(1.5)``, ``tan(10)``), one left a binary expression of two literals
too; a math call on literals only is evaluated (``floor(1.5)`` is ``1.000`` in a type error), and
one on a string or boolean literal becomes influxql's nil literal, which influxd's CloneExpr then
panics on (:data:`NIL`, exec side: the ``[panic:unreachable]`` answer). Folding follows
influxql's reduceBinaryExpr* (Go's int64 wrap-around, ``%`` truncated, a float ``%`` by 0 NaN,
an integer ``/`` a float, ``x / 0`` 0); time and duration literals are left as written.
"""
from __future__ import annotations

import math

import polars as pl

from ...influxql import ast
from ...influxql.ast.visit import transform
from ..functions.math import MATH_FUNCTIONS, math_expr
from .condition_v1 import IS_NULL
from .fold_time_v1 import COMPARE as _COMPARE
from .fold_time_v1 import I64 as _I64
from .fold_time_v1 import fold_time
from .fold_time_v1 import wrap64 as _wrap

NIL = ast.NilLiteral()
_NUMBERS = (ast.IntegerLiteral, ast.NumberLiteral, ast.UnsignedLiteral)


def reduce_field(e):
    """``influxql.Reduce(e, MathValuer{})``: the top-level parentheses unwrapped."""
    e = _reduce(e)
    return e.expr if isinstance(e, ast.ParenExpr) else e


def has_nil(e) -> bool:
    """Whether a reduced field holds influxql's nil literal (influxd's CloneExpr panics on it)."""
    if e is NIL or isinstance(e, ast.NilLiteral):
        return True
    if isinstance(e, ast.BinaryExpr):
        return has_nil(e.lhs) or has_nil(e.rhs)
    if isinstance(e, ast.ParenExpr):
        return has_nil(e.expr)
    return isinstance(e, ast.Call) and any(has_nil(a) for a in e.args)


def unevaluated_as_nil(cond):
    """A bound WHERE condition as influxd's evalBinaryExpr takes it: each call the MathValuer does
    not evaluate (``log(x)``, ``abs(x, 2)`` in parentheses, which validateCondition does not enter;
    ``mean(x)`` there) and a time or duration literal nil, whose comparisons are false (but
    beside a boolean field, where nil is false: ``b = now()`` holds where b is false); a
    string or boolean literal ordered (``s <= 'a'``, ``b <= true``) false: Go compares those
    for (in)equality only."""
    def nil_call(n):
        if isinstance(n, ast.Call) and not _evaluates(n.name, len(n.args)) and n.name != IS_NULL:
            return NIL
        if isinstance(n, (ast.TimeLiteral, ast.DurationLiteral)):  # (ValuerEval has no case for them)
            return NIL
        if isinstance(n, ast.BinaryExpr):
            if n.op in ("<", "<=", ">", ">=") and _unordered(n.lhs, n.rhs):
                return ast.BooleanLiteral(False)
            if n.op in ("=", "!=") and (n.lhs is NIL or n.rhs is NIL) and (_boolean(n.lhs) or _boolean(n.rhs)):
                return ast.BinaryExpr(n.op, *(ast.BooleanLiteral(False) if s is NIL else s for s in (n.lhs, n.rhs)))
        return n
    return transform(cond, nil_call)


def _boolean(e) -> bool:
    """A bound boolean field (evalBinaryExpr takes a nil beside a boolean as false)."""
    return isinstance(e, ast.VarRef) and e.type == "boolean"


def _unordered(lhs, rhs) -> bool:
    """A string or boolean literal on either side (a time string beside ``time`` is a time; a
    field's type is not enough: a subquery's fill() may have made its column numeric)."""
    sides = (lhs, rhs)
    if any(isinstance(e, ast.VarRef) and e.name == "time" for e in sides):
        return False
    return any(isinstance(e, (ast.StringLiteral, ast.BooleanLiteral)) for e in sides)


def _evaluates(name: str, n_args: int) -> bool:
    return name in MATH_FUNCTIONS and n_args == (2 if name in ("atan2", "log", "pow") else 1)


def _reduce(e):
    if isinstance(e, ast.BinaryExpr):
        return _binary(e.op, _reduce(e.lhs), _reduce(e.rhs))
    if isinstance(e, ast.Call):
        args = tuple(_reduce(a) for a in e.args)
        if all(isinstance(a, ast.Literal) for a in args):
            folded = _math_value(e.name, args)
            if folded is not None:
                return folded
        return ast.Call(e.name, args)
    if isinstance(e, ast.ParenExpr):
        sub = _reduce(e.expr)
        return ast.ParenExpr(sub) if isinstance(sub, ast.BinaryExpr) else sub
    return e


def reduce_condition(e, now: int | None, tz: str | None, math: bool = False):
    """``influxql.Reduce`` of a WHERE operand with influxd's NowValuer: ``now()`` the time
    literal ``now`` (None: Prepare's valuer, which has none) and the literals folded as
    reduceBinaryExpr folds them, times and durations included (fold_time_v1); ``math``: with
    the MathValuer too (a subquery's condition as compile stores it). ``e`` itself where nothing
    changes; the top-level parentheses kept."""
    kind = type(e)
    if kind is ast.BinaryExpr:
        lhs, rhs = e.lhs, e.rhs  # (a name or a literal is its own reduction: no call)
        if type(lhs) not in _OWN:
            lhs = reduce_condition(lhs, now, tz, math)
        if type(rhs) not in _OWN:
            rhs = reduce_condition(rhs, now, tz, math)
        if _folds(e.op, lhs, rhs):
            out = reduce_binary(e.op, lhs, rhs, tz)
            return e if type(out) is ast.BinaryExpr and out.lhs is e.lhs and out.rhs is e.rhs else out
        return e if lhs is e.lhs and rhs is e.rhs else ast.BinaryExpr(e.op, lhs, rhs)
    if kind is ast.ParenExpr:
        sub = reduce_condition(e.expr, now, tz, math)
        if type(sub) is not ast.BinaryExpr:
            return sub
        return e if sub is e.expr else ast.ParenExpr(sub)
    if kind is ast.Call:
        if e.name == "now" and not e.args and now is not None:
            return ast.TimeLiteral(now)
        args = tuple(reduce_condition(a, now, tz, math) for a in e.args)
        if math and all(isinstance(a, ast.Literal) for a in args):
            folded = _math_value(e.name, args)
            if folded is not None:
                return folded
        return e if all(a is b for a, b in zip(args, e.args)) else ast.Call(e.name, args)
    return e


_OWN = frozenset({ast.VarRef, ast.StringLiteral, ast.IntegerLiteral, ast.NumberLiteral, ast.BooleanLiteral,
                  ast.DurationLiteral, ast.TimeLiteral, ast.RegexLiteral, ast.UnsignedLiteral})


def _folds(op: str, lhs, rhs) -> bool:
    """Whether reduceBinaryExpr may fold ``lhs op rhs``: a literal left side beside a literal
    (or nil's, beside anything), or AND/OR beside a boolean literal (``f > 1`` stays)."""
    if isinstance(lhs, ast.Literal) and (isinstance(rhs, ast.Literal) or type(lhs) is ast.NilLiteral):
        return True
    return op in _ABSORBING and (type(lhs) is ast.BooleanLiteral or type(rhs) is ast.BooleanLiteral)


def reduce_binary(op: str, lhs, rhs, tz: str | None):
    """reduceBinaryExpr of two reduced operands (times and durations too)."""
    if isinstance(lhs, ast.Literal) and isinstance(rhs, ast.Literal):
        out = fold_time(op, lhs, rhs, tz)
        if out is not None:
            return out
    return _binary(op, lhs, rhs)


def _math_value(name: str, args: tuple):
    """MathValuer.Call: a literal, NIL where an argument is no number, None where it does not
    evaluate (no math function, or a count of arguments it has no case for)."""
    if not _evaluates(name, len(args)):
        return None
    if not all(isinstance(a, _NUMBERS) for a in args):
        return NIL
    a0 = args[0]
    if name in ("abs", "floor", "ceil", "round") and not isinstance(a0, ast.NumberLiteral):
        return a0  # an integer unchanged (abs(-7) is -7)
    lits = [pl.lit(float(a.val), dtype=pl.Float64) for a in args]
    v = pl.select(math_expr(name, *lits, arg_type="float", keep_nan=True)).item()
    return ast.NumberLiteral(float(v))


_ABSORBING = {"AND": False, "OR": True}  # the literal that decides AND / OR alone; the other one drops out


def _binary(op: str, lhs, rhs):
    if op in _ABSORBING:
        absorbing = _ABSORBING[op]
        if _is_bool(lhs, absorbing) or _is_bool(rhs, absorbing):
            return ast.BooleanLiteral(absorbing)
        if _is_bool(lhs, not absorbing):
            return rhs
        if _is_bool(rhs, not absorbing):
            return lhs
    out = _fold(op, lhs, rhs)
    return ast.BinaryExpr(op, lhs, rhs) if out is None else out


def _is_bool(e, v: bool) -> bool:
    return isinstance(e, ast.BooleanLiteral) and e.val is v


def _fold(op: str, lhs, rhs):
    """reduceBinaryExpr<LHS type>: the folded literal, or None where influxql leaves the expression."""
    if isinstance(lhs, ast.NilLiteral):
        return ast.BooleanLiteral(False) if op in ("=", "!=") else None
    if isinstance(rhs, ast.NilLiteral) and isinstance(lhs, (ast.BooleanLiteral, *_NUMBERS)):
        return ast.BooleanLiteral(False)
    if isinstance(lhs, ast.BooleanLiteral) and isinstance(rhs, ast.BooleanLiteral):
        a, b = lhs.val, rhs.val
        v = {"=": a == b, "!=": a != b, "AND": a and b, "OR": a or b, "&": a and b, "|": a or b,
             "^": a != b}.get(op)
        return None if v is None else ast.BooleanLiteral(v)
    if isinstance(lhs, ast.StringLiteral) and isinstance(rhs, ast.StringLiteral):
        if op == "+":
            return ast.StringLiteral(lhs.val + rhs.val)
        return ast.BooleanLiteral(_COMPARE[op](lhs.val, rhs.val)) if op in ("=", "!=") else None
    if not (isinstance(lhs, _NUMBERS) and isinstance(rhs, _NUMBERS)):
        return None
    if isinstance(lhs, ast.NumberLiteral) or isinstance(rhs, ast.NumberLiteral):
        return _fold_float(op, float(lhs.val), float(rhs.val))
    if isinstance(lhs, ast.UnsignedLiteral) or isinstance(rhs, ast.UnsignedLiteral):
        return _fold_unsigned(op, lhs, rhs)
    return _fold_int(op, lhs.val, rhs.val)


def _compared_or_divided(op: str, a, b):
    """What a comparison or a division of two numbers folds to, as for floats so for integers
    (Go's influxql divides integers as floats, x / 0 as 0); None for other operators."""
    if op in _COMPARE:
        return ast.BooleanLiteral(_COMPARE[op](a, b))
    if op == "/":
        return ast.NumberLiteral(0.0 if b == 0 else a / b)
    return None


def _fold_float(op: str, a: float, b: float):
    if op in _COMPARE or op == "/":
        return _compared_or_divided(op, a, b)
    if op == "%":
        return ast.NumberLiteral(math.fmod(a, b) if b != 0 and math.isfinite(a) else math.nan)
    v = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}.get(op)
    return None if v is None else ast.NumberLiteral(v())


def _fold_int(op: str, a: int, b: int):
    if op in _COMPARE or op == "/":
        return _compared_or_divided(op, a, b)
    if op == "%":
        return ast.IntegerLiteral(0 if b == 0 else _wrap((abs(a) % abs(b)) * (-1 if a < 0 else 1)))
    v = {"+": a + b, "-": a - b, "*": a * b, "&": a & b, "|": a | b, "^": a ^ b}.get(op)
    return None if v is None else ast.IntegerLiteral(_wrap(v))


def _fold_unsigned(op: str, lhs, rhs):
    """reduceBinaryExprUnsignedLHS (an integer side taken as uint64; a negative one decides
    ordering comparisons at once)."""
    neg_l = isinstance(lhs, ast.IntegerLiteral) and lhs.val < 0
    neg_r = isinstance(rhs, ast.IntegerLiteral) and rhs.val < 0
    if (neg_l or neg_r) and op in ("<", "<=", ">", ">="):
        return ast.BooleanLiteral((op in ("<", "<=")) == neg_l)
    a, b = lhs.val % _I64, rhs.val % _I64
    if op in _COMPARE:
        return ast.BooleanLiteral(_COMPARE[op](a, b))
    if op in ("/", "%"):
        return ast.UnsignedLiteral(0 if b == 0 else (a // b if op == "/" else a % b))
    v = {"+": a + b, "-": a - b, "*": a * b}.get(op)
    return None if v is None else ast.UnsignedLiteral(v % _I64)
