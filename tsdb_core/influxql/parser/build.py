"""Lark callbacks that build the AST while the LALR parser reduces (no parse tree).

Method names are the grammar's rule names/aliases. Checks that influxql's
parser makes at parse time live here, with its exact wording (see errors.py of
this package for the position conventions).

The callbacks live in one object per statement family, composed here:
build_expr (expressions and shared token helpers), build_select (SELECT,
DELETE, EXPLAIN), build_show (SHOW) and build_ddl (CREATE/DROP/ALTER, users,
privileges, KILL).
"""
from __future__ import annotations

from .lalr import Tok as Token
from .build_ddl import INT32_MAX, DdlRules
from .build_expr import INT64_MAX, UINT64_MAX, ExprRules, check_regex, climb, quote_segments
from .build_select import Body, SelectRules
from .build_show import ShowRules

__all__ = ["AstBuilder", "Body", "check_regex", "climb", "quote_segments",
           "INT32_MAX", "INT64_MAX", "UINT64_MAX"]


class AstBuilder:
    """Inline LALR callbacks: each returns an AST node (or a plain value for clauses)."""

    def __init__(self, state_var):
        self._callbacks: dict = {"start": _start}
        for family in (SelectRules, ExprRules, ShowRules, DdlRules):
            self._callbacks.update(family(state_var).callbacks())

    def callback(self, rule: str):
        """The callback building ``rule``'s value, or None."""
        return self._callbacks.get(rule)


def _start(ch):
    """The statements list: the AST nodes, separators dropped."""
    return [c for c in ch if not isinstance(c, Token)]
