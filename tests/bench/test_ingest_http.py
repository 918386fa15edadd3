"""bench.ingest_http at a tiny scale: a fresh server per load, timed, with its CPU seconds."""
from __future__ import annotations

import os
from pathlib import Path

from bench import devops, ingest_http, loader
from bench.tsdb_server import TsdbServer


def test_cpu_seconds_of_a_process_grow_with_work():
    before = ingest_http.cpu_seconds(os.getpid())
    x = 0
    while ingest_http.cpu_seconds(os.getpid()) - before < 0.05:
        x += sum(range(10_000))
    assert x > 0


def test_each_load_goes_into_a_fresh_server_of_this_or_another_checkout():
    batches = loader.split_batches(b"".join(devops.batches(3, 0.5, 1)), 200)
    assert len(batches.parts) > 2
    repo = Path(ingest_http.__file__).resolve().parents[1]
    for make in (TsdbServer, lambda: ingest_http.TreeServer(repo)):
        seconds, cpu = ingest_http.load_once(make, batches, 2, None)
        assert seconds > 0 and cpu > 0
