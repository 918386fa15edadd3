"""Buffered rows as sorted, series-indexed pieces, so queries on fresh data slice instead of scan.

The write buffer keeps rows in arrival order (writes stay an append); a query on a buffer
of many chunks would filter every row of every chunk. A :class:`BufferView` (one per
buffer and measurement) keeps copies of the buffered rows sorted by series, then time, in
a few pieces, each a :class:`~.cache.Decoded` with the same series index a cached file has.
A query that finds it behind starts a catch-up in a thread of its own and reads what is
there meanwhile (nothing is done for writes nobody reads); while its rows were read lately
(``SortSettings.watch_s``), writes start the catch-ups themselves (:meth:`BufferView.written`),
so a dashboard's next query finds the rows sorted:

- a write to such a measurement sorts its own rows before it takes the store's lock
  (:func:`presorted`, from ``write_path``): they are a piece the moment they are visible,
  appended to the pieces, or, while older rows wait for a catch-up (the first sort after an
  unread load), kept *ahead* of them when every row before is older;
- other rows written since are left as a *tail* of chunks while they are few (``tail_rows``),
  else sorted into new pieces (``step_rows`` at a time); pieces of similar size are merged
  (a binary counter: a load leaves about log2(pieces made) pieces), with a series number
  per row taken from each piece's runs, not from its strings; the default ``step_rows`` takes
  a whole buffer at once, so the first query after a bulk load pays for one gather of every
  row (steps, then their merge, copied every row twice), and a merge copies each piece's run
  of a series as a block (:func:`_runs`), not row by row;
- once nothing was written for ``quiet_s``, every piece and the tail become one piece (a
  timer does it for a watched view): after a load, queries read one sorted piece, as they
  would a compacted file;
- a load nobody reads is sorted a block at a time (``buffer.LOAD_SORT_ROWS``), a piece per
  block and no merges by size: the flush (:meth:`BufferView.whole`) and the first query
  merge those pieces by copying each series' runs in order of time (:func:`_run_order`),
  so the load pays for one sort of its rows, as a flush of unsorted chunks would.

Rows parsed from line protocol carry the parser's series codes (:mod:`~tsdb_core.base.series_codes`):
a sort numbers their series from the parser's small tables of tag sets; other rows' series are told
by a hash of their tags, checked against the strings.

The thresholds are the ``buffer_sort_*`` fields of :class:`~tsdb_core.base.config.StoreConfig`.

Pieces never share a (series, time) key: a new piece whose time range overlaps an older
one is checked on the rows of the overlap and merged with it when they share one (newer
values win, as the merge of the read path decides). So the pieces of one view may be read
as if they were one source; the tail's chunks are checked the same way (``clean``).
"""
from __future__ import annotations

import asyncio
import logging
import math
import threading
import time as _time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ..base.eager import pick
from ..base.run_rows import run_rows
from ..base.series_codes import SeriesCodes
from ..base.types import TIME, FieldType
from .cache import Decoded
from .partitions import canonical_columns, prepare, sort_tags, tags_by_count

log = logging.getLogger("tsdb_core.store")

BACKGROUND = True  # sort in a thread of its own (False: in the query or write that finds the work)
FLUSH_WAIT_S = 30.0  # a flush waits this long at most for a catch-up under way (BufferView.whole)
WAIT_ROWS = 65_536  # a query finding more unsorted rows than this while a catch-up sorts them waits for it
QUERY_WAIT_S = 5.0  # ... this long at most (BufferView._wait_behind)


@dataclass(frozen=True, slots=True)
class SortSettings:
    """When buffered rows are sorted for queries (``StoreConfig.buffer_sort_*``)."""

    min_rows: int = 20_000  # a measurement with fewer buffered rows is read as chunks (cheap enough)
    tail_rows: int = 0  # buffered rows beyond the pieces left unsorted (each query filters them)
    step_rows: int = 2_097_152  # rows sorted into one new piece at a time (a whole buffer: one gather)
    quiet_s: float = 0.25  # no rows written for this long: the writes went quiet, make one piece
    watch_s: float = 10.0  # rows read this recently: writes keep them sorted

    @classmethod
    def of(cls, config) -> "SortSettings":
        """The ``buffer_sort_*`` fields of a :class:`StoreConfig`."""
        return cls(config.buffer_sort_min_rows, config.buffer_sort_tail_rows, config.buffer_sort_step_rows,
                   config.buffer_sort_quiet_s, config.buffer_sort_watch_s)


@dataclass(frozen=True, slots=True)
class Piece:
    """Sorted, deduplicated copies of some buffered rows."""

    decoded: Decoded
    tmin: int
    tmax: int
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a query reads of one measurement's buffered rows: pieces, then unsorted chunks.

    ``clean[i]``: tail chunk ``i`` shares no (series, time) key with any piece and overlaps
    no other tail chunk in time (so it needs no merge with them)."""

    pieces: tuple[Piece, ...]
    tail: tuple  # buffer.Chunk
    clean: tuple[bool, ...]
    # what readers built from this snapshot (storage/reads.py: its sources, by rank): a write or a
    # catch-up makes a new snapshot, so nothing kept here outlives the rows it was built from
    made: dict = field(default_factory=dict, compare=False)


class BufferView:
    """The pieces of one measurement's buffered rows, kept up to date for the queries."""

    def __init__(self, settings: SortSettings = SortSettings()) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._pieces: tuple[Piece, ...] = ()
        self._covered = 0  # rows (in arrival order) the pieces hold
        self._ahead: tuple[Piece, ...] = ()  # writes sorted by their writers past unsorted rows (see _adopt)
        self._ahead_from = self._ahead_to = 0  # the rows (in arrival order) those pieces hold
        self._floor = 0  # the latest time of the rows before them
        self._seen = -1  # buffered rows at the last look
        self._since = 0.0  # monotonic seconds when that count last changed
        self._busy = False  # a catch-up is running
        self._idle = threading.Event()  # set when a catch-up ends (see _when_quiet)
        self._done = threading.Condition(self._lock)  # notified when a catch-up ends (see whole)
        self._ended = 0  # catch-ups ended so far (see _wait_behind)
        self._last: tuple | None = None  # (chunk count, last chunk, pieces, covered, ahead, snapshot)
        self._read_at = -math.inf  # monotonic seconds of the last snapshot (a query read the rows)
        self._timer = False  # a thread waits for the writes to go quiet (see written)
        self.last_schema: tuple = ((), {})  # (tags, fields) at the last write (see written)
        self._current = None  # the last write's ``current`` (see written)
        self._counted: tuple = (0, None, 0)  # (chunk count, last chunk, rows) at the last count (see rows)

    def rows(self, chunks: list) -> int:
        """The rows of ``chunks`` (a list of this view's buffer, as :meth:`snapshot` takes it): counted
        again only when the count or the last chunk changed (a write appends one; joining the
        last few makes a new one). A buffer of a load's chunks cost a query 10 us per count."""
        n, last, total = self._counted
        if chunks and n == len(chunks) and last is chunks[-1]:
            return total
        total = sum(c.rows for c in chunks)
        self._counted = (len(chunks), chunks[-1] if chunks else None, total)
        return total

    def snapshot(self, chunks: list, tags: tuple[str, ...], fields: dict[str, FieldType],
                 times: tuple[int, int] | None = None) -> Snapshot:
        """The pieces and tail of ``chunks`` (the measurement's buffered chunks, a prefix in
        arrival order of what it will hold: appends only, and joining chunks keeps the order).
        When the tail has grown or the writes went quiet, a catch-up starts (in a thread of its
        own with ``BACKGROUND``: this query reads what is there). The first read of rows a load
        left in pieces (``WriteBuffer.loading``, one per block, each a span of time) merges them
        into one, as quiet writes would: a query over several blocks then reads one sorted piece.
        ``times``: the query's (start, end), when it reads only those (see :meth:`_wait_behind`)."""
        total = self.rows(chunks)
        now = _time.monotonic()
        first, self._read_at = self._read_at == -math.inf, now
        with self._lock:
            if total < max(self._covered, self._ahead_to) and not self._busy:  # not a continuation: start over
                self._pieces, self._covered, self._ahead, self._ahead_from, self._ahead_to = (), 0, (), 0, 0
            quiet = self._note(total, now) or (first and len(self._pieces) > 1)  # (a load's pieces: one)
            start = self._due(total, quiet) and not self._busy
            self._busy = self._busy or start
        if start:
            self._start(list(chunks), total, tags, fields, quiet)
        if BACKGROUND and self._busy:
            self._wait_behind(chunks, total, times)
        with self._lock:
            pieces, covered, last = self._pieces, self._covered, self._last
            ahead, span = self._ahead, (self._ahead_from, self._ahead_to)
        if last is not None and chunks and last[0] == len(chunks) and last[1] is chunks[-1] and last[2] is pieces \
                and last[3] == covered and last[4] is ahead:
            return last[5]  # nothing written or sorted since: the same answer (no walk of the chunks)
        tail = _chunks_after(chunks, covered) if not ahead else \
            _chunks_between(chunks, covered, span[0]) + _chunks_after(chunks, span[1])
        pieces_now = (*pieces, *ahead) if ahead else pieces
        snap = Snapshot(pieces_now, tuple(tail), tuple(_clean(tail, pieces_now, tags)))
        with self._lock:
            self._last = (len(chunks), chunks[-1] if chunks else None, pieces, covered, ahead, snap)
        return snap

    def _wait_behind(self, chunks: list, total: int, times: tuple[int, int] | None) -> None:
        """Wait (``QUERY_WAIT_S`` at most) for the catch-up under way to sort the rows of ``chunks``
        (``total`` rows) when more than ``WAIT_ROWS`` of them are in no piece and have times in
        ``times`` (start, end; None: any): the first read after a load nobody read (the merge of the pieces
        after the sort is not waited for). Scanned unsorted, those rows cost every query meanwhile
        more than their sort (a TSBS round over 250k of them took 1.1 s beside a 0.9 s sort,
        0.35 s once sorted) and slowed the sort itself; a query of other times reads on. Never on
        a thread running an event loop (the shim answers quick queries inline there)."""
        if _on_event_loop():  # (a query answered inline by a server's loop: every connection would wait)
            return
        with self._lock:
            ahead = self._ahead_to - self._ahead_from if self._ahead else 0
            covered = self._covered
            if not self._busy or total - covered - ahead <= WAIT_ROWS:
                return
            seen, goal = self._ended, self._limit(total)
        if times is not None:
            start, end = times
            if sum(c.rows for c in _chunks_after(chunks, covered) if c.tmax >= start and c.tmin <= end) <= WAIT_ROWS:
                return
        with self._done:
            self._done.wait_for(lambda: self._ended != seen or self._covered >= goal, timeout=QUERY_WAIT_S)

    def watched(self) -> bool:
        """Whether a query read these rows in the last ``watch_s`` (then writes keep them sorted)."""
        return _time.monotonic() - self._read_at < self.settings.watch_s

    def written(self, chunks: list, tags: tuple[str, ...], fields: dict[str, FieldType], current,
                piece: Piece | None = None, rows: int = 0):
        """A write added rows to ``chunks`` (the buffer's list, lock held) of a watched view: sort
        them once the tail is due, and make one piece once the writes go quiet (a thread waits
        for that; only with ``BACKGROUND``). ``piece``: the write's own rows, sorted by the writer
        (:func:`presorted`), of its ``rows`` rows (the last of ``chunks``): they join the pieces at
        once when they can (:meth:`_adopt`). ``current()`` gives the chunks and this ``(tags, fields)``
        as they are then (taken under the lock), or None once the buffer is being flushed.
        Returns what starts those threads (None: nothing to start), for the writer to call once
        it let go of the lock."""
        if not BACKGROUND:
            return None  # (sorting then waits for a query: tests that step through it)
        total = sum(c.rows for c in chunks)
        if total < self.settings.min_rows:
            return None
        with self._lock:
            if piece is not None:
                self._adopt(piece, total, rows, tags, chunks)
            self._note(total, _time.monotonic())
            start = self._due(total, False) and not self._busy
            self._busy = self._busy or start
            wait = not self._timer
            self._timer = True
            self.last_schema, self._current = (tags, fields), current
        if not (start or wait):
            return None
        taken = list(chunks)

        def begin() -> None:
            if start:
                self._start(taken, total, tags, fields, False)
            if wait:
                threading.Thread(target=self._when_quiet, args=(current,), name="tsdb-buffer-quiet",
                                 daemon=True).start()
        return begin

    def whole(self, chunks: list, tags: tuple[str, ...], fields: dict[str, FieldType]) -> pl.DataFrame | None:
        """The rows of ``chunks`` sorted and merged as a flush sorts and merges them, from the
        pieces (a load's, one per block, or the queries'): the rows after them sorted into one
        more, then all merged by their runs (:func:`_merge`), not sorted again; None when
        nothing is sorted yet, or the newest rows repeat a point of a piece (the flush sorts
        every row then). A catch-up under way is waited for: its piece is cheaper to merge
        than its rows to sort twice."""
        total = sum(c.rows for c in chunks)
        with self._done:
            self._done.wait_for(lambda: not self._busy, timeout=FLUSH_WAIT_S)
            pieces, covered = self._pieces, self._covered
        if not pieces or not total or covered > total:
            return None
        if covered < total:
            rows, series = _rows_after(chunks, covered, total - covered)
            new = _sorted_piece(rows, tags, fields, series)
            if any(_overlap(p, new) and _collide(p, new, tags) for p in pieces):
                return None
            pieces = (*pieces, new)
        return pieces[0].decoded.frame if len(pieces) == 1 else _merge(pieces, tags, certain=True).decoded.frame

    def settle(self, timeout: float = FLUSH_WAIT_S) -> bool:
        """Wait (``timeout`` at most) until no catch-up runs; whether none does. A harness that
        writes and waits for this after every write or query leaves the same pieces on every run
        (bench/live_pairs.py): which catch-up saw which rows no longer depends on the machine's load."""
        with self._done:
            return self._done.wait_for(lambda: not self._busy, timeout=timeout)

    @property
    def busy(self) -> bool:
        """Whether a background catch-up is sorting buffered rows now."""
        return self._busy

    def sorted_between(self, chunks: list, start: int, end: int) -> bool:
        """Whether the rows of ``chunks`` (as :meth:`snapshot` takes them) with ``start <= time
        <= end`` are all in one piece: scans of that range come by series, times ascending."""
        total = sum(c.rows for c in chunks)
        with self._lock:
            pieces, covered = self._pieces, self._covered
        if total < self.settings.min_rows or covered > total:
            return False  # read as chunks, or about to start over
        if any(c.tmax >= start and c.tmin <= end for c in _chunks_after(chunks, covered)):
            return False
        return sum(1 for p in pieces if p.tmax >= start and p.tmin <= end) <= 1

    def ready(self, total: int) -> bool:
        """Whether a write's rows sorted by the writer may join the pieces at once: read lately,
        and no rows written after those joined so (``total``: buffered rows before the write)."""
        return self.watched() and (not self._ahead or self._ahead_to == total)

    def _adopt(self, piece: Piece, total: int, rows: int, tags: tuple[str, ...], chunks: list) -> None:
        """Take ``piece``, the last ``rows`` of ``total`` buffered rows (a point written twice kept
        once), as it is (lock held): appended to the pieces when every row before is in one and
        it shares no key with one; while rows before are left unsorted (a catch-up behind), kept
        *ahead* when every row before is older (so it shares no key with them), until the
        catch-up reaches it. Else its rows are left to the view, sorted as before."""
        start = total - rows
        if rows <= 0:
            return
        if self._ahead:
            if self._ahead_to == start and piece.tmin > self._floor and not any(
                    _overlap(p, piece) and _collide(p, piece, tags) for p in self._ahead):
                self._ahead, self._ahead_to = (*self._ahead, piece), total
            return
        if self._covered == start:
            if not any(_overlap(p, piece) and _collide(p, piece, tags) for p in self._pieces):
                self._pieces, self._covered = (*self._pieces, piece), total
            return
        before = chunks[:-1]
        if before and sum(c.rows for c in before) == start and piece.tmin > max(c.tmax for c in before):
            self._ahead, self._ahead_from, self._ahead_to = (piece,), start, total
            self._floor = max(c.tmax for c in before)

    def _limit(self, total: int) -> int:
        """How far (rows in arrival order) a catch-up sorts: up to the pieces kept ahead (lock held)."""
        return self._ahead_from if self._ahead else total

    def _reached(self, covered: int) -> None:
        """The pieces reach ``covered`` rows: those kept ahead join them there (lock held)."""
        self._covered = covered
        if self._ahead and covered == self._ahead_from:
            self._pieces, self._covered, self._ahead = (*self._pieces, *self._ahead), self._ahead_to, ()

    def _unbalanced(self) -> bool:
        """Whether the last two pieces are due to merge (a binary counter; lock held)."""
        p = self._pieces
        return len(p) > 1 and p[-2].decoded.frame.height <= p[-1].decoded.frame.height

    def _publish(self, base: tuple[Piece, ...], result: tuple[Piece, ...]) -> tuple[Piece, ...]:
        """Put ``result`` in place of ``base``, the pieces a catch-up started from, keeping the
        pieces writes added after them meanwhile (lock held). Returns the pieces now."""
        cur = self._pieces
        if len(cur) >= len(base) and all(a is b for a, b in zip(cur, base)):
            self._pieces = (*result, *cur[len(base):])
        return self._pieces

    def _note(self, total: int, now: float) -> bool:
        """Record the row count seen now; whether the writes went quiet (lock held)."""
        if total != self._seen:
            self._seen, self._since = total, now
        return now - self._since >= self.settings.quiet_s

    def _due(self, total: int, quiet: bool) -> bool:
        """Whether a catch-up has work: a tail past ``tail_rows``, or quiet and not one piece (lock held)."""
        total = self._limit(total)
        return total - self._covered >= max(self.settings.tail_rows, 1) or self._unbalanced() or (
            quiet and (total > self._covered or len(self._pieces) > 1))

    def _start(self, chunks: list, total: int, tags, fields, quiet: bool) -> None:
        if BACKGROUND:
            threading.Thread(target=self._keep_up, args=(chunks, total, tags, fields, quiet),
                             name="tsdb-buffer-view", daemon=True).start()
        else:
            self._catch_up(chunks, total, tags, fields, quiet)

    def _keep_up(self, chunks: list, total: int, tags, fields, quiet: bool) -> None:
        """Catch up, then again while writes (:meth:`written`, which starts none while this
        runs) left a tail past ``tail_rows`` meanwhile."""
        while True:
            self._catch_up(chunks, total, tags, fields, quiet)
            current = self._current
            with self._lock:
                if current is None or self._busy or not self._due(self._seen, False):
                    return
            got = current()
            if got is None or not self.watched():
                return
            chunks, (tags, fields) = got
            total, quiet = sum(c.rows for c in chunks), False
            with self._lock:
                if self._busy or total < self._covered or not self._due(total, False):
                    return
                self._busy = True

    def _when_quiet(self, current) -> None:
        """Wait until nothing was written for ``quiet_s`` (or the rows are no longer read), then
        make one piece of everything, unless a flush took the rows meanwhile. Rows written during
        the merge started no thread (this one was waiting): it waits for them too. It lets go
        under the lock it decided in, so a write after that starts a thread of its own."""
        ended = False
        try:
            while True:
                with self._lock:
                    if not self.watched():
                        self._timer, ended = False, True
                        return
                    left = self._since + self.settings.quiet_s - _time.monotonic()
                    busy = self._busy
                    if busy:
                        self._idle.clear()
                if busy:  # until that catch-up ends (it sets the event), not a poll
                    self._idle.wait(1.0)
                    continue
                if left > 0:
                    _time.sleep(min(left, 1.0))  # a timer: the writes decide when it fires
                    continue
                got = current()
                if got is None:
                    return
                chunks, (tags, fields) = got
                total = sum(c.rows for c in chunks)
                with self._lock:
                    if self._busy or not self._note(total, _time.monotonic()):
                        continue  # a catch-up started, or rows came meanwhile: wait again
                    self._busy = total >= self._covered and self._due(total, True)
                    if not self._busy:
                        self._timer, ended = False, True
                        return
                if self._catch_up(chunks, total, tags, fields, True):
                    continue  # (a merge of the small pieces only: wait again, then the whole)
                with self._lock:
                    if self._seen == total:  # nothing written during the merge
                        self._timer, ended = False, True
                        return
        finally:
            if not ended:  # (a flush took the rows, or the merge failed)
                with self._lock:
                    self._timer = False

    def _catch_up(self, chunks: list, total: int, tags: tuple[str, ...], fields: dict[str, FieldType],
                  quiet: bool) -> bool:
        """Sort the rows after the pieces into new ones ``step_rows`` at a time (each in use as
        soon as it is made); when ``quiet``, merge every piece into one, or, while the first
        dominates (:func:`_kept_whole`), every piece after it: a pause of a live feed then copies
        the rows written since the last merge, not the whole buffer again; the writes must stay
        quiet another ``quiet_s`` for the whole merge. Returns whether the first was kept so."""
        partial = False
        try:
            with self._lock:
                pieces, covered = self._pieces, self._covered
            old = len(pieces)
            while True:  # each step in use at once; merged by size only at the end
                with self._lock:
                    end = min(total, self._limit(total))  # (not into the pieces kept ahead)
                if covered >= end:
                    break
                rows, series = _rows_after(chunks, covered, min(self.settings.step_rows, end - covered), end)
                pieces = _added(pieces, rows, tags, fields, by_size=False, series=series)
                old = min(old, len(pieces) - 1)  # (a step sharing keys with older pieces took them in)
                covered += rows.height
                with self._lock:
                    self._pieces = pieces
                    self._reached(covered)
                    self._done.notify_all()  # (a query waiting for these rows: _wait_behind)
            if quiet:
                with self._lock:
                    pieces = self._pieces  # (with those kept ahead, if they joined)
            if not quiet and self.watched():  # this catch-up's steps as one piece, then pieces of similar size merged
                steps = pieces[old:]
                merged = _by_size((*pieces[:old], *(
                    (_merge(steps, tags, certain=True),) if len(steps) > 1 else steps)), tags)
                with self._lock:  # (pieces written since stay after them)
                    pieces = self._publish(pieces, merged)
            if quiet and len(pieces) > 1:
                kept = _kept_whole(pieces)
                merged = (*pieces[:kept], _merge(pieces[kept:], tags, certain=True))
                with self._lock:
                    self._publish(pieces, merged)
                    if kept:
                        self._since = _time.monotonic()  # (the quiet spell starts again for the whole merge)
                partial = kept > 0
        except Exception:  # noqa: BLE001 - the chunks still answer every query
            log.exception("sorting buffered rows for queries failed (they are read unsorted)")
        finally:
            with self._lock:
                self._busy = False
                self._ended += 1
                self._idle.set()
                self._done.notify_all()
        return partial


DOMINANT = 4  # a first piece holding this many times the rows of the others is left out of a quiet merge


def _kept_whole(pieces: tuple[Piece, ...]) -> int:
    """How many pieces a quiet merge leaves as they are: the first when it holds ``DOMINANT``
    times the rows of the two or more after it (a merged buffer, and the writes since), else none."""
    rest = sum(p.decoded.frame.height for p in pieces[1:])
    return 1 if len(pieces) > 2 and pieces[0].decoded.frame.height >= DOMINANT * rest else 0


def presorted(rows: pl.DataFrame, tags: tuple[str, ...], fields: dict[str, FieldType],
              series: SeriesCodes | None = None) -> Piece:
    """``rows`` (one write's) as a piece, sorted by the writer before it takes the store's lock:
    handed to :meth:`BufferView.written`, the newest rows of a read measurement are in a piece
    the moment they are visible (no unsorted tail for the queries in between). ``series``: the
    rows' series codes from the parser, if known."""
    return _sorted_piece(rows, tags, fields, series)


def _added(pieces: tuple[Piece, ...], rows: pl.DataFrame, tags: tuple[str, ...],
           fields: dict[str, FieldType], by_size: bool = True, series: SeriesCodes | None = None) -> tuple[Piece, ...]:
    """``pieces`` with ``rows`` (newer; ``series``: their codes, if known) sorted into one more;
    merged with older pieces it shares keys with, then (``by_size``) pieces of similar size."""
    new = _sorted_piece(rows, tags, fields, series)
    out = list(pieces)
    clash = [p for p in out if _overlap(p, new) and _collide(p, new, tags)]
    if clash:
        out = [p for p in out if all(p is not c for c in clash)]
        new = _merge((*clash, new), tags, certain=False)
    out.append(new)
    return _by_size(tuple(out), tags) if by_size else tuple(out)


def _by_size(pieces: tuple[Piece, ...], tags: tuple[str, ...]) -> tuple[Piece, ...]:
    """The last pieces merged while the one before is no larger (a binary counter)."""
    out = list(pieces)
    while len(out) > 1 and out[-2].decoded.frame.height <= out[-1].decoded.frame.height:
        out[-2:] = [_merge(tuple(out[-2:]), tags, certain=True)]
    return tuple(out)


def _sorted_piece(rows: pl.DataFrame, tags: tuple[str, ...], fields: dict[str, FieldType],
                  series: SeriesCodes | None = None) -> Piece:
    """``rows`` as a piece: sorted by (series, time) as :func:`~.partitions.prepare` sorts, its
    columns and tag order too. A series is told by the parser's codes (``series``), else by a
    hash of its tags (not a join on the strings); when a point repeats, or two series share a
    hash (more runs than hashes), by ``prepare`` itself."""
    cols = [c for c in canonical_columns(rows, tags, fields)
            if c == TIME or rows.get_column(c).null_count() < rows.height]  # (counts kept by the columns)
    tcols = [t for t in cols if t in tags]
    if not tcols:
        frame = prepare(rows, tags, fields, dedup=True)
        return _piece(Decoded(frame, list(tags)), frame)
    work = pick(rows, cols)
    if series is not None:  # exact numbers: no check of the rows' strings
        inv, keys = series.numbered(tcols)
    else:
        _, first, inv = np.unique(_series_hashes(work, tcols), return_index=True, return_inverse=True)
        keys, inv = work.select(tcols).gather(pl.Series(first)), inv.reshape(-1)
    order_tags = sort_tags(keys, tcols)
    rank = np.empty(keys.height, dtype=np.int64)
    rank[keys.with_row_index(_I).sort(order_tags, nulls_last=False).get_column(_I).to_numpy()] = np.arange(keys.height)
    sid, times = rank[inv], work.get_column(TIME).to_numpy()
    order = np.lexsort((times, sid))
    ss, ts = sid[order], times[order]
    if not ((ss[1:] == ss[:-1]) & (ts[1:] == ts[:-1])).any() and (
            series is not None or _hashes_tell_series(work, keys, inv)):
        key_rows = inv[order]
        frame = _sorted_rows(work, order, keys, key_rows, cols)
        starts = _run_starts(ss)
        return _piece(Decoded(frame, tcols, starts, run_tags=_run_tags(keys, key_rows[starts])), frame)
    frame = prepare(rows, tags, fields, dedup=True, tag_order=order_tags)
    return _piece(Decoded(frame, list(tags)), frame)


_I = "\x00i"


def _hashes_tell_series(work: pl.DataFrame, keys: pl.DataFrame, inv: np.ndarray) -> bool:
    """Whether every row's tags are those of the first row with its hash (``keys`` row
    ``inv``): no two series share a hash."""
    back = keys.gather(pl.Series(inv))
    return all(work.get_column(t).equals(back.get_column(t)) for t in keys.columns)


def _sorted_rows(work: pl.DataFrame, order: np.ndarray, keys: pl.DataFrame, key_rows: np.ndarray,
                 cols: list[str]) -> pl.DataFrame:
    """``work``'s rows in ``order``: the other columns gathered, the tags taken from ``keys``
    (row ``key_rows[i]`` holds the tags of output row ``i``): a few distinct values, not a
    string per row copied out of every chunk of the buffer. An order made of long runs of
    consecutive rows (a merge of sorted pieces) copies those runs instead (:func:`_runs`)."""
    runs = _runs(order)
    if runs is not None:
        return _copied(pick(work, cols), *runs)
    rest = _gather(pick(work, [c for c in work.columns if c not in keys.columns]), order)
    tags = _gather(keys, key_rows)
    return pick(pl.concat([rest, tags], how="horizontal"), cols)


RUN_ROWS = 64  # an order whose runs of consecutive rows are this long on average is copied by run


def _runs(order: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(first row, length) of each run of consecutive rows in ``order`` when they are few
    (pieces merged: each series' rows of a piece stay together), else None (a gather is due)."""
    if len(order) < 2 * RUN_ROWS:
        return None
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    if (len(breaks) + 1) * RUN_ROWS > len(order):
        return None
    starts = np.concatenate(([0], breaks))
    return order[starts], np.diff(np.append(starts, len(order)))


def _copied(frame: pl.DataFrame, firsts: np.ndarray, lengths: np.ndarray) -> pl.DataFrame:
    """The runs of ``frame`` (``firsts[i]``, ``lengths[i]`` rows) one after the other: each a
    copy of adjacent rows, several times cheaper than a gather of the same rows one by one.
    Past a write's few rows the copy runs as a lazy query: Polars lets go of the GIL while it
    runs, where an eager concat of the runs and its rechunk kept it for the whole copy (10 ms
    for the quiet merge of a TSBS load on an idle core, several times that when the machine is
    busy: every query thread waited)."""
    if frame.height <= ONE_GATHER_ROWS:
        return pl.concat([frame.slice(f, n) for f, n in zip(firsts.tolist(), lengths.tolist())],
                         how="vertical", rechunk=False).rechunk()  # (one run: concat returns it as it is)
    if len(firsts) == 1:
        return _one_chunk(frame.slice(int(firsts[0]), int(lengths[0])))
    lf = frame.lazy()
    return pl.concat([lf.slice(f, n) for f, n in zip(firsts.tolist(), lengths.tolist())],
                     how="vertical", rechunk=True).collect(engine="in-memory")


def _run_tags(keys: pl.DataFrame, rows: np.ndarray) -> dict[str, list]:
    """Each run's tag values, run ``i`` having those of row ``rows[i]`` of ``keys`` (a few distinct
    tag sets): what ``Decoded`` would gather out of every tag column of the sorted rows."""
    idx = rows.tolist()
    out = {}
    for t in keys.columns:
        values = keys.get_column(t).to_list()
        out[t] = [values[i] for i in idx]
    return out


def _run_starts(sorted_ids: np.ndarray) -> np.ndarray:
    """The first row of each run of equal values in ``sorted_ids``."""
    if not len(sorted_ids):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))


def _series_hashes(frame: pl.DataFrame, tcols: list[str]) -> np.ndarray:
    """A 64-bit hash of each row's tags (equal tags, equal hashes; not the other way round)."""
    return frame.select(pl.struct(tcols).hash()).to_series().to_numpy()


def _piece(dec: Decoded, frame: pl.DataFrame) -> Piece:
    return Piece(dec, dec.tmin, dec.tmax, tuple(frame.columns))


def _rows_after(chunks: list, skip: int, most: int, end: int | None = None) -> tuple[pl.DataFrame, SeriesCodes | None]:
    """The rows of ``chunks`` after the first ``skip`` (in arrival order), as one frame: whole
    chunks, as many as make ``most`` rows (at least one), none from row ``end`` on; and their
    series codes when every chunk has them."""
    taken, n = [], 0
    for c in _chunks_after(chunks, skip):
        if taken and n + c.rows > most:
            break
        taken.append(c)
        n += c.rows
    frames = [c.frame for c in taken]
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed", rechunk=False)
    series = SeriesCodes.concat([c.series for c in taken]) if all(c.series is not None for c in taken) else None
    if end is None or skip + frame.height <= end:
        return frame, series
    return frame.slice(0, end - skip), series.slice(0, end - skip) if series is not None else None


def _chunks_between(chunks: list, lo: int, hi: int) -> list:
    """The chunks holding rows ``lo`` to ``hi`` (exclusive) in arrival order, cut at both ends."""
    from .buffer import Chunk
    out = _chunks_after(chunks, lo)
    cut = sum(c.rows for c in chunks) - hi
    while cut > 0 and out:
        c = out.pop()
        if c.rows > cut:
            frame = c.frame.slice(0, c.rows - cut)
            t = frame.get_column(TIME)
            out.append(Chunk(frame, c.tags, t.min(), t.max(), True if c.unique else None,
                             c.series.slice(0, c.rows - cut) if c.series is not None else None))
        cut -= c.rows
    return out


def _chunks_after(chunks: list, skip: int) -> list:
    """``chunks`` without their first ``skip`` rows (a chunk cut in two keeps its end); walked
    from the end, since the rows after the pieces are the newest few."""
    from .buffer import (
        Chunk,  # (buffer.py holds the views: imported here, not at the top)
    )
    left = sum(c.rows for c in chunks) - skip
    out = []
    for c in reversed(chunks):
        if left <= 0:
            break
        if c.rows > left:
            frame = c.frame.slice(c.rows - left)
            t = frame.get_column(TIME)
            c = Chunk(frame, c.tags, t.min(), t.max(), True if c.unique else None,
                      c.series.slice(c.rows - left) if c.series is not None else None)
        out.append(c)
        left -= c.rows
    out.reverse()
    return out


def _overlap(a, b) -> bool:
    return a.tmin <= b.tmax and b.tmin <= a.tmax


def _keys_between(dec: Decoded, lo: int, hi: int, tags: tuple[str, ...]) -> pl.DataFrame:
    """(tags, time) of the rows of ``dec`` with ``lo <= time <= hi``."""
    cols = [TIME, *[t for t in tags if t in dec.frame.columns]]
    part = dec.select(None, lo, hi, cols)
    return part.collect() if isinstance(part, pl.LazyFrame) else part


def _collide(old: Piece, new: Piece | pl.DataFrame, tags: tuple[str, ...]) -> bool:
    """Whether ``old`` and ``new`` (a piece, or a chunk's rows) share a (series, time) key."""
    if isinstance(new, Piece):
        lo, hi = max(old.tmin, new.tmin), min(old.tmax, new.tmax)
        b = _keys_between(new.decoded, lo, hi, tags)
    else:
        lo, hi = old.tmin, old.tmax
        b = new.filter(pl.col(TIME).is_between(lo, hi))
    if b.height == 0:
        return False
    a = _keys_between(old.decoded, max(lo, int(b[TIME].min())), min(hi, int(b[TIME].max())), tags)
    if a.height == 0:
        return False
    keys = [TIME, *[t for t in tags if t in a.columns or t in b.columns]]
    a = a.select([pl.col(k) if k in a.columns else pl.lit(None, pl.String).alias(k) for k in keys])
    b = b.select([pl.col(k) if k in b.columns else pl.lit(None, pl.String).alias(k) for k in keys])
    return a.join(b, on=keys, how="semi", nulls_equal=True).height > 0


def _clean(tail: list, pieces: tuple[Piece, ...], tags: tuple[str, ...]) -> list[bool]:
    """Per tail chunk: no key shared with a piece, no time overlap with another tail chunk."""
    alone = [True] * len(tail)
    order = sorted(range(len(tail)), key=lambda i: tail[i].tmin)
    reach = None  # the latest end among the chunks before, in order of their starts
    for k, i in enumerate(order):
        c = tail[i]
        if reach is not None and c.tmin <= reach:
            alone[i] = False
        if k + 1 < len(order) and tail[order[k + 1]].tmin <= c.tmax:
            alone[i] = False
        reach = c.tmax if reach is None else max(reach, c.tmax)
    return [a and not any(_overlap(p, c) and _collide(p, c.frame, tags) for p in pieces)
            for a, c in zip(alone, tail)]


def _merge(pieces: tuple[Piece, ...], tags: tuple[str, ...], certain: bool) -> Piece:
    """One piece of ``pieces`` (oldest first). ``certain``: they share no key, so a sort by
    (series, time) does; else repeated points are merged as a flush would (newer wins)."""
    frames = [p.decoded.frame for p in pieces]
    present = set().union(*(p.columns for p in pieces))
    fields = {c: None for c in present if c != TIME and c not in tags}
    cols = canonical_columns(present, tags, fields)
    same = all(f.schema == frames[0].schema for f in frames[1:])  # (pieces of one schema: no relaxing)
    rows = pick(pl.concat(frames, how="vertical" if same else "diagonal_relaxed", rechunk=False), cols)
    tcols = [t for t in cols if t in tags]
    if not certain:
        types = {c: FieldType.FLOAT for c in fields}  # only the names matter to prepare's merge
        frame = prepare(rows, tags, types, dedup=True, tag_order=sort_tags(rows, tcols))
        return _piece(Decoded(frame, list(tags)), frame)
    sid, order_tags, series = _series_numbers(pieces, tcols)
    times = rows.get_column(TIME).to_numpy()
    order = _run_order(pieces, sid, times)
    if order is None:
        order = np.lexsort((times, sid))
    ss = sid[order]
    if tcols:
        frame = _sorted_rows(rows, order, series, ss, cols)
    else:
        runs = _runs(order)
        frame = _copied(rows, *runs) if runs is not None else _gather(rows, order)
    if not len(ss):
        return _piece(Decoded(frame, list(order_tags)), frame)
    starts = _run_starts(ss)
    return _piece(Decoded(frame, list(order_tags), starts,
                          run_tags=_run_tags(series, ss[starts]) if tcols else None), frame)


def _run_order(pieces: tuple[Piece, ...], sid: np.ndarray, times: np.ndarray) -> np.ndarray | None:
    """The order sorting the rows of ``pieces`` (concatenated; ``sid``, ``times`` per row) by
    (series, time) from their runs alone, when no two runs of one series overlap in time (a
    load's pieces: each a span of time): the runs by (series, first time), each copied whole.
    None when some do (their rows interleave: a sort of every row is due)."""
    if any(p.decoded.starts is None for p in pieces):
        return None
    offsets = np.cumsum([0, *(p.decoded.frame.height for p in pieces)])
    starts = np.concatenate([p.decoded.starts + o for p, o in zip(pieces, offsets)])
    ends = np.concatenate([p.decoded.ends + o for p, o in zip(pieces, offsets)])
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if not len(starts):
        return None
    run_sid, first, last = sid[starts], times[starts], times[ends - 1]
    k = np.lexsort((first, run_sid))
    run_sid, first, last, starts, ends = run_sid[k], first[k], last[k], starts[k], ends[k]
    if ((run_sid[1:] == run_sid[:-1]) & (last[:-1] >= first[1:])).any():
        return None
    lengths = ends - starts
    return run_rows(starts, lengths)


ONE_GATHER_ROWS = 16_384  # up to this many rows are reordered at once, without a query (see _gather)


def _gather(frame: pl.DataFrame, order: np.ndarray) -> pl.DataFrame:
    """``frame``'s rows in ``order``, a column at a time: a background sort then never holds
    every thread of Polars' pool for long, where the queries run. Each column is made one
    chunk first: a gather across many chunks (one per write) costs many times more. Both
    run as lazy queries: Polars lets go of the GIL while one runs (an eager Series gather
    or rechunk keeps it, and every query thread waits on it); in memory, the answer is one chunk.
    A write's few rows are gathered eagerly: the GIL is kept for microseconds, less than a query's
    fixed cost."""
    if len(order) <= ONE_GATHER_ROWS:
        return _rows(frame.rechunk(), order)
    idx = pl.Series(order)
    lf = _one_chunk(frame).lazy()
    return pl.concat([lf.select(pl.col(c).gather(idx)).collect(engine="in-memory") for c in frame.columns],
                     how="horizontal")


def _one_chunk(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each column in one chunk. Polars' eager rechunk keeps the GIL (tens of ms for
    864k rows in a chunk per write on a busy machine); the in-memory engine's concat of the frame's two halves
    with ``rechunk`` makes the same one chunk and lets go of it, as a query's other steps do."""
    if max(frame.n_chunks("all"), default=1) == 1 or frame.height < 2:
        return frame.rechunk()  # (at most one row: nothing to copy)
    lf, half = frame.lazy(), frame.height // 2
    return pl.concat([lf.slice(0, half), lf.slice(half)], how="vertical", rechunk=True).collect(engine="in-memory")


def _rows(frame: pl.DataFrame, order: np.ndarray) -> pl.DataFrame:
    """``frame``'s rows in ``order``, gathered at once (row indexing: no query plan)."""
    return frame[pl.Series(order, dtype=pl.Int64)]


def _series_numbers(pieces: tuple[Piece, ...], tcols: list[str]) -> tuple[np.ndarray, list[str], pl.DataFrame]:
    """A number per row of the pieces (concatenated) that sorts as its series' tags do, from
    each piece's runs (one per series); the tag order used; the tags of each number (a row each).

    The runs are few (a piece holds each series once) and their tags are lists already: they are
    told apart in Python, and Polars sorts only the distinct tag sets (a merge after every write
    paid more for building, joining and numbering tables of runs than for moving its rows)."""
    lengths = np.concatenate([p.decoded.ends - p.decoded.starts for p in pieces])
    if not tcols:
        return np.zeros(int(lengths.sum()), dtype=np.int64), [], pl.DataFrame()
    keys: list[tuple] = []
    for p in pieces:
        d = p.decoded
        keys.extend(zip(*(d.tag_values.get(t) or [None] * len(d.starts) for t in tcols)))
    distinct = list(dict.fromkeys(keys))  # (equal tuples: equal tags, None for an absent tag)
    table = pl.DataFrame([pl.Series(t, [k[i] for k in distinct], pl.String) for i, t in enumerate(tcols)])
    order = tags_by_count(tcols, [len({k[i] for k in distinct}) for i in range(len(tcols))])
    ranked = table.with_row_index(_I).sort(order, nulls_last=False)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[ranked.get_column(_I).to_numpy()] = np.arange(len(distinct))
    number = dict(zip(distinct, rank.tolist()))
    sid = np.repeat(np.fromiter((number[k] for k in keys), dtype=np.int64, count=len(keys)), lengths)
    return sid, order, ranked.drop(_I)


def _on_event_loop() -> bool:
    """Whether this thread runs an asyncio event loop (blocking it would stall every connection)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
