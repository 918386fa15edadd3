"""Arrow tables as InfluxDB 3's HTTP query API writes them: json, jsonl, csv, pretty, parquet.

    body = encode(table, "json")       # b'[{"host":"a","time":"2065-01-07T17:28:56","usage":0.9}]'

InfluxDB 3 (``influxdb3_server/src/http.rs``, ``record_batch_stream_to_body``) writes
with arrow-rs: JSON is an array of row objects whose null values are left out, JSON
lines the same objects one a line, CSV a header and rows (nulls empty), ``pretty``
arrow's ASCII table, Parquet one file. Times without a zone read as
``2065-01-07T17:28:56`` with as many fraction digits as needed (3, 6 or 9), tags
(dictionaries) as their strings. An answer without rows is ``[]`` in JSON and
empty in jsonl, csv and parquet, as InfluxDB 3 writes a stream without batches.
"""
from __future__ import annotations

import csv
import io
import math

import orjson
import polars as pl
import pyarrow as pa

FORMATS = ("json", "jsonl", "csv", "pretty", "parquet")
ALIASES = {"json_lines": "jsonl"}  # (serde's name of the variant; `jsonl` is its alias)
CONTENT_TYPES = {"json": "application/json", "jsonl": "application/jsonl", "csv": "text/csv",
                 "pretty": "text/plain; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


def encode(table: pa.Table, fmt: str) -> bytes:
    """``table`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "parquet":
        return _parquet(table)
    if fmt in ("json", "jsonl"):
        objects = _objects(table)
        if fmt == "json":
            return orjson.dumps(objects)  # ("[" + the objects joined by "," + "]")
        return b"\n".join(map(orjson.dumps, objects)) + b"\n" if objects else b""
    columns, rows = _text_rows(table)
    if fmt == "csv":
        return _csv(columns, rows)
    return _pretty(columns, rows).encode()


def _object(columns: list[str], row: tuple) -> dict:
    return {c: v for c, v in zip(columns, row) if v is not None and not (isinstance(v, float) and math.isnan(v))}


def _objects(table: pa.Table) -> list[dict]:
    """The rows as JSON objects, null and NaN values left out (looked for per row only in a
    table that has some)."""
    columns, rows, frame = _text_rows(table, frame=True)
    if not rows:
        return []
    floats = [c for c, t in frame.schema.items() if t in (pl.Float32, pl.Float64)]
    if any(frame.null_count().row(0)) or (floats and any(frame.select(pl.col(floats).is_nan().any()).row(0))):
        return [_object(columns, r) for r in rows]
    return [dict(zip(columns, r)) for r in rows]


def _time_text(col: pl.Expr, tz: str | None) -> pl.Expr:
    """chrono's rendering of a timestamp: no fraction, or 3, 6 or 9 digits (``Z`` when zoned)."""
    if tz is not None:
        col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    ns = col.dt.nanosecond()
    frac = (pl.when(ns == 0).then(pl.lit(""))
            .when(ns % 1_000_000 == 0).then(pl.lit(".") + (ns // 1_000_000).cast(pl.String).str.zfill(3))
            .when(ns % 1_000 == 0).then(pl.lit(".") + (ns // 1_000).cast(pl.String).str.zfill(6))
            .otherwise(pl.lit(".") + ns.cast(pl.String).str.zfill(9)))
    return col.dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + pl.lit("Z" if tz is not None else "")


def _text_rows(table: pa.Table, frame: bool = False):
    """Column names and rows, times as text and tags as strings; other values as Python's
    (``frame``: and the frame the rows were taken from)."""
    if table.num_rows == 0:
        return (list(table.column_names), [], None) if frame else (list(table.column_names), [])
    names = list(table.column_names)
    df = pl.from_arrow(table.rename_columns([f"c{i}" for i in range(len(names))]))
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            col = _time_text(col, dtype.time_zone)
        elif isinstance(dtype, (pl.Categorical, pl.Enum)):
            col = col.cast(pl.String)
        elif isinstance(dtype, (pl.Date, pl.Time, pl.Duration)):
            col = col.cast(pl.String)
        exprs.append(col.alias(name))
    out = df.select(exprs)
    return (names, out.rows(), out) if frame else (names, out.rows())


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, (list, dict)):
        return orjson.dumps(v).decode()
    return str(v)


def _csv(columns: list[str], rows: list[tuple]) -> bytes:
    if not rows:
        return b""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    w.writerows([_cell(v) for v in r] for r in rows)
    return out.getvalue().encode()


def _pretty(columns: list[str], rows: list[tuple]) -> str:
    """arrow's ``pretty_format_batches``: a boxed table, cells left-aligned, no final newline."""
    if not columns or not rows:
        return "++\n++"
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values):
        return "|" + "|".join(f" {v.ljust(w)} " for v, w in zip(values, widths)) + "|"

    return "\n".join([rule, line(columns), rule, *(line(r) for r in cells), rule])


def _parquet(table: pa.Table) -> bytes:
    if table.num_rows == 0:
        return b""
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
