"""Flight SQL metadata answers, in the exact result schemas of FlightSql.proto.

The naming follows InfluxDB 3: one catalog ``public``, the measurements in the schema
``iox`` (``BASE TABLE``), the ``information_schema`` views beside them; the table list is the
SQL engine's own ``information_schema.tables`` (its ``system`` tables are not readable here).
"""
from __future__ import annotations

import re
from importlib import metadata as _dist

import pyarrow as pa

from . import FlightSql_pb2 as pb

CATALOG = "public"
SCHEMAS = ("information_schema", "iox")
TABLE_TYPES = ("BASE TABLE", "VIEW")
SERVER_NAME = "tsdb"

CATALOGS_SCHEMA = pa.schema([pa.field("catalog_name", pa.utf8(), nullable=False)])
DB_SCHEMAS_SCHEMA = pa.schema([pa.field("catalog_name", pa.utf8()),
                               pa.field("db_schema_name", pa.utf8(), nullable=False)])
TABLES_SCHEMA = pa.schema([pa.field("catalog_name", pa.utf8()), pa.field("db_schema_name", pa.utf8()),
                           pa.field("table_name", pa.utf8(), nullable=False),
                           pa.field("table_type", pa.utf8(), nullable=False)])
TABLES_WITH_SCHEMA = TABLES_SCHEMA.append(pa.field("table_schema", pa.binary(), nullable=False))
TABLE_TYPES_SCHEMA = pa.schema([pa.field("table_type", pa.utf8(), nullable=False)])

_INFO_CHILDREN = [
    pa.field("string_value", pa.utf8()), pa.field("bool_value", pa.bool_()),
    pa.field("bigint_value", pa.int64()), pa.field("int32_bitmask", pa.int32()),
    pa.field("string_list", pa.list_(pa.field("item", pa.utf8()))),
    pa.field("int32_to_int32_list_map", pa.map_(pa.int32(), pa.list_(pa.field("item", pa.int32())))),
]
SQL_INFO_SCHEMA = pa.schema([pa.field("info_name", pa.uint32(), nullable=False),
                             pa.field("value", pa.dense_union(_INFO_CHILDREN), nullable=False)])


def _version() -> str:
    try:
        return _dist.version("tsdb")
    except _dist.PackageNotFoundError:
        return "0"


def sql_info_values() -> dict[int, object]:
    """What the server says about itself: what ADBC's ``adbc_get_info`` asks for and the SQL basics."""
    return {
        pb.FLIGHT_SQL_SERVER_NAME: SERVER_NAME,
        pb.FLIGHT_SQL_SERVER_VERSION: _version(),
        pb.FLIGHT_SQL_SERVER_ARROW_VERSION: pa.__version__,
        pb.FLIGHT_SQL_SERVER_READ_ONLY: True,
        pb.FLIGHT_SQL_SERVER_SQL: True,
        pb.FLIGHT_SQL_SERVER_SUBSTRAIT: False,
        pb.FLIGHT_SQL_SERVER_TRANSACTION: _Int32(pb.SQL_SUPPORTED_TRANSACTION_NONE),
        pb.FLIGHT_SQL_SERVER_CANCEL: False,
        pb.FLIGHT_SQL_SERVER_STATEMENT_TIMEOUT: _Int32(0),
        pb.FLIGHT_SQL_SERVER_TRANSACTION_TIMEOUT: _Int32(0),
        pb.SQL_DDL_CATALOG: False,
        pb.SQL_DDL_SCHEMA: False,
        pb.SQL_DDL_TABLE: False,
        pb.SQL_IDENTIFIER_CASE: _Int32(pb.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE),
        pb.SQL_IDENTIFIER_QUOTE_CHAR: '"',
        pb.SQL_QUOTED_IDENTIFIER_CASE: _Int32(pb.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE),
        pb.SQL_SCHEMA_TERM: "schema",
        pb.SQL_CATALOG_TERM: "catalog",
        pb.SQL_TRANSACTIONS_SUPPORTED: False,
    }


class _Int32(int):
    """An SqlInfo value sent as ``int32_bitmask`` (ordinals and bitmasks), not ``bigint_value``."""


def sql_info_table(wanted) -> pa.Table:
    """One row per requested SqlInfo id we know (all of them when none is asked for)."""
    values = sql_info_values()
    ids = [i for i in wanted if i in values] if wanted else sorted(values)
    children: list[list] = [[] for _ in _INFO_CHILDREN]
    codes, offsets = [], []
    for i in ids:
        v = values[i]
        code = (1 if isinstance(v, bool) else 3 if isinstance(v, _Int32) else 2 if isinstance(v, int)
                else 4 if isinstance(v, list) else 0)
        codes.append(code)
        offsets.append(len(children[code]))
        children[code].append(v)
    arrays = [pa.array(c, type=f.type) for c, f in zip(children, _INFO_CHILDREN)]
    value = pa.UnionArray.from_dense(pa.array(codes, pa.int8()), pa.array(offsets, pa.int32()), arrays,
                                     [f.name for f in _INFO_CHILDREN])
    return pa.Table.from_arrays([pa.array(ids, pa.uint32()), value], schema=SQL_INFO_SCHEMA)


def like(pattern: str | None, value: str) -> bool:
    """SQL LIKE as Flight SQL filter patterns use it (``%``, ``_``, backslash escapes)."""
    if pattern is None:
        return True
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(out), value, re.DOTALL) is not None


def catalogs() -> pa.Table:
    return pa.table({"catalog_name": [CATALOG]}, schema=CATALOGS_SCHEMA)


def _optional(cmd, name: str) -> str | None:
    return getattr(cmd, name) if cmd.HasField(name) else None


def db_schemas(cmd: pb.CommandGetDbSchemas) -> pa.Table:
    keep = _optional(cmd, "catalog") in (None, CATALOG)
    rows = [s for s in SCHEMAS if keep and like(_optional(cmd, "db_schema_filter_pattern"), s)]
    return pa.table({"catalog_name": [CATALOG] * len(rows), "db_schema_name": rows}, schema=DB_SCHEMAS_SCHEMA)


def table_types() -> pa.Table:
    return pa.table({"table_type": list(TABLE_TYPES)}, schema=TABLE_TYPES_SCHEMA)


def tables(cmd: pb.CommandGetTables, listed: list[dict], schema_of) -> pa.Table:
    """The rows of ``information_schema.tables`` (``listed``) that match the filters, by schema and
    name; ``schema_of(schema, table)`` gives a table's Arrow schema for ``include_schema``."""
    keep = _optional(cmd, "catalog") in (None, CATALOG)
    rows = sorted((r["table_schema"], r["table_name"], r["table_type"]) for r in listed
                  if keep and r["table_schema"] in SCHEMAS
                  and like(_optional(cmd, "db_schema_filter_pattern"), r["table_schema"])
                  and like(_optional(cmd, "table_name_filter_pattern"), r["table_name"])
                  and (not cmd.table_types or r["table_type"] in cmd.table_types))
    cols = {"catalog_name": [CATALOG] * len(rows), "db_schema_name": [r[0] for r in rows],
            "table_name": [r[1] for r in rows], "table_type": [r[2] for r in rows]}
    if not cmd.include_schema:
        return pa.table(cols, schema=TABLES_SCHEMA)
    cols["table_schema"] = [schema_of(r[0], r[1]).serialize().to_pybytes() for r in rows]
    return pa.table(cols, schema=TABLES_WITH_SCHEMA)


# Keys: a measurement has no primary or foreign key (InfluxDB 3 answers these empty too).
PRIMARY_KEYS_SCHEMA = pa.schema([
    pa.field("catalog_name", pa.utf8()), pa.field("db_schema_name", pa.utf8()),
    pa.field("table_name", pa.utf8(), nullable=False), pa.field("column_name", pa.utf8(), nullable=False),
    pa.field("key_name", pa.utf8()), pa.field("key_sequence", pa.int32(), nullable=False)])
FOREIGN_KEYS_SCHEMA = pa.schema([
    pa.field("pk_catalog_name", pa.utf8()), pa.field("pk_db_schema_name", pa.utf8()),
    pa.field("pk_table_name", pa.utf8(), nullable=False), pa.field("pk_column_name", pa.utf8(), nullable=False),
    pa.field("fk_catalog_name", pa.utf8()), pa.field("fk_db_schema_name", pa.utf8()),
    pa.field("fk_table_name", pa.utf8(), nullable=False), pa.field("fk_column_name", pa.utf8(), nullable=False),
    pa.field("key_sequence", pa.int32(), nullable=False), pa.field("fk_key_name", pa.utf8()),
    pa.field("pk_key_name", pa.utf8()), pa.field("update_rule", pa.uint8(), nullable=False),
    pa.field("delete_rule", pa.uint8(), nullable=False)])


def keys(cmd) -> pa.Table:
    """The (empty) answer of CommandGetPrimaryKeys, GetExportedKeys, GetImportedKeys, GetCrossReference."""
    schema = PRIMARY_KEYS_SCHEMA if isinstance(cmd, pb.CommandGetPrimaryKeys) else FOREIGN_KEYS_SCHEMA
    return schema.empty_table()
