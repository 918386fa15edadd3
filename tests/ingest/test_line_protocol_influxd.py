"""Table-driven: what influxd 1.6.7 accepted, refused and stored, line by line.

The cases and influxd's answers live in tests/cases/line_protocol_influxd.json
(recorded by tests/cases/line_protocol_record.py against a real influxd). The
few places where we differ on purpose are listed in DEVIATIONS with what we do
instead. An optional test replays the cases against a live influxd.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

import tsdb_core
from tsdb_core.base.types import field_key
from tsdb_core.ingest.line_protocol import parse

CASES_FILE = Path(__file__).resolve().parents[1] / "cases" / "line_protocol_influxd.json"
CASES = json.loads(CASES_FILE.read_text())["cases"]
NOW = 1_600_000_000_123_456_789

# id -> (why we differ, the error reasons we give instead of influxd's answer).
DEVIATIONS: dict[str, tuple[str, list[str]]] = {
    "unsigned": ("u suffix accepted as in InfluxDB 3 (1.x needs a build flag)", []),
    "unsigned max": ("u suffix accepted as in InfluxDB 3", []),
    "crlf": ("CRLF line endings accepted as in InfluxDB 3", []),
    "crlf no timestamp": ("CRLF line endings accepted as in InfluxDB 3", []),
    # the parser refuses the later line; Store.write then fails the shard group as 1.6.7 does
    # (test_store_matches_influxd_on_write_failures below)
    "type conflict in body": (
        "the parser refuses the later conflicting line (the store fails the write)",
        ['field type conflict: input field "v" on measurement "cpu" is type integer, '
         "already exists as type float"]),
    "type conflict rejected line keeps no types": (
        "the parser refuses the later conflicting line (the store fails the write)",
        ['field type conflict: input field "a" on measurement "cpu" is type integer, '
         "already exists as type float"]),
    "duplicate fields types": (
        "the parser refuses the line (the store fails the write)",
        ['field type conflict: input field "v" on measurement "cpu" is type string, '
         "already exists as type float"]),
}


def expand(body) -> str:
    if isinstance(body, str):
        return body
    prefix, fill, count, suffix = body
    return prefix + fill * count + suffix


def _expand_value(v):
    if isinstance(v, dict):
        return v["fill"] * v["count"]
    return v


def _expand_key(k: str) -> str:
    m = re.fullmatch(r"(.)\*(\d+)", k)
    return m.group(1) * int(m.group(2)) if m else k


def expected_reasons(error) -> list[str] | None:
    """influxd's error text → the reasons we must give (None: compare as one text)."""
    if error is None:
        return []
    if isinstance(error, dict):
        return None
    text = error
    if text.startswith("partial write: "):
        text = text[len("partial write: "):]
        text = re.sub(r" dropped=\d+$", "", text)
    return [text]


def _our_rows(parsed, measurement):
    batch = parsed.batches[measurement]
    rows = []
    for rec in batch.frame.iter_rows(named=True):
        rows.append({
            "time": rec["time"],
            "tags": {k: rec[k] for k in batch.tags if rec[k] is not None},
            "fields": {field_key(k): rec[k] for k in batch.fields if rec[k] is not None},
        })
    return sorted(rows, key=lambda r: r["time"])


def _same_value(ours, theirs, ftype: str) -> bool:
    if ftype == "float":
        return isinstance(ours, float) and ours == float(theirs)
    return ours == theirs


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_influxd(case):
    body = expand(case["body"])
    parsed = parse(body, precision=case["precision"], now=NOW)
    reasons = [e.reason for e in parsed.errors]
    if case["id"] in DEVIATIONS:
        _, want = DEVIATIONS[case["id"]]
        assert reasons == want
        return
    want = expected_reasons(case["error"])
    if want is None:  # very long error: check its ends and length
        err = case["error"]
        joined = "\n".join(reasons)
        assert joined.startswith(err["prefix"]) and joined.endswith(err["suffix"])
        assert len(joined) == err["length"]
    elif case["status"] != 204 and want and not want[0].startswith("unable to parse"):
        assert reasons[:1] == want  # a write-time refusal (first reason is reported)
    else:
        assert "\n".join(reasons) == "\n".join(want)
    stored = {m: s for m, s in case["stored"].items() if s["rows"]}
    assert set(parsed.batches) == set(stored)
    timed = all(r["time"] != NOW - NOW % 1 for m in parsed.batches for r in _our_rows(parsed, m))
    for m, s in stored.items():
        batch = parsed.batches[m]
        types = {_expand_key(k): t for k, t in s["field_types"].items()}
        assert {field_key(k): t.value for k, t in batch.fields.items()} == types
        assert set(batch.tags) == set(s["tag_keys"])
        ours = _our_rows(parsed, m)
        theirs = [{"time": r["time"],
                   "tags": {k: _expand_value(v) for k, v in r["tags"].items() if v != ""},
                   "fields": {_expand_key(k): _expand_value(v) for k, v in r["fields"].items()}}
                  for r in s["rows"]]
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            if timed:
                assert o["time"] == t["time"]
            assert o["tags"] == t["tags"]
            assert o["fields"].keys() == t["fields"].keys()
            for k, v in t["fields"].items():
                assert _same_value(o["fields"][k], v, types[k]), (k, o["fields"][k], v)


WRITE_FAILURES = [c for c in CASES if c["error"] == "field type conflict" or c["id"] == "tag and field same key"]


@pytest.mark.parametrize("case", WRITE_FAILURES, ids=[c["id"] for c in WRITE_FAILURES])
def test_store_matches_influxd_on_write_failures(case):
    """Through Store.write (influxdb1): the status, the error and what influxd kept, as recorded
    (each case had a database, hence shard groups, of its own)."""
    store = tsdb_core.open(None)
    store.create_database("db")
    result = store.write("db", expand(case["body"]), precision=case["precision"])
    assert result.failure == case["error"]
    assert result.ok is (case["status"] == 204)
    for m, s in case["stored"].items():
        schema = store.schema("db", m)
        assert {k: t.value for k, t in schema.fields.items()} == s["field_types"]
        rows = store.query(f'SELECT * FROM "{m}"', db="db", epoch="ns").to_json()["results"][0]
        assert len(rows.get("series", [{}])[0].get("values", [])) == len(s["rows"])
    if case["id"] == "tag and field same key":
        got = store.query("SELECT k::tag, k::field, v FROM cpu", db="db", epoch="ns").to_json()
        assert got["results"][0]["series"][0]["values"] == [
            [1500000000000000000, "a", None, 1.0], [1500000000000000001, None, 2.0, None]]


def test_deviations_are_recorded_cases():
    assert set(DEVIATIONS) <= {c["id"] for c in CASES}


@pytest.mark.influxd
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("influxd") is None, reason="influxd not on PATH")
@pytest.mark.skipif(os.environ.get("TSDB_SLOW") != "1", reason="starts influxd; set TSDB_SLOW=1")
def test_recorded_cases_still_match_live_influxd():
    """Replays a handful of cases against a live influxd (the recording is not stale)."""
    import sys
    sys.path.insert(0, str(CASES_FILE.parent))
    try:
        from line_protocol_record import influxd_server, run_case
    finally:
        sys.path.pop(0)
    sample = [c for c in CASES if len(json.dumps(c["body"])) < 300][:12]
    with influxd_server() as url:
        for n, case in enumerate(sample):
            res = run_case(url, f"live{n}", case["body"], case["precision"])
            assert (res["status"], res["error"]) == (case["status"], case["error"]), case["id"]
