"""Go's ``sort.Sort``, as the influxd 1.6.7 binary runs it: where equal values end up.

influxd sorts a window's points by value with ``sort.Sort`` before mode() and percentile()
read them. That sort is not stable: which of several equal values lands where (so which
point's time and auxiliary fields percentile() answers, and which times mode() compares)
follows its steps. The Debian binary is built with Go 1.19, whose ``sort.Sort`` is
pattern-defeating quicksort (src/sort/zsortinterface.go): insertionSort up to 12
elements, a median-of-three or Tukey-ninther pivot whose comparisons hint at sorted or
reversed input, partialInsertionSort, partitionEqual when the pivot equals the element
before the range, breakPatterns (a xorshift seeded by the length) after an unbalanced
partition, heapSort when those run out.

:func:`order` replays those steps on value ranks and answers the permutation. On large
ranges the partition loops run as whole-array operations (the pairs the two scanning
indices swap are found with two index scans), and with ``want`` only the ranges holding
wanted positions are sorted further (pdqsort's ranges are independent).
"""
from __future__ import annotations

import numpy as np

SMALL = 512  # ranges up to this size are sorted element by element
_MASK = (1 << 64) - 1


def ranks(values) -> np.ndarray:
    """Dense ranks of ``values`` (any sortable numpy array): ``Less`` compares them the same."""
    return np.unique(np.asarray(values), return_inverse=True)[1].astype(np.int64).reshape(-1)


def keys(values) -> np.ndarray:
    """What :func:`order` compares: numbers as they are, anything else (text) by rank."""
    v = np.asarray(values)
    return v if v.dtype.kind in "iuf" else ranks(v)


def order(values: np.ndarray, want: list[tuple[int, int]] | None = None, small: int = SMALL) -> np.ndarray:
    """The permutation Go's ``sort.Sort`` leaves ``values`` in (``out[k]`` = index of the
    element at sorted position k; numbers or ranks, see :func:`keys`). With ``want``
    ([start, end) ranges), only those positions are guaranteed final."""
    k = np.array(values)
    p = np.arange(len(k), dtype=np.int64)
    if len(k) > 1:
        _Pdq(k, p, want, small).pdqsort(0, len(k), len(k).bit_length())
    return p


class _Pdq:
    """pdqsort over ranks ``k`` carrying the original indices ``p`` along: numpy arrays
    (whole-array partitions) or, for small ranges, Python lists."""

    def __init__(self, k, p, want, small: int, base: int = 0):
        self.k, self.p, self.want, self.small, self.base = k, p, want, small, base
        self.vector = isinstance(k, np.ndarray)

    def wanted(self, a: int, b: int) -> bool:
        """Whether positions ``a``..``b`` hold any index the caller reads (others need no order)."""
        a, b = a + self.base, b + self.base
        return self.want is None or any(s < b and a < e for s, e in self.want)

    def less(self, i: int, j: int) -> bool:
        """Go's ``Less(i, j)`` over the keys."""
        return self.k[i] < self.k[j]

    def swap(self, i: int, j: int) -> None:
        """Go's ``Swap(i, j)``: keys and the positions they came from together."""
        k, p = self.k, self.p
        k[i], k[j] = k[j], k[i]
        p[i], p[j] = p[j], p[i]

    def pdqsort(self, a: int, b: int, limit: int) -> None:
        """Go 1.19's ``pdqsort(data, a, b, limit)``, step for step (small ranges as lists)."""
        if self.vector and b - a <= self.small:
            self.as_lists(a, b, limit)
            return
        balanced = partitioned = True
        while b - a > 12:
            if limit == 0:
                _heap_sort(self, a, b)
                return
            if not balanced:
                _break_patterns(self, a, b)
                limit -= 1
            pivot, hint = _choose_pivot(self, a, b)
            if hint == _DECREASING:
                self.reverse(a, b)
                pivot, hint = (b - 1) - (pivot - a), _INCREASING
            if balanced and partitioned and hint == _INCREASING and self.partial_insertion_sort(a, b):
                return
            if a > 0 and not self.less(a - 1, pivot):
                a = self.partition_equal(a, b, pivot)
                if not self.wanted(a, b):
                    return
                continue
            mid, partitioned = self.partition(a, b, pivot)
            length = b - a
            if mid - a < b - mid:
                balanced = mid - a >= length // 8
                if self.wanted(a, mid):
                    self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                balanced = b - mid >= length // 8
                if self.wanted(mid + 1, b):
                    self.pdqsort(mid + 1, b, limit)
                b = mid
            if not self.wanted(a, b):
                return
        _insertion_sort(self, a, b)

    def as_lists(self, a: int, b: int, limit: int) -> None:
        """pdqsort(a, b) over Python lists of the range (and the element before it, which
        pdqsort reads)."""
        lo = a - 1 if a > 0 else a
        sub = _Pdq(self.k[lo:b].tolist(), self.p[lo:b].tolist(), self.want, self.small, self.base + lo)
        sub.pdqsort(a - lo, b - lo, limit)
        self.k[lo:b], self.p[lo:b] = sub.k, sub.p

    def reverse(self, a: int, b: int) -> None:
        if self.vector:
            self.k[a:b], self.p[a:b] = self.k[a:b][::-1].copy(), self.p[a:b][::-1].copy()
            return
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i += 1
            j -= 1

    def partition(self, a: int, b: int, pivot: int) -> tuple[int, bool]:
        """One quicksort partition: [a, mid) < pivot <= (mid, b); whether nothing moved."""
        self.swap(a, pivot)
        if self.vector:
            return _partition_arrays(self.k, self.p, a, b)
        k, pv = self.k, self.k[a]
        i, j = a + 1, b - 1
        swapped = False
        while True:
            while i <= j and k[i] < pv:
                i += 1
            while i <= j and not k[j] < pv:
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            swapped = True
            i += 1
            j -= 1
        self.swap(j, a)
        return j, not swapped

    def partition_equal(self, a: int, b: int, pivot: int) -> int:
        """[a, b) holds nothing below the pivot: the elements equal to it first."""
        self.swap(a, pivot)
        if self.vector:
            return _partition_equal_arrays(self.k, self.p, a, b)
        k, pv = self.k, self.k[a]
        i, j = a + 1, b - 1
        while True:
            while i <= j and not pv < k[i]:
                i += 1
            while i <= j and pv < k[j]:
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i += 1
            j -= 1

    def partial_insertion_sort(self, a: int, b: int) -> bool:
        """Up to 5 adjacent pairs out of order fixed by shifting; whether [a, b) is sorted."""
        i = a + 1
        for _ in range(5):
            i = self.next_descent(i, b)
            if i == b:
                return True
            if b - a < 50:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:
                j = i - 1
                while j >= 1 and self.less(j, j - 1):
                    self.swap(j, j - 1)
                    j -= 1
            if b - i >= 2:
                j = i + 1
                while j < b and self.less(j, j - 1):
                    self.swap(j, j - 1)
                    j += 1
        return False

    def next_descent(self, i: int, b: int) -> int:
        """The first index from ``i`` whose element is below the one before it (else b)."""
        if self.vector:
            down = np.flatnonzero(self.k[i:b] < self.k[i - 1:b - 1])
            return i + int(down[0]) if len(down) else b
        k = self.k
        while i < b and not k[i] < k[i - 1]:
            i += 1
        return i


_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2


def _insertion_sort(s: _Pdq, a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and s.less(j, j - 1):
            s.swap(j, j - 1)
            j -= 1


def _sift_down(s: _Pdq, lo: int, hi: int, first: int) -> None:
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and s.less(first + child, first + child + 1):
            child += 1
        if not s.less(first + root, first + child):
            return
        s.swap(first + root, first + child)
        root = child


def _heap_sort(s: _Pdq, a: int, b: int) -> None:
    hi = b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(s, i, hi, a)
    for i in range(hi - 1, -1, -1):
        s.swap(a, a + i)
        _sift_down(s, 0, i, a)


def _break_patterns(s: _Pdq, a: int, b: int) -> None:
    """Three elements near the middle swapped with xorshift-chosen ones."""
    length = b - a
    if length < 8:
        return
    r = length
    modulus = 1 << length.bit_length()
    for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
        r ^= (r << 13) & _MASK
        r ^= r >> 17
        r ^= (r << 5) & _MASK
        other = r & (modulus - 1)
        if other >= length:
            other -= length
        s.swap(idx, a + other)


def _choose_pivot(s: _Pdq, a: int, b: int) -> tuple[int, int]:
    n = b - a
    swaps = [0]
    i, j, k = a + n // 4, a + n // 4 * 2, a + n // 4 * 3
    if n >= 8:
        if n >= 50:  # Tukey's ninther
            i = _median(s, i - 1, i, i + 1, swaps)
            j = _median(s, j - 1, j, j + 1, swaps)
            k = _median(s, k - 1, k, k + 1, swaps)
        j = _median(s, i, j, k, swaps)
    if swaps[0] == 0:
        return j, _INCREASING
    return j, _DECREASING if swaps[0] == 12 else _UNKNOWN


def _median(s: _Pdq, a: int, b: int, c: int, swaps: list[int]) -> int:
    if s.less(b, a):
        swaps[0] += 1
        a, b = b, a
    if s.less(c, b):
        swaps[0] += 1
        b, c = c, b
    if s.less(b, a):
        swaps[0] += 1
        a, b = b, a
    return b


def _pairs(k: np.ndarray, p: np.ndarray, lo: int, hi: int, stop_left: np.ndarray):
    """Two indices scan [lo, hi) towards each other, the left one stopping at ``stop_left``
    elements, the right one at the others, the pair swapped each time while they have not
    crossed: the i-th stop from the left meets the i-th from the right. Swaps them; answers
    (pairs swapped, the next left stop or None, the next right stop or None, last left
    stop, last right stop)."""
    left = lo + np.flatnonzero(stop_left)
    right = lo + np.flatnonzero(~stop_left)[::-1]
    n = min(len(left), len(right))
    ok = left[:n] < right[:n]
    n = n if ok.all() else int(np.argmin(ok))
    if n:
        li, ri = left[:n], right[:n]
        k[li], k[ri] = k[ri], k[li]
        p[li], p[ri] = p[ri], p[li]
    nl = int(left[n]) if n < len(left) else None
    nr = int(right[n]) if n < len(right) else None
    return n, nl, nr, (int(left[n - 1]) if n else None), (int(right[n - 1]) if n else None)


def _partition_arrays(k: np.ndarray, p: np.ndarray, a: int, b: int) -> tuple[int, bool]:
    """partition's loop over [a+1, b) (pivot at a) as :func:`_pairs`."""
    pv = k[a]
    n, nl, nr, ll, lr = _pairs(k, p, a + 1, b, k[a + 1:b] >= pv)
    i, j = (ll + 1, lr - 1) if n else (a + 1, b - 1)
    i = nl if nl is not None and nl <= j else j + 1
    j = nr if nr is not None and nr >= i else i - 1
    k[j], k[a] = k[a], k[j]
    p[j], p[a] = p[a], p[j]
    return j, n == 0


def _partition_equal_arrays(k: np.ndarray, p: np.ndarray, a: int, b: int) -> int:
    """partitionEqual's loop over [a+1, b) (pivot at a) as :func:`_pairs`."""
    n, nl, _, ll, lr = _pairs(k, p, a + 1, b, k[a + 1:b] > k[a])
    j = lr - 1 if n else b - 1
    return nl if nl is not None and nl <= j else j + 1
