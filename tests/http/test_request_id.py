"""Request-Id values: the text of a version-1 UUID, as uuid.uuid1 lays it out."""
from __future__ import annotations

import time
import uuid

import pytest

from tsdb_http.request_id import RequestIds


@pytest.mark.parametrize("now_ns,node,seq", [
    (1_700_000_000_123_456_700, 0x02FC00000001, 0x1ABC),
    (0, 0, 0),
    (1_451_606_400_000_000_000, 0xFFFFFFFFFFFF, 0x3FFF),
])
def test_layout_is_uuid1(monkeypatch, now_ns, node, seq):
    monkeypatch.setattr(time, "time_ns", lambda: now_ns)
    text = RequestIds(node=node, clock_seq=seq).next_str()
    ts = now_ns // 100 + 0x01B21DD213814000
    expect = uuid.UUID(fields=(ts & 0xFFFFFFFF, (ts >> 32) & 0xFFFF, (ts >> 48) & 0x0FFF,
                               (seq >> 8) & 0x3F, seq & 0xFF, node), version=1)
    assert text == str(expect)
    u = uuid.UUID(text)
    assert (u.version, u.variant, u.node, u.clock_seq, u.time) == (1, uuid.RFC_4122, node, seq, ts)


def test_real_clock_and_node_strictly_increasing():
    ids = RequestIds()
    got = [uuid.UUID(ids.next().decode()) for _ in range(2000)]  # faster than the 100 ns clock tick
    assert all(u.node == uuid.getnode() and u.version == 1 for u in got)
    times = [u.time for u in got]
    assert times == sorted(set(times))
    now = time.time_ns() // 100 + 0x01B21DD213814000
    assert 0 <= now - times[0] < 10 * 10**7  # within 10 s


def test_responses_carry_one(cloud):
    r = cloud.get("/ping")
    u = uuid.UUID(r.headers["request-id"])
    assert u.version == 1 and r.headers["x-request-id"] == r.headers["request-id"]
    assert len(r.headers["request-id"]) == 36


def test_layout_across_a_change_of_the_high_ticks(monkeypatch):
    """The text past the low 32 bits of the ticks is kept between ids: it must follow the clock."""
    base = (5 << 32) - 2 - 0x01B21DD213814000  # ticks just below a change of the high word
    clock = iter([(base + d) * 100 for d in (0, 1, 2, 3, 1 << 32, (1 << 48) + 7)])
    monkeypatch.setattr(time, "time_ns", lambda: next(clock))
    ids = RequestIds(node=0x0123456789AB, clock_seq=0x0ABC)
    for d in (0, 1, 2, 3, 1 << 32, (1 << 48) + 7):
        u = uuid.UUID(ids.next().decode())
        assert (u.version, u.time, u.node, u.clock_seq) == (1, (5 << 32) - 2 + d, 0x0123456789AB, 0x0ABC)
