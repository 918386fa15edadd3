"""Offload: a read runs inline once it is known to be quick and nothing else is in flight."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tsdb_http.offload import FRESH_S, MAX_KEY_TEXT, MAX_KEYS, TRUST_AGAIN, Offload


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


# -- shapes: a new text of a shape measured quick ----------------------------------------
def tsbs(host: str, start: str = "2016-01-01T03:17:24Z", end: str = "2016-01-01T04:17:24Z") -> str:
    return (f"SELECT max(usage_user) from cpu where (hostname = '{host}') and time >= '{start}' "
            f"and time < '{end}' group by time(1m)")


@pytest.mark.parametrize("a,b,same", [
    (tsbs("host_96"), tsbs("host_5", "2016-01-01T11:02:10Z", "2016-01-01T12:02:10Z"), True),  # host, times
    (tsbs("host_96"), tsbs("host_96", end="2016-01-01T04:07:24Z"), True),    # 1 h vs 50 min: one size class
    (tsbs("host_96"), tsbs("host_96", end="2016-01-01T15:17:24Z"), False),   # 1 h vs 12 h
    (tsbs("host_96"), tsbs("host_96").replace("max(", "min("), False),       # another text around them
    (tsbs("host_96"), tsbs("host_96").replace("(1m)", "(5m)"), False),
])
def test_texts_of_one_shape_differ_only_in_literals_and_little_in_range(a, b, same):
    assert (Offload.shape("query", a, "db") == Offload.shape("query", b, "db")) is same
    assert Offload.shape("query", a, "db") != Offload.shape("query", a, "other")


@pytest.mark.parametrize("text", [
    "SHOW TAG VALUES WITH KEY = hostname",                       # no literal: its key is enough
    "SELECT * FROM cpu WHERE time >= '2016-01-01T03:17:24Z'",    # open range: its cost moves with now
    "SELECT * FROM cpu WHERE time >= '2016-01-01T03:17:24Z' AND time < '2016-01-01T04:17:24Z' "
    "AND time < '2016-01-01T05:17:24Z'",
    "SELECT * FROM cpu WHERE host = 'h1' AND " + "x" * MAX_KEY_TEXT,
])
def test_texts_without_a_shape(text):
    assert Offload.shape("query", text) is None


class Clock:
    """offload's ``time``, with a perf_counter that advances ``step`` per reading, a
    process_time that advances ``cpu`` (``step`` when None) and a monotonic clock set by
    hand (``mono``): call costs and ages without sleeping."""

    def __init__(self):
        self.now, self.step, self.cpu_now, self.cpu, self.mono = 0.0, 0.0, 0.0, None, 1000.0

    def perf_counter(self):
        self.now += self.step
        return self.now

    def process_time(self):
        self.cpu_now += self.step if self.cpu is None else self.cpu
        return self.cpu_now

    def monotonic(self):
        return self.mono


@pytest.fixture
def clock(monkeypatch):
    from tsdb_http import offload
    c = Clock()
    monkeypatch.setattr(offload, "time", c)
    return c


def run_shaped(off: Offload, texts: list[str], busy: int = 1) -> list:
    async def go():
        off.busy = busy
        return [await off.run(Offload.key("query", t), where, shape=Offload.shape("query", t)) for t in texts]
    return asyncio.run(go())


def test_a_new_text_of_a_shape_measured_quick_runs_inline():
    off = Offload(0.5)
    hosts = [tsbs(f"host_{i}") for i in range(4)]
    assert run_shaped(off, hosts) == ["thread", "loop", "loop", "loop"]
    assert run_shaped(off, [tsbs("host_1", end="2016-01-02T03:17:24Z")]) == ["thread"]  # 24 h: another shape
    assert run_shaped(off, [tsbs("host_9")], busy=2) == ["thread"]  # another request in flight


def test_a_shape_is_measured_again_after_a_write():
    off = Offload(0.5)
    run_shaped(off, [tsbs("host_1")])
    off.data_changed()
    assert run_shaped(off, [tsbs("host_2"), tsbs("host_3")]) == ["thread", "loop"]


def test_a_shape_turned_slow_inline_takes_threads_until_quick_there_in_a_row(clock):
    off = Offload(0.5)
    assert run_shaped(off, [tsbs("host_1"), tsbs("host_2")]) == ["thread", "loop"]
    clock.step = 1.0  # host_3 selects far more: 1 s, inline (the one stall)
    assert run_shaped(off, [tsbs("host_3")]) == ["loop"]
    clock.step = 0.0
    hosts = [tsbs(f"host_{i}") for i in range(10, 10 + TRUST_AGAIN - 1)]
    assert run_shaped(off, hosts) == ["thread"] * (TRUST_AGAIN - 1)  # quick there, not yet enough
    clock.step = 1.0
    assert run_shaped(off, [tsbs("host_20")]) == ["thread"]  # slow on its thread: the count starts again
    clock.step = 0.0
    assert run_shaped(off, [tsbs("host_1")]) == ["loop"]  # (a text measured quick itself still may)
    hosts = [tsbs(f"host_{i}") for i in range(30, 30 + TRUST_AGAIN + 2)]
    assert run_shaped(off, hosts) == ["thread"] * TRUST_AGAIN + ["loop", "loop"]


def test_a_call_slow_by_the_wall_clock_only_is_measured_again_but_not_demoted(clock):
    off = Offload(0.5)
    assert run_shaped(off, [tsbs("host_1"), tsbs("host_2")]) == ["thread", "loop"]
    clock.step, clock.cpu = 1.0, 0.0  # 1 s inline, little CPU: preempted (or waiting)
    assert run_shaped(off, [tsbs("host_3")]) == ["loop"]
    clock.step = 0.0
    assert run_shaped(off, [tsbs("host_4"), tsbs("host_5")]) == ["thread", "loop"]  # one measure, not TRUST_AGAIN
    clock.step, clock.cpu = 1.0, 1.0  # 1 s of CPU inline: demoted
    assert run_shaped(off, [tsbs("host_6")]) == ["loop"]
    clock.step = 0.0
    assert run_shaped(off, [tsbs("host_7"), tsbs("host_8")]) == ["thread", "thread"]


def test_a_call_waiting_on_its_thread_is_not_trusted_inline(clock):
    off = Offload(0.5)
    clock.step, clock.cpu = 1.0, 0.0  # 1 s on its thread without CPU (a lock, a disk): the loop would wait as long
    assert run_shaped(off, [tsbs("host_1"), tsbs("host_2")]) == ["thread", "thread"]
    assert run(off, ["k", "k"]) == ["thread", "thread"]


def test_a_write_lifts_a_demotion():
    off = Offload(0.5)
    run_shaped(off, [tsbs("host_1")])
    off._record(("k",), 1.0, off.epoch, None, Offload.shape("query", tsbs("host_2")))  # slow inline
    assert run_shaped(off, [tsbs("host_3")]) == ["thread"]
    off.data_changed()
    assert run_shaped(off, [tsbs("host_4"), tsbs("host_5")]) == ["thread", "loop"]


def test_a_text_known_slow_is_not_run_inline_by_its_shape(clock):
    off = Offload(0.5)
    clock.step = 1.0
    assert run_shaped(off, [tsbs("host_1")]) == ["thread"]  # measured slow on its thread
    clock.step = 0.0
    # host_2 measures the shape quick; host_1's own record (slow) still sends it to a thread
    assert run_shaped(off, [tsbs("host_2"), tsbs("host_1"), tsbs("host_3")]) == ["thread", "thread", "loop"]


def test_the_shape_table_is_bounded():
    off = Offload(0.5)
    for i in range(MAX_KEYS + 10):
        off._record(("k", i), 0.0, 0, 0.0, ("s", i))
    assert len(off.shapes) <= MAX_KEYS


def test_the_process_clock_is_read_only_for_an_inline_call_of_a_shape(clock):
    """A syscall per reading: a thread's measure never needs it, a quick inline call reads it once."""
    readings = []
    clock.process_time = lambda: readings.append(1) or 0.0
    off = Offload(0.5)
    assert run_shaped(off, [tsbs("host_1")]) == ["thread"]
    assert readings == []
    assert run_shaped(off, [tsbs("host_2")]) == ["loop"]
    assert readings == [1]  # the start; the end is read only past the budget
    clock.step = 1.0
    assert run_shaped(off, [tsbs("host_3")]) == ["loop"]
    assert readings == [1, 1, 1]


# -- a quick inline call renews its record ------------------------------------------------
def test_a_quick_key_answered_inline_keeps_answering_inline_past_fresh_s(clock):
    off = Offload(0.5)
    assert run(off, ["k", "k"]) == ["thread", "loop"]
    answered = []
    for _ in range(5):  # a live key, asked every 0.6 FRESH_S: 3 FRESH_S past its thread measure
        clock.mono += 0.6 * FRESH_S
        answered += run(off, ["k"])
    assert answered == ["loop"] * 5
    clock.mono += 1.5 * FRESH_S  # left idle past FRESH_S: measured again
    assert run(off, ["k", "k"]) == ["thread", "loop"]


def test_a_quick_text_answered_inline_keeps_its_shape_fresh(clock):
    off = Offload(0.5)
    assert run_shaped(off, [tsbs("host_1"), tsbs("host_1")]) == ["thread", "loop"]
    clock.mono += 0.6 * FRESH_S
    assert run_shaped(off, [tsbs("host_1")]) == ["loop"]
    clock.mono += 0.6 * FRESH_S  # past the thread measure, not past the last quick call
    assert run_shaped(off, [tsbs("host_2")]) == ["loop"]


@pytest.mark.parametrize("cpu", [None, 0.0])  # slow by CPU too (demoted), or by the wall clock only
def test_a_renewed_key_turned_slow_inline_goes_to_a_thread_at_once(clock, cpu):
    off = Offload(0.5)
    assert run_shaped(off, [tsbs("host_1"), tsbs("host_1")]) == ["thread", "loop"]
    clock.mono += 0.6 * FRESH_S
    clock.step, clock.cpu = 1.0, cpu  # grown data: 1 s inline (the one stall)
    assert run_shaped(off, [tsbs("host_1")]) == ["loop"]
    assert off.costs[Offload.key("query", tsbs("host_1"))][0] == 1.0
    clock.step = 0.0  # (no time passes: the next call is still within FRESH_S of the last measure)
    assert run_shaped(off, [tsbs("host_1")]) == ["thread"]
    # new texts of its shape: threads while it is demoted; else inline (host_1 just measured it quick)
    assert run_shaped(off, [tsbs("host_2"), tsbs("host_3")]) == (["thread"] * 2 if cpu is None else ["loop"] * 2)


def test_a_renewed_key_goes_stale_when_data_change_or_grow(clock):
    off = Offload(0.5)
    assert run(off, ["k", "k"]) == ["thread", "loop"]
    off.data_changed()
    assert run(off, ["k", "k"]) == ["thread", "loop"]
    off.data_grew("db", 100)  # the first write after a change: its database's size is unknown
    assert run(off, ["k", "k"]) == ["thread", "loop"]
    off.data_grew("db", 5)  # under GROWTH: still fresh
    assert run(off, ["k"]) == ["loop"]
    off.data_grew("db", 50)
    assert run(off, ["k"]) == ["thread"]
