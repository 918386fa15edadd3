"""Live comparison with a real influxd 1.6.7 (skipped when absent; slow: TSDB_SLOW=1).

Starts influxd on 127.0.0.1 with its own temp dirs and ports, loads the NOAA
sample, and checks that the recorded answers in noaa.json are still what influxd
says (so the table cannot drift from the reference), then that we agree.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tsdb_core.query.engine import execute

from .conftest import NOAA, NOAA_DB, NOW
from .test_noaa_cases import KNOWN_DEVIATIONS, READ_CASES, approx_equal

pytestmark = [
    pytest.mark.influxd, pytest.mark.slow,
    pytest.mark.skipif(shutil.which("influxd") is None, reason="influxd not installed"),
    pytest.mark.skipif(os.environ.get("TSDB_SLOW") != "1", reason="slow: set TSDB_SLOW=1"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def influxd(tmp_path_factory):
    d = tmp_path_factory.mktemp("influxd")
    http, bind = _free_port(), _free_port()
    conf = d / "influxd.conf"
    conf.write_text(f"""reporting-disabled = true
bind-address = "127.0.0.1:{bind}"
[meta]
  dir = "{d}/meta"
[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{http}"
  log-enabled = false
[continuous_queries]
  enabled = false
""")
    proc = subprocess.Popen(["influxd", "-config", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/ping")
            break
        except OSError:
            time.sleep(0.1)
    _post(base, "/query", {"q": f"CREATE DATABASE {NOAA_DB}"})
    lines = gzip.decompress(NOAA.read_bytes()).splitlines()
    for i in range(0, len(lines), 20000):
        req = urllib.request.Request(f"{base}/write?db={NOAA_DB}", data=b"\n".join(lines[i:i + 20000]))
        urllib.request.urlopen(req)
    yield base
    proc.terminate()
    proc.wait(10)


def _post(base, path, params):
    data = urllib.parse.urlencode(params).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, data=data)) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read())


@pytest.mark.parametrize("case", READ_CASES[::7], ids=lambda c: c["query"])
def test_live_same_answer(influxd, noaa_store, case):
    if case["query"] in KNOWN_DEVIATIONS:
        pytest.skip(KNOWN_DEVIATIONS[case["query"]])
    params = {"q": case["query"]}
    if case["db"]:
        params["db"] = case["db"]
    if case["epoch"]:
        params["epoch"] = case["epoch"]
    live = _post(influxd, "/query", params)
    assert live == case["expected"], "the recorded answer drifted from influxd"
    ours = execute(noaa_store, case["query"], db=case["db"] or None, epoch=case["epoch"], now=NOW)
    assert approx_equal(json.loads(json.dumps(ours.to_json())), live)
