"""lp_delimiters against a plain reading of the same bytes: every ``,`` ``=`` space and newline."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.ingest.lp_delimiters import delimiters

# bytes below ',' that are no delimiters (tab, CR, quotes, '+', '%' ...) mixed with real ones
_BYTES = st.sampled_from(b"ab1.-_=, \n\t\r\x00!\"#%&'()*+\x7f\xc3")


def _reference(body: bytes, lo: int, hi: int, delims: bytes = b",= \n"):
    pos = [i for i in range(lo, hi) if body[i] in delims]
    lines, cur = [], []
    for p in pos:
        cur.append(p)
        if body[p] == 10:
            lines.append(cur)
            cur = []
    starts, prev = [], lo
    for line in lines:
        starts.append(prev)
        prev = line[-1] + 1
    first = np.cumsum([0] + [len(x) for x in lines[:-1]])
    chains = [([lines[k - 1][-1]] if k else []) + line for k, line in enumerate(lines)]
    adjacent = [any(b - a == 1 for a, b in zip(c, c[1:])) for c in chains]
    return pos, starts, [line[-1] for line in lines], first, [len(x) for x in lines], adjacent


@settings(max_examples=300, deadline=None)
@given(st.lists(_BYTES, max_size=80).map(bytes), st.lists(_BYTES, max_size=40).map(bytes))
def test_delimiters_match_a_plain_reading(head: bytes, tail: bytes) -> None:
    lo = len(head) + 1
    body = head + b"\n" + tail + b"\n"
    for start in (0, lo):
        got = delimiters(body, start, len(body))
        pos, starts, ends, first, count, adjacent = _reference(body, start, len(body))
        assert got.pos.tolist() == pos
        assert got.spaces.tolist() == [p for p in pos if body[p] == 32]
        assert got.starts.tolist() == starts
        assert got.ends.tolist() == ends
        assert got.first.tolist() == list(first)
        assert got.count.tolist() == count
        assert got.adjacent.tolist() == adjacent


@settings(max_examples=300, deadline=None)
@given(st.lists(_BYTES, max_size=80).map(bytes), st.lists(_BYTES, max_size=40).map(bytes))
def test_delimiters_without_equals_match_a_plain_reading(head: bytes, tail: bytes) -> None:
    lo = len(head) + 1
    body = head + b"\n" + tail + b"\n"
    for start in (0, lo):
        got = delimiters(body, start, len(body), equals=False)
        pos, starts, ends, first, count, _ = _reference(body, start, len(body), b", \n")
        assert got.pos.tolist() == pos
        assert got.spaces.tolist() == [p for p in pos if body[p] == 32]
        assert (got.starts.tolist(), got.ends.tolist()) == (starts, ends)
        assert (got.first.tolist(), got.count.tolist()) == (list(first), count)
        assert got.adjacent is None


def test_a_body_of_plain_lines() -> None:
    body = b"cpu,host=a v=1,w=2 10\nm f=1\n"
    got = delimiters(body, 0, len(body))
    assert got.pos.tolist() == [3, 8, 10, 12, 14, 16, 18, 21, 23, 25, 27]
    assert got.spaces.tolist() == [10, 18, 23]
    assert (got.starts.tolist(), got.ends.tolist()) == ([0, 22], [21, 27])
    assert (got.first.tolist(), got.count.tolist(), got.adjacent.tolist()) == ([0, 8], [8, 3], [False, False])


def test_a_body_of_plain_lines_without_equals() -> None:
    body = b"cpu,host=a v=1,w=2 10\nm f=1\n"
    got = delimiters(body, 0, len(body), equals=False)
    assert got.pos.tolist() == [3, 10, 14, 18, 21, 23, 27]
    assert (got.first.tolist(), got.count.tolist()) == ([0, 5], [5, 2])
