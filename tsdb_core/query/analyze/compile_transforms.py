"""Argument validation of InfluxQL function calls, with InfluxDB 1.6.7's exact words.

``validate_call(call, *, has_interval, inherited_interval=False, limit=0)``
checks one :class:`~tsdb_core.influxql.ast.expr.Call` the way influxd's
``query/compile.go`` does (``compileExpr`` and the per-function compilers)
and raises :class:`~tsdb_core.base.errors.QueryError` on the first problem.
Nested calls (``derivative(mean(v))``) are validated recursively. It does not
check statement-wide rules (mixing aggregates and raw fields, GROUP BY time
without an aggregate): those belong to the planner.

``has_interval``: the statement has ``GROUP BY time(...)``;
``inherited_interval``: the interval comes from an outer query (subquery);
``limit``: the statement's LIMIT (top/bottom check).
"""
from __future__ import annotations

from ...base.errors import QueryError
from ...influxql.ast import expr as A
from ..functions.math import MATH_FUNCTIONS, TWO_ARGS


def _go_type(node) -> str:
    """Go's ``%T`` of an influxql node, as InfluxDB prints it in errors."""
    return f"*influxql.{type(node).__name__}"


def _fmt_duration(ns: int) -> str:
    from ...influxql.parser.lexing import format_duration
    return format_duration(ns)


class _Ctx:
    __slots__ = ("has_interval", "inherited", "limit", "allow_wildcard")

    def __init__(self, has_interval: bool, inherited: bool, limit: int):
        self.has_interval = has_interval
        self.inherited = inherited
        self.limit = limit
        self.allow_wildcard = True


def validate_call(call, *, has_interval: bool = False, inherited_interval: bool = False,
                  limit: int = 0) -> None:
    """Raise QueryError with InfluxDB's words if ``call`` is not a valid function call."""
    _expr(call, _Ctx(has_interval, inherited_interval, limit))


def _err(msg: str):
    raise QueryError(msg)


def _expr(e, c: _Ctx) -> None:
    if isinstance(e, A.VarRef):
        return
    if isinstance(e, A.Wildcard):
        if not c.allow_wildcard:
            _err("unable to use wildcard in a binary expression")
        return
    if isinstance(e, A.RegexLiteral):
        if not c.allow_wildcard:
            _err("unable to use regex in a binary expression")
        return
    if isinstance(e, A.Call):
        return _call(e, c)
    if isinstance(e, A.Distinct):
        return _distinct((A.VarRef(e.val),))
    if isinstance(e, A.BinaryExpr):
        c.allow_wildcard = False
        lit_l, lit_r = isinstance(e.lhs, A.Literal), isinstance(e.rhs, A.Literal)
        if lit_l and lit_r:
            _err("cannot perform a binary expression on two literals")
        if lit_l:
            return _expr(e.rhs, c)
        if lit_r:
            return _expr(e.lhs, c)
        _expr(e.lhs, c)
        return _expr(e.rhs, c)
    if isinstance(e, A.ParenExpr):
        return _expr(e.expr, c)
    if isinstance(e, A.Literal):
        _err("field must contain at least one variable")
    _err("unimplemented")


def _nested(e, c: _Ctx) -> None:
    if isinstance(e, A.Call) and e.name == "distinct":
        return _distinct(e.args)
    if isinstance(e, A.Distinct):
        return _distinct((A.VarRef(e.val),))
    return _expr(e, c)


def _symbol(name: str, arg, c: _Ctx) -> None:
    if isinstance(arg, A.VarRef):
        return
    if isinstance(arg, A.Wildcard):
        if not c.allow_wildcard:
            _err(f"unsupported expression with wildcard: {name}()")
        return
    if isinstance(arg, A.RegexLiteral):
        if not c.allow_wildcard:
            _err(f"unsupported expression with regex field: {name}()")
        return
    _err(f"expected field argument in {name}()")


def _distinct(args) -> None:
    if len(args) == 0:
        _err("distinct function requires at least one argument")
    if len(args) != 1:
        _err("distinct function can only have one argument")
    if not isinstance(args[0], A.VarRef):
        _err("expected field argument in distinct()")


def _transform_arg0(name: str, arg0, c: _Ctx, *, nested: bool = True) -> None:
    if isinstance(arg0, A.Call):
        if not c.has_interval:
            _err(f"{name} aggregate requires a GROUP BY interval")
        return _nested(arg0, c) if nested else _expr(arg0, c)
    if c.has_interval and not c.inherited:
        _err(f"aggregate function required inside the call to {name}")
    return _symbol(name, arg0, c)


def _range(name: str, args, lo: int, hi: int) -> None:
    got = len(args)
    if got < lo or got > hi:
        _err(f"invalid number of arguments for {name}, expected at least {lo} but no more than {hi}, got {got}")


def _exact(name: str, args, n: int) -> None:
    if len(args) != n:
        _err(f"invalid number of arguments for {name}, expected {n}, got {len(args)}")


def _call(e, c: _Ctx) -> None:
    name, args = e.name, e.args
    if name in MATH_FUNCTIONS:
        _exact(name, args, 2 if name in TWO_ARGS else 1)
        for a in args:
            if not isinstance(a, A.Literal):
                _expr(a, c)
        return
    if name == "percentile":
        _exact("percentile", args, 2)
        if not isinstance(args[1], (A.IntegerLiteral, A.NumberLiteral)):
            _err("expected float argument in percentile()")
        return _symbol("percentile", args[0], c)
    if name == "sample":
        _exact("sample", args, 2)
        if not isinstance(args[1], A.IntegerLiteral):
            _err("expected integer argument in sample()")
        if args[1].val <= 0:
            _err(f"sample window must be greater than 1, got {args[1].val}")
        return _symbol("sample", args[0], c)
    if name == "distinct":
        return _distinct(args)
    if name in ("top", "bottom"):
        return _top_bottom(e, c)
    if name in ("derivative", "non_negative_derivative", "elapsed"):
        _range(name, args, 1, 2)
        if len(args) == 2:
            a1 = args[1]
            if isinstance(a1, A.DurationLiteral):
                if a1.val <= 0:
                    _err(f"duration argument must be positive, got {_fmt_duration(a1.val)}")
            else:
                _err(f"second argument to {name} must be a duration, got {_go_type(a1)}")
        return _transform_arg0(name, args[0], c)
    if name in ("difference", "non_negative_difference", "cumulative_sum"):
        if len(args) != 1:
            _err(f"invalid number of arguments for {name}, expected 1, got {len(args)}")
        return _transform_arg0(name, args[0], c)
    if name == "moving_average":
        if len(args) != 2:
            _err(f"invalid number of arguments for moving_average, expected 2, got {len(args)}")
        a1 = args[1]
        if not isinstance(a1, A.IntegerLiteral):
            _err(f"second argument for moving_average must be an integer, got {_go_type(a1)}")
        if a1.val <= 1:
            _err(f"moving_average window must be greater than 1, got {a1.val}")
        return _transform_arg0(name, args[0], c)
    if name in ("exponential_moving_average", "double_exponential_moving_average",
                "triple_exponential_moving_average", "relative_strength_index",
                "triple_exponential_derivative"):
        _range(name, args, 2, 4)
        _period(name, args)
        if len(args) >= 3:
            a2 = args[2]
            if not isinstance(a2, A.IntegerLiteral):
                _err(f"{name} hold period must be an integer")
            if name == "triple_exponential_derivative" and a2.val < 1 and a2.val != -1:
                _err(f"{name} hold period must be greater than or equal to 1")
            if a2.val < 0 and a2.val != -1:
                _err(f"{name} hold period must be greater than or equal to 0")
        if len(args) >= 4:
            a3 = args[3]
            if not isinstance(a3, A.StringLiteral):
                _err(f"{name} warmup type must be a string")
            if a3.val not in ("exponential", "simple"):
                _err(f"{name} warmup type must be one of: 'exponential' 'simple'")
        return _transform_arg0(name, args[0], c, nested=False)
    if name in ("kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average"):
        _range(name, args, 2, 3)
        _period(name, args)
        if len(args) >= 3:
            _hold(name, args[2])
        return _transform_arg0(name, args[0], c, nested=False)
    if name == "chande_momentum_oscillator":
        _range(name, args, 2, 4)
        _period(name, args)
        if len(args) >= 3:
            _hold(name, args[2])
        if len(args) >= 4:
            a3 = args[3]
            if not isinstance(a3, A.StringLiteral):
                _err(f"{name} warmup type must be a string")
            if a3.val not in ("none", "exponential", "simple"):
                _err(f"{name} warmup type must be one of: 'none' 'exponential' 'simple'")
        return _transform_arg0(name, args[0], c, nested=False)
    if name == "integral":
        _range("integral", args, 1, 2)
        if len(args) == 2:
            a1 = args[1]
            if isinstance(a1, A.DurationLiteral):
                if a1.val <= 0:
                    _err(f"duration argument must be positive, got {_fmt_duration(a1.val)}")
            else:
                _err("second argument must be a duration")
        return _symbol("integral", args[0], c)
    if name in ("holt_winters", "holt_winters_with_fit"):
        _exact(name, args, 3)
        n, s = args[1], args[2]
        if not isinstance(n, A.IntegerLiteral):
            _err(f"expected integer argument as second arg in {name}")
        if n.val <= 0:
            _err(f"second arg to {name} must be greater than 0, got {n.val}")
        if not isinstance(s, A.IntegerLiteral):
            _err(f"expected integer argument as third arg in {name}")
        if s.val < 0:
            _err(f"third arg to {name} cannot be negative, got {s.val}")
        if not isinstance(args[0], A.Call):
            _err(f"must use aggregate function with {name}")
        if not c.has_interval:
            _err(f"{name} aggregate requires a GROUP BY interval")
        return _nested(args[0], c)
    # plain aggregates and selectors
    if name not in ("max", "min", "first", "last", "count", "sum", "mean", "median", "mode",
                    "stddev", "spread"):
        _err(f"undefined function {name}()")
    _exact(name, args, 1)
    if name == "count":
        a0 = args[0]
        if isinstance(a0, A.Call) and a0.name == "distinct":
            return _distinct(a0.args)
        if isinstance(a0, A.Distinct):
            return _distinct((A.VarRef(a0.val),))
    return _symbol(name, args[0], c)


def _period(name: str, args) -> None:
    a1 = args[1]
    if not isinstance(a1, A.IntegerLiteral):
        _err(f"{name} period must be an integer")
    if a1.val < 1:
        _err(f"{name} period must be greater than or equal to 1")


def _hold(name: str, a2) -> None:
    if not isinstance(a2, A.IntegerLiteral):
        _err(f"{name} hold period must be an integer")
    if a2.val < 0 and a2.val != -1:
        _err(f"{name} hold period must be greater than or equal to 0")


def _top_bottom(e, c: _Ctx) -> None:
    name, args = e.name, e.args
    if len(args) < 2:
        _err(f"invalid number of arguments for {name}, expected at least 2, got {len(args)}")
    last = args[-1]
    if not isinstance(last, A.IntegerLiteral):
        _err(f"expected integer as last argument in {name}(), found {last}")
    if last.val <= 0:
        _err(f"limit ({last.val}) in {name} function must be at least 1")
    if c.limit > 0 and last.val > c.limit:
        _err(f"limit ({last.val}) in {name} function can not be larger than the LIMIT ({c.limit}) "
             "in the select statement")
    if not isinstance(args[0], A.VarRef):
        _err(f"expected first argument to be a field in {name}(), found {args[0]}")
    for v in args[1:-1]:
        if not isinstance(v, A.VarRef):
            _err(f"only fields or tags are allowed in {name}(), found {v}")
