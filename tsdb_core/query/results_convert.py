"""Query answers as Arrow tables and pandas DataFrames (on top of ``to_polars``).

``StatementResult.to_polars()`` stacks a statement's series with tag keys as
leading String columns; these helpers convert that frame, turning an RFC3339
``time`` column into a real UTC timestamp (``parse_times=False`` keeps the text).
``QueryResult.to_arrow()``/``to_pandas()`` delegate here.

    from tsdb_core.query.results_convert import to_arrow, to_pandas
    table = to_arrow(store.query("SELECT * FROM cpu", db="mydb"))        # first statement
    df = to_pandas(store.query("SELECT * FROM cpu", db="mydb"), index="time")
"""
from __future__ import annotations

from typing import Any

import polars as pl

from ..base.errors import QueryError
from .results import QueryResult, StatementResult

__all__ = ["to_polars", "to_arrow", "to_pandas"]


def _statement(result: QueryResult | StatementResult, statement: int) -> StatementResult:
    """The statement asked for (a QueryResult) or the object itself (a StatementResult)."""
    if isinstance(result, QueryResult):
        if result.error is not None:
            raise QueryError(result.error)
        if not 0 <= statement < len(result.statements):
            raise IndexError(f"the query answered {len(result.statements)} statement(s), no statement {statement}")
        result = result.statements[statement]
    if result.error is not None:
        raise QueryError(result.error)
    return result


def to_polars(result: QueryResult | StatementResult, statement: int = 0, *,
              parse_times: bool = True) -> pl.DataFrame:
    """One statement's series stacked in a Polars DataFrame, ``time`` as Datetime(ns, UTC)."""
    df = _statement(result, statement).to_polars()
    if parse_times and "time" in df.columns and df.schema["time"] == pl.String:
        df = df.with_columns(pl.col("time").str.to_datetime(time_unit="ns", time_zone="UTC"))
    return df


def to_arrow(result: QueryResult | StatementResult, statement: int = 0, *, parse_times: bool = True) -> Any:
    """One statement's answer as a ``pyarrow.Table``."""
    return to_polars(result, statement, parse_times=parse_times).to_arrow()


def to_pandas(result: QueryResult | StatementResult, statement: int = 0, *, parse_times: bool = True,
              index: str | None = None) -> Any:
    """One statement's answer as a ``pandas.DataFrame`` (needs pandas); ``index="time"`` sets the index."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise ImportError("to_pandas() needs pandas: python -m pip install pandas") from None
    df = to_polars(result, statement, parse_times=parse_times).to_pandas()
    if index is not None:
        df = df.set_index(index)
    return df
