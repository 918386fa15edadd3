"""Quick reads stay on the direct path while a loader writes (offload.py, routes_write.py):
writes waiting on their fsync do not count as requests an inline call would hold up, and
small writes do not make every known cost stale; a large one, or any other change, does."""
from __future__ import annotations

import asyncio

import pytest

from tsdb_http.offload import GROWTH_ROWS, Offload

from .test_offload import run


def test_writes_on_their_thread_leave_quick_reads_inline():
    off = Offload(0.5)
    run(off, ["k"])
    off.writing = 2  # two writes in flight (parsing, waiting for the fsync)
    assert run(off, ["k", "k"], busy=3) == ["loop", "loop"]
    off.writing = 1  # one write, and another read being served: a thread
    assert run(off, ["k"], busy=3) == ["thread"]


def test_small_writes_keep_the_costs_until_they_add_up():
    off = Offload(0.5)
    run(off, ["k"])
    for _ in range(4):
        off.data_changed(GROWTH_ROWS // 5)
    assert run(off, ["k"]) == ["loop"]
    off.data_changed(GROWTH_ROWS // 5)  # GROWTH_ROWS written since the measure: measured again
    assert run(off, ["k", "k"]) == ["thread", "loop"]


@pytest.mark.parametrize("change", [lambda off: off.data_changed(), lambda off: off.data_changed(GROWTH_ROWS)])
def test_a_drop_or_a_large_write_makes_costs_stale_at_once(change):
    off = Offload(0.5)
    run(off, ["k"])
    change(off)
    assert run(off, ["k"]) == ["thread"]


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
def test_the_write_route_counts_its_rows_and_its_time_on_the_thread(app, monkeypatch):
    from starlette.testclient import TestClient

    seen = []
    store = app.state.shim.store
    write = store.write

    def spying(*args, **kw):
        seen.append((app.offload.writing, app.offload.epoch))
        return write(*args, **kw)

    monkeypatch.setattr(store, "write", spying)
    epoch = app.offload.epoch
    with TestClient(app) as client:
        body = "\n".join(f"cpu,host=w usage={i} {i}" for i in range(10))
        assert client.post("/write?db=mydb", content=body).status_code == 204
        assert app.offload.writing == 0 and app.offload.epoch == epoch  # 10 rows: costs kept
        big = "\n".join(f"cpu,host=w usage={i} {i}" for i in range(GROWTH_ROWS))
        assert client.post("/write?db=mydb", content=big).status_code == 204
        assert app.offload.epoch == epoch + 1
        assert client.post("/write?db=mydb", content="cpu usage=oops 1").status_code == 400
    assert [w for w, _ in seen] == [1, 1, 1]
