"""The data model shared by the write and query flows.

A point is (measurement, tags, fields, time). Line protocol parses into one
:class:`MeasurementBatch` per measurement: a Polars DataFrame with an Int64
``time`` column (ns since epoch), one String column per tag key (null where a
line lacks that tag) and one typed column per field key (null where absent).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import polars as pl

if TYPE_CHECKING:
    from .series_codes import SeriesCodes


class FieldType(str, enum.Enum):
    """InfluxDB field types; the value is InfluxQL's name for the type."""

    FLOAT = "float"
    INTEGER = "integer"
    UNSIGNED = "unsigned"
    BOOLEAN = "boolean"
    STRING = "string"

    @property
    def polars(self) -> pl.DataType:
        return _POLARS[self]

    @classmethod
    def from_polars(cls, dtype: pl.DataType) -> "FieldType":
        for ft, pdt in _POLARS.items():
            if dtype == pdt:
                return ft
        raise ValueError(f"no field type for polars dtype {dtype}")


_POLARS: dict[FieldType, pl.DataType] = {
    FieldType.FLOAT: pl.Float64(),
    FieldType.INTEGER: pl.Int64(),
    FieldType.UNSIGNED: pl.UInt64(),
    FieldType.BOOLEAN: pl.Boolean(),
    FieldType.STRING: pl.String(),
}

TIME = "time"  # the time column: Int64 nanoseconds since the Unix epoch

# A field whose key is also a tag key of its measurement (1.x stores both) is held in the
# column TWIN + key. No line-protocol key can start with a newline (one would end the
# line), and writes of other kinds refuse such keys (storage/admission.py).
TWIN = "\nfield:"


def field_column(key: str, tags) -> str:
    """The column of field ``key`` of a measurement with tag keys ``tags``."""
    return TWIN + key if key in tags else key


def field_key(column: str) -> str:
    """The field key a column holds (the inverse of :func:`field_column`)."""
    return column[len(TWIN):] if column.startswith(TWIN) else column


@dataclass(frozen=True, slots=True)
class LineError:
    """One rejected line: 1-based line number, the line as sent, InfluxDB's reason."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, slots=True)
class MeasurementBatch:
    """The accepted points of one measurement from one body, columnar.

    ``tags`` and ``fields`` name the frame's columns (besides ``time``); a field whose
    key is also one of ``tags`` is named :func:`field_column` (``TWIN`` + key).
    ``lines`` holds each row's 1-based source line number (Int64 Series), so
    later validation (field type conflicts, retention) can report lines too.
    """

    measurement: str
    frame: pl.DataFrame
    tags: tuple[str, ...]
    fields: dict[str, FieldType]
    lines: pl.Series | None = None
    series: SeriesCodes | None = None  # each row's series, when the parser knows it (series_codes.py)

    @property
    def num_points(self) -> int:
        return self.frame.height

    @property
    def num_values(self) -> int:
        """Non-null field values (what ingest figures count)."""
        if not self.fields:
            return 0
        counts = self.frame.select(pl.col(list(self.fields)).count()).row(0)
        return int(sum(counts))


class TypeConflict(NamedTuple):
    """A line refused because a field's type differs from an earlier one of the same body
    (or of the same line): what decides, in 1.x, whether the write fails (Store.write)."""

    time: int  # the refused line's time (ns)
    first_time: int  # the time of the line that gave the field its type
    measurement: str
    before: tuple  # (column, FieldType) of the refused line's fields before the conflicting one
    tags: tuple = ()  # the refused line's (key, value) tags: 1.x creates its series first


@dataclass(slots=True)
class ParsedBody:
    """What line-protocol parsing gives back: batches plus every rejected line."""

    batches: dict[str, MeasurementBatch] = field(default_factory=dict)
    errors: list[LineError] = field(default_factory=list)
    lines_seen: int = 0  # non-blank, non-comment lines
    # line → TypeConflict of each line refused for a field type conflict inside the body
    conflicts: dict[int, TypeConflict] = field(default_factory=dict)

    @property
    def num_points(self) -> int:
        return sum(b.num_points for b in self.batches.values())


@dataclass(slots=True)
class WriteResult:
    """What ``Store.write`` acknowledged: points stored, and lines refused (with reasons)."""

    points_written: int = 0
    values_written: int = 0
    errors: list[LineError] = field(default_factory=list)
    # the write's own error where InfluxDB 1.x fails it rather than writing partially
    # (``field type conflict``: a type conflict inside a body in a shard group it opens)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def dropped(self) -> int:
        return len(self.errors)


# -- what a store tells the query engine (tsdb_core.query.provider speaks in these) --

@dataclass(frozen=True, slots=True)
class Capabilities:
    """The optional read paths a provider offers; the planner chooses executors from these."""

    exact_tag_scan: bool = False  # scan(tags=...) returns only the matching series' rows
    arrays: bool = False  # scan_arrays/scan_series answer (numpy arrays, no frame)
    row_estimates: bool = False  # row_estimate answers from file metadata, without reading
    statistics: bool = False  # stats() answers SHOW STATS
    series_order: bool = False  # series_ordered() says when scans come by series, times ascending
    counted_scan: bool = False  # scan(counted=...) may skip converting fields the caller only counts
    value_counts: bool = False  # value_counts() answers count() of whole fields from file metadata


@dataclass(frozen=True, slots=True)
class RetentionPolicyInfo:
    """A retention policy as the query engine sees it (SHOW RETENTION POLICIES, partition windows)."""
    name: str
    duration: int  # ns; 0 = infinite
    shard_group_duration: int  # ns: the partition window
    replication: int = 1
    default: bool = False


@dataclass(frozen=True, slots=True)
class MeasurementSchema:
    """Tag keys (sorted) and field types of one measurement of one database."""

    name: str
    tags: tuple[str, ...] = ()
    fields: dict[str, FieldType] = field(default_factory=dict)
