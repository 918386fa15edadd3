"""The physical plan of IOx's scan of one table, as InfluxDB 3 prints it after its optimizer.

What ``iox_query`` builds for a table (``provider.rs`` ChunkTableProvider::scan: a projection
over a filter over a DeduplicateExec over the chunks, ``provider/physical.rs``
chunks_to_physical_nodes: rows not yet persisted as a RecordBatchesExec, Parquet files as a
DataSourceExec with ``__chunk_order`` as a partition column), then what its physical
optimizer rules make of it (``physical_optimizer/``: predicate_pushdown splits the filter at
the deduplication and hands the key columns' part to the inputs and to Parquet;
projection_pushdown narrows every input, ``wrap_user_into_projections`` ordering the
columns), and DataFusion's (EnforceSorting: the sort each input needs for DeduplicateExec,
a SortPreservingMergeExec over several partitions; coalesce_batches above each FilterExec).
Parquet filters are pushed into the scan (``datafusion_util/src/config.rs``:
``pushdown_filters = true``), printed with DataFusion 50's pruning predicate.

One query partition (DataFusion's ``target_partitions`` is the querier's CPU count: with
more, RepartitionExecs and file ranges appear) and one IOx partition (v3 splits
deduplication by partition: split_dedup; the caller draws nothing across several).
"""
from __future__ import annotations

from dataclasses import dataclass

CHUNK_ORDER = "__chunk_order"
BATCH = "CoalesceBatchesExec: target_batch_size=8192"  # DataFusion's execution.batch_size


@dataclass(frozen=True, slots=True)
class Chunks:
    """What holds the table's rows in the queried range: pieces of rows not yet persisted
    (``buffered``: how many; IOx's ingester chunks) and Parquet files, oldest first.
    ``sorted_files``: files sorted on the table's key (compacted, as v3's querier reads
    them; InfluxDB 3 Core's own are not, only their chunk order is known)."""

    buffered: int
    files: tuple[str, ...]
    sorted_files: bool = True
    kind: str | None = None  # newer IOx prints each chunk type's count (``[Buffer=1]``); 349d802 does not


@dataclass(frozen=True, slots=True)
class Conjunct:
    """One conjunct of the scan's filter: ``column op value`` (op ``>=``, ``<=`` or ``=``;
    a time as ns, a tag value as text) or, op ``notnull``, ``columns`` not all null."""

    op: str
    columns: tuple[str, ...]
    value: object = None

    def physical(self, at: dict[str, int]) -> str:
        """As DataFusion prints the physical expression, columns at their index in ``at``."""
        if self.op == "notnull":
            return " OR ".join(f"{c}@{at[c]} IS NOT NULL" for c in self.columns)
        return f"{self.columns[0]}@{at[self.columns[0]]} {self.op} {self.value}"


def scan(table: tuple[str, ...], tags: tuple[str, ...], output: tuple[str, ...], tests: tuple[Conjunct, ...],
         chunks: Chunks) -> list[str]:
    """Lines of the scan's plan (root first, two spaces a level) for ``output`` columns of a
    table of ``table`` columns (v3's order: by name), filtered by ``tests``."""
    key = (*[t for t in table if t in tags], "time")
    above = [t for t in tests if not set(t.columns) <= set(key)]
    below = [t for t in tests if set(t.columns) <= set(key)]
    order = {c: i for i, c in enumerate((*table, CHUNK_ORDER))}
    lines: list[tuple[int, str]] = []
    level1 = _wrap(output, [c for t in above for c in t.columns], order)
    if above:
        at = {c: i for i, c in enumerate(level1)}
        lines += [(0, BATCH), (1, "FilterExec: " + " AND ".join(t.physical(at) for t in above))]
    inner = _wrap(level1, [*key, CHUNK_ORDER], order)
    at = {c: i for i, c in enumerate(inner)}
    depth = len(lines)
    lines.append((depth, "ProjectionExec: expr=[" + ", ".join(f"{c}@{i} as {c}" for i, c in enumerate(level1)) + "]"))
    lines.append((depth + 1, "DeduplicateExec: [" + ",".join(f"{c}@{at[c]} ASC" for c in key) + "]"))
    lines += [(depth + 2 + d, text) for d, text in _inputs(inner, key, below, order, chunks)]
    return ["  " * d + text for d, text in lines]


def _wrap(outer, required, order: dict[str, int]) -> tuple[str, ...]:
    """projection_pushdown's wrap_user_into_projections: the outer columns, then the
    required ones not among them in the input's order."""
    rest = sorted({c for c in required if c not in outer}, key=order.__getitem__)
    return (*outer, *rest)


def _inputs(cols, key, below, order, chunks: Chunks) -> list[tuple[int, str]]:
    """DeduplicateExec's input: each chunk node under the sort it needs, merged when there
    are several partitions."""
    at = {c: i for i, c in enumerate(cols)}
    sort = ", ".join(f"{c}@{at[c]} ASC" for c in (*key, CHUNK_ORDER))
    projection = f"projection=[{', '.join(cols)}]"
    nodes: list[list[tuple[int, str]]] = []
    partitions = 0
    if chunks.buffered:
        kinds = f" [{chunks.kind}={chunks.buffered}]" if chunks.kind else ""
        node = [(0, f"RecordBatchesExec: chunks={chunks.buffered}{kinds}, {projection}")]
        if below:
            node = [(0, BATCH), (1, "FilterExec: " + " AND ".join(t.physical(at) for t in below)),
                    *[(d + 2, text) for d, text in node]]
        nodes.append(_sorted(node, sort))
        partitions += 1
    if chunks.files:
        groups = [[f] for f in chunks.files] if chunks.sorted_files else [list(chunks.files)]
        ordering = sort if chunks.sorted_files else f"{CHUNK_ORDER}@{at[CHUNK_ORDER]} ASC"
        node = [(0, f"DataSourceExec: file_groups={_groups(groups)}, {projection}, output_ordering=[{ordering}], "
                    f"file_type=parquet" + _predicate(below, order))]
        nodes.append(node if chunks.sorted_files else _sorted(node, sort))
        partitions += len(groups)
    body = nodes[0] if len(nodes) == 1 else [(0, "UnionExec"), *[(d + 1, t) for n in nodes for d, t in n]]
    if partitions > 1:
        body = [(0, f"SortPreservingMergeExec: [{sort}]"), *[(d + 1, t) for d, t in body]]
    return body


def _sorted(node: list[tuple[int, str]], sort: str) -> list[tuple[int, str]]:
    return [(0, f"SortExec: expr=[{sort}], preserve_partitioning=[false]"), *[(d + 1, t) for d, t in node]]


def _groups(groups: list[list[str]]) -> str:
    """DataFusion's FileGroupsDisplay: at most 5 groups, then ``...``."""
    shown = ", ".join("[" + ", ".join(g) + "]" for g in groups[:5]) + (", ..." if len(groups) > 5 else "")
    return f"{{{len(groups)} group{'s' if len(groups) != 1 else ''}: [{shown}]}}"


def _predicate(tests, order: dict[str, int]) -> str:
    """The Parquet scan's predicate (over the table's columns), DataFusion's pruning
    predicate (statistics columns numbered as first used) and its literal guarantees."""
    if not tests:
        return ""
    stats: dict[str, int] = {}

    def stat(name: str) -> str:
        return f"{name}@{stats.setdefault(name, len(stats))}"

    parts, guarantees = [], []
    for t in tests:
        c, v = t.columns[0], t.value
        if t.op == "=":
            bounds = f"{stat(c + '_min')} <= {v} AND {v} <= {stat(c + '_max')}"
            guarantees.append(f"{c} in ({v})")
        else:
            bounds = f"{stat(c + ('_max' if t.op == '>=' else '_min'))} {t.op} {v}"
        parts.append(f"{stat(c + '_null_count')} != {stat('row_count')} AND {bounds}")
    predicate = " AND ".join(t.physical(order) for t in tests)
    return (f", predicate={predicate}, pruning_predicate={' AND '.join(parts)}, "
            f"required_guarantees=[{', '.join(guarantees)}]")
