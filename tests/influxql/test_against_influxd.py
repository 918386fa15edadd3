"""The corpora against a real influxd 1.6.7 (skipped when ``influxd`` is not on PATH).

Valid statements must not be parse errors there; invalid ones must fail with
exactly our message. influxd trims the query text, as our corpus already is.
"""
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .corpus_invalid import INVALID
from .corpus_valid import ALL as VALID

pytestmark = pytest.mark.influxd

_CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{root}/meta"
  logging-enabled = false
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false
[retention]
  enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[http]
  bind-address = "127.0.0.1:{http}"
  log-enabled = false
[logging]
  level = "error"
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def influxd():
    exe = shutil.which("influxd")
    if exe is None:
        pytest.skip("influxd not installed")
    root = Path(tempfile.mkdtemp(prefix="tsdb-influxql-"))
    http = _free_port()
    conf = root / "influxd.conf"
    conf.write_text(_CONFIG.format(root=root, rpc=_free_port(), http=http))
    proc = subprocess.Popen([exe, "-config", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/ping", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.skip("influxd did not start")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def _parse_error(url: str, text: str) -> str | None:
    body = urllib.parse.urlencode({"q": text, "db": "x"}).encode()
    try:
        with urllib.request.urlopen(url + "/query", data=body, timeout=10) as resp:
            answer = json.load(resp)
    except urllib.error.HTTPError as exc:
        answer = json.load(exc)
    err = answer.get("error") or ""
    prefix = "error parsing query: "
    return err[len(prefix):] if err.startswith(prefix) else None


def test_valid_corpus_parses_in_influxd(influxd):
    rejected = []
    for text, canonical in VALID:
        if "$" in text:  # influxd wants params for these; our parser keeps BoundParameter nodes
            continue
        for q in {text, canonical or text}:
            err = _parse_error(influxd, q)
            if err is not None:
                rejected.append((q, err))
    assert rejected == []


def test_invalid_corpus_messages_match_influxd(influxd):
    mismatches = [(q, msg, got) for q, msg in INVALID if (got := _parse_error(influxd, q)) != msg]
    assert mismatches == []
