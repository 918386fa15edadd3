"""InfluxQL transformation functions over ONE series, exactly as InfluxDB 1.6.7.

API (what the SELECT engine calls)
----------------------------------
``apply_transform(name, times, values, args=(), *, interval=0, ascending=True)
-> (times, values)``

* ``name``: derivative, non_negative_derivative, difference,
  non_negative_difference, cumulative_sum, moving_average, elapsed,
  holt_winters, holt_winters_with_fit, exponential_moving_average,
  double_exponential_moving_average, triple_exponential_moving_average,
  triple_exponential_derivative, relative_strength_index,
  chande_momentum_oscillator, kaufmans_efficiency_ratio,
  kaufmans_adaptive_moving_average. (Row-wise math functions are in
  :mod:`.math`: ``math_expr`` / ``apply_math``.)
* ``times``: int64 ns, in QUERY order (ascending, or descending for
  ``ORDER BY time DESC``). ``values``: float64 / int64 / uint64 numpy array or
  Polars Series; nulls (Series nulls, or positions where ``valid`` is False)
  are dropped first — InfluxDB's stream reducers skip nil points.
* ``args``: the call's literal arguments after the first, as Python values:
  derivative/non_negative_derivative/elapsed: ``(unit_ns,)`` or ``()``;
  moving_average: ``(n,)``; holt_winters*: ``(h, m)``; TA functions:
  ``(period[, hold_period[, warmup]])`` with warmup ``'exponential'``,
  ``'simple'`` or (CMO only) ``'none'``.
* ``interval``: the GROUP BY time interval in ns, 0 for raw queries. It is the
  default unit of derivative (else 1s) and the bucket of holt_winters.
* returns numpy arrays: times int64 and values with InfluxDB's type —
  difference / non_negative_difference / cumulative_sum keep the input type
  (integer stays integer), elapsed is int64, everything else float64. A NaN in
  a float result means null in InfluxDB's JSON.

How the engine feeds these functions (InfluxDB's ``select.go``)
---------------------------------------------------------------
* Raw query (no GROUP BY time): the field's points of one series (or of the
  merged series when not grouped by tags), in query order.
* Aggregate argument (``derivative(mean(v))``, GROUP BY time required): the
  inner aggregate's windows, after fill, over an EXTENDED range: see
  :func:`input_range` (one extra interval before the start when ascending,
  after the end when descending, for every function here except
  cumulative_sum and holt_winters). Null windows (``fill(null)``) are dropped
  by this function. Outputs are NOT cut back to the query range: influxd
  1.6.7 returns e.g. ``exponential_moving_average(mean(v), 2, 0)`` at the extra
  window's time; the recorded cases keep that.
* holt_winters(_with_fit): the inner aggregate's non-null windows of the
  query range (ascending); output times are new forecast times.
* Several transforms in one SELECT are computed per call and joined by time
  by the engine (a row where one call emitted nothing shows null / the fill).

The argument checks (influxd's words) are the function registry's
(:mod:`tsdb_core.influxql.functions`), applied by :mod:`tsdb_core.query.analyze.compile`.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...base.errors import QueryError
from ...base.time import S
from ...influxql import functions as F
from .technical import TA_FUNCTIONS, holt_winters

__all__ = ["apply_transform", "input_range", "derivative", "difference", "cumulative_sum",
           "moving_average", "elapsed"]


def input_range(name: str, start: int, end: int, interval: int, ascending: bool = True) -> tuple[int, int]:
    """The inclusive time range to compute the inner aggregate over (GROUP BY time queries)."""
    if interval and F.spec(name).extends_range:
        if ascending:
            return start - interval, end
        return start, end + interval
    return start, end


def _prepare(times, values, valid=None) -> tuple[np.ndarray, np.ndarray]:
    t = times.to_numpy() if isinstance(times, pl.Series) else np.asarray(times)
    if isinstance(values, pl.Series):
        if values.null_count():
            keep = values.is_not_null().to_numpy()
            t, values = t[keep], values.filter(pl.Series(keep))
        v = values.to_numpy()
    else:
        v = np.asarray(values)
    if valid is not None:
        keep = np.asarray(valid, dtype=bool)
        t, v = t[keep], v[keep]
    if v.dtype == object:
        v = v.astype(np.float64)
    return t.astype(np.int64, copy=False), v


def _first_of_each_time(t: np.ndarray) -> np.ndarray:
    """Positions kept when points sharing the previous point's time are skipped."""
    keep = np.ones(len(t), dtype=bool)
    if len(t) > 1:
        keep[1:] = t[1:] != t[:-1]
    return keep


def derivative(times, values, unit: int = S, *, ascending: bool = True, non_negative: bool = False):
    """``(curr - prev) / (elapsed / unit)`` at each point after the first (float).

    Points at the same time as the previous one are skipped; descending order
    negates elapsed; non_negative drops negative differences.
    """
    t, v = _prepare(times, values)
    keep = _first_of_each_time(t)
    t, v = t[keep], v[keep]
    if len(t) < 2:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    if v.dtype.kind == "u":
        a, b = v[1:], v[:-1]
        diff = np.where(a > b, (a - b).astype(np.float64), -((b - a).astype(np.float64)))
    elif v.dtype.kind == "i":
        diff = (v[1:] - v[:-1]).astype(np.float64)
    else:
        diff = v[1:].astype(np.float64) - v[:-1].astype(np.float64)
    elapsed = t[1:] - t[:-1]
    if not ascending:
        elapsed = -elapsed
    with np.errstate(all="ignore"):
        out = diff / (elapsed.astype(np.float64) / float(unit))
    tt = t[1:]
    if non_negative:
        m = ~(diff < 0)
        tt, out = tt[m], out[m]
    return tt, out


def difference(times, values, *, non_negative: bool = False):
    """``curr - prev`` keeping the input type; same-time points skipped."""
    t, v = _prepare(times, values)
    keep = _first_of_each_time(t)
    t, v = t[keep], v[keep]
    if len(t) < 2:
        return np.empty(0, np.int64), np.empty(0, v.dtype)
    if non_negative and v.dtype.kind == "u":
        m = ~(v[1:] < v[:-1])
        with np.errstate(all="ignore"):
            d = v[1:] - v[:-1]
        return t[1:][m], d[m]
    with np.errstate(all="ignore"):
        d = v[1:] - v[:-1]
    tt = t[1:]
    if non_negative:
        m = ~(d < 0)
        tt, d = tt[m], d[m]
    return tt, d


def cumulative_sum(times, values):
    """Running sum from the first point, input type kept (Go's sequential float sum)."""
    t, v = _prepare(times, values)
    with np.errstate(all="ignore"):
        return t, np.cumsum(v, dtype=v.dtype)


def moving_average(times, values, n: int):
    """Mean of the last ``n`` points, from the n-th point on (float).

    Floats reproduce Go's running sum (``sum -= old; sum += new``) exactly;
    integers sum exactly in int64.
    """
    t, v = _prepare(times, values)
    if len(v) < n:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    if v.dtype.kind in "iu":
        c = np.cumsum(v, dtype=v.dtype)
        sums = c[n - 1:].copy()
        sums[1:] = c[n:] - c[:-n]
        return t[n - 1:], sums.astype(np.float64) / float(n)
    vals = v.astype(np.float64).tolist()
    s = 0.0
    for x in vals[:n]:
        s += x
    out = [s / n]
    for i in range(n, len(vals)):
        s -= vals[i - n]
        s += vals[i]
        out.append(s / n)
    return t[n - 1:], np.asarray(out, dtype=np.float64)


def elapsed(times, values=None, unit: int = 1):
    """Time since the previous point in ``unit`` (int64, truncated toward zero); no de-dup."""
    t = times.to_numpy() if isinstance(times, pl.Series) else np.asarray(times, dtype=np.int64)
    if values is not None:
        t, _ = _prepare(t, values)
    if len(t) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    d = t[1:] - t[:-1]
    q = np.abs(d) // unit
    return t[1:], np.where(d < 0, -q, q).astype(np.int64)


def _text_kind(values) -> str | None:
    """``"string"`` or ``"boolean"`` when the values are not numbers (influxd's iterator names)."""
    if isinstance(values, pl.Series):
        return {pl.String: "string", pl.Boolean: "boolean"}.get(values.dtype)
    kind = getattr(getattr(values, "dtype", None), "kind", "")
    if kind == "O":  # numbers with None, or strings
        kind = "U" if isinstance(next((x for x in values if x is not None), 0), str) else "f"
    return "string" if kind in ("U", "S") else "boolean" if kind == "b" else None


def apply_transform(name: str, times, values, args: tuple = (), *, interval: int = 0,
                    ascending: bool = True, valid=None):
    """Run transformation ``name`` over one series; see the module docstring."""
    run = _IMPLEMENTATIONS.get(name)
    if run is None:
        raise QueryError(f"undefined function {name}()")
    kind = _text_kind(values)
    if kind and kind not in F.spec(name).input_types:  # influxd has no such iterator (its words)
        what = name.removeprefix("non_negative_").replace("_", " ")
        raise QueryError(f"unsupported {what} iterator type: *query.{kind}InterruptIterator")
    if kind:  # elapsed() reads only the times of the non-null values
        values = pl.select(pl.when(pl.lit(pl.Series(values)).is_not_null()).then(1)).to_series()
    if valid is not None:
        times, values = _prepare(times, values, valid)
    return run(times, values, args, interval, ascending)


def _derivative(times, values, args, interval, ascending, non_negative=False):
    unit = int(args[0]) if args else (interval or S)
    return derivative(times, values, unit, ascending=ascending, non_negative=non_negative)


def _holt_winters(times, values, args, interval, with_fit=False):
    t, v = _prepare(times, values)
    return holt_winters(t, v, int(args[0]), int(args[1]), interval, with_fit=with_fit)


def _technical(name: str):
    def run(times, values, args, _interval, _ascending):
        t, v = _prepare(times, values)
        idx, out = TA_FUNCTIONS[name](v, *args)
        return t[idx], out
    return run


# name -> run(times, values, args, interval, ascending)
_IMPLEMENTATIONS = {
    "derivative": _derivative,
    "non_negative_derivative": lambda t, v, a, i, asc: _derivative(t, v, a, i, asc, non_negative=True),
    "difference": lambda t, v, a, i, asc: difference(t, v),
    "non_negative_difference": lambda t, v, a, i, asc: difference(t, v, non_negative=True),
    "cumulative_sum": lambda t, v, a, i, asc: cumulative_sum(t, v),
    "moving_average": lambda t, v, a, i, asc: moving_average(t, v, int(a[0])),
    "elapsed": lambda t, v, a, i, asc: elapsed(t, v, int(a[0]) if a else 1),
    "holt_winters": lambda t, v, a, i, asc: _holt_winters(t, v, a, i),
    "holt_winters_with_fit": lambda t, v, a, i, asc: _holt_winters(t, v, a, i, with_fit=True),
    **{name: _technical(name) for name in TA_FUNCTIONS},
}
