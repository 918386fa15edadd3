"""Where a blocking core call runs: inline on the event loop when it is known to be quick, else a worker thread.

    offload = Offload(budget_s=0.005)
    qr = await offload.run(Offload.key("query", q, db), store.query, q, db)

A hop to a worker thread and back costs two thread wake-ups (0.1 ms on a quiet
two-core machine, 0.6 ms on a loaded one), more than a cached parse or a small
SHOW takes. So a call runs inline when (a) the same key last took at most
``budget_s`` (the first call of a key always goes to a thread, which measures
it) and (b) no other request is in flight (:attr:`busy` counts them): an inline
call never holds up a request already being served, and one arriving meanwhile
waits about ``budget_s`` at most. When a call that used to be quick turns slow,
one request waits once, and the slow cost sends the key back to the thread
pool. Only reads may come here: a write fsyncs. Keys hold the query
text, so texts past ``MAX_KEY_TEXT`` are not remembered (key None: a thread).
"""
from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool

DEFAULT_BUDGET_S = 0.005  # the small TSBS queries (InfluxDB: 1.7-3.4 ms) fit; a long one never runs inline
MAX_KEYS = 4096
MAX_KEY_TEXT = 4096  # longer query texts are not remembered (they always take a thread)


class Offload:
    """Per-app record of call costs by key, and the in-flight request count."""

    __slots__ = ("budget_s", "costs", "busy")

    def __init__(self, budget_s: float = DEFAULT_BUDGET_S):
        self.budget_s = budget_s
        self.costs: dict = {}
        self.busy = 0  # requests inside the app (maintained by the app)

    @staticmethod
    def key(*parts: str | None):
        """A cost key from texts (query, db, ...); None (never inline) when they are long."""
        return parts if sum(len(p) for p in parts if p) <= MAX_KEY_TEXT else None

    def inline_ok(self, key) -> bool:
        if key is None:
            return False
        cost = self.costs.get(key)
        return cost is not None and cost <= self.budget_s and self.busy <= 1

    def _record(self, key, seconds: float) -> None:
        costs = self.costs
        if len(costs) >= MAX_KEYS and key not in costs:
            costs.clear()
        costs[key] = seconds

    def call(self, key, fn, *args):
        """``fn(*args)`` here and now, its cost recorded under ``key`` (callers check :meth:`inline_ok`)."""
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self._record(key, time.perf_counter() - t0)

    async def run(self, key, fn, *args):
        """``fn(*args)``, inline or on a worker thread (see the module docstring)."""
        if self.budget_s > 0 and self.inline_ok(key):
            return self.call(key, fn, *args)
        if self.budget_s <= 0 or key is None:
            return await run_in_threadpool(fn, *args)

        return await run_in_threadpool(self.call, key, fn, *args)
