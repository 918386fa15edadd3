"""Go's ``sort.Sort`` (Go 1.10, which built influxd 1.6.7): where equal values end up.

influxd sorts a window's points by value with ``sort.Sort`` before mode() and percentile()
read them. That sort is not stable: which of several equal values lands where (so which
point's time and auxiliary fields percentile() answers, and which time mode() compares)
follows its steps: quickSort with a median-of-three pivot (Tukey's ninther above 40
points) and its guard against many duplicates, heapSort when the recursion gets too deep,
and, for 12 points or fewer, a shell pass of gap 6 then insertionSort.

:func:`order` replays those steps on value ranks and answers the permutation. The
partition loops are run as whole-array operations on large ranges (the pairs of elements
the loop would swap are found with two index scans), and with ``want`` only the ranges
that hold wanted positions are sorted further (quickSort's ranges are independent).
"""
from __future__ import annotations

import numpy as np

SMALL = 512  # ranges up to this size are partitioned element by element


def ranks(values) -> np.ndarray:
    """Dense ranks of ``values`` (any sortable numpy array): ``Less`` compares them the same."""
    return np.unique(np.asarray(values), return_inverse=True)[1].astype(np.int64).reshape(-1)


def order(keys: np.ndarray, want: list[tuple[int, int]] | None = None, small: int = SMALL) -> np.ndarray:
    """The permutation Go's ``sort.Sort`` leaves ``keys`` in (``out[k]`` = index of the
    element at sorted position k). With ``want`` ([start, end) ranges), only those positions
    are guaranteed final."""
    k = np.array(keys, dtype=np.int64)
    p = np.arange(len(k), dtype=np.int64)
    n = len(k)
    _Sorter(k, p, want, small).quick(0, n, _max_depth(n))
    return p


def _max_depth(n: int) -> int:
    depth = 0
    while n > 0:
        depth += 1
        n >>= 1
    return depth * 2


class _Sorter:
    """quickSort over ranks ``k`` carrying the original indices ``p`` along."""

    def __init__(self, k: np.ndarray, p: np.ndarray, want, small: int):
        self.k, self.p, self.want, self.small = k, p, want, small

    def wanted(self, a: int, b: int) -> bool:
        return self.want is None or any(s < b and a < e for s, e in self.want)

    def quick(self, a: int, b: int, depth: int) -> None:
        while b - a > 12:
            if depth == 0:
                self.local(a, b, _heap_sort)
                return
            depth -= 1
            mlo, mhi = self.pivot(a, b)
            if mlo - a < b - mhi:
                if self.wanted(a, mlo):
                    self.quick(a, mlo, depth)
                a = mhi
            else:
                if self.wanted(mhi, b):
                    self.quick(mhi, b, depth)
                b = mlo
            if not self.wanted(a, b):
                return
        if b - a > 1:
            self.local(a, b, _shell_insertion)

    def local(self, a: int, b: int, fn) -> None:
        """Run ``fn`` over Python lists of [a, b), written back."""
        k, p = self.k[a:b].tolist(), self.p[a:b].tolist()
        fn(k, p, 0, b - a)
        self.k[a:b], self.p[a:b] = k, p

    def pivot(self, lo: int, hi: int) -> tuple[int, int]:
        if hi - lo <= self.small:
            k, p = self.k[lo:hi].tolist(), self.p[lo:hi].tolist()
            mlo, mhi = _do_pivot(k, p, 0, hi - lo, ((lo + hi) >> 1) - lo)
            self.k[lo:hi], self.p[lo:hi] = k, p
            return mlo + lo, mhi + lo
        return _do_pivot_arrays(self.k, self.p, lo, hi)


def _swap(k, p, i: int, j: int) -> None:
    k[i], k[j] = k[j], k[i]
    p[i], p[j] = p[j], p[i]


def _shell_insertion(k, p, a: int, b: int) -> None:
    for i in range(a + 6, b):  # a shell pass of gap 6 (b - a <= 12)
        if k[i] < k[i - 6]:
            _swap(k, p, i, i - 6)
    for i in range(a + 1, b):
        j = i
        while j > a and k[j] < k[j - 1]:
            _swap(k, p, j, j - 1)
            j -= 1


def _sift_down(k, p, lo: int, hi: int, first: int) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and k[first + child] < k[first + child + 1]:
            child += 1
        if not k[first + root] < k[first + child]:
            return
        _swap(k, p, first + root, first + child)
        root = child


def _heap_sort(k, p, a: int, b: int) -> None:
    hi = b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(k, p, i, hi, a)
    for i in range(hi - 1, -1, -1):
        _swap(k, p, a, a + i)
        _sift_down(k, p, 0, i, a)


def _median_of_three(k, p, m1: int, m0: int, m2: int) -> None:
    if k[m1] < k[m0]:
        _swap(k, p, m1, m0)
    if k[m2] < k[m1]:
        _swap(k, p, m2, m1)
        if k[m1] < k[m0]:
            _swap(k, p, m1, m0)


def _choose_pivot(k, p, lo: int, hi: int, m: int) -> None:
    if hi - lo > 40:  # Tukey's ninther
        s = (hi - lo) // 8
        _median_of_three(k, p, lo, lo + s, lo + 2 * s)
        _median_of_three(k, p, m, m - s, m + s)
        _median_of_three(k, p, hi - 1, hi - 1 - s, hi - 1 - 2 * s)
    _median_of_three(k, p, lo, m, hi - 1)


def _do_pivot(k, p, lo: int, hi: int, m: int) -> tuple[int, int]:
    """doPivot over lists, element by element (``m`` is Go's midpoint, given relative)."""
    _choose_pivot(k, p, lo, hi, m)
    pv = k[lo]
    a, c = lo + 1, hi - 1
    while a < c and k[a] < pv:
        a += 1
    b = a
    while True:
        while b < c and not pv < k[b]:
            b += 1
        while b < c and pv < k[c - 1]:
            c -= 1
        if b >= c:
            break
        _swap(k, p, b, c - 1)
        b += 1
        c -= 1
    b, c, protect = _dups(k, p, lo, hi, m, b, c)
    if protect:
        while True:
            while a < b and not k[b - 1] < pv:
                b -= 1
            while a < b and k[a] < pv:
                a += 1
            if a >= b:
                break
            _swap(k, p, a, b - 1)
            a += 1
            b -= 1
    _swap(k, p, lo, b - 1)
    return b - 1, c


def _dups(k, p, lo: int, hi: int, m: int, b: int, c: int) -> tuple[int, int, bool]:
    """doPivot's test for many values equal to the pivot (it moves up to three of them)."""
    protect = hi - c < 5
    if not protect and hi - c < (hi - lo) // 4:
        pv, dups = k[lo], 0
        if not pv < k[hi - 1]:
            _swap(k, p, c, hi - 1)
            c += 1
            dups += 1
        if not k[b - 1] < pv:
            b -= 1
            dups += 1
        if not k[m] < pv:
            _swap(k, p, m, b - 1)
            b -= 1
            dups += 1
        protect = dups > 1
    return b, c, protect


def _do_pivot_arrays(k: np.ndarray, p: np.ndarray, lo: int, hi: int) -> tuple[int, int]:
    """doPivot over a large range: the same swaps, its two scanning loops done by
    :func:`_cross` (the k-th element the left scan stops at meets the k-th of the right)."""
    m = (lo + hi) >> 1
    _choose_pivot(k, p, lo, hi, m)
    pv = int(k[lo])
    body = k[lo + 1:hi - 1]
    stop = np.flatnonzero(body >= pv)
    a = lo + 1 + int(stop[0]) if len(stop) else hi - 1
    b, c = _cross(k, p, a, hi - 1, k[a:hi - 1] > pv, True)
    b, c, protect = _dups(k, p, lo, hi, m, b, c)
    if protect:
        a, b = _cross(k, p, a, b, k[a:b] == pv, False)
    _swap(k, p, lo, b - 1)
    return b - 1, c


def _cross(k: np.ndarray, p: np.ndarray, lo: int, hi: int, bad: np.ndarray,
           left_first: bool) -> tuple[int, int]:
    """Two pointers scan [lo, hi) towards each other, the left one stopping at ``bad``
    elements, the right one at the others, swapping the pair each time: the pairs are the
    i-th bad element from the left and the i-th good one from the right while they have
    not crossed. Answers the pointers' last positions (left, right); ``left_first``: the
    left pointer scans first in each round (the right one otherwise)."""
    left = lo + np.flatnonzero(bad)
    right = lo + np.flatnonzero(~bad)[::-1]
    n = min(len(left), len(right))
    ok = left[:n] < right[:n]
    n = n if ok.all() else int(np.argmin(ok))
    if n:
        li, ri = left[:n], right[:n]
        k[li], k[ri] = k[ri], k[li].copy()
        p[li], p[ri] = p[ri], p[li].copy()
        lft, rgt = int(li[-1]) + 1, int(ri[-1])
    else:
        lft, rgt = lo, hi
    nxt_left = int(left[n]) if n < len(left) else None
    nxt_right = int(right[n]) + 1 if n < len(right) else None
    if left_first:
        lft = min(nxt_left, rgt) if nxt_left is not None else rgt
        rgt = max(nxt_right, lft) if nxt_right is not None else lft
    else:
        rgt = max(nxt_right, lft) if nxt_right is not None else lft
        lft = min(nxt_left, rgt) if nxt_left is not None else rgt
    return lft, rgt
