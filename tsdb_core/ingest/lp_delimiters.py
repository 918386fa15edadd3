"""Where the simple lines of a body split: every delimiter's offset, found once (numpy).

In lines without a backslash or a double quote every ``,`` ``=`` space and newline is a
delimiter (``lp_fast``). Finding them is a pass over every byte of a body, so the pass
is kept short: one comparison takes the bytes up to ``,`` (newline, space and comma, and
the rarer bytes below it), one more takes ``=``; the few other bytes the first one also
takes are dropped afterwards, among the delimiters only, and only when the body has any.
Each line's delimiters are then found from where its newline sits among them.

A body that repeats its series keys needs no ``=`` (``lp_keys`` parses each distinct key once,
and a field's ``=`` sits where its key says): ``equals=False`` leaves them out, which saves a
pass over the bytes and about half the delimiters of a TSBS line.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

COMMA, EQ, SPACE, NL = 44, 61, 32, 10


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The delimiters of the whole lines ``body[lo:hi]``, and the lines they make."""

    pos: np.ndarray  # body offset of every delimiter, in order
    space: np.ndarray  # per delimiter: whether it is a space
    starts: np.ndarray  # per line: body offset of its first byte
    ends: np.ndarray  # per line: body offset of its newline
    first: np.ndarray  # per line: index in ``pos`` of its first delimiter
    count: np.ndarray  # per line: its number of delimiters (the newline included)
    adjacent: np.ndarray | None  # per line: whether two of its delimiters touch (None without ``=``)

    @property
    def spaces(self) -> np.ndarray:
        """Body offsets of the spaces."""
        return self.pos[self.space]


_LOCAL = threading.local()


def _scratch(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two reusable bool buffers of ``n`` (per thread): fresh big arrays cost page faults."""
    bufs = getattr(_LOCAL, "bufs", None)
    if bufs is None or bufs[0].size < n:
        size = max(n, 1 << 16)
        bufs = _LOCAL.bufs = (np.empty(size, dtype=bool), np.empty(size, dtype=bool))
    return bufs[0][:n], bufs[1][:n]


def delimiters(body: bytes, lo: int, hi: int, equals: bool = True) -> Delimiters:
    """The delimiters of ``body[lo:hi]``: whole lines, the last one ending with a newline;
    without ``equals``, only ``,`` space and newline (and no ``adjacent``)."""
    a = np.frombuffer(body, dtype=np.uint8)[lo:hi]
    mask, scratch = _scratch(a.size)
    np.less_equal(a, COMMA, out=mask)
    if equals:
        np.equal(a, EQ, out=scratch)
        mask |= scratch
    pos = np.flatnonzero(mask)
    byte = a[pos]
    space = byte == SPACE
    at_nl = np.flatnonzero(byte == NL)  # index in pos of each line's newline
    if np.count_nonzero(byte < COMMA) != at_nl.size + np.count_nonzero(space):
        real = (byte == COMMA) | (byte == EQ) | space | (byte == NL)  # bytes below ',' that are not delimiters
        pos, byte, space = pos[real], byte[real], space[real]
        at_nl = np.flatnonzero(byte == NL)
    if lo:
        pos += lo
    ends = pos[at_nl]
    nlines = ends.size
    starts = np.empty(nlines, dtype=np.int64)
    starts[0] = lo
    starts[1:] = ends[:-1] + 1
    first = np.empty(nlines, dtype=np.int64)
    first[0] = 0
    first[1:] = at_nl[:-1] + 1
    return Delimiters(pos, space, starts, ends, first, at_nl - first + 1, _adjacent(pos, ends) if equals else None)


def _adjacent(pos: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per line: whether two of its delimiters (or its first and the newline before it) touch."""
    adjacent = np.zeros(ends.size, dtype=bool)
    touching = np.flatnonzero((pos[1:] - pos[:-1]) == 1)
    if touching.size:
        adjacent[np.searchsorted(ends, pos[touching + 1])] = True
    return adjacent
