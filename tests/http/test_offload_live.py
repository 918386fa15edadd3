"""Quick reads stay on the direct path while a write waits on its thread (offload.py,
routes_write.py): such writes do not count as requests an inline call would hold up; each
write still makes the known costs stale."""
from __future__ import annotations

import asyncio

import pytest

from tsdb_http.offload import Offload

from .test_offload import run


def test_writes_on_their_thread_leave_quick_reads_inline():
    off = Offload(0.5)
    run(off, ["k"])
    off.writing = 2  # two writes in flight (parsing, waiting for the fsync)
    assert run(off, ["k", "k"], busy=3) == ["loop", "loop"]
    off.writing = 1  # one write, and another read being served: a thread
    assert run(off, ["k"], busy=3) == ["thread"]


def test_a_write_makes_costs_stale_at_once():
    """Grown data may make a once-quick read slow (tests/reliability/test_http_limits.py)."""
    off = Offload(0.5)
    run(off, ["k"])
    off.data_changed()
    assert run(off, ["k", "k"]) == ["thread", "loop"]


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
        assert app.offload.writing == 0 and app.offload.epoch == epoch + 1
        assert client.post("/write?db=mydb", content="cpu usage=oops 1").status_code == 400
        assert app.offload.writing == 0 and app.offload.epoch == epoch + 2
    assert seen == [1, 1]
