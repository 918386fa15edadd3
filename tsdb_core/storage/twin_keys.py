"""A tag key naming a field that earlier writes stored before any tag of that key.

InfluxDB 1.x stores both (the field readable as ``k::field``, the tag as ``k::tag``). Here a
field whose key is also a tag key lives in the column ``TWIN`` + key (``base.types``), but a
field stored while the measurement had no such tag lives under its plain key. Before the
first tag of that key is accepted, the measurement's rows move to the field's twin column
once: the buffer is flushed, each Parquet file holding the key is rewritten with the column
renamed (as DELETE rewrites files), and the tag key is added to the catalog in the same
commit. Every reader (scans, compaction, index rebuild, exports) then sees one naming. This
happens once per key and measurement; writes that add no such tag key only pay a lookup.
"""
from __future__ import annotations

from ..base.types import TWIN, MeasurementBatch
from .catalog import Database


def new_twin_keys(database: Database | None, batches: list[MeasurementBatch]) -> dict[str, list[str]]:
    """Per measurement, the tag keys of ``batches`` that name a field stored before any tag of
    that key (none for most writes: one dict lookup per tag key)."""
    if database is None:
        return {}
    out: dict[str, list[str]] = {}
    for mb in batches:
        meta = database.measurements.get(mb.measurement)
        if meta is None or meta.fields.keys().isdisjoint(mb.tags):
            continue
        keys = [k for k in mb.tags if k in meta.fields and k not in meta.tags]
        if keys:
            out.setdefault(mb.measurement, []).extend(keys)
    return out


def make_twins(maintenance, db: str, measurement: str, keys: list[str]) -> None:
    """Move the fields ``keys`` of ``measurement`` (every policy) to their twin columns and add
    them as tag keys, in one catalog commit; a no-op for keys that are tags already."""
    st = maintenance.state
    with st.flush_lock, st.lock:
        st.check_open()
        database = st.catalog.databases.get(db)
        meta = database.measurements.get(measurement) if database is not None else None
        keys = [k for k in keys if meta is not None and k in meta.fields and k not in meta.tags]
        if not keys:
            return
        maintenance.flush(isolate=True)  # every row in files; the WAL holds none of them now
        tags = tuple(sorted(meta.tags | set(keys)))
        fields = {TWIN + k if k in tags else k: t for k, t in meta.fields.items()}
        renames = {k: TWIN + k for k in keys}
        touched = set()
        for key, files in list(st.catalog.files.items()):
            if key[0] != db or key[2] != measurement:
                continue
            for f in [f for f in files if not renames.keys().isdisjoint(f.columns)]:
                frame = st.files.read(f).rename(renames, strict=False)
                new = maintenance.write_file(f.key, f.window_start, f.window_end, frame, tags, fields)
                st.catalog.replace_files([f], [new])
                maintenance.bury([f])
                touched.add(key)
        meta.tags.update(keys)
        st.save_catalog()
        maintenance.index_files.save(touched)  # same series, new file ids: restamp
    maintenance.reap()
