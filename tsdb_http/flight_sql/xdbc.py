"""``CommandGetXdbcTypeInfo``: the SQL types of our answers, as JDBC/ODBC drivers ask for them.

The types are those an answer here holds (``time`` TIMESTAMP, tags and strings VARCHAR, fields
BIGINT / BIGINT UNSIGNED / DOUBLE / BOOLEAN) and those InfluxDB 3 lists for its SQL (INTEGER,
FLOAT, INTERVAL), in FlightSql.proto's result schema, ordered by data_type, then type_name.
"""
from __future__ import annotations

import pyarrow as pa

from . import FlightSql_pb2 as pb

SCHEMA = pa.schema([
    pa.field("type_name", pa.utf8(), nullable=False), pa.field("data_type", pa.int32(), nullable=False),
    pa.field("column_size", pa.int32()), pa.field("literal_prefix", pa.utf8()),
    pa.field("literal_suffix", pa.utf8()),
    pa.field("create_params", pa.list_(pa.field("item", pa.utf8(), nullable=False))),
    pa.field("nullable", pa.int32(), nullable=False), pa.field("case_sensitive", pa.bool_(), nullable=False),
    pa.field("searchable", pa.int32(), nullable=False), pa.field("unsigned_attribute", pa.bool_()),
    pa.field("fixed_prec_scale", pa.bool_(), nullable=False), pa.field("auto_increment", pa.bool_()),
    pa.field("local_type_name", pa.utf8()), pa.field("minimum_scale", pa.int32()),
    pa.field("maximum_scale", pa.int32()), pa.field("sql_data_type", pa.int32(), nullable=False),
    pa.field("datetime_subcode", pa.int32()), pa.field("num_prec_radix", pa.int32()),
    pa.field("interval_precision", pa.int32()),
])

_MAX = 2 ** 31 - 1


def _type(name: str, data_type: int, size: int | None, *, quoted: bool = False, unsigned: bool | None = None,
          radix: int | None = None, sql_data_type: int | None = None, subcode: int | None = None,
          create_params: list[str] | None = None) -> dict:
    numeric = unsigned is not None
    return {"type_name": name, "data_type": data_type, "column_size": size,
            "literal_prefix": "'" if quoted else None, "literal_suffix": "'" if quoted else None,
            "create_params": create_params, "nullable": pb.NULLABILITY_NULLABLE,
            "case_sensitive": data_type == pb.XDBC_VARCHAR, "searchable": pb.SEARCHABLE_FULL,
            "unsigned_attribute": unsigned, "fixed_prec_scale": False,
            "auto_increment": False if numeric else None, "local_type_name": name,
            "minimum_scale": None, "maximum_scale": None,
            "sql_data_type": data_type if sql_data_type is None else sql_data_type,
            "datetime_subcode": subcode, "num_prec_radix": radix, "interval_precision": None}


TYPES = sorted([
    _type("BIGINT", pb.XDBC_BIGINT, 64, unsigned=False, radix=2),
    _type("BIGINT UNSIGNED", pb.XDBC_BIGINT, 64, unsigned=True, radix=2),
    _type("BOOLEAN", pb.XDBC_BIT, 1),
    _type("INTEGER", pb.XDBC_INTEGER, 32, unsigned=False, radix=2),
    _type("FLOAT", pb.XDBC_FLOAT, 24, unsigned=False, radix=2),
    _type("DOUBLE", pb.XDBC_DOUBLE, 53, unsigned=False, radix=2),
    _type("INTERVAL", pb.XDBC_INTERVAL, _MAX, quoted=True, subcode=pb.XDBC_SUBCODE_UNKNOWN),
    _type("VARCHAR", pb.XDBC_VARCHAR, _MAX, quoted=True, create_params=["length"]),
    _type("TIMESTAMP", pb.XDBC_TIMESTAMP, _MAX, quoted=True, sql_data_type=pb.XDBC_DATETIME,
          subcode=pb.XDBC_SUBCODE_TIMESTAMP),
], key=lambda t: (t["data_type"], t["type_name"]))


def type_info(cmd: pb.CommandGetXdbcTypeInfo) -> pa.Table:
    """All the types, or those of ``cmd.data_type`` when it is set."""
    rows = [t for t in TYPES if not cmd.HasField("data_type") or t["data_type"] == cmd.data_type]
    return pa.Table.from_pylist(rows, schema=SCHEMA)
