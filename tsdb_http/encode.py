"""Encoders for /query answers, byte-compatible with InfluxDB 1.x's formatters.

InfluxDB writes JSON with Go's ``encoding/json`` (floats in shortest form, ``2``
not ``2.0``, ``1e+21``, HTML characters escaped as ``\\u003c``), CSV with
``encoding/csv`` (``name,tags,<columns>``; times as ns integers; floats never in
exponent form) and msgpack with tinylib/msgp (signed integer encodings, times as
extension type 5). The tests compare our bytes with influxd 1.6.7's.

Every encoder takes a :class:`Response` whose time columns are still int64 ns
(the shim always asks the core for ``epoch="ns"``); :func:`render_times` turns
them into what the client asked for.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator

import polars as pl

from tsdb_core import StatementResult
# Go's RFC3339Nano for lists of int64 ns lives in the core (the lean query path uses it too)
from tsdb_core import rfc3339_times as format_rfc3339

from . import encode_v3
from .encode_csv import CsvEncoder, _csv_field, _csv_value, tags_key  # noqa: F401 (re-exported)
from .encode_json import (_fix_floats, _json_float, encode_json, go_json, go_json_float,  # noqa: F401
                          json_pieces, response_obj)
from .encode_msgpack import _mp_int, encode_msgpack, msgpack_pieces  # noqa: F401
from .formats import CSV, EPOCH_DIVISORS, JSON, MSGPACK, Response, has_time  # noqa: F401

_has_time = has_time

# -- content negotiation -----------------------------------------------------------

_ACCEPT_TYPES = (("application", "json", JSON), ("application", "csv", CSV), ("text", "csv", CSV),
                 ("application", "x-msgpack", MSGPACK))


@functools.lru_cache(maxsize=64)
def negotiate(accept: str | None) -> tuple[str, str]:
    """(encoder kind, Content-Type) for an Accept header, as 1.x picks it.

    1.x walks the Accept entries in q-order and takes the first supported one;
    ``*/*`` and absent headers give JSON. CSV answers carry ``text/csv``.
    """
    for mt in _parse_accept(accept or ""):
        typ, _, sub = mt.partition("/")
        for t, s, kind in _ACCEPT_TYPES:
            if (typ in ("*", t)) and (sub in ("*", s)):
                return kind, ("text/csv" if kind == CSV else kind)
    return JSON, JSON


def _parse_accept(header: str) -> list[str]:
    out = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((-q, i, bits[0].lower()))
    return [mt for _, _, mt in sorted(out)]


# -- time rendering ---------------------------------------------------------------------

def render_times(results: list[StatementResult], epoch: str | None, kind: str) -> None:
    """Turn int64-ns time cells into the client's form, in place.

    JSON without ``epoch``: RFC3339Nano strings (trailing zeros trimmed), formatted by
    Polars in one pass over every series of the response. CSV and msgpack without
    ``epoch``: ns integers as they are (the msgpack encoder writes them as timestamp
    extensions). With ``epoch``: integers in that unit, truncated toward zero as Go's
    integer division does.
    """
    div = EPOCH_DIVISORS.get(epoch or "", 1)
    if (epoch and div == 1) or (not epoch and kind != JSON):
        return
    targets, times = [], []
    blocks: set[int] = set()  # (a block's time column converted once, for all its series)
    for st in results:
        for s in st.series:
            if s.frame is not None and epoch:
                _frame_epoch(s, div)
                continue
            span = s.span
            if span is not None and epoch:
                if id(span[0]) not in blocks:
                    blocks.add(id(span[0]))
                    _block_epoch(span[0], s.columns, div)
                continue
            if not _has_time(s):
                continue
            col = [row[0] for row in s.values]
            if not set(map(type, col)) <= {int}:
                continue  # already rendered (or not a time column after all)
            targets.append(s)
            times.extend(col)
    if not times:
        return
    if epoch:
        new = [v // div if v >= 0 else -((-v) // div) for v in times]
    else:
        new = format_rfc3339(times)
    i = 0
    for s in targets:
        for row in s.values:
            row[0] = new[i]
            i += 1


def _frame_epoch(s, div: int) -> None:
    """:func:`render_times` of a frame-backed series (its rows not built): one Polars pass."""
    frame = _epoch_frame(s.frame, s.columns, div)
    if frame is not None:
        s.frame = frame


def _block_epoch(block, columns: list[str], div: int) -> None:
    """:func:`render_times` of the series sharing a :class:`SeriesBlock` (a GROUP BY answer's),
    their rows not built: one Polars pass over the block's time column."""
    frame = _epoch_frame(block.frame, columns, div)
    if frame is not None:
        block.frame = frame


def _epoch_frame(frame: pl.DataFrame, columns: list[str], div: int) -> pl.DataFrame | None:
    """``frame`` with its int ns time column (first) in ``epoch`` units (truncated toward zero
    as Go's division), or None when it has none."""
    if not columns or columns[0] != "time" or frame.width == 0 or frame.dtypes[0] != pl.Int64:
        return None
    c = pl.col(frame.columns[0])
    # floor, then one up for a negative time with a remainder: no negation, so -2**63 cannot overflow
    return frame.with_columns(c // div + ((c < 0) & (c % div != 0)).cast(pl.Int64))


class Encoder:
    """Encodes successive :class:`Response` objects of one request in one format."""

    def __init__(self, kind: str, pretty: bool = False, epoch: str | None = None, v3: bool = False):
        self.kind = kind
        self.pretty = pretty
        self.v3 = v3  # InfluxDB 3's JSON, CSV and msgpack (the influxdb3 dialect; encode_v3)
        self.ns_times = not epoch  # msgpack: times still int ns, sent as timestamps
        self._csv = (encode_v3.CsvEncoder() if v3 else CsvEncoder()) if kind == CSV else None

    def encode(self, resp: Response) -> bytes:
        if self.kind == CSV:
            return self._csv.encode(resp)
        if self.kind == MSGPACK:
            return encode_v3.encode_msgpack(resp) if self.v3 else encode_msgpack(resp, self.ns_times)
        return encode_json(resp, self.pretty, self.v3)

    def pieces(self, resp: Response) -> Iterator[bytes]:
        """:meth:`encode`'s bytes in pieces: frame-backed series (large answers) written
        column by column as they go (:func:`json_pieces`, :meth:`CsvEncoder.pieces`,
        :func:`msgpack_pieces`; InfluxDB 3's: :mod:`.encode_v3`)."""
        if self.kind == CSV:
            return self._csv.pieces(resp)
        if self.kind == MSGPACK:
            return encode_v3.msgpack_pieces(resp) if self.v3 else msgpack_pieces(resp, self.ns_times)
        return json_pieces(resp, self.pretty, self.v3)
