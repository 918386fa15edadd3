"""Go's ``sort.Sort`` (exec/go_sort.py) over many slices at once: the windows of a query.

A window's answer may depend on where pdqsort leaves equal values, and a query has many
windows. pdqsort's ranges are independent once split, so the pending ranges of every
slice form one work list, and each round takes all of them one turn of pdqsort's loop
with whole-array operations: ranges up to 12 are insertion-sorted (stable, so one
lexsort sorts them all), the others get their pivot (median of three or Tukey's ninther),
are reversed on a decreasing hint, dropped when already sorted, partitioned (the pairs
the two scanning indices swap found by ranks within each range) and split into the two
ranges pdqsort goes on with. The rare turns (heapSort once the limit runs out, the
partialInsertionSort of an unsorted range of 50 or more, slices holding NaN) run range
by range over lists, with exec/go_sort.py's own steps; so do long slices, which gain
nothing from company (go_sort partitions one slice with views, no index arrays).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import go_sort

_INC, _DEC = go_sort._INCREASING, go_sort._DECREASING
ALONE = 4096  # longer slices are sorted one by one (go_sort's whole-array partitions of one slice)


@dataclass(slots=True)
class _Ranges:
    """Pending [a, b) ranges (indices into the whole array), each with the start of its
    slice (``first``: Go's ``a > 0`` reads the element before a range only inside its
    slice) and pdqsort's loop state."""

    a: np.ndarray
    b: np.ndarray
    first: np.ndarray
    limit: np.ndarray
    balanced: np.ndarray
    partitioned: np.ndarray

    def take(self, m) -> "_Ranges":
        """The ranges ``m`` selects (a mask or indices)."""
        return _Ranges(self.a[m], self.b[m], self.first[m], self.limit[m], self.balanced[m],
                       self.partitioned[m])

    @staticmethod
    def join(parts: list["_Ranges"]) -> "_Ranges":
        """The ranges of ``parts``, one after another."""
        return _Ranges(*(np.concatenate([getattr(r, f) for r in parts]) for f in _Ranges.__slots__))


def orders(keys: np.ndarray, bounds: np.ndarray, want: np.ndarray | None = None,
           limit: int | None = None) -> np.ndarray:
    """For each slice ``keys[bounds[g]:bounds[g+1]]``, the permutation Go's ``sort.Sort``
    leaves it in: ``out[x]`` is the index (into ``keys``) of the element sort.Sort puts at
    position x. ``keys``: numbers, or ranks (go_sort.keys of all slices' values at once).
    ``want``: a mask of the positions read (others may stay unsorted); None: all.
    ``limit``: pdqsort's starting limit (tests drive it low); None: Go's, ``bits.Len(n)``."""
    k = np.asarray(keys)
    p = np.arange(len(k), dtype=np.int64)
    lo, hi = np.asarray(bounds[:-1], dtype=np.int64), np.asarray(bounds[1:], dtype=np.int64)
    alone = (hi - lo) > ALONE
    if k.dtype.kind == "f" and not alone.all():  # NaN: insertion sort is no stable sort, Go's steps one by one
        c = np.concatenate(([0], np.cumsum(np.isnan(k), dtype=np.int64)))
        alone |= c[hi] > c[lo]
    for g in np.flatnonzero(alone).tolist():
        p[lo[g]:hi[g]] = lo[g] + go_sort.order(k[lo[g]:hi[g]], _local(want, lo[g], hi[g]))
    lo, hi = lo[~alone], hi[~alone]
    if not len(lo):
        return p
    k = k.copy()  # the rounds sort it in place
    counts = None if want is None else np.concatenate(([0], np.cumsum(want, dtype=np.int64)))
    n = hi - lo
    one = np.ones(len(lo), dtype=bool)
    start = _bit_length(n) if limit is None else np.full(len(n), limit, dtype=np.int64)
    r = _Ranges(lo, hi, lo, start, one, one.copy())
    r = _pending(r, counts)
    while len(r.a):
        r = _pending(_turn(k, p, r), counts)
    return p


def _local(want: np.ndarray | None, a: int, b: int) -> list[tuple[int, int]] | None:
    if want is None:
        return None
    return [(int(x), int(x) + 1) for x in np.flatnonzero(want[a:b])]


def _bit_length(n: np.ndarray) -> np.ndarray:
    """``bits.Len`` of each (non-negative) integer."""
    return np.where(n > 0, np.frexp(np.maximum(n, 1).astype(np.float64))[1], 0).astype(np.int64)


def _pending(r: _Ranges, counts: np.ndarray | None) -> _Ranges:
    """The ranges with something to sort that hold a wanted position."""
    keep = r.b - r.a > 1
    if counts is not None:
        keep &= counts[r.b] > counts[r.a]
    return r if keep.all() else r.take(keep)


def _turn(k: np.ndarray, p: np.ndarray, r: _Ranges) -> _Ranges:
    """One turn of pdqsort's loop for every range: the ranges it goes on with."""
    n = r.b - r.a
    small = n <= 12
    if small.any():
        _stable_sort(k, p, r.a[small], r.b[small])
    heap = ~small & (r.limit == 0)
    for a, b in zip(r.a[heap].tolist(), r.b[heap].tolist()):
        _on_lists(k, p, a, b, lambda kl, pl: go_sort._heap_sort(kl, pl, 0, b - a))
    r = r.take(~small & ~heap)
    if not len(r.a):
        return r
    unbalanced = ~r.balanced
    if unbalanced.any():
        _break_patterns(k, p, r.a[unbalanced], r.b[unbalanced])
        r.limit = r.limit - unbalanced
    pivot, hint = _choose_pivot(k, r.a, r.b)
    dec = hint == _DEC
    if dec.any():
        _reverse(k, p, r.a[dec], r.b[dec])
        pivot = np.where(dec, (r.b - 1) - (pivot - r.a), pivot)
        hint = np.where(dec, _INC, hint)
    done = _sorted_already(k, p, r, r.balanced & r.partitioned & (hint == _INC))
    if done.any():
        r, pivot = r.take(~done), pivot[~done]
    return _partition_step(k, p, r, pivot) if len(r.a) else r


def _sorted_already(k: np.ndarray, p: np.ndarray, r: _Ranges, tried: np.ndarray) -> np.ndarray:
    """partialInsertionSort of the ``tried`` ranges: whether each is sorted after it (a
    range of 50 or more with a descent is shifted into order step by step, over lists)."""
    done = np.zeros(len(r.a), dtype=bool)
    if not tried.any():
        return done
    idx = np.flatnonzero(tried)
    down = _descents(k, r.a[idx], r.b[idx])
    done[idx[down == 0]] = True
    for i in idx[(down > 0) & (r.b[idx] - r.a[idx] >= 50)].tolist():
        a, b, f = int(r.a[i]), int(r.b[i]), int(r.first[i])
        got = []  # Go's shift loop runs down to index 1 of the slice: hand it from its start
        _on_lists(k, p, f, b, lambda kl, pl: got.append(go_sort._partial_insertion_sort(kl, pl, a - f, b - f)))
        done[i] = got[0]
    return done


def _on_lists(k: np.ndarray, p: np.ndarray, a: int, b: int, step) -> None:
    """``step(keys, indices)`` over Python lists of [a, b), written back."""
    kl, pl = k[a:b].tolist(), p[a:b].tolist()
    step(kl, pl)
    k[a:b], p[a:b] = kl, pl


def _spans(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The positions of the ranges [a, b) one after the other, each one's range, and where
    each range starts among them."""
    n = b - a
    starts = np.concatenate(([0], np.cumsum(n)[:-1])) if len(n) else n
    idx = np.arange(int(n.sum()), dtype=np.int64) + np.repeat(a - starts, n)
    return idx, np.repeat(np.arange(len(a)), n), starts


def _stable_sort(k: np.ndarray, p: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """insertionSort of every range: equal keys keep their order (one lexsort for all)."""
    idx, seg, _ = _spans(a, b)
    o = idx[np.lexsort((k[idx], seg))]
    k[idx], p[idx] = k[o], p[o]


def _swap(k: np.ndarray, p: np.ndarray, i: np.ndarray, j: np.ndarray) -> None:
    """Swaps of pairs in distinct ranges (so no two pairs share a position)."""
    k[i], k[j] = k[j], k[i].copy()
    p[i], p[j] = p[j], p[i].copy()


def _reverse(k: np.ndarray, p: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    idx, seg, _ = _spans(a, b)
    src = a[seg] + b[seg] - 1 - idx
    k[idx], p[idx] = k[src], p[src]


def _break_patterns(k: np.ndarray, p: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """breakPatterns: three elements near the middle swapped with xorshift-chosen ones (a
    xorshift seeded by the length)."""
    n = b - a
    r = n.astype(np.uint64)
    mask = (np.left_shift(np.ones_like(r), _bit_length(n).astype(np.uint64))) - np.uint64(1)
    for step in range(3):
        r ^= r << np.uint64(13)
        r ^= r >> np.uint64(17)
        r ^= r << np.uint64(5)
        other = (r & mask).astype(np.int64)
        other = np.where(other >= n, other - n, other)
        _swap(k, p, a + (n // 4) * 2 - 1 + step, a + other)


def _median(k: np.ndarray, ia: np.ndarray, ib: np.ndarray, ic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """go_sort._median of each triple of indices: the middle one's and the swaps it took."""
    ka, kb, kc = k[ia], k[ib], k[ic]
    ba, ca, cb = kb < ka, kc < ka, kc < kb
    idx = np.select([ba & ca & cb, ba & ca, ba, cb & ca, cb], [ib, ic, ia, ia, ic], ib)
    swaps = np.select([ba & ca & cb, ba & ca, ba, cb & ca, cb], [3, 2, 1, 2, 1], 0)
    return idx, swaps


def _choose_pivot(k: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """choosePivot of ranges longer than 12: the pivot and the hint its swaps give."""
    n = b - a
    q = n // 4
    i, j, l = a + q, a + q * 2, a + q * 3
    swaps = np.zeros(len(a), dtype=np.int64)
    big = np.flatnonzero(n >= 50)
    if len(big):
        for c in (i, j, l):  # each replaced by the median of it and its neighbours
            m, s = _median(k, c[big] - 1, c[big], c[big] + 1)
            c[big] = m
            swaps[big] += s
    j, s = _median(k, i, j, l)
    swaps += s
    hint = np.where(swaps == 0, _INC, np.where(swaps == 12, _DEC, go_sort._UNKNOWN))
    return j, hint


def _descents(k: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many adjacent pairs of each range are out of order."""
    idx, _, starts = _spans(a + 1, b)
    cum = np.concatenate(([0], np.cumsum(k[idx] < k[idx - 1], dtype=np.int64)))
    return cum[starts + (b - a - 1)] - cum[starts]


def _partition_step(k: np.ndarray, p: np.ndarray, r: _Ranges, pivot: np.ndarray) -> _Ranges:
    """The rest of the turn: partitionEqual where the element before the range is not below
    the pivot (the loop goes on past the pivot's equals), else partition, which splits the
    range into the smaller side (sorted afresh) and the larger (the loop goes on)."""
    eq = (r.a > r.first) & ~(k[np.maximum(r.a - 1, 0)] < k[pivot])
    _swap(k, p, r.a, pivot)
    out = []
    if eq.any():
        e = r.take(eq)
        e.a = _partition(k, p, e.a, e.b, True)[0]
        out.append(e)
    if not eq.all():
        t = r.take(~eq)
        mid, untouched = _partition(k, p, t.a, t.b, False)
        n = t.b - t.a
        left = mid - t.a < t.b - mid
        yes = np.ones(len(t.a), dtype=bool)
        fresh = _Ranges(np.where(left, t.a, mid + 1), np.where(left, mid, t.b), t.first, t.limit, yes, yes)
        on = _Ranges(np.where(left, mid + 1, t.a), np.where(left, t.b, mid), t.first, t.limit,
                     np.where(left, mid - t.a, t.b - mid) >= n // 8, untouched)
        out += [fresh, on]
    return _Ranges.join(out)


def _partition(k: np.ndarray, p: np.ndarray, a: np.ndarray, b: np.ndarray, equal: bool):
    """partition (``equal``: partitionEqual) of every range, its pivot at a. The two indices
    scan [a+1, b) towards each other, the left one stopping at elements not below the pivot
    (above it for partitionEqual), the right one at the others, and swap the pair while
    they have not crossed. They cross where the range splits, after as many positions as
    there are elements the right one stops at: the pairs swapped are the left stops before
    that point, in order, and the right stops after it, from the end. Answers partition's
    (mid, nothing moved) or partitionEqual's new start (and None)."""
    n = b - a - 1
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    idx = np.arange(int(n.sum()), dtype=np.int64) + np.repeat(a + 1 - starts, n)
    pv = np.repeat(k[a], n)
    stop = k[idx] > pv if equal else k[idx] >= pv
    cum = np.concatenate(([0], np.cumsum(stop, dtype=np.int64)))
    below = n - (cum[starts + n] - cum[starts])            # the right one's stops: the split
    first = idx < np.repeat(a + 1 + below, n)
    li, ri = idx[stop & first], idx[~(stop | first)]
    pairs = cum[starts + below] - cum[starts]
    head = np.repeat(np.cumsum(pairs) - pairs, pairs)
    ri = ri[2 * head + np.repeat(pairs, pairs) - 1 - np.arange(len(ri), dtype=np.int64)]  # each range's from its end
    _swap(k, p, li, ri)
    if equal:
        return a + 1 + below, None
    mid = a + below
    _swap(k, p, mid, a)
    return mid, pairs == 0
