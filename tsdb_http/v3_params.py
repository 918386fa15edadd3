"""A /query request's format and URL values as InfluxDB 3 reads them (the influxdb3 dialect).

From ``iox_v1_query_api`` (``src/lib.rs``, ``src/error.rs``, ``src/handler.rs``; influxdata/influxdb
and influxdata/influxdb3_core):

- QueryParams is decoded by serde_urlencoded: ``chunked`` and ``pretty`` must be ``true`` or
  ``false`` and ``chunk_size`` an unsigned integer, else the request fails with
  ``error decoding params from url: <Rust's parse error>`` (400), before the format is read.
- QueryFormat::from_bytes compares the Accept header whole: absent, ``application/json`` or
  ``*/*`` is JSON (``pretty=true``: pretty JSON), ``application/csv`` or ``text/csv`` CSV (sent as
  ``application/csv``), ``application/x-msgpack`` msgpack; anything else:
  ``invalid mime type (<header>)`` (400).
- handler.rs: ``chunk_size=0`` splits no series; a missing ``q`` is ``expected a query to be provided in the query string or body``.
- influxdb3_server renders a failed request as ``serde_json::to_vec(&V1ErrorResponse { error })``:
  ``{"error":"..."}``, no line ending.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .formats import CSV, JSON, MSGPACK, v3_json
from .params import HttpError, QueryParams

CSV_TYPE = "application/csv"
_KINDS = {"application/json": (JSON, JSON), "*/*": (JSON, JSON), "application/csv": (CSV, CSV_TYPE),
          "text/csv": (CSV, CSV_TYPE), "application/x-msgpack": (MSGPACK, MSGPACK)}

_BOOL = "provided string was not `true` or `false`"  # Rust's ParseBoolError


def negotiate(accept: str | None) -> tuple[str, str]:
    """(encoder kind, Content-Type) of an Accept header, or HttpError 400."""
    if accept is None:
        return JSON, JSON
    kind = _KINDS.get(accept)
    if kind is None:
        raise HttpError(400, f"invalid mime type ({accept})")
    return kind


def check_url_values(form: Mapping[str, str]) -> None:
    """serde_urlencoded's refusals of ``chunked``, ``pretty`` and ``chunk_size`` (400)."""
    for name in ("chunked", "pretty"):
        v = form.get(name)
        if v is not None and v not in ("true", "false"):
            raise HttpError(400, f"error decoding params from url: {_BOOL}")
    size = form.get("chunk_size")
    if size is not None and (problem := _usize_error(size)):
        raise HttpError(400, f"error decoding params from url: {problem}")


def _usize_error(text: str) -> str | None:
    """Rust's ParseIntError for a usize (a leading ``+`` is allowed), None when it parses."""
    digits = text.removeprefix("+")
    if not text:
        return "cannot parse integer from empty string"
    if not (digits and digits.isascii() and digits.isdigit()):
        return "invalid digit found in string"
    return None if int(digits) < 2 ** 64 else "number too large to fit in target type"


def check_query(form: Mapping[str, str]) -> None:
    """A missing ``q`` fails (handler.rs execute_query), worded ``missing query parameters 'db' and
    'q'`` when the URL has no value at all (its query-string parse fails first). (A blank ``q``
    parses to no statement there and is answered with an empty body; here it stays a 400: an
    empty body is no JSON document.)"""
    if "q" not in form:
        raise HttpError(400, "expected a query to be provided in the query string or body" if form
                        else "missing query parameters 'db' and 'q'")


def chunk_size(form: Mapping[str, str], p: QueryParams) -> QueryParams:
    """``chunk_size=0`` splits nothing (handler.rs: ``NonZero::new(chunk_size)`` is None, so
    SeriesChunkMergeStream sends each series whole); 1.x's reading takes 0 as the default."""
    if p.chunked and form.get("chunk_size", "").lstrip("+") and int(form["chunk_size"]) == 0:
        return dataclasses.replace(p, chunk_size=1 << 62)
    return p


def error_body(message: str) -> bytes:
    """A failed request's body as influxdb3_server writes it."""
    return v3_json({"error": message})
