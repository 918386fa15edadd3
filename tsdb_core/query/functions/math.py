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
  is ``ln(x)/ln(b)``. Every transcendental function reproduces Go's own
  algorithm (:mod:`.gomath`; FreeBSD ``log``, the amd64 FMA
  ``exp``, Cephes sin/cos/tan/atan/asin, ``Pow`` by repeated squaring) bit
  for bit, because libm differs in the last bit; ``sqrt`` is IEEE-exact.
* a NaN result is null (InfluxDB's JSON prints NaN as null; influxdb3 keeps it: ``keep_nan``). ±Inf stays (``log(0, 2)``
  is -Inf), as arithmetic's does: influxd 1.6.7 then fails the whole response
  (``json: unsupported value: -Inf``, text, 200), which the HTTP shim writes too.
* a null argument gives null; the row is kept (the caller decides rows).
"""
from __future__ import annotations

import math

import numpy as np
import polars as pl

from ...base.errors import QueryError
from ...influxql import functions as F

MATH_FUNCTIONS = F.names(F.MATH)
TYPE_PRESERVING = frozenset(("abs", "floor", "ceil", "round"))

# Go folds ``1/Ln2`` and ``1/Ln10`` as exact constants, then rounds once.
_INV_LN2 = 1.4426950408889634
_INV_LN10 = 0.4342944819032518
_SQRT2_2 = math.sqrt(2) / 2


def _nan_as_null(e: pl.Expr) -> pl.Expr:
    """NaN as null (±Inf kept), over the batch: ``e`` appears once, so nested calls
    (``abs(abs(...))``) do not copy their input at every level."""
    def not_nan(s: pl.Series) -> pl.Series:
        return pl.Series(s.name, s.cast(pl.Float64).to_numpy(), nan_to_null=True)

    return e.map_batches(not_nan, return_dtype=pl.Float64)


def _float(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Float64)


def _go_round(e: pl.Expr) -> pl.Expr:
    """Go's math.Round (half away from zero), over the batch: ``e`` appears once."""
    def go_round(s: pl.Series) -> pl.Series:
        x = s.to_numpy()
        t = np.trunc(x)
        return pl.Series(s.name, np.where(np.abs(x - t) >= 0.5, t + np.copysign(1.0, x), t))

    return e.map_batches(go_round, return_dtype=pl.Float64)


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


_SPLIT = 134217729.0  # 2**27 + 1 (Veltkamp)
_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e+02
_EXP_POLY = (1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
             4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0)


def _fma(a, b, c):
    """``a*b + c`` rounded once (error-free TwoProduct + TwoSum), vectorised."""
    p = a * b
    a1 = a * _SPLIT
    ah = a1 - (a1 - a)
    al = a - ah
    b1 = b * _SPLIT
    bh = b1 - (b1 - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def go_exp(a) -> np.ndarray:
    """Go's amd64 ``math.Exp`` (exp_amd64.s, FMA path), vectorised: bit-identical to influxd's ``exp``.

    The assembly (Taylor series on x/16, squared four times) differs from
    glibc's ``exp`` in the last bit for some inputs (e.g. exp(1.5)).
    """
    x = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        k = np.rint(_LOG2E * x)
        k = np.where(np.isfinite(k), k, 0.0)
        r = _fma(np.full_like(x, -_LN2U), k, x)
        r = _fma(np.full_like(x, -_LN2L), k, r)
        r = r * 0.0625
        p = np.full_like(x, 2.4801587301587301587e-5)
        for c in _EXP_POLY:
            p = _fma(p, r, np.full_like(x, c))
        r = r * p
        for i in range(4):
            p = r + 2.0
            if i < 3:
                r = r * p
        r = _fma(r, p, np.ones_like(x))
        out = np.ldexp(r, k.astype(np.int64).clip(-2000, 2000).astype(np.int32))
        out = np.where(x > _EXP_OVERFLOW, np.inf, out)
        out = np.where(np.isneginf(x), 0.0, out)
        out = np.where(np.isnan(x) | np.isposinf(x), x, out)
    return out


def _np_expr(x: pl.Expr, fn) -> pl.Expr:
    return x.map_batches(lambda s: pl.Series(s.name, fn(s.to_numpy())), return_dtype=pl.Float64)


def _gomath(fn_name: str):
    from . import gomath
    return getattr(gomath, fn_name)


_GO_UNARY = {n: (lambda n=n: _gomath(f"go_{n}")) for n in ("sin", "cos", "tan", "asin", "acos", "atan")}


def _binary_go(name: str):
    return _gomath("go_atan2") if name == "atan2" else _gomath("go_pow")


def _go_log_base(x, b) -> np.ndarray:
    with np.errstate(all="ignore"):
        return go_log(x) / go_log(b)


def _ln(x: pl.Expr) -> pl.Expr:
    return _np_expr(x, go_log)


def math_expr(name: str, *args: pl.Expr, arg_type: str | None = None, keep_nan: bool = False) -> pl.Expr:
    """The Polars expression computing ``name(*args)`` row by row.

    ``arg_type`` (``float``/``integer``/``unsigned``) is needed only for the
    type-preserving functions when the expression's dtype is not known; if
    omitted, integer inputs are detected at run time from the dtype. ``keep_nan``:
    a NaN result stays NaN (InfluxDB 3), not null (1.x).
    """
    if name not in MATH_FUNCTIONS:
        raise QueryError(f"undefined function {name}()")
    F.spec(name).check_arity(len(args))
    x = args[0]
    if name in TYPE_PRESERVING:
        f = _float(x)
        body = {"abs": f.abs(), "floor": f.floor(), "ceil": f.ceil(), "round": _go_round(f)}[name]
        if arg_type in ("integer", "unsigned"):
            return x
        if arg_type == "float":
            return body if keep_nan else _nan_as_null(body)
        # unknown: decide on the batch dtype
        return x.map_batches(lambda s: _preserving_batch(name, s, keep_nan))
    f = _float(x)
    if name in _GO_UNARY:
        out = _np_expr(f, _GO_UNARY[name]())
    elif name == "exp":
        out = _np_expr(f, go_exp)
    elif name == "ln":
        out = _ln(f)
    elif name == "log2":
        out = _np_expr(f, go_log2)
    elif name == "log10":
        out = _ln(f) * _INV_LN10
    elif name == "sqrt":
        out = f.sqrt()
    elif name in ("atan2", "pow"):
        out = _pair_expr(f, _float(args[1]), _binary_go(name))
    else:  # log(x, b)
        # one UDF for both sides: Polars divides by a length-1 UDF result via its reciprocal
        out = _pair_expr(f, _float(args[1]), _go_log_base)
    return out if keep_nan else _nan_as_null(out)


def _pair_expr(x: pl.Expr, b: pl.Expr, fn) -> pl.Expr:
    """``fn(x, b)`` over numpy arrays, null where either argument is (``pow(null, 0)`` is no 1)."""
    def pair(s: pl.Series) -> pl.Series:
        return pl.Series(s.name, fn(s.struct.field("x").to_numpy(), s.struct.field("b").to_numpy()))
    out = pl.struct(x.alias("x"), b.alias("b")).map_batches(pair, return_dtype=pl.Float64)
    return pl.when(x.is_not_null() & b.is_not_null()).then(out)


def _preserving_batch(name: str, s: pl.Series, keep_nan: bool) -> pl.Series:
    if s.dtype.is_integer():
        return s
    if not s.dtype.is_numeric():  # influxd: abs/floor/ceil/round of a string or boolean is null
        return pl.Series(s.name, [None] * len(s), dtype=pl.Float64)
    return pl.select(math_expr(name, pl.lit(s), arg_type="float", keep_nan=keep_nan)).to_series().alias(s.name)


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
