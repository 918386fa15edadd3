"""Encoded answers kept under the core's answer token (``Store.answer_token``).

A dashboard asks its template variable (``SHOW TAG VALUES WITH KEY = host``) on every
refresh, with the same URL. The core keeps that answer while the series index is
unchanged (tsdb_core/query/meta/answers.py) and names it with a token; the direct lane
(:func:`routes_query.answer_now`) keeps the bytes it sent under that token, per request
shape (URL and Accept headers), and sends them again while the core tells the same token.
Credentials are still checked and the statements authorised first, every time.

A shape whose first ``NEVER_AFTER`` direct answers had no token (a SELECT never has one)
asks no more: its later requests cost one dict look-up. So does a text never seen whose
*family* (its offload shape: the text without its string literals, offload.py) had as many
answers in a row without one: TSBS and dashboards send each SELECT text once, with another
host and time range, and asking costs two token reads and a parse ahead of the query's own.
Not forever: every ``RETRY_EVERY``-th request of a silent shape or family asks once more (a
SHOW answered while writes moved the series index told no token; once they stop, it does),
and the first token seen makes it ask on every request again.
"""
from __future__ import annotations

NEVER_AFTER = 3
RETRY_EVERY = 128  # a silent shape's or family's requests per retry (two token reads: ~1% of one answer)
MAX_SHAPES = 256
MAX_BYTES = 16 << 20  # bodies kept in all (a SHOW TAG VALUES of 10,000 values is ~0.5 MB)


class KeptAnswers:
    """Per request shape: [the shape, its answer's token, the response sent under it, answers
    seen without a token]."""

    __slots__ = ("_by_shape", "_bytes", "max_bytes", "_silent")

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._by_shape: dict[int, list] = {}
        self._silent: dict = {}  # family -> its answers in a row without a token
        self._bytes = 0  # of the bodies kept (a replaced one still counts: cleared with the rest)
        self.max_bytes = max_bytes

    def get(self, shape) -> list | None:
        """The entry of ``shape``, or None when it is new here."""
        entry = self._by_shape.get(id(shape))
        return entry if entry is not None and entry[0] is shape else None

    def asks(self, entry: list | None, family=None) -> bool:
        """Whether a request of this entry's shape should read tokens (none: a new shape, asked
        unless its ``family`` stopped asking); a silent one's requests are counted on here, for
        its retries."""
        if entry is not None:
            n = entry[3]
            if n < NEVER_AFTER:
                return True
            entry[3] = n + 1
            return (n + 1 - NEVER_AFTER) % RETRY_EVERY == 0
        if family is None:
            return True
        n = self._silent.get(family, 0)
        if n < NEVER_AFTER:
            return True
        self._silent[family] = n + 1
        return (n + 1 - NEVER_AFTER) % RETRY_EVERY == 0

    def put(self, shape, before, after, response, family=None) -> None:
        """``response`` answered ``shape`` (of ``family``, None: none known) between two token
        reads: kept when both name one answer; otherwise the next request of the shape reads
        them again, unless ``NEVER_AFTER`` answers in a row had none (of the shape, or of its
        family for a new text)."""
        kept = before is not None and before == after
        if family is not None:
            self._note_family(family, before is None and after is None)
        size = len(response.body) if kept else 0
        if size > self.max_bytes:
            kept, size = False, 0
        entry = self.get(shape)
        if self._bytes + size > self.max_bytes or (entry is None and len(self._by_shape) >= MAX_SHAPES):
            self._by_shape.clear()  # (the next requests of each shape keep theirs again)
            self._bytes, entry = 0, None
        if entry is None:
            entry = self._by_shape[id(shape)] = [shape, None, None, 0]
        self._bytes += size
        entry[1], entry[2] = after, response if kept else None
        entry[3] = _counted(entry[3]) if before is None and after is None else 0

    def _note_family(self, family, silent: bool) -> None:
        if not silent:
            self._silent.pop(family, None)  # a token after all: its new texts ask again
            return
        if len(self._silent) >= MAX_SHAPES and family not in self._silent:
            self._silent.clear()
        self._silent[family] = _counted(self._silent.get(family, 0))


def _counted(n: int) -> int:
    """Answers in a row without a token, one more (a silent one's retry was counted by asks)."""
    return n + 1 if n < NEVER_AFTER else n
