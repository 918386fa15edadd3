"""A columnar batch back to line protocol, with Polars expressions (no row loop).

Escaping is the inverse of what the parser undoes: measurement and field keys
escape ``,`` ``"`` space ``=`` (escape.Unescape), tag keys and values escape
``,`` space ``=`` (unescapeTag), string values escape ``\\`` and ``"``. Tags
come out sorted by key, fields by key (keys starting with a tab or NUL last:
influxd would skip them as whitespace at the start of the field set), null
tags and fields are left out.
Floats are written in their shortest round-trip form, so that
``parse(format_batch(b))`` gives back the same table.
"""
from __future__ import annotations

import polars as pl

from ..base.types import TIME, FieldType, MeasurementBatch, field_key
from ..base.time import precision_multiplier


def escape_name(s: str) -> str:
    """Measurement or field key."""
    for ch in ',"= ':
        s = s.replace(ch, "\\" + ch)
    return s


def escape_tag(s: str) -> str:
    for ch in ",= ":
        s = s.replace(ch, "\\" + ch)
    return s


def _escape_tag_expr(e: pl.Expr) -> pl.Expr:
    for ch in ",= ":
        e = e.str.replace_all(ch, "\\" + ch, literal=True)
    return e


def _value_expr(name: str, ftype: FieldType) -> pl.Expr:
    col = pl.col(name)
    if ftype is FieldType.FLOAT:
        text = col.map_elements(repr, return_dtype=pl.String)
    elif ftype is FieldType.INTEGER:
        text = col.cast(pl.String) + pl.lit("i")
    elif ftype is FieldType.UNSIGNED:
        text = col.cast(pl.String) + pl.lit("u")
    elif ftype is FieldType.BOOLEAN:
        text = pl.when(col).then(pl.lit("true")).otherwise(pl.lit("false"))
    else:
        text = (pl.lit('"')
                + col.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
                + pl.lit('"'))
    return pl.when(col.is_not_null()).then(pl.lit(escape_name(field_key(name)) + "=") + text)


def format_batch(batch: MeasurementBatch, precision: str = "ns") -> str:
    """Line protocol text for every row of ``batch`` (one line each, ``\\n``-terminated)."""
    if not batch.frame.height:
        return ""
    multiplier = precision_multiplier(precision)
    key = [pl.lit(escape_name(batch.measurement))]
    for tag in sorted(batch.tags):
        key.append(pl.when(pl.col(tag).is_not_null())
                   .then(pl.lit("," + escape_tag(tag) + "=") + _escape_tag_expr(pl.col(tag))))
    # influxd skips whitespace before the first field key: never start with a key that begins with it
    # (a field sharing its key with a tag is written under its key: ``field_key``)
    order = sorted(batch.fields.items(), key=lambda kv: (field_key(kv[0])[:1] in "\t\x00", field_key(kv[0])))
    fields = [_value_expr(k, t) for k, t in order]
    time = pl.col(TIME) if multiplier == 1 else pl.col(TIME).floordiv(multiplier)
    line = pl.concat_str([
        pl.concat_str(key, ignore_nulls=True),
        pl.lit(" "),
        pl.concat_str(fields, separator=",", ignore_nulls=True),
        pl.lit(" "),
        time.cast(pl.String),
    ])
    out = batch.frame.select(line.alias("line"))["line"]
    return "\n".join(out.to_list()) + "\n"
