"""Regexes over names (measurements, fields, tag keys) run on Polars' linear-time engine.

Python's ``re`` backtracks: ``/(a+)+$/`` against a 30-character name takes
minutes and holds the GIL. Polars uses Rust's ``regex`` crate (RE2-like, like
Go's ``regexp`` that InfluxDB uses), which never backtracks.
"""
from __future__ import annotations

import polars as pl

from .errors import QueryError


class LinearRegex:
    """Drop-in for the ``re.Pattern.search`` uses of the planner and SHOW statements."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str):
        self.pattern = pattern
        try:
            pl.Series([""], dtype=pl.String).str.contains(pattern)
        except Exception as e:  # polars reports an invalid pattern when it compiles it
            why = str(e).split("\n\nThis error occurred", 1)[0]  # (not Polars' expression that ran it)
            raise QueryError(f"error parsing regexp: {why}") from None

    def search(self, name: str) -> bool:
        """Whether the pattern matches anywhere in ``name`` (``re.search``'s sense, in linear time)."""
        return bool(pl.Series([name], dtype=pl.String).str.contains(self.pattern)[0])

    def select(self, names) -> list[str]:
        """The names that match, in their order (one vectorised call)."""
        names = list(names)
        if not names:
            return []
        mask = pl.Series(names, dtype=pl.String).str.contains(self.pattern)
        return [n for n, m in zip(names, mask.to_list()) if m]


def compile(pattern: str) -> LinearRegex:  # noqa: A001 - mirrors re.compile
    """``pattern`` (a query's regex) for linear-time matching; a bad one raises QueryError."""
    return LinearRegex(pattern)
