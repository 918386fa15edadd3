"""Assemble parsed rows into one columnar batch per measurement.

Both parser paths hand over *parts*: row groups of one measurement that share
a signature (tag keys, field keys and field types) as a Polars frame with the
source line numbers. Here the parts of a measurement are checked for the two
conflicts a batch may not contain, in line order as influxd does it: a field
arriving with another type than an earlier accepted line gave it, and (our
deviation) a key used as a tag in one line and as a field in another. The
later line is refused; everything else is concatenated and put back in input
order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from ..base.types import TIME, FieldType, LineError, MeasurementBatch

LINE = "\nline"  # source line number column while parts are assembled; a key can never hold a raw newline


@dataclass(slots=True)
class Part:
    """Rows of one measurement sharing tag keys and typed field keys."""

    measurement: str
    frame: pl.DataFrame  # LINE, TIME, tag columns (String), field columns (typed)
    tags: tuple[str, ...]
    fields: dict[str, FieldType]  # in line order


def type_conflict(field: str, measurement: str, new: FieldType, old: FieldType) -> str:
    return (f'field type conflict: input field "{field}" on measurement "{measurement}" '
            f"is type {new.value}, already exists as type {old.value}")


def tag_field_conflict(key: str, measurement: str, as_field: bool) -> str:
    if as_field:
        return (f'invalid field key: input field "{key}" on measurement "{measurement}" '
                "is already a tag key in this batch")
    return (f'invalid tag key: input tag "{key}" on measurement "{measurement}" '
            "is already a field key in this batch")


def assemble(parts: list[Part], text_of: Callable[[int], str]) -> tuple[dict[str, MeasurementBatch], list[LineError]]:
    """Batches per measurement (in order of first appearance) and the conflict errors."""
    by_measurement: dict[str, list[Part]] = {}
    for part in parts:
        if part.frame.height:
            by_measurement.setdefault(part.measurement, []).append(part)
    first_line = {m: min(p.frame[LINE][0] for p in ps) for m, ps in by_measurement.items()}
    batches: dict[str, MeasurementBatch] = {}
    errors: list[LineError] = []
    for measurement in sorted(by_measurement, key=first_line.__getitem__):
        ps = _resolve_conflicts(measurement, by_measurement[measurement], text_of, errors)
        if ps:
            batches[measurement] = _concat(measurement, ps)
    return batches, errors


def _resolve_conflicts(measurement: str, parts: list[Part], text_of, errors: list[LineError]) -> list[Part]:
    types: dict[str, set[FieldType]] = {}
    tag_keys: set[str] = set()
    for p in parts:
        tag_keys.update(p.tags)
        for k, t in p.fields.items():
            types.setdefault(k, set()).add(t)
    contested = {k for k, ts in types.items() if len(ts) > 1} | (tag_keys & types.keys())
    if not contested:
        return parts
    # Walk the rows of the parts touching contested keys in line order.
    kind: dict[str, object] = {}  # key -> "tag" or the FieldType fixed by the first accepted line
    sigs = []
    for p in parts:
        tags = [k for k in p.tags if k in contested]
        fields = [(k, t) for k, t in p.fields.items() if k in contested]
        sigs.append((tags, fields))
    order = sorted((line, i) for i, p in enumerate(parts) if sigs[i][0] or sigs[i][1]
                   for line in p.frame[LINE].to_list())
    rejected: dict[int, list[int]] = {}
    for line, i in order:
        tags, fields = sigs[i]
        reason = None
        for k in tags:
            if kind.get(k, "tag") != "tag":
                reason = tag_field_conflict(k, measurement, as_field=False)
                break
        if reason is None:
            for k, t in fields:
                seen = kind.get(k, t)
                if seen == "tag":
                    reason = tag_field_conflict(k, measurement, as_field=True)
                    break
                if seen != t:
                    reason = type_conflict(k, measurement, t, seen)
                    break
        if reason is None:
            for k in tags:
                kind[k] = "tag"
            for k, t in fields:
                kind[k] = t
        else:
            errors.append(LineError(line, text_of(line), reason))
            rejected.setdefault(i, []).append(line)
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
    frame = frame.select([LINE, TIME, *tags, *fields])
    return MeasurementBatch(measurement, frame.drop(LINE), tuple(tags), fields, frame[LINE].alias("line"))
