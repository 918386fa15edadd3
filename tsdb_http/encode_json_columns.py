"""The ``values`` of a GROUP BY answer's small series, built from their block's columns.

The series of such an answer share one :class:`tsdb_core.SeriesBlock` (their rows are runs
of one frame). Each column becomes a Python list in one call; the float cells the rows path
would rewrite (integral ones, those outside 1e-4 <= |v| < 1e16, ``-0.0``) are found with
NumPy, in one look at all the float columns together (usually none: the lists go as they
are), else column by column, and only they are replaced (by the rows path's own function);
the rows are then tuples zipped from the columns, which orjson writes as arrays. This is the
rows path's output, byte for byte, without its scan of every cell for floats to fix.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from .v3_floats import I64_LIMIT


class Infinite(Exception):  # noqa: N818 - a signal, not an error
    """The block holds an infinite float: the answer's document becomes an error."""


def block_rows(frame: pl.DataFrame, json_float: Callable[[float], Any], v3: bool = False) -> list[tuple]:
    """The frame's rows as tuples of JSON-ready values (``json_float``: the rows path's
    replacement of a float whose orjson text is not the answer's; ``v3``: InfluxDB 3's forms)."""
    series = [s.cast(pl.Float64) if s.dtype == pl.Float32 else s for s in frame.get_columns()]
    floats = [j for j, s in enumerate(series) if s.dtype == pl.Float64]
    clean = len(floats) > 1 and _all_clean([series[j].to_numpy() for j in floats])
    cols = []
    for s in series:
        if s.dtype != pl.Float64:
            cols.append(s.to_list())
        else:
            cols.append(s.to_list() if clean else _floats(s, json_float, v3))
    return list(zip(*cols))


def _all_clean(arrays: list[np.ndarray]) -> bool:
    """Whether no cell of these float columns is one :func:`_floats` would replace (nor an
    infinity): one look at all of them together (a GROUP BY of many means), not a few NumPy
    calls a column. Their cells then go as ``to_list`` gives them."""
    x = np.stack(arrays)  # (a null is NaN, left as None by to_list)
    with np.errstate(invalid="ignore"):
        return not _odd(x, np.abs(x)).any()


def _odd(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The cells (``a``: their magnitudes) orjson does not write as the answer does: integral
    ones (infinities, ``-0.0``) and those outside 1e-4 <= |v| < 1e16; NaN (null) is not one."""
    return ~((x != np.floor(x)) & (a >= 1e-4) & (a < 1e16)) & ~np.isnan(x)


def _floats(s: pl.Series, json_float, v3: bool) -> list:
    """A float column as the rows path writes it: nulls None, the cells orjson writes otherwise replaced."""
    x = s.to_numpy()  # (a null is NaN)
    values = s.to_list()
    with np.errstate(invalid="ignore"):
        a = np.abs(x)
        if np.isinf(a).any():
            raise Infinite
        odd = _odd(x, a)
        if not odd.any():
            return values
        integral = x == np.floor(x)
        ints = integral & (a < I64_LIMIT) if v3 else integral & (a < 2.0 ** 53) & ~((x == 0) & np.signbit(x))
    where = np.flatnonzero(ints)
    for i, v in zip(where.tolist(), x[where].astype(np.int64).tolist()):
        values[i] = v
    for i in np.flatnonzero(odd & ~ints).tolist():
        values[i] = json_float(values[i])
    return values
