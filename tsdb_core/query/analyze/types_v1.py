"""influxd 1.6.7's type check of a SELECT field (query/select.go validateTypes), in the influxdb1
dialect: the reduced field's names typed as RewriteFields types them, then influxql's
TypeValuerEval.EvalType with FunctionTypeMapper and MathTypeMapper, its errors in its words
and the expression printed as influxql's String() prints it (:func:`go_text`).

RewriteFields gives a bare or ``::field`` name its field's type, a bare tag ``tag``; ``x::field``
of a tag stays ``field`` (unknown to the check), a written cast is kept whatever the name is
(``f::tag`` of a field is a tag, refused in arithmetic). A binary expression's type is what Go's
Eval gives the two types' zero values: an unknown side takes the other's; a boolean left side
passes ``&``, ``|``, ``^`` with anything; an integer ``/`` an integer is an integer here.
"""
from __future__ import annotations

from dataclasses import replace

from ...base.errors import Panicked, QueryError
from ...influxql import ast
from ...influxql.parser.lexing import quote_ident, quote_string
from ..functions.math import MATH_FUNCTIONS
from .reduce_v1 import has_nil

_CASTS = ("float", "integer", "unsigned", "string", "boolean", "tag")
_FLOAT_RESULT = frozenset(("mean", "median", "integral", "stddev", "derivative", "non_negative_derivative",
                           "moving_average", "exponential_moving_average", "double_exponential_moving_average",
                           "triple_exponential_moving_average", "relative_strength_index",
                           "triple_exponential_derivative", "kaufmans_efficiency_ratio",
                           "kaufmans_adaptive_moving_average", "chande_momentum_oscillator",
                           "holt_winters", "holt_winters_with_fit"))
_NUMERIC = ("float", "integer", "unsigned", None)


def rewrite_refs(e, fields: dict, tags):
    """The field as RewriteFields leaves it: every name typed (``fields``: name -> type text)."""
    if isinstance(e, ast.VarRef):
        if e.type in _CASTS:
            return e
        if e.name in fields:
            return ast.VarRef(e.name, fields[e.name])
        if e.name in tags:
            return e if e.type == "field" else ast.VarRef(e.name, "tag")
        return ast.VarRef(e.name)
    if isinstance(e, ast.BinaryExpr):
        return ast.BinaryExpr(e.op, rewrite_refs(e.lhs, fields, tags), rewrite_refs(e.rhs, fields, tags))
    if isinstance(e, ast.ParenExpr):
        return ast.ParenExpr(rewrite_refs(e.expr, fields, tags))
    if isinstance(e, ast.Call):
        return ast.Call(e.name, tuple(rewrite_refs(a, fields, tags) for a in e.args))
    return e


def eval_type(e) -> str | None:
    """TypeValuerEval.EvalType of a rewritten field: the type's name, None for unknown."""
    if isinstance(e, ast.VarRef):
        return e.type if e.type in _CASTS else None
    if isinstance(e, ast.ParenExpr):
        return eval_type(e.expr)
    if isinstance(e, ast.Call):
        return _call_type(e.name, [eval_type(a) for a in e.args])
    if isinstance(e, ast.BinaryExpr):
        return _binary_type(e, eval_type(e.lhs), eval_type(e.rhs))
    return {ast.NumberLiteral: "float", ast.IntegerLiteral: "integer", ast.UnsignedLiteral: "unsigned",
            ast.StringLiteral: "string", ast.BooleanLiteral: "boolean"}.get(type(e))


def _call_type(name: str, args: list) -> str | None:
    """MultiTypeMapper(FunctionTypeMapper, MathTypeMapper).CallType."""
    if name == "count" or name == "elapsed":
        return "integer"
    if name in _FLOAT_RESULT:
        return "float"
    if args and args[0] is not None:
        return args[0]  # FunctionTypeMapper's default: the first argument's type
    if name not in MATH_FUNCTIONS:
        return None
    if name in ("atan2", "pow") and len(args) > 1 and args[1] not in _NUMERIC:
        raise QueryError(f"invalid argument type for the second argument in {name}(): {args[1]}")
    return None if name in ("abs", "floor", "ceil", "round") else "float"


def _binary_type(e: ast.BinaryExpr, lt, rt) -> str | None:
    if {lt, rt} == {"integer", "unsigned"}:
        _unsigned_error(e, lt)
    if lt is None or rt is None:
        return lt or rt
    op = e.op
    if op in ("=", "!=", "<", "<=", ">", ">=", "=~", "!~"):
        return "boolean"
    out = None
    if lt == "boolean":
        out = "boolean" if op in ("AND", "OR", "&", "|", "^") else None
    elif lt in ("float", "integer", "unsigned") and rt in ("float", "integer", "unsigned"):
        if "float" in (lt, rt):
            out = "float" if op in ("+", "-", "*", "/", "%") else None
        elif op in ("+", "-", "*", "/", "%", "&", "|", "^"):
            out = "unsigned" if "unsigned" in (lt, rt) else "integer"
    if out is None:
        raise QueryError(f"type error: {go_text(e)}: incompatible types: {lt} and {rt}")
    return out


def _unsigned_error(e: ast.BinaryExpr, lt: str) -> None:
    lit_l, lit_r = isinstance(e.lhs, ast.Literal), isinstance(e.rhs, ast.Literal)
    unsigned_lit = lit_l if lt == "unsigned" else lit_r
    other_lit = lit_r if lt == "unsigned" else lit_l
    if unsigned_lit:
        raise QueryError(f"type error: {go_text(e)}: cannot use {e.op} with an integer and unsigned literal")
    if not other_lit:
        raise QueryError(f"type error: {go_text(e)}: cannot use {e.op} between an integer and unsigned, "
                         "an explicit cast is required")


def go_text(e) -> str:
    """``e`` as influxql's String() prints it: operands joined by their operator as they nest
    (``-g`` is ``-1 * g``), parentheses only where written, floats with three decimals."""
    if isinstance(e, ast.BinaryExpr):
        return f"{go_text(e.lhs)} {e.op} {go_text(e.rhs)}"
    if isinstance(e, ast.ParenExpr):
        return f"({go_text(e.expr)})"
    if isinstance(e, ast.Call):
        return f"{e.name}({', '.join(go_text(a) for a in e.args)})"
    if isinstance(e, ast.VarRef):
        return f"{quote_ident(e.name)}::{e.type}" if e.type else quote_ident(e.name)
    if type(e) is ast.NumberLiteral:
        v = e.val
        if v != v:
            return "NaN"
        return f"{v:.3f}" if abs(v) != float("inf") else ("+Inf" if v > 0 else "-Inf")
    if isinstance(e, ast.StringLiteral):
        return quote_string(e.val)
    return str(e)


def check_fields(stmt, fields, known_fields: dict, tags, sources) -> None:
    """What influxd's Prepare refuses once the fields are compiled: a field holding a nil literal
    (a math call on a string or boolean) panics in CloneExpr, the query answered as
    ``<statement> [panic:unreachable]`` (``sources()``: the FROM list with database and retention
    policy filled in, as the statement normalizer leaves it); then validateTypes, field by field."""
    if any(has_nil(f.expr) for f in fields):
        raise Panicked(f"{statement_text(stmt, sources())} [panic:unreachable]")
    for f in fields:
        eval_type(rewrite_refs(f.expr, known_fields, tags))


class _Text(ast.Expr):
    """An expression already printed (go_text) inside a statement printed by its own __str__."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def statement_text(stmt, sources) -> str:
    """The SELECT as influxql's String() prints it (go_text for every expression, subqueries'
    too; ``TZ('...')`` in capitals, unescaped)."""
    fields = tuple(ast.Field(_Text(go_text(f.expr)), f.alias) for f in stmt.fields)
    cond = None if stmt.condition is None else _Text(go_text(stmt.condition))
    dims = tuple(replace(d, expr=_Text(go_text(d.expr))) for d in stmt.dimensions)
    sources = tuple(ast.SubQuery(_Text(statement_text(s.statement, s.statement.sources)))
                    if isinstance(s, ast.SubQuery) else s for s in sources)
    text = str(replace(stmt, fields=fields, condition=cond, dimensions=dims, sources=sources, location=None))
    return text if stmt.location is None else f"{text} TZ('{stmt.location}')"


def influxd_string(stmt) -> str:
    """A SELECT as influxd 1.x prints it (its GET warnings, its panics)."""
    return statement_text(stmt, stmt.sources)
