"""A lean driver over Lark's LALR(1) tables: our own lexer, Lark's table and callbacks.

Lark compiles grammar/influxql.lark into the parse table and the AST-building
callbacks (tree-less, from transform.AstBuilder); running its generic
parser and contextual lexer costs ~10x the budget of a dashboard query, so
this module replays the same table with a tight loop and a single master
regex built from the grammar's own terminal patterns. Lexing is contextual
in the one place InfluxQL needs it: ``/`` starts a regex only in states whose
row accepts REGEX (influxql's ScanRegex), and is DIV elsewhere.
"""
from __future__ import annotations

import re

from lark import Lark

# Lexing order (first match wins), as Lark's own priorities would order them.
# WS and COMMENT are skipped by a prefix of the master regex.
_ORDER = ("DURATIONVAL", "NUMBER", "INTEGER", "FUNC_NAME", "IDENT",
          "QUOTED_IDENT", "STRING", "BAD_STRING", "BOUNDPARAM", "CAST")


class Tok:
    """A token: cheaper than lark.Token; line/column are computed only when asked
    (error messages), ``shift`` moves the reported column (influxql quirks)."""

    __slots__ = ("type", "value", "start_pos", "end_pos", "text", "shift")

    def __init__(self, type, value, start_pos, end_pos, text, shift=0):
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos
        self.text = text
        self.shift = shift

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.start_pos) + 1

    @property
    def column(self) -> int:
        col = self.start_pos - (self.text.rfind("\n", 0, self.start_pos) + 1) + 1 + self.shift
        return col if col > 1 else 1

    def __repr__(self) -> str:
        return f"Tok({self.type!r}, {self.value!r}, {self.start_pos})"


class Tables:
    """Parse table rows (shift: int state; reduce: (size, callback, origin)) and the lexer."""

    def __init__(self, lark: Lark):
        inner = lark.parser.parser.parser
        table = inner.parse_table
        callbacks = inner.callbacks
        self.start = table.start_states["start"]
        self.end = table.end_states["start"]
        rows = []
        for state in range(len(table.states)):
            row = {}
            for name, (action, arg) in table.states[state].items():
                if action.name == "Shift":
                    row[name] = arg
                else:
                    row[name] = (len(arg.expansion), callbacks[arg], arg.origin.name)
            rows.append(row)
        self.rows = rows
        self.terminal_names = {t.name for t in lark.terminals}

        by_name = {t.name: t for t in lark.terminals}
        self.keywords: dict[str, str] = {}
        operators = []
        for t in lark.terminals:
            pat = t.pattern
            if pat.type == "str" and "i" in pat.flags and pat.value.isalpha():
                self.keywords[pat.value.upper()] = t.name
            elif pat.type == "str" and t.name not in _ORDER and t.name != "ILLEGAL":
                operators.append((pat.value, t.name))
            elif t.name in ("NEQ",):  # "!=" | "<>" compiles to a regex pattern
                operators.append(("!=", "NEQ"))
                operators.append(("<>", "NEQ"))
        skip = "(?:%s|%s)*" % (by_name["WS"].pattern.to_regexp(), by_name["COMMENT"].pattern.to_regexp())
        parts = [f"(?P<{n}>{by_name[n].pattern.to_regexp()})" for n in _ORDER]
        self.op_types: dict[str, str] = {}
        for i, (value, name) in enumerate(sorted(operators, key=lambda vn: -len(vn[0]))):
            group = f"OP{i}"
            self.op_types[group] = name
            parts.append(f"(?P<{group}>{re.escape(value)})")
        parts.append(r"(?P<ILLEGAL>.)")
        self.master = re.compile(skip + "(?:" + "|".join(parts) + ")?", re.S).match
        self.regex = re.compile(by_name["REGEX"].pattern.to_regexp()).match
        # master-regex group -> terminal type (operators are numbered groups)
        self.group_types = {n: n for n in _ORDER}
        self.group_types.update(self.op_types)
        self.group_types["ILLEGAL"] = "ILLEGAL"
