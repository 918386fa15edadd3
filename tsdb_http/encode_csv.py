"""CSV as InfluxDB 1.x writes it (Go's encoding/csv): ``name,tags,<columns>``.

Times are ns integers (or the ``epoch`` unit), floats Go's ``'f'`` form, tags
the series key (``k=v,k2=v2``, escaped, empty values left out). Large batches
of Python rows are formatted column by column in Polars; frame-backed series
(large answers) are written from their columns by :mod:`.encode_csv_frame` and
streamed. The property tests check both against the per-value path byte for byte.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from .encode_csv_frame import encodable as frame_encodable
from .encode_csv_frame import lines_pieces
from .frame_pieces import block_run
from .formats import Response, go_f

_NEEDS_QUOTE = re.compile(r'[,"\r\n]')
# Go's unicode.IsSpace (Unicode White_Space); Python's str.isspace also takes \x1c-\x1f.
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                      "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _csv_field(s: str) -> str:
    if not s:
        return s
    if s == "\\." or _NEEDS_QUOTE.search(s) or s[0] in _GO_SPACE:
        return '"' + s.replace('"', '""') + '"'
    return s


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return plain_float(v)
    return str(v)


def plain_float(v: float, inf: str = "+Inf", nan: str = "NaN") -> str:
    """A float in shortest digits without an exponent (Go's ``'f', -1``), with the
    writer's words for infinities (``-`` + ``inf`` stripped of its sign) and NaN."""
    if math.isnan(v):
        return nan
    if math.isinf(v):
        return inf if v > 0 else "-" + inf.lstrip("+")
    if v == 0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    return go_f(v)


_QUOTE_RE = r'[,"\r\n]|^\s|^\\\.$'


def _csv_column(col: tuple) -> pl.Series:
    """One column's CSV text as a String Series, vectorised per type (Python for mixed types)."""
    types = set(map(type, col)) - {type(None)}
    if types <= {int} and types:
        try:
            return pl.Series(col, dtype=pl.Int64).cast(pl.String).fill_null("")
        except (OverflowError, TypeError):  # beyond int64 (unsigned fields)
            return pl.Series(list(map(_csv_value, col)), dtype=pl.String)
    if types == {str}:
        v = pl.Series(col, dtype=pl.String)
        quoted = '"' + v.str.replace_all('"', '""', literal=True) + '"'
        return pl.select(pl.when(v.str.contains(_QUOTE_RE)).then(quoted).otherwise(v)).to_series().fill_null("")
    if types == {bool}:
        return pl.Series(col, dtype=pl.Boolean).cast(pl.String).fill_null("")  # "true"/"false"
    if types == {float}:
        return _csv_float_column(col)
    return pl.Series([_csv_field(_csv_value(v)) for v in col], dtype=pl.String)


def _csv_float_column(col: tuple) -> pl.Series:
    """strconv.FormatFloat(v, 'f', -1, 64) for a whole column; Python only for rare values."""
    s = pl.Series(col, dtype=pl.Float64)
    a = s.abs()
    neg_zero = (s == 0) & ((1 / s) < 0)
    integral = (s == s.floor()) & (a < 2.0 ** 53) & ~neg_zero
    normal = (a >= 1e-4) & (a < 1e16) & (s != s.floor())
    text = pl.select(pl.when(integral).then(s.cast(pl.Int64, strict=False).cast(pl.String))
                     .when(normal).then(s.cast(pl.String)).otherwise(None)).to_series()
    missing = text.is_null() & s.is_not_null()
    if missing.any():
        vals = text.to_list()
        for i in missing.arg_true().to_list():
            vals[i] = _csv_value(col[i])
        text = pl.Series(vals, dtype=pl.String)
    return text.fill_null("")


_TAG_ESC = str.maketrans({",": "\\,", " ": "\\ ", "=": "\\="})


def tags_key(tags: dict[str, str] | None) -> str:
    """models.Tags.HashKey without its leading comma: sorted, escaped, empty values skipped."""
    if not tags:
        return ""
    return ",".join(f"{k.translate(_TAG_ESC)}={v.translate(_TAG_ESC)}"
                    for k, v in sorted(tags.items()) if v)


class CsvEncoder:
    """1.x's csvFormatter: one header per statement (and whenever columns change).

    Stateful so that chunks of one response continue the same table.
    Statement errors are not written (as in 1.x); a request-level error is.
    """

    def __init__(self) -> None:
        self.statement_id = -1

    @staticmethod
    def _rows(heads: list[str], values: list[list]) -> list[str]:
        """CSV lines of ``values`` (one ``heads[i]`` = "name,tags," per row).

        Small batches are formatted in Python; large ones column by column in Polars.
        """
        width = len(values[0]) if values else 0
        if len(values) < 64 or width == 0 or any(len(r) != width for r in values):
            return [h + ",".join(_csv_field(_csv_value(v)) for v in r) for h, r in zip(heads, values)]
        cols = [pl.Series("h", heads, dtype=pl.String),
                *(_csv_column(c).alias(f"c{i}") for i, c in enumerate(zip(*values)))]
        return pl.DataFrame(cols).select(
            pl.concat_str([pl.col("h"), pl.concat_str(pl.exclude("h"), separator=",")])).to_series().to_list()

    def encode(self, resp: Response) -> bytes:
        return b"".join(self.pieces(resp))

    def pieces(self, resp: Response) -> Iterator[bytes]:
        """:meth:`encode`'s bytes in pieces: a frame-backed series' lines are written from its
        columns (:mod:`.encode_csv_frame`) piece by piece, the rest in one piece."""
        if resp.error is not None:
            yield ("error\n" + _csv_field(resp.error) + "\n").encode()
            return
        lines: list[str] = []
        for r in resp.results:
            if r.statement_id != self.statement_id:
                if not r.series:
                    continue
                if self.statement_id >= 0:
                    lines.append("")
                self.statement_id = r.statement_id
                lines.append(_header(r.series[0].columns))
            prev = None
            heads: list[str] = []
            rows: list[list] = []
            series = r.series
            i = 0
            while i < len(series):
                s = series[i]
                i += 1
                if prev is not None and prev.columns != s.columns:
                    lines.extend(self._rows(heads, rows))
                    heads, rows = [], []
                    lines.append("")
                    lines.append(_header(s.columns))
                prev = s
                run = block_run(series, i - 1)
                if run is not None:  # series sharing a block (a GROUP BY answer's): written from its columns
                    lines.extend(self._rows(heads, rows))
                    heads, rows = [], []
                    if lines:
                        yield ("\n".join(lines) + "\n").encode()
                        lines = []
                    frame, heads = block_lines_frame(series, i - 1, run)
                    i = run
                    yield from lines_pieces(frame, heads)
                    continue
                head = _csv_field(s.name) + "," + _csv_field(tags_key(s.tags)) + ","
                if s.frame is not None and s.frame.height and frame_encodable(s.frame):
                    lines.extend(self._rows(heads, rows))
                    heads, rows = [], []
                    if lines:
                        yield ("\n".join(lines) + "\n").encode()
                        lines = []
                    yield from lines_pieces(s.frame, head)
                    continue
                heads.extend([head] * len(s.values))
                rows.extend(s.values)
            if rows:
                lines.extend(self._rows(heads, rows))
        if lines:
            yield ("\n".join(lines) + "\n").encode()


def block_lines_frame(series: list, i: int, j: int) -> tuple[pl.DataFrame, pl.Series]:
    """The rows of series ``i`` to ``j`` (spans of one block), and each row's head: its
    series' ``name,tags,``."""
    spans = [s.span for s in series[i:j]]
    heads = pl.Series([_csv_field(s.name) + "," + _csv_field(tags_key(s.tags)) + "," for s in series[i:j]])
    which = np.repeat(np.arange(len(spans)), [n for _, _, n in spans])
    return spans[0][0].frame.slice(spans[0][1], len(which)), heads.gather(which)


def _header(columns: list[str]) -> str:
    return ",".join(_csv_field(c) for c in ["name", "tags", *columns])
