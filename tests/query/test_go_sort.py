"""exec/go_sort.py replays Go 1.10's sort.Sort: it must leave equal values exactly where a
plain transcription of Go's src/sort/sort.go leaves them (insertionSort, heapSort,
medianOfThree, doPivot, quickSort, maxDepth), on random inputs full of ties."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.exec import go_sort


class GoSort:
    """Go 1.10's sort.Sort over ``keys`` (Less: keys[i] < keys[j]), statement by statement;
    ``idx`` follows the swaps."""

    def __init__(self, keys):
        self.k = list(keys)
        self.idx = list(range(len(keys)))

    def less(self, i, j):
        return self.k[i] < self.k[j]

    def swap(self, i, j):
        self.k[i], self.k[j] = self.k[j], self.k[i]
        self.idx[i], self.idx[j] = self.idx[j], self.idx[i]

    def insertion_sort(self, a, b):
        for i in range(a + 1, b):
            j = i
            while j > a and self.less(j, j - 1):
                self.swap(j, j - 1)
                j -= 1

    def sift_down(self, lo, hi, first):
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                break
            if child + 1 < hi and self.less(first + child, first + child + 1):
                child += 1
            if not self.less(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child

    def heap_sort(self, a, b):
        first, lo, hi = a, 0, b - a
        for i in range((hi - 1) // 2, -1, -1):
            self.sift_down(i, hi, first)
        for i in range(hi - 1, -1, -1):
            self.swap(first, first + i)
            self.sift_down(lo, i, first)

    def median_of_three(self, m1, m0, m2):
        if self.less(m1, m0):
            self.swap(m1, m0)
        if self.less(m2, m1):
            self.swap(m2, m1)
            if self.less(m1, m0):
                self.swap(m1, m0)

    def do_pivot(self, lo, hi):
        m = (lo + hi) >> 1
        if hi - lo > 40:
            s = (hi - lo) // 8
            self.median_of_three(lo, lo + s, lo + 2 * s)
            self.median_of_three(m, m - s, m + s)
            self.median_of_three(hi - 1, hi - 1 - s, hi - 1 - 2 * s)
        self.median_of_three(lo, m, hi - 1)
        pivot = lo
        a, c = lo + 1, hi - 1
        while a < c and self.less(a, pivot):
            a += 1
        b = a
        while True:
            while b < c and not self.less(pivot, b):
                b += 1
            while b < c and self.less(pivot, c - 1):
                c -= 1
            if b >= c:
                break
            self.swap(b, c - 1)
            b += 1
            c -= 1
        protect = hi - c < 5
        if not protect and hi - c < (hi - lo) // 4:
            dups = 0
            if not self.less(pivot, hi - 1):
                self.swap(c, hi - 1)
                c += 1
                dups += 1
            if not self.less(b - 1, pivot):
                b -= 1
                dups += 1
            if not self.less(m, pivot):
                self.swap(m, b - 1)
                b -= 1
                dups += 1
            protect = dups > 1
        if protect:
            while True:
                while a < b and not self.less(b - 1, pivot):
                    b -= 1
                while a < b and self.less(a, pivot):
                    a += 1
                if a >= b:
                    break
                self.swap(a, b - 1)
                a += 1
                b -= 1
        self.swap(pivot, b - 1)
        return b - 1, c

    def quick_sort(self, a, b, max_depth):
        while b - a > 12:
            if max_depth == 0:
                self.heap_sort(a, b)
                return
            max_depth -= 1
            mlo, mhi = self.do_pivot(a, b)
            if mlo - a < b - mhi:
                self.quick_sort(a, mlo, max_depth)
                a = mhi
            else:
                self.quick_sort(mhi, b, max_depth)
                b = mlo
        if b - a > 1:
            for i in range(a + 6, b):
                if self.less(i, i - 6):
                    self.swap(i, i - 6)
            self.insertion_sort(a, b)

    def sort(self):
        n = len(self.k)
        depth, i = 0, n
        while i > 0:
            depth += 1
            i >>= 1
        self.quick_sort(0, n, depth * 2)
        return self.idx


def go(keys):
    return GoSort(keys).sort()


tied = st.lists(st.integers(0, 6), max_size=400) | st.lists(st.integers(0, 60), max_size=400) \
    | st.lists(st.sampled_from([0, 1]), max_size=200)


@settings(max_examples=400, deadline=None)
@given(tied, st.sampled_from([13, 41, 64, 512]))
def test_port_equals_transcription(keys, small):
    """Element-by-element and whole-array partitions alike (``small`` moves the switch)."""
    assert go_sort.order(np.array(keys, dtype=np.int64), small=small).tolist() == go(keys)


@settings(max_examples=200, deadline=None)
@given(tied, st.data())
def test_wanted_positions_are_final(keys, data):
    """With ``want``, the wanted positions hold what the full sort puts there."""
    if not keys:
        return
    s = data.draw(st.integers(0, len(keys) - 1))
    e = data.draw(st.integers(s + 1, len(keys)))
    got = go_sort.order(np.array(keys, dtype=np.int64), [(s, e)], small=41).tolist()
    assert got[s:e] == go(keys)[s:e]


@settings(max_examples=100, deadline=None)
@given(tied, st.integers(0, 3), st.sampled_from([13, 512]))
def test_depth_limit_switches_to_heap_sort(keys, depth, small):
    """quickSort's heapSort fallback (reached at the depth limit; started low here, as an
    adversarial input would drive it)."""
    ref = GoSort(keys)
    ref.quick_sort(0, len(keys), depth)
    k, p = np.array(keys, dtype=np.int64), np.arange(len(keys))
    go_sort._Sorter(k, p, None, small).quick(0, len(keys), depth)
    assert p.tolist() == ref.idx


def test_sorts_and_is_unstable():
    keys = [1] * 6 + [0] + [1] * 6  # the gap-6 pass moves a later 1 before earlier ones
    perm = go(keys)
    assert [keys[i] for i in perm] == sorted(keys)
    assert perm != sorted(range(13), key=lambda i: keys[i])
    assert go_sort.order(np.array(keys)).tolist() == perm


def test_ranks_keep_the_order():
    assert go_sort.ranks(np.array([2.5, -1.0, 2.5, 7.0])).tolist() == [1, 0, 1, 2]
    assert go_sort.ranks(np.array(["b", "a", "b"])).tolist() == [1, 0, 1]
