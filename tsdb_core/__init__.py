"""tsdb_core: an embedded time-series store speaking InfluxDB line protocol and InfluxQL.

    import tsdb_core
    with tsdb_core.open("path/to/store") as store:      # or tsdb_core.open() in memory
        store.write("mydb", b"cpu,host=a v=1 1700000000000000000")
        res = store.query("SELECT mean(v) FROM cpu GROUP BY host", db="mydb")
        print(res.to_json())

Everything a user needs is importable from here; ``tsdb_core.query.*`` is internal.
"""
from typing import TYPE_CHECKING

from .base.config import StoreConfig
from .base.errors import (
    CorruptionError, DatabaseNotFound, FieldTypeConflict, InternalError, LimitExceeded,
    LineProtocolError, ParseError, PermissionDenied, PointsBeyondRetention, QueryError,
    ReadOnlyStore, RetentionPolicyNotFound, StorageError, TsdbError, UserError,
)
from .base.types import Capabilities, FieldType, LineError, WriteResult
from .influxql.dialect import Dialect
from .influxql.dialects.params3 import decode_error as influxdb3_params_error
from .query.provider import DataProvider
from .query.results import QueryResult, Series, SeriesBlock, StatementResult, rfc3339_times
from .store import Store, local_dir, open

if TYPE_CHECKING:
    from .influxql.dialects.portability import Verdict
    from .query.engine import PreparedQuery
    from .query.sql.execute import to_arrow as influxdb3_arrow

__all__ = [
    "open", "local_dir", "Store", "StoreConfig", "Dialect", "Verdict", "FieldType", "LineError", "WriteResult",
    "QueryResult", "StatementResult", "Series", "SeriesBlock", "PreparedQuery", "DataProvider", "Capabilities",
    "rfc3339_times", "influxdb3_arrow", "influxdb3_params_error", "influxd_string",
    "TsdbError", "UserError", "InternalError", "ParseError", "LineProtocolError",
    "QueryError", "DatabaseNotFound", "RetentionPolicyNotFound", "FieldTypeConflict",
    "PointsBeyondRetention", "LimitExceeded", "PermissionDenied", "ReadOnlyStore", "StorageError",
    "CorruptionError",
]


def __getattr__(name: str) -> object:
    # The query and SQL engines load on first use (a store that only writes never needs them).
    if name == "PreparedQuery":
        from .query.engine import PreparedQuery

        return PreparedQuery
    if name == "Verdict":
        from .influxql.dialects.portability import Verdict

        return Verdict
    if name == "influxd_string":
        from .query.analyze.types_v1 import influxd_string

        return influxd_string
    if name == "influxdb3_arrow":
        from .query.sql.execute import to_arrow

        return to_arrow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
