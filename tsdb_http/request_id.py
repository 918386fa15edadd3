"""Request-Id values: time-based UUIDs (version 1), as InfluxDB 1.x sends, without uuid.uuid1's cost.

    ids = RequestIds()
    ids.next()   # b'4e7a6fdc-e922-11f1-9a3c-02fc00000001'

``uuid.uuid1()`` goes through libuuid's clock file, a system call per id; this
computes the same layout (RFC 4122: 100-ns ticks since 1582-10-15, version 1,
variant 10, a 14-bit clock sequence, the host's node id) from ``time.time_ns``,
with one random clock sequence per generator and strictly increasing ticks, as
``uuid1`` does in its pure-Python branch. One generator per app, used on one
event loop, so it needs no lock.
"""
from __future__ import annotations

import random
import time
import uuid

_GREGORIAN_OFFSET = 0x01B21DD213814000  # 100-ns ticks from 1582-10-15 to 1970-01-01


class RequestIds:
    """Version-1 UUID texts, strictly increasing (see the module docstring)."""

    __slots__ = ("_last", "_suffix", "_tail")

    def __init__(self, node: int | None = None, clock_seq: int | None = None):
        node = uuid.getnode() if node is None else node
        seq = random.getrandbits(14) if clock_seq is None else clock_seq & 0x3FFF
        self._suffix = f"-{0x80 | (seq >> 8):02x}{seq & 0xFF:02x}-{node:012x}"
        self._last = 0
        self._tail = (-1, b"")  # (the ticks above the low 32 bits, the id's text after them): they move every ~7 min

    def next(self) -> bytes:
        """The next id, as a header value."""
        ts = time.time_ns() // 100 + _GREGORIAN_OFFSET
        if ts <= self._last:
            ts = self._last + 1
        self._last = ts
        high, tail = self._tail  # (one attribute: a thread switch cannot pair new ticks with an old text)
        if high != ts >> 32:
            high = ts >> 32
            tail = f"-{high & 0xFFFF:04x}-{0x1000 | (high >> 16) & 0x0FFF:04x}{self._suffix}".encode()
            self._tail = (high, tail)
        return b"%08x" % (ts & 0xFFFFFFFF) + tail

    def next_str(self) -> str:
        """The next id, as text."""
        return self.next().decode()
