"""Binary searches of many values in many runs of one array, each run ascending.

A GROUP BY time over a hundred series searches each series' times for the query's range
and for every window edge: a ``searchsorted`` per series is a Python call each.
Times are mostly sampled at a steady rate, so each position is first guessed by
interpolating between the run's first and last values, then checked against its two
neighbours, all runs at once; only the guesses that miss are searched one by one. The
answer is ``searchsorted``'s wherever the guesses land. A few runs (the hosts a query
names) are searched one by one: the guesses' dozen NumPy calls cost more than that.
"""
from __future__ import annotations

import numpy as np

FEW_RUNS = 32  # up to this many runs, a searchsorted per run beats the vectorised guesses


def search_runs(values: np.ndarray, starts: np.ndarray, ends: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``starts[i] + values[starts[i]:ends[i]].searchsorted(targets[i, j])`` (side ``left``)
    for every run ``i`` and target ``j`` (``targets``: shape (runs, k), or (k,) for the same
    ones in every run), as an int64 array of shape (runs, k). ``values`` ascend within each
    run (for integers, side ``right`` of ``v`` is side ``left`` of ``v + 1``)."""
    targets = np.asarray(targets, dtype=values.dtype)
    if len(starts) <= FEW_RUNS:
        return _run_by_run(values, np.asarray(starts).tolist(), np.asarray(ends).tolist(), targets)
    return _interpolated(values, starts, ends, targets)


def _interpolated(values: np.ndarray, starts, ends, targets: np.ndarray) -> np.ndarray:
    """:func:`search_runs` by guesses checked all at once (then the misses one by one)."""
    starts = np.asarray(starts, dtype=np.int64)[:, None]
    ends = np.asarray(ends, dtype=np.int64)[:, None]
    if not starts.size or not (ends > starts).all():  # (an empty run has no first value to guess from)
        at = np.zeros(np.broadcast_shapes(starts.shape, targets.shape), dtype=np.int64)
        missed = np.argwhere(at == 0)
    else:
        n = ends - starts
        first, last = values[starts], values[ends - 1]
        with np.errstate(all="ignore"):
            scale = np.where(last > first, (n - 1) / (last - first).astype(np.float64), 0.0)
            guess = np.nan_to_num(np.ceil((targets - first) * scale), nan=0.0, posinf=0.0, neginf=0.0)
        at = starts + np.clip(guess, 0, n).astype(np.int64)
        below = values[np.maximum(at - 1, 0)] < targets
        above = values[np.minimum(at, values.size - 1)] >= targets
        missed = np.argwhere(~(((at == starts) | below) & ((at == ends) | above)))
    targets = np.broadcast_to(targets, at.shape)
    for i, j in missed.tolist():
        s, e = int(starts[i, 0]), int(ends[i, 0])
        at[i, j] = s + int(values[s:e].searchsorted(targets[i, j]))
    return at


def _run_by_run(values: np.ndarray, starts: list[int], ends: list[int], targets: np.ndarray) -> np.ndarray:
    """:func:`search_runs` with one ``searchsorted`` per run."""
    shared = targets.ndim == 1 or len(targets) == 1
    row = targets.reshape(-1) if shared else None
    out = np.empty((len(starts), targets.shape[-1]), dtype=np.int64)
    for i, (s, e) in enumerate(zip(starts, ends)):
        np.add(values[s:e].searchsorted(row if shared else targets[i]), s, out=out[i])
    return out
