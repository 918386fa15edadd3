"""InfluxQL: grammar-driven parser and AST.

    from tsdb_core.influxql import parse, parse_statement
    stmts = parse("SELECT mean(v) FROM cpu WHERE time > now() - 1h GROUP BY time(1m)")
    str(stmts[0])   # canonical InfluxQL; parse(str(s)) == [s]

``parse``/``parse_statement`` raise only :class:`tsdb_core.base.errors.ParseError`,
worded as influxd 1.6.7 words it. The LALR tables are built on first use.
"""
from . import ast

__all__ = ["ast", "parse", "parse_statement"]


def __getattr__(name: str):
    # The parser (and Lark) load on first use: importing the package for its AST or
    # ``dialect`` (tsdb_core.Dialect) must not cost a store that only writes.
    if name in ("parse", "parse_statement"):
        from .parser import driver

        return getattr(driver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
