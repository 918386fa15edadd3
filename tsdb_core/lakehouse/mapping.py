"""How a store's measurements look as Iceberg tables: names, locations, column types, partitions.

Iceberg v2 (what pyiceberg writes; it cannot write v3) has no nanosecond timestamp, so ``time``
is ``timestamptz`` (microseconds, UTC; a point's nanoseconds rounded down) and the partition
source (``day(time)``), and ``time_ns`` (``long``) keeps the exact nanoseconds since
1970-01-01 UTC. Tags are ``string``; fields map float→double, integer→long,
unsigned→decimal(20,0) (every UINT64 value, exactly), boolean→boolean, string→string; a field
whose key is also a tag key is the column ``<key>::field`` (:func:`field_name`). The
tables list copies written that way (lakehouse/copies.py), not the store's files.
"""
from __future__ import annotations

from urllib.parse import quote

from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
from pyiceberg.types import (
    BooleanType,
    DecimalType,
    DoubleType,
    IcebergType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

from ..base.types import TWIN, FieldType

TIME = "time"
TIME_DOC = "the point's timestamp, UTC, to the microsecond (rounded down; time_ns is exact)"
TIME_NS = "time_ns"
TIME_NS_DOC = "the point's timestamp: nanoseconds since 1970-01-01T00:00:00Z"
DAY_PARTITION = "time_day"
# table properties naming what a table publishes (tables without them are not ours: left alone)
PROP_DB, PROP_RP, PROP_MEASUREMENT = "tsdb.database", "tsdb.retention-policy", "tsdb.measurement"
PROP_VERSION = "tsdb.catalog-version"  # the store catalog version a snapshot reflects
METADATA_DIR = ".iceberg"  # never a store directory: encoded store names have no '.'

FIELD_TYPES: dict[FieldType, IcebergType] = {
    FieldType.FLOAT: DoubleType(), FieldType.INTEGER: LongType(), FieldType.UNSIGNED: DecimalType(20, 0),
    FieldType.BOOLEAN: BooleanType(), FieldType.STRING: StringType(),
}

# Keep the table's metadata small: each publish that changes something is one commit.
TABLE_PROPERTIES = {
    "write.metadata.delete-after-commit.enabled": "true",
    "write.metadata.previous-versions-max": "20",
    "commit.manifest-merge.enabled": "true",
}


def name_part(name: str) -> str:
    """A store name as one Iceberg identifier part: '.' separates namespace levels in SQL
    catalogs, so it (and the escape '%') is percent-encoded; everything else is kept."""
    return name.replace("%", "%25").replace(".", "%2E")


def identifier(db: str, rp: str, default_rp: str, measurement: str) -> tuple[str, ...]:
    """(database[, policy], measurement): the policy level only when it is not the default."""
    ns = (name_part(db),) if rp == default_rp else (name_part(db), name_part(rp))
    return (*ns, name_part(measurement))


def table_location(warehouse: str, ident: tuple[str, ...]) -> str:
    """Where a table's metadata lives: under ``.iceberg/`` of the store's data location."""
    return "/".join([warehouse.rstrip("/"), METADATA_DIR, *(quote(p, safe="") for p in ident)])


def field_name(key: str, tags) -> str:
    """A field's column name in the tables: its key, or ``<key>::field`` when a tag of the
    measurement has that key (InfluxDB 1.x stores both; SQL names it so too)."""
    return f"{key}::field" if key in tags else key


def stored_to_table(column: str) -> str:
    """The table's name of a store file's column (the inverse of the store's twin column)."""
    return f"{column[len(TWIN):]}::field" if column.startswith(TWIN) else column


def columns(tags, fields: dict[str, FieldType]) -> list[tuple[str, IcebergType, str | None]]:
    """(name, type, doc) of a measurement's columns: time, time_ns, tags (sorted), fields (sorted)."""
    out: list[tuple[str, IcebergType, str | None]] = [(TIME, TimestamptzType(), TIME_DOC),
                                                      (TIME_NS, LongType(), TIME_NS_DOC)]
    out += [(t, StringType(), "tag") for t in sorted(tags) if t != TIME_NS]  # a key named time_ns: not published
    out += [(f, FIELD_TYPES[fields[f]], f"field ({fields[f].value})") for f in sorted(fields) if f != TIME_NS]
    return out


def schema(tags, fields: dict[str, FieldType]) -> Schema:
    """The Iceberg schema of a new table (every column optional: files may lack any)."""
    return Schema(*(NestedField(i, name, typ, required=False, doc=doc)
                    for i, (name, typ, doc) in enumerate(columns(tags, fields), start=1)))


def partition_spec() -> PartitionSpec:
    """``day(time)``: ``time`` is field 1 of every table (:func:`schema`)."""
    return PartitionSpec(PartitionField(source_id=1, field_id=1000, transform=DayTransform(), name=DAY_PARTITION))
