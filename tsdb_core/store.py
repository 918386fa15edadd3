"""The face of the package: :class:`Store` composes a storage engine and the query engine.

Writes are parsed here (``ingest/``: line protocol or a DataFrame into columnar batches) and
stored by the engine (``storage/engine.py``); queries go to the query engine
(``query/engine.py``), which reads the store through the ``DataProvider`` Protocol that
:class:`Store` implements.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import os
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from .base.config import StoreConfig
from .base.errors import UserError
from .base.time import MAX_TIME, MIN_TIME, Clock, precision_multiplier, system_clock
from .influxql.dialect import Dialect, dialect_of
from .base.types import (
    Capabilities, FieldType, MeasurementBatch, MeasurementSchema, RetentionPolicyInfo, WriteResult,
)
from .ingest.dataframe import dataframe_to_batch
from .ingest.line_protocol import in_flight
from .ingest.line_protocol import parse as parse_line_protocol
from .ingest.twins import refuse_twins
from .query.plan.cache import PlanCache
from .query.meta.answers import ShowAnswers, token as show_answer_token
from .storage.catalog import FileMeta
from .storage.engine import StorageEngine
from .storage.objects import local_dir  # noqa: F401 - a public name (tsdb_core.local_dir)
from .storage.recovery import RecoveryReport

if TYPE_CHECKING:
    from .influxql.dialects.portability import Verdict
    from .query.engine import PreparedQuery
    from .query.results import QueryResult

TagValues = dict[str, list[str]]
log = logging.getLogger("tsdb_core.store")


class Store:
    """An open store: on disk (``root``) or in memory (``root is None``). Thread-safe."""

    capabilities = Capabilities(exact_tag_scan=True, arrays=True, row_estimates=True, statistics=False,
                                series_order=True, counted_scan=True,
                                value_counts=True)

    def __init__(self, root: str | os.PathLike | None = None, *, config: StoreConfig | None = None,
                 clock: Clock | None = None, wal_dir: str | os.PathLike | None = None,
                 endpoint_override: str | None = None, dialect: Dialect | str | None = None):
        self.dialect = dialect_of(dialect)  # the InfluxQL dialect of query/prepare/execute (influxql/dialect.py)
        self.config = config or StoreConfig()
        self._iceberg = None  # the AutoPublisher of StoreConfig.iceberg (tsdb_core/lakehouse/hook.py)
        publishing = self.config.iceberg and not self.config.read_only
        if publishing:
            _check_iceberg(root)
        self._engine = StorageEngine(root, self.config, clock or system_clock, wal_dir=wal_dir,
                                     endpoint_override=endpoint_override,
                                     on_commit=self._committed if publishing else None)
        self.root = self._engine.state.root  # the local directory (a remote store's WAL and catalog)
        self.location = str(root) if root is not None else None
        self._reads = self._engine.reads
        self.plan_cache = PlanCache()  # SELECT plans, checked against the catalog on each use
        self.show_answers = ShowAnswers()  # SHOW TAG VALUES answers, kept while the series index is unchanged
        if publishing:
            self._start_publishing()

    # ------------------------------------------------------------------ Iceberg (StoreConfig.iceberg)
    def _start_publishing(self) -> None:
        """Publish once now (after recovery and WAL replay; nothing removed is deleted before a
        publish stops listing it), then after every commit in a thread of its own."""
        from .lakehouse.hook import AutoPublisher

        try:
            hook = AutoPublisher(self, release=self._engine.release_removed, compact=self._engine.compact,
                                 uri=self.config.iceberg_catalog,
                                 retry_s=(self.config.flush_retry_base_s, self.config.flush_retry_max_s))
        except BaseException:
            self._engine.close()
            raise
        hook.publish_now()  # a failure is logged and retried by the thread
        self._iceberg = hook
        hook.start()

    def _publish_change(self, result=None):
        """After a flush, compaction, retention, DELETE or DROP through this store: its Iceberg
        commit before the call returns (a failed one is logged, shown by :meth:`health` and
        retried by the publisher's thread; the store's own commit stands); ``result`` passed on."""
        hook = self._iceberg
        if hook is not None:
            hook.catch_up()
        return result

    def _committed(self) -> None:
        """After each catalog commit (the engine's lock held): wake the publisher."""
        hook = self._iceberg
        if hook is not None:
            hook.signal()

    @property
    def iceberg(self):
        """The :class:`~tsdb_core.lakehouse.Publisher` keeping this store's Iceberg tables
        (``StoreConfig.iceberg``), or None: its ``catalog`` loads the tables."""
        return self._iceberg.publisher if self._iceberg is not None else None

    def publish_iceberg(self) -> bool:
        """Publish now instead of in the background (e.g. before handing the tables to a reader
        that must see every flush so far); whether it worked (failures: :meth:`health`)."""
        if self._iceberg is None:
            raise UserError("this store does not publish Iceberg tables: open it with StoreConfig(iceberg=True)")
        return self._iceberg.publish_now()

    @property
    def read_only(self) -> bool:
        """Opened as a reader, or a writer that lost its lease to another (storage/lease.py)."""
        return self._engine.read_only

    @property
    def clock(self) -> Clock:
        """The store's clock (ns); assignable, e.g. to a test's manual clock."""
        return self._engine.state.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._engine.state.clock = clock

    # ------------------------------------------------------------------ writes
    def write(self, db: str, body: bytes | str, precision: str = "ns", rp: str | None = None, *,
              dialect: Dialect | str | None = None) -> WriteResult:
        """Parse and store a line-protocol body; returns once it is durable and queryable.

        ``dialect`` (default: the store's): under ``influxdb1`` a field type conflict inside
        the body, in a shard group (partition window) the body opens, fails every point of
        that window and sets ``WriteResult.failure``, and a key both tag and field of a
        measurement is stored as both, as InfluxDB 1.x does; ``influxdb3`` refuses the later
        conflicting line only, and a line using a key the other way than before, as InfluxDB 3."""
        precision_multiplier(precision)
        if isinstance(body, str):
            body = body.encode()
        now = self.clock()
        with in_flight():
            parsed = parse_line_protocol(body, precision=precision, now=now)
            v1 = self._dialect(dialect) is Dialect.INFLUXDB1
            if not v1:
                parsed = refuse_twins(parsed, _line_text(body))
            result = self._engine.write_batches(db, rp, list(parsed.batches.values()), now, body,
                                                conflicts=parsed.conflicts if v1 and parsed.conflicts else None,
                                                twins=v1)
        if parsed.errors:
            result.errors = sorted([*parsed.errors, *result.errors], key=lambda e: e.line)
        return result

    def write_batches(self, db: str, batches: dict[str, MeasurementBatch] | list[MeasurementBatch],
                      rp: str | None = None) -> WriteResult:
        """Write already-columnar batches (DataFrame writes, tests): same validation and durability."""
        items = list(batches.values()) if isinstance(batches, dict) else list(batches)
        return self._engine.write_batches(db, rp, items, self.clock(), twins=self.dialect is Dialect.INFLUXDB1)

    def write_frame(self, db: str, rp: str | None, measurement: str, frame: pl.DataFrame,
                    tags: tuple[str, ...], fields: dict[str, FieldType]) -> int:
        """Write rows durably (SELECT ... INTO); rejected rows raise after the rest is written."""
        return self._engine.write_frame(db, rp, measurement, frame, tags, fields)

    def write_dataframe(self, db: str, df, measurement: str, *, tags=(), fields=None, time: str | None = "time",
                        precision: str = "ns", rp: str | None = None) -> WriteResult:
        """Write a Polars/pandas/Arrow frame as points, without going through text
        (the conversion: ``tsdb_core.ingest.dataframe.dataframe_to_batch``)."""
        batch = dataframe_to_batch(df, measurement, tags=tags, fields=fields, time=time, precision=precision,
                                   now=self.now)
        return self.write_batches(db, [batch], rp=rp)

    # ------------------------------------------------------------------ flush, compaction, retention
    def flush(self) -> None:
        """Write every buffered row to Parquet, then truncate the WAL (and, publishing Iceberg
        tables, commit them too before returning)."""
        self._engine.flush()
        self._publish_change()

    def compact(self) -> int:
        """Merge every window holding two or more files; returns the number of windows merged."""
        return self._publish_change(self._engine.compact())

    def enforce_retention(self) -> int:
        """Delete windows wholly older than now − duration; returns the number of files removed."""
        return self._publish_change(self._engine.enforce_retention())

    # ------------------------------------------------------------------ DDL
    def create_database(self, name: str, *, duration: int | None = None, shard_duration: int | None = None,
                        replication: int | None = None, rp_name: str | None = None) -> None:
        """Create ``name`` (no-op if it exists) with a default policy: ``autogen`` infinite unless given."""
        self._engine.create_database(name, duration=duration, shard_duration=shard_duration,
                                     replication=replication, rp_name=rp_name)

    def drop_database(self, name: str) -> None:
        """Drop a database, its policies and every file of its data."""
        self._engine.drop_database(name)
        self._publish_change()

    def create_retention_policy(self, db: str, name: str, *, duration: int, shard_duration: int = 0,
                                replication: int = 1, default: bool = False) -> None:
        """Add a policy; ``shard_duration`` 0 picks InfluxDB's default window for ``duration``."""
        self._engine.create_retention_policy(db, name, duration=duration, shard_duration=shard_duration,
                                             replication=replication, default=default)

    def alter_retention_policy(self, db: str, name: str, *, duration: int | None = None,
                               shard_duration: int | None = None, replication: int | None = None,
                               default: bool | None = None) -> None:
        """Change a policy's duration, window, replication or default flag (None = unchanged)."""
        self._engine.alter_retention_policy(db, name, duration=duration, shard_duration=shard_duration,
                                            replication=replication, default=default)

    def drop_retention_policy(self, db: str, name: str) -> None:
        """Drop a policy and its data."""
        self._engine.drop_retention_policy(db, name)
        self._publish_change()

    def drop_measurement(self, db: str, measurement: str) -> None:
        """Drop a measurement's data and schema in every policy of ``db``."""
        self._engine.drop_measurement(db, measurement)
        self._publish_change()

    def delete(self, db: str, measurement: str | None, start: int, end: int,
               predicate: pl.Expr | None = None) -> None:
        """DELETE / DROP SERIES: remove the rows in [start, end] matching ``predicate`` (all policies)."""
        self._engine.delete(db, measurement, start, end, predicate)
        self._publish_change()

    # ------------------------------------------------------------------ reads (the DataProvider)
    def now(self) -> int:
        """The store's clock, in ns (``now()`` of InfluxQL, arrival time of timestamp-less lines)."""
        return self._engine.state.clock()

    def scan(self, db: str, rp: str | None, measurement: str, start: int, end: int,
             columns: list[str] | None = None, tags: TagValues | None = None,
             limit: tuple[int, bool] | None = None, counted: frozenset[str] = frozenset()) -> pl.LazyFrame:
        """Merged, deduplicated rows with start <= time <= end as a LazyFrame (no particular order);
        ``rp`` None is the default policy. ``tags`` (tag → values) keeps only the matching series'
        rows; ``limit = (n, newest)`` may drop rows beyond the n oldest (newest) of each series
        (it keeps more, never fewer); ``counted``: fields only counted (``DataProvider.scan``)."""
        return self._reads.scan(db, rp, measurement, start, end, columns, tags, limit=limit, counted=counted)

    def scan_frame(self, db: str, rp: str | None, measurement: str, start: int, end: int,
                   columns: list[str] | None = None, tags: TagValues | None = None) -> pl.DataFrame:
        """:meth:`scan`, collected: cached files are sliced with eager calls."""
        return self._reads.scan(db, rp, measurement, start, end, columns, tags, eager=True)

    def scan_arrays(self, db: str, rp: str | None, measurement: str, start: int, end: int, columns: list[str],
                    tags: TagValues) -> dict | None:
        """``time`` and numeric ``columns`` of the series matching ``tags`` as numpy arrays, or
        None when that is not simple (buffered rows, overlapping files, nulls, strings): then
        :meth:`scan_frame`. Times ascend within each series, not across series."""
        return self._reads.scan_arrays(db, rp, measurement, start, end, columns, tags)

    def scan_series(self, db: str, rp: str | None, measurement: str, start: int, end: int, columns: list[str],
                    tags: TagValues, keep=None) -> tuple | None:
        """:meth:`scan_arrays` when ``tags`` match one series: (its tag values, the arrays at the rows ``keep`` marks)."""
        return self._reads.scan_series(db, rp, measurement, start, end, columns, tags, keep)

    def scan_runs(self, db: str, rp: str | None, measurement: str, start: int, end: int,
                  columns: list[str], tags: TagValues | None = None):
        """Rows held series by series with each series' first row, count and tags (``DataProvider.scan_runs``)."""
        return self._reads.scan_runs(db, rp, measurement, start, end, columns, tags or {})

    def value_counts(self, db: str, rp: str | None, measurement: str, start: int, end: int,
                     fields: list[str]) -> dict[str, int] | None:
        """Non-null values of each field in [start, end] (``DataProvider.value_counts``)."""
        return self._reads.value_counts(db, rp, measurement, start, end, fields)

    def series_ordered(self, db: str, rp: str | None, measurement: str, start: int = MIN_TIME,
                       end: int = MAX_TIME) -> bool:
        """Whether scans of ``measurement`` in [start, end] read sorted files or one sorted piece
        of buffered rows only."""
        return self._reads.series_ordered(db, rp, measurement, start, end)

    def row_estimate(self, db: str, rp: str | None, measurement: str, start: int, end: int) -> int:
        """Rows in [start, end], estimated from file metadata and the buffer without reading."""
        return self._reads.row_estimate(db, rp, measurement, start, end)

    def stored_pieces(self, db: str, rp: str | None, measurement: str, start: int,
                      end: int) -> list[tuple[int, str, int, int, tuple[str, ...]]] | None:
        """Where rows in [start, end] live (``DataProvider.stored_pieces``)."""
        return self._reads.pieces(db, rp, measurement, start, end)

    def after_read_error(self, exc: BaseException) -> list[str]:
        """A read failed: quarantine the damaged files among this thread's last scans; their paths
        (a reader moves nothing: the writer finds damaged files; its query runs again once on a
        reloaded catalog when the writer has replaced the file meanwhile)."""
        if self.read_only:
            self._engine.follower.note_read_error(exc)
            return []
        return self._engine.recovery.after_read_error(exc)

    def stats(self) -> list[tuple[str, dict, dict]]:
        """No statistics are kept (``capabilities.statistics`` is False)."""
        return []

    def files(self) -> list[FileMeta]:
        """The live Parquet files (catalog entries), oldest first."""
        self._engine.refresh()
        return self._reads.files()

    def databases(self) -> list[str]:
        """Database names, in creation order (as SHOW DATABASES lists them)."""
        self._engine.refresh()
        return self._reads.databases()

    def has_database(self, db: str) -> bool:
        """Whether ``db`` exists."""
        return self._reads.has_database(db)

    def retention_policies(self, db: str) -> list[RetentionPolicyInfo]:
        """The policies of ``db``; raises DatabaseNotFound."""
        return self._reads.retention_policies(db)

    def resolve_rp(self, db: str, rp: str | None) -> str:
        """``rp``, or the default policy of ``db`` when ``rp`` is None or empty."""
        return self._reads.resolve_rp(db, rp)

    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        """Measurements holding data (sorted); all policies when ``rp`` is None."""
        return self._reads.measurements(db, rp)

    def schema(self, db: str, measurement: str) -> MeasurementSchema | None:
        """Tag keys and field types of ``measurement`` in ``db``, or None if unknown."""
        return self._reads.schema(db, measurement)

    def series(self, db: str, rp: str | None, measurement: str) -> pl.DataFrame:
        """Distinct tag sets (one String column per tag key); all policies when ``rp`` is None."""
        return self._reads.series(db, rp, measurement)

    def tag_values(self, db: str, rp: str | None, measurement: str, tag: str) -> list[str]:
        """Distinct non-empty values of one tag key (sorted); all policies when ``rp`` is None."""
        return self._reads.tag_values(db, rp, measurement, tag)

    def tag_keys(self, db: str, rp: str | None, measurement: str) -> list[str]:
        """Tag keys seen in the series of ``measurement`` (sorted)."""
        return self._reads.tag_keys(db, rp, measurement)

    def series_stamp(self) -> int | None:
        """A number that changes whenever the series index's tag sets may have changed."""
        return self._reads.series_stamp()

    def watch_series(self, db: str, measurements: list[str]) -> None:
        """A reused SHOW answer read these measurements' series (their new series are folded meanwhile)."""
        self._reads.watch_series(db, measurements)

    # ------------------------------------------------------------------ queries
    def query(self, q: str, db: str | None = None, rp: str | None = None, epoch: str | None = None,
              params: dict | None = None, *, dialect: Dialect | str | None = None) -> QueryResult:
        """Run InfluxQL (one or more statements) and return a QueryResult; errors are per statement, not raised.
        ``dialect`` (``"influxdb1"`` or ``"influxdb3"``) overrides the store's for this call."""
        run = _dialect_engine(self._dialect(dialect)).execute
        return self._engine.read(lambda: run(self, q, db=db, rp=rp, epoch=epoch, params=params))

    def prepare(self, q: str, params: dict | None = None, *, dialect: Dialect | str | None = None) -> PreparedQuery:
        """Parse InfluxQL once (raises ParseError, worded as the dialect words it): inspect or
        authorise ``.statements``, then :meth:`execute` it without parsing again."""
        return _dialect_engine(self._dialect(dialect)).prepare(q, params)

    def execute(self, prepared: PreparedQuery, db: str | None = None, rp: str | None = None,
                epoch: str | None = None, *, dialect: Dialect | str | None = None) -> QueryResult:
        """Run a :meth:`prepare`\\ d query; the same answers as :meth:`query` of its text."""
        run = _dialect_engine(self._dialect(dialect)).execute
        return self._engine.read(lambda: run(self, prepared, db=db, rp=rp, epoch=epoch))

    def answer_token(self, query: str | PreparedQuery, db: str | None = None, params: dict | None = None, *,
                     dialect: Dialect | str | None = None) -> int | None:
        """A number naming the answer :meth:`query` (:meth:`execute`) would give now, or None when
        there is no such promise. Only a kept SHOW TAG VALUES answer has one (query/meta/answers.py):
        the same token before and after a call says that call answered the kept rows, and a
        later call seeing it again would answer the same, so a caller may keep what it made of
        the answer (an encoded body) under it. A text is parsed as :meth:`prepare` parses it."""
        dialect = self._dialect(dialect)
        if dialect is not Dialect.INFLUXDB1:
            return None
        prepared = self.prepare(query, params, dialect=dialect) if isinstance(query, str) else query
        if len(prepared.statements) != 1:
            return None
        return self._engine.read(lambda: show_answer_token(self, prepared.statements[0], db))

    @staticmethod
    def check(q: str, *, now: int | None = None) -> list[Verdict]:
        """Per statement of ``q``: will it run on InfluxDB 1.x and on InfluxDB 3 (Cloud Dedicated),
        the error each would answer, and the InfluxDB 3 way to write it where one exists. Static
        (no data read); ``Store.check(q)`` works without a store. ``now`` (ns since the epoch)
        is what ``now()`` reads in the messages that print it; the wall clock when None."""
        from .influxql.dialects.portability import check

        return check(q, now)

    def _dialect(self, dialect) -> Dialect:
        return self.dialect if dialect is None else dialect_of(dialect)

    def sql(self, database: str, q: str, params: dict | None = None, *,
            max_join_rows: int | None = None) -> pa.Table:
        """Run one SQL SELECT against ``database`` (``db`` or ``db/rp``), as InfluxDB 3 answers
        it over Flight: an Arrow table with utf8 strings and dictionary-encoded tags.

        Only reading SQL over the database's measurements is accepted (no file, URL or table
        function); the store's query limits apply as to InfluxQL.
        """
        from .query.sql import execute as sql_engine

        limit = sql_engine.MAX_JOIN_ROWS if max_join_rows is None else max_join_rows
        return self._engine.read(lambda: sql_engine.to_arrow(
            sql_engine.execute(self, database, q, params, max_join_rows=limit)))

    def sql_stream(self, database: str, q: str, params: dict | None = None, *,
                   max_join_rows: int | None = None, batch_rows: int | None = None, cancelled=None):
        """:meth:`sql` as a stream: planned now (errors raised here), its ``.schema`` known before
        any row is read, its record batches computed as they are iterated (memory bounded by a
        few batches); ``close()`` or ``cancelled()`` returning True stops the work between batches.
        See :mod:`tsdb_core.query.sql.stream`."""
        from .query.sql import execute as sql_engine
        from .query.sql import stream

        limit = sql_engine.MAX_JOIN_ROWS if max_join_rows is None else max_join_rows
        return self._engine.read(lambda: stream.open_stream(
            self, database, q, params, max_join_rows=limit, batch_rows=batch_rows or sql_engine.BATCH_ROWS,
            cancelled=cancelled))

    def resolve_database(self, name: str) -> tuple[str, str]:
        """(database, retention policy) of an InfluxDB 3 database name (``db`` or ``db/rp``);
        DatabaseNotFound when there is no such database."""
        from .query.sql import execute as sql_engine

        return sql_engine.split_database(self, name)

    # ------------------------------------------------------------------ lifecycle
    @property
    def recovery_report(self) -> RecoveryReport:
        """What opening the store (and reads since) skipped: rebuilt catalog, quarantined files, WAL bytes."""
        return self._engine.recovery_report

    def check_files(self, deep: bool = False) -> list[tuple[str, str]]:
        """Check the live Parquet files (footer; ``deep``: every page), quarantine the damaged ones;
        the (relative path, reason) of each file moved."""
        self._engine.writable("checking (and quarantining) files")
        return self._engine.recovery.check_files(deep=deep)

    def refresh(self) -> bool:
        """A reader (``read_only``): see what the writer committed since the last look; whether
        anything changed. Queries do this first, so calling it is seldom needed."""
        return self._engine.refresh()

    def catalog_version(self) -> int | None:
        """The version of the catalog this store answers from (it goes up with every commit of
        the writer: flush, compaction, DDL...); a reader's trails the writer's until it refreshes."""
        return self._engine.catalog_version()

    def refreshed_at(self) -> float | None:
        """A reader: the wall time (``time.time()``) it last compared its catalog with the
        writer's; data flushed before then is visible. None for a writer (always current).
        On PostgreSQL a reader also reloads as soon as the writer's commit NOTIFY reaches it,
        and compares at least every few seconds (storage/readonly.py)."""
        follower = self._engine.follower
        return follower.checked_at if follower is not None else None

    def committed_at(self) -> float | None:
        """The wall time (``time.time()`` on the writer's machine) of the writer's commit this
        store answers from: everything the writer had flushed by then is visible. A reader is at
        most ``now - committed_at()`` behind once it has refreshed; None in memory."""
        return self._engine.committed_at()

    def start_background(self, interval_s: float = 1.0) -> None:
        """Flush by age/size and enforce retention on a schedule, until ``close()``; with
        ``StoreConfig.read_ahead``, first decode each measurement's newest file into the cache."""
        self._engine.start_background(interval_s)

    def close(self) -> None:
        """Flush the buffer to Parquet, stop background work and release the store's lock
        (a reader only closes its catalog connection). A store publishing Iceberg tables
        publishes the final flush before the last removed files are deleted."""
        hook, self._iceberg = self._iceberg, None
        if hook is not None and not self._engine.closed:
            hook.stop()
            if not self.read_only:
                try:
                    self._engine.flush()
                except Exception as e:  # noqa: BLE001 - close() flushes again, setting bad rows aside
                    log.warning("flush before the last Iceberg publish failed: %s", e)
                hook.publish_now()
        try:
            self._engine.close()
        finally:
            if hook is not None:
                hook.close()

    def health(self) -> dict:
        """``{"status": "ok" | "degraded", ...}``: failing flushes (with the last error), the
        batches set aside in ``quarantine/flush/`` (storage/isolation.py) and failing Iceberg
        publishes (``iceberg``), for monitoring."""
        out = self._engine.health()
        hook = self._iceberg
        if hook is not None:
            out["iceberg"] = hook.health()
            if hook.error is not None:
                out["status"] = "degraded"
        return out

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten store must not keep its lock file
        try:
            self._engine.release_if_forgotten()
        except Exception:
            pass


def _check_iceberg(root) -> None:
    """Refuse ``StoreConfig.iceberg`` before anything is opened when it cannot work."""
    if root is None:
        raise UserError("StoreConfig(iceberg=True) needs a store with files: an in-memory store has none")
    try:
        import pyiceberg  # noqa: F401
    except ImportError as e:
        raise UserError("StoreConfig(iceberg=True) needs pyiceberg: pip install 'tsdb[iceberg]'") from e


@functools.cache
def _query_engine():
    """The query engine module, imported on first use: it imports this module, and an import
    statement inside :meth:`Store.query` would run on every query."""
    from .query import engine

    return engine


@functools.cache
def _line_text(body: bytes):
    """Line number → the line as sent (for refusals made after parsing)."""
    lines: list[bytes] = []

    def text_of(n: int) -> str:
        if not lines:
            lines.extend(body.split(b"\n"))
        raw = lines[n - 1] if 0 < n <= len(lines) else b""
        return raw.rstrip(b"\r").decode("utf-8", "replace").lstrip(" \t\x00")
    return text_of


def _dialect_engine(dialect: Dialect):
    """The module running a dialect's queries (``prepare``/``execute``), imported on first use."""
    if dialect is Dialect.INFLUXDB3:
        from .query import influxdb3

        return influxdb3
    return _query_engine()


def open(path: str | os.PathLike | None = None, *, config: StoreConfig | None = None,
         clock: Clock | None = None, wal_dir: str | os.PathLike | None = None,
         endpoint_override: str | None = None, catalog: str | None = None,
         read_only: bool = False, dialect: Dialect | str | None = None) -> Store:  # noqa: A001 - the public name is fixed
    """Open (creating if absent) the store at ``path``; ``None`` gives an in-memory store.

    ``path`` may be a URI (``s3://bucket/prefix``, ``gs://``, ``abfs://``, ``file://``): the data
    files live there, the WAL in ``wal_dir`` (local; default under the user's data directory).
    ``endpoint_override``: an S3-compatible endpoint (else ``AWS_ENDPOINT_URL``).
    ``catalog``: a ``postgresql://`` URL to keep the catalog there (``StoreConfig.catalog``).
    ``read_only``: open as a reader beside the process that writes (``StoreConfig.read_only``,
    storage/readonly.py): it sees data once the writer has flushed it; changes are refused.
    ``dialect``: the InfluxQL of :meth:`Store.query` unless a call names one: ``"influxdb1"``
    (default: InfluxDB 1.x, every statement) or ``"influxdb3"`` (as InfluxDB 3 / Cloud Dedicated).
    """
    if catalog is not None:
        config = dataclasses.replace(config or StoreConfig(), catalog=catalog)
    if read_only:
        config = dataclasses.replace(config or StoreConfig(), read_only=True)
    return Store(path, config=config, clock=clock, wal_dir=wal_dir, endpoint_override=endpoint_override,
                 dialect=dialect)
