"""The typed Protocol through which query code reaches storage.

``query/`` never imports ``ingest/`` or ``storage/``: the store implements
:class:`DataProvider` and hands itself to the query engine. What a provider can
do beyond the required methods is declared in :class:`Capabilities` (data the
planner reads), never discovered by probing for attributes. Fakes in tests
subclass :class:`DataProvider` and inherit the defaults of the optional methods.

Time ranges are inclusive on both ends, in int64 ns (InfluxQL's
``time > t`` becomes ``start = t + 1``); ``base.time.MIN_TIME``/``MAX_TIME``
stand for "unbounded".
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import polars as pl

from ..base.config import StoreConfig
from ..base.time import MAX_TIME, MIN_TIME
from ..base.types import (  # noqa: F401 - re-exported: the records the Protocol speaks in
    Capabilities, FieldType, MeasurementSchema, RetentionPolicyInfo,
)


if TYPE_CHECKING:
    from .meta.answers import ShowAnswers
    from .plan.cache import PlanCache


@runtime_checkable
class DataProvider(Protocol):
    """What the query engine needs from storage; ``Store`` implements it, tests use fakes."""
    capabilities: Capabilities = Capabilities()
    config: StoreConfig = StoreConfig()
    plan_cache: "PlanCache | None" = None  # SELECT plans reused while the catalog is unchanged
    show_answers: "ShowAnswers | None" = None  # SHOW TAG VALUES answers reused while series_stamp() holds

    # -- clock ---------------------------------------------------------------
    def now(self) -> int: ...

    # -- catalog -------------------------------------------------------------
    def databases(self) -> list[str]: ...
    def has_database(self, db: str) -> bool: ...
    def retention_policies(self, db: str) -> list[RetentionPolicyInfo]: ...
    def resolve_rp(self, db: str, rp: str | None) -> str:
        """The policy name to use: ``rp``, or the database's default when None/''."""
        ...
    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        """Measurements holding data (sorted); all RPs when ``rp`` is None."""
        ...
    def schema(self, db: str, measurement: str) -> MeasurementSchema | None: ...

    # -- data ----------------------------------------------------------------
    def scan(self, db: str, rp: str, measurement: str, start: int, end: int,
             columns: list[str] | None = None, tags: dict[str, list[str]] | None = None,
             limit: tuple[int, bool] | None = None, counted: frozenset[str] = frozenset()) -> pl.LazyFrame:
        """Merged, deduplicated rows with start <= time <= end.

        ``tags`` (tag key → accepted values, from WHERE's tag equalities) is a hint: the
        provider may drop rows of series that do not match, or ignore it (the engine
        filters again) unless ``capabilities.exact_tag_scan``. ``limit = (n, newest)``
        may drop rows beyond the n oldest (newest) of each series (it keeps more, never
        fewer). ``counted`` (only with ``capabilities.counted_scan``): fields the caller only
        counts (``count()``): their nulls must be right, their values may be any of the type
        (values stored in another form need not be converted).

        Columns: ``time`` (Int64 ns), every tag key (String, null where a
        series lacks it), every field (its type, null where a point lacks it);
        only ``time`` + ``columns`` when given. Rows of expired data (older
        than now − RP duration) are never returned.
        """
        ...
    def scan_frame(self, db: str, rp: str, measurement: str, start: int, end: int,
                   columns: list[str] | None = None,
                   tags: dict[str, list[str]] | None = None) -> pl.DataFrame:
        """:meth:`scan`, collected."""
        return self.scan(db, rp, measurement, start, end, columns, tags).collect()

    def scan_arrays(self, db: str, rp: str, measurement: str, start: int, end: int,
                    columns: list[str], tags: dict[str, list[str]]) -> dict | None:
        """``time`` and numeric ``columns`` of the series matching ``tags`` as numpy arrays,
        or None when that is not simple (then :meth:`scan_frame`). Only with
        ``capabilities.arrays``."""
        return None

    def scan_series(self, db: str, rp: str, measurement: str, start: int, end: int,
                    columns: list[str], tags: dict[str, list[str]], keep=None) -> tuple | None:
        """:meth:`scan_arrays` when ``tags`` match one series: (its tag values, the arrays);
        None when several match or as scan_arrays. Only with ``capabilities.arrays``.
        ``keep`` (column -> array as given, to a boolean mask): only the rows it marks, filtered
        before sources are joined (a store being written to is read as several pieces)."""
        return None

    def scan_runs(self, db: str, rp: str, measurement: str, start: int, end: int,
                  columns: list[str], tags: dict[str, list[str]] | None = None) -> tuple | None:
        """``time`` and the fields ``columns`` of the series matching ``tags`` (all when none)
        as (a frame of one chunk per column holding their rows, each series' rows one run of it,
        times ascending within each; a numpy array of each series' first row in it; one of its
        row count; tag key -> each series' value, None where it has none), the series in the
        frame's order; or None when that is not cheap (then :meth:`scan`). The frame may hold
        other rows around the runs (a cached file's, uncopied). Sources disjoint in time may
        come as a ``base.piece_runs.PieceRuns`` instead (each series' run in each source, not
        joined). Only with ``capabilities.series_order``."""
        return None

    def value_counts(self, db: str, rp: str, measurement: str, start: int, end: int,
                     fields: list[str]) -> dict[str, int] | None:
        """Non-null values of each of ``fields`` with start <= time <= end, exactly as
        ``count()`` over :meth:`scan`'s rows; None when not cheap (then the scan). Only with
        ``capabilities.value_counts``."""
        return None

    def stored_pieces(self, db: str, rp: str | None, measurement: str, start: int,
                      end: int) -> list[tuple[int, str, int, int, tuple[str, ...]]] | None:
        """Where rows with start <= time <= end live, for EXPLAIN in the influxdb3 dialect:
        (partition window start, Parquet file path or '' for rows not yet persisted, their
        first and last time, the columns they hold: at least their tags), files oldest first;
        None when the provider cannot tell."""
        return None

    def series_ordered(self, db: str, rp: str | None, measurement: str, start: int = MIN_TIME,
                       end: int = MAX_TIME) -> bool:
        """Whether :meth:`scan` rows between ``start`` and ``end`` likely come grouped by series,
        times ascending within each (read from sorted files only). A hint for a cheaper
        grouping, which the engine checks; only with ``capabilities.series_order``."""
        return False

    def row_estimate(self, db: str, rp: str | None, measurement: str, start: int,
                     end: int) -> int | None:
        """Rows in [start, end] estimated without reading data; None when unknown."""
        return None

    def after_read_error(self, exc: BaseException) -> list[str]:
        """A scan failed: isolate the damaged files the provider can find; their paths."""
        return []

    def stats(self) -> list[tuple[str, dict, dict]]:
        """(name, tags, values) rows for SHOW STATS; only with ``capabilities.statistics``."""
        return []

    def series(self, db: str, rp: str | None, measurement: str) -> pl.DataFrame:
        """Distinct tag sets (one String column per tag key) from the index, no scan."""
        ...

    def tag_keys(self, db: str, rp: str | None, measurement: str) -> list[str]:
        """Tag keys seen in the series of ``measurement`` (sorted); all RPs when ``rp`` is None."""
        return sorted(self.series(db, rp, measurement).columns)

    def tag_values(self, db: str, rp: str | None, measurement: str, tag: str) -> list[str]:
        """Distinct non-empty values of one tag key (sorted); all RPs when ``rp`` is None.

        The default reads :meth:`series`; a store with an index of values answers from it."""
        frame = self.series(db, rp, measurement)
        if tag not in frame.columns:
            return []
        return sorted(set(frame.get_column(tag).to_list()) - {None, ""})

    def series_stamp(self) -> int | None:
        """A number that changes whenever the tag sets behind :meth:`series`, :meth:`tag_keys`
        and :meth:`tag_values` may have changed; None (the default) when the provider cannot
        tell, and then nothing built from them is kept between queries."""
        return None

    def watch_series(self, db: str, measurements: list[str]) -> None:
        """An answer built from these measurements' series was reused: a read of them (a
        store may keep folding their new series in the background, storage/index.py)."""

    # -- statements that change things -----------------------------------
    def create_database(self, name: str, *, duration: int | None = None,
                        shard_duration: int | None = None, replication: int | None = None,
                        rp_name: str | None = None) -> None: ...
    def drop_database(self, name: str) -> None: ...
    def create_retention_policy(self, db: str, name: str, *, duration: int,
                                shard_duration: int = 0, replication: int = 1,
                                default: bool = False) -> None: ...
    def alter_retention_policy(self, db: str, name: str, *, duration: int | None = None,
                               shard_duration: int | None = None, replication: int | None = None,
                               default: bool | None = None) -> None: ...
    def drop_retention_policy(self, db: str, name: str) -> None: ...
    def drop_measurement(self, db: str, measurement: str) -> None: ...
    def delete(self, db: str, measurement: str | None, start: int, end: int,
               predicate: pl.Expr | None = None) -> None:
        """DELETE / DROP SERIES: remove rows in [start, end] matching a tag predicate (all RPs)."""
        ...
    def write_frame(self, db: str, rp: str | None, measurement: str, frame: pl.DataFrame,
                    tags: tuple[str, ...], fields: dict[str, FieldType]) -> int:
        """Write rows (``time`` + tags + fields) durably, as SELECT ... INTO does; returns points."""
        ...
