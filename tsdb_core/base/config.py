"""Store configuration: production defaults, and a ``for_tests()`` variant."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class StoreConfig:
    # Default duration (ns) of the default RP of a database created by a write;
    # 0 = infinite (embedded default, like 1.x's autogen). The shim sets 3 days.
    """Every setting of a store; production defaults, ``for_tests()`` for small thresholds."""
    auto_create_duration: int = 0
    auto_create_databases: bool = True
    # Write buffer flush thresholds.
    buffer_max_rows: int = 2_000_000
    buffer_max_age_s: float = 60.0
    # WAL: fsync before acknowledging (never off outside benchmarks of the WAL itself).
    wal_fsync: bool = True
    wal_segment_bytes: int = 64 * 1024 * 1024
    # Parquet.
    parquet_compression: str = "zstd"
    parquet_compression_level: int = 3
    # 16k rows: a one-series lookup reads about one row group of a compacted window (statistics
    # prune the rest; much larger groups each span many series), for slightly larger files.
    parquet_row_group_rows: int = 16_384  # also the slice converted to Arrow at a time
    # Decoded files kept in memory for queries (storage/cache.py); 0 = always scan Parquet.
    cache_bytes: int = 1 << 30
    # Background work starts by decoding each measurement's newest file into that cache (a
    # restarted server's first queries find it ready); off: on a small machine the decoding
    # competes with the queries that arrive meanwhile, which then decode it once more.
    read_ahead: bool = False
    # Compaction: merge a window once it holds this many files, this many rows at a time
    # (storage/compaction.py: larger windows are merged in slices of series; 400 k rows
    # kept the 1,000-host TSBS load under 2 GiB: 1,820 MiB, was 5,230 MiB unsliced).
    compact_min_files: int = 4
    compact_slice_rows: int = 400_000
    # Buffered rows read by queries are kept sorted by series in a few pieces (storage/buffer_view.py):
    # a measurement with fewer buffered rows than buffer_sort_min_rows is read as written; beyond
    # the pieces, up to buffer_sort_tail_rows newest rows stay unsorted (0: each write's rows are
    # sorted at once, so queries on the newest rows keep the sorted paths); up to buffer_sort_step_rows
    # are sorted into a new piece at a time (the default: a whole buffer, in one gather, as the first
    # query after a bulk load finds it; smaller steps publish sooner but copy every row twice, steps
    # then their merge); once nothing was written for buffer_sort_quiet_s, the
    # pieces become one. While a measurement's buffered rows were read in the last
    # buffer_sort_watch_s, writes keep them sorted without waiting for the next query.
    buffer_sort_min_rows: int = 20_000
    buffer_sort_tail_rows: int = 0
    buffer_sort_step_rows: int = 2_097_152
    buffer_sort_quiet_s: float = 0.25
    buffer_sort_watch_s: float = 10.0
    # Line protocol limits (InfluxDB's).
    max_line_protocol_bytes: int = 0  # 0 = no limit in the core; the shim caps bodies
    # Query limits (InfluxDB's coordinator settings; 0 = unlimited).
    max_select_point: int = 0
    max_select_series: int = 0
    max_select_buckets: int = 0
    # Guards on by default, so that one query cannot exhaust the process (InfluxDB has none):
    # rows a windowed SELECT answers (GROUP BY time windows x series, holt_winters' predicted
    # windows included), counted from the index before anything is read; the bytes of those
    # rows (rows x columns x 8); seconds before a statement is cancelled.
    max_select_windows: int = 2_000_000
    query_memory_bytes: int = 1 << 30
    query_timeout_s: float = 120.0
    # A failed flush is retried after 1, 2, 4 ... s (at most this); rows of one measurement that
    # fail this many flushes in a row are set aside in quarantine/flush/ (storage/isolation.py).
    flush_retry_base_s: float = 1.0
    flush_retry_max_s: float = 60.0
    flush_isolate_after: int = 3
    # Retention enforcement period when run in the background.
    retention_check_interval_s: float = 1800.0
    # Where the catalog lives: "" = SQLite in <root>/catalog.sqlite; "postgresql://user@host/db"
    # = that PostgreSQL database (psycopg 3; pick a schema with ?options=-csearch_path%3Dname).
    catalog: str = ""
    # Open as a reader (storage/readonly.py): no lock, WAL, lease or background work; every
    # change is refused; the writer's flushed data is seen once its catalog commit is.
    read_only: bool = False
    # Files replaced by compaction or dropped by retention, DELETE or DROP stay this long after
    # their catalog entry is gone, so that queries already reading them (this process's lazy
    # scans, a reader process's) finish. They are listed in the catalog (its graveyard) until
    # then: whichever writer holds the store when they are due deletes them.
    file_grace_s: float = 60.0
    # The writer's lease (storage/lease.py): a dead writer's is free after this many seconds; it
    # is renewed every third of it. Object storage holds one too, beside the data.
    lease_s: float = 30.0
    # Stores in object storage: whole copies of the Parquet files queries read, kept on local
    # disk (<local dir>/object-cache, shared by the processes that share that directory) up to
    # this many bytes, least recently used evicted; 0 = fetch from the store every time.
    object_cache_bytes: int = 1 << 30
    # Keep the store published as Apache Iceberg tables (tsdb_core/lakehouse/, the iceberg extra):
    # flush, compaction, retention, DELETE and DROP commit the Iceberg snapshot before returning (a
    # thread catches up the store's own commits), and files leaving the store are kept until no
    # publish copies from them any more (plus file_grace_s).
    # iceberg_catalog: the Iceberg catalog's URI ("" = beside the store's catalog: iceberg.sqlite
    # in the store's directory, or the store's PostgreSQL database; http(s):// = a REST catalog).
    iceberg: bool = False
    iceberg_catalog: str = ""

    def __post_init__(self) -> None:
        """Refuse buffer sorting thresholds that cannot work (a clear error at open, not a stall)."""
        for name, least in (("buffer_sort_min_rows", 0), ("buffer_sort_tail_rows", 0), ("buffer_sort_step_rows", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ValueError(f"StoreConfig.{name} must be an integer >= {least}, not {value!r}")
        for name in ("buffer_sort_quiet_s", "buffer_sort_watch_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
                raise ValueError(f"StoreConfig.{name} must be a finite number of seconds >= 0, not {value!r}")

    @classmethod
    def for_tests(cls, **overrides) -> "StoreConfig":
        """Small thresholds so tests exercise flush and compaction quickly."""
        base = cls(buffer_max_rows=10_000, buffer_max_age_s=3600.0, compact_min_files=2)
        return replace(base, **overrides)
