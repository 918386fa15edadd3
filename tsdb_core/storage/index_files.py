"""The series index files (one per measurement directory), kept in step with the catalog.

They are derived data: written after the catalog commit that they follow, rebuilt from the
Parquet files whenever they are missing, stale or damaged.
"""
from __future__ import annotations

import orjson
import polars as pl

from .catalog import FileMeta
from .paths import measurement_dir
from .rebuild import NAMES_FILE
from .state import EngineState, Key


class IndexFiles:
    """Save and rebuild the series index of measurements (the in-memory one and its file)."""

    def __init__(self, state: EngineState):
        self.state = state

    def save(self, keys: set[Key]) -> None:
        """Write the index files of ``keys``, stamped with their live file ids."""
        st = self.state
        if st.root is None or st.config.read_only:  # a reader rebuilds in memory only
            return
        for key in keys:
            d = st.root / measurement_dir(*key)
            st.index.save(key, d, st.root, [f.id for f in st.catalog.files.get(key, ())])
            names = f"{measurement_dir(*key)}/{NAMES_FILE}"
            if "~" in names and not st.files.data.exists(names):
                # a hashed (over-long) name cannot be decoded from the path: keep it (beside the
                # data files) for rebuild.py
                st.files.data.write_bytes(names, orjson.dumps(list(key)))

    def rebuild(self, keys: set[Key], is_read_error) -> list[tuple[FileMeta, str]]:
        """Recompute the tag sets of ``keys`` from their files and buffered rows; the files that
        failed to decode (``is_read_error``) are left out and returned with the reason."""
        st = self.state
        damaged: list[tuple[FileMeta, str]] = []
        for key in keys:
            frames = self._file_tag_sets(key, damaged, is_read_error)
            st.index.replace(key, None)
            for fr in frames:
                st.index.add(key, fr)
            for buf in (st.buffer, st.flushing):
                for c in (buf.chunks(key) if buf is not None else ()):
                    st.index.add(key, c.frame.select(c.tags) if c.tags else pl.DataFrame(height=c.frame.height))
            if st.root is not None and key in st.catalog.files:
                self.save({key})
        return damaged

    def _file_tag_sets(self, key: Key, damaged: list, is_read_error) -> list[pl.DataFrame]:
        """The distinct tag sets of each file of ``key``; files that fail to decode go to ``damaged``."""
        st = self.state
        fl = st.catalog.files.get(key, [])
        d = st.catalog.databases.get(key[0])
        meta = d.measurements.get(key[2]) if d else None
        if not fl or meta is None:
            return []
        frames = []
        for f in fl:
            tc = [t for t in f.columns if t in meta.tags]
            try:
                fr = st.files.read(f).select(tc) if tc else pl.DataFrame(height=f.rows)
            except Exception as e:  # noqa: BLE001 - a damaged file must not stop the others
                if st.root is None or not is_read_error(e):
                    raise
                damaged.append((f, f"does not decode ({type(e).__name__}: {e})"))
                continue
            frames.append(fr.unique() if tc else fr)
        return frames
