"""The TSBS devops generator (bench/devops.py) and the parser on its batches."""
from __future__ import annotations

import hashlib

from bench import devops
from tsdb_core.ingest.line_protocol import parse, parse_exact
from tsdb_core.base.types import FieldType


def test_generator_is_deterministic_and_shaped_like_tsbs():
    a = list(devops.batches(hosts=3, hours=0.05, seed=7))
    b = list(devops.batches(hosts=3, hours=0.05, seed=7))
    assert a == b
    assert hashlib.sha256(b"".join(a)).hexdigest() != hashlib.sha256(
        b"".join(devops.batches(hosts=3, hours=0.05, seed=8))).hexdigest()
    lines = b"".join(a).decode().splitlines()
    assert len(lines) == 3 * 18  # 3 hosts, one row every 10 s for 3 minutes
    first = lines[0]
    assert first.startswith("cpu,hostname=host_0,region=")
    assert first.endswith(" 1451606400000000000")
    assert lines[3].endswith(" 1451606410000000000")


def test_batches_hold_5000_lines():
    sizes = [body.count(b"\n") for body in devops.batches(hosts=100, hours=0.2)]
    assert sizes == [5000, 2200]


def test_devops_batch_parses_into_one_table():
    body = next(devops.batches(hosts=50, hours=0.05))
    parsed = parse(body, now=0)
    assert parsed.errors == []
    batch = parsed.batches["cpu"]
    assert batch.tags == tuple(sorted(["arch", "datacenter", "hostname", "os", "rack", "region",
                                       "service", "service_environment", "service_version", "team"]))
    assert batch.fields == {k: FieldType.FLOAT for k in sorted(devops.FIELDS)}
    assert batch.num_points == 50 * 18 and batch.num_values == 50 * 18 * 10
    assert batch.frame.select(batch.fields.keys()).min_horizontal().min() >= 0.0
    assert batch.frame.select(batch.fields.keys()).max_horizontal().max() <= 100.0
    assert batch.frame.equals(parse_exact(body, now=0).batches["cpu"].frame)
