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

from bisect import bisect_right
from itertools import accumulate

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
    k = np.asarray(values)
    n = len(k)
    # NaN breaks the stable-sort shortcut for insertion sort: Go's steps then, one by one
    exact = k.dtype.kind == "f" and bool(np.isnan(k).any())
    if n <= small:  # Python lists from the start
        p = list(range(n))
        if n > 1:
            pdqsort_lists(k.tolist(), p, 0, n, n.bit_length(), Want(want).counts(0, n), exact)
        return np.array(p, dtype=np.int64)
    k, p = k.copy(), np.arange(n, dtype=np.int64)
    _Vec(k, p, Want(want), small, exact).pdqsort(0, n, n.bit_length())
    return p


class Want:
    """The positions a caller reads ([start, end) ranges; None: all). pdqsort's ranges are
    independent, so a range holding none of them need not be sorted."""

    def __init__(self, ranges: list[tuple[int, int]] | None):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.all = ranges is None
        for s, e in sorted(r for r in ranges or () if r[0] < r[1]):  # merged, so ends are sorted too
            if self.ends and s <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], e)
            else:
                self.starts.append(s)
                self.ends.append(e)

    def hit(self, a: int, b: int) -> bool:
        """Whether [a, b) holds a wanted position."""
        if self.all:
            return True
        i = bisect_right(self.ends, a)
        return i < len(self.starts) and self.starts[i] < b

    def counts(self, lo: int, hi: int) -> list[int] | None:
        """For the slice [lo, hi): how many wanted positions lie before each offset (a range
        [a, b) of it holds one if ``c[b] > c[a]``); None: all are wanted."""
        if self.all:
            return None
        covered = bytearray(hi - lo)
        for s, e in zip(self.starts, self.ends):
            s, e = max(s, lo) - lo, min(e, hi) - lo
            if s < e:
                covered[s:e] = b"\x01" * (e - s)
        return [0, *accumulate(covered)]


class _Vec:
    """pdqsort over numpy arrays: keys ``k`` and the original indices ``p`` moved with them.
    Partitions run as whole-array operations; ranges up to ``small`` go to Python lists."""

    def __init__(self, k: np.ndarray, p: np.ndarray, want: Want, small: int, exact: bool):
        self.k, self.p, self.want, self.small, self.exact = k, p, want, small, exact

    def pdqsort(self, a: int, b: int, limit: int) -> None:
        """Go 1.19's ``pdqsort(data, a, b, limit)``, step for step."""
        k, want = self.k, self.want
        balanced = partitioned = True
        while True:
            if b - a <= self.small or limit == 0:  # heapSort too: element by element
                self.as_lists(a, b, limit, balanced, partitioned)
                return
            if not balanced:
                _break_patterns(k, self.p, a, b)
                limit -= 1
            pivot, hint = _choose_pivot(k, a, b)
            if hint == _DECREASING:
                k[a:b], self.p[a:b] = k[a:b][::-1].copy(), self.p[a:b][::-1].copy()
                pivot, hint = (b - 1) - (pivot - a), _INCREASING
            if balanced and partitioned and hint == _INCREASING and self.partial_insertion_sort(a, b):
                return
            if a > 0 and not k[a - 1] < k[pivot]:
                _swap2(k, self.p, a, pivot)
                a = _partition_equal_arrays(k, self.p, a, b)
                if not want.hit(a, b):
                    return
                continue
            _swap2(k, self.p, a, pivot)
            mid, partitioned = _partition_arrays(k, self.p, a, b)
            length = b - a
            if mid - a < b - mid:
                balanced = mid - a >= length // 8
                if want.hit(a, mid):
                    self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                balanced = b - mid >= length // 8
                if want.hit(mid + 1, b):
                    self.pdqsort(mid + 1, b, limit)
                b = mid
            if not want.hit(a, b):
                return

    def as_lists(self, a: int, b: int, limit: int, balanced: bool, partitioned: bool) -> None:
        """pdqsort's loop over [a, b) carried on over Python lists of the range (and the
        element before it, which pdqsort reads)."""
        lo = a - 1 if a > 0 else a
        k, p = self.k[lo:b].tolist(), self.p[lo:b].tolist()
        pdqsort_lists(k, p, a - lo, b - lo, limit, self.want.counts(lo, b), self.exact, balanced, partitioned)
        self.k[lo:b], self.p[lo:b] = k, p

    def partial_insertion_sort(self, a: int, b: int) -> bool:
        """partialInsertionSort: the scans for a descent as whole-array operations."""
        k, p = self.k, self.p
        i = a + 1
        for _ in range(5):
            down = np.flatnonzero(k[i:b] < k[i - 1:b - 1])
            i = i + int(down[0]) if len(down) else b
            if i == b:
                return True
            if b - a < 50:
                return False
            _swap2(k, p, i, i - 1)
            if i - a >= 2:
                j = i - 1
                while j >= 1 and k[j] < k[j - 1]:
                    _swap2(k, p, j, j - 1)
                    j -= 1
            if b - i >= 2:
                j = i + 1
                while j < b and k[j] < k[j - 1]:
                    _swap2(k, p, j, j - 1)
                    j += 1
        return False


_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2


def _swap2(k, p, i: int, j: int) -> None:
    k[i], k[j] = k[j], k[i]
    p[i], p[j] = p[j], p[i]


def pdqsort_lists(k: list, p: list, a: int, b: int, limit: int, want: list[int] | None, exact: bool = False,
                  balanced: bool = True, partitioned: bool = True) -> None:
    """Go 1.19's ``pdqsort`` over Python lists (keys ``k``, original indices ``p``), its
    steps written out without a call per comparison or swap; only ranges holding wanted
    positions (``want``: :meth:`Want.counts`) are sorted further. ``balanced``,
    ``partitioned``: its loop's state, when it carries on a loop begun over arrays.
    insertionSort (ranges up to 12) is stable, so Python's stable sort stands in for it
    unless ``exact`` (NaN keys)."""
    while True:
        n = b - a
        if n <= 12:
            (_insertion_sort if exact else _stable_sort)(k, p, a, b)
            return
        if limit == 0:
            _heap_sort(k, p, a, b)
            return
        if not balanced:
            _break_patterns(k, p, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(k, a, b)
        if hint == _DECREASING:
            k[a:b], p[a:b] = k[a:b][::-1], p[a:b][::-1]
            pivot, hint = (b - 1) - (pivot - a), _INCREASING
        if balanced and partitioned and hint == _INCREASING and _partial_insertion_sort(k, p, a, b):
            return
        if a > 0 and not k[a - 1] < k[pivot]:
            a = _partition_equal(k, p, a, b, pivot)
            if want is not None and want[b] == want[a]:
                return
            continue
        mid, partitioned = _partition(k, p, a, b, pivot)
        if mid - a < b - mid:
            balanced = mid - a >= n // 8
            if want is None or want[mid] > want[a]:
                pdqsort_lists(k, p, a, mid, limit, want, exact)
            a = mid + 1
        else:
            balanced = b - mid >= n // 8
            if want is None or want[b] > want[mid + 1]:
                pdqsort_lists(k, p, mid + 1, b, limit, want, exact)
            b = mid
        if want is not None and want[b] == want[a]:
            return


def _stable_sort(k: list, p: list, a: int, b: int) -> None:
    """insertionSort's result: equal keys keep their order."""
    idx = sorted(range(a, b), key=k.__getitem__)
    k[a:b] = [k[i] for i in idx]
    p[a:b] = [p[i] for i in idx]


def _insertion_sort(k: list, p: list, a: int, b: int) -> None:
    for i in range(a + 1, b):
        j = i
        while j > a and k[j] < k[j - 1]:
            k[j], k[j - 1] = k[j - 1], k[j]
            p[j], p[j - 1] = p[j - 1], p[j]
            j -= 1


def _partition(k: list, p: list, a: int, b: int, pivot: int) -> tuple[int, bool]:
    """One quicksort partition: [a, mid) < pivot <= (mid, b); whether nothing moved."""
    k[a], k[pivot] = k[pivot], k[a]
    p[a], p[pivot] = p[pivot], p[a]
    pv = k[a]
    i, j = a + 1, b - 1
    while i <= j and k[i] < pv:
        i += 1
    while i <= j and not k[j] < pv:
        j -= 1
    untouched = i > j
    while i <= j:
        k[i], k[j] = k[j], k[i]
        p[i], p[j] = p[j], p[i]
        i += 1
        j -= 1
        while i <= j and k[i] < pv:
            i += 1
        while i <= j and not k[j] < pv:
            j -= 1
    k[j], k[a] = k[a], k[j]
    p[j], p[a] = p[a], p[j]
    return j, untouched


def _partition_equal(k: list, p: list, a: int, b: int, pivot: int) -> int:
    """[a, b) holds nothing below the pivot: the elements equal to it first."""
    k[a], k[pivot] = k[pivot], k[a]
    p[a], p[pivot] = p[pivot], p[a]
    pv = k[a]
    i, j = a + 1, b - 1
    while True:
        while i <= j and not pv < k[i]:
            i += 1
        while i <= j and pv < k[j]:
            j -= 1
        if i > j:
            return i
        k[i], k[j] = k[j], k[i]
        p[i], p[j] = p[j], p[i]
        i += 1
        j -= 1


def _partial_insertion_sort(k: list, p: list, a: int, b: int) -> bool:
    """Up to 5 adjacent pairs out of order fixed by shifting; whether [a, b) is sorted."""
    i = a + 1
    for _ in range(5):
        while i < b and not k[i] < k[i - 1]:
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        k[i], k[i - 1] = k[i - 1], k[i]
        p[i], p[i - 1] = p[i - 1], p[i]
        if i - a >= 2:
            j = i - 1
            while j >= 1 and k[j] < k[j - 1]:
                k[j], k[j - 1] = k[j - 1], k[j]
                p[j], p[j - 1] = p[j - 1], p[j]
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b and k[j] < k[j - 1]:
                k[j], k[j - 1] = k[j - 1], k[j]
                p[j], p[j - 1] = p[j - 1], p[j]
                j += 1
    return False


def _heap_sort(k: list, p: list, a: int, b: int) -> None:
    hi = b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(k, p, i, hi, a)
    for i in range(hi - 1, -1, -1):
        k[a], k[a + i] = k[a + i], k[a]
        p[a], p[a + i] = p[a + i], p[a]
        _sift_down(k, p, 0, i, a)


def _sift_down(k: list, p: list, root: int, hi: int, first: int) -> None:
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and k[first + child] < k[first + child + 1]:
            child += 1
        r, c = first + root, first + child
        if not k[r] < k[c]:
            return
        k[r], k[c] = k[c], k[r]
        p[r], p[c] = p[c], p[r]
        root = child


def _break_patterns(k, p, a: int, b: int) -> None:
    """Three elements near the middle swapped with xorshift-chosen ones (lists or arrays)."""
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
        _swap2(k, p, idx, a + other)


def _choose_pivot(k, a: int, b: int) -> tuple[int, int]:
    """choosePivot (lists or arrays): median of three or Tukey's ninther, and the hint its
    swaps give (none: increasing, all 12: decreasing)."""
    n = b - a
    i, j, l = a + n // 4, a + n // 4 * 2, a + n // 4 * 3
    swaps = 0
    if n >= 8:
        if n >= 50:
            i, s1 = _median(k, i - 1, i, i + 1)
            j, s2 = _median(k, j - 1, j, j + 1)
            l, s3 = _median(k, l - 1, l, l + 1)
            swaps = s1 + s2 + s3
        j, s4 = _median(k, i, j, l)
        swaps += s4
    if swaps == 0:
        return j, _INCREASING
    return j, _DECREASING if swaps == 12 else _UNKNOWN


def _median(k, a: int, b: int, c: int) -> tuple[int, int]:
    """Go's median(a, b, c): the index of the middle key, and how many order2 swaps it took."""
    ka, kb, kc = k[a], k[b], k[c]
    if kb < ka:
        if kc < ka:
            if kc < kb:  # c < b < a
                return b, 3
            return c, 2  # b <= c < a
        return a, 1  # b < a <= c
    if kc < kb:
        if kc < ka:  # c < a <= b
            return a, 2
        return c, 1  # a <= c < b
    return b, 0


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
    """partition's loop over [a+1, b) (the pivot swapped to a) as :func:`_pairs`."""
    pv = k[a]
    n, nl, nr, ll, lr = _pairs(k, p, a + 1, b, k[a + 1:b] >= pv)
    i, j = (ll + 1, lr - 1) if n else (a + 1, b - 1)
    i = nl if nl is not None and nl <= j else j + 1
    j = nr if nr is not None and nr >= i else i - 1
    k[j], k[a] = k[a], k[j]
    p[j], p[a] = p[a], p[j]
    return j, n == 0


def _partition_equal_arrays(k: np.ndarray, p: np.ndarray, a: int, b: int) -> int:
    """partitionEqual's loop over [a+1, b) (the pivot swapped to a) as :func:`_pairs`."""
    n, nl, _, ll, lr = _pairs(k, p, a + 1, b, k[a + 1:b] > k[a])
    j = lr - 1 if n else b - 1
    return nl if nl is not None and nl <= j else j + 1
