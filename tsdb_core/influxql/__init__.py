"""InfluxQL: grammar-driven parser and AST.

    from tsdb_core.influxql import parse, parse_statement
    stmts = parse("SELECT mean(v) FROM cpu WHERE time > now() - 1h GROUP BY time(1m)")
    str(stmts[0])   # canonical InfluxQL; parse(str(x)) == [x]
"""
from . import ast

__all__ = ["ast", "parse", "parse_statement"]


def parse(text: str, params: dict | None = None):
    """Parse ``text`` (one or more ``;``-separated statements) into statement nodes."""
    from .parse import parse as _parse
    return _parse(text, params)


def parse_statement(text: str, params: dict | None = None):
    """Parse exactly one statement."""
    from .parse import parse_statement as _parse_statement
    return _parse_statement(text, params)
