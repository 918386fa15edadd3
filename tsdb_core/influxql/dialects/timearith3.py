"""Arithmetic on a cast ``time`` in InfluxDB 3's projection: a DataFusion planning error.

v3's rewriter types ``time::integer`` as the integer its cast names (expr_type_evaluator.rs
eval_var_ref), so ``time::integer + 1`` passes ``expand projection``; its planner then reads
the time column whatever the cast (planner.rs varref_to_df_expr: ``(ExprScope::Projection,
"time") => "time".as_expr()``), and DataFusion cannot add a Timestamp and an Int64
(expr-common type_coercion/binary.rs: "Cannot coerce arithmetic expression {} {} {} to valid
types"; bitwise operators "Cannot infer common type for bitwise operation {} {} {}"), the
operands printed as arrow 56 prints a DataType (its Debug form). influxd adds the nanoseconds.
Only raw projections of fields, literals and arithmetic are judged; anything else is left alone.
"""
from __future__ import annotations

from ..ast import expr as A

_ARROW = {"float": "Float64", "integer": "Int64", "unsigned": "UInt64"}
_LITERALS = {A.NumberLiteral: "Float64", A.IntegerLiteral: "Int64", A.UnsignedLiteral: "UInt64"}
ARITHMETIC = "Cannot coerce arithmetic expression {} {} {} to valid types"
BITWISE = "Cannot infer common type for bitwise operation {} {} {}"


class _Undecided(Exception):
    """An operand this module does not type as DataFusion would."""


class TimeOperand(Exception):
    """DataFusion's planning error for ``time`` beside a number."""


def time_arithmetic_error(exprs, fields: dict, tz: str | None) -> str | None:
    """The planning error (after ``Error during planning: ``) of the first expression in which
    ``time`` meets a number, None when none does or when something else is in the way
    (``fields``: field name -> InfluxQL type; ``tz``: tz()'s zone, the time column's own)."""
    time = f'Timestamp(Nanosecond, Some("{tz}"))' if tz else "Timestamp(Nanosecond, None)"
    try:
        for e in exprs:
            _arrow_type(e, fields, time)
    except _Undecided:
        return None
    except TimeOperand as e:
        return str(e)
    return None


def _arrow_type(e, fields: dict, time: str) -> str:
    """The DataFusion type of ``e``, operands first, left before right (as the planner's
    rewrite_expr and the projection's schema ask them)."""
    if isinstance(e, A.ParenExpr):
        return _arrow_type(e.expr, fields, time)
    if isinstance(e, A.VarRef):
        return time if e.name == "time" else _field_type(e, fields)
    if type(e) in _LITERALS:
        return _LITERALS[type(e)]
    if not isinstance(e, A.BinaryExpr) or e.op not in A.ARITHMETIC_OPS:
        raise _Undecided
    lhs, rhs = _arrow_type(e.lhs, fields, time), _arrow_type(e.rhs, fields, time)
    if (lhs == time) == (rhs == time):
        return _numeric(lhs, e.op, rhs)
    raise TimeOperand((BITWISE if e.op in "&|^" else ARITHMETIC).format(lhs, e.op, rhs))


def _field_type(ref: A.VarRef, fields: dict) -> str:
    src = _ARROW.get(fields.get(ref.name))
    if src is None or ref.type not in (None, "field") and ref.type not in _ARROW:
        raise _Undecided
    return _ARROW.get(ref.type, src)  # numeric to numeric: a cast (varref_to_df_expr)


def _numeric(lhs: str, op: str, rhs: str) -> str:
    """Two numbers as v3's rewrite_binary_expr leaves them; Int64 beside UInt64 (its own
    refusal, arith3.py) and two times are not this module's."""
    if {lhs, rhs} == {"Int64", "UInt64"} or lhs not in _ARROW.values() or rhs not in _ARROW.values():
        raise _Undecided
    if "Float64" in (lhs, rhs) or op == "/" and lhs == "Int64":
        return "Float64"
    return lhs
