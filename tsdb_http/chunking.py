"""Split statement results into the responses of a chunked /query answer, as 1.x does.

InfluxDB 1.x (``chunked=true``) writes one JSON object per line. Each object
holds one statement and one piece of one series of at most ``chunk_size``
rows; the series carries ``"partial": true`` when more rows of it follow, the
statement carries ``"partial": true`` when more pieces of it follow. A
statement without series, or with an error, is one object. Statements whose
series have no time column (SHOW ...) are sent whole, as 1.x sends meta
results.

InfluxDB 3 (:func:`v3_chunk_statement`) writes its chunks one after another with nothing
between them, and splits every statement the same way.
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


def v3_chunk_statement(st: StatementResult, size: int) -> Iterator[StatementResult]:
    """InfluxDB 3's chunks of one statement (``iox_v1_query_api`` response/chunked.rs,
    ChunkedResultStream over SeriesChunkMergeStream): every series, SHOW's too, is split into
    ``size``-row pieces (the left ones ``partial``), each piece is one response whose statement
    is ``partial`` unless it is the statement's last; a statement without rows sends nothing,
    a failed one its error alone."""
    if st.error:
        yield StatementResult(statement_id=st.statement_id, error=st.error)
        return
    pieces = [p for s in st.series if s.n_rows for p in _pieces(s, size)]
    last = len(pieces) - 1
    for i, p in enumerate(pieces):
        yield StatementResult(statement_id=st.statement_id, series=[p], partial=i < last)


def responses(results: list[StatementResult], chunked: bool, size: int, v3: bool = False) -> Iterator[Response]:
    """The responses to encode: one when not chunked, else one per chunk (``v3``: InfluxDB 3's chunks)."""
    if not chunked:
        yield Response(results=results)
        return
    chunk = v3_chunk_statement if v3 else chunk_statement
    for st in results:
        for piece in chunk(st, size):
            yield Response(results=[piece])
