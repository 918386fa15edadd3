"""How a store's measurements look as Iceberg tables: names, locations and column types.

Iceberg v2 (what pyiceberg writes; it cannot write v3) has no nanosecond timestamp and the
store's files keep ``time`` as plain INT64 nanoseconds, which a table must describe as they
are because the bytes are shared, not copied. So ``time`` is a ``long`` of nanoseconds since
1970-01-01 UTC (``doc`` says so). Tags are ``string``; fields map float→double,
integer→long, unsigned→long (the files hold UINT_64: values past 2**63-1 read as negative in
engines that ignore that annotation), boolean→boolean, string→string.
"""
from __future__ import annotations

from urllib.parse import quote

from pyiceberg.schema import Schema
from pyiceberg.types import BooleanType, DoubleType, IcebergType, LongType, NestedField, StringType

from ..base.types import FieldType

TIME = "time"
TIME_DOC = "nanoseconds since 1970-01-01T00:00:00Z (the point's timestamp)"
# table properties naming what a table publishes (tables without them are not ours: left alone)
PROP_DB, PROP_RP, PROP_MEASUREMENT = "tsdb.database", "tsdb.retention-policy", "tsdb.measurement"
PROP_VERSION = "tsdb.catalog-version"  # the store catalog version a snapshot reflects
METADATA_DIR = ".iceberg"  # never a store directory: encoded store names have no '.'

FIELD_TYPES: dict[FieldType, IcebergType] = {
    FieldType.FLOAT: DoubleType(), FieldType.INTEGER: LongType(), FieldType.UNSIGNED: LongType(),
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


def columns(tags, fields: dict[str, FieldType]) -> list[tuple[str, IcebergType, str | None]]:
    """(name, type, doc) of a measurement's columns: time, tags (sorted), fields (sorted)."""
    out: list[tuple[str, IcebergType, str | None]] = [(TIME, LongType(), TIME_DOC)]
    out += [(t, StringType(), "tag") for t in sorted(tags)]
    out += [(f, FIELD_TYPES[fields[f]], f"field ({fields[f].value})") for f in sorted(fields)]
    return out


def schema(tags, fields: dict[str, FieldType]) -> Schema:
    """The Iceberg schema of a new table (every column optional: files may lack any)."""
    return Schema(*(NestedField(i, name, typ, required=False, doc=doc)
                    for i, (name, typ, doc) in enumerate(columns(tags, fields), start=1)))
