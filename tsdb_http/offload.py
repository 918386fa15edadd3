"""Where a blocking core call runs: inline on the event loop when it is known to be quick, else a worker thread.

    offload = Offload(budget_s=0.005)
    qr = await offload.run(Offload.key("query", q, db), store.query, q, db)

A hop to a worker thread and back costs two thread wake-ups, more than a cached
parse or a small SHOW takes (and more still on a loaded machine). So a call runs inline only when (a) the same key took at most
``budget_s`` when last measured on a worker thread, (b) that measure is recent
(``FRESH_S``) and no write or statement that changes data has been served since
(:meth:`Offload.data_changed`: grown data makes a once-quick query slow), and
(c) no other request is in flight (:attr:`busy` counts them) but writes waiting
for their fsync on a thread (:attr:`writing`): an inline call never holds up a
request already being served, and one arriving meanwhile (or a write whose
fsync ended) waits about ``budget_s`` at most. The first call of a key, and the first after a
change or after ``FRESH_S``, goes to a thread, which measures it; a call that
turns slow inline sends its key back at once. Only reads may come here: a write
fsyncs. Keys hold the query text, so texts past ``MAX_KEY_TEXT`` are not
remembered (key None: a thread).
"""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_BUDGET_S = 0.005  # the small TSBS queries fit; a long one never runs inline
MAX_KEYS = 4096
MAX_KEY_TEXT = 4096  # longer query texts are not remembered (they always take a thread)
FRESH_S = 1.0  # a cost measured on a thread longer ago is measured again (data and clocks move)
THREADS = 40  # queries on worker threads at once (as many as Starlette's default thread limit)

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
    """Per-app record of call costs by key, and the in-flight request count."""

    __slots__ = ("budget_s", "costs", "busy", "writing", "epoch", "large")

    def __init__(self, budget_s: float = DEFAULT_BUDGET_S):
        self.budget_s = budget_s
        self.costs: dict = {}  # key -> (seconds, data epoch, monotonic time measured on a thread)
        self.busy = 0  # requests inside the app (maintained by the app)
        self.writing = 0  # of those, writes on a worker thread (parsing, waiting for the WAL's fsync)
        self.epoch = 0  # bumped by data_changed
        self.large: dict = {}  # key -> data epoch: its answer was too large to answer directly

    def data_changed(self) -> None:
        """Data were written or dropped: every recorded cost must be measured again."""
        self.epoch += 1

    def answer_too_large(self, key) -> None:
        """The call under ``key`` answered more rows than a direct answer encodes: until data
        change, its next requests go the usual way at once instead of running it here first."""
        if len(self.large) >= MAX_KEYS and key not in self.large:
            self.large.clear()
        self.large[key] = self.epoch

    def known_too_large(self, key) -> bool:
        """:meth:`answer_too_large` was said of ``key`` since the data last changed."""
        return self.large.get(key) == self.epoch

    @property
    def serving(self) -> int:
        """Requests in flight that an inline call would hold up: all but the writes on a thread."""
        return self.busy - self.writing

    @staticmethod
    def key(*parts: str | None):
        """A cost key from texts (query, db, ...); None (never inline) when they are long."""
        return parts if sum(len(p) for p in parts if p) <= MAX_KEY_TEXT else None

    def inline_ok(self, key) -> bool:
        if key is None:
            return False
        rec = self.costs.get(key)
        return (rec is not None and rec[0] <= self.budget_s and rec[1] == self.epoch and self.busy - self.writing <= 1
                and time.monotonic() - rec[2] <= FRESH_S)

    def _record(self, key, seconds: float, epoch: int, measured: float | None) -> None:
        costs = self.costs
        if len(costs) >= MAX_KEYS and key not in costs:
            costs.clear()
        if measured is None:  # inline: the cost, but not a fresh measure (see the module docstring)
            old = costs.get(key)
            measured = old[2] if old is not None else 0.0
        costs[key] = (seconds, epoch, measured)

    def call(self, key, fn, *args, measured: bool = False):
        """``fn(*args)`` here and now, its cost recorded under ``key`` (callers check :meth:`inline_ok`);
        ``measured``: this is a worker thread's measure (it makes the record fresh)."""
        epoch = self.epoch
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            t1 = time.perf_counter()
            self._record(key, t1 - t0, epoch, time.monotonic() if measured else None)

    def _measure(self, key, fn, *args):
        return self.call(key, fn, *args, measured=True)

    async def run(self, key, fn, *args):
        """``fn(*args)``, inline or on a worker thread (see the module docstring)."""
        if self.budget_s > 0 and self.inline_ok(key):
            return self.call(key, fn, *args)
        if self.budget_s <= 0 or key is None:
            return await on_thread(fn, *args)
        return await on_thread(self._measure, key, fn, *args)
