"""Encoded answers kept under the core's answer token (``Store.answer_token``).

A dashboard asks its template variable (``SHOW TAG VALUES WITH KEY = host``) on every
refresh, with the same URL. The core keeps that answer while the series index is
unchanged (tsdb_core/query/meta/answers.py) and names it with a token; the direct lane
(:func:`routes_query.answer_now`) keeps the bytes it sent under that token, per request
shape (URL and Accept headers), and sends them again while the core tells the same token.
Credentials are still checked and the statements authorised first, every time.

A shape whose first ``NEVER_AFTER`` direct answers had no token (a SELECT never has one)
asks no more: its later requests cost one dict look-up.
"""
from __future__ import annotations

NEVER_AFTER = 3
MAX_SHAPES = 256


class KeptAnswers:
    """Per request shape: [the shape, its answer's token, the response sent under it, answers
    seen without a token]."""

    __slots__ = ("_by_shape",)

    def __init__(self) -> None:
        self._by_shape: dict[int, list] = {}

    def get(self, shape) -> list | None:
        """The entry of ``shape``, or None when it is new here."""
        entry = self._by_shape.get(id(shape))
        return entry if entry is not None and entry[0] is shape else None

    @staticmethod
    def asks(entry: list | None) -> bool:
        """Whether a request of this entry's shape should read tokens (none: a new shape)."""
        return entry is None or entry[3] < NEVER_AFTER

    def put(self, shape, before, after, response) -> None:
        """``response`` answered ``shape`` between two token reads: kept when both name one
        answer; otherwise the next request of the shape reads them again, unless
        ``NEVER_AFTER`` answers in a row had none."""
        entry = self.get(shape)
        if entry is None:
            if len(self._by_shape) >= MAX_SHAPES:
                self._by_shape.clear()
            entry = self._by_shape[id(shape)] = [shape, None, None, 0]
        kept = before is not None and before == after
        entry[1], entry[2] = after, response if kept else None
        entry[3] = entry[3] + 1 if before is None and after is None else 0
