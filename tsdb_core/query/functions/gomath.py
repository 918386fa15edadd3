"""Go's ``math`` functions as influxd 1.6.7 (amd64) computes them, vectorised with numpy.

InfluxQL's math functions call Go's ``math`` package, whose algorithms (Cephes
for the trigonometric ones, FreeBSD's ``log``, an FMA Taylor series for
``exp``, repeated squaring in ``Pow``) differ from glibc's in the last bit for
some inputs. Reproducing them makes ``sin(x)`` print the same digits as influxd.
Arguments beyond Go's simple range reduction (``|x| >= 2**29`` for sin/cos/tan,
where Go switches to Payne-Hanek) fall back to numpy.
"""
from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np

getcontext().prec = 60
_PI_D = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")
PI = math.pi
PI_2 = math.pi / 2
PI_4 = math.pi / 4
_3PI_4 = float(3 * _PI_D / 4)
_4_PI = float(4 / _PI_D)  # Go folds 4/Pi exactly, then rounds once
_PI4A, _PI4B, _PI4C = 7.85398125648498535156e-1, 3.77489470793079817668e-8, 2.69515142907905952645e-15
_REDUCE = float(1 << 29)
_SIN = (1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
        -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1)
_COS = (-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
        2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2)
_TANP = (-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7)
_TANQ = (1.36812963470692954678e4, -1.32089234440210967447e6, 2.50083801823357915839e7,
         -5.38695755929454629881e7)


def _reduce(x):
    """Octant ``j`` (uint64) and reduced ``z`` of non-negative ``x`` (Cody-Waite, pi/4 in 3 parts)."""
    small = x < _REDUCE
    xs = np.where(small, x, 0.0)
    j = (xs * _4_PI).astype(np.uint64)
    y = j.astype(np.float64)
    odd = (j & np.uint64(1)) == 1
    j = j + odd.astype(np.uint64)
    y = y + odd
    z = ((xs - y * _PI4A) - y * _PI4B) - y * _PI4C
    return j, z, small


def _sinpoly(z, zz):
    s = _SIN
    return z + z * zz * ((((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5])


def _cospoly(zz):
    c = _COS
    return 1.0 - 0.5 * zz + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5])


def _octant(x0):
    """Payne-Hanek/Cody-Waite reduction of |x0|: (octant j mod 8, reduced z, reduction applied)."""
    x = np.abs(x0)
    j, z, small = _reduce(np.where(np.isfinite(x), x, 0.0))
    return j & np.uint64(7), z, small


def _kernel(j, z, sine_outside: bool, sign, small, fallback):
    """Go's sin/cos tail: the sine or cosine polynomial by octant, the sign, and math's answer
    where the reduction does not apply."""
    zz = z * z
    middle = (j == 1) | (j == 2)
    if sine_outside:
        y = np.where(middle, _cospoly(zz), _sinpoly(z, zz))
    else:
        y = np.where(middle, _sinpoly(z, zz), _cospoly(zz))
    y = np.where(sign, -y, y)
    return np.where(small, y, fallback)


def go_sin(a) -> np.ndarray:
    x0 = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        j, z, small = _octant(x0)
        flip = j > 3
        sign = (x0 < 0) ^ flip
        j = np.where(flip, j - np.uint64(4), j)
        y = _kernel(j, z, True, sign, small, np.sin(x0))
        y = np.where(x0 == 0, x0, y)
        return np.where(np.isfinite(x0), y, np.nan)


def go_cos(a) -> np.ndarray:
    x0 = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        j, z, small = _octant(x0)
        sign = j > 3
        j = np.where(sign, j - np.uint64(4), j)
        sign = sign ^ (j > 1)
        y = _kernel(j, z, False, sign, small, np.cos(x0))
        return np.where(np.isfinite(x0), y, np.nan)


def go_tan(a) -> np.ndarray:
    x0 = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        sign = x0 < 0
        x = np.abs(x0)
        j, z, small = _reduce(np.where(np.isfinite(x), x, 0.0))
        zz = z * z
        p, q = _TANP, _TANQ
        big = z + z * (zz * (((p[0] * zz) + p[1]) * zz + p[2]) / ((((zz + q[0]) * zz + q[1]) * zz + q[2]) * zz + q[3]))
        y = np.where(zz > 1e-14, big, z)
        y = np.where((j & np.uint64(2)) == 2, -1 / y, y)
        y = np.where(sign, -y, y)
        y = np.where(small, y, np.tan(x0))
        y = np.where(x0 == 0, x0, y)
        return np.where(np.isfinite(x0), y, np.nan)


def _xatan(x):
    z = x * x
    z = z * ((((-8.750608600031904122785e-01 * z + -1.615753718733365076637e+01) * z
               + -7.500855792314704667340e+01) * z + -1.228866684490136173410e+02) * z
             + -6.485021904942025371773e+01) / (((((z + 2.485846490142306297962e+01) * z
                                                  + 1.650270098316988542046e+02) * z
                                                 + 4.328810604912902668951e+02) * z
                                                + 4.853903996359136964868e+02) * z
                                               + 1.945506571482613964425e+02)
    return x * z + x


_MOREBITS = 6.123233995736765886130e-17
_TAN3PIO8 = 2.41421356237309504880


def _satan(x):
    with np.errstate(all="ignore"):
        a = _xatan(x)
        b = PI_2 - _xatan(1 / x) + _MOREBITS
        c = PI_4 + _xatan((x - 1) / (x + 1)) + 0.5 * _MOREBITS
    return np.where(x <= 0.66, a, np.where(x > _TAN3PIO8, b, c))


def go_atan(a) -> np.ndarray:
    x = np.asarray(a, dtype=np.float64)
    y = np.where(x > 0, _satan(np.abs(x)), -_satan(np.abs(x)))
    y = np.where(x == 0, x, y)
    return np.where(np.isnan(x), np.nan, y)


def go_asin(a) -> np.ndarray:
    x0 = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        sign = x0 < 0
        x = np.abs(x0)
        temp = np.sqrt(1 - x * x)
        t = np.where(x > 0.7, PI_2 - _satan(temp / x), _satan(x / temp))
        t = np.where(sign, -t, t)
        t = np.where(x > 1, np.nan, t)
        t = np.where(x0 == 0, x0, t)
        return np.where(np.isnan(x0), np.nan, t)


def go_acos(a) -> np.ndarray:
    return PI_2 - go_asin(a)


def go_atan2(y, x) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y, x = np.broadcast_arrays(y, x)
    with np.errstate(all="ignore"):
        q = go_atan(y / x)
        out = np.where(x < 0, np.where(q <= 0, q + PI, q - PI), q)
        # special cases, in Go's order (the first that applies wins: apply in reverse)
        out = np.where(np.isinf(y), np.copysign(PI_2, y), out)
        xinf = np.isinf(x)
        pos = np.isposinf(x)
        out = np.where(xinf & pos, np.where(np.isinf(y), np.copysign(PI_4, y), np.copysign(0.0, y)), out)
        out = np.where(xinf & ~pos, np.where(np.isinf(y), np.copysign(_3PI_4, y), np.copysign(PI, y)), out)
        out = np.where(x == 0, np.copysign(PI_2, y), out)
        yz = y == 0
        out = np.where(yz, np.where((x >= 0) & ~np.signbit(x), np.copysign(0.0, y), np.copysign(PI, y)), out)
        return np.where(np.isnan(x) | np.isnan(y), np.nan, out)


def go_pow(x, y) -> np.ndarray:
    """Go's ``math.Pow``: integer part by repeated squaring of the mantissa, fraction by Exp(yf*Log(x))."""
    from .math import go_exp, go_log

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    x, y = np.broadcast_arrays(x, y)
    with np.errstate(all="ignore"):
        ay = np.abs(y)
        yi = np.floor(ay)
        yf = ay - yi
        up = yf > 0.5
        yf = np.where(up, yf - 1, yf)
        yi = np.where(up, yi + 1, yi)
        a1 = np.where(yf != 0, go_exp(yf * go_log(x)), 1.0)
        ae = np.zeros(x.shape, dtype=np.int64)
        x1, xe = np.frexp(x)
        xe = xe.astype(np.int64)
        i = np.where(np.isfinite(yi) & (yi < 2.0 ** 63), yi, 0).astype(np.int64)
        done = np.zeros(x.shape, dtype=bool)
        while True:
            active = (i != 0) & ~done
            if not active.any():
                break
            esc = active & ((xe < -(1 << 12)) | ((1 << 12) < xe))
            ae = np.where(esc, ae + xe, ae)
            done |= esc
            active &= ~esc
            odd = active & ((i & 1) == 1)
            a1 = np.where(odd, a1 * x1, a1)
            ae = np.where(odd, ae + xe, ae)
            x1 = np.where(active, x1 * x1, x1)
            xe = np.where(active, xe << 1, xe)
            low = active & (x1 < 0.5)
            x1 = np.where(low, x1 + x1, x1)
            xe = np.where(low, xe - 1, xe)
            i = np.where(active, i >> 1, i)
        neg = y < 0
        a1 = np.where(neg, 1 / a1, a1)
        ae = np.where(neg, -ae, ae)
        out = np.ldexp(a1, np.clip(ae, -2200, 2200).astype(np.int32))
        # Go's special cases (checked before the general path)
        general_nan = (yf != 0) & (x < 0)
        out = np.where(general_nan, np.nan, out)
        special = (y == 0) | (x == 1) | (y == 1) | np.isnan(x) | np.isnan(y) | (x == 0) | np.isinf(y) \
            | np.isinf(x) | (y == 0.5) | (y == -0.5) | (yi >= 2.0 ** 63)
        if special.any():
            idx = np.nonzero(special)[0] if out.ndim == 1 else None
            if idx is not None:
                for k in idx:
                    out[k] = _go_pow_special(float(x[k]), float(y[k]))
    return out


def _go_pow_special(x: float, y: float) -> float:
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else math.nan
    if y == -0.5:
        return 1 / math.sqrt(x) if x > 0 else (math.inf if x == 0 else math.nan)
    if x != 0 and math.isfinite(x) and math.isfinite(y) and abs(y) >= 2.0 ** 63:
        # Go: "yi is a large even int that will lead to overflow (or underflow to 0)"
        return 1.0 if x == -1 else 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    try:
        return math.pow(x, y)  # zeros and infinities: IEEE/C99 rules, which Go follows
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.inf if x == 0 and y < 0 else math.nan
