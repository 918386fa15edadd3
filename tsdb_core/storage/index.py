"""The series index: distinct tag sets per (db, rp, measurement), without scanning data.

Writes hand over their tag columns (zero-copy selections) and the index folds
them in lazily, so the write path pays nothing; reads fold pending parts with
one ``unique``. While a measurement's series are being read (a dashboard asking for
tag values as points arrive), its new parts are folded in a thread of its own after
each write, so the next read finds little or nothing left to fold; a small write of series
known already is checked by the writer and leaves nothing pending at all. Persisted beside
the data as ``<measurement>/_series.arrow``
(Arrow IPC, ignored by ``**/*.parquet`` readers) when files are flushed. It is derived
data: saved after the catalog commit, stamped with the file ids it stands for and a CRC-32,
and rebuilt from the Parquet files at open when damaged, missing or stale.
"""
from __future__ import annotations

import hashlib
import io
import threading
import time as _time
import zlib
from pathlib import Path

import polars as pl

from .fileio import atomic_write_bytes, makedirs_durable

Key = tuple[str, str, str]
INDEX_FILE = "_series.arrow"
_FOLD_AT = 64
WATCH_S = 10.0  # series read this recently: new parts are folded in the background
FOLD_GAP_S = 0.02  # a background fold at most this often per measurement (tiny writes come fast)
KNOWN_CHECK_ROWS = 4096  # a write of a read measurement with at most this many tag rows is checked at once


class SeriesIndex:
    """Distinct tag sets per measurement, kept in memory and on disk so SHOW and pruning need no scan."""
    def __init__(self) -> None:
        self._sets: dict[Key, pl.DataFrame] = {}
        self._pending: dict[Key, list[pl.DataFrame]] = {}
        # (key, tag) -> (the tag-set frame they came from, its sorted values): SHOW TAG VALUES
        # asks again and again; a fold or replace makes a new frame, so identity says "still valid"
        self._values: dict[tuple[Key, str], tuple[pl.DataFrame, tuple[str, ...]]] = {}
        self._columns: dict[Key, tuple[pl.DataFrame, list[str]]] = {}
        # series of refused points only (InfluxDB 1.x creates them, its in-memory index forgets
        # them at restart): listed like the others, never saved, until a point of theirs is stored
        self._volatile: dict[Key, pl.DataFrame] = {}
        self._read_at: dict[Key, float] = {}  # monotonic seconds of the last read of a key's series
        self._folding: set[Key] = set()  # keys with a background fold under way (one each)
        # counts the changes that may change the tag sets (a fold changes none): answers built
        # from the index (query/meta/answers.py) are kept while it stays the same
        self.changes = 0

    def add(self, key: Key, tags: pl.DataFrame, *, volatile: bool = False, known: pl.DataFrame | None = None) -> None:
        """Record the tag sets of ``tags`` (one String column per tag key, any number of rows);
        ``volatile``: of points that were refused (see ``_volatile``). ``known``: what
        :meth:`known` answered for these tags before the caller took the lock; while the sets
        are still that frame, the part adds nothing and is dropped (no fold left for a read)."""
        if known is not None and not volatile and key not in self._volatile and self._sets.get(key) is known:
            return
        try:
            pend = self._pending.setdefault(key, [])
            pend.append(tags)
            if len(pend) >= _FOLD_AT:
                self._fold(key)
            if volatile:
                old = self._volatile.get(key)
                self._volatile[key] = distinct_tag_sets(([old] if old is not None else []) + [tags])
            elif key in self._volatile:
                rest = without_sets(self._volatile[key], tags)
                if rest.height:
                    self._volatile[key] = rest
                else:
                    del self._volatile[key]
        finally:
            self.changes += 1  # (last: a reader that sees the new count finds the new part)

    def watched(self, key: Key) -> bool:
        """Whether ``key``'s series were read in the last ``WATCH_S``."""
        return _time.monotonic() - self._read_at.get(key, -WATCH_S) < WATCH_S

    def known(self, key: Key, tags: pl.DataFrame) -> pl.DataFrame | None:
        """``key``'s folded sets when every tag set of ``tags`` is in them, else None; checked
        by a writer before it takes the store's lock (the sets frame is replaced, never changed,
        so :meth:`add` tells by its identity whether the answer still holds), only while the
        series are read lately and for a few rows (else the fold decides, later)."""
        cur = self._sets.get(key)
        if cur is None or tags.height > KNOWN_CHECK_ROWS or not set(tags.columns) <= set(cur.columns) \
                or not self.watched(key):
            return None
        if cur.width == 0:  # tagless: the empty set is there when the frame has a row
            return cur if tags.width == 0 and cur.height > 0 else None
        new = _aligned(tags, cur.columns).join(cur, on=cur.columns, how="anti", nulls_equal=True)
        return cur if new.height == 0 else None

    def claim_fold(self, key: Key) -> bool:
        """Whether to start :meth:`fold_in_background` for ``key`` now (then it is the caller's
        to start): parts are pending, its series were read lately, no fold of it is under way."""
        if not self._pending.get(key) or key in self._folding or \
                _time.monotonic() - self._read_at.get(key, -WATCH_S) >= WATCH_S:
            return False
        self._folding.add(key)
        return True

    def watch(self, key: Key) -> None:
        """A query reads ``key``'s series: for ``WATCH_S``, writes to it are folded in the background."""
        self._read_at[key] = _time.monotonic()

    def fold_in_background(self, key: Key, lock) -> threading.Thread:
        """Fold ``key``'s pending parts in a thread of its own, outside ``lock`` (the lock that
        guards this index), then again every ``FOLD_GAP_S`` while writes add more; a read or a
        rebuild meanwhile makes a result moot, never wrong."""
        t = threading.Thread(target=self._keep_folding, args=(key, lock), name="tsdb-series-index", daemon=True)
        t.start()
        return t

    def _keep_folding(self, key: Key, lock) -> None:
        try:
            while self._fold_outside(key, lock):
                _time.sleep(FOLD_GAP_S)  # pacing: parts that come meanwhile are folded together
        finally:
            with lock:
                self._folding.discard(key)

    def _fold_outside(self, key: Key, lock) -> bool:
        """One fold of what is pending now; whether to go on (more came, still being read)."""
        with lock:
            old, taken = self._sets.get(key), list(self._pending.get(key, ()))
        if not taken:
            return False
        frame = distinct_tag_sets(([old] if old is not None else []) + taken)
        with lock:
            pend = self._pending.get(key, [])
            if self._sets.get(key) is old and len(pend) >= len(taken) and all(a is b for a, b in zip(pend, taken)):
                self._sets[key] = _same_or(old, frame)
                if len(pend) > len(taken):
                    self._pending[key] = pend[len(taken):]
                else:
                    self._pending.pop(key, None)
            return bool(self._pending.get(key)) and _time.monotonic() - self._read_at.get(key, -WATCH_S) < WATCH_S

    def series(self, key: Key) -> pl.DataFrame:
        """Distinct tag sets, columns sorted by key, rows sorted; height 1 with no columns for a tagless measurement."""
        self._fold(key)
        frame = self._sets.get(key)
        return frame if frame is not None else pl.DataFrame()  # (a default argument is built every call)

    def tag_values(self, key: Key, tag: str) -> tuple[str, ...]:
        """The distinct non-empty values of ``tag`` (sorted by code point), remembered per tag-set frame."""
        frame = self.series(key)
        memo = self._values.get((key, tag))
        if memo is not None and memo[0] is frame:
            return memo[1]
        if tag not in frame.columns:
            values: tuple[str, ...] = ()
        else:
            col = frame.get_column(tag)
            raw = (set(col.to_list()) if col.len() <= 10_000 else
                   col.drop_nulls().unique().to_list())  # Python's set is quicker on a few thousand
            values = tuple(sorted(v for v in raw if v))  # UTF-8 byte order is code point order
        self._values[(key, tag)] = (frame, values)
        return values

    def columns(self, key: Key) -> list[str]:
        """The tag keys of ``key``'s series (the tag-set frame's columns), remembered like tag_values."""
        frame = self.series(key)
        memo = self._columns.get(key)
        if memo is None or memo[0] is not frame:
            memo = self._columns[key] = (frame, frame.columns)
        return memo[1]

    def keys(self) -> list[Key]:
        return list(self._sets.keys() | self._pending.keys()) if self._pending else list(self._sets)

    def replace(self, key: Key, tags: pl.DataFrame | None) -> None:
        """Set a key's tag sets outright (after a rebuild); None forgets it."""
        self._pending.pop(key, None)
        self._volatile.pop(key, None)
        if tags is None:
            self._sets.pop(key, None)
        else:
            self._sets[key] = distinct_tag_sets([tags])
        self.changes += 1

    def drop(self, pred) -> None:
        for d in (self._sets, self._pending, self._volatile):
            for k in [k for k in d if pred(k)]:
                del d[k]
        for k in [k for k in self._values if pred(k[0])]:
            del self._values[k]
        for k in [k for k in self._columns if pred(k)]:
            del self._columns[k]
        for k in [k for k in self._read_at if pred(k)]:
            del self._read_at[k]
        self.changes += 1

    def _fold(self, key: Key) -> None:
        pend = self._pending.pop(key, None)
        if not pend:
            return
        old = self._sets.get(key)
        self._sets[key] = _same_or(old, distinct_tag_sets(([old] if old is not None else []) + pend))

    # -- persistence -------------------------------------------------------------
    def save(self, key: Key, directory: Path, stop: Path, files: list[int]) -> None:
        """Write ``key``'s tag sets, stamped with the catalog's file ids they stand for (saved
        after the catalog commits them: :meth:`load` rebuilds an index the catalog moved past)."""
        frame = self.series(key)
        if key in self._volatile:
            frame = without_sets(frame, self._volatile[key])
        makedirs_durable(directory, stop)
        buf = io.BytesIO()
        if frame.width == 0:
            frame = pl.DataFrame({"__tagless": [True] * frame.height}, schema={"__tagless": pl.Boolean})
        frame.write_ipc(buf)
        body = buf.getvalue() + _TRAILER + files_stamp(files)
        atomic_write_bytes(directory / INDEX_FILE, body + zlib.crc32(body).to_bytes(4, "little"))

    def load(self, key: Key, directory: Path, files: list[int]) -> str | None:
        """Load ``key``'s saved tag sets if they match ``files`` (the catalog's ids); else why
        not (then the caller rebuilds): ``missing``, ``older format``, damage, or staleness."""
        path = directory / INDEX_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return "missing"
        except OSError as e:
            return f"unreadable ({e.strerror or e})"
        n = len(_TRAILER) + _STAMP + 4
        body, crc = data[:-4], data[-4:]
        if len(data) < n or zlib.crc32(body).to_bytes(4, "little") != crc or body[-n + 4:-_STAMP] != _TRAILER:
            try:
                pl.read_ipc(io.BytesIO(data))
            except Exception:  # noqa: BLE001 - any decoder complaint: damaged
                return f"damaged ({len(data)} bytes, checksum or format wrong)"
            return "older format"
        if body[-_STAMP:] != files_stamp(files):
            return "stale: it does not match the catalog's files (written before a crash or restore)"
        try:
            frame = pl.read_ipc(io.BytesIO(body[:-n + 4]))
        except Exception as e:  # noqa: BLE001
            return f"damaged ({type(e).__name__})"
        if frame.schema.get("__tagless") == pl.Boolean:  # (a tag of that name is a String column)
            frame = pl.DataFrame(height=frame.height)
        self.replace(key, frame)
        return None


_TRAILER = b"TSDBIDX1"
_STAMP = 16


def files_stamp(ids: list[int]) -> bytes:
    """16 bytes naming a set of file ids (the version of an index)."""
    return hashlib.blake2b(",".join(map(str, sorted(ids))).encode(), digest_size=_STAMP).digest()


def _same_or(old: pl.DataFrame | None, new: pl.DataFrame) -> pl.DataFrame:
    """``old`` when ``new`` (its union with more tag sets) added none: the frame stays the same
    object, so what is remembered of it (tag values, columns) stays valid."""
    if old is not None and old.height == new.height and old.columns == new.columns:
        return old
    return new


def distinct_tag_sets(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Union of tag sets; a zero-width frame with rows stands for the empty tag set."""
    tagless = any(f.width == 0 and f.height for f in frames)
    wide = [f for f in frames if f.width > 0]
    if not wide:
        return pl.DataFrame(height=1 if tagless else 0)
    cat = pl.concat(wide, how="diagonal_relaxed")
    cols = sorted(cat.columns)
    cat = cat.select(cols)
    if tagless:
        cat = pl.concat([cat, pl.DataFrame({c: [None] for c in cols}, schema={c: pl.String for c in cols})])
    return cat.unique().sort(cols, nulls_last=False)


def without_sets(frame: pl.DataFrame, gone: pl.DataFrame) -> pl.DataFrame:
    """The tag sets of ``frame`` that are not in ``gone``, tag keys only ``gone``'s left out."""
    cols = sorted(set(frame.columns) | set(gone.columns))
    if not cols:  # tagless both
        return pl.DataFrame(height=0 if gone.height else min(frame.height, 1))
    out = _aligned(frame, cols).join(_aligned(gone, cols), on=cols, how="anti", nulls_equal=True)
    keep = [c for c in cols if out.get_column(c).null_count() < out.height]
    return out.select(keep) if keep else pl.DataFrame(height=min(out.height, 1))


def _aligned(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """``frame`` over the String columns ``cols`` (null where it lacks one; a tagless row: all null)."""
    if frame.width == 0:
        return pl.DataFrame({c: [None] * frame.height for c in cols}, schema={c: pl.String for c in cols})
    return frame.select([pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in cols])
