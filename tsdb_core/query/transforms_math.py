"""InfluxQL's row-wise math functions (abs ... tan), as InfluxDB 1.6.7 computes them.

Two forms of the same semantics:

* :func:`math_expr` ``(name, *args: pl.Expr) -> pl.Expr`` — for projections;
  arguments are Polars expressions (a literal is ``pl.lit(x)``).
* :func:`apply_math` ``(name, *args) -> pl.Series`` — arrays/Series/scalars.

Semantics copied from InfluxDB's ``query/math.go`` (``MathValuer``) and checked
against a real influxd 1.6.7:

* ``abs``, ``floor``, ``ceil``, ``round`` keep the argument's type; on integers
  they return the value unchanged — including ``abs(-7) == -7`` (a 1.6.7 quirk
  kept on purpose). ``round`` rounds half away from zero (Go's ``round``).
* every other function returns float (integers converted first); ``log(x, b)``
  is ``ln(x)/ln(b)``; ``log2`` and ``log10`` use Go's formulas (frexp based /
  ``ln(x) * (1/ln 10)``), which can differ from libm in the last bit.
* a NaN result is null (InfluxDB's JSON prints NaN as null). ±Inf makes
  influxd 1.6.7 fail the whole response (``json: unsupported value: +Inf``);
  we return null there too (documented deviation).
* a null argument gives null; the row is kept (the caller decides rows).
"""
from __future__ import annotations

import math

import numpy as np
import polars as pl

from ..errors import QueryError

ONE_ARG = ("abs", "sin", "cos", "tan", "asin", "acos", "atan", "exp", "ln", "log2", "log10",
           "sqrt", "floor", "ceil", "round")
TWO_ARGS = ("atan2", "pow", "log")
MATH_FUNCTIONS = frozenset(ONE_ARG + TWO_ARGS)
TYPE_PRESERVING = frozenset(("abs", "floor", "ceil", "round"))

# Go folds ``1/Ln2`` and ``1/Ln10`` as exact constants, then rounds once.
_INV_LN2 = 1.4426950408889634
_INV_LN10 = 0.4342944819032518
_SQRT2_2 = math.sqrt(2) / 2


def is_math_function(name: str) -> bool:
    return name in MATH_FUNCTIONS


def math_result_type(name: str, arg_type: str) -> str:
    """InfluxQL type name of the result: ``float``/``integer``/``unsigned``."""
    if name in TYPE_PRESERVING:
        return arg_type
    return "float"


def _finite_or_null(e: pl.Expr) -> pl.Expr:
    return pl.when(e.is_finite()).then(e).otherwise(None)


def _float(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Float64)


def _go_round(e: pl.Expr) -> pl.Expr:
    t = e.truncate() if hasattr(pl.Expr, "truncate") else None
    if t is None:  # pragma: no cover - older polars
        t = pl.when(e >= 0).then(e.floor()).otherwise(e.ceil())
    return pl.when((e - t).abs() >= 0.5).then(t + pl.when(e < 0).then(-1.0).otherwise(1.0)).otherwise(t)


def go_log(a) -> np.ndarray:
    """Go's ``math.Log`` (FreeBSD's algorithm), vectorised: bit-identical to influxd's ``ln``.

    glibc's ``log`` differs in the last bit for some inputs (e.g. ln 3).
    """
    x = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        f1, ki = np.frexp(x)
        small = f1 < _SQRT2_2
        f1 = np.where(small, f1 * 2, f1)
        k = (ki - small).astype(np.float64)
        f = f1 - 1
        s = f / (2 + f)
        s2 = s * s
        s4 = s2 * s2
        t1 = s2 * (6.666666666666735130e-01 + s4 * (2.857142874366239149e-01
                   + s4 * (1.818357216161805012e-01 + s4 * 1.479819860511658591e-01)))
        t2 = s4 * (3.999999999940941908e-01 + s4 * (2.222219843214978396e-01
                   + s4 * 1.531383769920937332e-01))
        r = t1 + t2
        hfsq = 0.5 * f * f
        out = k * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + r) + k * 1.90821492927058770002e-10)) - f)
        out = np.where(x == 0, -np.inf, out)
        out = np.where((x < 0) | np.isnan(x), np.nan, out)
        out = np.where(np.isposinf(x), np.inf, out)
    return out


def go_log2(a) -> np.ndarray:
    """Go's ``math.Log2``: ``Log(frac)*(1/Ln2) + exp``, exact for powers of two."""
    x = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        frac, exp = np.frexp(x)
        out = go_log(frac) * _INV_LN2 + exp
        out = np.where(frac == 0.5, (exp - 1).astype(np.float64), out)
        out = np.where(x == 0, -np.inf, out)
        out = np.where((x < 0) | np.isnan(x), np.nan, out)
    return out


def _np_expr(x: pl.Expr, fn) -> pl.Expr:
    return x.map_batches(lambda s: pl.Series(s.name, fn(s.to_numpy())), return_dtype=pl.Float64)


def _ln(x: pl.Expr) -> pl.Expr:
    return _np_expr(x, go_log)


def math_expr(name: str, *args: pl.Expr, arg_type: str | None = None) -> pl.Expr:
    """The Polars expression computing ``name(*args)`` row by row.

    ``arg_type`` (``float``/``integer``/``unsigned``) is needed only for the
    type-preserving functions when the expression's dtype is not known; if
    omitted, integer inputs are detected at run time from the dtype.
    """
    if name not in MATH_FUNCTIONS:
        raise QueryError(f"undefined function {name}()")
    want = 2 if name in TWO_ARGS else 1
    if len(args) != want:
        raise QueryError(f"invalid number of arguments for {name}, expected {want}, got {len(args)}")
    x = args[0]
    if name in TYPE_PRESERVING:
        f = _float(x)
        body = {"abs": f.abs(), "floor": f.floor(), "ceil": f.ceil(), "round": _go_round(f)}[name]
        if arg_type in ("integer", "unsigned"):
            return x
        if arg_type == "float":
            return _finite_or_null(body)
        # unknown: decide on the batch dtype
        return x.map_batches(lambda s: _preserving_batch(name, s))
    f = _float(x)
    if name == "sin":
        out = f.sin()
    elif name == "cos":
        out = f.cos()
    elif name == "tan":
        out = f.tan()
    elif name == "asin":
        out = f.arcsin()
    elif name == "acos":
        out = f.arccos()
    elif name == "atan":
        out = f.arctan()
    elif name == "exp":
        out = f.exp()
    elif name == "ln":
        out = _ln(f)
    elif name == "log2":
        out = _np_expr(f, go_log2)
    elif name == "log10":
        out = _ln(f) * _INV_LN10
    elif name == "sqrt":
        out = f.sqrt()
    elif name == "atan2":
        out = pl.arctan2(f, _float(args[1]))
    elif name == "pow":
        out = f.pow(_float(args[1]))
    else:  # log(x, b)
        out = _ln(f) / _ln(_float(args[1]))
    return _finite_or_null(out)


def _preserving_batch(name: str, s: pl.Series) -> pl.Series:
    if s.dtype.is_integer():
        return s
    return pl.select(math_expr(name, pl.lit(s), arg_type="float")).to_series().alias(s.name)


def apply_math(name: str, *args) -> pl.Series:
    """``name(*args)`` over arrays (numpy/Polars/list) or scalars, as a Polars Series."""
    cols = {}
    exprs = []
    n = max((len(a) for a in args if hasattr(a, "__len__") and not isinstance(a, str)), default=1)
    for i, a in enumerate(args):
        if isinstance(a, (int, float)):
            exprs.append(pl.lit(a))
        else:
            s = a if isinstance(a, pl.Series) else pl.Series(np.asarray(a))
            cols[f"a{i}"] = s
            exprs.append(pl.col(f"a{i}"))
    df = pl.DataFrame(cols) if cols else pl.DataFrame({"_": [0] * n})
    return df.select(math_expr(name, *exprs).alias(name)).to_series()
