"""DataFrames (Polars, pandas, Arrow) as columnar batches, without going through text.

A DataFrame becomes one :class:`~tsdb_core.base.types.MeasurementBatch`: the time
column as Int64 ns, the tag columns as String (null or empty = tag absent), the
field columns with their InfluxDB types. Rows without any field value are
skipped, as line protocol cannot express them.

    store.write_dataframe("mydb", df, "cpu", tags=["host"], fields=["usage"])

converts with :func:`dataframe_to_batch` and writes the batch as a line-protocol body's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from ..base.errors import UserError
from ..base.types import TIME, FieldType, MeasurementBatch
from ..base.time import MAX_TIME, MIN_TIME, precision_multiplier

_INTEGER_TYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32)


def field_type_of(dtype: pl.DataType) -> FieldType | None:
    """The InfluxDB field type a Polars column maps to (None: not storable)."""
    if dtype in (pl.Float32, pl.Float64) or isinstance(dtype, pl.Decimal):
        return FieldType.FLOAT
    if dtype in _INTEGER_TYPES:
        return FieldType.INTEGER  # what line protocol's `1i` holds; u8..u32 fit
    if dtype == pl.UInt64:
        return FieldType.UNSIGNED
    if dtype == pl.Boolean:
        return FieldType.BOOLEAN
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        return FieldType.STRING
    return None


def to_polars_frame(df: Any, time: str | None = TIME) -> pl.DataFrame:
    """A Polars DataFrame from a Polars DataFrame/LazyFrame, a pandas DataFrame or an Arrow table.

    A pandas frame whose time lives in a DatetimeIndex (as ``influxdb``'s
    DataFrameClient expects) gets that index as its ``time`` column.
    """
    if isinstance(df, pl.DataFrame):
        return df
    if isinstance(df, pl.LazyFrame):
        return df.collect()
    mod = type(df).__module__
    if mod.startswith("pandas"):
        import pandas as pd

        if time and time not in df.columns and isinstance(df.index, pd.DatetimeIndex):
            df = df.rename_axis(time).reset_index()
        return pl.from_pandas(df, nan_to_null=True)
    if mod.startswith("pyarrow"):
        out = pl.from_arrow(df)
        if isinstance(out, pl.DataFrame):
            return out
    raise UserError(f"cannot write a {type(df).__name__}: expected a Polars or pandas DataFrame")


def _time_ns(col: pl.Series, precision: str) -> pl.Series:
    """The time column as Int64 ns since the epoch (naive datetimes are UTC)."""
    dtype = col.dtype
    if isinstance(dtype, pl.Datetime):
        return col.dt.epoch("ns").cast(pl.Int64)
    if dtype == pl.Date:
        return col.cast(pl.Datetime("ns")).dt.epoch("ns").cast(pl.Int64)
    if dtype in _INTEGER_TYPES or dtype == pl.UInt64:
        mult = precision_multiplier(precision)
        bad = (col < -(-MIN_TIME // mult)) | (col > MAX_TIME // mult)
        if bad.any():
            raise UserError(f"time column {col.name!r}: value out of range at row {_first(bad)}")
        return col.cast(pl.Int64) * mult
    if dtype == pl.String:
        try:
            parsed = col.str.to_datetime(time_unit="ns", time_zone="UTC")
        except Exception as exc:  # polars raises ComputeError/InvalidOperationError
            raise UserError(f"time column {col.name!r}: cannot parse as RFC3339: {exc}") from None
        return parsed.dt.epoch("ns").cast(pl.Int64)
    raise UserError(f"time column {col.name!r} has type {dtype}: "
                    "expected a datetime, a date, an integer or RFC3339 strings")


def _first(mask: pl.Series) -> int:
    """The 1-based row number of the first true value of ``mask``."""
    return int(mask.arg_true()[0]) + 1


def dataframe_to_batch(df: Any, measurement: str, *, tags: Sequence[str] = (),
                       fields: Sequence[str] | None = None, time: str | None = TIME,
                       precision: str = "ns", now: Callable[[], int] | None = None) -> MeasurementBatch:
    """Validate and convert ``df`` into the batch a line-protocol body would give.

    ``fields=None`` takes every column that is neither a tag nor the time
    column. ``time=None`` stamps every row with ``now()`` (the store's clock),
    as a line without a timestamp gets the server's time. Raises
    :class:`~tsdb_core.base.errors.UserError` naming the column at fault.
    """
    frame = to_polars_frame(df, time)
    if not isinstance(measurement, str) or not measurement:
        raise UserError("measurement name must be a non-empty string")
    tags, fields = _tag_and_field_columns(frame.columns, tags, fields, time)
    types, exprs = _field_exprs(frame, fields)
    if not types:
        raise UserError(f"no field columns to write for measurement {measurement!r}")
    tag_exprs = [pl.col(t).cast(pl.String).replace("", None).alias(t) for t in tags]
    time_col = _time_column(frame, time, precision, now)
    out = frame.select(*tag_exprs, *exprs).with_columns(time_col)
    for name, ft in types.items():
        if ft is FieldType.FLOAT:
            inf = out[name].is_infinite()
            if inf.any():
                raise UserError(f"field {name!r}: infinite value at row {_first(inf)} "
                                "(InfluxDB cannot store it)")
    lines = pl.Series("line", range(1, frame.height + 1), dtype=pl.Int64)
    keep = pl.any_horizontal([pl.col(f).is_not_null() for f in types])
    mask = out.select(keep).to_series()
    if not mask.all():
        out, lines = out.filter(mask), lines.filter(mask)
    # Tags whose every value is absent are not tag keys of this batch.
    present = tuple(sorted(t for t in tags if out[t].null_count() < out.height))
    out = out.select(TIME, *present, *types)
    return MeasurementBatch(measurement=measurement, frame=out, tags=present, fields=types, lines=lines)


def _tag_and_field_columns(cols: list[str], tags: Sequence[str], fields: Sequence[str] | None,
                           time: str | None) -> tuple[list[str], list[str]]:
    """The tag and field column names, checked (present, distinct, not the time column)."""
    tags = list(tags)
    if isinstance(fields, str) or isinstance(tags, str):
        raise UserError("tags and fields must be lists of column names")
    if time is not None and time not in cols:
        raise UserError(f"time column {time!r} not found; columns: {', '.join(cols)}")
    if fields is None:
        fields = [c for c in cols if c != time and c not in tags]
    fields = list(fields)
    for name in [*tags, *fields]:
        if name not in cols:
            raise UserError(f"column {name!r} not found; columns: {', '.join(cols)}")
    both = sorted(set(tags) & set(fields))
    if both:
        raise UserError(f"column {both[0]!r} cannot be both a tag and a field")
    for name in [*tags, *fields]:
        if name == TIME or name == time:
            raise UserError(f"invalid {'tag key' if name in tags else 'field name'}: {name!r} "
                            "is reserved for the time column")
        if not name:
            raise UserError("tag keys and field names must be non-empty")
    if len(set(tags)) != len(tags) or len(set(fields)) != len(fields):
        raise UserError("a column is listed twice in tags or fields")
    return tags, fields


def _field_exprs(frame: pl.DataFrame, fields: list[str]) -> tuple[dict[str, FieldType], list[pl.Expr]]:
    """Each storable field's type and the expression casting it (NaN → null); all-null columns skipped."""
    types: dict[str, FieldType] = {}
    exprs: list[pl.Expr] = []
    for name in fields:
        dtype = frame.schema[name]
        if dtype == pl.Null:
            continue  # an all-null column carries no value
        ft = field_type_of(dtype)
        if ft is None:
            raise UserError(f"field column {name!r} has type {dtype}: expected float, integer, "
                            "unsigned, boolean or string")
        types[name] = ft
        expr = pl.col(name).cast(ft.polars)
        if ft is FieldType.FLOAT:
            expr = pl.when(expr.is_nan()).then(None).otherwise(expr).alias(name)
        exprs.append(expr)
    return types, exprs


def _time_column(frame: pl.DataFrame, time: str | None, precision: str,
                 now: Callable[[], int] | None) -> pl.Series:
    """The ``time`` column in ns: converted from ``time``, or ``now()`` for every row."""
    if time is None:
        if now is None:
            raise UserError("time=None needs a clock (write through a store)")
        return pl.Series(TIME, [now()] * frame.height, dtype=pl.Int64)
    if frame[time].null_count():
        raise UserError(f"time column {time!r} has a null at row {_first(frame[time].is_null())}")
    return _time_ns(frame[time], precision).alias(TIME)
