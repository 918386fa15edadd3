"""InfluxDB 3's rewriter types every field of a SELECT (plan/expr_type_evaluator.rs) and refuses a
binary expression whose operand types no operator rule joins: ``incompatible operands for
operator +: float and string``. The time column is typed too (a timestamp, field_mapper.rs
map_type), so arithmetic with ``time`` fails there (``f64_field + time``: ``float and
timestamp``; ``time * 2``: ``timestamp and integer``), where influxd reads time as an integer.
The rewriter types the fields while it expands the projection, before its other field checks.
"""
from __future__ import annotations

from ..ast import expr as A

EXPAND = "expand projection\ncaused by\n"  # rewriter.rs: expand_projection(..).map_err(|e| e.context(..))
ORDER = ("float", "integer", "unsigned", "string", "boolean", "field", "tag", "timestamp")  # VarRefDataType
_CAST = frozenset({"float", "integer", "unsigned", "string", "boolean", "tag"})
_NUMERIC = ("float", "integer", "unsigned")
_FLOAT_CALLS = frozenset({
    "mean", "median", "integral", "stddev", "derivative", "non_negative_derivative", "moving_average",
    "exponential_moving_average", "double_exponential_moving_average", "triple_exponential_moving_average",
    "relative_strength_index", "triple_exponential_derivative", "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average", "chande_momentum_oscillator", "holt_winters",
    "holt_winters_with_fit"})
_LITERALS = {A.NumberLiteral: "float", A.IntegerLiteral: "integer", A.UnsignedLiteral: "unsigned",
             A.StringLiteral: "string", A.BooleanLiteral: "boolean"}


class Incompatible(Exception):
    """expr_type_evaluator.rs eval_binary_expr_type's error::query."""


def operand_error(fields, column_type) -> str | None:
    """The rewriter's message (after ``Error during planning: ``) for the first field whose
    operands do not join, None when all type; ``column_type(name)``: the type of a column over
    the FROM tables (a VarRefDataType name, None when unknown)."""
    try:
        for f in fields:
            eval_type(f.expr, column_type)
    except Incompatible as e:
        return str(e)
    return None


def eval_type(e, column_type) -> str | None:
    """TypeEvaluator::eval_type (non-strict calls: a scalar call takes its first argument's type)."""
    if isinstance(e, A.VarRef):
        return e.type if e.type in _CAST else column_type(e.name)
    if isinstance(e, A.Call):
        args = [eval_type(a, column_type) for a in e.args]
        if e.name in _FLOAT_CALLS:
            return "float"
        if e.name in ("count", "elapsed"):
            return "integer"
        return args[0] if args else None
    if isinstance(e, A.ParenExpr):
        return eval_type(e.expr, column_type)
    if isinstance(e, A.BinaryExpr):
        lhs, rhs = eval_type(e.lhs, column_type), eval_type(e.rhs, column_type)
        if lhs is None or rhs is None:
            return lhs or rhs
        joined = binary_type(lhs, e.op, rhs)
        if joined is None:
            raise Incompatible(f"incompatible operands for operator {e.op}: {lhs} and {rhs}")
        return joined
    return _LITERALS.get(type(e))


def binary_type(lhs: str, op: str, rhs: str) -> str | None:
    """expr_type_evaluator.rs binary_data_type."""
    if lhs == rhs == "boolean" and op in ("&", "|", "^"):
        return "boolean"
    arithmetic = op in ("+", "-", "*", "/", "%")
    if arithmetic and (lhs == "float" and rhs in _NUMERIC or lhs in ("integer", "unsigned") and rhs == "float"):
        return "float"
    if lhs == rhs == "integer" and op == "/":
        return "float"
    if lhs == rhs and lhs in ("integer", "unsigned"):
        return lhs
    if {lhs, rhs} == {"integer", "unsigned"}:
        return "unsigned"
    return None


def narrowest(types) -> str | None:
    """The type eval_var_ref keeps over several tables: the first in VarRefDataType's order."""
    found = [t for t in types if t is not None]
    return min(found, key=ORDER.index) if found else None
