"""SQL answers as a stream of Arrow record batches, computed while they are read.

A server that sends answers over the network (Arrow Flight) needs the schema before any
row is read (Flight SQL's GetFlightInfo) and then the rows in batches as Polars' streaming
engine produces them, so that a large answer never sits whole in memory and the first
batch leaves early. :func:`open_stream` plans the statement (the same checks and tables
as :func:`.execute.execute`); iterating the :class:`SqlStream` runs it. Reading stops
the work between batches: when the reader closes the stream, when ``cancelled()`` says so
(a client that went away), or at the store's ``query_timeout_s``.

    stream = open_stream(store, "mydb", "SELECT * FROM cpu")
    stream.schema                      # InfluxDB 3's Arrow types, nothing read yet
    for batch in stream: ...           # pyarrow.RecordBatch, at most batch_rows rows each
"""
from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable, Iterator

import polars as pl
import pyarrow as pa

from ...base.errors import LimitExceeded, QueryError
from . import execute
from .execute import _polars_errors

__all__ = ["SqlStream", "open_stream", "TIMEOUT_MESSAGE"]

TIMEOUT_MESSAGE = "query-timeout limit exceeded"


class SqlStream:
    """One planned SQL statement: :attr:`schema` now, its record batches as it runs.

    Iterate it once. :meth:`close` stops the query (Polars stops producing when its batch
    iterator is dropped) and :attr:`stopped` then tells that the answer is incomplete;
    :attr:`batches_sent` counts the batches handed out.
    """

    def __init__(self, lf: pl.LazyFrame, *, batch_rows: int, timeout: float, max_points: int,
                 cancelled: Callable[[], bool] | None):
        self._schema: pa.Schema | None = None
        self._lf, self._batch_rows = lf, batch_rows
        self._timeout, self._deadline, self._max_points = timeout, 0.0, max_points
        self.cancelled = cancelled or (lambda: False)  # may be replaced before iterating
        self._closed = threading.Event()
        self.batches_sent = 0
        self.stopped = False  # closed or cancelled before the answer's end

    @property
    def schema(self) -> pa.Schema:
        """The answer's Arrow schema: the plan's, or the first batch's once one was read (the same
        types; reading a batch first spares resolving the plan's types)."""
        if self._schema is None:
            with _polars_errors():
                self._schema = execute.to_arrow(pl.DataFrame(schema=self._lf.collect_schema())).schema
        return self._schema

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Stop the query; the iterator ends at its next batch boundary."""
        self._closed.set()

    def reader(self) -> pa.RecordBatchReader:
        """The answer as a RecordBatchReader (the schema is the plan's)."""
        return pa.RecordBatchReader.from_batches(self.schema, iter(self))

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        if self._closed.is_set():
            self.stopped = True
            return
        batches = None
        self._deadline = _time.perf_counter() + self._timeout if self._timeout else 0.0
        try:
            with _polars_errors():
                batches = self._lf.collect_batches(chunk_size=self._batch_rows, maintain_order=True)
                yield from self._run(batches)
        finally:
            batches = None  # dropping Polars' iterator stops the query
            self._closed.set()

    def _run(self, batches) -> Iterator[pa.RecordBatch]:
        width = max(1, len(self._lf.collect_schema())) if self._max_points else 1
        rows = 0
        for df in batches:
            if self._stop():
                return
            rows += df.height
            if self._max_points and rows * width > self._max_points:
                raise LimitExceeded(f"max-select-point limit exceeed: (>{self._max_points}/"
                                    f"{self._max_points})")  # influxd's words
            for batch in self._arrow(df):
                self.batches_sent += 1
                yield batch
                if self._stop():
                    return

    def _stop(self) -> bool:
        """Whether to stop here: closed or cancelled; past the deadline is an error."""
        if self._closed.is_set() or self.cancelled():
            self._closed.set()
            self.stopped = True
            return True
        if self._deadline and _time.perf_counter() >= self._deadline:
            raise QueryError(TIMEOUT_MESSAGE)
        return False

    def _arrow(self, df: pl.DataFrame) -> list[pa.RecordBatch]:
        if df.height == 0:
            return []
        # one chunk: Polars may export an empty chunk whose offset is past its buffer
        table = execute.to_arrow(df.rechunk() if df.n_chunks() > 1 else df)
        if self._schema is None:
            self._schema = table.schema
        elif table.schema != self._schema:
            table = table.cast(self._schema)
        return table.combine_chunks().to_batches(max_chunksize=self._batch_rows)


def open_stream(provider, database: str, sql: str, params: dict | None = None, *,
                max_join_rows: int = execute.MAX_JOIN_ROWS, batch_rows: int = execute.BATCH_ROWS,
                cancelled: Callable[[], bool] | None = None) -> SqlStream:
    """Plan ``sql`` against ``database`` (``db`` or ``db/rp``): its errors are raised here or when
    :attr:`SqlStream.schema` or the first batch is asked for, before any row is sent. The store's ``query_timeout_s`` counts from the start of the iteration;
    ``max_select_point`` caps the answer's values as in :func:`.execute.execute`."""
    max_points = provider.config.max_select_point
    lf = execute.plan(provider, database, sql, params, max_join_rows=max_join_rows)
    if max_points:
        with _polars_errors():
            lf = lf.head(max_points // max(1, len(lf.collect_schema())) + 1)
    return SqlStream(lf, batch_rows=batch_rows, timeout=provider.config.query_timeout_s or 0.0,
                     max_points=max_points, cancelled=cancelled)
