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

split_dedup (dedup/split.rs) first cuts the chunks into groups (by partition, then by
overlapping time) and deduplicates only a group that may hold duplicates; several groups are
a union.

One target partition is drawn, by decision. DataFusion's ``target_partitions`` is iox_query's
``ExecutorConfig::target_query_partitions`` (``exec.rs`` l. 103, handed to the session l. 313):
1 in its testing config (l. 124, 137: the snapshots'), and in InfluxDB 3 Core/Enterprise
(influxdb ``influxdb3/src/commands/serve.rs`` l. 871-883) ``--datafusion-num-threads``
(INFLUXDB3_DATAFUSION_NUM_THREADS), by default the server's CPU count (``num_cpus::get()``);
Cloud Dedicated's querier is not public, its count not known. So v3's EXPLAIN depends on the
machine it runs on: with more partitions DataFusion adds RepartitionExecs (round robin under a
Partial aggregate, a hash one under a FinalPartitioned aggregate), sorts each partition and
merges them at the top (DataFusion 50.1 printed so at target_partitions=4, by hand), and IOx's
dedup split and file regrouping follow the count too. This store draws what a one-partition v3
(its tests', or ``--datafusion-num-threads 1``) prints: the same text on every machine.
"""
from __future__ import annotations

from dataclasses import dataclass

CHUNK_ORDER = "__chunk_order"
BATCH = "CoalesceBatchesExec: target_batch_size=8192"  # DataFusion's execution.batch_size
EMPTY = "EmptyExec"  # the scan of no chunks


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
    a time as ns, a tag value as text) or, op ``notnull``, ``columns`` not all null;
    ``zone``: tz()'s, the column read as ``tz(<column>, <zone>)`` (tzplan3.py)."""

    op: str
    columns: tuple[str, ...]
    value: object = None
    zone: str | None = None

    def physical(self, at: dict[str, int], among: int = 1) -> str:
        """As DataFusion prints the physical expression, columns at their index in ``at``;
        ``among``: how many conjuncts it is one of (an OR below an AND is parenthesized)."""
        if self.op == "notnull":
            text = " OR ".join(f"{c}@{at[c]} IS NOT NULL" for c in self.columns)
            return f"({text})" if among > 1 and len(self.columns) > 1 else text
        column = f"{self.columns[0]}@{at[self.columns[0]]}"
        if self.zone is not None:  # the Utf8 literal as ScalarValue's Display: the text alone
            column = f"tz({column}, {self.zone})"
        return f"{column} {self.op} {self.value}"


def scan_tests(lower, upper, tags, fields, zone: str | None = None) -> tuple[Conjunct, ...]:
    """The scan's filter as IOx's full_filters orders it: the time bounds (one ``=`` when they
    meet; under tz(``zone``) over ``tz(time, zone)``), the ``tag = 'v'`` tests, and the fields
    not all null (first when no time is bound)."""
    time: list[Conjunct] = []
    if lower is not None and lower == upper:
        time.append(Conjunct("=", ("time",), lower, zone))
    else:
        time += [Conjunct(">=", ("time",), lower, zone)] if lower is not None else []
        time += [Conjunct("<=", ("time",), upper, zone)] if upper is not None else []
    cond = [Conjunct("=", (t,), v) for t, v in tags]
    not_null = Conjunct("notnull", tuple(fields))
    return (*time, *cond, not_null) if time else (not_null, *cond)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One of IOx's chunks of the table: a Parquet file (``path``) or rows not yet persisted
    (``path`` empty), their time range, IOx partition and whether they may hold two rows of
    one series and time (IOx: rows not persisted and files not compacted; this store's
    files are deduplicated); ``columns``: those it holds (None: all the table's)."""

    path: str
    tmin: int
    tmax: int
    partition: int = 0
    duplicates: bool = True
    columns: frozenset[str] | None = None

    def key(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """The table's key columns (tags, then time) it holds."""
        return key if self.columns is None else tuple(c for c in key if c == "time" or c in self.columns)


@dataclass(frozen=True, slots=True)
class Scan:
    """A table scan's plan: its lines (root first, two spaces a level), its output partitions
    and the leading key columns (tags, then time) each partition is sorted on."""

    lines: list[str]
    partitions: int
    ordered: tuple[str, ...]


def table_scan(table: tuple[str, ...], tags: tuple[str, ...], output: tuple[str, ...], tests: tuple[Conjunct, ...],
               chunks: tuple[Chunk, ...]) -> Scan:
    """The scan of ``chunks`` after split_dedup (dedup/split.rs): chunks grouped by partition,
    then by overlapping time ranges; a group of one chunk without duplicates is read without
    deduplication, and such groups in a row are read together; several groups are a union. No
    chunks: an EmptyExec (provider/physical.rs chunks_to_physical_nodes), unordered; split_dedup
    makes the DeduplicateExec over it one, predicate_pushdown the FilterExec above, and
    projection_pushdown the ProjectionExec (their snapshots test_no_chunks, test_empty_no_rows,
    test_empty_pushdown_select)."""
    if not chunks:
        return Scan([EMPTY], 1, ())
    order = {c: i for i, c in enumerate((*table, CHUNK_ORDER))}
    nodes = []
    for group, dedup in _split(chunks):
        files = tuple(c.path for c in group if c.path)
        # dedup_null_columns: deduplicate on the key columns some chunk of the group holds
        key = tuple(dict.fromkeys(c for k in (x.key(_key(table, tags)) for x in group) for c in k))
        key = tuple(c for c in _key(table, tags) if c in key)
        if dedup:
            lines = scan(table, key[:-1], output, tests, Chunks(sum(1 for c in group if not c.path), files))
            nodes.append(Scan(lines, 1, _kept(key, output)))
        else:
            nodes.append(_plain(output, tests, files, order, _kept(key, output)))
    if len(nodes) == 1:
        return nodes[0]
    common = nodes[0].ordered if all(n.ordered == nodes[0].ordered for n in nodes) else ()
    return Scan(["UnionExec", *("  " + line for n in nodes for line in n.lines)], len(nodes), common)


def _key(table: tuple[str, ...], tags: tuple[str, ...]) -> tuple[str, ...]:
    return (*[t for t in table if t in tags], "time")


def _kept(key: tuple[str, ...], output: tuple[str, ...]) -> tuple[str, ...]:
    """The key's prefix the output holds: the order a projection keeps (project_output_ordering)."""
    return key[:next((i for i, c in enumerate(key) if c not in output), len(key))]


def _split(chunks: tuple[Chunk, ...]) -> list[tuple[list[Chunk], bool]]:
    """split_dedup's groups, in its order (the earliest time, then chunk order), with
    whether each needs deduplication; consecutive groups that do not are fused."""
    groups = []
    for partition in sorted({c.partition for c in chunks}):
        members = sorted((c for c in chunks if c.partition == partition), key=lambda c: (c.tmin, c.tmax))
        for c in members:  # overlap.rs group_potential_duplicates: a chunk starting where one ends overlaps
            if groups and groups[-1][0] == partition and c.tmin <= max(x.tmax for x in groups[-1][1]):
                groups[-1][1].append(c)
            else:
                groups.append((partition, [c]))
    rank = {c: i for i, c in enumerate(chunks)}
    flagged = sorted(((g, len(g) > 1 or g[0].duplicates) for _, g in groups),
                     key=lambda gd: (min(c.tmin for c in gd[0]), min(rank[c] for c in gd[0])))
    out: list[tuple[list[Chunk], bool]] = []
    for group, dedup in flagged:
        if out and not dedup and not out[-1][1]:
            out[-1][0].extend(group)
        else:
            out.append((list(group), dedup))
    return out


def partition_ranges(chunks: tuple[Chunk, ...], lower: int | None, upper: int | None) -> list[tuple[int, int]]:
    """Each of table_scan's output partitions' time range as IOx reads it from statistics
    (statistics/partition_statistics: a file's from its chunk; rows not persisted from theirs,
    narrowed by the FilterExec on the time range above them, filter.rs apply_filter; a group's
    merged over its chunks), in table_scan's order."""
    out = []
    for group, _ in _split(chunks):
        lo = [c.tmin if c.path or lower is None else max(c.tmin, lower) for c in group]
        hi = [c.tmax if c.path or upper is None else min(c.tmax, upper) for c in group]
        out.append((min(lo), max(hi)))
    return out


def _plain(output, tests, files: tuple[str, ...], order: dict[str, int], kept: tuple[str, ...]) -> Scan:
    """Files read without deduplication: the whole filter in the Parquet scan
    (predicate_pushdown), the projection too (projection_pushdown); a file's order on the
    key (tags, time) kept as far as the projection keeps its prefix, and only for one file."""
    at = {c: i for i, c in enumerate(output)}
    kept = kept if len(files) == 1 else ()
    ordering = f", output_ordering=[{', '.join(f'{c}@{at[c]} ASC' for c in kept)}]" if kept else ""
    line = (f"DataSourceExec: file_groups={_groups([list(files)])}, projection=[{', '.join(output)}]{ordering}, "
            f"file_type=parquet" + _predicate(list(tests), order))
    return Scan([line], 1, kept)


def scan(table: tuple[str, ...], tags: tuple[str, ...], output: tuple[str, ...], tests: tuple[Conjunct, ...],
         chunks: Chunks) -> list[str]:
    """Lines of the scan of chunks that need deduplication (root first, two spaces a level)
    for ``output`` columns of a table of ``table`` columns (v3's order: by name), filtered by
    ``tests``."""
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
    predicate (statistics columns numbered as first used) and its literal guarantees. A test
    over ``tz(time, ..)`` prunes nothing (pruning.rs: an unhandled expression is ``true``, and
    ``true AND x`` is ``x``); a predicate that prunes nothing prints neither (DataFusion 50.1
    printed ``predicate=tz(time@1, Europe/Paris) >= 0`` alone over a stand-in ``tz``, by hand)."""
    if not tests:
        return ""
    stats: dict[str, int] = {}
    pruned = [t for t in tests if t.zone is None]

    def stat(name: str) -> str:
        return f"{name}@{stats.setdefault(name, len(stats))}"

    parts, guarantees = [], []
    for t in pruned:
        c, v = t.columns[0], t.value
        if t.op == "notnull":
            stat("row_count")  # DataFusion's IS NOT NULL rewrite asks for the row count first
            alts = [f"{stat(f + '_null_count')} != {stat('row_count')}" for f in t.columns]
            parts.append(" OR ".join(alts) if len(pruned) == 1 or len(alts) == 1 else f"({' OR '.join(alts)})")
            continue
        if t.op == "=":
            bounds = f"{stat(c + '_min')} <= {v} AND {v} <= {stat(c + '_max')}"
            guarantees.append(f"{c} in ({v})")
        else:
            bounds = f"{stat(c + ('_max' if t.op == '>=' else '_min'))} {t.op} {v}"
        parts.append(f"{stat(c + '_null_count')} != {stat('row_count')} AND {bounds}")
    predicate = " AND ".join(t.physical(order, len(tests)) for t in tests)
    if not parts:
        return f", predicate={predicate}"
    return (f", predicate={predicate}, pruning_predicate={' AND '.join(parts)}, "
            f"required_guarantees=[{', '.join(guarantees)}]")
