"""Series keys of the simple lines of a body, each distinct key parsed once.

A write body usually repeats a few series keys (measurement and tags) on many lines:
one line per series per timestamp. ``lp_fast`` cuts the key of every line at its first
space (no escapes in these lines, so every space is a delimiter), dictionary-encodes
the keys (Arrow) and parses each distinct key once, by the same rules as the line's
other parts (``key_of``). Lines then only need their fields cut and checked; their tag
columns are the parsed values gathered by the lines' key codes. A body whose keys are
mostly distinct does not pay off: ``SeriesKeys.of`` returns None and the lines are cut
whole as before.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

MIN_REPEAT = 4  # distinct keys x this must not exceed the lines: else parsing each key costs more
KNOWN_KEY_CHARS = 512  # keys up to this long are remembered parsed (a bulk load repeats them body after body)
KNOWN_TABLE_ROWS = 4096  # the distinct keys of a body up to this many are remembered parsed, and their tables,
KNOWN_TABLE_CHARS = 1 << 20  # ... when those keys' text is at most this long (16 tables: a few MB at most)
_BASES = itertools.count(1)  # each SeriesKeys numbers its keys from a base of its own (see key_codes)


def key_of(key: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(measurement, tag keys, tag values) of a simple series key (no escapes), or None
    when the line needs the exact parser (a comment, an empty or odd element)."""
    measurement, *tags = key.split(",")
    if not measurement or measurement[0] in "#\t\x00" or "=" in measurement:
        return None
    keys, values = [], []
    for tag in tags:
        k, _, v = tag.partition("=")
        if not k or not v or "=" in v:
            return None
        keys.append(k)
        values.append(v)
    return measurement, tuple(keys), tuple(values)


@functools.lru_cache(maxsize=8192)
def _remembered(key: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    return key_of(key)


def known_key(key: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """:func:`key_of`, remembered for short keys: the bodies of a load carry the same few
    series keys again and again, and parsing each in Python held the GIL ~5 us a key."""
    return _remembered(key) if len(key) <= KNOWN_KEY_CHARS else key_of(key)


def _tag_table(tags: tuple[str, ...], rows: tuple[tuple[str | None, ...], ...]) -> pl.DataFrame:
    """A String column per tag key of the rows' values."""
    return pl.DataFrame([pl.Series(k, [r[j] for r in rows], dtype=pl.String) for j, k in enumerate(tags)])


# The same keys in the same order, body after body (a load): their table once (frames are immutable).
_remembered_table = functools.lru_cache(maxsize=16)(_tag_table)


def _parse_keys(distinct: tuple[str, ...]):
    """(the kinds, and per key: its kind or -1, its tag values or None; the kinds as an array)."""
    kinds: dict[tuple[str, tuple[str, ...]], int] = {}
    kind_of, values = [], []
    for key in distinct:
        parsed = known_key(key)
        if parsed is None:
            kind_of.append(-1)
            values.append(None)
            continue
        kind_of.append(kinds.setdefault(parsed[:2], len(kinds)))
        values.append(parsed[2])
    kind_array = np.asarray(kind_of, dtype=np.int64)
    kind_array.flags.writeable = False  # (shared by the bodies with these keys)
    return tuple(kinds), tuple(kind_of), tuple(values), kind_array


# The same distinct keys in the same order, body after body (a load): parsed once.
_remembered_keys = functools.lru_cache(maxsize=16)(_parse_keys)


@dataclass
class SeriesKeys:
    """The key of each line as a code into the distinct keys, and each key's kind
    (measurement and tag keys): lines of one kind share their delimiters up to the fields."""

    kind: np.ndarray  # per line: index into ``kinds`` (-1: no simple key)
    code: np.ndarray  # per line: index into the distinct keys
    kinds: tuple[tuple[str, tuple[str, ...]], ...]
    key_kind: tuple[int, ...]  # per distinct key: its kind (-1: none)
    values: tuple[tuple[str, ...] | None, ...]  # per distinct key: its tag values
    _columns: dict = field(default_factory=dict)
    chars: int = 0  # the distinct keys' text, in characters
    base: int = field(default_factory=lambda: next(_BASES) << 32)

    @classmethod
    def of(cls, body: bytes, spaces: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> SeriesKeys | None:
        """The keys of the lines ``starts``/``ends`` (``spaces``: the offsets of the spaces), or None."""
        if not spaces.size:
            return None
        at = np.searchsorted(spaces, starts)
        found = at < spaces.size
        key_end = np.where(found, spaces[np.minimum(at, spaces.size - 1)], ends)
        key_end = np.minimum(key_end, ends)  # a line without a space: a key that never parses
        offsets = np.empty(2 * starts.size, dtype=np.int64)
        offsets[0::2], offsets[1::2] = starts, key_end
        cells = pa.LargeStringArray.from_buffers(offsets.size - 1, pa.py_buffer(offsets), pa.py_buffer(body))
        every_other = np.arange(0, offsets.size, 2)  # the keys, not the text between them
        take = pa.Array.from_buffers(pa.int64(), every_other.size, [None, pa.py_buffer(every_other)])
        coded = pc.dictionary_encode(cells.take(take))
        distinct = tuple(coded.dictionary.to_pylist())
        if len(distinct) * MIN_REPEAT > starts.size:
            return None
        chars = sum(map(len, distinct))
        known = len(distinct) <= KNOWN_TABLE_ROWS and chars <= KNOWN_TABLE_CHARS
        kinds, kind_of, values, kind_array = (_remembered_keys if known else _parse_keys)(distinct)
        indices = coded.indices  # int32, no nulls; read through numpy (to_numpy imports pandas)
        code = np.frombuffer(indices.buffers()[1], dtype=np.int32, count=len(indices),
                             offset=indices.offset * 4).astype(np.int64)
        kind = kind_array[code] if kind_of else np.zeros(0, np.int64)
        return cls(kind, code, kinds, kind_of, values, chars=chars)

    def kind_id(self, measurement: str, tags: tuple[str, ...]) -> int:
        """The kind of lines with this measurement and tag keys (-2 when no line has them)."""
        try:
            return self.kinds.index((measurement, tags))
        except ValueError:
            return -2  # matches no line

    def tag_columns(self, kind: int, lines: np.ndarray) -> list[pl.Series]:
        """The tag columns of ``lines`` (all of ``kind``), named by tag key."""
        return self._table(kind).gather(pl.Series(self.code[lines])).get_columns()

    def _table(self, kind: int) -> pl.DataFrame:
        """The tag values of every distinct key as a frame of ``kind``'s tag keys (nulls for
        keys of other kinds), built once."""
        table = self._columns.get(kind)
        if table is None:
            _, tags = self.kinds[kind]
            none = (None,) * len(tags)
            rows = tuple(v if k == kind else none for k, v in zip(self.key_kind, self.values))
            known = len(rows) <= KNOWN_TABLE_ROWS and self.chars <= KNOWN_TABLE_CHARS
            make = _remembered_table if known else _tag_table
            table = self._columns[kind] = make(tags, rows)
        return table

    def key_codes(self, lines: np.ndarray, name: str) -> pl.Series:
        """The series key of each of ``lines`` as a number, unique to the key's text across
        every body parsed in this process (``base``): the parts of one batch, parsed by two
        threads, may carry them together (``MeasurementBatch.series``)."""
        return pl.Series(name, self.code[lines] + self.base, dtype=pl.Int64)
