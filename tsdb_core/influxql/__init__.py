"""InfluxQL: grammar-driven parser and AST.

    from tsdb_core.influxql import parse, parse_statement
    stmts = parse("SELECT mean(v) FROM cpu WHERE time > now() - 1h GROUP BY time(1m)")
    str(stmts[0])   # canonical InfluxQL; parse(str(s)) == [s]

``parse``/``parse_statement`` raise only :class:`tsdb_core.base.errors.ParseError`,
worded as influxd 1.6.7 words it. The LALR tables are built on first use.
"""
from . import ast
from .parser.driver import parse, parse_statement

__all__ = ["ast", "parse", "parse_statement"]
