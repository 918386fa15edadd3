"""The physical plan of a raw SELECT with LIMIT or OFFSET over a table without tags, as InfluxDB 3 prints it.

The optimized logical plan (selectplan3.py) holds v3's SeriesLimit over ``Projection: m.time AS
time, m.f AS f`` over a scan of every column (optimize_projections stops at the SeriesLimit).
Physically: IOx's projection_pushdown (physical_optimizer/projection_pushdown.rs) pushes that
projection of plain columns into the scan (into each input of a union, into a Parquet scan, under
a deduplication wrapped as wrap_user_into_projections wraps it: scanplan3.py with the output
``time, <fields>``); SeriesLimitExec (exec/series_limit/physical.rs: ``SeriesLimitExec:
series=[..], order=[..], limit_expr=[..]``, ``skip``/``fetch`` when set; each field ``IGNORE
NULLS`` with its type's null, a ScalarValue printing ``NULL``) requires one partition
(``Distribution::SinglePartition`` without series) sorted on time ``ASC NULLS LAST``; a
non-nullable time sorted ``ASC`` meets that, and SeriesLimitExec keeps the order, so the final
Sort needs no SortExec. Over several partitions DataFusion's EnforceDistribution merges them
(``SortPreservingMergeExec: [time@0 ASC NULLS LAST]``: DataFusion 50.1 printed that merge, and
no SortExec, over a union of two Parquet files sorted on a non-nullable time under a stand-in that
requires one partition sorted so, ``row_number() OVER (ORDER BY time ASC NULLS LAST)``, once, by
hand); then IOx's order_union_sorted_inputs (physical_optimizer/sort/order_union_sorted_inputs.rs)
swaps the merge for ``ProgressiveEvalExec: input_ranges=[(min)->(max), ..]`` when the partitions'
time ranges (scanplan3.partition_ranges) are disjoint and in order (lexical_range.rs
are_disjoint), the merge's fetch (none) kept. One partition not sorted on time (several Parquet
files read together, scanplan3.py) gets EnforceSorting's ``SortExec`` right under SeriesLimitExec
(DataFusion 50.1 printed it over an unsorted Parquet scan under the same stand-in). Drawn for
ascending time and a table without tags only, and over several partitions only when each is
sorted on time. Rows not yet persisted are ranged by their own first and last time in each
partition, as v3's buffer chunks are (storage/reads.py ``pieces``). Derived,
not printed by v3: no snapshot holds a physical plan under a SeriesLimit.
"""
from __future__ import annotations

from .scanplan3 import partition_ranges, scan_tests, table_scan
from .showplan3 import Table

ORDER = "time@0 ASC NULLS LAST"


def limited_physical(refs, table: Table, columns: tuple[str, ...], lower: int | None, upper: int | None,
                     tags, fields, chunks, offset: int, limit: int) -> str | None:
    """The physical plan of ``SELECT <refs> FROM <table> [WHERE ..] LIMIT <limit> OFFSET <offset>``
    over ``chunks`` (``columns``: the table's, in schema order; ``tags``: the ``tag = 'value'``
    tests; ``fields``: the selected ones, sorted); None for shapes not drawn."""
    if table.tags or any(r.name not in table.fields for r in refs):
        return None
    output = ("time", *(r.name for r in refs))
    found = table_scan(columns, table.tags, output, scan_tests(lower, upper, tags, fields), chunks)
    body, in_order = found.lines, found.ordered[:1] == ("time",)
    if found.partitions == 1 and not in_order:  # Parquet files read together: EnforceSorting's sort
        body = [f"SortExec: expr=[{ORDER}], preserve_partitioning=[false]", *("  " + line for line in body)]
    elif found.partitions > 1:
        if not in_order:
            return None  # (some partitions sorted, some not: not drawn)
        body = [merge(partition_ranges(chunks, lower, upper)), *("  " + line for line in body)]
    exprs = ", ".join(f"{r.name}@{i} IGNORE NULLS (default: NULL)" for i, r in enumerate(refs, 1))
    head = (f"SeriesLimitExec: series=[], order=[{ORDER}], limit_expr=[{exprs}]"
            + (f", skip={offset}" if offset else "") + (f", fetch={limit}" if limit else ""))
    top = ", ".join([f"{table.name} as iox::measurement", *(f"{c}@{i} as {c}" for i, c in enumerate(output))])
    return "\n".join([f"ProjectionExec: expr=[{top}]", "  " + head, *("    " + line for line in body)]) + "\n"


def merge(ranges: list[tuple[int, int]], key: str = ORDER) -> str:
    """The merge of partitions sorted on ``key`` (time ascending): IOx's ProgressiveEvalExec when
    their time ranges are disjoint and in order (lexical_range.rs are_disjoint), else DataFusion's."""
    for (lo0, hi0), (lo, hi) in zip(ranges, ranges[1:]):
        constants = lo0 == hi0 == lo == hi
        if not ((lo > lo0 and lo >= hi0 and hi >= lo0 and hi > hi0) or constants):
            return f"SortPreservingMergeExec: [{key}]"
    return "ProgressiveEvalExec: input_ranges=[" + ", ".join(f"({lo})->({hi})" for lo, hi in ranges) + "]"
