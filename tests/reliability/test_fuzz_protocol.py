"""The protocol fuzzer (reliability/fuzz_protocol.py), briefly, under both HTTP servers.

A short run in CI: the first ``SMOKE_CASES`` cases of a fixed seed (the same cases on any
machine, where a wall-clock budget would send fewer on a slow one), every one answered with a
well-formed response or closed within the deadlines, /ping within its bound after each, the
server up, RSS bounded. They hold every kind of case (request, pipeline, trickle, abrupt,
junk, version); for Hypercorn one trickle, which it holds open (a known hold, ~12 s of waiting
for the case's bound). ``TSDB_SLOW=1`` runs two minutes a server; ``python -m reliability.fuzz_protocol
--seconds 600`` is the long mode.
"""
from __future__ import annotations

import io

import pytest

from reliability import fuzz_protocol

from .conftest import SLOW


SMOKE_CASES = 22


@pytest.mark.parametrize("server", ["uvicorn", "hypercorn"])
def test_protocol_fuzz_keeps_the_invariants(server, tmp_path):
    out = io.StringIO()
    budget = dict(seconds=120.0) if SLOW else dict(seconds=float("inf"), max_cases=SMOKE_CASES)
    stats = fuzz_protocol.fuzz(**budget, server_name=server, seed=16, workdir=tmp_path, out=out)
    assert stats["findings"] == [], out.getvalue()
    assert stats["cases"] >= 20
    assert set(stats["kinds"]) == {"request", "pipeline", "trickle", "abrupt", "junk", "version"}
    assert set(stats["statuses"]) <= fuzz_protocol.STATUSES
    assert stats["statuses"][400] > 0 and len(stats["statuses"]) >= 3  # refusals and answers


def test_the_checker_rejects_what_is_not_a_response():
    assert fuzz_protocol._responses(b"HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n") == [204]
    with pytest.raises(ValueError):
        fuzz_protocol._responses(b"garbage")
    with pytest.raises(ValueError):
        fuzz_protocol._responses(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")


def test_the_checker_knows_head_answers_have_no_body():
    head = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 35\r\n\r\n"
    assert fuzz_protocol._responses(head, (True,)) == [431]
    with pytest.raises(ValueError):
        fuzz_protocol._responses(head)
