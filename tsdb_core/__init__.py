"""tsdb_core: an embedded time-series store speaking InfluxDB line protocol and InfluxQL.

    import tsdb_core
    with tsdb_core.open("path/to/store") as store:      # or tsdb_core.open() in memory
        store.write("mydb", b"cpu,host=a v=1 1700000000000000000")
        res = store.query("SELECT mean(v) FROM cpu GROUP BY host", db="mydb")
        print(res.to_json())
"""
from .base.config import StoreConfig
from .base.errors import (
    CorruptionError, DatabaseNotFound, FieldTypeConflict, InternalError, LimitExceeded,
    LineProtocolError, ParseError, PermissionDenied, PointsBeyondRetention, QueryError,
    RetentionPolicyNotFound, StorageError, TsdbError, UserError,
)
from .base.types import FieldType, LineError, WriteResult
from .store import Store, open

__all__ = [
    "open", "Store", "StoreConfig", "FieldType", "LineError", "WriteResult",
    "TsdbError", "UserError", "InternalError", "ParseError", "LineProtocolError",
    "QueryError", "DatabaseNotFound", "RetentionPolicyNotFound", "FieldTypeConflict",
    "PointsBeyondRetention", "LimitExceeded", "PermissionDenied", "StorageError",
    "CorruptionError",
]
