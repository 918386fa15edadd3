"""Arithmetic between integer and unsigned operands as InfluxDB 3 plans it.

v3's planner (iox_query_influxql planner_rewrite_expression.rs rewrite_binary_expr) picks the
result type from the operands' Arrow types, Float64 above UInt64 above Int64: Int64 ``/`` Int64
is a Float64 division; UInt64 ``/`` UInt64 stays an unsigned (truncating) division, 0 when
dividing by 0 (divide_carefully); ``%`` is arrow's rem (an error for integers by 0, NaN for
floats by 0: Rust's ``%`` on f64, C's fmod); an Int64 literal beside a UInt64 operand is cast to UInt64,
a negative one wrapping (wrapping_i64_to_u64_cast); two non-literal operands, one Int64 and one
UInt64, are a planning error, as is an Int64 operand beside an unsigned literal. Math calls are
DataFusion's, a NaN result a value (:class:`NanKept`). 1.x keeps its own rules (exec/expressions.py);
this rewrite runs for the influxdb3 dialect only.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import functions as F
from ..ast import expr as A
from ..ast.visit import transform

U64 = 2 ** 64
UNSIGNED_DIVIDE = "//"  # a UInt64 division (exec/expressions.py); never produced by the parser
WRAP_U64 = "wrapping_i64_to_u64"  # an internal call (exec/expressions.py); WHERE refuses it from users
CHECKED_REM = "%!"  # arrow's rem: integers fail on a 0 divisor, floats give NaN (exec/expressions.py)
CHECKED_CAST = "checked_cast"  # a numeric ``::`` cast that fails on a value out of range (exec)
INTERNAL_CALLS = frozenset({WRAP_U64, CHECKED_CAST})  # calls of this rewrite, no user's function
INTEGERS = ("integer", "unsigned")
ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "&", "|", "^"})
MIXED = "cannot use {op} between an integer and unsigned, an explicit cast is required"
UNSIGNED_LITERAL = "cannot use {op} with an integer field and unsigned literal"
SAME_TYPE = ("sum", "min", "max", "first", "last")  # calls of the field's own type (aggcalls3.AGGREGATES)


MATH = F.names(F.MATH)


@dataclass(frozen=True, slots=True)
class NanKept(A.Call):
    """A math call as DataFusion computes it: a NaN result (``sqrt(-1)``, ``asin(2)``, ``abs(x % 0)``)
    stays a value, as DataFusion's math functions give it (they call Rust's ``f64::sqrt``,
    ``f64::asin``...), where 1.x writes null. Written as v3 writes a NaN: null in JSON and
    msgpack, ``NaN`` in CSV (test_v3_float_rem.py)."""


class MixedIntegers(Exception):
    """v3's plan_err! for an Int64 operand beside a UInt64 one it will not cast."""


def rewrite(e, types: dict):
    """``e`` with v3's unsigned arithmetic (``types``: field name -> InfluxQL type name);
    raises MixedIntegers with v3's message for the operands it refuses."""
    return transform(_casts(e, types), lambda n: _binary(n, types) if isinstance(n, A.BinaryExpr) else _nan_kept(n))


def _nan_kept(n):
    return NanKept(n.name, n.args) if type(n) is A.Call and n.name in MATH else n


def _casts(e, types: dict):
    """Each numeric ``field::type`` cast, in calls' arguments too, as DataFusion's CAST: not
    TRY_CAST (planner.rs varref_to_df_expr ``column.cast_to(&dst_type, ..)``, reached by every
    call's argument), so a value out of the target's range is an execution error, not a NULL."""
    def cast(n):
        if not isinstance(n, A.VarRef) or n.type not in ("integer", "unsigned", "float"):
            return n
        src = types.get(n.name)
        return A.Call(CHECKED_CAST, (n,)) if src in ("integer", "unsigned", "float") and src != n.type else n
    return transform(e, cast, prune=lambda n: isinstance(n, A.Call) and n.name == CHECKED_CAST)


def rewrite_condition(e, types: dict):
    """A WHERE condition as v3 rewrites it (rewrite_conditional_expr): first every operation
    between an Int64 and a UInt64 operand, comparisons and arithmetic, literal or not, gets its
    Int64 side wrapped to UInt64 (rewrite_make_mixed_integer_ops_legal), then the arithmetic rules."""
    legal = transform(_casts(e, types), lambda n: _legal(n, types) if isinstance(n, A.BinaryExpr) else n)
    return rewrite(legal, types)


def _legal(e: A.BinaryExpr, types: dict) -> A.BinaryExpr:
    lt, rt = type_name(e.lhs, types), type_name(e.rhs, types)
    if {lt, rt} != {"integer", "unsigned"}:
        return e
    if lt == "integer":
        return A.BinaryExpr(e.op, wrapped(e.lhs), e.rhs)
    return A.BinaryExpr(e.op, e.lhs, wrapped(e.rhs))


def wrapped(e):
    """``e`` (Int64) as v3's wrapping_i64_to_u64_cast: -1 is u64::MAX."""
    if isinstance(e, A.IntegerLiteral):
        return A.UnsignedLiteral(e.val % U64)
    return A.Call(WRAP_U64, (e,))


def _binary(e: A.BinaryExpr, types: dict):
    if e.op not in ARITHMETIC:
        return e
    lt, rt = type_name(e.lhs, types), type_name(e.rhs, types)
    if {lt, rt} == {"integer", "unsigned"}:
        e = _mixed(e, lt)
    elif lt == rt == "unsigned" and e.op == "/":
        return A.BinaryExpr(UNSIGNED_DIVIDE, e.lhs, e.rhs)
    if e.op == "%":  # arrow's rem, typed at execution: integers by 0 fail, floats by 0 are NaN
        return A.BinaryExpr(CHECKED_REM, e.lhs, e.rhs)
    return e


def _mixed(e: A.BinaryExpr, lt: str) -> A.BinaryExpr:
    signed, unsigned = (e.lhs, e.rhs) if lt == "integer" else (e.rhs, e.lhs)
    if isinstance(signed, A.IntegerLiteral):
        wrapped_lit = wrapped(signed)
        lhs, rhs = (wrapped_lit, e.rhs) if lt == "integer" else (e.lhs, wrapped_lit)
        return A.BinaryExpr(UNSIGNED_DIVIDE if e.op == "/" else e.op, lhs, rhs)
    if isinstance(unsigned, A.UnsignedLiteral):
        raise MixedIntegers(UNSIGNED_LITERAL.format(op=e.op))
    raise MixedIntegers(MIXED.format(op=e.op))


def _uncast(e):
    """``e`` without the CHECKED_CAST :func:`_casts` wrapped it in (its type stays on the VarRef)."""
    return e.args[0] if isinstance(e, A.Call) and e.name == CHECKED_CAST else e


def type_name(e, types: dict) -> str | None:
    """The InfluxQL type of a numeric operand as v3 types it, or None when not one (or unknown)."""
    if isinstance(e, A.ParenExpr):
        return type_name(e.expr, types)
    if isinstance(e, A.VarRef):
        t = e.type if e.type not in (None, "field") else types.get(e.name)
        return t if t in ("integer", "unsigned", "float") else None
    if isinstance(e, A.IntegerLiteral):
        return "integer"
    if isinstance(e, A.UnsignedLiteral):
        return "unsigned"
    if isinstance(e, A.NumberLiteral):
        return "float"
    if isinstance(e, A.Call) and e.name == WRAP_U64:
        return "unsigned"
    if isinstance(e, A.Call) and e.name == CHECKED_CAST:
        return e.args[0].type
    if isinstance(e, A.Call) and len(e.args) == 1 and isinstance(_uncast(e.args[0]), A.VarRef):
        if e.name == "count":
            return "integer"  # count() is Int64 (aggcalls3.AGGREGATES)
        return type_name(_uncast(e.args[0]), types) if e.name in SAME_TYPE else None
    if isinstance(e, A.BinaryExpr) and e.op in ARITHMETIC | {UNSIGNED_DIVIDE, CHECKED_REM}:
        kinds = {type_name(e.lhs, types), type_name(e.rhs, types)}
        if None in kinds:
            return None
        if "float" in kinds or (e.op == "/" and kinds == {"integer"}):
            return "float"
        return "unsigned" if "unsigned" in kinds else "integer"
    return None
