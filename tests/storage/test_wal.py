"""WAL segments: records come back exactly, torn/corrupt tails are cut, segments roll and truncate."""
from __future__ import annotations

import threading

import pytest

from tsdb_core.storage.wal import MAGIC, Wal


def _open(path, **kw):
    w = Wal(path, **kw)
    got = list(w.replay())
    return w, got


@pytest.mark.no_catalog
def test_append_replay_round_trip(tmp_path):
    w, got = _open(tmp_path)
    assert got == []
    seqs = [w.append(f"payload {i}".encode() * i) for i in range(1, 6)]
    w.sync(seqs[-1])
    w.close()
    w2, got = _open(tmp_path)
    assert got == [(i, f"payload {i}".encode() * i) for i in range(1, 6)]
    assert w2.append(b"next") == 6  # numbering continues
    w2.close()


@pytest.mark.no_catalog
@pytest.mark.parametrize("cut", range(1, 24))
def test_every_torn_tail_is_ignored(tmp_path, cut):
    w, _ = _open(tmp_path)
    w.append(b"first record")
    w.append(b"second record")
    w.close()
    [seg] = sorted(tmp_path.glob("*.wal"))[:1]
    data = seg.read_bytes()
    seg.write_bytes(data[:-cut])  # the second record (16 + 13 bytes) torn anywhere
    _, got = _open(tmp_path)
    assert got == [(1, b"first record")] if cut <= 29 else []


@pytest.mark.no_catalog
@pytest.mark.parametrize("offset", [0, 4, 8, 16, 20])
def test_corrupt_record_is_skipped_and_replay_resumes_after_it(tmp_path, offset):
    w, _ = _open(tmp_path)
    for p in (b"aaaa", b"bbbb", b"cccc"):
        w.append(p)
    w.close()
    seg = sorted(tmp_path.glob("*.wal"))[0]
    data = bytearray(seg.read_bytes())
    second = len(MAGIC) + 20  # header 16 + payload 4
    data[second + offset % 20] ^= 0x55
    seg.write_bytes(bytes(data))
    w2, got = _open(tmp_path)
    assert got == [(1, b"aaaa"), (3, b"cccc")]  # resync: by length, or by the next seq (offset 0)
    assert [(s.start, s.end, s.reason) for s in w2.skipped] == [(second, second + 20, "corrupt record")]


@pytest.mark.no_catalog
def test_segments_roll_and_truncate_through(tmp_path):
    w, _ = _open(tmp_path, segment_bytes=100)
    for i in range(20):
        w.append(b"x" * 40)
    assert len(list(tmp_path.glob("*.wal"))) > 5
    last = w.rotate()
    assert last == 20
    w.append(b"after")
    w.truncate_through(last)
    assert len(list(tmp_path.glob("*.wal"))) == 1
    w.close()
    _, got = _open(tmp_path)
    assert got == [(21, b"after")]


@pytest.mark.no_catalog
def test_group_commit_many_threads(tmp_path):
    w, _ = _open(tmp_path)
    done = []

    def worker(k):
        for i in range(50):
            seq = w.append(f"{k}:{i}".encode())
            w.sync(seq)
            done.append(seq)
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    w.close()
    _, got = _open(tmp_path)
    assert [s for s, _ in got] == list(range(1, 301)) and sorted(done) == list(range(1, 301))
    assert sorted(p.decode() for _, p in got) == sorted(f"{k}:{i}" for k in range(6) for i in range(50))


@pytest.mark.no_catalog
def test_numbers_never_go_back_after_a_full_truncate(tmp_path):
    """Regression (found by the SIGKILL test): after flush + truncate every segment is empty; the
    next process must not restart at seq 1 and later reuse (and then delete) a live segment's name."""
    w, _ = _open(tmp_path, segment_bytes=60)
    for i in range(5):
        w.append(b"y" * 30)
    w.truncate_through(w.rotate())  # like a flush: only an empty segment "6" is left
    w.close()  # crash here
    w, got = _open(tmp_path, segment_bytes=60)
    assert got == []
    seqs = [w.append(b"z" * 30) for _ in range(8)]  # rolls over several segments
    assert seqs[0] > 6
    w.truncate_through(0)  # deletes only the stale empty segment
    w.close()
    _, got = _open(tmp_path)
    assert [s for s, _ in got] == seqs
