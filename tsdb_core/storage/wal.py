"""Write-ahead log: what it promises is in the names.

``append(payload) -> seq`` writes a record (no fsync); ``sync(seq)`` returns
once every record up to ``seq`` is on disk, and one fsync serves every writer
waiting at that moment (group commit); ``truncate_through(seq)`` deletes whole
segments once the Parquet files holding their rows are durable.

Segment file: 8-byte magic, then records ``<u32 length><u32 crc32><u64 seq><payload>``
(a write's payload: ``wal_record.py``),
the CRC covering seq and payload. Replay never yields a short or corrupt record: a torn
tail (the crash case) ends its segment; a damaged record in the middle is skipped when
the next record can be found (after its length, or by the next sequence number, and
its CRC checks out), else the rest of the segment is dropped. Every skipped byte range
is logged and listed in ``Wal.skipped``.
"""
from __future__ import annotations

import logging
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .fileio import fsync_dir, mkdir_private, open_private

log = logging.getLogger(__name__)

MAGIC = b"TSDBWAL1"
_HEAD = struct.Struct("<IIQ")
_SEQ = struct.Struct("<Q")


@dataclass(frozen=True, slots=True)
class Skipped:
    """Bytes of a segment that replay could not use: ``[start, end)``, and why."""

    segment: str
    start: int
    end: int
    reason: str  # "torn record", "torn header", "corrupt record", "no valid header"


@dataclass(slots=True)
class _Segment:
    path: Path
    first_seq: int
    last_seq: int  # 0 while empty


class Wal:
    """The write-ahead log: ``append`` returns after fsync; ``truncate_through`` once Parquet is durable."""
    def __init__(self, directory: Path, *, segment_bytes: int = 64 << 20, fsync: bool = True):
        self.dir = directory
        self.segment_bytes = segment_bytes
        self.fsync = fsync
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._segments: list[_Segment] = []
        self._fd: int | None = None
        self._size = 0
        self._written = 0
        self._synced = 0
        self.skipped: list[Skipped] = []  # filled by replay()
        mkdir_private(directory)

    # -- open ------------------------------------------------------------------
    def replay(self) -> Iterator[tuple[int, bytes]]:
        """Yield every intact record of every segment, in order; then open a fresh segment."""
        last = 0
        for path in sorted(self.dir.glob("*.wal")):
            seg = _Segment(path, int(path.stem), 0)
            for seq, payload in _read_segment(path, seg.first_seq, self.skipped):
                if seq <= last:
                    continue
                last = seq
                seg.last_seq = seq
                yield seq, payload
            # Numbers never go back, even when every segment is empty: a new segment must
            # sort after (and never reuse the name of) any segment still on disk.
            last = max(last, seg.first_seq)
            self._segments.append(seg)
        for tmp in self.dir.glob("*.tmp"):
            tmp.unlink()
        self._written = self._synced = last
        self._open_segment(last + 1)

    # -- write -----------------------------------------------------------------
    def append(self, payload: bytes) -> int:
        """Write one record (not yet durable); returns its sequence number."""
        with self._lock:
            if self._fd is None:
                raise RuntimeError("WAL is closed")
            if self._size >= self.segment_bytes:
                self._rotate_locked()
            seq = self._written + 1
            seqb = _SEQ.pack(seq)
            crc = zlib.crc32(payload, zlib.crc32(seqb))
            record = _HEAD.pack(len(payload), crc, seq) + payload
            try:
                _write_all(self._fd, record)
            except OSError:
                # A partial record (ENOSPC half-way) would hide every later record from replay:
                # cut the segment back to the last whole record before anyone appends again.
                os.ftruncate(self._fd, self._size)
                raise
            self._size += len(record)
            self._written = seq
            self._segments[-1].last_seq = seq
            return seq

    def sync(self, seq: int) -> None:
        """Return once record ``seq`` (and all before it) is on disk."""
        if not self.fsync:
            return
        with self._sync_lock:
            with self._lock:
                if self._synced >= seq or self._fd is None:
                    return
                target = self._written
                fd = os.dup(self._fd)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            with self._lock:
                self._synced = max(self._synced, target)

    def rotate(self) -> int:
        """Close the current segment (durably) and start another; returns the last seq written."""
        with self._lock:
            if self._written >= self._segments[-1].first_seq:
                self._rotate_locked()
            return self._written

    def truncate_through(self, seq: int) -> None:
        """Delete closed segments whose every record is <= ``seq``."""
        with self._lock:
            keep = []
            removed = False
            current = self._segments[-1].path
            for seg in self._segments[:-1]:
                if seg.last_seq <= seq and seg.path != current:
                    seg.path.unlink(missing_ok=True)
                    removed = True
                else:
                    keep.append(seg)
            self._segments = keep + self._segments[-1:]
        if removed:
            fsync_dir(self.dir)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                if self.fsync:
                    os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None

    @property
    def last_seq(self) -> int:
        return self._written

    # -- internals -------------------------------------------------------------
    def _rotate_locked(self) -> None:
        if self._fd is not None and self.fsync:
            os.fsync(self._fd)
        old = self._fd
        self._open_segment(self._written + 1)  # may fail (ENOSPC): then the old segment stays open
        if old is not None:
            os.close(old)
        self._synced = self._written

    def _open_segment(self, first_seq: int) -> None:
        path = self.dir / f"{first_seq:020d}.wal"
        fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND)
        try:
            _write_all(fd, MAGIC)
            if self.fsync:
                os.fsync(fd)
                fsync_dir(self.dir)
        except OSError:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        self._fd = fd
        self._size = len(MAGIC)
        self._segments.append(_Segment(path, first_seq, 0))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_segment(path: Path, first_seq: int, skipped: list[Skipped]) -> Iterator[tuple[int, bytes]]:
    data = path.read_bytes()
    if data[: len(MAGIC)] != MAGIC:
        if data:
            log.warning("WAL segment %s has no valid header; ignored", path)
            skipped.append(Skipped(path.name, 0, len(data), "no valid header"))
        return
    pos = len(MAGIC)
    end = len(data)
    last = first_seq - 1  # seq of the last good record (numbers are consecutive)
    while pos + _HEAD.size <= end:
        if _valid_at(data, pos, last):
            length, _crc, seq = _HEAD.unpack_from(data, pos)
            start = pos + _HEAD.size
            yield seq, data[start:start + length]
            last, pos = seq, start + length
            continue
        length = _HEAD.unpack_from(data, pos)[0]
        torn = pos + _HEAD.size + length > end
        nxt = _resync(data, pos, last)
        if nxt is None:
            if torn:
                log.warning("WAL segment %s: torn record at byte %d ignored (bytes %d-%d)", path, pos, pos, end)
                skipped.append(Skipped(path.name, pos, end, "torn record"))
            else:
                log.warning("WAL segment %s: corrupt record at byte %d ignored (and the rest: bytes %d-%d)",
                            path, pos, pos, end)
                skipped.append(Skipped(path.name, pos, end, "corrupt record"))
            return
        log.warning("WAL segment %s: corrupt record at byte %d skipped (bytes %d-%d); replay resumes at "
                    "byte %d", path, pos, pos, nxt, nxt)
        skipped.append(Skipped(path.name, pos, nxt, "corrupt record"))
        pos = nxt
    if pos != end:
        log.warning("WAL segment %s: torn header at byte %d ignored", path, pos)
        skipped.append(Skipped(path.name, pos, end, "torn header"))


def _valid_at(data: bytes, pos: int, last: int) -> bool:
    """A whole record starts at ``pos``: it fits, its seq comes after ``last``, its CRC checks out."""
    if pos + _HEAD.size > len(data):
        return False
    length, crc, seq = _HEAD.unpack_from(data, pos)
    start = pos + _HEAD.size
    if start + length > len(data) or seq <= last:
        return False
    return zlib.crc32(memoryview(data)[start:start + length], zlib.crc32(_SEQ.pack(seq))) == crc


_RESYNC_SEQS = 4  # how many damaged records in a row a resync looks past


def _resync(data: bytes, pos: int, last: int) -> int | None:
    """Where the next good record after the damaged one at ``pos`` starts, or None.

    The good record with the lowest sequence number: the one its length field points
    to, unless a record numbered before that is found in the bytes (the seq sits 8
    bytes into a header, CRC-checked) — a flipped length bit can point past the next
    record to a later one, and that must not lose the record in between.
    """
    length = _HEAD.unpack_from(data, pos)[0]
    after = pos + _HEAD.size + length
    best = None
    if after + _HEAD.size <= len(data) and _valid_at(data, after, last):
        best = (_HEAD.unpack_from(data, after)[2], after)
    for seq in range(last + 2, last + 2 + _RESYNC_SEQS):
        if best is not None and seq >= best[0]:
            break
        needle = _SEQ.pack(seq)
        i = data.find(needle, pos + 1 + 8)
        while i != -1:
            if _valid_at(data, i - 8, last):
                return i - 8
            i = data.find(needle, i + 1)
    return best[1] if best is not None else None
