"""Assemble parsed rows into one columnar batch per measurement.

Both parser paths hand over *parts*: row groups of one measurement that share
a signature (tag keys, field keys and field types) as a Polars frame with the
source line numbers. Here the parts of a measurement are checked for the
conflict a batch may not contain, in line order as influxd does it: a field
arriving with another type than an earlier accepted line gave it. The later
line is refused; everything else is concatenated and put back in input order.
A field whose key is a tag key of the measurement anywhere in the body takes
the column ``field_column`` names (1.x stores both).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from ..base.series_codes import SeriesCodes
from ..base.types import TIME, FieldType, LineError, MeasurementBatch, TypeConflict, field_column, field_key

LINE = "\nline"  # source line number column while parts are assembled; a key can never hold a raw newline
SERIES = "\nseries"  # the line's series key as a number (lp_keys.SeriesKeys.key_codes), in parts that know it


@dataclass(slots=True)
class Part:
    """Rows of one measurement sharing tag keys and typed field keys."""

    measurement: str
    frame: pl.DataFrame  # LINE, TIME, tag columns (String), field columns (typed); SERIES when known
    tags: tuple[str, ...]
    fields: dict[str, FieldType]  # in line order


def compact_strings(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its String columns copied into buffers of their own: values cut from a
    request body still point into it, and a few rows kept would pin the whole body."""
    names = [c for c, t in frame.schema.items() if t == pl.String]
    if not names or not frame.height:
        return frame
    oldest = pl.CompatLevel.oldest()  # contiguous strings: a copy of the values only
    return frame.with_columns([pl.Series(c, frame.get_column(c).to_arrow(compat_level=oldest)) for c in names])


def type_conflict(field: str, measurement: str, new: FieldType, old: FieldType) -> str:
    return (f'field type conflict: input field "{field}" on measurement "{measurement}" '
            f"is type {new.value}, already exists as type {old.value}")


def assemble(parts: list[Part], text_of: Callable[[int], str]
             ) -> tuple[dict[str, MeasurementBatch], list[LineError], dict[int, TypeConflict]]:
    """Batches per measurement (in order of first appearance), the conflict errors, and
    the conflicts by line (``ParsedBody.conflicts``)."""
    by_measurement: dict[str, list[Part]] = {}
    for part in parts:
        if part.frame.height:
            by_measurement.setdefault(part.measurement, []).append(part)
    first_line = {m: min(p.frame[LINE][0] for p in ps) for m, ps in by_measurement.items()}
    batches: dict[str, MeasurementBatch] = {}
    errors: list[LineError] = []
    times: dict[int, TypeConflict] = {}
    for measurement in sorted(by_measurement, key=first_line.__getitem__):
        ps = _twin_fields(by_measurement[measurement])
        ps = _resolve_conflicts(measurement, ps, text_of, errors, times)
        if ps:
            batches[measurement] = _concat(measurement, ps)
    return batches, errors, times


def _twin_fields(parts: list[Part]) -> list[Part]:
    """Field columns renamed where their key is a tag key of another line of the measurement."""
    tags = {k for p in parts for k in p.tags}
    if not tags:
        return parts
    out = []
    for p in parts:
        renames = {k: field_column(k, tags) for k in p.fields if k in tags}
        if renames:
            p = Part(p.measurement, p.frame.rename(renames), p.tags,
                     {renames.get(k, k): t for k, t in p.fields.items()})
        out.append(p)
    return out


def _resolve_conflicts(measurement: str, parts: list[Part], text_of, errors: list[LineError],
                       times: dict[int, TypeConflict]) -> list[Part]:
    types: dict[str, set[FieldType]] = {}
    for p in parts:
        for k, t in p.fields.items():
            types.setdefault(k, set()).add(t)
    contested = {k for k, ts in types.items() if len(ts) > 1}
    if not contested:
        return parts
    # Walk the rows of the parts touching contested keys in line order.
    kind: dict[str, tuple[FieldType, int]] = {}  # key -> (type, time) of the first accepted line
    sigs = [[(k, t) for k, t in p.fields.items() if k in contested] for p in parts]
    order = sorted((line, time, i) for i, p in enumerate(parts) if sigs[i]
                   for line, time in zip(p.frame[LINE].to_list(), p.frame[TIME].to_list()))
    rejected: dict[int, list[int]] = {}
    for line, time, i in order:
        fields = sigs[i]
        bad = next(((k, t) for k, t in fields if kind.get(k, (t,))[0] != t), None)
        if bad is None:
            for k, t in fields:
                kind.setdefault(k, (t, time))
            continue
        k, t = bad
        errors.append(LineError(line, text_of(line), type_conflict(field_key(k), measurement, t, kind[k][0])))
        rejected.setdefault(i, []).append(line)
        p = parts[i]
        cols = list(p.fields.items())
        tags = p.frame.filter(pl.col(LINE) == line).select(p.tags).row(0) if p.tags else ()
        times[line] = TypeConflict(time, kind[k][1], measurement, tuple(cols[:cols.index((k, t))]),
                                   tuple((k, v) for k, v in zip(p.tags, tags) if v is not None))
    out = []
    for i, p in enumerate(parts):
        if i in rejected:
            frame = p.frame.filter(~pl.col(LINE).is_in(rejected[i]))
            if not frame.height:
                continue
            p = Part(p.measurement, frame, p.tags, p.fields)
        out.append(p)
    return out


def _in_order(parts: list[Part]) -> bool:
    """Parts that follow each other in the body (e.g. the two halves of a big
    body) need no sort after concatenation."""
    last = None
    for p in parts:
        lines = p.frame[LINE]
        if last is not None and lines[0] <= last:
            return False
        if not lines.is_sorted():
            return False
        last = lines[-1]
    return True


def _concat(measurement: str, parts: list[Part]) -> MeasurementBatch:
    tags = sorted({k for p in parts for k in p.tags})
    fields: dict[str, FieldType] = {}
    for p in parts:
        for k, t in p.fields.items():
            fields.setdefault(k, t)
    fields = dict(sorted(fields.items()))
    if len(parts) == 1:
        frame = parts[0].frame
    else:
        frame = pl.concat([p.frame for p in parts], how="diagonal")
        if not _in_order(parts):
            frame = frame.sort(LINE)
    missing = [pl.lit(None, dtype=pl.String).alias(k) for k in tags if k not in frame.columns]
    missing += [pl.lit(None, dtype=t.polars).alias(k) for k, t in fields.items() if k not in frame.columns]
    if missing:
        frame = frame.with_columns(missing)
    get = frame.get_column  # columns picked eagerly: a select would plan a query
    out = pl.DataFrame([get(TIME), *(get(k) for k in tags), *(get(k) for k in fields)])
    return MeasurementBatch(measurement, out, tuple(tags), fields, get(LINE).alias("line"), _series(frame, tags))


def _series(frame: pl.DataFrame, tags: list[str]) -> SeriesCodes | None:
    """The rows' series codes, when every row's key was parsed as a whole (lp_keys)."""
    if not tags or SERIES not in frame.columns:
        return None
    keys = frame.get_column(SERIES)
    if keys.null_count():
        return None
    return SeriesCodes.from_keys(keys.to_numpy(), frame[tags])  # (a select would plan a query)
