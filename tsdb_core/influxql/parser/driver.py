"""InfluxQL text -> AST: the LALR parser (built once), its postlexer and error mapping.

The grammar is grammar/influxql.lark, shipped in the wheel as the package
``tsdb_core.grammar``. Lark compiles it into LALR(1) tables and AST callbacks;
lalr.py runs them with a lean loop and lexer (keywords reserved everywhere, as
in influxql's scanner; ``/`` is a regex only where the grammar accepts one).
"""
from __future__ import annotations

import contextvars
import re
import threading
from importlib import resources
from pathlib import Path

from lark import Lark

from ...base.errors import ParseError, TsdbError
from ..ast.select import Statement
from ...base.time import format_duration
from .lexing import unescape, unescape_regex
from .errors import expected_names, fail, fail_at, token_text
from .depth import MAX_DEPTH
from .lalr import _REGEX, Tables, Tok, tokenize
from .build import AstBuilder
from . import templates

__all__ = ["parse", "parse_statement", "parser"]

_STATE: contextvars.ContextVar["ParseState"] = contextvars.ContextVar("influxql_parse_state")
_LOCK = threading.Lock()
_PARSER: "Tables | None" = None


class ParseState:
    """Per-call data shared by the postlexer and the AST builder (via a ContextVar)."""

    __slots__ = ("text", "params", "tokens", "eof", "consumed", "depths", "too_deep")

    def __init__(self, text: str, params: dict | None):
        self.text = text
        self.params = params
        self.tokens: list[Tok] = []
        self.eof = False
        self.consumed = 0  # tokens read by the parser so far (the last one may be lookahead)
        self.depths: dict | None = None  # nesting of the nodes built (depth.py): long queries only
        self.too_deep: ParseError | None = None  # set by depth.check

    def field_start(self) -> tuple[int, int]:
        """Position of the SELECT field just reduced (for influxql's field-operator error)."""
        toks = self.tokens
        i = self.consumed - (1 if self.eof else 2)
        depth = 0
        while i >= 0:
            t = toks[i].type
            if t == "RPAR":
                depth += 1
            elif t == "LPAR":
                depth -= 1
            elif depth == 0 and t in ("SELECT", "COMMA"):
                break
            i -= 1
        tok = toks[i + 1]
        return tok.line, tok.column

    def token_before(self, tok: Tok) -> Tok:
        for i, t in enumerate(self.tokens):
            if t is tok and i:
                return self.tokens[i - 1]
        return tok

    def eof_token(self, expected: set | None = None) -> Tok:
        """An EOF token placed where influxql's scanner reports EOF.

        influxql reads EOF twice after an identifier, keyword, bound parameter,
        whitespace or ``--`` comment (those scanners consume the EOF they
        hit), so EOF is reported one character further there.
        """
        text = self.text
        last = self.tokens[self.consumed - 1] if self.consumed else None
        tail = text[last.end_pos:] if last is not None and last.end_pos is not None else text
        if tail:
            stripped = tail.rstrip("*/") if tail.endswith("*/") else None
            consumed = stripped is None and (tail[-1] in " \t\r\n" or "--" in tail.rsplit("\n", 1)[-1])
        else:
            consumed = (text[-1:].isalnum() or text[-1:] == "_") and last.type not in (
                "INTEGER", "NUMBER", "DURATIONVAL")
        if not consumed and expected and "REGEX" in expected and last is not None:
            consumed = _peeks_regex(self.tokens)
        return Tok("$END", "", len(text), len(text), text, 1 if consumed else 0)


def _peeks_regex(tokens: list[Tok]) -> bool:
    """True where influxql's parser peeks for a ``/regex/`` (reading EOF once more)."""
    t = tokens[-1].type
    if t in ("SELECT", "COMMA", "_BY", "FROM", "EQREGEX", "NEQREGEX", "DOT", "EQ"):
        return t != "EQ" or (len(tokens) > 1 and tokens[-2].type == "_MEASUREMENT")
    return t == "LPAR" and len(tokens) > 1 and tokens[-2].type in ("FUNC_NAME", "FILL", "TZ")


# ---------------------------------------------------------------- postlexer

_KW_TYPES: dict[str, str] = {}  # upper keyword -> terminal name (filled when the grammar loads)


def _bind(value, tok: Tok) -> Tok:
    """A bound parameter's value -> the token influxql's BindValue would make."""
    def make(ttype, v):
        return Tok(ttype, v, tok.start_pos, tok.end_pos, tok.text)

    if isinstance(value, bool):
        return make("TRUE" if value else "FALSE", "true" if value else "false")
    if isinstance(value, int):
        return make("INTEGER", str(value))
    if isinstance(value, float):
        return make("NUMBER", repr(value))
    if isinstance(value, str):
        return make("STRING", value)
    if isinstance(value, dict):
        if len(value) != 1:
            _bind_error("bound object parameter value must have exactly one entry", tok)
        (k, v), = value.items()
        if k in ("ident", "identifier"):
            if not isinstance(v, str):
                _bind_error("identifier must be a string value", tok)
            return make("IDENT", v)
        if k == "regex":
            if not isinstance(v, str):
                _bind_error("regex literal must be a string value", tok)
            return make("REGEX", v)
        if k == "string":
            if not isinstance(v, str):
                _bind_error("string literal must be a string value", tok)
            return make("STRING", v)
        if k in ("float", "number"):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                _bind_error("number literal must be a float value", tok)
            return make("NUMBER", repr(float(v)))
        if k in ("int", "integer"):
            if isinstance(v, bool) or not isinstance(v, int):
                _bind_error("integer literal must be an integer value", tok)
            return make("INTEGER", str(v))
        if k == "duration":
            if isinstance(v, str):
                return make("DURATIONVAL", v)
            if isinstance(v, int) and not isinstance(v, bool):
                return make("DURATIONVAL", format_duration(v))
            _bind_error("duration literal must be a string or integer value", tok)
        _bind_error(f"unknown bind object type: {k}", tok)
    _bind_error(f"unable to bind parameter with type {type(value).__name__}", tok)


def _bind_error(message: str, tok: Tok):
    fail(message, tok.line, tok.column, positioned=False)


def _post(kind: str, raw: str, start: int, end: int, text: str, params: dict | None) -> Tok:
    """One lexed token -> the token the grammar sees (influxql's scanner conventions).

    Keywords are IDENTs that name one; FUNC_NAME (an identifier glued to "(")
    becomes the keyword, FILL or TZ it names; strings and quoted identifiers
    are unescaped (a bad escape becomes BAD_ESCAPE); regexes lose their
    slashes; ``$params`` are substituted when params were given. influxql
    reports strings, bad strings and regexes one character early (shift -1).
    """
    if kind == "IDENT":
        return Tok(_KW_TYPES.get(raw.upper()) or "IDENT", raw, start, end, text)
    if kind == "FUNC_NAME":
        up = raw.upper()
        if up in _KW_TYPES and up != "DISTINCT":
            kind = _KW_TYPES[up]
        elif up == "FILL" or up == "TZ":
            kind = up
        return Tok(kind, raw, start, end, text)
    if kind == "STRING" or kind == "QUOTED_IDENT":
        body = raw[1:-1]
        value, bad = unescape(body) if "\\" in body else (body, -1)
        if bad >= 0:
            return Tok("BAD_ESCAPE", body[bad:bad + 2], start + bad + 2, end, text)
        if kind == "STRING":
            return Tok("STRING", value, start, end, text, -1)
        return Tok("IDENT", value, start, end, text)
    if kind == "REGEX":
        return Tok("REGEX", unescape_regex(raw[1:-1]), start, end, text, -1)
    if kind == "BOUNDPARAM":
        tok = Tok(kind, raw, start, end, text)
        if params is not None:
            name = raw[1:]
            if name.startswith('"'):
                name = unescape(name[1:-1])[0]
            if name in params:
                return _bind(params[name], tok)
        return tok
    if kind == "BAD_STRING":
        body = raw[1:]
        value, bad = unescape(body)
        if bad >= 0:
            return Tok("BAD_ESCAPE", body[bad:bad + 2], start + bad + 2, end, text)
        return Tok("BAD_STRING", value, start, end, text, -1)
    return Tok(kind, raw, start, end, text)


class _KeepTerminals:
    """Makes Lark keep the terminals only our lexer produces (its ``always_accept`` hook)."""

    always_accept = ("QUOTED_IDENT", "BAD_STRING", "ILLEGAL")

    def process(self, stream):  # pragma: no cover - Lark's own lexer is never run
        return stream


class _Unexpected(Exception):
    """Internal: the parser met ``token`` in a state that has no action for it."""

    def __init__(self, token: Tok, stack: list[int]):
        super().__init__(token.type)
        self.token = token
        self.stack = stack


def _run(tables: Tables, state: ParseState, precise: bool):
    """Lex and parse ``state.text`` with the LALR table; returns the start rule's value.

    ``precise=False`` is the fast path (shared keyword/operator tokens, no
    bookkeeping for error positions); callers redo a failed fast run precisely.
    """
    text = state.text
    tokens = _lex(state, 0, precise)
    state.tokens = tokens
    if len(tokens) > MAX_DEPTH:  # fewer tokens cannot nest deeper than the limit
        state.depths = {}
    end_tok = Tok("$END", "", len(text), len(text), text)
    rows = tables.rows
    end_state = tables.end
    stack = [tables.start]
    values: list = []
    i = 0
    ntok = len(tokens)
    while True:
        row = rows[stack[-1]]
        if i < ntok:
            tok = tokens[i]
            i += 1
            ttype = tok.type
            if ttype == "DIV" and "REGEX" in row:
                tok = _regex_at(state, tokens, i - 1, precise)
                ttype = "REGEX"
                ntok = len(tokens)
            if precise:
                state.consumed = i
        else:
            state.eof = True
            tok = end_tok
            ttype = "$END"
        while True:
            act = row.get(ttype)
            if act is None:
                raise _Unexpected(tok, stack)
            if act.__class__ is int:
                stack.append(act)
                values.append(tok)
                break
            size, callback, origin = act
            if size == 1:
                stack.pop()
                values.append(callback([values.pop()]))
            elif size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
                values.append(callback(children))
            else:
                values.append(callback)  # empty rule: the constant it reduces to
            goto = rows[stack[-1]][origin]
            if goto == end_state and ttype == "$END":
                return values[-1]
            stack.append(goto)
            row = rows[goto]


def _lex(state: ParseState, pos: int, precise: bool) -> list:
    """The tokens of ``state.text`` from ``pos``."""
    text, params = state.text, state.params

    def post(kind, raw, start, stop):
        return _post(kind, raw, start, stop, text, params)

    return tokenize(text, pos, post, _KW_TYPES, precise)


def _regex_at(state: ParseState, tokens: list, at: int, precise: bool) -> Tok:
    """Where the grammar wants a regex, the ``/`` at ``tokens[at]`` starts one.

    The tokens from there are replaced: the regex, then the text after it lexed again.
    """
    div, text = tokens[at], state.text
    m = _REGEX(text, div.start_pos)
    if m is None:  # influxql: an unterminated regex (lit stays empty)
        fail("bad regex: ", div.line, max(div.column - 1, 1))
    tok = _post("REGEX", m.group(), div.start_pos, m.end(), text, state.params)
    tokens[at:] = [tok] + _lex(state, m.end(), precise)
    return tok


def _accepts(tables: Tables, stack: list[int]) -> set[str]:
    """Terminals the parser would shift from ``stack`` (reductions simulated, no callbacks).

    The LALR row alone is wider: state merging adds lookaheads of other contexts.
    """
    rows = tables.rows
    out = set()
    for name in rows[stack[-1]]:
        if not (name.isupper() or name == "$END") or name.startswith("__"):
            continue
        st = list(stack)
        while True:
            act = rows[st[-1]].get(name)
            if act is None:
                break
            if act.__class__ is int:
                out.add(name)
                break
            size, _, origin = act
            if size:
                del st[-size:]
            goto = rows[st[-1]][origin]
            if goto == tables.end and name == "$END":
                out.add(name)
                break
            st.append(goto)
    return out


# ---------------------------------------------------------------- building the parser


def grammar_text() -> str:
    """The grammar: from the installed package ``tsdb_core.grammar``, else the source tree."""
    try:
        return resources.files("tsdb_core.grammar").joinpath("influxql.lark").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        root = Path(__file__).resolve().parents[3]
        return (root / "grammar" / "influxql.lark").read_text("utf-8")


_TERMINAL_DEF = re.compile(r"^([A-Z_][A-Z0-9_]*)(?:\.-?\d+)?\s*:\s*(.*)$", re.M)
_DECLARE = re.compile(r"^%declare\s+(.*)$", re.M)


_TABLES_VERSION = "2"  # bump when the Lark options or the kept terminals change


def _cache_path(text: str) -> str | bool:
    """Lark's table cache, keyed by grammar text and our build options (building the tables is the slow part of a process's first parse).

    Lark's cache is a pickle, so it lives in a directory only this user can write
    (``$XDG_CACHE_HOME/tsdb`` or ``~/.cache/tsdb``, mode 0700), never in a shared
    temp directory where another account could plant one; no cache when that fails.
    """
    import hashlib
    import os
    import stat
    digest = hashlib.sha256((text + _TABLES_VERSION).encode()).hexdigest()[:16]
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tsdb"
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = base.stat()
        if st.st_uid != os.getuid() or stat.S_IMODE(st.st_mode) & 0o022:
            return False
    except (OSError, RuntimeError):  # no home directory, read-only file system, ...
        return False
    return str(base / f"influxql-{digest}.lark-cache")


def parser() -> Tables:
    """The shared LALR tables and lexer, built once per process (thread-safe)."""
    global _PARSER
    p = _PARSER
    if p is not None:
        return p
    with _LOCK:
        if _PARSER is None:
            text = grammar_text()
            names = []
            for name, body in _TERMINAL_DEF.findall(text):
                names.append(name)
                m = re.fullmatch(r'"([a-z]+)"i', body.strip())
                if m:
                    _KW_TYPES[m.group(1).upper()] = name
            for decl in _DECLARE.findall(text):
                names.extend(decl.split())
            lark = Lark(text, parser="lalr", lexer="basic", start="start",
                        maybe_placeholders=False, cache=_cache_path(text),
                        postlex=_KeepTerminals())
            _PARSER = Tables(lark, AstBuilder(_STATE))
    return _PARSER


# ---------------------------------------------------------------- entry points


def parse(text: str, params: dict | None = None, *, limit_depth: bool = False) -> list[Statement]:
    """Parse one or more ``;``-separated statements.

    ``params`` binds ``$name`` parameters the way InfluxDB's ``params=`` does
    (str -> string, int -> integer, float -> number, bool -> boolean, or a
    one-key dict ``{"identifier"|"regex"|"string"|"number"|"integer"|"duration": v}``).
    With ``params=None`` unbound ``$name``s in expressions become
    :class:`~tsdb_core.influxql.ast.BoundParameter` nodes; with a dict, a
    missing one is ``missing parameter: name``.
    ``limit_depth`` (the query engine's choice) makes a statement nested deeper than
    :data:`~tsdb_core.influxql.parser.depth.MAX_DEPTH` levels a ParseError.
    Raises :class:`tsdb_core.base.errors.ParseError` only.
    """
    if not isinstance(text, str):
        raise ParseError("query must be a string", 1, 1)
    key = _cache_key(text, params)
    hit = _CACHE.get(key) if key is not None else None
    if hit is None:
        hit = templates.parse(text, params, _parse_measured)
        if key is not None:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()
            _CACHE[key] = hit
    stmts, too_deep = hit
    if too_deep is not None and limit_depth:
        raise too_deep
    return list(stmts)


def refuse_number_overflow(text: str, params: dict | None = None) -> None:
    """Raise 1.x's ``unable to parse number`` for a float literal past float64's range.

    Go's ParseFloat refuses it where Rust's parse (InfluxDB 3) reads infinity, so the
    1.x engine asks after a parse and v3 does not; only texts with 309 digits in a row
    are lexed again."""
    if len(text) < 309 or _LONG_DIGITS.search(text) is None:  # (a short text has no such run)
        return

    def post(kind, raw, start, stop):
        return _post(kind, raw, start, stop, text, params)

    for tok in tokenize(text, 0, post, _KW_TYPES, True):
        if tok.type == "NUMBER" and float(tok.value) == float("inf"):
            fail_at("unable to parse number", tok)


_LONG_DIGITS = re.compile(r"[0-9]{309}")


# Parsed statements are immutable, so repeated texts (dashboards refreshing the
# same query) are answered from a small cache; errors are never cached.
_CACHE: dict = {}
_CACHE_SIZE = 2048


def _cache_key(text: str, params: dict | None):
    if params is None:
        return text
    if not params:  # (the engine passes {} when none are bound: no sort, no generator)
        return (text, ())
    try:
        return (text, tuple(sorted((k, _freeze_param(v)) for k, v in params.items())))
    except TypeError:
        return None


def _freeze_param(v):
    if isinstance(v, dict):
        return ("dict", tuple(sorted((k, _freeze_param(x)) for k, x in v.items())))
    hash(v)
    return (type(v).__name__, v)


def _parse_uncached(text: str, params: dict | None) -> list[Statement]:
    """Parse without the cache (the benchmark measures this)."""
    return list(_parse_measured(text, params)[0])


def _parse_measured(text: str, params: dict | None) -> tuple[tuple, ParseError | None]:
    """Parse without the cache: the statements, and the error to raise when the caller
    limits nesting (depth.py)."""
    tables = parser()
    state = ParseState(text, params)
    reset = _STATE.set(state)
    try:
        try:
            stmts = _run(tables, state, False)
            if state.too_deep is None:
                return tuple(stmts), None
        except (TsdbError, _Unexpected):
            pass  # redo precisely: the error needs real token positions
        state = ParseState(text, params)
        _STATE.set(state)
        stmts = _run(tables, state, True)
        return tuple(stmts), state.too_deep
    except TsdbError:
        raise
    except _Unexpected as exc:
        raise _unexpected(state, exc.token, _accepts(tables, exc.stack)) from None
    except RecursionError:
        raise ParseError("query is nested too deeply", 1, 1) from None
    finally:
        _STATE.reset(reset)


def parse_statement(text: str, params: dict | None = None) -> Statement:
    """Parse exactly one statement (a trailing ``;`` is allowed)."""
    stmts = parse(text, params)
    if len(stmts) != 1:
        if not stmts:
            state = ParseState(text, params)
            tok = state.eof_token()
            raise ParseError(f"found EOF, expected {', '.join(expected_names({'SELECT', 'SHOW', 'CREATE'}))}"
                             f" at line {tok.line}, char {tok.column}", tok.line, tok.column)
        raise ParseError(f"expected exactly one statement, found {len(stmts)}", 1, 1)
    return stmts[0]


def _whitespace_before(state: ParseState, tok: Tok):
    """influxql scans ``.`` without skipping whitespace and reports the whitespace itself."""
    text = state.text
    start = tok.start_pos if tok.type != "$END" else len(text)
    i = start
    while i > 0 and text[i - 1] in " \t\n\r":
        i -= 1
    if i == start:
        return None
    return Tok("WS", text[i:start], i, start, text)


def _unexpected(state: ParseState, tok: Tok, expected_set: set[str]) -> ParseError:
    if tok.type == "$END":
        tok = state.eof_token(expected_set)
    elif tok.type == "BOUNDPARAM" and state.params is not None:
        name = tok.value[1:]
        if name and name not in state.params:
            return ParseError(f"missing parameter: {name}", tok.line, tok.column)
    expected = expected_names(expected_set)
    if expected == ["."]:
        ws = _whitespace_before(state, tok)
        if ws is not None:
            tok = ws
    found = token_text(tok)
    line, col = tok.line or 1, tok.column or 1
    return ParseError(f"found {found}, expected {', '.join(expected)} at line {line}, char {col}",
                      line, col)
