"""JSON as InfluxDB 1.x writes it (Go's encoding/json), compact or pretty.

Go writes ``2`` for the float 2.0, ``1e+21``, ``0.00001`` and escapes ``<``, ``>``
and ``&`` as ``\\u003c`` ...; orjson does the heavy lifting and the few values it
would write otherwise are replaced (ints, or raw :class:`orjson.Fragment` text).
With ``v3=True`` floats take InfluxDB 3's forms instead (:mod:`.v3_floats`).
"""
from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import polars as pl

from tsdb_core import Series, StatementResult

from . import encode_json_csv_writer
from .encode_json_columns import Infinite, block_rows
from .encode_json_frame import encodable, values_pieces
from .formats import Response, go_json, go_json_float, v3_json
from .frame_pieces import MIN_PIECE
from .v3_floats import I64_LIMIT, shortest_text, unsupported_value

_Fragment = getattr(orjson, "Fragment", None)

def _json_float(v: float, v3: bool = False) -> Any:
    """Replace a float whose orjson text differs from Go's (or v3's) by an int or a raw fragment."""
    if v3:
        return _v3_json_float(v)
    if v != v or v in (math.inf, -math.inf):
        return _Fragment(b"null") if _Fragment else None
    if v.is_integer():
        if abs(v) < 2 ** 53 and not (v == 0 and math.copysign(1.0, v) < 0):
            return int(v)
    else:
        a = abs(v)
        if 1e-4 <= a < 1e16:
            return v  # orjson prints the same shortest decimal
    return _Fragment(go_json_float(v).encode()) if _Fragment else v


def _v3_json_float(v: float) -> Any:
    """:func:`_json_float` for InfluxDB 3: integral values below 2**63 as ints (``-0.0`` too),
    orjson's text where it is zmij's (1e-4 <= |v| < 1e16), else a fragment."""
    if math.isnan(v) or math.isinf(v):
        return _Fragment(b"null") if _Fragment else None
    if v.is_integer() and abs(v) < I64_LIMIT:
        return int(v)
    if 1e-4 <= abs(v) < 1e16:
        return v
    return _Fragment(shortest_text(v).encode()) if _Fragment else v


class _Infinite(Exception):  # noqa: N818 - a signal, not an error
    """An answer holds an infinity (``strict`` fixing): its document becomes an error."""


_INFS = (math.inf, -math.inf)


def _float_fix(col: tuple, v3: bool = False, strict: bool = False) -> list | tuple[list, list] | None:
    """How to give a float column (None allowed) Go's forms: None (orjson already writes
    Go's text: non-finite values and None are ``null`` in both), ``(rows, ints)`` (the
    integral values, as ints, and where they are: ``2``, not ``2.0``), or a whole new
    column (values orjson writes otherwise than Go: ``1e-05``, ``1e+16``, ``-0.0``).
    ``v3``: InfluxDB 3's forms (integral values below 2**63 and ``-0.0`` are ints); ``strict``:
    raise :class:`_Infinite` for an infinity."""
    return _array_fix(np.array(col, dtype=np.float64), col, v3, strict)  # (None is NaN)


def _array_fix(x: np.ndarray, col, v3: bool, strict: bool) -> list | tuple[list, list] | None:
    """:func:`_float_fix` of the column ``col`` (a sequence, or a callable giving it: needed only
    when values are rewritten) whose cells are ``x`` (NaN for None)."""
    positive = x.size and np.fmin.reduce(x) >= 1e-4  # (then |x| is x: two NumPy calls fewer)
    a = None if positive else np.abs(x)
    if x.size and np.fmax.reduce(x if positive else a) < 2.0 ** 53 and (positive or not (a < 1e-4).any()):
        # the usual measurements (NaN ignored): only integral values differ, in 1.x's forms and v3's
        idx = (np.modf(x)[0] == 0).nonzero()[0]  # (np.flatnonzero of a 1-D array, without its Python layers)
        return (idx.tolist(), x[idx].astype(np.int64).tolist()) if idx.size else None
    return _array_fix_any(x, np.abs(x) if a is None else a, col, v3, strict)


def _array_fix_any(x: np.ndarray, a: np.ndarray, col, v3: bool, strict: bool) -> list | tuple[list, list] | None:
    """:func:`_array_fix` of any floats (``a``: their absolute values): tiny, huge, -0.0, infinities."""
    with np.errstate(all="ignore"):
        if ((x != np.floor(x)) & (a >= 1e-4) & (a < 1e16)).all():
            return None  # all fractional, all in the range where orjson writes Go's digits
        if strict and np.isinf(a).any():
            raise _Infinite
        if v3:
            neg_zero = np.zeros(x.shape, dtype=bool)
            integral = (x == np.floor(x)) & (a < I64_LIMIT)
        else:
            neg_zero = (x == 0) & np.signbit(x)
            integral = (x == np.floor(x)) & (a < 2.0 ** 53) & ~neg_zero
        # (1.x: an integral value from 2**53 up is Go's digits too, no ".0": _json_float writes it)
        odd = (~integral & np.isfinite(x) & ((a >= (1e16 if v3 else 2.0 ** 53)) | ((a < 1e-4) & (x != 0)))) | neg_zero
    if odd.any():
        return [_json_float(v, v3) if type(v) is float else v for v in (col() if callable(col) else col)]
    idx = integral.nonzero()[0]
    return (idx.tolist(), x[idx].astype(np.int64).tolist()) if idx.size else None


# From this many rows a float column's array (a few NumPy calls, ~5 us) is looked at sooner
# than its cells one by one (~0.15 us a cell): a one-host GROUP BY time hour has 60
KNOWN_MIN_ROWS = 32


def _fix_floats(values: list[list], v3: bool = False, strict: bool = False,
                floats: tuple | None = None) -> list[list] | list[tuple]:
    """Rows with Go-incompatible floats replaced, the rows as they are when there are none.

    The columns are looked at with NumPy; the few integral values of a column of
    measurements are patched into copies of their rows, many changes rebuild the rows
    from the columns (as tuples, which orjson writes as arrays). ``strict``: an infinity
    raises :class:`_Infinite` (else it is ``null``). ``floats``: the rows' float columns as
    arrays (:attr:`Series.float_columns`): no cell is looked at then."""
    if len(values) < 64:
        if floats is None or len(values) < KNOWN_MIN_ROWS:
            return _fix_floats_small(values, v3, strict)
        return _fix_small_known(values, floats, v3, strict)
    if floats is not None:
        return _fix_known(values, floats, v3, strict)
    try:
        cols = list(zip(*values, strict=True))
    except ValueError:  # rows of different lengths (series of different columns)
        return _fix_floats_small(values, v3, strict)
    return _applied(values, cols, _column_fixes(cols, v3, strict))


def _column_fixes(cols: list, v3: bool, strict: bool):
    """(column index, :func:`_float_fix`'s answer) of each column holding a float."""
    for j, col in enumerate(cols):
        types = set(map(type, col))
        if float not in types:
            continue
        if types <= _FLOAT_OR_NONE:
            yield j, _float_fix(col, v3, strict)
        elif strict and any(v in _INFS for v in col if type(v) is float):
            raise _Infinite
        else:
            yield j, [_json_float(v, v3) if type(v) is float else v for v in col]


def _fix_known(values: list[list], floats: tuple, v3: bool, strict: bool) -> list[list] | list[tuple]:
    """:func:`_fix_floats` of rows whose float cells are all in ``floats``' columns, taken from
    their arrays: the rows are neither transposed nor scanned for types."""
    return _applied(values, None, ((j, _array_fix(x, lambda j=j: [row[j] for row in values], v3, strict))
                                   for j, x in floats))


def _applied(values: list[list], cols: list | None, fixes) -> list[list] | list[tuple]:
    """The rows with each column's fix put in: a whole new column (a list), or the integral
    values (positions, ints) patched into copies of their rows (``cols``: the rows' columns,
    None to transpose them here if needed)."""
    whole: dict[int, list] = {}
    patches = []
    for j, fix in fixes:
        if isinstance(fix, list):
            whole[j] = fix
        elif fix is not None:
            patches.append((j, *fix))
    if not whole and not patches:
        return values
    if whole or 4 * sum(len(rows) for _, rows, _ in patches) > len(values):
        return _rebuilt(cols if cols is not None else list(zip(*values)), whole, patches)
    out = list(values)
    for j, rows, ints in patches:
        for i, v in zip(rows, ints):
            row = out[i]
            if row is values[i]:
                row = out[i] = list(row)
            row[j] = v
    return out


def _rebuilt(cols: list, whole: dict[int, list], patches: list) -> list[tuple]:
    for j, rows, ints in patches:
        col = list(cols[j])
        for i, v in zip(rows, ints):
            col[i] = v
        cols[j] = col
    for j, col in whole.items():
        cols[j] = col
    return list(zip(*cols))


_FLOAT_OR_NONE = frozenset((float, type(None)))


def _fix_floats_small(values: list[list], v3: bool = False, strict: bool = False) -> list[list]:
    """:func:`_fix_floats` for a few rows: one pass over the cells, rows copied only where one changes.

    Most floats (fractional, 1e-4 <= |v| < 1e16) print alike in orjson and Go and are left as they are.
    """
    out = None
    for i, row in enumerate(values):
        fixed = None
        for j, v in enumerate(row):
            if type(v) is float and (v.is_integer() or not 1e-4 <= abs(v) < 1e16):
                if strict and v in _INFS:
                    raise _Infinite
                if fixed is None:
                    fixed = list(row)
                fixed[j] = _json_float(v, v3)
        if fixed is not None:
            if out is None:
                out = list(values)
            out[i] = fixed
    return values if out is None else out


def _fix_small_known(values: list[list], floats: tuple, v3: bool, strict: bool) -> list[list]:
    """:func:`_fix_floats_small` with the cells to change found in the float columns' arrays
    (a few NumPy calls a column, not a Python test a cell): the same cells, the same forms."""
    out = None
    for j, x in floats:
        changed = _integral_cells(x)
        if changed is None:
            with np.errstate(invalid="ignore"):
                a = np.abs(x)
                kept = (x != np.floor(x)) & (a >= 1e-4) & (a < 1e16)  # what the cell test leaves alone
            changed = np.flatnonzero(~kept).tolist()
        for i in changed:
            v = values[i][j]
            if type(v) is not float:  # (None: NaN in the array)
                continue
            if strict and v in _INFS:
                raise _Infinite
            if out is None:
                out = list(values)
            row = out[i]
            if row is values[i]:
                row = out[i] = list(row)
            row[j] = _json_float(v, v3)
    return values if out is None else out


def _integral_cells(x: np.ndarray) -> list[int] | None:
    """Where a short float column of positive values from 1e-4 to below 1e16 (NaN cells, None
    in the rows, aside) holds integral values (the only cells it prints otherwise than Go); None for any other
    column. A few C loops over its Python floats: at ~60 cells cheaper than NumPy's calls,
    whose fixed costs dominate there (more so with caches cold between requests)."""
    cells = x.tolist()
    if not (min(cells) >= 1e-4 and max(cells) < 1e16):  # (a NaN first is min and max; later ones are passed over)
        return None
    return list(itertools.compress(range(len(cells)), map(float.is_integer, cells)))


_HOLE = b"\x00"  # a raw NUL: never in orjson's output otherwise (strings escape it)


def _series_obj(s: Series, holes: list | None = None) -> dict:
    """Series.to_json(), with float values made to print as Go prints them; with ``holes``
    a frame-backed series' values are left as a hole to fill (:func:`json_pieces`)."""
    if holes is not None and s.frame is not None and s.frame.height and encodable(s.frame):
        if not s.no_floats and _frame_has_infinity(s.frame):
            raise _Infinite
        holes.append(s.frame)
        out = {k: v for k, v in (("name", s.name), ("tags", s.tags and dict(sorted(s.tags.items()))),
                                 ("columns", s.columns and list(s.columns))) if v}
        out["values"] = _Fragment(_HOLE)
        if s.partial:
            out["partial"] = True
        return out
    return s.to_json()  # (floats: see _series_objs)


def _columns_obj(s: Series, v3: bool) -> dict | None:
    """The series as a JSON object whose ``values`` are tuples zipped from its columns
    (:attr:`Series.column_lists`), each float column given the answer's forms first from its
    array (:func:`_array_fix`): its rows are never built as lists, nor patched one by one.
    None when it has no columns (or no float arrays to go by)."""
    cols, floats = s.column_lists, s.float_columns
    if cols is None or floats is None:
        return None
    out = s.header()
    if cols[0]:
        cols = list(cols)  # (the series' own columns are left as they are: the time list may be shared)
        for j, x in floats:
            fix = _array_fix(x, cols[j], v3, strict=True)
            if isinstance(fix, list):
                cols[j] = fix
            elif fix is not None:
                col = cols[j] = list(cols[j])
                for i, v in zip(*fix):
                    col[i] = v
        out["values"] = list(zip(*cols))
    if s.partial:
        out["partial"] = True
    return out


def _block_objs(series: list[Series], v3: bool) -> list[dict] | None:
    """The statement's series as JSON objects when all are spans of one block (a GROUP BY
    answer's small series): their rows built from the block's columns in one pass
    (:func:`block_rows`), float cells already in the answer's forms. None when they are not."""
    spans = [s.span for s in series]
    block = spans[0] and spans[0][0]
    if block is None or any(sp is None or sp[0] is not block for sp in spans):
        return None
    lo, hi = min(sp[1] for sp in spans), max(sp[1] + sp[2] for sp in spans)
    try:  # (only the rows these series hold: a chunk of a chunked answer holds some of the block's series)
        rows = block_rows(block.frame.slice(lo, hi - lo), functools.partial(_json_float, v3=v3), v3)
    except Infinite:  # (these series hold one: the document fails; :func:`first_infinity` finds the first)
        raise _Infinite from None
    objs = []
    for s, (_, start, n) in zip(series, spans):
        out = s.header()
        if n:
            out["values"] = rows[start - lo:start - lo + n]
        if s.partial:
            out["partial"] = True
        objs.append(out)
    return objs


def _series_objs(series: list[Series], holes: list | None, v3: bool = False) -> list[dict]:
    """The statement's series as JSON objects, float values in Go's forms: the rows of many
    short series (a GROUP BY answer) are looked at together, in one pass over their columns
    (from their block's columns when they share one, a single series' too; a series carrying
    columns from them: :func:`_columns_obj`)."""
    objs = _block_objs(series, v3)
    if objs is not None:
        return objs
    if len(series) == 1 and (obj := _columns_obj(series[0], v3)) is not None:
        return [obj]
    spans = {i for i, s in enumerate(series) if s.span is not None}  # (among rows: each from its block)
    objs = [_block_objs([s], v3)[0] if i in spans else _series_obj(s, holes) for i, s in enumerate(series)]
    todo = [(o, s) for i, (o, s) in enumerate(zip(objs, series))
            if i not in spans and not s.no_floats and type(o.get("values")) is list]
    if len(todo) > 1 and len({len(o.get("columns", ())) for o, _ in todo}) == 1:
        rows = [row for o, _ in todo for row in o["values"]]
        fixed = _fix_floats(rows, v3, strict=True)
        if fixed is not rows:
            at = 0
            for o, _ in todo:
                n = len(o["values"])
                o["values"], at = fixed[at:at + n], at + n
        return objs
    for o, s in todo:
        floats = s.float_columns if o["values"] is s.values else None
        o["values"] = _fix_floats(o["values"], v3, strict=True, floats=floats)
    return objs


def _result_obj(r: StatementResult, holes: list | None = None, v3: bool = False) -> dict:
    out: dict[str, Any] = {"statement_id": r.statement_id}
    if r.series:
        out["series"] = _series_objs(r.series, holes, v3)
    if r.messages:
        out["messages"] = [m.to_json() if hasattr(m, "to_json") else m for m in r.messages]
    if r.partial:
        out["partial"] = True
    if r.error:
        out["error"] = r.error
    return out


def response_obj(resp: Response, holes: list | None = None, v3: bool = False) -> dict:
    """The Go ``httpd.Response`` shape (``results`` omitted when empty, ``error`` when unset)."""
    out: dict[str, Any] = {}
    if resp.results:
        out["results"] = [_result_obj(r, holes, v3) for r in resp.results]
    if resp.error:
        out["error"] = resp.error
    return out


def encode_json(resp: Response, pretty: bool = False, v3: bool = False) -> bytes:
    """A QueryResult as InfluxDB's /query JSON bytes (Go float text, or InfluxDB 3's with
    ``v3``; optional pretty indent)."""
    return b"".join(json_pieces(resp, pretty, v3))


def json_pieces(resp: Response, pretty: bool = False, v3: bool = False) -> Iterator[bytes]:
    """:func:`encode_json`'s bytes in pieces: frame-backed series' values are written by
    :mod:`.encode_json_frame` piece by piece, around one ``go_json`` of everything else
    (pieces shorter than ``MIN_PIECE`` are joined to the next, longer ones sent as they are), pretty ones indented as the
    rows path indents them. Without orjson's ``Fragment`` every series goes the rows path.
    ``v3``: InfluxDB 3's document (``iox_v1_query_api`` JsonStream: serde_json, no line
    ending, no HTML escapes, pretty by two spaces, its float forms). An infinity makes the
    document its error: v3's ``{"error": ...}`` object, 1.x's error text."""
    holes: list | None = [] if _Fragment else None
    try:
        obj = response_obj(resp, holes, v3)
    except _Infinite:  # (found while the floats are fixed: the search for the first one is rare)
        inf = first_infinity(resp)
        yield unsupported_value_json(inf, pretty) if v3 else go_unsupported_value(inf)
        return
    outline = v3_json(obj, pretty) if v3 else go_json(obj, pretty) + b"\n"
    if not holes:
        yield outline
        return
    parts = outline.split(_HOLE)
    pending: list[bytes] = []
    size = 0
    for frame, part in zip(holes, parts):
        pending.append(part)
        size += len(part)
        line = part[part.rfind(b"\n") + 1:]  # (pretty: the values array's line, `    "values": `)
        pieces = values_pieces(frame, indent=len(line) - len(line.lstrip(b" ")), v3=v3) if pretty else \
            encode_json_csv_writer.values_pieces(frame, v3=v3)
        for piece in pieces:
            if len(piece) >= MIN_PIECE:  # sent as it is (not copied into a join)
                if pending:
                    yield b"".join(pending)
                    pending, size = [], 0
                yield piece
                continue
            pending.append(piece)
            size += len(piece)
            if size >= MIN_PIECE:
                yield b"".join(pending)
                pending, size = [], 0
    pending.append(parts[-1])
    yield b"".join(pending)


def first_infinity(resp: Response) -> float | None:
    """The first infinite float of the answer in the order its JSON is written, if any."""
    for r in resp.results:
        for s in r.series or ():
            if s.no_floats:
                continue
            span = s.span  # (a span's rows are not built to find it)
            frame = s.frame if span is None else span[0].frame.slice(span[1], span[2])
            inf = _frame_infinity(frame) if frame is not None else _rows_infinity(s.values)
            if inf is not None:
                return inf
    return None


def _rows_infinity(rows: list) -> float | None:
    for row in rows:
        if math.inf in row or -math.inf in row:
            return next(float(v) for v in row if isinstance(v, float) and v in (math.inf, -math.inf))
    return None


def _frame_has_infinity(frame: pl.DataFrame) -> bool:
    floats = [c for c, dt in frame.schema.items() if dt.is_float()]
    return bool(floats) and any(frame.select(pl.col(c).is_infinite().any() for c in floats).row(0))


def _frame_infinity(frame) -> float | None:
    """:func:`_rows_infinity` of a frame: the first row holding one, its first such column."""
    best = None
    for j, s in enumerate(frame.get_columns()):
        if s.dtype.is_float():
            hits = np.flatnonzero(np.isinf(s.cast(pl.Float64).to_numpy()))
            if hits.size and (best is None or hits[0] < best[0]):
                best = (int(hits[0]), j)
    return None if best is None else float(frame.row(best[0])[best[1]])


def go_unsupported_value(inf: float) -> bytes:
    """influxd 1.x's body (or chunk) in place of a document holding ``inf``: its jsonFormatter
    writes ``json.Marshal``'s error text, then its line ending (recorded from 1.6.7)."""
    return (b"json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type "
            b"*query.Result: " + unsupported_value(inf).encode() + b"\n")


def unsupported_value_json(inf: float, pretty: bool = False) -> bytes:
    """InfluxDB 3's answer in place of a document holding ``inf``: ``{"error": ...}`` (serde's
    PrettyFormatter indents by two spaces; no line ending)."""
    return v3_json({"error": unsupported_value(inf)}, pretty)
