"""Retention: which partition windows have wholly expired.

Like 1.x dropping shard groups, whole windows go once their end is at or before
now − duration; younger windows keep their old rows until they expire too, and
reads hide those rows meanwhile (the scan clamps its start to now − duration).
"""
from __future__ import annotations

from .catalog import Catalog, FileMeta


def expired_files(catalog: Catalog, now: int) -> list[FileMeta]:
    out = []
    for (db, rp, _m), fl in catalog.files.items():
        d = catalog.databases.get(db)
        pol = d.rps.get(rp) if d else None
        if pol is None or pol.duration <= 0:
            continue
        cutoff = now - pol.duration
        out.extend(f for f in fl if f.window_end <= cutoff)
    return out
