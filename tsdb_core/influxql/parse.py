"""InfluxQL text -> AST: the LALR parser (built once), its postlexer and error mapping.

The grammar is grammar/influxql.lark, shipped in the wheel as the package
``tsdb_core.grammar``. Lark's contextual lexer is used only so that ``/`` is
a regex where the grammar accepts one and a division elsewhere; every other
terminal is accepted in every state (``always_accept``) so keywords stay
reserved everywhere, as in influxql's scanner.
"""
from __future__ import annotations

import contextvars
import re
import threading
from importlib import resources
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..errors import ParseError, TsdbError
from .ast_select import Statement
from .lexing import KEYWORDS, format_duration, unescape, unescape_regex
from .parse_errors import expected_names, fail, token_text
from .transform import AstBuilder

__all__ = ["parse", "parse_statement", "parser"]

_STATE: contextvars.ContextVar["ParseState"] = contextvars.ContextVar("influxql_parse_state")
_LOCK = threading.Lock()
_PARSER: Lark | None = None


class ParseState:
    """Per-call data shared by the postlexer and the AST builder (via a ContextVar)."""

    __slots__ = ("text", "params", "tokens", "eof")

    def __init__(self, text: str, params: dict | None):
        self.text = text
        self.params = params
        self.tokens: list[Token] = []
        self.eof = False

    def field_start(self) -> tuple[int, int]:
        """Position of the SELECT field just reduced (for influxql's field-operator error)."""
        toks = self.tokens
        i = len(toks) - (1 if self.eof else 2)
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

    def token_before(self, tok: Token) -> Token:
        for i, t in enumerate(self.tokens):
            if t is tok and i:
                return self.tokens[i - 1]
        return tok

    def eof_token(self, expected: set | None = None) -> Token:
        """An EOF token placed where influxql's scanner reports EOF.

        influxql reads EOF twice after an identifier, keyword, bound parameter,
        whitespace or ``--`` comment (those scanners consume the EOF they
        hit), so EOF is reported one character further there.
        """
        text = self.text
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
        last = self.tokens[-1] if self.tokens else None
        tail = text[last.end_pos:] if last is not None and last.end_pos is not None else text
        if tail:
            stripped = tail.rstrip("*/") if tail.endswith("*/") else None
            consumed = stripped is None and (tail[-1] in " \t\r\n" or "--" in tail.rsplit("\n", 1)[-1])
        else:
            consumed = (text[-1:].isalnum() or text[-1:] == "_") and last.type not in (
                "INTEGER", "NUMBER", "DURATIONVAL")
        if not consumed and expected and "REGEX" in expected and last is not None:
            consumed = _peeks_regex(self.tokens)
        return Token("$END", "", len(text), line, col + (1 if consumed else 0))


def _peeks_regex(tokens: list[Token]) -> bool:
    """True where influxql's parser peeks for a ``/regex/`` (reading EOF once more)."""
    t = tokens[-1].type
    if t in ("SELECT", "COMMA", "_BY", "FROM", "EQREGEX", "NEQREGEX", "DOT", "EQ"):
        return t != "EQ" or (len(tokens) > 1 and tokens[-2].type == "_MEASUREMENT")
    return t == "LPAR" and len(tokens) > 1 and tokens[-2].type in ("FUNC_NAME", "FILL", "TZ")


# ---------------------------------------------------------------- postlexer

_KW_TYPES: dict[str, str] = {}  # upper keyword -> terminal name (filled when the grammar loads)


def _bind(value, tok: Token) -> Token:
    """A bound parameter's value -> the token influxql's BindValue would make."""
    def make(ttype, v):
        return Token(ttype, v, tok.start_pos, tok.line, tok.column, tok.end_line, tok.end_column,
                     tok.end_pos)

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


def _bind_error(message: str, tok: Token):
    fail(message, tok.line, tok.column, positioned=False)


def _bad_escape(tok: Token, body: str, i: int) -> Token:
    """influxql's BADESCAPE token: literal ``\\x``, positioned at the escaped character."""
    col = tok.column + 1 + i + 1
    return Token("BAD_ESCAPE", body[i:i + 2], tok.start_pos + 1 + i + 1, tok.line, col)


class PostLexer:
    """Retypes and unescapes tokens, substitutes ``$params``, records tokens for errors."""

    always_accept: tuple[str, ...] = ()

    def process(self, stream):
        st = _STATE.get()
        toks = st.tokens
        append = toks.append
        params = st.params
        for tok in stream:
            t = tok.type
            if t == "IDENT":
                pass
            elif t == "FUNC_NAME":
                up = tok.value.upper()
                if up in KEYWORDS and up != "DISTINCT":
                    tok.type = _KW_TYPES[up]
                elif up == "FILL":
                    tok.type = "FILL"
                elif up == "TZ":
                    tok.type = "TZ"
            elif t == "STRING" or t == "QUOTED_IDENT":
                body = tok.value[1:-1]
                value, bad = unescape(body)
                if bad >= 0:
                    tok = _bad_escape(tok, body, bad)
                elif t == "STRING":  # influxql reports strings one character early
                    tok = Token("STRING", value, tok.start_pos, tok.line, max(tok.column - 1, 1),
                                tok.end_line, tok.end_column, tok.end_pos)
                else:
                    tok = Token("IDENT", value, tok.start_pos, tok.line, tok.column,
                                tok.end_line, tok.end_column, tok.end_pos)
            elif t == "REGEX":  # influxql reports regexes one character early
                tok = Token("REGEX", unescape_regex(tok.value[1:-1]), tok.start_pos, tok.line,
                            max(tok.column - 1, 1), tok.end_line, tok.end_column, tok.end_pos)
            elif t == "BOUNDPARAM":
                if params is not None:
                    name = tok.value[1:]
                    if name.startswith('"'):
                        name = unescape(name[1:-1])[0]
                    if name in params:
                        tok = _bind(params[name], tok)
            elif t == "BAD_STRING":
                body = tok.value[1:]
                value, bad = unescape(body)
                if bad >= 0:
                    tok = _bad_escape(tok, body, bad)
                else:
                    col = max(tok.column - 1, 1)
                    tok = Token("BAD_STRING", value, tok.start_pos, tok.line, col)
            append(tok)
            yield tok
        st.eof = True


# ---------------------------------------------------------------- building the parser


def grammar_text() -> str:
    """The grammar: from the installed package ``tsdb_core.grammar``, else the source tree."""
    try:
        return resources.files("tsdb_core.grammar").joinpath("influxql.lark").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        root = Path(__file__).resolve().parents[2]
        return (root / "grammar" / "influxql.lark").read_text("utf-8")


_TERMINAL_DEF = re.compile(r"^([A-Z_][A-Z0-9_]*)(?:\.-?\d+)?\s*:\s*(.*)$", re.M)
_DECLARE = re.compile(r"^%declare\s+(.*)$", re.M)


def parser() -> Lark:
    """The shared LALR parser, built once per process (thread-safe)."""
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
            post = PostLexer()
            post.always_accept = tuple(n for n in names if n not in ("REGEX", "COMMENT", "WS"))
            _PARSER = Lark(text, parser="lalr", lexer="contextual", start="start",
                           maybe_placeholders=False, postlex=post,
                           transformer=AstBuilder(_STATE), cache=True)
    return _PARSER


# ---------------------------------------------------------------- entry points


def parse(text: str, params: dict | None = None) -> list[Statement]:
    """Parse one or more ``;``-separated statements.

    ``params`` binds ``$name`` parameters the way InfluxDB's ``params=`` does
    (str -> string, int -> integer, float -> number, bool -> boolean, or a
    one-key dict ``{"identifier"|"regex"|"string"|"number"|"integer"|"duration": v}``).
    With ``params=None`` unbound ``$name``s in expressions become
    :class:`~tsdb_core.influxql.ast.BoundParameter` nodes; with a dict, a
    missing one is ``missing parameter: name``.
    Raises :class:`tsdb_core.errors.ParseError` only.
    """
    if not isinstance(text, str):
        raise ParseError("query must be a string", 1, 1)
    p = parser()
    state = ParseState(text, params)
    reset = _STATE.set(state)
    try:
        return p.parse(text)
    except TsdbError:
        raise
    except UnexpectedToken as exc:
        raise _unexpected(state, exc) from None
    except UnexpectedCharacters as exc:  # pragma: no cover - ILLEGAL catches every character
        raise ParseError(f"found {text[exc.pos_in_stream]}, expected ; at line {exc.line}, "
                         f"char {exc.column}", exc.line, exc.column) from None
    except (UnexpectedInput, LarkError) as exc:
        inner = getattr(exc, "orig_exc", None)
        if isinstance(inner, TsdbError):
            raise inner from None
        raise ParseError(f"internal parse failure: {exc}", 1, 1) from None
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


def _accepted(exc: UnexpectedToken) -> set[str]:
    """Terminals truly acceptable here: LALR state merging widens ``exc.expected``."""
    ip = getattr(exc, "interactive_parser", None)
    if ip is not None:
        try:
            return set(ip.accepts())
        except Exception:  # pragma: no cover - fall back to the merged set
            pass
    return set(exc.expected)


def _whitespace_before(state: ParseState, tok: Token):
    """influxql scans ``.`` without skipping whitespace and reports the whitespace itself."""
    text = state.text
    start = tok.start_pos if tok.type != "$END" else len(text)
    i = start
    while i > 0 and text[i - 1] in " \t\n\r":
        i -= 1
    if i == start:
        return None
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return Token("WS", text[i:start], i, line, col)


def _unexpected(state: ParseState, exc: UnexpectedToken) -> ParseError:
    tok = exc.token
    expected_set = _accepted(exc)
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
