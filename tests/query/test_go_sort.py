"""exec/go_sort.py replays Go 1.19's sort.Sort (the Go that built the Debian influxd 1.6.7): it
must leave equal values exactly where a plain transcription of Go's src/sort/zsortinterface.go
leaves them (pdqsort and its helpers), on random inputs full of ties."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.exec import go_sort, go_sort_many, go_ties


class GoSort:
    """Go 1.19's sort.Sort (src/sort/zsortinterface.go, sort.go) over ``keys`` (Less:
    keys[i] < keys[j]), statement by statement; ``idx`` follows the swaps."""

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

    def pdqsort(self, a, b, limit):
        was_balanced, was_partitioned = True, True
        while True:
            length = b - a
            if length <= 12:
                self.insertion_sort(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not was_balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == "decreasing":
                self.reverse_range(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = "increasing"
            if was_balanced and was_partitioned and hint == "increasing":
                if self.partial_insertion_sort(a, b):
                    return
            if a > 0 and not self.less(a - 1, pivot):
                a = self.partition_equal(a, b, pivot)
                continue
            mid, was_partitioned = self.partition(a, b, pivot)
            left_len, right_len = mid - a, b - mid
            balance_threshold = length // 8
            if left_len < right_len:
                was_balanced = left_len >= balance_threshold
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                was_balanced = right_len >= balance_threshold
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a, b, pivot):
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.less(i, a):
            i += 1
        while i <= j and not self.less(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i += 1
        j -= 1
        while True:
            while i <= j and self.less(i, a):
                i += 1
            while i <= j and not self.less(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i += 1
            j -= 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a, b, pivot):
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.less(a, i):
                i += 1
            while i <= j and self.less(a, j):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i += 1
            j -= 1
        return i

    def partial_insertion_sort(self, a, b):
        max_steps, shortest_shifting = 5, 50
        i = a + 1
        for _ in range(max_steps):
            while i < b and not self.less(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < shortest_shifting:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:
                j = i - 1
                while j >= 1:
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
                    j -= 1
            if b - i >= 2:
                j = i + 1
                while j < b:
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
                    j += 1
        return False

    def break_patterns(self, a, b):
        length = b - a
        if length >= 8:
            random = length  # xorshift(length), a uint64
            modulus = 1 << length.bit_length()  # nextPowerOfTwo
            for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 1 + 1):
                random ^= (random << 13) % (1 << 64)
                random ^= random >> 17
                random ^= (random << 5) % (1 << 64)
                other = random & (modulus - 1)
                if other >= length:
                    other -= length
                self.swap(idx, a + other)

    def choose_pivot(self, a, b):
        shortest_ninther, max_swaps = 50, 4 * 3
        n = b - a
        swaps = [0]
        i, j, k = a + n // 4 * 1, a + n // 4 * 2, a + n // 4 * 3
        if n >= 8:
            if n >= shortest_ninther:
                i = self.median(i - 1, i, i + 1, swaps)
                j = self.median(j - 1, j, j + 1, swaps)
                k = self.median(k - 1, k, k + 1, swaps)
            j = self.median(i, j, k, swaps)
        if swaps[0] == 0:
            return j, "increasing"
        if swaps[0] == max_swaps:
            return j, "decreasing"
        return j, "unknown"

    def order2(self, a, b, swaps):
        if self.less(b, a):
            swaps[0] += 1
            return b, a
        return a, b

    def median(self, a, b, c, swaps):
        a, b = self.order2(a, b, swaps)
        b, c = self.order2(b, c, swaps)
        a, b = self.order2(a, b, swaps)
        return b

    def reverse_range(self, a, b):
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i += 1
            j -= 1

    def sort(self):
        n = len(self.k)
        if n > 1:
            self.pdqsort(0, n, n.bit_length())  # bits.Len(uint(n))
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
def test_limit_reaches_heap_sort_and_break_patterns(keys, limit, small):
    """pdqsort's fallbacks: breakPatterns after an unbalanced partition, heapSort when the
    limit runs out (started low here, as adversarial input would drive it)."""
    ref = GoSort(keys)
    ref.pdqsort(0, len(keys), limit)
    k, p = np.array(keys, dtype=np.int64), np.arange(len(keys))
    go_sort._Vec(k, p, go_sort.Want(None), small, False).pdqsort(0, len(keys), limit)
    assert p.tolist() == ref.idx


def test_sorted_reversed_and_sawtooth_inputs():
    """The sorted/reversed hints, partialInsertionSort and partitionEqual paths."""
    rng = np.random.default_rng(7)
    for n in (60, 700, 3000):
        for keys in (np.arange(n) // 3, (n - np.arange(n)) // 3, np.arange(n) % 7,
                     np.sort(rng.integers(0, 9, n)), rng.integers(0, 3, n)):
            keys = keys.tolist()
            for small in (13, 512):
                assert go_sort.order(np.array(keys), small=small).tolist() == go(keys)


def test_sorts_and_is_unstable():
    keys = [(i * 7) % 5 for i in range(40)]
    perm = go(keys)
    assert [keys[i] for i in perm] == sorted(keys)
    assert perm != sorted(range(40), key=lambda i: keys[i])  # not the stable order
    assert go_sort.order(np.array(keys)).tolist() == perm


def test_median_is_gos_order2_steps():
    """go_sort's median of three, written as branches: Go's median (three order2 steps) and its
    swap count, for every ordering of three keys, ties included."""
    import itertools

    def order2_steps(k, a, b, c):
        swaps = 0
        if k[b] < k[a]:
            swaps, a, b = swaps + 1, b, a
        if k[c] < k[b]:
            swaps, b, c = swaps + 1, c, b
        if k[b] < k[a]:
            swaps, a, b = swaps + 1, b, a
        return b, swaps

    for keys in itertools.product(range(3), repeat=3):
        assert go_sort._median(list(keys), 0, 1, 2) == order2_steps(list(keys), 0, 1, 2), keys


def test_ranks_keep_the_order():
    assert go_sort.ranks(np.array([2.5, -1.0, 2.5, 7.0])).tolist() == [1, 0, 1, 2]
    assert go_sort.ranks(np.array(["b", "a", "b"])).tolist() == [1, 0, 1]


def go_mode(values, times):
    """call_iterator.go IntegerModeReduceSlice over points in read order, line by line."""
    if len(values) == 1:
        return values[0]
    idx = GoSort(values).sort()
    a = [(values[i], times[i]) for i in idx]
    most_freq = curr_freq = 0
    curr_mode = most_mode = a[0][0]
    most_time = curr_time = a[0][1]
    for value, time in a:
        if value != curr_mode:
            curr_freq, curr_mode, curr_time = 1, value, time
            continue
        curr_freq += 1
        if most_freq > curr_freq or (most_freq == curr_freq and curr_time > most_time):
            continue
        most_freq, most_mode, most_time = curr_freq, value, time
    return most_mode


@settings(max_examples=300, deadline=None)
@given(tied, st.data())
def test_mode_and_percentile_read_the_sorted_slice_as_influxd(values, data):
    """go_ties.mode_value (only the runs that can win, their first and last points) and
    percentile_index equal the reducers run over the full Go sort."""
    if not values:
        return
    times = data.draw(st.permutations(range(len(values))))
    assert go_ties.mode_value(np.array(values), np.array(times)) == go_mode(values, times)
    p = data.draw(st.floats(1, 100))
    i = int(np.floor(len(values) * p / 100 + 0.5)) - 1
    if 0 <= i < len(values):
        assert go_ties.percentile_index(np.array(values), i) == go(values)[i]


slices = st.lists(tied, min_size=1, max_size=6)


def _many(parts, want=None, limit=None):
    keys = np.array([x for p in parts for x in p], dtype=np.int64)
    bounds = np.cumsum([0] + [len(p) for p in parts])
    return go_sort_many.orders(keys, bounds, want, limit), bounds


@settings(max_examples=300, deadline=None)
@given(slices)
def test_many_slices_at_once_equal_the_transcription(parts):
    """go_sort_many sorts every slice in whole-array rounds: each slice's permutation is Go's."""
    got, bounds = _many(parts)
    for p, a, b in zip(parts, bounds[:-1], bounds[1:]):
        assert (got[a:b] - a).tolist() == go(p)


@settings(max_examples=200, deadline=None)
@given(slices, st.data())
def test_many_slices_wanted_positions_are_final(parts, data):
    n = sum(len(p) for p in parts)
    want = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    got, bounds = _many(parts, want)
    for p, a, b in zip(parts, bounds[:-1], bounds[1:]):
        w = want[a:b]
        assert (got[a:b] - a)[w].tolist() == np.array(go(p), dtype=np.int64)[w].tolist()


@settings(max_examples=100, deadline=None)
@given(slices, st.integers(0, 3))
def test_many_slices_reach_heap_sort_and_break_patterns(parts, limit):
    """The rare turns (heapSort, breakPatterns) with the limit started low."""
    got, bounds = _many(parts, limit=limit)
    for p, a, b in zip(parts, bounds[:-1], bounds[1:]):
        ref = GoSort(p)
        ref.pdqsort(0, len(p), limit)
        assert (got[a:b] - a).tolist() == ref.idx


def test_many_slices_patterned_and_with_nan():
    """Sorted, reversed and sawtooth slices (the hints, partialInsertionSort's shifts) side
    by side, and a slice holding NaN (sorted on its own, element by element)."""
    rng = np.random.default_rng(3)
    parts = []
    for n in (60, 700, 3000):
        parts += [np.arange(n) // 3, (n - np.arange(n)) // 3, np.arange(n) % 7,
                  np.sort(rng.integers(0, 9, n)), rng.integers(0, 3, n)]
    nearly = np.arange(200) // 2
    nearly[[50, 120, 170]] = nearly[[51, 10, 3]]  # a few descents in a long sorted run
    parts.append(nearly)
    keys = np.concatenate(parts).astype(np.float64)
    bounds = np.cumsum([0] + [len(p) for p in parts])
    keys[bounds[2] + 5] = np.nan
    got = go_sort_many.orders(keys, bounds)
    for a, b in zip(bounds[:-1], bounds[1:]):
        assert (got[a:b] - a).tolist() == go_sort.order(keys[a:b]).tolist()
    assert go_sort_many.orders(keys[:0], np.array([0])).tolist() == []
