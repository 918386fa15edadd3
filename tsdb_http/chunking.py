"""Split statement results into the responses of a chunked /query answer, as 1.x does.

InfluxDB 1.x (``chunked=true``) writes one JSON object per line. Each object
holds one statement and one piece of one series of at most ``chunk_size``
rows; the series carries ``"partial": true`` when more rows of it follow, the
statement carries ``"partial": true`` when more pieces of it follow. A
statement without series, or with an error, is one object. Statements whose
series have no time column (SHOW ...) are sent whole, as 1.x sends meta
results.
"""
from __future__ import annotations

from typing import Iterator

from tsdb_core import Series, StatementResult

from .encode import Response


def _pieces(s: Series, size: int) -> list[Series]:
    """The series in pieces of ``size`` rows (slices of its frame while it has one)."""
    n = s.n_rows
    if n <= size:
        return [s]
    frame = s.frame
    out = []
    for i in range(0, n, size):
        more = i + size < n
        if frame is not None:
            out.append(Series(s.name, s.tags, s.columns, frame=frame.slice(i, size), partial=more))
        else:
            out.append(Series(s.name, s.tags, s.columns, s.values[i:i + size], partial=more))
    return out


def chunk_statement(st: StatementResult, size: int) -> Iterator[StatementResult]:
    """Split one statement's series into chunk_size-row pieces marked partial, as InfluxDB streams them."""
    if st.error or not st.series or not any(s.columns and s.columns[0] == "time" for s in st.series):
        yield st
        return
    pieces = [p for s in st.series for p in _pieces(s, size)]
    last = len(pieces) - 1
    for i, p in enumerate(pieces):
        yield StatementResult(statement_id=st.statement_id, series=[p],
                              messages=st.messages if i == last else [],
                              partial=i < last)


def responses(results: list[StatementResult], chunked: bool, size: int) -> Iterator[Response]:
    """The responses to encode: one when not chunked, else one per chunk."""
    if not chunked:
        yield Response(results=results)
        return
    for st in results:
        for piece in chunk_statement(st, size):
            yield Response(results=[piece])
