"""A lean driver over Lark's LALR(1) tables: a hand-written scanner, Lark's table.

Lark compiles grammar/influxql.lark into the LALR(1) parse table; its generic
parser and contextual lexer do per-token work a dashboard query cannot afford
(wrapper objects, callbacks through its tree builder), so driver.py replays the
same table with a tight loop, this module's scanner (it follows the grammar's
terminals) and reduce actions that call build.AstBuilder directly. Lexing is contextual in the one
place InfluxQL needs it: ``/`` starts a regex only in states whose row
accepts REGEX (influxql's ScanRegex), and is DIV elsewhere.
"""
from __future__ import annotations

import re

from lark import Lark


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


# influxql's ScanDelimited: only ``\/`` is an escape; any other backslash stands for itself
# and the character after it is read afresh (``/a\\/`` is the start of ``a\/...``).
_REGEX = re.compile(r"/(?:[^/\\\n]|\\/|\\(?!/))*/").match

# One C-level pass over the text: (skipped whitespace/comments, token text) pairs.
# Token alternatives follow the grammar's terminals; every non-blank character
# matches something, so positions are recovered by adding lengths. "/" is
# always DIV here; the parser re-scans it as a REGEX where its state accepts one.
_PAIRS = re.compile(r"""((?:[ \t\r\n]+|--[^\n]*|/\*(?:[^*]|\*+[^*/])*\*+/)*)(
 [A-Za-z_][A-Za-z0-9_]*
|[0-9]+(?:\.[0-9]*|[A-Za-zµ][A-Za-zµ0-9]*)?|\.[0-9]+
|'(?:[^'\\\n]|\\[^\n])*'|"(?:[^"\\\n]|\\[^\n])*"
|\$(?:[A-Za-z0-9_]+|"(?:[^"\\\n]|\\[^\n])*")?
|::[A-Za-z_][A-Za-z0-9_]*
|=~|!~|!=|<>|<=|>=
|[^ \t\r\n]
|$)""", re.S | re.X).findall
_UNTERMINATED = re.compile(r"""['"](?:[^'"\\\n]|\\[^\n])*""").match
_IDSTART = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_DIGITS = frozenset("0123456789")
_PUNCT = {"=~": "EQREGEX", "!~": "NEQREGEX", "!=": "NEQ", "<>": "NEQ", "<=": "LTE", ">=": "GTE",
          "=": "EQ", "<": "LT", ">": "GT", "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "DIV",
          "%": "MOD", "&": "BITAND", "|": "BITOR", "^": "BITXOR", "(": "LPAR", ")": "RPAR",
          ",": "COMMA", ";": "_SEMI", ".": "DOT", ":": "COLON"}


# Position-less tokens shared by fast-path parses: operators, and each spelling
# of a keyword (False marks a plain identifier spelling).
_WORDS: dict = {}


def _word(raw: str, keywords: dict):
    kind = keywords.get(raw.upper())
    if len(_WORDS) > 8192:  # spellings are unbounded; keep the table small
        _WORDS.clear()
    tok = _WORDS[raw] = Tok(kind, raw, -1, -1, "") if kind else False
    return tok


# Token kinds by first character, for what is not a word, a number or an operator.
_OTHER_KINDS = {"'": "STRING", '"': "QUOTED_IDENT", "$": "BOUNDPARAM", ".": "NUMBER", ":": "CAST"}


def tokenize(text: str, pos: int, post, keywords: dict, precise: bool = True) -> list:
    """All tokens from ``pos`` (whitespace and comments dropped).

    Identifiers, keywords and operators are made here; other kinds go
    through ``post(kind, raw, start, stop)`` (unescaping, parameters).
    ``precise=False`` reuses one position-less token per keyword/operator
    spelling (the fast path: positions matter only for errors, and a failed
    fast parse is redone precisely).
    """
    out = []
    append = out.append
    for ws, raw in _PAIRS(text, pos):
        if not raw:  # trailing whitespace/comments
            break
        start = pos + len(ws)
        pos = start + len(raw)
        c = raw[0]
        if c in _IDSTART:
            if text.startswith("(", pos):
                kind = "FUNC_NAME"
            else:
                shared = _WORDS.get(raw)
                if shared is None:
                    shared = _word(raw, keywords)
                if shared is False or precise:
                    append(Tok(shared.type if shared else "IDENT", raw, start, pos, text))
                else:
                    append(shared)
                continue
        elif c in _DIGITS:
            if "." in raw:
                kind = "NUMBER"
            elif raw.isascii() and raw.isdigit():  # ``1e400`` is a (bad) duration, not an integer
                kind = "INTEGER"
            else:
                kind = "DURATIONVAL"
        else:
            shared = _PUNCT_TOKS.get(raw)
            if shared is not None:
                append(Tok(shared.type, raw, start, pos, text) if precise else shared)
                continue
            if raw == "/":
                append(Tok("DIV", raw, start, pos, text))
                continue
            kind = _OTHER_KINDS.get(c, "ILLEGAL")
            if c in "'\"" and len(raw) == 1:  # an unterminated string: the rest is lexed again after it
                stop = _UNTERMINATED(text, start).end()
                append(post("BAD_STRING", text[start:stop], start, stop))
                out += tokenize(text, stop, post, keywords, precise)
                return out
        append(post(kind, raw, start, pos))
    return out


class Tables:
    """Parse table rows (shift: int state; reduce: (size, callback, origin)) and the lexer."""

    def __init__(self, lark: Lark, transformer):
        inner = lark.parser.parser.parser
        table = inner.parse_table
        callbacks = {rule: make_callback(rule, transformer) for rule in lark.rules}
        self.start = table.start_states["start"]
        self.end = table.end_states["start"]
        rows = []
        constants: dict = {}
        for state in range(len(table.states)):
            row = {}
            for name, (action, arg) in table.states[state].items():
                if action.name == "Shift":
                    row[name] = arg
                elif not arg.expansion:  # an empty rule: its value is a constant
                    row[name] = (0, constants.setdefault(arg, callbacks[arg]([])), arg.origin.name)
                else:
                    row[name] = (len(arg.expansion), callbacks[arg], arg.origin.name)
            rows.append(row)
        self.rows = rows
        self.terminal_names = {t.name for t in lark.terminals}
        self.keywords: dict[str, str] = {}
        for t in lark.terminals:
            pat = t.pattern
            if pat.type == "str" and "i" in pat.flags and pat.value.isalpha():
                self.keywords[pat.value.upper()] = t.name


class Splice(list):
    """Children of an inlined rule (``_name``/helper rules): spliced into the parent's."""

    __slots__ = ()


def make_callback(rule, transformer):
    """The reduce action for ``rule``: Lark's tree-builder conventions, without its wrappers.

    Tokens of filtered terminals (underscore names, anonymous strings) are
    dropped, inlined rules are spliced, ``?rule`` with one child passes it
    through, and the transformer method named by the alias or rule is called.
    """
    keep = []
    plain = True
    for i, sym in enumerate(rule.expansion):
        if sym.is_term and sym.filter_out:
            plain = False
            continue
        expand = (not sym.is_term) and sym.name.startswith("_")
        plain = plain and not expand
        keep.append((i, expand))
    name = rule.alias or rule.origin.name
    build = _builder(rule, name, transformer)
    if plain and len(keep) == len(rule.expansion):
        return build
    return _filtered(rule, name, tuple(keep), build)


def _builder(rule, name: str, transformer):
    """The transformer method for ``rule`` (a splice for inlined rules), with ``?rule``'s pass-through."""
    if name.startswith("_"):
        build = Splice
    else:
        build = transformer.callback(name)
        if build is None:
            if not rule.options.expand1:
                raise TypeError(f"no AST builder for grammar rule {name!r}")
            build = _only_child
    if rule.options.expand1 and not rule.alias:
        inner = build

        def build(children, inner=inner):
            return children[0] if len(children) == 1 else inner(children)
    return build


def _filtered(rule, name: str, idx: tuple, build):
    """A callback keeping the children at ``idx`` (``(position, splice?)``) before building."""
    if (name.startswith("_") and rule.expansion[0] == rule.origin and idx[0] == (0, True)
            and not any(expand for _, expand in idx[1:])):
        rest = tuple(i for i, _ in idx[1:])

        def grow(children, rest=rest):  # left-recursive helper: extend its fresh list in place
            head = children[0]
            head.extend([children[i] for i in rest])
            return head

        return grow

    if not any(expand for _, expand in idx):
        picks = tuple(i for i, _ in idx)
        if len(picks) == 1:
            k = picks[0]
            return lambda children: build([children[k]])
        return lambda children: build([children[i] for i in picks])

    def callback(children, build=build, idx=idx):
        out = []
        for i, expand in idx:
            c = children[i]
            if expand and c.__class__ is Splice:
                out += c
            else:
                out.append(c)
        return build(out)

    return callback


def _only_child(children):
    return children[0]


# "/" keeps its position: it may have to be re-scanned as a regex.
_PUNCT_TOKS = {raw: Tok(kind, raw, -1, -1, "") for raw, kind in _PUNCT.items() if raw != "/"}
