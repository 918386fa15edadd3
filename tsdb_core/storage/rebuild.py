"""Rebuilding a lost or unreadable catalog from the Parquet files on disk.

Each live file says where it belongs: its path (``<db>/<rp>/<measurement>/<window>/<id>.parquet``,
names percent-encoded; a name too long to encode whole has a ``_names.json`` beside its
series index), its footer (row count, columns and types, time range from the statistics) and
which columns are tags (key-value ``tsdb.tags``; older files: the sorting columns, which are
the tags then time). What the files cannot say is reported instead: retention-policy settings
(duration: infinite, so nothing is expired by a guess; shard duration: the widest of 7d, 1d,
1h that fits every window on disk), which policy was the default, creation order, and
databases, policies and measurements that held no file.

A file that cannot be placed (undecodable names, damaged footer, types that conflict with a
newer file) goes to the quarantine, never deleted. Files replaced in the minute before the
catalog was lost (awaiting deletion after a compaction, DELETE or DROP) look live and come back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd
from urllib.parse import unquote_to_bytes

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .catalog import DEFAULT_RP, Catalog, Database, FileMeta, MeasurementMeta, RetentionPolicy
from ..base.types import TIME, FieldType, field_key
from ..base.time import D, H
from .partitions import _GO_ZERO_OFFSET, INT64_MIN
from .objects import DataFiles
from .paths import encode_name
from .quarantine import Damaged, read_footer

TAGS_KEY = b"tsdb.tags"  # written by partitions._write_parquet
NAMES_FILE = "_names.json"  # [db, rp, measurement] beside a measurement whose directory names are hashed
_WIDTHS = (7 * D, D, H)  # InfluxDB's default shard-group durations, widest first

Key = tuple[str, str, str]


@dataclass(slots=True)
class Rebuilt:
    """The rebuilt catalog, what was not recovered, and files that could not be placed."""

    catalog: Catalog
    notes: list[str] = field(default_factory=list)
    bad: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)


@dataclass(slots=True)
class _Found:
    rel: str
    key: Key
    window_start: int
    id: int
    rows: int
    size: int
    tmin: int
    tmax: int
    columns: tuple[str, ...]
    tags: set[str]
    fields: dict[str, FieldType]


def rebuild(data: DataFiles) -> Rebuilt:
    """A catalog for every Parquet file of ``data`` that can be placed."""
    out = Rebuilt(Catalog())
    found: list[_Found] = []
    ids: set[int] = set()
    max_id = 0
    for rel in sorted(r for r in data.list() if r.endswith(".parquet") and r.count("/") == 4):
        try:
            f = _inspect(data, rel)
        except Damaged as e:
            out.bad.append((rel, str(e)))
            continue
        except Exception as e:  # noqa: BLE001 - a file that cannot be read must not stop the rebuild
            out.bad.append((rel, f"unreadable ({type(e).__name__}: {e})"))
            continue
        max_id = max(max_id, f.id)
        if f.id in ids:
            out.bad.append((rel, f"file id {f.id} is used by another file"))
            continue
        ids.add(f.id)
        found.append(f)
    found = _resolve_schemas(found, out)
    cat = out.catalog
    cat.next_file_id = max_id + 1
    by_rp: dict[tuple[str, str], list[_Found]] = {}
    for f in found:
        by_rp.setdefault(f.key[:2], []).append(f)
    for (db, rp), fl in sorted(by_rp.items()):
        width = _width(fl)
        d = cat.databases.setdefault(db, Database(db, ""))
        d.rps[rp] = RetentionPolicy(rp, 0, width)
        for f in fl:
            meta = d.measurements.setdefault(f.key[2], MeasurementMeta())
            meta.tags |= f.tags
            meta.fields.update(f.fields)
            cat.add_file(FileMeta(f.id, db, rp, f.key[2], f.window_start, max(f.window_start + width, f.tmax + 1),
                                  f.tmin, f.tmax, f.rows, f.size, f.columns, f.rel))
        out.notes.append(f"retention policy {db}.{rp}: settings not recoverable, set to duration INF, "
                         f"shard duration {width // H}h (fits its {len({f.window_start for f in fl})} windows)")
    for db in cat.databases.values():
        db.default_rp = DEFAULT_RP if DEFAULT_RP in db.rps else sorted(db.rps)[0]
        if len(db.rps) > 1:
            out.notes.append(f"database {db.name}: default retention policy not recoverable, set to {db.default_rp}")
    n = sum(len(fl) for fl in cat.files.values())
    out.notes.insert(0, f"catalog rebuilt from {n} Parquet files: {len(cat.databases)} databases, "
                        f"{sum(len(d.rps) for d in cat.databases.values())} retention policies, "
                        f"{len(cat.files)} measurements, {sum(f.rows for f in found)} rows")
    out.notes.append("not recoverable from files: databases, retention policies and measurements that held "
                     "no Parquet file, and the order databases were created in")
    return out


def _inspect(data: DataFiles, rel: str) -> _Found:
    parts = rel.split("/")
    key = _names(data, parts[:3])
    try:
        window_start, fid = int(parts[3]), int(parts[4][: -len(".parquet")])
    except ValueError:
        raise Damaged("window or file id in the path is not a number") from None
    md, size = read_footer(data, rel)
    schema = md.schema.to_arrow_schema()
    columns = tuple(schema.names)
    if not columns or columns[0] != TIME or not pa.types.is_int64(schema.field(0).type):
        raise Damaged("first column is not an int64 time")
    if md.num_rows == 0 or md.num_row_groups == 0:
        raise Damaged("holds no rows")
    tags = _tags(md, columns)
    fields = {}
    for c in columns[1:]:
        if c in tags:
            continue
        ft = _field_type(schema.field(c).type)
        if ft is None:
            raise Damaged(f"column {c!r} has type {schema.field(c).type}, not a field type")
        fields[field_key(c)] = ft
        if c != field_key(c):
            tags.add(field_key(c))  # the field shares its key with a tag of the measurement
    tmin, tmax = _time_range(md, data, rel)
    return _Found(rel, key, window_start, fid, md.num_rows, size, tmin, tmax, columns, tags, fields)


def _names(data: DataFiles, parts: list[str]) -> Key:
    """The (db, rp, measurement) a directory stands for: decoded, or from ``_names.json``."""
    sidecar = "/".join([*parts, NAMES_FILE])
    if data.exists(sidecar):
        try:
            names = orjson.loads(data.read_bytes(sidecar))
            if [encode_name(n) for n in names] == parts:
                return tuple(names)
        except (ValueError, TypeError):
            pass
    names = []
    for p in parts:
        try:
            name = "" if p == "%" else unquote_to_bytes(p).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            name = None
        if name is None or encode_name(name) != p:
            raise Damaged(f"directory name {p!r} cannot be decoded (a long name's hash, and no {NAMES_FILE})")
        names.append(name)
    return tuple(names)


def _tags(md, columns: tuple[str, ...]) -> set[str]:
    kv = md.metadata or {}
    if TAGS_KEY in kv:
        try:
            tags = orjson.loads(kv[TAGS_KEY])
        except ValueError:
            raise Damaged("tsdb.tags metadata is not JSON") from None
        if not set(tags) <= set(columns[1:]):
            raise Damaged("tsdb.tags names columns the file lacks")
        return set(tags)
    # Older files: rows are sorted by the tags, then time (partitions._write_parquet).
    sorting = md.row_group(0).sorting_columns or ()
    return {columns[s.column_index] for s in sorting if 0 < s.column_index < len(columns)}


def _field_type(t: pa.DataType) -> FieldType | None:
    if pa.types.is_float64(t) or pa.types.is_decimal(t):  # decimals: floats stored exactly (encodings.py)
        return FieldType.FLOAT
    if pa.types.is_int64(t):
        return FieldType.INTEGER
    if pa.types.is_uint64(t):
        return FieldType.UNSIGNED
    if pa.types.is_boolean(t):
        return FieldType.BOOLEAN
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return FieldType.STRING
    return None


def _time_range(md, data: DataFiles, rel: str) -> tuple[int, int]:
    lo = hi = None
    for i in range(md.num_row_groups):
        st = md.row_group(i).column(0).statistics
        if st is None or not st.has_min_max:
            t = pq.read_table(data.open_input(rel), columns=[TIME]).column(0)
            return int(pc.min(t).as_py()), int(pc.max(t).as_py())
        lo = st.min if lo is None else min(lo, st.min)
        hi = st.max if hi is None else max(hi, st.max)
    return int(lo), int(hi)


def _resolve_schemas(found: list[_Found], out: Rebuilt) -> list[_Found]:
    """Field types are fixed per database + measurement: the newest file's types win. A field
    stored under its key cannot meet a tag of that key (one shares a key with a tag only in
    its own column: ``field_column``)."""
    kept = []
    schema: dict[tuple[str, str], tuple[set[str], dict[str, FieldType]]] = {}
    for f in sorted(found, key=lambda f: -f.id):
        tags, fields = schema.setdefault((f.key[0], f.key[2]), (set(), {}))
        clash = [c for c, t in f.fields.items() if (c in tags and c not in f.tags) or fields.get(c, t) is not t] + \
            [c for c in f.tags if c in fields and c not in tags]
        if clash:
            out.bad.append((f.rel, f"column {clash[0]!r} conflicts with newer files of {f.key[2]!r}"))
            continue
        tags |= f.tags
        fields.update(f.fields)
        kept.append(f)
    return sorted(kept, key=lambda f: f.id)


def _width(files: list[_Found]) -> int:
    """The widest default window that every file fits; else the widest aligned one; else 7d."""
    files = [f for f in files if f.window_start > INT64_MIN] or files  # a clamped start says nothing
    def fits(w: int) -> bool:
        return all((f.window_start + _GO_ZERO_OFFSET) % w == 0 and f.window_start <= f.tmin
                   and f.tmax < f.window_start + w for f in files)

    for w in _WIDTHS:
        if fits(w):
            return w
    g = 0
    for f in files:
        g = gcd(g, f.window_start + _GO_ZERO_OFFSET)
    span = max(f.tmax - f.window_start for f in files)
    # a width that every window start is a multiple of, whole hours, above every file's span
    for w in sorted({gcd(g, k * H) for k in (1, 2, 3, 4, 6, 8, 12, 24, 48, 72, 168, 336, 720, 8760)}, reverse=True):
        if w % H == 0 and w > span and fits(w):
            return w
    return 7 * D
