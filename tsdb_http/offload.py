"""Where a blocking core call runs: inline on the event loop when it is known to be quick, else a worker thread.

    offload = Offload(budget_s=0.005)
    qr = await offload.run(Offload.key("query", q, db), store.query, q, db)

A hop to a worker thread and back costs two thread wake-ups, more than a cached
parse or a small SHOW takes (and more still on a loaded machine). So a call runs inline only when (a) the same key took at most
``budget_s`` when last measured on a worker thread, (b) that measure is recent
(``FRESH_S``; a quick inline call renews it: see *Costs*) and the data have not
changed since (:meth:`Offload.data_changed`: grown data make a once-quick query slow; see *Writes* below), and
(c) no other request is in flight (:attr:`busy` counts them) but writes waiting
for their fsync on a thread (:attr:`writing`): an inline call never holds up a
request already being served, and one arriving meanwhile (or a write whose
fsync ended) waits about ``budget_s`` at most. The first call of a key, and the first after a
change or after ``FRESH_S`` without a quick call, goes to a thread, which measures it; a call that
turns slow inline sends its key back at once. Only reads may come here: a write
fsyncs. Keys hold the query text, so texts past ``MAX_KEY_TEXT`` are not
remembered (key None: a thread).

A text never seen may still run inline by its *shape* (:meth:`Offload.shape`): the text
with its string literals cut out (host names, time strings: dashboards and TSBS send each
text once) plus the size class of its time range. A shape is trusted as a key is (measured
on a thread, fresh, same data); once one of its texts turns slow inline (another tag value
may select far more series, or read data not decoded yet) its new texts take a thread until
``TRUST_AGAIN`` of them in a row measured quick there (or the data change): at most one
stall in ``TRUST_AGAIN + 1`` new texts of a shape.

*Costs* are wall times (a call that waits, on a lock or a disk, holds the loop as long), but
an inline call demotes its shape only if its process CPU time is over budget too: on a
loaded machine a quick call's wall time stretches while other processes run (with the load
at 3 on 2 cores, ~1 in 20 calls of 0.3 ms took over 5 ms, and each demoted the shape for
``TRUST_AGAIN`` thread hops or more). Such a call still records its wall time: the next
call of its key or shape is measured on a thread again, once. Process time, not the
thread's: Polars works on its own threads while the caller waits. An inline call within
budget (by the wall clock: its loop was held no longer, whatever CPU Polars' threads spent)
is as good a measure as a thread's and renews its record: a live quick key stays inline
instead of taking a thread hop every ``FRESH_S``; an idle one still goes stale.

*Writes* (:meth:`Offload.data_grew`) change the data by a measured amount: a write of ``n``
points to a database makes the costs stale only once its database grew by ``GROWTH`` of the
points it held when the costs last went stale (the points this app saw written: the first
write after a start, or after a drop, always does). A query's cost grows with the data it
reads, so a cost measured quick stays within about ``(1 + GROWTH) x budget_s`` meanwhile,
while a feed of small writes no longer sends every read to a thread after each write (a
loader's stream of 1,000-line writes into a store of millions of points re-measures each
read once per ``GROWTH`` of growth, or per ``FRESH_S``). Any other change (a drop, a delete,
SELECT INTO, a write that failed part-way) makes them stale at once. Not caught: a query of
one measurement (or series) that grows far faster than its database (a new measurement in a
big one) runs inline once at its grown cost, which then sends its key back to a thread (and
demotes its shape) as any call turned slow inline does.
"""
from __future__ import annotations

import asyncio
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

DEFAULT_BUDGET_S = 0.005  # the small TSBS queries fit; a long one never runs inline
MAX_KEYS = 4096
MAX_KEY_TEXT = 4096  # longer query texts are not remembered (they always take a thread)
FRESH_S = 1.0  # a cost measured on a thread longer ago is measured again (data and clocks move)
TRUST_AGAIN = 4  # quick measures on a thread in a row that lift a shape's demotion
GROWTH = 0.1  # a database grown by this share of its points makes the costs stale (*Writes*)
THREADS = 40  # queries on worker threads at once (as many as Starlette's default thread limit)

_LITERAL = re.compile(r"'([^'\\\n]*)'")  # a simple string literal (as parser/templates.py cuts texts)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The worker threads of every app's reads, made on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="tsdb-read")
        return _pool


async def on_thread(fn, *args):
    """``fn(*args)`` on a worker thread: a plain executor hand-off (Starlette's run_in_threadpool
    goes through anyio's limiter and checkpoints, which cost the loop more per call). As anyio
    does, a cancelled caller still waits for the call to end: nothing outlives its request."""
    fut = asyncio.get_running_loop().run_in_executor(_executor(), fn, *args)
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        await asyncio.wait([fut])
        raise


class Offload:
    """Per-app record of call costs by key (and by shape), and the in-flight request count."""

    __slots__ = ("budget_s", "costs", "shapes", "demoted", "busy", "writing", "epoch", "large", "points", "grown")

    def __init__(self, budget_s: float = DEFAULT_BUDGET_S):
        self.budget_s = budget_s
        self.costs: dict = {}  # key -> (seconds, data epoch, monotonic time measured on a thread)
        self.shapes: dict = {}  # shape -> the same, from the last call of a text of that shape
        self.demoted: dict = {}  # shape -> [data epoch, quick thread measures since]: a text turned slow inline
        self.busy = 0  # requests inside the app (maintained by the app)
        self.writing = 0  # of those, writes on a worker thread (parsing, waiting for the WAL's fsync)
        self.epoch = 0  # bumped by data_changed
        self.large: dict = {}  # key or shape -> data epoch: its answer was too large to answer directly
        self.points: dict = {}  # database -> points seen written to it (since the last data_changed)
        self.grown: dict = {}  # database -> of those, points written since the epoch last moved

    def data_changed(self) -> None:
        """Data were changed (dropped, deleted, written in part ...): every recorded cost must be
        measured again, and the next write to any database too (its size is no longer known)."""
        self.epoch += 1
        self.points.clear()
        self.grown.clear()

    def data_grew(self, db, points: int) -> None:
        """``points`` were written to ``db``: the costs go stale once it grew by ``GROWTH``
        since they last did (see *Writes* in the module docstring)."""
        if points <= 0:
            return
        if len(self.points) >= MAX_KEYS and db not in self.points:
            self.points.clear()  # (sizes forgotten: each database's next write moves the epoch)
        total = self.points.get(db, 0) + points
        grown = self.grown.get(db, 0) + points
        self.points[db] = total
        if grown > GROWTH * (total - grown):
            self.epoch += 1
            self.grown.clear()
        else:
            self.grown[db] = grown

    def answer_too_large(self, key, shape=None) -> None:
        """The call under ``key`` answered more rows than a direct answer encodes: until data
        change, its next requests (and new texts of its ``shape``) go the usual way at once
        instead of running it here first."""
        if len(self.large) >= MAX_KEYS and key not in self.large:
            self.large.clear()
        self.large[key] = self.epoch
        if shape is not None:
            self.large[shape] = self.epoch

    def known_too_large(self, key, shape=None) -> bool:
        """:meth:`answer_too_large` was said of ``key`` (or its ``shape``) since the data last changed."""
        return self.large.get(key) == self.epoch or (shape is not None and self.large.get(shape) == self.epoch)

    @property
    def serving(self) -> int:
        """Requests in flight that an inline call would hold up: all but the writes on a thread."""
        return self.busy - self.writing

    @staticmethod
    def key(*parts: str | None):
        """A cost key from texts (query, db, ...); None (never inline) when they are long."""
        return parts if sum(len(p) for p in parts if p) <= MAX_KEY_TEXT else None

    @staticmethod
    def shape(kind: str, text: str, *others: str | None):
        """The shape of ``text``: its skeleton without string literals (each marked a time or
        not), the power-of-two class of its time range in seconds, and ``others`` (db, ...);
        None when it has no literal, one time string or more than two (an open range's cost
        moves with the clock), or is too long to remember."""
        if len(text) > MAX_KEY_TEXT or "'" not in text:
            return None
        parts = _LITERAL.split(text)
        values = parts[1::2]
        times = [_TIME.fullmatch(v) is not None for v in values]
        if not values or sum(times) not in (0, 2):
            return None
        span = None
        if any(times):
            try:
                a, b = (datetime.fromisoformat(v) for v, t in zip(values, times) if t)
            except ValueError:
                return None
            span = int(abs((b - a).total_seconds())).bit_length()
        return ("shape", kind, tuple(parts[0::2]), tuple(times), span, *others)

    def _quick(self, rec) -> bool:
        return rec[0] <= self.budget_s and time.monotonic() - rec[2] <= FRESH_S

    def inline_ok(self, key, shape=None) -> bool:
        """``key`` (or, its record missing or stale, its ``shape``) was measured quick on a thread
        since the data last changed, and no other request is in flight."""
        if key is None or self.busy - self.writing > 1:
            return False
        rec = self.costs.get(key)
        if rec is not None and rec[1] == self.epoch and time.monotonic() - rec[2] <= FRESH_S:
            return rec[0] <= self.budget_s
        if shape is None:
            return False
        down = self.demoted.get(shape)
        if down is not None and down[0] == self.epoch:
            return False
        rec = self.shapes.get(shape)
        return rec is not None and rec[1] == self.epoch and self._quick(rec)

    def _record(self, key, seconds: float, epoch: int, measured: float | None, shape=None,
                cpu: float | None = None) -> None:
        # a quick inline call is a fresh measure too (*Costs* in the module docstring)
        renewed = time.monotonic() if measured is None and seconds <= self.budget_s else measured
        for table, k in ((self.costs, key), (self.shapes, shape)):
            if k is None:
                continue
            if len(table) >= MAX_KEYS and k not in table:
                table.clear()
            at = renewed
            if at is None:  # slow inline: the cost, but not a fresh measure (see the module docstring)
                old = table.get(k)
                at = old[2] if old is not None else 0.0
            table[k] = (seconds, epoch, at)
        if shape is not None:
            on_thread = measured is not None
            quick = seconds <= self.budget_s or (not on_thread and cpu is not None and cpu <= self.budget_s)
            self._demotion(shape, quick, epoch, on_thread)

    def _demotion(self, shape, quick: bool, epoch: int, on_thread: bool) -> None:
        """A slow inline call (wall and CPU time) demotes its shape; ``TRUST_AGAIN`` quick thread
        measures in a row lift it."""
        down = self.demoted.get(shape)
        if not on_thread:
            if not quick:
                if len(self.demoted) >= MAX_KEYS:
                    self.demoted.clear()
                self.demoted[shape] = [epoch, 0]
        elif down is not None:
            down[1] = down[1] + 1 if quick else 0
            if down[1] >= TRUST_AGAIN or down[0] != epoch:
                del self.demoted[shape]

    def call(self, key, fn, *args, measured: bool = False, shape=None):
        """``fn(*args)`` here and now, its cost recorded under ``key`` and ``shape`` (callers check
        :meth:`inline_ok`); ``measured``: this is a worker thread's measure (it makes the record fresh)."""
        epoch = self.epoch
        # Process CPU only matters for an inline call of a shape that overran its budget
        # (_record): a thread's measure, or a quick call, reads that clock once or never.
        c0 = None if measured or shape is None else time.process_time()
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0 if c0 is not None and seconds > self.budget_s else None
            self._record(key, seconds, epoch, time.monotonic() if measured else None, shape, cpu)

    def _measure(self, key, shape, fn, *args):
        return self.call(key, fn, *args, measured=True, shape=shape)

    async def run(self, key, fn, *args, shape=None):
        """``fn(*args)``, inline or on a worker thread (see the module docstring)."""
        if self.budget_s > 0 and self.inline_ok(key, shape):
            return self.call(key, fn, *args, shape=shape)
        if self.budget_s <= 0 or key is None:
            return await on_thread(fn, *args)
        return await on_thread(self._measure, key, shape, fn, *args)
