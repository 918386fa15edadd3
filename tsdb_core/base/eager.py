"""Eager Polars calls for the small-answer hot paths, without a query plan.

``DataFrame.select`` runs the lazy engine (a fixed cost whatever the size); a one-host
lookup of a few rows does a handful of these, so they add up to most of its time.
"""
from __future__ import annotations

import polars as pl


def pick(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``frame``'s columns by name, in that order, without a query: cheaper than
    ``frame.select`` (a lazy plan) and ``frame[list]`` (it builds a Series of the names)."""
    if frame.columns == columns:
        return frame
    try:
        return frame._from_pydf(frame._df.select(columns))  # Polars' own eager column pick
    except (AttributeError, TypeError):  # another Polars: the public spelling
        return pl.DataFrame([frame.get_column(c) for c in columns])
