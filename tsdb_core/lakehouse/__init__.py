"""The store as Apache Iceberg tables, for engines that read Iceberg (Spark, Trino, DuckDB, Polars).

:class:`Publisher` keeps an Iceberg catalog in agreement with the store's catalog (one
namespace per database, and per non-default retention policy; one table per measurement,
partitioned by day of ``time``), listing one copy of each live store file per day it holds
(lakehouse/copies.py); :func:`verify` checks the two agree.
Needs the ``iceberg`` extra (pyiceberg).
"""
from __future__ import annotations

from .catalog import default_uri, display_uri, open_catalog, warehouse_uri
from .publisher import PublishReport, Publisher, publish
from .verify import TableCheck, verify

__all__ = ["Publisher", "PublishReport", "publish", "verify", "TableCheck", "open_catalog", "default_uri",
           "display_uri", "warehouse_uri"]
