"""SELECT validation: InfluxDB 1.x's ``query/compile.go`` checks, with the same words.

Runs on the statement as written (before wildcard expansion): function names and
arities, argument kinds, which functions need GROUP BY time, and how aggregates,
selectors and raw fields may be mixed.
"""
from __future__ import annotations

from ...base.errors import QueryError
from ...influxql import ast
from ..plan.nodes import AGGREGATES, TRANSFORMS
from ..functions.math import MATH_FUNCTIONS


def validate_condition(cond) -> None:
    if isinstance(cond, ast.BinaryExpr):
        validate_condition(cond.lhs)
        validate_condition(cond.rhs)
    elif isinstance(cond, ast.ParenExpr):
        validate_condition(cond.expr)
    elif isinstance(cond, ast.Call) and cond.name not in MATH_FUNCTIONS:
        raise QueryError(f"invalid function call in condition: {cond}")


def compile_fields(stmt, fields, interval: int, inherited: bool) -> dict:
    st = {"calls": [], "only_selectors": True, "aux": False, "distinct": False,
          "top_bottom": None, "has_agg": False, "extra_fields": 0}
    for f in fields:
        _compile_expr(f.expr, st, interval, inherited, stmt, allow_wildcard=True)
    if not fields:
        raise QueryError("at least 1 non-time field must be queried")
    calls = st["calls"]
    if len(calls) > 1 and st["top_bottom"]:
        raise QueryError(f"selector function {st['top_bottom']}() cannot be combined with other functions")
    if not calls:
        if stmt.fill == "none":
            raise QueryError("fill(none) must be used with a function")
        if stmt.fill == "linear":
            raise QueryError("fill(linear) must be used with a function")
        if interval and not inherited:
            raise QueryError("GROUP BY requires at least one aggregate function")
    if st["distinct"] and (len(calls) != 1 or st["aux"]):
        raise QueryError("aggregate function distinct() cannot be combined with other functions or fields")
    if st["aux"] and calls:
        if not st["only_selectors"]:
            raise QueryError("mixing aggregate and non-aggregate queries is not supported")
        if len(calls) > 1:
            raise QueryError("mixing multiple selector functions with tags or fields is not supported")
    st["has_agg"] = any(_contains_aggregate(f.expr) for f in fields)
    return st


def _contains_aggregate(e) -> bool:
    if isinstance(e, ast.Call):
        if e.name in AGGREGATES:
            return True
        return any(_contains_aggregate(a) for a in e.args)
    if isinstance(e, ast.Distinct):
        return True
    if isinstance(e, ast.BinaryExpr):
        return _contains_aggregate(e.lhs) or _contains_aggregate(e.rhs)
    if isinstance(e, ast.ParenExpr):
        return _contains_aggregate(e.expr)
    return False


def _symbol(name: str, arg, allow_wildcard: bool, st) -> None:
    if isinstance(arg, ast.VarRef):
        return
    if isinstance(arg, ast.Wildcard):
        if not allow_wildcard:
            raise QueryError(f"unsupported expression with wildcard: {name}()")
        st["only_selectors"] = False
        return
    if isinstance(arg, ast.RegexLiteral):
        if not allow_wildcard:
            raise QueryError(f"unsupported expression with regex field: {name}()")
        st["only_selectors"] = False
        return
    raise QueryError(f"expected field argument in {name}()")


def _nargs(name: str, args, lo: int, hi: int) -> None:
    got = len(args)
    if lo == hi and got != lo:
        raise QueryError(f"invalid number of arguments for {name}, expected {lo}, got {got}")
    if not lo <= got <= hi:
        raise QueryError(f"invalid number of arguments for {name}, expected at least {lo} "
                         f"but no more than {hi}, got {got}")


def _compile_expr(e, st, interval, inherited, stmt, allow_wildcard: bool) -> None:
    if isinstance(e, ast.VarRef):
        st["aux"] = True
        return
    if isinstance(e, ast.Wildcard):
        st["aux"] = True
        if not allow_wildcard:
            raise QueryError("unable to use wildcard in a binary expression")
        return
    if isinstance(e, ast.RegexLiteral):
        if not allow_wildcard:
            raise QueryError("unable to use regex in a binary expression")
        st["aux"] = True
        return
    if isinstance(e, ast.ParenExpr):
        return _compile_expr(e.expr, st, interval, inherited, stmt, allow_wildcard)
    if isinstance(e, ast.BinaryExpr):
        lit_l, lit_r = isinstance(e.lhs, ast.Literal), isinstance(e.rhs, ast.Literal)
        if lit_l and lit_r:
            raise QueryError("cannot perform a binary expression on two literals")
        if not lit_l:
            _compile_expr(e.lhs, st, interval, inherited, stmt, False)
        if not lit_r:
            _compile_expr(e.rhs, st, interval, inherited, stmt, False)
        return
    if isinstance(e, ast.Distinct):
        st["calls"].append(e)
        st["distinct"] = True
        st["only_selectors"] = False
        return
    if isinstance(e, ast.Literal):
        raise QueryError("field must contain at least one variable")
    if not isinstance(e, ast.Call):
        raise QueryError("unimplemented")
    name, args = e.name, e.args
    if name in MATH_FUNCTIONS:
        n = 2 if name in ("atan2", "pow", "log") else 1
        _nargs(name, args, n, n)
        for a in args:
            if not isinstance(a, ast.Literal):
                _compile_expr(a, st, interval, inherited, stmt, allow_wildcard)
        return
    st["calls"].append(e)
    if name == "percentile":
        _nargs(name, args, 2, 2)
        if not isinstance(args[1], (ast.IntegerLiteral, ast.NumberLiteral)):
            raise QueryError("expected float argument in percentile()")
        return _symbol(name, args[0], allow_wildcard, st)
    if name == "sample":
        _nargs(name, args, 2, 2)
        if not isinstance(args[1], ast.IntegerLiteral):
            raise QueryError("expected integer argument in sample()")
        if args[1].val <= 0:
            raise QueryError(f"sample window must be greater than 1, got {args[1].val}")
        return _symbol(name, args[0], allow_wildcard, st)
    if name == "distinct":
        return _compile_distinct(args, st, nested=False)
    if name in ("top", "bottom"):
        return _compile_top_bottom(e, st, stmt)
    if name in TRANSFORMS:
        return _compile_transform(e, st, interval, inherited, stmt, allow_wildcard)
    if name == "integral":
        _nargs(name, args, 1, 2)
        if len(args) == 2:
            if not isinstance(args[1], ast.DurationLiteral):
                raise QueryError("second argument must be a duration")
            if args[1].val <= 0:
                raise QueryError(f"duration argument must be positive, got {args[1]}")
        st["only_selectors"] = False
        return _symbol(name, args[0], allow_wildcard, st)
    if name in ("max", "min", "first", "last"):
        pass
    elif name in ("count", "sum", "mean", "median", "mode", "stddev", "spread"):
        st["only_selectors"] = False
    else:
        raise QueryError(f"undefined function {name}()")
    _nargs(name, args, 1, 1)
    if name == "count":
        a = args[0]
        if isinstance(a, ast.Call) and a.name == "distinct":
            return _compile_distinct(a.args, st, nested=True)
        if isinstance(a, ast.Distinct):
            return
    return _symbol(name, args[0], allow_wildcard, st)


def _compile_distinct(args, st, nested: bool) -> None:
    if not args:
        raise QueryError("distinct function requires at least one argument")
    if len(args) != 1:
        raise QueryError("distinct function can only have one argument")
    if not isinstance(args[0], ast.VarRef):
        raise QueryError("expected field argument in distinct()")
    if not nested:
        st["distinct"] = True
    st["only_selectors"] = False


def _compile_top_bottom(call, st, stmt) -> None:
    name, args = call.name, call.args
    if st["top_bottom"]:
        raise QueryError(f"selector function {st['top_bottom']}() cannot be combined with other functions")
    if len(args) < 2:
        raise QueryError(f"invalid number of arguments for {name}, expected at least 2, got {len(args)}")
    limit = args[-1]
    if not isinstance(limit, ast.IntegerLiteral):
        found = f"{limit.val:.3f}" if isinstance(limit, ast.NumberLiteral) else limit
        raise QueryError(f"expected integer as last argument in {name}(), found {found}")
    if limit.val <= 0:
        raise QueryError(f"limit ({limit.val}) in {name} function must be at least 1")
    if stmt.limit > 0 and limit.val > stmt.limit:
        raise QueryError(f"limit ({limit.val}) in {name} function can not be larger than the "
                         f"LIMIT ({stmt.limit}) in the select statement")
    if not isinstance(args[0], ast.VarRef):
        raise QueryError(f"expected first argument to be a field in {name}(), found {args[0]}")
    for a in args[1:-1]:
        if not isinstance(a, ast.VarRef):
            raise QueryError(f"only fields or tags are allowed in {name}(), found {a}")
    st["top_bottom"] = name


def _compile_transform(call, st, interval, inherited, stmt, allow_wildcard) -> None:
    name, args = call.name, call.args
    if name in ("derivative", "non_negative_derivative", "elapsed"):
        _nargs(name, args, 1, 2)
        if len(args) == 2:
            if not isinstance(args[1], ast.DurationLiteral):
                raise QueryError(f"second argument to {name} must be a duration, got "
                                 f"*influxql.{type(args[1]).__name__}")
            if args[1].val <= 0:
                raise QueryError(f"duration argument must be positive, got {args[1]}")
    elif name in ("difference", "non_negative_difference", "cumulative_sum"):
        _nargs(name, args, 1, 1)
    elif name == "moving_average":
        _nargs(name, args, 2, 2)
        if not isinstance(args[1], ast.IntegerLiteral):
            raise QueryError(f"second argument for moving_average must be an integer, got "
                             f"*influxql.{type(args[1]).__name__}")
        if args[1].val <= 1:
            raise QueryError(f"moving_average window must be greater than 1, got {args[1].val}")
    elif name in ("holt_winters", "holt_winters_with_fit"):
        _nargs(name, args, 3, 3)
        if not isinstance(args[1], ast.IntegerLiteral):
            raise QueryError(f"expected integer argument as second arg in {name}")
        if args[1].val <= 0:
            raise QueryError(f"second arg to {name} must be greater than 0, got {args[1].val}")
        if not isinstance(args[2], ast.IntegerLiteral):
            raise QueryError(f"expected integer argument as third arg in {name}")
        if args[2].val < 0:
            raise QueryError(f"third arg to {name} cannot be negative, got {args[2].val}")
        st["only_selectors"] = False
        if not isinstance(args[0], ast.Call):
            raise QueryError(f"must use aggregate function with {name}")
        if not interval:
            raise QueryError(f"{name} aggregate requires a GROUP BY interval")
        return _compile_nested(args[0], st, interval, inherited, stmt)
    else:  # technical analysis
        hi = 3 if name.startswith("kaufmans") else 4
        _nargs(name, args, 2, hi)
        if not isinstance(args[1], ast.IntegerLiteral):
            raise QueryError(f"{name} period must be an integer")
        if args[1].val < 1:
            raise QueryError(f"{name} period must be greater than or equal to 1")
        if len(args) >= 3:
            if not isinstance(args[2], ast.IntegerLiteral):
                raise QueryError(f"{name} hold period must be an integer")
            if name == "triple_exponential_derivative" and args[2].val < 1 and args[2].val != -1:
                raise QueryError(f"{name} hold period must be greater than or equal to 1")
            if args[2].val < 0 and args[2].val != -1:
                raise QueryError(f"{name} hold period must be greater than or equal to 0")
        if len(args) >= 4:
            if not isinstance(args[3], ast.StringLiteral):
                raise QueryError(f"{name} warmup type must be a string")
            allowed = ("none", "exponential", "simple") if name == "chande_momentum_oscillator" \
                else ("exponential", "simple")
            if args[3].val not in allowed:
                raise QueryError(f"{name} warmup type must be one of: "
                                 + " ".join(f"'{a}'" for a in allowed))
    st["only_selectors"] = False
    a0 = args[0]
    if isinstance(a0, ast.Call):
        if not interval:
            raise QueryError(f"{name} aggregate requires a GROUP BY interval")
        return _compile_nested(a0, st, interval, inherited, stmt)
    if interval and not inherited:
        raise QueryError(f"aggregate function required inside the call to {name}")
    return _symbol(name, a0, allow_wildcard, st)


def _compile_nested(e, st, interval, inherited, stmt) -> None:
    if isinstance(e, ast.Call) and e.name == "distinct":
        st["calls"].append(e)
        return _compile_distinct(e.args, st, nested=True)
    _compile_expr(e, st, interval, inherited, stmt, True)
