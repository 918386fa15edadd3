"""The WAL record of one acknowledged write: its measurements' validated rows, as bytes and back.

Version 2 (written now): ``<u32 header length><JSON header><blobs>``, the header
``{"v": 2, "db", "rp", "m": [[measurement, tags, fields, columns, rows, sets, width], ...]}``
and per measurement its blobs one after the other: ``rows`` bytes of Arrow IPC stream, then,
when the entry carries its rows' series codes (``base/series_codes.py``), ``sets`` bytes of
IPC stream holding each distinct tag set once, and one little-endian code of ``width`` bytes
per row; ``columns`` puts the frame's columns back in order. The tag strings, most of a
record's bytes, become a byte or two per row, and the rest (numbers, mostly) is not worth
compressing: a stream is LZ4-compressed only when it holds strings and is 64 KiB or more
(LZ4 cost ~20 ns CPU per float value to halve its 8 bytes, while on the disks measured an
fsync takes as long for 250 KB as for 500 KB). The IPC stream format, not the file format:
Polars' file writer costs ~0.1 ms more per call.

Version 1 (read only): no ``"v"``, entries ``[measurement, tags, fields, bytes]``, each
blob the whole frame as an LZ4-compressed Arrow IPC file.
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import orjson
import polars as pl

from ..base.series_codes import SeriesCodes

VERSION = 2
_LEN = struct.Struct("<I")
_SQUEEZE_BYTES = 64 << 10  # a stream with strings is LZ4-compressed from this size on
_WIDTHS = ((1 << 8, 1), (1 << 16, 2), (1 << 32, 4))  # (tag sets below, bytes per code)


@dataclass(frozen=True, slots=True)
class WalEntry:
    """One measurement's validated rows of one write; ``series``: each row's tag set as a code
    (the parser's, when every row of its batch was accepted), so the record holds codes, not tags."""

    measurement: str
    tags: tuple[str, ...]
    fields: dict  # field key -> FieldType (a str enum: its value is what is written)
    frame: "object"  # polars.DataFrame
    series: SeriesCodes | None = None


def encode_write(db: str, rp: str, entries: list[WalEntry]) -> bytes:
    """The record (version 2) of ``entries`` of ``db``/``rp``."""
    return join_write(db, rp, [encode_entry(e) for e in entries])


@dataclass(frozen=True, slots=True)
class EncodedEntry:
    """One entry's share of a record: its header item and its blobs. Encoding is most of a
    record's cost and needs no catalog, so a write does it before taking the store's lock
    (``WritePath``); only :func:`join_write` runs under it."""

    meta: list
    blobs: tuple[bytes, ...]


def encode_entry(e: WalEntry) -> EncodedEntry:
    """``e``'s header item and blobs, as :func:`encode_write` lays them out."""
    frame, series = e.frame, _usable(e)
    fields = {k: str(getattr(v, "value", v)) for k, v in e.fields.items()}
    if series is None:
        rows = _stream(frame)
        return EncodedEntry([e.measurement, list(e.tags), fields, frame.columns, len(rows), 0, 0], (rows,))
    tags = set(e.tags)
    rows = _stream(pl.DataFrame([c for c in frame.iter_columns() if c.name not in tags]))
    sets = _stream(pl.DataFrame([series.table.get_column(t) for t in e.tags]))
    width = next(w for below, w in _WIDTHS if series.table.height <= below)
    return EncodedEntry([e.measurement, list(e.tags), fields, frame.columns, len(rows), len(sets), width],
                        (rows, sets, series.codes.astype(f"<u{width}").tobytes()))


def join_write(db: str, rp: str, encoded: list[EncodedEntry]) -> bytes:
    """The record (version 2) of entries encoded already (:func:`encode_entry`)."""
    header = orjson.dumps({"v": VERSION, "db": db, "rp": rp, "m": [x.meta for x in encoded]})
    return b"".join([_LEN.pack(len(header)), header, *(b for x in encoded for b in x.blobs)])


def decode_write(payload: bytes) -> tuple[str, str, list[WalEntry]]:
    """(db, rp, entries) of a record of either version; entries of a version 2 record keep their
    series codes. Raises ValueError for a version this code does not know."""
    (hlen,) = _LEN.unpack_from(payload, 0)
    header = orjson.loads(payload[4:4 + hlen])
    version = header.get("v", 1)
    if version not in (1, VERSION):
        raise ValueError(f"WAL record version {version} is newer than this tsdb reads (1-{VERSION})")
    pos = 4 + hlen
    entries = []
    for item in header["m"]:
        e, pos = (_decode_v1 if version == 1 else _decode_v2)(payload, pos, item)
        entries.append(e)
    return header["db"], header["rp"], entries


def _usable(e: WalEntry) -> SeriesCodes | None:
    """The entry's series codes, if they can stand for its tag columns (a code per row, a String
    column of every tag in the table, at most 2**32 tag sets)."""
    s = e.series
    if s is None or not e.tags or len(s) != e.frame.height or s.table.height > _WIDTHS[-1][0]:
        return None
    table = dict(zip(s.table.columns, s.table.dtypes))  # (not .schema: ~2 us a column)
    frame = dict(zip(e.frame.columns, e.frame.dtypes))
    if any(table.get(t) != pl.String or frame.get(t) != pl.String for t in e.tags):
        return None
    return s


def _stream(frame: pl.DataFrame) -> bytes:
    """Arrow IPC stream; LZ4 only for big string columns (a small table of tag sets costs more
    to compress, a frame context per buffer, than its bytes cost to write)."""
    buf = io.BytesIO()
    squeeze = frame.estimated_size() >= _SQUEEZE_BYTES and any(dt == pl.String for dt in frame.dtypes)
    frame.write_ipc_stream(buf, compression="lz4" if squeeze else "uncompressed")
    return buf.getvalue()


def _decode_v1(payload: bytes, pos: int, item: list) -> tuple[WalEntry, int]:
    name, tags, fields, n = item
    frame = pl.read_ipc(io.BytesIO(payload[pos:pos + n]))
    return WalEntry(name, tuple(tags), fields, frame), pos + n


def _decode_v2(payload: bytes, pos: int, item: list) -> tuple[WalEntry, int]:
    name, tags, fields, columns, n_rows, n_sets, width = item
    rows = pl.read_ipc_stream(payload[pos:pos + n_rows])
    pos += n_rows
    if not n_sets:
        return WalEntry(name, tuple(tags), fields, rows), pos
    sets = pl.read_ipc_stream(payload[pos:pos + n_sets])
    pos += n_sets
    codes = np.frombuffer(payload, dtype=f"<u{width}", count=rows.height, offset=pos).astype(np.int64)
    pos += width * rows.height
    if rows.height and int(codes.max()) >= sets.height:
        raise ValueError(f"WAL record of {name}: a series code past its {sets.height} tag sets")
    index = pl.Series(codes)
    got = {c.name: c for c in rows.iter_columns()} | {c.name: c.gather(index) for c in sets.iter_columns()}
    frame = pl.DataFrame([got[c] for c in columns])
    return WalEntry(name, tuple(tags), fields, frame, SeriesCodes(codes, sets)), pos
