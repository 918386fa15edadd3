"""Validate a parsed write against the catalog before anything is touched.

Checks, in InfluxDB 1.x's order: retention (``points beyond retention
policy``, the points writer), then keys storage cannot hold (a NUL in a tag or field
key: Arrow, which every flush goes through, passes column names as C strings; answered
with InfluxDB's ``invalid tag key`` / ``invalid field key`` words), then field types fixed
per database+measurement (``field type conflict: ...``, the shard). Every write path
(line protocol, DataFrames, SELECT ... INTO) comes through here, so whatever is accepted
can be flushed. The key check looks at column names only: O(keys) per batch. A rejected point is dropped whole;
the rest of the batch goes on. The result is the exact rows to append, and the
schema additions to make, so the later steps cannot fail half-way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from .catalog import Database, MeasurementMeta, RetentionPolicy
from ..base.types import TIME, TWIN, FieldType, MeasurementBatch, field_column, field_key
from ..base.series_codes import SeriesCodes
from ..base.time import MAX_TIME, MIN_TIME

BEYOND_RETENTION = "points beyond retention policy"
CONFLICT_WORDS = "field type conflict"
TIME_RANGE_ERROR = f"time outside range {MIN_TIME} - {MAX_TIME}"  # InfluxDB's words


def type_conflict(fieldname: str, measurement: str, got: FieldType, have: FieldType | str) -> str:
    have = have.value if isinstance(have, FieldType) else have
    return (f'field type conflict: input field "{fieldname}" on measurement "{measurement}" '
            f'is type {got.value}, already exists as type {have}')


@dataclass(slots=True)
class Accepted:
    """One measurement's rows that will be written, and what they add to the schema."""

    measurement: str
    frame: pl.DataFrame
    tags: tuple[str, ...]  # tag columns present in ``frame`` (sorted)
    fields: dict[str, FieldType]  # field columns present in ``frame`` (non-null somewhere)
    values: int
    series: SeriesCodes | None = None  # the batch's, when every row of it was accepted


@dataclass(slots=True)
class Validated:
    """A batch checked against the catalog: accepted rows per measurement plus rejected lines."""
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line or -row, reason)
    # (measurement, tag columns of the rows refused for a field type conflict): 1.x creates
    # their series before it checks field types
    conflicted: list[tuple[str, pl.DataFrame]] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(a.frame.height for a in self.accepted)

    @property
    def values(self) -> int:
        return sum(a.values for a in self.accepted)


def validate(db: Database, rp: RetentionPolicy, batches: list[MeasurementBatch], now: int, *,
             twins: bool = True) -> Validated:
    """Check a parsed batch against field types and retention before anything is written;
    ``twins``: a field may share its key with a tag of the measurement (InfluxDB 1.x)."""
    out = Validated()
    min_time = rp.min_time(now)
    for mb in batches:
        frame = mb.frame
        if frame.height == 0:
            continue
        meta = db.measurements.get(mb.measurement)
        checks: list[tuple[pl.Expr, str]] = []
        if min_time is not None:
            checks.append((pl.col(TIME) < min_time, BEYOND_RETENTION))
        t = frame.get_column(TIME)
        if t.min() < MIN_TIME or t.max() > MAX_TIME:  # (parsers check; DataFrames and INTO arrive here)
            checks.append((~pl.col(TIME).is_between(MIN_TIME, MAX_TIME), TIME_RANGE_ERROR))
        checks.extend(_key_checks(mb))
        if meta is not None:
            checks.extend(_schema_checks(mb, meta, twins))
        if checks:
            frame = _reject(frame, mb, checks, out)
            if frame.height == 0:
                continue
        acc = _accept(mb, frame, meta, mb.series if frame is mb.frame else None)
        if acc is not None:
            out.accepted.append(acc)
    return out


def _schema_checks(mb: MeasurementBatch, meta: MeasurementMeta, twins: bool) -> list[tuple[pl.Expr, str]]:
    """Field types as stored; a new tag key naming a field stored before any such tag (that
    field's rows are moved to its twin column before such a write: storage/twin_keys.py; other
    write paths are refused); without ``twins``, a field naming a stored tag too."""
    checks = []
    for f, t in mb.fields.items():
        key = field_key(f)
        have = meta.fields.get(key)
        if have is not None and have is not t:
            checks.append((pl.col(f).is_not_null(), type_conflict(key, mb.measurement, t, have)))
        elif not twins and key in meta.tags:
            checks.append((pl.col(f).is_not_null(), type_conflict(key, mb.measurement, t, "tag")))
    for tag in mb.tags:
        if tag in meta.fields and tag not in meta.tags:
            checks.append((pl.col(tag).is_not_null(),
                           f'field type conflict: input tag "{tag}" on measurement '
                           f'"{mb.measurement}" is a tag, already exists as a field of type '
                           f'{meta.fields[tag].value}'))
    return checks


def go_quote(s: str) -> str:
    """``s`` quoted as Go's ``%q`` does (InfluxDB's error messages): control bytes shown escaped."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif o <= 0xFFFF:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v"}


def unstorable_key(key: str) -> bool:
    """A key no Parquet/Arrow column can be named (a NUL byte)."""
    return "\x00" in key


def reserved_key(key: str) -> bool:
    """A key that would read as the column of a field sharing its key with a tag (``TWIN``:
    no line-protocol key starts so; a DataFrame column or an INTO alias might)."""
    return key.startswith(TWIN)


def key_problem(measurement: str, key: str, is_tag: bool) -> str:
    """InfluxDB's words for a key that cannot be stored."""
    if is_tag:
        return f"invalid tag key: input tag {go_quote(key)} on measurement {go_quote(measurement)} is invalid"
    return f"invalid field key: input field {go_quote(key)} on measurement {go_quote(measurement)} is invalid"


def _key_checks(mb: MeasurementBatch) -> list[tuple[pl.Expr, str]]:
    """A check per unstorable tag or field key: the rows that carry it are rejected."""
    out = [(pl.col(k).is_not_null(), key_problem(mb.measurement, k, True)) for k in mb.tags
           if unstorable_key(k) or reserved_key(k)]
    for f in mb.fields:
        key = field_key(f) if f.startswith(TWIN) and field_key(f) in mb.tags else f
        if unstorable_key(key) or reserved_key(key):
            out.append((pl.col(f).is_not_null(), key_problem(mb.measurement, key, False)))
    return out


def _reject(frame: pl.DataFrame, mb: MeasurementBatch, checks, out: Validated) -> pl.DataFrame:
    masks = frame.select([e.alias(f"__c{i}") for i, (e, _) in enumerate(checks)])
    bad = None
    for i, (_, reason) in enumerate(checks):
        m = masks.get_column(f"__c{i}").fill_null(False)
        new = m if bad is None else (m & ~bad)
        if new.any():
            rows = new.arg_true()
            lines = mb.lines.gather(rows) if mb.lines is not None else -(rows.cast(pl.Int64) + 1)
            out.rejected.extend((int(x), reason) for x in lines.to_list())
            if reason.startswith(CONFLICT_WORDS):
                out.conflicted.append((mb.measurement, frame.filter(new).select(mb.tags) if mb.tags
                                      else pl.DataFrame(height=rows.len())))
            bad = new if bad is None else (bad | new)
    return frame if bad is None else frame.filter(~bad)


def _accept(mb: MeasurementBatch, frame: pl.DataFrame, meta: MeasurementMeta | None,
            series: SeriesCodes | None = None) -> Accepted | None:
    height = frame.height  # null counts are kept with the columns: no query to plan
    nonnull = {c: height - frame.get_column(c).null_count() for c in (*mb.tags, *mb.fields)}
    fields = {f: t for f, t in mb.fields.items() if nonnull[f]}
    if not fields:
        return None
    tags = tuple(sorted(t for t in mb.tags if nonnull[t]))
    values = int(sum(nonnull[f] for f in fields))
    if meta is not None and not meta.tags.isdisjoint(field_key(f) for f in fields) \
            or any(f.startswith(TWIN) for f in fields):
        frame = frame.select(TIME, *tags, *fields)  # a tag column left empty may give its name up
        frame, fields = _twin_columns(frame, fields, meta.tags | set(tags) if meta else set(tags))
    keep = [TIME, *tags, *sorted(fields)]
    if keep != frame.columns:
        frame = frame.select(keep)
    return Accepted(mb.measurement, frame, tags, fields, values, series)


def _twin_columns(frame: pl.DataFrame, fields: dict[str, FieldType], tags: set[str]):
    """Field columns named as the catalog will hold them: ``TWIN`` + key where the
    measurement has (or gets) a tag of that key, the key otherwise."""
    renames = {f: field_column(field_key(f), tags) for f in fields}
    renames = {a: b for a, b in renames.items() if a != b}
    if not renames:
        return frame, fields
    return frame.rename(renames), {renames.get(f, f): t for f, t in fields.items()}
