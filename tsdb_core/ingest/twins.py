"""InfluxDB 3's refusal of a key both tag and field of one measurement.

InfluxDB 1.x stores both (the parser keeps both: the field under ``field_column``'s name).
InfluxDB 3 does not: ``mutable_batch_lp`` answers a type mismatch for such a line ("disallowed
in IOx but accepted in TSM", its test ``test_duplicate_is_tag_and_field``), and a table's
column is a tag or a field. Under the ``influxdb3`` write dialect this takes them out again,
in line order, with the words the store has always given: a line holding the key as both is
refused; of the other lines, those using the key the other way than the first one are.
"""
from __future__ import annotations

from typing import Callable

import polars as pl

from ..base.types import TIME, TWIN, LineError, MeasurementBatch, ParsedBody

__all__ = ["refuse_twins"]


def refuse_twins(parsed: ParsedBody, text_of: Callable[[int], str]) -> ParsedBody:
    """``parsed`` without any key both tag and field; the refused lines added to its errors."""
    if not any(TWIN + k in mb.fields for mb in parsed.batches.values() for k in mb.tags):
        return parsed
    batches, errors = {}, list(parsed.errors)
    for name, mb in parsed.batches.items():
        twins = sorted(k for k in mb.tags if TWIN + k in mb.fields)
        if twins:
            mb = _refuse(mb, twins, text_of, errors)
        if mb is not None:
            batches[name] = mb
    errors.sort(key=lambda e: e.line)
    return ParsedBody(batches=batches, errors=errors, lines_seen=parsed.lines_seen, conflicts=parsed.conflicts)


def _refuse(mb: MeasurementBatch, twins: list[str], text_of, errors: list[LineError]) -> MeasurementBatch | None:
    frame = mb.frame
    lines = mb.lines if mb.lines is not None else pl.Series("line", range(1, frame.height + 1))
    bad = pl.Series([False] * frame.height)
    for k in twins:
        tag, field = frame[k].is_not_null() & ~bad, frame[TWIN + k].is_not_null() & ~bad
        both = tag & field
        tag_rows, field_rows = (tag & ~both).arg_true(), (field & ~both).arg_true()
        tag_first = tag_rows.len() and (not field_rows.len() or tag_rows[0] < field_rows[0])
        as_field = field & ~both if tag_first else both
        as_tag = pl.Series([False] * frame.height) if tag_first else tag & ~both
        for mask, reason in ((both | as_field, _field_reason(k, mb.measurement)),
                             (as_tag, _tag_reason(k, mb.measurement))):
            errors.extend(LineError(n, text_of(n), reason) for n in lines.filter(mask).to_list())
            bad = bad | mask
    frame, lines = frame.filter(~bad), lines.filter(~bad)
    if not frame.height:
        return None
    tags = tuple(t for t in mb.tags if t not in twins or frame[t].null_count() < frame.height)
    renames = {TWIN + k: k for k in twins if k not in tags}  # the tag is gone: the key is the field's
    kept = [f for f in mb.fields if f in renames or not (f.startswith(TWIN) and f[len(TWIN):] in twins)]
    frame = frame.select(TIME, *tags, *[pl.col(f).alias(renames.get(f, f)) for f in kept])
    fields = {renames.get(f, f): mb.fields[f] for f in kept}
    return MeasurementBatch(mb.measurement, frame, tags, dict(sorted(fields.items())), lines)


def _field_reason(key: str, measurement: str) -> str:
    return (f'invalid field key: input field "{key}" on measurement "{measurement}" '
            "is already a tag key in this batch")


def _tag_reason(key: str, measurement: str) -> str:
    return (f'invalid tag key: input tag "{key}" on measurement "{measurement}" '
            "is already a field key in this batch")
