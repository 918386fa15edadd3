"""Which failing value an InfluxDB 3 checked cast names, whatever order Polars runs in.

v3 reads a table as its files hold it, sorted by the series key then time (IOx's sort key; the
physical plans' ``output_ordering=[tag0@1 ASC]`` and the ``SortPreservingMergeExec: [..tag0..,
time..]`` above the scans), and arrow's cast stops at the first value out of range in that
order. Polars hands the cast a whole column, a chunk or one group at a time, in an order of
its own, so the first failing value it meets changed from run to run. A statement whose cast
fails is therefore run once more with :data:`TRACE` set: every scan reads its series' tags too,
each cast records its failing rows instead of raising, and the least by (measurement, tag
values in tag-key order, a missing tag first, time) is the one named. Only the failing path
pays for it.

The tag-key order is the names' (this store keeps no other). v3's sort key orders the tags as
the product does: InfluxDB 3 Core by the table's series key, its tags in the order writes first
named them (influxdb3_catalog versions/v2.rs ``add_columns_impl``: ``self.series_key.push(id)``,
``make_sort_key(&self.series_key_names, ..)``; buffered chunks carry no sort key and are
deduplicated on ``Schema::primary_key``, the series key under ``feature = "v3"``); Clustered
(Cloud Dedicated) by each partition's catalog sort key, set at its first persist from
cardinality (the open IOx ingester's ``compact_persisting_batch``: ``None => compute_sort_key(..)``),
fewest values first, ties by name (schema/src/sort.rs ``compute_sort_key``,
``sort_by_cached_key(|x| (x.1, x.0.clone()))``), later tags appended (``adjust_sort_key_columns``).
Both agree with ours when the tags were first written in name order (Core) or their cardinality
grows in name order (Clustered).
"""
from __future__ import annotations

from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from ...base.errors import RowError


@dataclass
class Trace:
    """A rerun's record: the tag keys its scans read, the failing rows its casts met."""
    tags: set = field(default_factory=set)
    rows: list = field(default_factory=list)  # [(sort key, message)]

    def order_columns(self, schema, name_column: str) -> list[str]:
        """The frame's columns that order rows as v3 scans them: measurement, tags, time."""
        return [c for c in (name_column, *sorted(self.tags), "time") if c in schema]

    def record(self, keys: list[tuple], messages: list[str]) -> None:
        """Adds a call's failing rows (their values of :meth:`order_columns`, a message each)."""
        self.rows.extend(zip((tuple((v is not None, v) for v in k) for k in keys), messages))


TRACE: ContextVar[Trace | None] = ContextVar("cast_trace", default=None)  # None outside a rerun


class CastFailure(RowError):
    """A checked cast met a value out of range (the message names the first value met)."""


def first_failure(rerun, error: CastFailure) -> CastFailure:
    """The failure v3 would name: ``rerun()`` runs the statement again under :data:`TRACE`;
    ``error`` (the one Polars raised first) stands when the rerun finds nothing to order."""
    trace = Trace()
    token = TRACE.set(trace)
    # the rerun only orders failures: any error of its own keeps the first
    with suppress(Exception):
        try:
            rerun()
        finally:
            TRACE.reset(token)
    try:
        return CastFailure(min(trace.rows)[1]) if trace.rows else error
    except TypeError:  # keys of casts over frames of other columns do not compare: the first stands
        return error
