"""``python -m tsdb_http.serve`` as a process: first-start token, SIGTERM/SIGINT shut down
gracefully and flush the write buffer to Parquet."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import tsdb_core
from tsdb_http.serve import store_config
from tsdb_core.base.time import MAX_TIME, MIN_TIME

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _start(data_dir, *extra):
    proc = subprocess.Popen([sys.executable, "-m", "tsdb_http.serve", "--data-dir", str(data_dir), "--port", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if line.startswith("tsdb: serving "):
            url = line.split()[2]
    assert url, proc.stderr.read()
    return proc, url


def test_sigterm_flushes_and_exits_cleanly(tmp_path):
    sig = signal.SIGTERM
    proc, url = _start(tmp_path)
    token = proc.stdout.readline().strip()
    assert token.startswith("tsdb_")
    now = time.time_ns() - 10**9
    r = httpx.post(f"{url}/api/v2/write?bucket=db", content=f"m,h=a v=1 {now}\nm,h=b v=2 {now + 1}".encode(),
                   headers={"Authorization": f"Token {token}"})
    assert r.status_code == 204
    proc.send_signal(sig)
    assert proc.wait(30) == 0
    assert "store flushed and closed" in proc.stderr.read()
    with tsdb_core.open(tmp_path, config=store_config("cloud-dedicated")) as store:
        assert store.files(), "the buffer was flushed to Parquet on shutdown"
        df = store.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().sort("time")
        assert df["v"].to_list() == [1.0, 2.0] and df["time"].to_list() == [now, now + 1]


def test_no_auth_prints_no_token_and_stops_on_sigint(tmp_path):
    proc, url = _start(tmp_path, "--no-auth", "--compat", "influxdb1")
    try:
        assert httpx.get(f"{url}/ping").headers["x-influxdb-build"] == "OSS"
        assert httpx.post(f"{url}/write?db=nope", content=b"m v=1").status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    assert proc.stdout.read() == ""
    assert not (tmp_path / "tokens.json").exists()


def _loop_module():
    import asyncio

    async def which():
        return type(asyncio.get_running_loop()).__module__
    return which()


def test_run_loop_prefers_uvloop_and_falls_back(monkeypatch):
    import pytest

    from tsdb_http.serve import run_loop

    pytest.importorskip("uvloop")
    monkeypatch.delenv("TSDB_EVENT_LOOP", raising=False)
    assert run_loop(_loop_module()).startswith("uvloop")
    monkeypatch.setenv("TSDB_EVENT_LOOP", "asyncio")
    assert run_loop(_loop_module()).startswith("asyncio")
    monkeypatch.delenv("TSDB_EVENT_LOOP")
    monkeypatch.setitem(sys.modules, "uvloop", None)  # not installed: import fails
    assert run_loop(_loop_module()).startswith("asyncio")


def test_a_server_process_settles_its_heap_and_a_server_thread_does_not():
    """``tsdb serve`` (a server in its process's main thread) freezes what is alive at start and
    raises the young threshold; a server started inside a program leaves the program's collector
    as it was."""
    code = """if True:
        import gc, threading
        from tsdb_http import serve
        t = threading.Thread(target=serve.settle_heap)
        t.start(); t.join()
        print(gc.get_freeze_count(), gc.get_threshold()[0])
        serve.settle_heap()
        print(gc.get_freeze_count() > 1000, gc.get_threshold()[0])
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    from tsdb_http.serve import GC_YOUNG

    assert out.stdout.split("\n")[:2] == ["0 700", f"True {GC_YOUNG}"], out.stdout + out.stderr


def test_warm_up_builds_the_parser_before_the_first_request():
    """(A warm-up that fails is logged and leaves the work to the first query.)"""
    from tsdb_http import serve

    seen = []

    class Shim:
        def prepare_fn(self):
            return lambda q: seen.append(q)

    class App:
        class state:
            shim = Shim()

    serve.warm_up(App())
    assert seen == ["SHOW DATABASES"]
    App.state.shim = None  # (no prepare_fn: the warm-up fails quietly)
    serve.warm_up(App())
