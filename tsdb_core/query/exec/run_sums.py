"""Sums and means of runs of rows in numpy, added in the order Polars adds them.

A windowed aggregate over rows grouped series by series (exec/runs.py) hands Polars each
(series, window) run as a slice, and Polars sums a slice of floats as
``polars_compute::float_sum`` does: the first ``len % 128`` values one after another, the
rest in blocks of 128 (16 lanes from 0.0, each adding every 16th value of its block, then
folded 16 → 8 → 4 → (0+2)+(1+3)), blocks added pairwise (left half first), then
``blocks + first values``; a mean is that sum over the count (a run of one: its value).
Runs of one length are a matrix (one strided view of the rows), so the same adds run for
all of them at once: no group column, no group-by.

Floating-point addition does not associate, so the order is the answer: :func:`agrees`
checks it once against the installed Polars on runs whose sums tell the orders apart, and
callers use these sums only when it holds (tests/query/test_run_sums.py checks random runs).
"""
from __future__ import annotations

from functools import cache

import numpy as np

BLOCK = 128  # float_sum's PAIRWISE_RECURSION_LIMIT
LANES = 16   # its STRIPE
MAX_LENGTHS = 12  # distinct run lengths past which the caller lets Polars group the rows


def lengths_few(lengths: np.ndarray) -> bool:
    """Whether the runs have few enough distinct lengths for :func:`sums` to pay."""
    return np.unique(lengths).size <= MAX_LENGTHS


def sums(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The float64 sum of each run ``v[starts[i]:starts[i] + lengths[i]]`` (none empty, ``v``
    float64 without NaN), as Polars sums such a slice."""
    out = np.empty(starts.size)
    for n in np.unique(lengths).tolist():
        who = np.flatnonzero(lengths == n)
        out[who] = _sums_of_length(v, starts[who], n)
    return out


def means(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each run's mean as Polars' mean of a slice: its sum over its length; a run of one, its value."""
    out = sums(v, starts, lengths) / lengths
    one = lengths == 1
    if one.any():
        out[one] = v[starts[one]]  # (a lone -0.0 stays -0.0)
    return out


def _sums_of_length(v: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """:func:`sums` of runs of ``n`` values each."""
    head = n % BLOCK
    rows = np.lib.stride_tricks.sliding_window_view(v, n)[starts]  # (runs, n): one copy
    total = _blocks(rows[:, head:]) if n >= BLOCK else np.zeros(starts.size)
    if head:  # one after another: an accumulation adds in order (a reduction may not)
        total = total + np.cumsum(rows[:, :head], axis=1)[:, -1]
    return total


def _blocks(rows: np.ndarray) -> np.ndarray:
    """float_sum's pairwise_sum of each row (a whole number of blocks)."""
    blocks = rows.shape[1] // BLOCK
    parts = rows.reshape(rows.shape[0], blocks, BLOCK // LANES, LANES)
    lanes = np.zeros((rows.shape[0], blocks, LANES))
    for j in range(BLOCK // LANES):
        lanes += parts[:, :, j, :]
    width = LANES
    while width > 4:
        width //= 2
        lanes = lanes[:, :, :width] + lanes[:, :, width:2 * width]
    each = (lanes[:, :, 0] + lanes[:, :, 2]) + (lanes[:, :, 1] + lanes[:, :, 3])
    return _pairwise(each)


def _pairwise(m: np.ndarray) -> np.ndarray:
    """Rows of block sums added as pairwise_sum splits them (left: half the blocks, rounded down)."""
    n = m.shape[1]
    if n == 1:
        return m[:, 0]
    return _pairwise(m[:, :n // 2]) + _pairwise(m[:, n // 2:])


@cache
def agrees() -> bool:
    """Whether :func:`sums` and :func:`means` give the installed Polars' answers bit for bit,
    on runs of 1 to 700 values of mixed magnitudes (sums that depend on the order of the adds)."""
    import polars as pl

    rng = np.random.default_rng(20261207)
    lengths = np.concatenate([np.arange(1, 300), [384, 512, 640, 700]]).astype(np.int64)
    size = int(lengths.sum())
    v = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 9, size)
    v[rng.integers(0, size, 50)] = -0.0
    starts = np.cumsum(lengths) - lengths
    group = pl.Series(np.repeat(np.arange(lengths.size, dtype=np.uint32), lengths)).set_sorted()
    want = (pl.DataFrame({"g": group, "v": v}).group_by("g", maintain_order=True)
            .agg(pl.col("v").mean().alias("mean"), pl.col("v").sum().alias("sum")))
    ok = True
    for lo in range(0, lengths.size, MAX_LENGTHS):
        part = slice(lo, lo + MAX_LENGTHS)
        ok &= _same(want["mean"].to_numpy()[part], means(v, starts[part], lengths[part]))
        ok &= _same(want["sum"].to_numpy()[part], sums(v, starts[part], lengths[part]))
    return bool(ok)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (the sign of a zero too)."""
    return a.shape == b.shape and bool((a.view(np.int64) == b.view(np.int64)).all())
