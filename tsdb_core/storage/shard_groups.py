"""InfluxDB 1.x's shard groups on the write path: when a type conflict fails a whole write.

1.x checks field types per shard. In a shard group that already exists, a line whose
field type differs from an earlier line of the same body is dropped (``partial write:
field type conflict: ... dropped=1``). In a shard group the body itself opens, both lines
pass the check (the shard knows no field yet) and creating the second type fails: no
point of that shard group is written, the write answers ``field type conflict``, and the
fields created before the failing one stay (``SHOW FIELD KEYS`` lists the first type).
Other shard groups of the body are written. The store's windows stand for shard groups:
one exists when it holds rows (files or buffer) or a failed write opened it, as 1.x
creates the group before writing to it (kept in the catalog: 1.x keeps it across a restart).
What else the failed write created, its series and fields, 1.x forgets at a restart (its
in-memory index and field sets are rebuilt from the stored points): so does a reopened store.
"""
from __future__ import annotations

import polars as pl

from ..base.types import TIME, TWIN, FieldType, MeasurementBatch, TypeConflict, field_key
from .catalog import Database, MeasurementMeta, RetentionPolicy
from .partitions import window_bounds, window_start
from .state import EngineState

FAILURE = "field type conflict"  # influxd's whole error for such a write


def fail_new_groups(st: EngineState, database: Database, pol: RetentionPolicy,
                    batches: list[MeasurementBatch], conflicts: dict[int, TypeConflict]):
    """(the batches without the rows of the shard groups the conflicts fail, their lines,
    whether any group failed); adds the fields 1.x creates before failing to the catalog
    (lock held)."""
    width = pol.shard_group_duration
    failing: dict[int, int] = {}  # window start -> first conflicting line in it
    created = []  # (line, measurement, column, type) in the order 1.x creates them
    for line, c in sorted(conflicts.items()):
        w = window_start(c.time, width)
        if w == window_start(c.first_time, width) and w not in failing \
                and not _group_exists(st, database.name, pol.name, w, width):
            failing[w] = line
            created.extend((line, c.measurement, col, t) for col, t in c.before)
    if not failing:
        return batches, [], False
    note_series(st, database.name, pol.name, [  # the series of the refused lines are created too
        (c.measurement, pl.DataFrame({k: [v] for k, v in c.tags}) if c.tags else pl.DataFrame(height=1))
        for c in conflicts.values() if window_start(c.time, width) in failing])
    kept, failed = [], []
    for mb in batches:
        rest, gone, first = _split(mb, failing, width)
        if rest is not None:
            kept.append(rest)
        if gone.height:
            failed.extend(gone.get_column(_LINE).to_list())
            note_series(st, database.name, pol.name, [
                (mb.measurement, gone.select(mb.tags) if mb.tags else pl.DataFrame(height=gone.height))])
        created.extend((line, mb.measurement, f, mb.fields[f]) for f, line in first.items())
    _create_fields(st, database, sorted(created, key=lambda c: c[0]))
    st.opened_windows.update((database.name, pol.name, w) for w in failing)
    st.save_catalog()  # the groups stay, as 1.x keeps them across a restart
    return kept, sorted(failed), True


def note_series(st: EngineState, db: str, rp: str, refused: list[tuple[str, pl.DataFrame]]) -> None:
    """The series of refused points, as 1.x creates them before writing (in the series index
    only, so forgotten at reopen as 1.x's in-memory index forgets them); ``refused``:
    (measurement, the points' tag columns)."""
    for measurement, tags in refused:
        key = (db, rp, measurement)
        st.index.add(key, tags, volatile=True)
        st.opened_measurements.add(key)  # SHOW MEASUREMENTS lists it


def forget_unstored(st: EngineState) -> None:
    """At open: the fields (and measurements) no stored point has, as a failed write leaves
    them. 1.x rebuilds its field sets from the stored points at a restart, so a later write may
    give such a field another type. A tag key is kept: stored fields' columns depend on it."""
    stored: dict[tuple[str, str], set[str]] = {}
    for key, files in st.catalog.files.items():
        cols = stored.setdefault((key[0], key[2]), set())
        for f in files:
            cols.update(f.columns)
    for key, chunks in st.buffer.parts.items():
        cols = stored.setdefault((key[0], key[2]), set())
        for c in chunks:
            cols.update(c.frame.columns)
    changed = False
    for database in st.catalog.databases.values():
        for name, meta in list(database.measurements.items()):
            cols = stored.get((database.name, name))
            if cols is None:
                del database.measurements[name]
                changed = True
                continue
            gone = [k for k in meta.fields if k not in cols and TWIN + k not in cols]
            for k in gone:
                del meta.fields[k]
            changed = changed or bool(gone)
    if changed:
        st.save_catalog()


def _split(mb: MeasurementBatch, failing: dict[int, int], width: int):
    """(the batch without the rows in ``failing`` windows, or None; those rows, with their
    lines; per field the first of them that gives it a value before its window's failing line)."""
    frame = mb.frame
    lo, hi = frame.get_column(TIME).min(), frame.get_column(TIME).max()
    starts = [w for w in failing if w <= hi and w + width > lo]
    if not starts:
        return mb, frame.clear(), {}
    inside, limit = pl.lit(False), pl.lit(None, dtype=pl.Int64)
    for w in starts:
        a, b = window_bounds(w, width)
        here = pl.col(TIME).is_between(a, b - 1)
        inside, limit = inside | here, pl.when(here).then(failing[w]).otherwise(limit)
    lines = mb.lines if mb.lines is not None else pl.Series("line", range(1, frame.height + 1))
    marked = frame.with_columns(lines.alias(_LINE), inside.alias(_IN), limit.alias(_LIMIT))
    gone = marked.filter(pl.col(_IN))
    before = gone.filter(pl.col(_LINE) < pl.col(_LIMIT))
    first = before.select(pl.col(_LINE).filter(pl.col(f).is_not_null()).min().alias(f) for f in mb.fields).row(0, named=True)
    first = {f: line for f, line in first.items() if line is not None}
    if gone.height == frame.height:
        return None, gone, first
    rest = marked.filter(~pl.col(_IN))
    batch = MeasurementBatch(mb.measurement, rest.select(frame.columns), mb.tags, mb.fields, rest.get_column(_LINE))
    return batch, gone, first


_LINE, _IN, _LIMIT = "\nl", "\nin", "\nlimit"  # working columns: no key starts with a newline


def _create_fields(st: EngineState, database: Database, created: list) -> None:
    """The fields of the lines before the failing one, in line order, as 1.x creates them."""
    for _, measurement, column, ftype in created:
        meta = database.measurements.setdefault(measurement, MeasurementMeta())
        key = field_key(column)
        if key not in meta.fields:
            meta.fields[key] = FieldType(ftype)
            if key != column:
                meta.tags.add(key)  # the field shares its key with a tag: its column says so


def _group_exists(st: EngineState, db: str, rp: str, w: int, width: int) -> bool:
    if (db, rp, w) in st.opened_windows:
        return True
    start, end = window_bounds(w, width)
    for key, files in st.catalog.files.items():
        if key[0] == db and key[1] == rp and any(f.window_start == start for f in files):
            return True
    for buf in (st.buffer, st.flushing):
        if buf is None:
            continue
        for key, chunks in buf.parts.items():
            if key[0] != db or key[1] != rp:
                continue
            for c in chunks:
                if c.tmin < end and c.tmax >= start and c.frame.get_column(TIME).is_between(start, end - 1).any():
                    return True
    return False
