"""count() of whole fields without reading their rows.

    SELECT count(*) FROM m [WHERE time >= t0 AND time < t1]

Counting the values of a field over a time range needs no value: the provider answers it
from what it keeps beside the rows (a Parquet footer's row and null counts per row group,
``DataProvider.value_counts``) and reads only what that does not cover. Only a statement
whose answer is exactly those counts takes this path: one measurement, no tag condition,
no GROUP BY, no fill, every call ``count(field)`` projected as it is. Anything else, or a
provider that declines, runs the general executor (tests/query/test_value_counts.py checks
both agree).
"""
from __future__ import annotations

import polars as pl

from ...influxql import ast
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.nodes import Aggregate, LoweredCall, Scan, output_column


def from_counts(plan, stages, order, project, ctx) -> tuple[bool, pl.DataFrame | None]:
    """(True, the Aggregate stage's rows: measurement, time and output columns, or None when
    no field has a value) when the statement is counts the provider answers; (False, None)
    otherwise."""
    fields = _counted_fields(stages, order, project, ctx)
    if fields is None:
        return False, None
    src: Scan = stages.source
    tr = src.time_range
    counts = ctx.provider.value_counts(src.database, src.retention_policy, src.measurement, tr.start, tr.end,
                                       sorted(set(fields.values())))
    if counts is None:
        return False, None
    if not any(counts.values()):  # no group saw a point: nothing emitted, as the general path
        return True, None
    start = plan.time_range.start if plan.time_range.has_start else 0
    dtype = pl.Int64  # as the general path's counts (a subquery's outer query reads integers)
    row = [pl.Series(NAME, [src.measurement], pl.String), pl.Series("time", [start], pl.Int64)]
    row += [pl.Series(output_column(i), [counts[fields[e.column]] or None], dtype)  # 0: no value (null)
            for i, e in enumerate(project.exprs)]
    return True, pl.DataFrame(row)


def _counted_fields(stages, order, project, ctx) -> dict[str, str] | None:
    """Working column → counted field for each projected ``count(field)``; None when the
    statement is not only such counts over one plain scan."""
    a = stages.shape
    src = stages.source
    if not ctx.provider.capabilities.value_counts or not isinstance(a, Aggregate) or not isinstance(src, Scan):
        return None
    if a.interval or a.dimensions or a.point_time or stages.filter is not None or stages.fill is not None \
            or stages.transform is not None or order.slimit or order.soffset:
        return None
    if src.tags or src.limit or src.renames or src.time_range.empty:
        return None
    fields = {}
    for c in a.calls:
        args = c.call.args
        if c.call.name != "count" or len(args) != 1 or not isinstance(args[0], ast.VarRef) \
                or args[0].name not in src.columns:
            return None
        fields[c.column] = args[0].name
    if not project.exprs or not all(isinstance(e, LoweredCall) and e.column in fields for e in project.exprs):
        return None
    return fields
