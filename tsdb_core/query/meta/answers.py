"""SHOW TAG VALUES answers reused while what they were built from is unchanged.

A dashboard's template variable (``SHOW TAG VALUES WITH KEY = host``) is asked again on
every refresh, and building its rows (one per value) costs more than the rest of the
request. Without WHERE the answer is a function of the statement, the database, the
measurements holding data and the series index's tag sets. So it is kept with the
provider's ``series_stamp()`` (the index counts its changes: a write adding a series, a
rebuild, a DROP) and ``measurements(db)``, both asked again on every use: a write adding a
host shows at once. A WHERE clause may read fields and the clock: its answers are not kept.

The stamp is looked up on the provider's class: a wrapper that forwards attributes
(``influxdb3.PolicyScoped``, ``window.SeriesInWindow``) narrows the answers and does not
pass it on, so its answers are never kept. Each answer is new :class:`Series` over new
``[key, value]`` rows: an embedded caller may change its result in place without changing
the next caller's (copying costs about what building the rows did; the saving is the tag
scan, the sort and the measurement checks).

:meth:`ShowAnswers.token` lets a caller keep what it made of an answer (the HTTP shim: the
encoded body): each kept answer has a serial number, told while it would be reused, so a
token seen before and after a call that is the same says the call answered the kept rows.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from ..results import Series

MAX_ENTRIES = 256
REWATCH_S = 1.0  # a reused answer tells the provider its series were read at most this often
MAX_ROWS = 10_000  # a larger answer is built each time (keeping it would hold its rows twice)


class ShowAnswers:
    """Answers by (statement, database), each with the stamp and measurements it was built at."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_rows: int = MAX_ROWS) -> None:
        self.max_entries, self.max_rows = max_entries, max_rows
        self._entries: dict[tuple, tuple] = {}
        self._lock = threading.Lock()
        self._serial = itertools.count(1)
        self.hits = self.misses = 0

    def answer(self, provider, stmt, db: str, build: Callable[[], list[Series]]) -> list[Series]:
        """``build()``'s series, from the kept answer while the provider's stamp and
        measurements are those it was built at."""
        stamp = provider.series_stamp()
        if stamp is None:
            return build()
        names = provider.measurements(db)  # (after the stamp: a change between them is seen next time)
        key = (id(stmt), db)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is stmt and entry[1] == stamp and entry[2] == names:
            self.hits += 1
            self._reread(provider, db, entry)
            return [Series(name, None, columns, [r[:] for r in rows], no_floats=True) for name, columns, rows in entry[3]]
        self.misses += 1
        series = build()
        if all(s.tags is None and s.no_floats for s in series) and \
                sum(len(s.values) for s in series) <= self.max_rows:
            kept = tuple((s.name, s.columns, list(s.values)) for s in series)
            self._put(key, (stmt, stamp, names, kept, [time.monotonic()], next(self._serial)))
        return series

    def token(self, provider, stmt, db: str) -> int | None:
        """The serial number of the answer :meth:`answer` would reuse for ``stmt`` on ``db`` now
        (read as a reuse reads: the provider is told), or None when it would build one."""
        entry = self._entries.get((id(stmt), db))
        if entry is None or entry[0] is not stmt:
            return None
        stamp = provider.series_stamp()
        if stamp is None or entry[1] != stamp or entry[2] != provider.measurements(db):
            return None
        self._reread(provider, db, entry)
        return entry[5]

    @staticmethod
    def _reread(provider, db: str, entry: tuple) -> None:
        """A reused answer reads its measurements' series as building it did: the provider is
        told (at most every ``REWATCH_S``), so it goes on folding their new series meanwhile."""
        now, last = time.monotonic(), entry[4]
        if now - last[0] >= REWATCH_S:
            last[0] = now
            provider.watch_series(db, [name for name, _, _ in entry[3]])

    def _put(self, key: tuple, entry: tuple) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries and key not in self._entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest
            self._entries[key] = entry


def _answers(provider) -> ShowAnswers | None:
    stamped = getattr(type(provider), "series_stamp", None) is not None
    return getattr(provider, "show_answers", None) if stamped else None


def token(provider, stmt, db: str | None) -> int | None:
    """:meth:`ShowAnswers.token` of ``stmt`` (``ON db`` or the request's ``db``, as
    show.py resolves it), None when ``provider`` keeps no answers or the database is gone."""
    answers = _answers(provider)
    name = getattr(stmt, "database", None)
    name = db if name is None else name
    if answers is None or not name or not provider.has_database(name):
        return None
    return answers.token(provider, stmt, name)


def reused(provider, stmt, db: str, build: Callable[[], list[Series]]) -> list[Series]:
    """``build()``, kept in the provider's :class:`ShowAnswers` when its class tells a series stamp."""
    answers = _answers(provider)
    return build() if answers is None else answers.answer(provider, stmt, db, build)
