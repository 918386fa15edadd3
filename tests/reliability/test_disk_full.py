"""Disk full: the store on a small tmpfs; writes past the space get 503, never 204; nothing is lost.

Needs root (mount); skipped cleanly where mounting is not permitted.
"""
from __future__ import annotations

import subprocess
import time
from urllib.parse import urlencode

import orjson
import pytest

import tsdb_core
from reliability.asgi import AsgiCaller
from tsdb_http.app import ShimConfig, create_app
from tsdb_http.serve import store_config


@pytest.fixture()
def small_fs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True,
                           timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"cannot mount a tmpfs: {e}")
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=10)


def _batch(t0: int, b: int, n: int = 500) -> bytes:
    return "\n".join(f'm,b=b{b} i={b * n + k}i,s="{"x" * 40}{k}" {t0 + b * n + k}' for k in range(n)).encode()


def test_disk_full_writes_fail_clearly_and_nothing_is_lost(small_fs):
    root = small_fs / "store"
    cfg = store_config("cloud-dedicated", tsdb_core.StoreConfig(buffer_max_rows=10**9, buffer_max_age_s=3600))
    store = tsdb_core.open(root, config=cfg)
    call = AsgiCaller(create_app(store, None, ShimConfig(no_auth=True)))
    t0 = time.time_ns() - 3600 * 10**9
    acked, failed = [], []
    try:
        for b in range(400):
            ans = call("POST", "/api/v2/write", b"bucket=full", [(b"content-type", b"text/plain")], _batch(t0, b))
            if ans.status == 204:
                acked.append(b)
                continue
            assert ans.status == 503, (ans.status, ans.body)
            doc = orjson.loads(ans.body)
            assert doc["code"] == "unavailable" and "no space" in doc["message"].lower(), doc
            assert ans.headers.get("retry-after")
            failed.append(b)
            if len(failed) >= 3:
                break
        assert acked and len(failed) == 3, (len(acked), len(failed))
        # queries keep working while the disk is full
        ans = call("GET", "/query", urlencode({"db": "full", "q": "SELECT count(i) FROM m"}).encode())
        assert ans.status == 200
        assert orjson.loads(ans.body)["results"][0]["series"][0]["values"][0][1] == len(acked) * 500
        # a flush cannot make room either: it fails without losing or hiding anything
        with pytest.raises(OSError):
            store.flush()
        ans = call("GET", "/query", urlencode({"db": "full", "q": "SELECT count(i) FROM m"}).encode())
        assert orjson.loads(ans.body)["results"][0]["series"][0]["values"][0][1] == len(acked) * 500
        # space comes back (the admin grows the volume): writes resume in the same process
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_fs)], check=True, timeout=10)
        b = 1000
        ans = call("POST", "/api/v2/write", b"bucket=full", [(b"content-type", b"text/plain")], _batch(t0, b))
        assert ans.status == 204, ans.body
        acked.append(b)
        store.flush()
    finally:
        call.close()
        store.close()
    # and after a restart (WAL replayed, Parquet read back) every acknowledged point is there
    store = tsdb_core.open(root, config=cfg)
    try:
        got = store.query("SELECT i FROM m", db="full", epoch="ns").statements[0].series[0].values
        want = sorted((t0 + b * 500 + k, b * 500 + k) for b in acked for k in range(500))
        assert sorted(tuple(r) for r in got) == want
    finally:
        store.close()
