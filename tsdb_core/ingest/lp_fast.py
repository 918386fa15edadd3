"""The vectorised path of the line-protocol parser.

Most write bodies are many lines of few *shapes* (measurement, tag keys,
field keys and field types). Lines without a backslash or a double quote
have no escapes, so every ``,`` ``=`` space and newline in them is a
delimiter: their positions are found once for the whole body (numpy), and a
shape taken from one line is checked against all lines with the same number
of delimiters at once. The lines are cut at the delimiters without copying
(one Arrow string array whose offsets are the value boundaries), and one
Polars select checks that the text between the values is exactly the
shape's (measurement, keys, delimiter kinds) and casts the values to their
types; a value the cast refuses sends its line to the exact path. When the
body repeats its series keys (``lp_keys``), each distinct key is parsed once
and lines are only cut from their fields on; their tag columns are gathered
by key. Such a body is cut without its ``=`` (half the delimiters of a TSBS
line): a field's value starts where the text of its key ends, which the
check of the text between the values confirms. A big body is done in two
halves on two threads when it is the only one in flight. Lines that no
shape covers (errors, comments, escapes, strings, odd whitespace, duplicate
or ``time`` keys, out-of-range numbers) go to the exact parser (``lp_exact``),
which decides them as influxd would. A shape only covers lines the exact
parser accepts with the same values, so both paths agree (see the property
tests).
"""
from __future__ import annotations

import functools
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from ..base.types import TIME, FieldType
from ..base.time import MAX_TIME, MIN_TIME
from .lp_assemble import LINE, SERIES, Part, compact_strings
from .lp_delimiters import Delimiters, delimiters
from .lp_keys import SeriesKeys, key_of

# Value forms influxd accepts with the given type, to take a shape from a line
# (numbers that could overflow are left to the exact path: at most 18 digits
# for i, 19 for u; the casts refuse the rest, e.g. float overflow).
_VALUE = {
    FieldType.FLOAT: r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    FieldType.INTEGER: r"-?[0-9]{1,18}i",
    FieldType.UNSIGNED: r"[0-9]{1,19}u",
    FieldType.BOOLEAN: r"(?:t|T|true|True|TRUE|f|F|false|False|FALSE)",
}
_VALUE_RE = [(t, re.compile(p)) for t, p in _VALUE.items()]
_TS_RE = re.compile(r"-?[0-9]{1,19}")
_TRUE = ["t", "T", "true", "True", "TRUE"]
MAX_FAST_LINE = 65000  # longer lines may hit influxd's key length limits: exact path
_FALSE = ["f", "F", "false", "False", "FALSE"]
RESERVED = frozenset({"__ok", "__bad", LINE, SERIES})  # working column names: such keys take the exact path


@dataclass(frozen=True, slots=True)
class Shape:
    measurement: str
    tags: tuple[str, ...]
    fields: tuple[tuple[str, FieldType], ...]

    @property
    def fast(self) -> bool:
        """False when influxd's rules need the exact path (duplicates, ``time`` keys)."""
        keys = [k for k, _ in self.fields]
        return (len(set(self.tags)) == len(self.tags) and len(set(keys)) == len(keys)
                and "time" not in self.tags and "time" not in keys
                and not set(self.tags) & set(keys) and not RESERVED & {*self.tags, *keys})


def shape_of(line: str) -> Shape | None:
    """The shape of a simple line (single spaces, no escapes), or None."""
    sections = line.split(" ")
    if len(sections) == 3:
        if not _TS_RE.fullmatch(sections[2]):
            return None
    elif len(sections) != 2:
        return None
    key = key_of(sections[0])
    fields = fields_of(sections[1])
    if key is None or fields is None:
        return None
    return Shape(key[0], key[1], fields)


def fields_of(fields: str) -> tuple[tuple[str, FieldType], ...] | None:
    """The typed field keys of a simple field section, or None."""
    if not fields or fields[0] in "\t\x00":
        return None
    typed = []
    for field in fields.split(","):
        k, eq, v = field.partition("=")
        if not k or not eq:
            return None
        for t, rx in _VALUE_RE:
            if rx.fullmatch(v):
                typed.append((k, t))
                break
        else:
            return None
    return tuple(typed)


@dataclass(frozen=True)
class _Layout:
    """Where the keys and values of a line of one shape sit, by delimiter index.

    A line has ``ndelims`` delimiters (``,`` ``=`` space, and its newline
    last). ``keys``: (delimiter index, the exact bytes from that delimiter on,
    e.g. ``b",host="``); the text between two values must be exactly that,
    which checks the delimiters' kinds as well (see ``_plan``).
    ``values``: (delimiter before, delimiter after) of each tag value, field
    value and the timestamp, in that order.
    """

    ndelims: int
    measurement: bytes
    keys: tuple[tuple[int, bytes], ...]
    values: tuple[tuple[int, int], ...]
    commas: int  # the delimiters of a line without its ``=`` (see ``lp_delimiters``)

    @functools.cached_property
    def src(self) -> np.ndarray:
        """Delimiter index of each value boundary (start, end, start, end, ...)."""
        return np.array([d for pair in self.values for d in pair])

    @functools.cached_property
    def texts(self) -> np.ndarray:
        """The length of the text before each value (from the delimiter before it)."""
        return np.array([len(self.measurement) + len(self.keys[0][1])] + [len(t) for _, t in self.keys[1:]])


@functools.lru_cache(maxsize=256)
def _layout(shape: Shape, has_ts: bool) -> _Layout:
    keys: list[tuple[int, bytes]] = []
    values: list[tuple[int, int]] = []
    texts = [("," + k + "=") for k in shape.tags]
    texts += [(" " if j == 0 else ",") + k + "=" for j, (k, _) in enumerate(shape.fields)]
    for j, text in enumerate(texts):
        keys.append((2 * j, text.encode()))
        values.append((2 * j + 1, 2 * j + 2))
    ndelims = 2 * len(texts) + 1 + has_ts
    if has_ts:
        keys.append((ndelims - 2, b" "))
        values.append((ndelims - 2, ndelims - 1))
    commas = len(shape.tags) + len(shape.fields) + has_ts + 1
    return _Layout(ndelims, shape.measurement.encode(), tuple(keys), tuple(values), commas)


def fast_lines(body: bytes, nums, multiplier: int, default_time: int, parts: list[Part]) -> list[int]:
    """Parse the simple lines of ``body`` into ``parts``; returns the 0-based
    physical line numbers left for the exact path. ``nums`` maps the body's
    lines to physical line numbers (None: the same). ``body`` ends with a
    newline. A big body is done in two halves on two threads (numpy and Polars
    release the GIL, so both cores work) when it is the only body in flight
    (:class:`InFlight`): with others the cores are busy already, and halves cost
    more work (about a quarter more CPU)."""
    hi = len(body)
    with InFlight() as alone:
        cut = body.find(b"\n", hi // 2, hi) + 1 if hi >= SPLIT_BYTES and alone else 0
        if cut <= 0 or cut >= hi:
            return _fast(body, 0, hi, nums, multiplier, default_time, parts)[0]
        return _halves(body, cut, nums, multiplier, default_time, parts)


class InFlight:
    """Counts the bodies in flight; ``with`` gives whether this one is the only one.

    A body is in flight while it is parsed, and (``Store.write`` holds one over both) while
    it is stored: two clients writing back to back keep the cores busy between their parses
    too, waiting on the WAL's fsync or sending the next body. A thread that holds one
    already is not counted twice."""

    _lock = threading.Lock()
    _count = 0
    _held = threading.local()

    def __enter__(self) -> bool:
        depth = getattr(InFlight._held, "depth", 0)
        InFlight._held.depth = depth + 1
        with InFlight._lock:
            if not depth:
                InFlight._count += 1
            return InFlight._count == 1

    def __exit__(self, *exc) -> None:
        InFlight._held.depth -= 1
        if not InFlight._held.depth:
            with InFlight._lock:
                InFlight._count -= 1


def _halves(body: bytes, cut: int, nums, multiplier: int, default_time: int, parts: list[Part]) -> list[int]:
    """:func:`fast_lines` of ``body`` cut at ``cut`` (a line start), one half on the helper thread."""
    hi = len(body)
    before = None
    if nums is not None:
        before = body.count(b"\n", 0, cut)
    parts_head: list[Part] = []
    parts_tail: list[Part] = []
    later = _pool().submit(_fast, body, cut, hi, None if nums is None else nums[before:],
                           multiplier, default_time, parts_tail)
    leftover, head_lines = _fast(body, 0, cut, None if nums is None else nums[:before],
                                 multiplier, default_time, parts_head)
    tail_leftover, _ = later.result()
    if nums is None:  # the tail numbered its lines from 1: shift them after the head's
        tail_leftover = [i + head_lines for i in tail_leftover]
        for part in parts_tail:
            part.frame = part.frame.with_columns(pl.col(LINE) + head_lines)
    parts += parts_head + parts_tail
    return leftover + tail_leftover


_POOL: tuple[int, ThreadPoolExecutor] | None = None
SPLIT_BYTES = 512 * 1024  # bodies from this size are parsed in two halves at once


def _pool() -> ThreadPoolExecutor:
    """One helper thread per process (a forked child makes its own)."""
    global _POOL
    pid = os.getpid()
    if _POOL is None or _POOL[0] != pid:
        _POOL = (pid, ThreadPoolExecutor(max_workers=1, thread_name_prefix="lp-fast"))
    return _POOL[1]


def _fast(body: bytes, lo: int, hi: int, nums, multiplier: int, default_time: int,
          parts: list[Part]) -> tuple[list[int], int]:
    """Cover the lines in ``body[lo:hi]`` (whole lines) with shapes; returns the
    0-based physical line numbers left for the exact path, and the number of
    lines. ``nums`` maps the lines of that range to physical line numbers
    (None: the range's own line numbers, from 1)."""
    cut, keys = _cut(body, lo, hi)
    pos, starts, ends, first, count, adjacent = cut.pos, cut.starts, cut.ends, cut.first, cut.count, cut.adjacent
    nlines = ends.size
    remaining = np.ones(nlines, dtype=bool)
    leftover: list[int] = []  # body line indices for the exact path
    redone: list[int] = []  # physical line indices the casts refused
    too_long = np.flatnonzero(ends - starts > MAX_FAST_LINE)
    if too_long.size:
        remaining[too_long] = False
        leftover += too_long.tolist()
    cursor = 0
    while True:
        rest = np.flatnonzero(remaining[cursor:]) + cursor
        if not rest.size:
            break
        r = int(rest[0])
        cursor = r
        line = body[starts[r]:ends[r]].decode()
        shape = shape_of(line)
        if shape is None or not shape.fast:
            remaining[r] = False
            leftover.append(r)
            continue
        has_ts = line.count(" ") == 2
        layout = _layout(shape, has_ts)
        cand = rest[count[rest] == (layout.commas if adjacent is None else layout.ndelims)]
        numbers = (cand if nums is None else nums[cand] - 1) + 1
        if keys is None:
            ok = ~adjacent[cand]
            frame, ok, redo = _columns(body, _offsets(pos, first[cand[ok]], starts[cand[ok]], layout), ok,
                                       numbers, shape, layout, multiplier, default_time)
            if frame is not None and shape.tags:
                frame = compact_strings(frame)
        else:
            frame, ok, redo = _keyed_columns(body, pos, first, adjacent, keys, cand, numbers,
                                             shape, has_ts, multiplier, default_time)
        if not ok.all():
            cand = cand[ok]
        remaining[cand] = False
        if remaining[r]:  # cannot happen for a shape taken from line r; stay correct anyway
            remaining[r] = False
            leftover.append(r)
        if not cand.size:
            continue
        if redo is not None:
            redone += (frame[LINE].to_numpy()[redo] - 1).tolist()
            frame = frame.filter(pl.Series(~redo))
        parts.append(Part(shape.measurement, frame, shape.tags, dict(shape.fields)))
    if nums is not None and leftover:
        leftover = (nums[np.asarray(leftover, dtype=np.int64)] - 1).tolist()
    return leftover + redone, nlines


def _cut(body: bytes, lo: int, hi: int) -> tuple[Delimiters, SeriesKeys | None]:
    """The delimiters and series keys of ``body[lo:hi]``. A body whose first key comes again
    soon is cut without its ``=`` (its keys are parsed whole; see ``_keyed_columns``)."""
    if _key_repeats(body, lo, hi):
        cut = delimiters(body, lo, hi, equals=False)
        keys = SeriesKeys.of(body, cut.spaces, cut.starts, cut.ends)
        if keys is not None:
            return cut, keys
    cut = delimiters(body, lo, hi)
    return cut, SeriesKeys.of(body, cut.spaces, cut.starts, cut.ends)


REPEAT_BYTES = 1 << 18  # how far the first line's key is looked for again


def _key_repeats(body: bytes, lo: int, hi: int) -> bool:
    """Whether the first line's series key starts another line within ``REPEAT_BYTES``
    (a guess, cheap: a body that repeats its keys usually repeats its first one soon)."""
    nl = body.find(b"\n", lo, hi)
    space = body.find(b" ", lo, nl)
    if space <= lo:
        return False
    return body.find(b"\n" + body[lo:space + 1], nl, min(hi, nl + REPEAT_BYTES)) >= 0


def _keyed_columns(body: bytes, pos: np.ndarray, first: np.ndarray, adjacent: np.ndarray | None,
                   keys: SeriesKeys, cand: np.ndarray, numbers: np.ndarray, shape: Shape,
                   has_ts: bool, multiplier: int, default_time: int):
    """:func:`_columns` for lines whose series key is parsed already (``keys``): only
    their fields are cut and checked, from the space after the key; the tag columns
    come from the key codes, and so does each line's series key as a number (the
    SERIES column). ``cand``: the lines with the shape's delimiter count. ``adjacent``
    None: the delimiters have no ``=`` (each value starts where its key's text ends)."""
    kind = keys.kind_id(shape.measurement, shape.tags)
    ok = keys.kind[cand] == kind
    fields = Shape("", (), shape.fields)
    layout = _layout(fields, has_ts)
    if adjacent is None:
        offsets, fits = _comma_offsets(pos, first[cand[ok]] + len(shape.tags), layout)
        if fits is not None:
            ok[ok], offsets = fits, offsets[fits]
    else:
        ok &= ~adjacent[cand]
        at = first[cand[ok]] + 2 * len(shape.tags)  # the space after the key
        offsets = _offsets(pos, at, pos[at], layout)
    lines = cand[ok]
    frame, same, redo = _columns(body, offsets, np.ones(lines.size, dtype=bool), numbers[ok],
                                 fields, layout, multiplier, default_time)
    ok[ok] = same
    if frame is not None and shape.tags:
        frame = frame.hstack([*keys.tag_columns(kind, lines[same]), keys.key_codes(lines[same], SERIES)])
    return frame, ok, redo


def _offsets(pos: np.ndarray, first: np.ndarray, line_starts: np.ndarray, layout: _Layout) -> np.ndarray:
    """Per line (``first``: the index of its first delimiter), where its cells start and
    end: text before the first value, value, text before the next value, ... (see ``_plan``)."""
    offsets = np.empty((first.size, 2 * len(layout.values) + 1), dtype=np.int64)
    offsets[:, 0] = line_starts
    offsets[:, 1:] = pos[first[:, None] + layout.src]
    offsets[:, 1::2] += 1
    return offsets


def _comma_offsets(pos: np.ndarray, at: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`_offsets` from delimiters without ``=`` (``at``: the index of each line's
    delimiter before its first value): a value starts where the text before it ends, if
    the line has that text (``_plan`` checks). Also whether each line's cells are in order
    (a line whose text is shorter is not of the shape), None when all are."""
    nv = len(layout.values)
    bounds = pos[at[:, None] + np.arange(nv + 1)]
    offsets = np.empty((at.size, 2 * nv + 1), dtype=np.int64)
    offsets[:, 0::2] = bounds
    np.add(bounds[:, :-1], layout.texts, out=offsets[:, 1::2])
    short = offsets[:, 2::2] < offsets[:, 1::2]
    return offsets, (~short.any(axis=1) if short.any() else None)


def _columns(body: bytes, offsets: np.ndarray, ok: np.ndarray, line_numbers: np.ndarray,
             shape: Shape, layout: _Layout, multiplier: int, default_time: int):
    """Cut the candidate lines of one shape into typed columns.

    ``ok``: candidates without empty elements; ``offsets``: their cells (:func:`_offsets`);
    ``line_numbers``: the candidates' 1-based line numbers. Returns (frame of the lines
    that really have the shape, with the LINE column; that mask over the candidates;
    the numpy mask over the frame of rows whose values the casts refused, or None):
    refused rows go to the exact path. One Polars select does all the work (each
    call costs planning time).
    """
    if not ok.all():
        line_numbers = line_numbers[ok]
    if not offsets.shape[0]:
        return None, ok, None
    flat = offsets.ravel()
    arr = pa.LargeStringArray.from_buffers(flat.size - 1, pa.py_buffer(flat), pa.py_buffer(body))
    cells = pl.DataFrame({"c": pl.from_arrow(arr.cast(pa.string_view()))})
    exprs, nflags, timed = _plan(shape, layout, multiplier, b"+" in body)
    if not timed:  # no timestamps: the arrival time
        exprs = (*exprs, pl.lit(default_time, dtype=pl.Int64).alias(TIME))
    columns = cells.select(exprs).get_columns()
    columns.append(pl.Series(LINE, line_numbers, dtype=pl.Int64))
    same = columns[0].to_numpy()  # the text between the values is the shape's
    bad = columns[1].to_numpy() if nflags == 2 else None
    for col in columns[nflags:]:
        if col.dtype == pl.Float64:  # overflow (inf), nan or a refused cast (null)
            finite = np.isfinite(col.to_numpy())
            if not finite.all():
                bad = ~finite if bad is None else bad | ~finite
    frame = pl.DataFrame(columns[nflags:])
    if not same.all():
        frame = frame.filter(pl.Series(same))
        ok[ok] = same
        if bad is not None:
            bad = bad[same]
    if bad is not None and not bad.any():
        bad = None
    return frame, ok, bad


@functools.lru_cache(maxsize=256)
def _plan(shape: Shape, layout: _Layout, multiplier: int, plus: bool):
    """The Polars expressions that turn the cells of one shape into typed
    columns (built once per shape: building them costs more than running them;
    so the arrival time of lines without a timestamp, which changes with every
    body, is not among them: the caller adds that column).

    The cells alternate: text before the first value (measurement and first
    key), value, text before the next value (``,key=`` or the space before
    the timestamp), value, ... The "__ok" column says a line's texts are
    exactly the shape's, which checks its measurement, keys and delimiters;
    "__bad" (if any value can be refused) flags lines the exact path must
    redo. Returns (expressions: the flags first, then tags, fields, and time
    when the lines have timestamps; the number of flag columns; whether they have)."""
    nv = len(layout.values)
    value = lambda j: pl.col("c").gather_every(2 * nv + 1, 1 + 2 * j)  # noqa: E731
    between = lambda j: pl.col("c").gather_every(2 * nv + 1, 2 * j)  # noqa: E731
    texts = [(layout.measurement + layout.keys[0][1]).decode()]
    texts += [text.decode() for _, text in layout.keys[1:]]
    flags: list[pl.Expr] = [pl.all_horizontal([between(j) == t for j, t in enumerate(texts)])
                            .alias("__ok")]
    exprs: list[pl.Expr] = []
    bad: list[pl.Expr] = []
    ntags = len(shape.tags)
    for j, k in enumerate(shape.tags):
        exprs.append(value(j).alias(k))
    for j, (k, t) in enumerate(shape.fields):
        c = value(ntags + j)
        if t is FieldType.FLOAT:
            v = c.cast(pl.Float64, strict=False)  # non-finite or null: see _columns
        elif t is FieldType.BOOLEAN:
            v = c.is_in(_TRUE)
            bad.append(~(v | c.is_in(_FALSE)))
        else:
            suffix, dtype = ("i", pl.Int64) if t is FieldType.INTEGER else ("u", pl.UInt64)
            v = c.str.head(-1).cast(dtype, strict=False)
            bad.append(v.is_null() | ~c.str.ends_with(suffix))
        if plus and t is not FieldType.BOOLEAN:
            bad.append(c.str.starts_with("+"))
        exprs.append(v.alias(k))
    timed = nv > ntags + len(shape.fields)
    if timed:
        c = value(nv - 1)
        ts = c.cast(pl.Int64, strict=False)
        lo, hi = -((-MIN_TIME) // multiplier), MAX_TIME // multiplier
        bad.append(ts.is_null() | (ts < lo) | (ts > hi))
        if plus:
            bad.append(c.str.starts_with("+"))
        exprs.append((ts * multiplier if multiplier != 1 else ts).alias(TIME))
    if bad:
        flags.append(pl.any_horizontal(bad).fill_null(True).alias("__bad"))
    return (*flags, *exprs), len(flags), timed
