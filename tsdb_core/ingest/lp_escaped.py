"""The vectorised path for lines with escapes and quoted strings.

Lines with a backslash or a double quote cannot be cut at their delimiters
(``lp_fast``): a ``\\ `` or a string may hide a space, comma or equals sign.
Most such lines are still regular: every backslash pairs with the next
character (never ``\\\\`` outside strings), strings hold only ``\\"`` ``\\\\``
or other backslash pairs and no newline, values have the plain forms. One
strict regex (``LINE_RE``) recognises exactly those lines; for them influxd's
scanners (previous-byte escapes in keys, backslash pairs in fields and
strings) all find the same boundaries as the regex, so the line ends at its
newline and every element is one regex group.

Such lines are grouped by *shape* (raw measurement, tag keys, field keys and
value kinds, taken from one example line): one anchored regex per shape,
with the measurement and keys as literals and a group per value, is run over
all the remaining lines at once (``str.extract_groups``), so keys are
unescaped once per shape and only values are touched per line (tag values:
``\\,`` ``\\ `` ``\\=``; strings: ``\\"`` ``\\\\``). Values the casts refuse
(overflowing numbers or timestamps) and shapes influxd treats specially
(duplicate or ``time`` keys, a key both tag and field) go to the exact
parser. Both paths agree (property tests).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..base.types import TIME, FieldType
from ..base.time import MAX_TIME, MIN_TIME
from .lp_assemble import LINE, Part, compact_strings
from .lp_exact import unescape, unescape_tag
from .lp_fast import RESERVED

_ESC = r"\\[^\\\n]"
_NAME = rf'(?:[^ ,="\\\t\x00\n]|{_ESC})+'
_MEAS = rf'(?:[^ ,="\\\t\x00\n#]|{_ESC})(?:[^ ,="\\\t\x00\n]|{_ESC})*'
_STRING = r'"((?:[^"\\\n]|\\[^\n])*)"'
_FLOAT = r"(-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
_INT = r"(-?[0-9]{1,18})i"
_UINT = r"([0-9]{1,19})u"
_BOOL = r"(t|T|true|True|TRUE|f|F|false|False|FALSE)"
_TS = r"(-?[0-9]{1,19})"
_FORMS = {FieldType.STRING: _STRING, FieldType.INTEGER: _INT, FieldType.UNSIGNED: _UINT,
          FieldType.BOOLEAN: _BOOL, FieldType.FLOAT: _FLOAT}
_VALUE = "(?:" + "|".join(re.sub(r"\((?!\?)", "(?:", p) for p in _FORMS.values()) + ")"
LINE_RE = re.compile(rf"(?P<key>{_MEAS}(?:,{_NAME}={_NAME})*) "
                  rf"(?P<fields>{_NAME}={_VALUE}(?:,{_NAME}={_VALUE})*)(?: {_TS})?")
LINE_PATTERN = "^" + LINE_RE.pattern + "$"  # the same, for Polars (Rust regex)
_MEAS_RE = re.compile(_MEAS)
_TAG_RE = re.compile(rf",({_NAME})=({_NAME})")
_FIELD_RE = re.compile(rf"({_NAME})=({_VALUE})")
_TYPED = [(t, re.compile(p)) for t, p in _FORMS.items()]
_TRUE = ["t", "T", "true", "True", "TRUE"]
MAX_LINE_BYTES = 60000  # longer lines may hit influxd's key length limits: exact path
MAX_SHAPES = 64  # shapes tried per body; the rest go to the exact path


def is_regular(line: str) -> bool:
    """A physical line (without its newline or CR) that this path covers in full."""
    return LINE_RE.fullmatch(line) is not None


@dataclass(frozen=True, slots=True)
class Shape:
    """Raw (escaped) measurement and keys of a regular line, and its value kinds."""

    measurement: str
    tags: tuple[str, ...]
    fields: tuple[tuple[str, FieldType], ...]
    has_ts: bool


def shape_of(line: str) -> Shape | None:
    m = LINE_RE.fullmatch(line)
    if m is None:
        return None
    key = m["key"]
    meas = _MEAS_RE.match(key).group()
    tags = tuple(k for k, _ in _TAG_RE.findall(key, len(meas)))
    fields = []
    for k, v in _FIELD_RE.findall(m["fields"]):
        for t, rx in _TYPED:
            if rx.fullmatch(v):
                fields.append((k, t))
                break
    return Shape(meas, tags, tuple(fields), m.group(3) is not None)


@dataclass(frozen=True, slots=True)
class _Plan:
    measurement: str  # unescaped
    tags: tuple[str, ...]
    fields: dict  # unescaped key -> FieldType, in line order
    pattern: str
    prefix: str  # every line of the shape starts with this
    fast: bool


@functools.lru_cache(maxsize=512)
def _plan(shape: Shape) -> _Plan:
    measurement = unescape(shape.measurement)
    tags = tuple(unescape_tag(k) for k in shape.tags)
    fields = {unescape(k): t for k, t in shape.fields}
    fast = (len(set(tags)) == len(tags) == len(set(shape.tags)) and len(fields) == len(shape.fields)
            and "time" not in tags and "time" not in fields and not set(tags) & fields.keys()
            and not RESERVED & {*tags, *fields})
    parts = ["^", pl.escape_regex(shape.measurement)]
    for k in shape.tags:
        parts += [",", pl.escape_regex(k), "=(", _NAME, ")"]
    for j, (k, t) in enumerate(shape.fields):
        parts += [" " if j == 0 else ",", pl.escape_regex(k), "=", _FORMS[t]]
    if shape.has_ts:
        parts += [" ", _TS]
    parts.append("$")
    prefix = shape.measurement + ("," if shape.tags else " ")
    return _Plan(measurement, tags, fields, "".join(parts), prefix, fast)


def escaped_lines(series: pl.Series, numbers: np.ndarray, multiplier: int, default_time: int,
                  parts: list[Part]) -> list[int]:
    """Parse regular lines (``is_regular``, a String series) into ``parts``;
    ``numbers`` are their 0-based physical line numbers. Returns the numbers
    left for the exact path."""
    leftover: list[int] = []
    too_long = (series.str.len_bytes() > MAX_LINE_BYTES).to_numpy()
    if too_long.any():
        leftover += numbers[too_long].tolist()
        series, numbers = series.filter(~pl.Series(too_long)), numbers[~too_long]
    shapes = 0
    while series.len():
        shape = shape_of(series[0])
        shapes += 1
        if shape is None:
            leftover.append(int(numbers[0]))
            series, numbers = series[1:], numbers[1:]
            continue
        if shapes > MAX_SHAPES:
            leftover += numbers.tolist()
            break
        plan = _plan(shape)
        hit = series.str.starts_with(plan.prefix).to_numpy()
        hit[0] = True
        idx = np.flatnonzero(hit)
        groups = series.gather(idx).str.extract_groups(plan.pattern)
        matched = groups.struct.field(groups.struct.fields[0]).is_not_null().to_numpy()
        hit[idx[~matched]] = False
        if not hit[0]:  # cannot happen (the example has its shape); stay correct anyway
            hit[0] = True
            matched[0] = False
            leftover.append(int(numbers[0]))
        got_lines = numbers[idx[matched]]
        got = groups.filter(pl.Series(matched)).struct.unnest()
        series, numbers = series.filter(pl.Series(~hit)), numbers[~hit]
        if not got_lines.size:
            continue
        if not plan.fast:
            leftover += got_lines.tolist()
            continue
        frame, redo = _columns(got, plan, shape, multiplier, default_time)
        frame = frame.with_columns(pl.Series(LINE, got_lines + 1, dtype=pl.Int64))
        if redo is not None:
            leftover += got_lines[redo].tolist()
            frame = frame.filter(pl.Series(~redo))
        if frame.height:
            parts.append(Part(plan.measurement, frame, plan.tags, dict(plan.fields)))
    return leftover


def _columns(got: pl.DataFrame, plan: _Plan, shape: Shape, multiplier: int, default_time: int):
    """Typed columns from the value groups; the mask of rows the exact path must redo (or None)."""
    cols = got.columns
    exprs: list[pl.Expr] = []
    bad: list[pl.Expr] = []
    j = 0
    for k in plan.tags:
        exprs.append(pl.col(cols[j]).str.replace_all(r"\\([ ,=])", "${1}").alias(k))
        j += 1
    for k, t in plan.fields.items():
        c = pl.col(cols[j])
        j += 1
        if t is FieldType.STRING:
            v = c.str.replace_all(r'\\([\\"])', "${1}")
        elif t is FieldType.FLOAT:
            v = c.cast(pl.Float64, strict=False)
            bad.append(~v.is_finite())
        elif t is FieldType.BOOLEAN:
            v = c.is_in(_TRUE)
        else:
            v = c.cast(pl.Int64 if t is FieldType.INTEGER else pl.UInt64, strict=False)
            bad.append(v.is_null())
        exprs.append(v.alias(k))
    if shape.has_ts:
        ts = pl.col(cols[j]).cast(pl.Int64, strict=False)
        lo, hi = -((-MIN_TIME) // multiplier), MAX_TIME // multiplier
        bad.append(ts.is_null() | (ts < lo) | (ts > hi))
        exprs.append((ts * multiplier if multiplier != 1 else ts).alias(TIME))
    else:
        exprs.append(pl.lit(default_time, dtype=pl.Int64).alias(TIME))
    if bad:
        exprs.append(pl.any_horizontal(bad).fill_null(True).alias("__bad"))
    frame = compact_strings(got.select(exprs))
    if not bad:
        return frame, None
    redo = frame["__bad"].to_numpy()
    frame = frame.drop("__bad")
    return frame, (redo if redo.any() else None)
