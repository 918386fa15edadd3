"""SELECT validation: InfluxDB 1.x's ``query/compile.go`` checks, with the same words.

Runs on the statement as written (before wildcard expansion): function names and
arities, argument kinds, which functions need GROUP BY time, and how aggregates,
selectors and raw fields may be mixed. What each function accepts comes from the
function registry (:mod:`tsdb_core.influxql.functions`); this module walks the
expressions and keeps the statement-wide state.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...base.errors import QueryError
from ...influxql import ast
from ...influxql import functions as F
from ...influxql.ast.visit import find


@dataclass
class Compiled:
    """What the fields of one SELECT hold, as the compiler saw them."""

    interval: int = 0
    inherited: bool = False
    limit: int = 0
    calls: list = field(default_factory=list)
    only_selectors: bool = True
    aux: bool = False
    distinct: bool = False
    top_bottom: str | None = None
    has_agg: bool = False


_AGGREGATES = F.names(F.AGGREGATE, F.SELECTOR)
_MATH = F.names(F.MATH)


def validate_condition(cond, influxd: bool = False) -> None:
    """WHERE may call math functions only (influxd's words otherwise). ``influxd``: its
    validateCondition exactly: operands of AND/OR/comparisons walked, parentheses below the
    top not entered, a call's arguments counted as it counts them (``log`` takes one there)."""
    if cond is None:
        return
    if influxd:
        return _validate_condition_v1(cond.expr if isinstance(cond, ast.ParenExpr) else cond)
    for call in find(cond, ast.Call, prune=lambda n: isinstance(n, ast.Call)):
        if call.name not in _MATH:
            raise QueryError(f"invalid function call in condition: {call}")


def _validate_condition_v1(e) -> None:
    if isinstance(e, ast.BinaryExpr):
        _validate_condition_v1(e.lhs)
        _validate_condition_v1(e.rhs)
    elif isinstance(e, ast.Call):
        if e.name not in _MATH:
            raise QueryError(f"invalid function call in condition: {e}")
        want = 2 if e.name in ("atan2", "pow") else 1
        if len(e.args) != want:
            raise QueryError(f"invalid number of arguments for {e.name}, expected {want}, got {len(e.args)}")
        for a in e.args:
            _validate_condition_v1(a)


def compile_fields(stmt, fields, interval: int, inherited: bool) -> Compiled:
    """Check the SELECT's fields as compile.go does; the state the planner reads back."""
    st = Compiled(interval=interval, inherited=inherited, limit=stmt.limit)
    for f in fields:
        _compile_expr(f.expr, st, allow_wildcard=True)
    if not fields:
        raise QueryError("at least 1 non-time field must be queried")
    _check_mixing(st, stmt.fill)
    st.has_agg = any(_contains_aggregate(f.expr) for f in fields)
    return st


def validate_call(call, *, has_interval: bool = False, inherited_interval: bool = False,
                  limit: int = 0) -> None:
    """Check one call (nested calls too) as compile.go does, outside a statement.

    ``has_interval``: the statement has GROUP BY time; ``inherited_interval``: it comes
    from an outer query; ``limit``: the statement's LIMIT (the top/bottom check).
    """
    st = Compiled(interval=1 if has_interval else 0, inherited=inherited_interval, limit=limit)
    _compile_expr(call, st, allow_wildcard=True)


def _check_mixing(st: Compiled, fill) -> None:
    calls = st.calls
    if len(calls) > 1 and st.top_bottom:
        raise QueryError(f"selector function {st.top_bottom}() cannot be combined with other functions")
    if not calls:
        if fill in ("none", "linear"):
            raise QueryError(f"fill({fill}) must be used with a function")
        if st.interval and not st.inherited:
            raise QueryError("GROUP BY requires at least one aggregate function")
    if st.distinct and (len(calls) != 1 or st.aux):
        raise QueryError("aggregate function distinct() cannot be combined with other functions or fields")
    if st.aux and calls:
        if not st.only_selectors:
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
        if len(calls) > 1:
            raise QueryError("mixing multiple selector functions with tags or fields is not supported")




def _contains_aggregate(e) -> bool:
    return any(isinstance(n, ast.Distinct) or (isinstance(n, ast.Call) and n.name in _AGGREGATES)
               for n in find(e, (ast.Call, ast.Distinct)))


def _symbol(name: str, arg, allow_wildcard: bool, st: Compiled) -> None:
    if isinstance(arg, ast.VarRef):
        return
    if isinstance(arg, ast.Wildcard):
        if not allow_wildcard:
            raise QueryError(f"unsupported expression with wildcard: {name}()")
        st.only_selectors = False
        return
    if isinstance(arg, ast.RegexLiteral):
        if not allow_wildcard:
            raise QueryError(f"unsupported expression with regex field: {name}()")
        st.only_selectors = False
        return
    raise QueryError(f"expected field argument in {name}()")


def _compile_expr(e, st: Compiled, allow_wildcard: bool) -> None:
    if isinstance(e, ast.Call):
        return _compile_call(e, st, allow_wildcard)
    if isinstance(e, ast.VarRef):
        st.aux = True
    elif isinstance(e, (ast.Wildcard, ast.RegexLiteral)):
        if not allow_wildcard:
            what = "wildcard" if isinstance(e, ast.Wildcard) else "regex"
            raise QueryError(f"unable to use {what} in a binary expression")
        st.aux = True
    elif isinstance(e, ast.ParenExpr):
        _compile_expr(e.expr, st, allow_wildcard)
    elif isinstance(e, ast.BinaryExpr):
        _compile_binary(e, st)
    elif isinstance(e, ast.Distinct):
        st.calls.append(e)
        st.distinct = True
        st.only_selectors = False
    elif isinstance(e, ast.Literal):
        raise QueryError("field must contain at least one variable")
    else:
        raise QueryError("unimplemented")


def _compile_binary(e, st: Compiled) -> None:
    lit_l, lit_r = isinstance(e.lhs, ast.Literal), isinstance(e.rhs, ast.Literal)
    if lit_l and lit_r:
        raise QueryError("cannot perform a binary expression on two literals")
    if not lit_l:
        _compile_expr(e.lhs, st, False)
    if not lit_r:
        _compile_expr(e.rhs, st, False)


def _compile_call(e, st: Compiled, allow_wildcard: bool) -> None:
    spec = F.spec(e.name)
    name, args = e.name, e.args
    if spec.first_arg == F.SELECTED and st.top_bottom:
        raise QueryError(f"selector function {st.top_bottom}() cannot be combined with other functions")
    spec.check_call(args, st.limit)
    if spec.kind == F.MATH:
        for a in args:
            if not isinstance(a, ast.Literal):
                _compile_expr(a, st, allow_wildcard)
        return
    st.calls.append(e)
    if spec.kind != F.SELECTOR:
        st.only_selectors = False
    mode = spec.first_arg
    if mode == F.FIELD:
        return _symbol(name, args[0], allow_wildcard, st)
    if mode == F.COUNTED:
        return _compile_counted(args[0], st, allow_wildcard)
    if mode == F.DISTINCT:
        st.distinct = True
    elif mode == F.SELECTED:
        st.top_bottom = name
    elif mode == F.AGGREGATED:
        return _compile_aggregated(name, args[0], st)
    elif mode == F.SERIES:
        return _compile_series(name, args[0], st, allow_wildcard)


def _compile_counted(arg, st: Compiled, allow_wildcard: bool) -> None:
    if isinstance(arg, ast.Call) and arg.name == "distinct":
        F.spec("distinct").check_call(arg.args)
        return
    if isinstance(arg, ast.Distinct):
        return
    _symbol("count", arg, allow_wildcard, st)


def _compile_aggregated(name: str, arg, st: Compiled) -> None:
    if not isinstance(arg, ast.Call):
        raise QueryError(f"must use aggregate function with {name}")
    if not st.interval:
        raise QueryError(f"{name} aggregate requires a GROUP BY interval")
    _compile_nested(arg, st)


def _compile_series(name: str, arg, st: Compiled, allow_wildcard: bool) -> None:
    if isinstance(arg, ast.Call):
        if not st.interval:
            raise QueryError(f"{name} aggregate requires a GROUP BY interval")
        return _compile_nested(arg, st)
    if st.interval and not st.inherited:
        raise QueryError(f"aggregate function required inside the call to {name}")
    _symbol(name, arg, allow_wildcard, st)


def _compile_nested(e, st: Compiled) -> None:
    if isinstance(e, ast.Call) and e.name == "distinct":
        st.calls.append(e)
        F.spec("distinct").check_call(e.args)
        st.only_selectors = False
        return
    _compile_expr(e, st, True)
