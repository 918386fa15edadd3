"""WAL replay past a damaged record: skip exactly it, resume at the next good one, log the bytes."""
from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsdb_core.storage.wal import MAGIC, Wal

PAYLOADS = [b"alpha", b"bravo-bravo", b"c" * 40, b"delta", b"echo" * 3]


def _write(path, payloads=PAYLOADS) -> tuple[bytes, list[int]]:
    w = Wal(path)
    list(w.replay())
    for p in payloads:
        w.append(p)
    w.close()
    seg = sorted(path.glob("*.wal"))[0]
    data = seg.read_bytes()
    starts, pos = [], len(MAGIC)
    while pos < len(data):
        starts.append(pos)
        pos += 16 + struct.unpack_from("<I", data, pos)[0]
    return data, starts + [len(data)]


def _replay(path, data: bytes):
    seg = sorted(path.glob("*.wal"))[0]
    seg.write_bytes(data)
    w = Wal(path)
    got = list(w.replay())
    w.close()
    return got, [(s.start, s.end, s.reason) for s in w.skipped]


def _flip(data: bytes, *positions: int, mask: int = 0x5A) -> bytes:
    b = bytearray(data)
    for p in positions:
        b[p] ^= mask
    return bytes(b)


def _expect(skip: set[int]) -> list[tuple[int, bytes]]:
    return [(i + 1, p) for i, p in enumerate(PAYLOADS) if i not in skip]


@pytest.mark.no_catalog
@pytest.mark.parametrize("record", range(5), ids=lambda r: f"record{r}")
@pytest.mark.parametrize("offset", [0, 3, 4, 8, 15, 16], ids=lambda o: f"byte{o}")
def test_one_damaged_record_is_skipped_alone(tmp_path, record, offset):
    data, starts = _write(tmp_path)
    got, skipped = _replay(tmp_path, _flip(data, starts[record] + offset))
    if record == 4 and offset in (0, 3):
        # the last record's length made longer than the file: a torn tail, nothing after it
        assert skipped == [(starts[4], len(data), "torn record")]
    else:
        assert skipped == [(starts[record], starts[record + 1], "corrupt record")]
    assert got == _expect({record})


@pytest.mark.no_catalog
def test_two_damaged_records_in_a_row(tmp_path):
    data, starts = _write(tmp_path)
    got, skipped = _replay(tmp_path, _flip(data, starts[1], starts[2]))  # both length fields
    assert got == _expect({1, 2})
    assert skipped == [(starts[1], starts[3], "corrupt record")]


@pytest.mark.no_catalog
def test_a_wrong_but_sane_length_resyncs_on_the_next_seq(tmp_path):
    data, starts = _write(tmp_path)
    b = bytearray(data)
    struct.pack_into("<I", b, starts[1], 2)  # points inside its own payload
    got, skipped = _replay(tmp_path, bytes(b))
    assert got == _expect({1})
    assert skipped == [(starts[1], starts[2], "corrupt record")]


@pytest.mark.no_catalog
def test_garbage_to_the_end_drops_the_rest(tmp_path):
    data, starts = _write(tmp_path)
    cut = data[: starts[2]] + b"\xAB" * (len(data) - starts[2])
    got, skipped = _replay(tmp_path, cut)
    assert got == _expect({2, 3, 4})
    assert skipped == [(starts[2], len(data), "torn record")]  # its "length" runs past the end


@pytest.mark.no_catalog
def test_torn_tail_after_a_skipped_record(tmp_path):
    data, starts = _write(tmp_path)
    got, skipped = _replay(tmp_path, _flip(data, starts[1] + 20)[:-3])
    assert got == _expect({1, 4})
    assert skipped == [(starts[1], starts[2], "corrupt record"), (starts[4], len(data) - 3, "torn record")]


@pytest.mark.no_catalog
def test_numbering_continues_after_the_highest_seq(tmp_path):
    data, starts = _write(tmp_path)
    sorted(tmp_path.glob("*.wal"))[0].write_bytes(_flip(data, starts[2] + 20))
    w = Wal(tmp_path)
    assert [s for s, _ in w.replay()] == [1, 2, 4, 5]
    assert w.append(b"next") == 6
    w.close()


@pytest.mark.no_catalog
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pos=st.integers(min_value=len(MAGIC), max_value=10_000), mask=st.integers(1, 255))
def test_any_flipped_byte_loses_at_most_its_record(tmp_path, pos, mask):
    for p in tmp_path.glob("*"):
        p.unlink()
    data, starts = _write(tmp_path)
    pos = len(MAGIC) + (pos - len(MAGIC)) % (len(data) - len(MAGIC))
    got, skipped = _replay(tmp_path, _flip(data, pos, mask=mask))
    hit = max(i for i, s in enumerate(starts[:-1]) if s <= pos)
    assert got == _expect({hit})  # never a record that was not written, never another one lost
    assert sum(e - s for s, e, _ in skipped) == starts[hit + 1] - starts[hit]


@pytest.mark.no_catalog
def test_a_length_pointing_past_the_next_record_loses_only_its_own(tmp_path):
    """Found by the property above: record 2's length (40) with bits flipped to 61 points
    exactly at record 4, a valid record; record 3 in between must still be replayed."""
    data, starts = _write(tmp_path)
    got, skipped = _replay(tmp_path, _flip(data, starts[2], mask=21))
    assert got == _expect({2})
    assert skipped == [(starts[2], starts[3], "corrupt record")]
