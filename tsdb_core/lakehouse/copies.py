"""The files an Iceberg table lists: one copy of each published store file per UTC day it holds.

The store's files keep ``time`` as plain INT64 nanoseconds (no timestamp annotation: the
store reads them as integers) and each spans one shard window (7 days by default). A table
partitioned by ``day(time)`` needs a timestamp column and one day per data file, and Iceberg
v2 timestamps are microseconds (pyiceberg cannot write v3 tables, which have nanoseconds).
So the publisher writes, for each store file, one Parquet file per day it has rows in:
``time`` as ``timestamptz`` (microseconds, rounded down), ``time_ns`` the exact nanoseconds,
unsigned fields as ``decimal(20,0)`` (every UINT64 value fits), the other columns as stored.

A copy's path names the store file it comes from
(``<table>/data/time_day=2024-03-01/f<id>.parquet``): the publisher tells which store files a
table lists from its paths alone, and the same copy always has the same path: one found whole
is kept (it may be listed already), one torn by a crash is written again. Copies are deleted by
the publisher ``file_grace_s`` after the commit that stopped listing them.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ..base.types import TWIN, FieldType
from .mapping import TIME, TIME_NS, stored_to_table

DAY_NS = 86_400 * 10**9
_EPOCH = date(1970, 1, 1)
_SOURCE = re.compile(r"/data/time_day=[^/]+/f(\d+)\.parquet$")
_DAY = "__day"
_ENCODING = {FieldType.FLOAT: "BYTE_STREAM_SPLIT", FieldType.INTEGER: "DELTA_BINARY_PACKED"}  # as the store's


def copy_uri(table_location: str, file_id: int, day: int) -> str:
    """Where the copy of store file ``file_id`` for ``day`` (days since 1970-01-01) goes."""
    return f"{table_location.rstrip('/')}/data/time_day={_EPOCH + timedelta(days=day)}/f{file_id}.parquet"


def source_id(uri: str) -> int | None:
    """The store file id a copy stands for (None: not a copy)."""
    m = _SOURCE.search(uri)
    return int(m.group(1)) if m else None


def converted(frame: pl.DataFrame, unsigned: set[str]) -> pl.DataFrame:
    """A store file's rows as published: ``time`` (µs, UTC, rounded down), ``time_ns``, the
    rest as stored but ``unsigned`` columns as decimal(20,0) and decimal floats as doubles; with
    the day of each row."""
    t = pl.col(TIME)
    cols = [(t // 1000).cast(pl.Datetime("us", "UTC")).alias(TIME), t.alias(TIME_NS)]
    cols += [pl.col(c).cast(pl.Decimal(20, 0)) if c in unsigned else
             # a float stored as a decimal (the store's exact layout for few-digit readings): the
             # table's column is double; Polars' cast gives back the double written, pyarrow's may not
             pl.col(c).cast(pl.Float64) if frame.schema[c].base_type() is pl.Decimal else pl.col(c)
             for c in frame.columns if c not in (TIME, TIME_NS)]
    return frame.select(*cols, (t // DAY_NS).alias(_DAY))


def write_copies(store_io, table_io, source_uri: str, table_location: str, file_id: int,
                 fields: dict[str, FieldType], field_ids: dict[str, int],
                 compression: tuple[str, int] = ("zstd", 3)) -> list[str]:
    """Write the copies of one store file (one per day it has rows in), encoded as the store
    encodes its own files, each column carrying its Iceberg field id (``field_ids``: by name;
    readers that resolve columns by id need them); their URIs."""
    with store_io.new_input(source_uri).open() as stream:
        frame = pl.from_arrow(pq.read_table(stream))
    assert isinstance(frame, pl.DataFrame)
    if any(c.startswith(TWIN) for c in frame.columns):  # a field sharing its key with a tag
        frame = frame.rename({c: stored_to_table(c) for c in frame.columns if c.startswith(TWIN)})
    unsigned = {c for c, t in fields.items() if t is FieldType.UNSIGNED}
    encoding = {TIME: "DELTA_BINARY_PACKED", TIME_NS: "DELTA_BINARY_PACKED"}
    encoding |= {c: _ENCODING[t] for c, t in fields.items() if t in _ENCODING and c in frame.columns}
    dictionary = [c for c in frame.columns if c not in fields or fields[c] is FieldType.STRING]
    out = []
    for (day,), part in sorted(converted(frame, unsigned).partition_by(_DAY, as_dict=True).items()):
        uri = copy_uri(table_location, file_id, int(day))
        out.append(uri)
        if _whole(table_io, uri, part.height, field_ids):  # written before (a failed publish, another publisher)
            continue
        with table_io.new_output(uri).create(overwrite=True) as sink:
            pq.write_table(_with_field_ids(part.drop(_DAY).to_arrow(), field_ids), sink, compression=compression[0],
                           compression_level=compression[1], use_dictionary=[c for c in dictionary if c != TIME],
                           column_encoding=encoding)
    return out


def _whole(io, uri: str, rows: int, field_ids: dict[str, int]) -> bool:
    """Whether the copy at ``uri`` exists whole (a readable footer, ``rows`` rows, the table's
    field ids): never rewritten then, as a reader may be reading it; a torn one (or one made
    for an earlier table of that name) is written again."""
    try:
        with io.new_input(uri).open() as stream:
            meta = pq.read_metadata(stream)
    except Exception:  # noqa: BLE001 - absent or torn: write it
        return False
    ids = {f.name: int(f.metadata[b"PARQUET:field_id"]) for f in meta.schema.to_arrow_schema()
           if f.metadata and b"PARQUET:field_id" in f.metadata}
    return meta.num_rows == rows and ids.items() <= field_ids.items() and len(ids) == meta.num_columns


def _with_field_ids(table: pa.Table, field_ids: dict[str, int]) -> pa.Table:
    """``table`` with each column's Iceberg field id in its Parquet schema (the columns the
    table lacks, a key named like ours, are dropped)."""
    keep = [f for f in table.schema if f.name in field_ids]
    schema = pa.schema([f.with_metadata({b"PARQUET:field_id": str(field_ids[f.name]).encode()}) for f in keep])
    return table.select([f.name for f in keep]).cast(schema)


def stray_copies(io, table_location: str, listed: set[str], before: float) -> list[str]:
    """Copies under a table's ``data/`` that ``listed`` lacks, last written before ``before``
    (wall time): left by a publisher that stopped before their grace ran out, or by a publish
    that failed before its commit. Empty when ``io`` cannot list (not pyarrow's FileIO)."""
    from pyarrow.fs import FileSelector, FileType
    from pyiceberg.io.pyarrow import PyArrowFileIO

    if not isinstance(io, PyArrowFileIO):
        return []
    scheme, netloc, path = PyArrowFileIO.parse_location(f"{table_location.rstrip('/')}/data")
    fs = io.fs_by_scheme(scheme, netloc)
    out = []
    for info in fs.get_file_info(FileSelector(path, recursive=True, allow_not_found=True)):
        uri = f"file://{info.path}" if scheme == "file" else f"{scheme}://{info.path}"
        if (info.type == FileType.File and source_id(uri) is not None and uri not in listed
                and info.mtime is not None and info.mtime.timestamp() < before):
            out.append(uri)
    return out
