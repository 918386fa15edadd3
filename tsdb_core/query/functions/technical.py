"""InfluxQL's technical-analysis functions and Holt-Winters, ported from InfluxDB 1.6.7.

Each function takes one series (``values`` float64 array, already in query
order, nulls removed) and returns ``(index, out)``: the positions of the input
points that emit, and their float64 values. The caller takes the times of
those positions (a TA point carries the time of the input point it was
computed at). Holt-Winters returns times directly (it forecasts new ones).

The recurrences are sequential (each value depends on the previous state in
floating point), so they are plain loops over Python floats: the only way to
reproduce influxd's values bit for bit (``query/internal/gota``).

Warm-up and hold periods follow ``query/functions.go``: a reducer emits only
once it has seen more than ``hold_period`` points; ``hold_period=-1`` means the
algorithm's default (its WarmCount).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ...base.errors import QueryError

WARMUP_TYPES = ("exponential", "simple")  # gota.WarmEMA, gota.WarmSMA
_EMA, _SMA, _NONE = 0, 1, 255  # gota.WarmupType; CMO's "none" is WarmupType(-1) as uint8


def _warm(warmup: str | None, *, default: int = _EMA) -> int:
    if warmup is None:
        return default
    return {"exponential": _EMA, "simple": _SMA, "none": _NONE}[warmup]


class _EMAState:
    """gota.EMA."""

    __slots__ = ("period", "last", "count", "alpha", "warm")

    def __init__(self, period: int, warm: int):
        self.period = period
        self.last = 0.0
        self.count = 0
        self.alpha = 2 / float(period + 1)
        self.warm = warm

    def warm_count(self) -> int:
        return self.period - 1

    def warmed(self) -> bool:
        return self.count == self.period

    def add(self, v: float) -> float:
        if self.count == 0:
            avg = v
        else:
            last = self.last
            if not self.warmed():
                if self.warm == _SMA:
                    avg = (last * float(self.count) + v) / float(self.count + 1)
                else:
                    alpha = 2 / float(self.count + 2)
                    avg = (v - last) * alpha + last
            else:
                avg = (v - last) * self.alpha + last
        self.last = avg
        if self.count < self.period:
            self.count += 1
        return avg


def _copy_ema(e: _EMAState) -> _EMAState:
    c = _EMAState(e.period, e.warm)
    c.alpha = e.alpha
    return c


class _DEMA:
    def __init__(self, period, warm):
        self.e1, self.e2 = _EMAState(period, warm), _EMAState(period, warm)

    def warm_count(self):
        if self.e1.warm == _EMA:
            return self.e1.warm_count()
        return self.e1.warm_count() + self.e2.warm_count()

    def add(self, v):
        a1 = self.e1.add(v)
        a2 = self.e2.add(a1) if (self.e1.warmed() or self.e1.warm == _EMA) else a1
        return 2 * a1 - a2


class _TEMA:
    def __init__(self, period, warm):
        self.e1, self.e2, self.e3 = (_EMAState(period, warm) for _ in range(3))

    def warm_count(self):
        if self.e1.warm == _EMA:
            return self.e1.warm_count()
        return self.e1.warm_count() + self.e2.warm_count() + self.e3.warm_count()

    def add(self, v):
        a1 = self.e1.add(v)
        a2 = self.e2.add(a1) if (self.e1.warmed() or self.e1.warm == _EMA) else a1
        a3 = self.e3.add(a2) if (self.e2.warmed() or self.e2.warm == _EMA) else a2
        return 3 * a1 - 3 * a2 + a3


class _TRIX:
    def __init__(self, period, warm):
        self.e1, self.e2, self.e3 = (_EMAState(period, warm) for _ in range(3))
        self.last = 0.0
        self.count = 0

    def warm_count(self):
        if self.e1.warm == _EMA:
            return self.e1.warm_count() + 1
        return self.e1.warm_count() * 3 + 1

    def add(self, v):
        cur = self.e1.add(v)
        if self.e1.warmed() or self.e1.warm == _EMA:
            cur = self.e2.add(cur)
            if self.e2.warmed() or self.e2.warm == _EMA:
                cur = self.e3.add(cur)
        rate = _div(cur, self.last)
        rate = (rate - 1) * 100
        self.last = cur
        if self.count != 2 and self.e3.warmed():
            self.count += 1
        return rate


def _div(a: float, b: float) -> float:
    """Go float division: x/0 is ±Inf or NaN, never an exception."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * (math.copysign(1.0, b))


class _RSI:
    """gota.RSI (also gota.CMOS, which differs only in Last())."""

    def __init__(self, period, warm, cmo=False):
        e = _EMAState(period + 1, warm)
        e.alpha = 1.0 / float(period)
        self.up, self.down = e, _copy_ema(e)
        self.last_v = 0.0
        self.cmo = cmo

    def warm_count(self):
        return self.up.warm_count()

    def add(self, v):
        up = down = 0.0
        if v > self.last_v:
            up = v - self.last_v
        elif v < self.last_v:
            down = self.last_v - v
        self.up.add(up)
        self.down.add(down)
        self.last_v = v
        u, d = self.up.last, self.down.last
        if self.cmo:
            return 100.0 * _div(u - d, u + d)
        return 100 - _div(100, 1 + _div(u, d))


class _CMO:
    """gota.CMO: the unsmoothed oscillator (warmup type 'none', the default)."""

    def __init__(self, period):
        self.points = [(0.0, 0.0)] * (period - 1)
        self.sum_up = self.sum_down = 0.0
        self.count = 0
        self.idx = 0

    def warm_count(self):
        return len(self.points)

    def add(self, v):
        n = len(self.points)
        idx_oldest = self.idx + 1
        if idx_oldest == n:
            idx_oldest = 0
        diff = 0.0
        if self.count != 0:
            diff = v - self.points[self.idx][0]
            if diff > 0:
                self.sum_up += diff
            elif diff < 0:
                self.sum_down -= diff
        out = 0.0
        if self.sum_up != 0 or self.sum_down != 0:
            out = 100.0 * ((self.sum_up - self.sum_down) / (self.sum_up + self.sum_down))
        old_diff = self.points[idx_oldest][1]
        if old_diff > 0:
            self.sum_up -= old_diff
        elif old_diff < 0:
            self.sum_down += old_diff
        self.points[idx_oldest] = (v, diff)
        self.idx = idx_oldest
        if self.count != n + 2:
            self.count += 1
        return out


class _KER:
    def __init__(self, period):
        self.points = [(0.0, 0.0)] * period
        self.noise = 0.0
        self.count = 0
        self.idx = 0

    def warm_count(self):
        return len(self.points)

    def warmed(self):
        return self.count == len(self.points) + 1

    def add(self, v):
        n = len(self.points)
        idx_oldest = self.idx + 1
        if idx_oldest >= n:
            idx_oldest = 0
        signal = abs(v - self.points[idx_oldest][0])
        kp = (v, abs(v - self.points[self.idx][0]))
        self.noise -= self.points[idx_oldest][1]
        self.noise += kp[1]
        noise = self.noise
        self.idx = idx_oldest
        self.points[idx_oldest] = kp
        if not self.warmed():
            self.count += 1
        if signal == 0 or noise == 0:
            return 0.0
        return signal / noise


# Go folds constant expressions exactly, then rounds once: 2/(2+1) - 2/(30+1) and 2/(30+1).
_KAMA_FAST_SLOW = float(Fraction(2, 3) - Fraction(2, 31))
_KAMA_SLOW = float(Fraction(2, 31))


class _KAMA:
    def __init__(self, period):
        self.ker = _KER(period)
        self.last = 0.0

    def warm_count(self):
        return self.ker.warm_count()

    def add(self, v):
        if not self.ker.warmed():
            self.last = self.ker.points[self.ker.idx][0]
        er = self.ker.add(v)
        sc = _go_pow_int(er * _KAMA_FAST_SLOW + _KAMA_SLOW, 2)
        self.last = self.last + sc * (v - self.last)
        return self.last


def _run(alg, values, hold_period: int, *, skip_inf: bool = False):
    hold = alg.warm_count() if hold_period == -1 else hold_period
    idx, out = [], []
    add = alg.add
    for i, v in enumerate(np.asarray(values, dtype=np.float64).tolist()):
        r = add(v)
        if i + 1 <= hold:
            continue
        if skip_inf and math.isinf(r):
            continue
        idx.append(i)
        out.append(r)
    return np.asarray(idx, dtype=np.int64), np.asarray(out, dtype=np.float64)


def exponential_moving_average(values, period: int, hold_period: int = -1, warmup: str | None = None):
    return _run(_EMAState(period, _warm(warmup)), values, hold_period)


def double_exponential_moving_average(values, period: int, hold_period: int = -1, warmup: str | None = None):
    return _run(_DEMA(period, _warm(warmup)), values, hold_period)


def triple_exponential_moving_average(values, period: int, hold_period: int = -1, warmup: str | None = None):
    return _run(_TEMA(period, _warm(warmup)), values, hold_period)


def triple_exponential_derivative(values, period: int, hold_period: int = -1, warmup: str | None = None):
    return _run(_TRIX(period, _warm(warmup)), values, hold_period, skip_inf=True)


def relative_strength_index(values, period: int, hold_period: int = -1, warmup: str | None = None):
    return _run(_RSI(period, _warm(warmup)), values, hold_period)


def chande_momentum_oscillator(values, period: int, hold_period: int = -1, warmup: str | None = None):
    """Warm-up ``'none'`` (the default) is the plain CMO; ``exponential``/``simple`` the smoothed CMOS."""
    w = _warm(warmup, default=_NONE)
    if w == _NONE and period < 2:
        # influxd 1.6.7 panics here ("index out of range"); refuse it cleanly instead
        from ...base.errors import QueryError
        raise QueryError("chande_momentum_oscillator period must be greater than 1 "
                         "with warmup type 'none'")
    alg = _CMO(period) if w == _NONE else _RSI(period, w, cmo=True)
    return _run(alg, values, hold_period)


def kaufmans_efficiency_ratio(values, period: int, hold_period: int = -1):
    return _run(_KER(period), values, hold_period, skip_inf=True)


def kaufmans_adaptive_moving_average(values, period: int, hold_period: int = -1):
    return _run(_KAMA(period), values, hold_period, skip_inf=True)


TA_FUNCTIONS = {
    "exponential_moving_average": exponential_moving_average,
    "double_exponential_moving_average": double_exponential_moving_average,
    "triple_exponential_moving_average": triple_exponential_moving_average,
    "triple_exponential_derivative": triple_exponential_derivative,
    "relative_strength_index": relative_strength_index,
    "chande_momentum_oscillator": chande_momentum_oscillator,
    "kaufmans_efficiency_ratio": kaufmans_efficiency_ratio,
    "kaufmans_adaptive_moving_average": kaufmans_adaptive_moving_average,
}


# -- Holt-Winters (query/functions.go FloatHoltWintersReducer + query/neldermead) --------

_HW_WEIGHT = 0.5
_HW_EPSILON = 1.0e-4
_HW_GUESSES = (0.3, 0.7)  # hwGuessLower=0.3, < hwGuessUpper=1.0, step 0.4


def _go_pow_int(x: float, n: int) -> float:
    """Go's ``math.Pow`` for a positive integer exponent (repeated squaring on the mantissa).

    Go's Pow is not libm's: matching it keeps the damped trend bit-identical.
    """
    if n == 0 or x == 1:
        return 1.0
    if n == 1:
        return x
    if math.isnan(x):
        return x
    if x == 0:
        return 0.0 if n > 0 else math.inf
    a1, ae = 1.0, 0
    x1, xe = math.frexp(x)
    i = n
    while i != 0:
        if xe < -(1 << 12) or (1 << 12) < xe:
            ae += xe
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    try:
        return math.ldexp(a1, ae)
    except OverflowError:
        return math.inf


def _go_pows(x: float, n: int) -> list[float]:
    """``[Go's math.Pow(x, t) for t in range(n)]`` in O(n).

    Go multiplies the squared mantissas of the set bits of ``t`` in increasing
    bit order, so ``Pow(x, t)`` is ``Pow(x, t - 2**K)``'s mantissa product times
    the K-th square, K the highest bit: each power costs one multiplication.
    """
    out = [1.0] * n
    if n <= 1:
        return out
    if x == 1 or x == 0 or math.isnan(x):
        return [1.0] + [_go_pow_int(x, t) for t in range(1, n)]
    sq, ex = [], []  # the K-th squared mantissa and its exponent
    x1, xe = math.frexp(x)
    k = 0
    while (1 << k) < n:
        if xe < -(1 << 12) or (1 << 12) < xe:
            break  # Go's overflow escape: take the slow exact path from here on
        sq.append(x1)
        ex.append(xe)
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        k += 1
    # block k (t in [2**k, 2**(k+1))) is block 0..2**k times the k-th square: vectorised
    prod = np.ones(1 << len(sq), dtype=np.float64)
    exps = np.zeros(1 << len(sq), dtype=np.int64)
    for k, (m, e) in enumerate(zip(sq, ex)):
        lo = 1 << k
        prod[lo:2 * lo] = prod[:lo] * m
        exps[lo:2 * lo] = exps[:lo] + e
    with np.errstate(over="ignore", under="ignore"):
        vals = np.ldexp(prod[:n], exps[:n].astype(np.int32)).tolist()
    vals[0] = 1.0
    vals[1] = x  # Go: Pow(x, 1) == x
    vals.extend([0.0] * (n - len(vals)))
    for t in range(1 << len(sq), n):  # beyond Go's overflow escape: the slow exact path
        vals[t] = _go_pow_int(x, t)
    return vals


_NM_ALPHA, _NM_BETA, _NM_GAMMA = 1.0, 0.5, 2.0  # reflection, contraction, expansion


def _nelder_mead(objfunc, start: list[float], epsilon: float, scale: float = 1.0,
                 max_iterations: int = 1000) -> tuple[float, list[float]]:
    """Go's ``query/neldermead`` minimiser, step for step (same float operations, same order)."""
    n = len(start)
    pn = scale * (math.sqrt(float(n + 1)) - 1 + float(n)) / (float(n) * math.sqrt(2))
    qn = scale * (math.sqrt(float(n + 1)) - 1) / (float(n) * math.sqrt(2))
    v = [list(start)]
    for i in range(1, n + 1):
        v.append([(pn if i - 1 == j else qn) + start[j] for j in range(n)])
    f = [objfunc(v[j]) for j in range(n + 1)]
    for _ in range(max_iterations):
        _nelder_mead_step(objfunc, v, f, n)
        if _spread(f, n) < epsilon:
            break
    vs = 0
    for i in range(n + 1):
        if f[i] < f[vs]:
            vs = i
    params = list(v[vs])  # copied before the last evaluation, which mutates v[vs] (as in Go)
    return objfunc(v[vs]), params


def _nelder_mead_step(objfunc, v: list, f: list, n: int) -> None:
    """One iteration: reflect the worst vertex, then expand, contract or shrink."""
    vg = vs = 0
    for i in range(n + 1):
        if f[i] > f[vg]:
            vg = i
        if f[i] < f[vs]:
            vs = i
    vh = vs
    for i in range(n + 1):
        if f[vg] > f[i] > f[vh]:
            vh = i
    vm = []
    for i in range(n):
        cent = 0.0
        for m in range(n + 1):
            if m != vg:
                cent += v[m][i]
        vm.append(cent / float(n))
    vr = [vm[i] + _NM_ALPHA * (vm[i] - v[vg][i]) for i in range(n)]
    fr = objfunc(vr)
    if f[vh] > fr >= f[vs]:
        v[vg] = list(vr)
        f[vg] = fr
    if fr < f[vs]:
        ve = [vm[i] + _NM_GAMMA * (vr[i] - vm[i]) for i in range(n)]
        fe = objfunc(ve)
        if fe < fr:
            v[vg] = list(ve)
            f[vg] = fe
        else:
            v[vg] = list(vr)
            f[vg] = fr
    if fr >= f[vh]:
        _contract(objfunc, v, f, vm, vr, fr, (vg, vs, vh), n)


def _contract(objfunc, v: list, f: list, vm: list, vr: list, fr: float, worst_best_next, n: int) -> None:
    vg, vs, vh = worst_best_next
    if f[vg] > fr >= f[vh]:
        vc = [vm[i] + _NM_BETA * (vr[i] - vm[i]) for i in range(n)]
    else:
        vc = [vm[i] - _NM_BETA * (vm[i] - v[vg][i]) for i in range(n)]
    fc = objfunc(vc)
    if fc < f[vg]:
        v[vg] = list(vc)
        f[vg] = fc
        return
    for row in range(n + 1):
        if row != vs:
            v[row] = [v[vs][i] + (v[row][i] - v[vs][i]) / 2.0 for i in range(n)]
    f[vg] = objfunc(v[vg])
    f[vh] = objfunc(v[vh])


def _spread(f: list, n: int) -> float:
    """The standard deviation of the vertices' values (the stopping test)."""
    favg = sum_go(f) / float(n + 1)
    s = 0.0
    for i in range(n + 1):
        d = f[i] - favg
        s += (d * d) / float(n)  # Go's Pow(d, 2) rounds like d*d; ** would raise on overflow
    return math.sqrt(s)


def sum_go(xs) -> float:
    """Left-to-right float sum (Go's loop), not Python's compensated ``fsum``."""
    t = 0.0
    for x in xs:
        t += x
    return t


class _HoltWinters:
    def __init__(self, y: list[float], h: int, m: int):
        self.y = y
        self.h = h
        self.m = m
        self.seasonal = m >= 2
        self.known = [(i, v) for i, v in enumerate(y) if not math.isnan(v)]

    def forecast(self, h: int, params: list[float]) -> list[float]:
        for i in range(4):  # constrain alpha, beta, gamma, phi to [0, 1]
            if params[i] > 1:
                params[i] = 1.0
            if params[i] < 0:
                params[i] = 0.0
        y = self.y
        yT = y[0]
        phi = params[3]
        phiH = phi
        lT, bT = params[4], params[5]
        alpha, beta, gamma = params[0], params[1], params[2]
        a1, b1, g1 = 1 - alpha, 1 - beta, 1 - gamma
        n = len(y) + h
        pw = _go_pows(phi, n)
        out = [0.0] * n
        out[0] = yT
        if not self.seasonal:
            for t in range(1, n):
                lTp = lT
                d = lTp + phi * bT
                lT = alpha * yT + a1 * d  # yT / 1.0 == yT
                bT = beta * (lT - lTp) + b1 * phi * bT
                yT = lT + phiH * bT
                phiH += pw[t]
                out[t] = yT
            return out
        seasonals = params[6:]  # a view in Go: writes go back into params
        m = len(seasonals)
        if m == 1:
            seasonals[0] = 1.0
        so = m - 1
        for t in range(1, n):
            stm = seasonals[(t - m + so) % m]
            stmh = seasonals[(t - m + t % m + so) % m]
            lTp = lT
            d = lTp + phi * bT
            lT = alpha * (yT / stm if stm else _div(yT, stm)) + a1 * d
            bT = beta * (lT - lTp) + b1 * phi * bT
            sT = gamma * (yT / d if d else _div(yT, d)) + g1 * stm
            yT = (lT + phiH * bT) * stmh
            phiH += pw[t]
            seasonals[(t + so) % m] = sT
            so += 1
            out[t] = yT
        params[6:] = seasonals
        return out

    def sse(self, params: list[float]) -> float:
        sse = 0.0
        fc = self.forecast(0, params)
        for i, yi in self.known:  # missing buckets are skipped
            f = fc[i]
            if f != f:  # NaN forecasts are penalised
                return math.inf
            d = f - yi
            sse += d * d
        return sse


# Points one holt_winters series may fit and forecast even when no limit is configured
# (query/limits.py checks the configured one before anything is read).
HW_MAX_POINTS = 10_000_000


def holt_winters(times, values, h: int, m: int, interval: int, *, with_fit: bool = False):
    """Forecast ``h`` points (``holt_winters``) or fit + forecast (``holt_winters_with_fit``).

    ``times``/``values`` are the inner aggregate's non-null points, ascending;
    ``interval`` is the GROUP BY interval (ns). Returns ``(times, values)``
    (float64), exactly ``FloatHoltWintersReducer.Emit``.
    """
    times = [int(t) for t in times]
    vals = np.asarray(values, dtype=np.float64).tolist()
    empty = (np.empty(0, np.int64), np.empty(0, np.float64))
    if len(times) < 2 or (m >= 2 and len(times) < m) or h <= 0 or interval <= 0:
        return empty
    start, stop = _round_time(times[0], interval), _round_time(times[-1], interval)
    if int((stop - start) / interval) <= 0:
        return empty
    if (stop - start) // interval + h > HW_MAX_POINTS:  # fitted + forecast points, in Python lists
        raise QueryError(f"max-select-windows limit exceeded: ({(stop - start) // interval + h}/"
                         f"{HW_MAX_POINTS}): holt_winters over {(stop - start) // interval + 1} "
                         f"windows + {h} predicted")
    y = _windows(times, vals, interval)
    hw = _HoltWinters(y, h, m)
    fc = hw.forecast(h, _best_fit(hw, _initial_params(y, m)))
    if with_fit:
        first, fc = times[0], fc
    else:
        first, fc = times[-1] + interval, fc[len(y):]
    out_t = [first + interval * i for i, v in enumerate(fc) if not math.isnan(v)]
    out_v = [v for v in fc if not math.isnan(v)]
    return np.asarray(out_t, dtype=np.int64), np.asarray(out_v, dtype=np.float64)


def _round_time(t: int, interval: int) -> int:
    """Go's rounding of a time to the nearest interval (truncating division, halves down)."""
    q = int(t / interval)  # Go truncates toward zero
    rem = t - q * interval
    if rem > interval // 2:
        return (q + 1) * interval
    return q * interval


def _windows(times: list[int], vals: list[float], interval: int) -> list[float]:
    """One value per interval from the first point's, NaN where no point fell."""
    y = [vals[0]]
    t = _round_time(times[0], interval)
    for pt, pv in zip(times[1:], vals[1:]):
        rounded = _round_time(pt, interval)
        if rounded <= t:
            continue
        t += interval
        while rounded != t:
            y.append(math.nan)
            t += interval
        y.append(pv)
    return y


def _initial_params(y: list[float], m: int) -> list[float]:
    """[alpha, beta, gamma, phi, level, trend, seasonals...]: level, trend and seasons guessed."""
    seasonal = m >= 2
    l0 = 0.0
    if seasonal:
        for i in range(m):
            if not math.isnan(y[i]):
                l0 += (1 / float(m)) * y[i]
    else:
        l0 += _HW_WEIGHT * y[0]
    b0 = 0.0
    if seasonal:
        i = 0
        while i < m and m + i < len(y):
            if not math.isnan(y[i]) and not math.isnan(y[m + i]):
                b0 += 1 / float(m * m) * (y[m + i] - y[i])
            i += 1
    elif not math.isnan(y[1]):
        b0 = _HW_WEIGHT * (y[1] - y[0])
    s = [(_div(y[i], l0) if not math.isnan(y[i]) else 0.0) for i in range(m)] if seasonal else []
    return [0.0, 0.0, 0.0, 0.0, l0, b0] + s


def _best_fit(hw: _HoltWinters, params: list[float]) -> list[float]:
    """The parameters of least squared error over every starting guess (Go's order)."""
    min_sse = math.inf
    best = None
    for a in _HW_GUESSES:
        for b in _HW_GUESSES:
            for g in _HW_GUESSES:
                for p in _HW_GUESSES:
                    params[0], params[1], params[2], params[3] = a, b, g, p
                    sse, ps = _nelder_mead(hw.sse, params, _HW_EPSILON, 1)
                    if sse < min_sse or best is None:
                        min_sse = sse
                        best = ps
    return best
