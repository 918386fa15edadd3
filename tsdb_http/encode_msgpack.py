"""msgpack as InfluxDB 1.x writes it (tinylib/msgp).

msgp writes int64 values with signed encodings (``200`` is ``d1 00 c8``, not
``cc c8``), floats as float64, and times as extension type 5 (int64 seconds,
uint32 nanoseconds). Errored statements are ``{"error": ...}`` without an id.
Frame-backed series (large answers) are written from their columns by
:mod:`.encode_msgpack_frame` and streamed.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator

import msgpack

from .encode_msgpack_frame import block_rows, encodable, values_pieces
from .formats import Response, has_time
from .frame_pieces import block_rows_frame, pass_large

try:  # vectorised timestamp packing; a struct loop does the same without numpy
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

_TIME_EXT = np.dtype([("h0", "u1"), ("h1", "u1"), ("h2", "u1"), ("sec", ">i8"), ("nsec", ">u4")]) \
    if np is not None else None
_TIME_STRUCT = struct.Struct(">BBBqI")


def _mp_times(col: tuple) -> list[bytes]:
    """int64 ns → msgp's time extension (ext8, type 5: int64 seconds, uint32 ns), vectorised."""
    if np is None:
        return [_TIME_STRUCT.pack(0xC7, 12, 5, *divmod(v, 1_000_000_000)) for v in col]
    ns = np.asarray(col, dtype=np.int64)
    arr = np.empty(len(ns), dtype=_TIME_EXT)
    arr["h0"], arr["h1"], arr["h2"] = 0xC7, 12, 5
    arr["sec"], arr["nsec"] = np.divmod(ns, 1_000_000_000)
    buf = arr.tobytes()
    return [buf[i:i + 15] for i in range(0, len(buf), 15)]



_SMALL = {v: struct.pack(">b", v) for v in range(-32, 128)}


def _mp_int(v: int) -> bytes:
    """tinylib/msgp's AppendInt64: signed encodings (uint64 above int64's range)."""
    small = _SMALL.get(v)
    if small is not None:
        return small
    if 0 <= v <= 127 or -32 <= v < 0:
        return struct.pack(">b", v)
    if -128 <= v <= 127:
        return b"\xd0" + struct.pack(">b", v)
    if -32768 <= v <= 32767:
        return b"\xd1" + struct.pack(">h", v)
    if -2 ** 31 <= v < 2 ** 31:
        return b"\xd2" + struct.pack(">i", v)
    if -2 ** 63 <= v < 2 ** 63:
        return b"\xd3" + struct.pack(">q", v)
    return b"\xcf" + struct.pack(">Q", v)


_FLOAT = struct.Struct(">Bd")


def _mp_float(v: float) -> bytes:
    return _FLOAT.pack(0xCB, v)


def _mp_column(col: tuple, packer) -> list[bytes]:
    """One column's values encoded, with one encoder per type (msgp's int encodings)."""
    types = set(map(type, col))
    if types <= {int}:
        return list(map(_mp_int, col))
    if types <= {float}:
        return list(map(_mp_float, col))
    if int not in types and float not in types:
        return list(map(packer.pack, col))
    return [_mp_int(v) if type(v) is int else _mp_float(v) if type(v) is float else packer.pack(v) for v in col]


def _mp_rows(values: list[list], packer, ns_time: bool = False) -> bytes:
    """Rows of values; with ``ns_time`` the first column (int ns) becomes timestamps."""
    if not values:
        return b""
    width = len(values[0])
    if any(len(r) != width for r in values):
        return b"".join(packer.pack_array_header(len(r)) + b"".join(_mp_column(tuple(r), packer)) for r in values)
    head = packer.pack_array_header(width)
    cols = list(zip(*values))
    if ns_time and set(map(type, cols[0])) <= {int}:
        cols = [_mp_times(cols[0]), *[_mp_column(c, packer) for c in cols[1:]]]
    else:
        cols = [_mp_column(c, packer) for c in cols]
    return b"".join(head + b"".join(parts) for parts in zip(*cols))


def encode_msgpack(resp: Response, ns_times: bool = False) -> bytes:
    """1.x's msgpack body; ``ns_times``: time columns hold int ns to send as timestamps."""
    return b"".join(msgpack_pieces(resp, ns_times))


def msgpack_pieces(resp: Response, ns_times: bool = False) -> Iterator[bytes]:
    """:func:`encode_msgpack`'s bytes in pieces: a frame-backed series' values are written
    from its columns (:mod:`.encode_msgpack_frame`) piece by piece, everything else at once
    (pieces shorter than ``MIN_PIECE`` are joined to the next, longer ones sent as they are)."""
    p = msgpack.Packer(use_bin_type=True)
    if resp.error is not None:
        yield p.pack_map_header(1) + p.pack("error") + p.pack(resp.error)
        return
    out = [p.pack_map_header(1), p.pack("results"), p.pack_array_header(len(resp.results))]
    for r in resp.results:
        if r.error:
            out += [p.pack_map_header(1), p.pack("error"), p.pack(r.error)]
            continue
        out += [p.pack_map_header(2 + bool(r.messages) + bool(r.partial)),
                p.pack("statement_id"), _mp_int(r.statement_id)]
        if r.messages:
            out += [p.pack("messages"), p.pack_array_header(len(r.messages))]
            for m in r.messages:
                d = m.to_json() if hasattr(m, "to_json") else m
                out += [p.pack_map_header(2), p.pack("level"), p.pack(d["level"]),
                        p.pack("text"), p.pack(d["text"])]
        out += [p.pack("series"), p.pack_array_header(len(r.series))]
        blocked: dict[int, tuple] = {}  # series index -> (rows' bytes, their offsets, first row)
        for i, s in enumerate(r.series):
            if i not in blocked:
                blocked.update(_block_rows(r.series, i, ns_times))
            out += _series_head(s, p)
            if i in blocked:  # a span of a block written from its columns: its rows' bytes, in place
                data, offsets, first = blocked.pop(i)
                _, start, n = s.span
                out.append(data[offsets[start - first]:offsets[start - first + n]])
                if s.partial:
                    out += [p.pack("partial"), p.pack(True)]
                continue
            ns_time = ns_times and has_time(s)
            if s.frame is not None and encodable(s.frame):
                yield from pass_large(out, values_pieces(s.frame, ns_time))
            else:
                out.append(_mp_rows(s.values, p, ns_time))
            if s.partial:
                out += [p.pack("partial"), p.pack(True)]
        if r.partial:
            out += [p.pack("partial"), p.pack(True)]
    yield b"".join(out)


def _block_rows(series: list, i: int, ns_times: bool) -> dict[int, tuple]:
    """For a run of series from ``i`` sharing one block (a GROUP BY answer's), the block's
    rows written once from its columns, by series index; nothing when there is no such run."""
    run = block_rows_frame(series, i)
    if run is None:
        return {}
    j, frame = run
    cols = series[i].columns
    data, offsets = block_rows(frame, ns_times and bool(cols) and cols[0] == "time")
    return {k: (data, offsets, series[i].span[1]) for k in range(i, j)}


def _series_head(s, p) -> list[bytes]:
    """A series map up to its values array's header."""
    out = [p.pack_map_header(2 + bool(s.name) + bool(s.tags) + bool(s.partial))]
    if s.name:
        out += [p.pack("name"), p.pack(s.name)]
    if s.tags:
        out += [p.pack("tags"), p.pack(dict(sorted(s.tags.items())))]
    out += [p.pack("columns"), p.pack(list(s.columns)), p.pack("values"), p.pack_array_header(s.n_rows)]
    return out
