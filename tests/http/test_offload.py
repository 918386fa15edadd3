"""Offload: a read runs inline once it is known to be quick and nothing else is in flight."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tsdb_http.offload import MAX_KEY_TEXT, MAX_KEYS, Offload


def where() -> str:
    try:
        asyncio.get_running_loop()
        return "loop"
    except RuntimeError:
        return "thread"


def run(offload: Offload, keys: list, busy: int = 1, fn=where) -> list:
    async def go():
        offload.busy = busy
        return [await offload.run(k, fn) for k in keys]
    return asyncio.run(go())


def test_first_call_measured_on_a_thread_then_inline():
    assert run(Offload(0.5), ["k", "k", "k"]) == ["thread", "loop", "loop"]


def test_another_request_in_flight_keeps_it_on_a_thread():
    off = Offload(0.5)
    run(off, ["k"])
    assert run(off, ["k", "k"], busy=2) == ["thread", "thread"]


@pytest.mark.parametrize("budget", [0.0, -1.0])
def test_no_budget_never_inline(budget):
    assert run(Offload(budget), ["k"] * 3) == ["thread"] * 3


def test_a_slow_call_stays_on_a_thread_and_a_call_turned_slow_goes_back():
    off = Offload(0.01)

    def slow():
        time.sleep(0.02)
        return where()

    assert run(off, ["k"] * 3, fn=slow) == ["thread"] * 3
    assert run(off, ["q", "q"]) == ["thread", "loop"]
    assert run(off, ["q", "q"], fn=slow) == ["loop", "thread"]  # measured once inline, then sent back


def test_a_failing_call_is_measured_and_raises():
    off = Offload(0.5)

    def boom():
        raise ValueError("x")

    with pytest.raises(ValueError):
        run(off, ["k"], fn=boom)  # on a thread
    assert "k" in off.costs
    with pytest.raises(ValueError):
        run(off, ["k"], fn=boom)  # inline now


def test_cost_table_is_bounded():
    off = Offload(0.5)
    for i in range(MAX_KEYS + 10):
        off._record(i, 0.0, 0, 0.0)
    assert len(off.costs) <= MAX_KEYS


def test_inline_runs_on_the_calling_thread():
    off = Offload(0.5)
    ids = run(off, ["k", "k"], fn=threading.get_ident)
    assert ids == [ids[0], threading.get_ident()] and ids[0] != threading.get_ident()  # asyncio.run's loop runs here


@pytest.mark.parametrize("parts,remembered", [
    (("query", "SHOW DATABASES", None), True),
    (("query", "x" * (MAX_KEY_TEXT - 7), "db"), True),
    (("query", "x" * MAX_KEY_TEXT, "db"), False),
])
def test_long_texts_are_never_remembered_nor_inline(parts, remembered):
    off = Offload(0.5)
    key = Offload.key(*parts)
    assert (key is not None) == remembered
    assert run(off, [key, key]) == (["thread", "loop"] if remembered else ["thread", "thread"])
    assert len(off.costs) == (1 if remembered else 0)


def test_a_cancelled_caller_waits_for_its_call_on_the_thread():
    """Cancelling the request does not let it go while its call still runs on a worker thread
    (the store must not be closed under a running query); the call's thread is a read worker."""
    started, release, names = threading.Event(), threading.Event(), []

    def blocking():
        names.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        return "done"

    async def go():
        task = asyncio.ensure_future(Offload(0.5).run("k", blocking))
        while not started.is_set():
            await asyncio.sleep(0.001)
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=0.2)
        still_running = not done
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        return still_running

    assert asyncio.run(go()) is True
    assert names and names[0].startswith("tsdb-read")
