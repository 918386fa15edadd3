"""Quick reads stay on the direct path while a write waits on its thread (offload.py,
routes_write.py): such writes do not count as requests an inline call would hold up; the
known costs go stale once a database grew by a share (GROWTH), not at each write."""
from __future__ import annotations

import asyncio

import pytest

from tsdb_http import offload
from tsdb_http.offload import GROWTH, Offload

from .test_offload import Clock, run


def test_writes_on_their_thread_leave_quick_reads_inline():
    off = Offload(0.5)
    run(off, ["k"])
    off.writing = 2  # two writes in flight (parsing, waiting for the fsync)
    assert run(off, ["k", "k"], busy=3) == ["loop", "loop"]
    off.writing = 1  # one write, and another read being served: a thread
    assert run(off, ["k"], busy=3) == ["thread"]


def test_a_change_makes_costs_stale_at_once():
    """A drop, a delete, a write failed part-way: grown data may make a once-quick read slow
    (tests/reliability/test_http_limits.py)."""
    off = Offload(0.5)
    run(off, ["k"])
    off.data_changed()
    assert run(off, ["k", "k"]) == ["thread", "loop"]


def test_small_writes_keep_a_quick_read_inline_until_the_data_grew_by_a_share():
    off = Offload(0.5)
    off.data_grew("db", 1000)  # the first write seen: the size is not known yet
    run(off, ["k"])
    for _ in range(int(GROWTH * 1000) // 10):  # 10-point writes, up to GROWTH of the data
        off.data_grew("db", 10)
        assert run(off, ["k"]) == ["loop"]
    off.data_grew("db", 10)  # past GROWTH: measured again, once
    assert run(off, ["k", "k"]) == ["thread", "loop"]


def test_a_read_made_slow_by_a_big_write_is_sent_back_to_a_thread(monkeypatch):
    """The stall protection of data_changed, kept for writes that grow the data."""
    clock = Clock()
    monkeypatch.setattr(offload, "time", clock)
    off = Offload(0.5)
    off.data_grew("db", 1000)
    run(off, ["k"])
    off.data_grew("db", 10)
    assert run(off, ["k"]) == ["loop"]
    off.data_grew("db", 5000)  # a big write: the read now costs 1 s
    clock.step = 1.0
    assert run(off, ["k", "k"]) == ["thread", "thread"]  # measured slow there, and kept there


def test_a_small_database_growing_is_not_hidden_by_a_large_one():
    off = Offload(0.5)
    off.data_grew("big", 1_000_000)
    off.data_grew("small", 10)
    run(off, ["k"])
    off.data_grew("small", 5)  # +50% of "small", a trifle of all the points
    assert run(off, ["k"]) == ["thread"]


def test_after_a_change_the_next_write_makes_costs_stale():
    """A drop may have shrunk a database: its size is learnt again."""
    off = Offload(0.5)
    off.data_grew("db", 1000)
    off.data_changed()
    run(off, ["k"])
    off.data_grew("db", 1)
    assert run(off, ["k"]) == ["thread"]


def test_the_database_sizes_are_bounded():
    off = Offload(0.5)
    for i in range(offload.MAX_KEYS + 10):
        off.data_grew(f"db{i}", 1)
    assert len(off.points) <= offload.MAX_KEYS


pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

from tests.http.conftest import REAL_ENGINE  # noqa: E402
from tests.http.test_answer_now import Conn, app, get, q  # noqa: E402,F401 - the fixture


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_a_write_in_flight_keeps_a_repeated_read_direct(app):
    """A write of another connection waiting on its thread: the known-quick read is still
    answered from the protocol callback (no ASGI task), with the same bytes."""
    async def go():
        c = Conn(app)
        path = q("SHOW MEASUREMENTS")
        (first,), _ = await c.send(get(path))
        await c.send(get(path))
        app.offload.busy += 1  # the write, inside the app ...
        app.offload.writing += 1  # ... on a worker thread
        try:
            (again,), via_task = await c.send(get(path))
        finally:
            app.offload.writing -= 1
            app.offload.busy -= 1
        return first, again, via_task

    first, again, via_task = asyncio.run(go())
    assert not via_task and again.split(b"\r\n\r\n")[1] == first.split(b"\r\n\r\n")[1]


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_the_write_route_counts_its_time_on_the_thread(app, monkeypatch):
    from starlette.testclient import TestClient

    seen = []
    store = app.state.shim.store
    write = store.write

    def spying(*args, **kw):
        seen.append(app.offload.writing)
        return write(*args, **kw)

    monkeypatch.setattr(store, "write", spying)
    epoch = app.offload.epoch
    with TestClient(app) as client:
        assert client.post("/write?db=mydb", content="cpu,host=w usage=1 1").status_code == 204
        assert app.offload.writing == 0 and app.offload.epoch == epoch + 1  # (the first write seen)
        assert app.offload.points == {"mydb": 1}
        assert client.post("/write?db=mydb", content="cpu usage=oops 1").status_code == 400
        assert app.offload.writing == 0 and app.offload.epoch == epoch + 1  # nothing written
        body = "\n".join(f"cpu,host=w usage={i} {i}" for i in range(2, 12))
        assert client.post("/write?db=mydb", content=body).status_code == 204
        assert app.offload.epoch == epoch + 2 and app.offload.points == {"mydb": 11}  # grew 10x
    assert seen == [1, 1, 1]
