"""Damaged Parquet files: found cheaply, moved aside (never deleted), so the store serves the rest.

``footer_problem`` is the open-time check: size, the ``PAR1`` magic at both ends and a
footer that parses, with its row count and columns matching the catalog. It reads the
first 4 bytes and the footer only (cheap enough for every open), so it cannot see a flipped byte
inside a data page; ``decode_problem`` decodes the whole file, for when a read has failed.
A bad file moves to ``quarantine/<its relative path>`` (in the data files' root): the evidence stays, the
catalog forgets it. Live files sit 5 levels deep (db/rp/measurement/window/id.parquet);
quarantined ones 6, so neither orphan removal nor a catalog rebuild ever takes them.
"""
from __future__ import annotations

import struct

import pyarrow as pa
import pyarrow.parquet as pq

from .objects import DataFiles

QUARANTINE_DIR = "quarantine"
MAGIC = b"PAR1"


class Damaged(Exception):
    """Why a Parquet file cannot be used (the message is the reason)."""


def read_footer(data: DataFiles, rel: str) -> tuple[pq.FileMetaData, int]:
    """The parsed footer and the file size; raises Damaged. One open, two small reads."""
    try:
        size, pread, close = data.footer_source(rel)
    except FileNotFoundError:
        raise Damaged("missing") from None
    except OSError as e:
        raise Damaged(f"unreadable: {e.strerror or e}") from None
    try:
        if size == 0:
            raise Damaged("empty (0 bytes)")
        if size < 12:
            raise Damaged(f"too short ({size} bytes)")
        head = pread(4, 0)
        tail = pread(8, size - 8)
        (flen,) = struct.unpack_from("<I", tail, 0)
        if head != MAGIC or tail[4:] != MAGIC:
            raise Damaged("no Parquet magic (PAR1) at both ends (truncated or overwritten)")
        if flen > size - 12:
            raise Damaged(f"footer length {flen} runs past the start of the file")
        footer = pread(flen, size - 8 - flen)
    except OSError as e:
        raise Damaged(f"unreadable: {e.strerror or e}") from None
    finally:
        close()
    try:  # only the footer is parsed: the buffer stands for the file's last bytes
        md = pq.read_metadata(pa.BufferReader(MAGIC + footer + tail))
    except Exception as e:  # noqa: BLE001 - any decoder complaint means the footer is bad
        raise Damaged(f"footer does not parse ({type(e).__name__}: {e})") from None
    return md, size


def footer_problem(data: DataFiles, rel: str, rows: int, size: int, columns: tuple[str, ...]) -> str | None:
    """What is wrong with a live file by its footer and the catalog's entry, or None."""
    try:
        md, actual = read_footer(data, rel)
    except Damaged as e:
        return str(e)
    if actual != size:
        return f"{actual} bytes, the catalog says {size}"
    if md.num_rows != rows:
        return f"{md.num_rows} rows, the catalog says {rows}"
    if md.num_columns != len(columns):  # the count, not the names: building the schema doubles the cost
        return f"{md.num_columns} columns, the catalog says {len(columns)}"
    return None


def decode_problem(data: DataFiles, rel: str, rows: int) -> str | None:
    """Decode every page (the decoder queries use): what fails, or None."""
    try:
        n = data.read_parquet(rel).height
    except FileNotFoundError:
        return "missing"
    except Exception as e:  # noqa: BLE001 - any decoder complaint means the data is bad
        if not data.exists(rel):
            return "missing"
        return f"does not decode ({type(e).__name__}: {e})"
    return None if n == rows else f"{n} rows decoded, the catalog says {rows}"


def quarantine(data: DataFiles, rel: str) -> str | None:
    """Move ``rel`` to ``quarantine/rel`` (a free name); its new relative path, None when gone already."""
    if not data.exists(rel):
        return None
    dst = f"{QUARANTINE_DIR}/{rel}"
    n = 0
    while data.exists(dst):
        n += 1
        dst = f"{QUARANTINE_DIR}/{rel}.{n}"
    data.move(rel, dst)
    return dst


def is_quarantined(rel: str) -> bool:
    """Whether ``rel`` lies in the quarantine (a database named ``quarantine`` does not)."""
    parts = rel.split("/")
    return len(parts) > 5 and parts[0] == QUARANTINE_DIR
