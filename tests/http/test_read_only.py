"""`tsdb serve --read-only`: a second process's view of a store another process writes.

The writer is a store opened in this process; the reader is the shim serving the same directory
with ``read_only`` (no lock, no background work), reached over real HTTP.
"""
from __future__ import annotations

import threading

import httpx
import pytest
from click.testing import CliRunner

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.cli import cli
from tsdb_http.serve import serve

NS = 1_000_000_000


@pytest.fixture()
def writer_and_reader(tmp_path):
    root = tmp_path / "store"
    writer = tsdb_core.open(root)
    writer.write("db", f"cpu,host=a v=1 {NS}\ncpu,host=b v=2 {2 * NS}".encode())
    writer.flush()
    stop, ready, urls, errors = threading.Event(), threading.Event(), [], []

    def run():
        try:
            serve(root, port=0, no_auth=True, compat="influxdb1", stop=stop, ready=ready, url_out=urls,
                  config=StoreConfig(read_only=True))
        except BaseException as e:  # the test reports it rather than hanging
            errors.append(e)
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30) and not errors, errors
    yield writer, urls[0]
    stop.set()
    thread.join(30)
    writer.close()


def _count(base: str) -> list:
    r = httpx.get(f"{base}/query", params={"db": "db", "q": "SELECT count(v) FROM cpu"})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]["series"][0]["values"][0][1]


def test_reader_answers_queries_and_follows_flushes(writer_and_reader):
    writer, base = writer_and_reader
    assert _count(base) == 2
    writer.write("db", f"cpu,host=c v=3 {3 * NS}".encode())
    assert _count(base) == 2  # not flushed yet: not visible
    writer.flush()
    assert _count(base) == 3


def test_reader_refuses_writes_and_changes(writer_and_reader):
    writer, base = writer_and_reader
    r = httpx.post(f"{base}/write", params={"db": "db"}, content=f"cpu,host=z v=9 {4 * NS}")
    assert r.status_code == 400
    assert "read-only" in r.json()["error"]
    r = httpx.post(f"{base}/query", params={"db": "db", "q": "DROP MEASUREMENT cpu"})
    assert "read-only" in r.json()["results"][0]["error"]
    assert _count(base) == 2


def test_read_only_cannot_load_the_demo(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--read-only", "--demo"])
    assert result.exit_code != 0
    assert "--demo loads samples into the store: it cannot go with --read-only" in result.output
