"""InfluxQL as InfluxDB 3 (Cloud Dedicated) answers it: what it refuses, and in which words.

Two passes, as v3 makes them. The parse pass looks at each statement's first words, as
v3's parser (crate ``influxdb_influxql_parser``) decides what a statement is: anything but
SELECT, SHOW DATABASES / MEASUREMENTS / FIELD KEYS / TAG KEYS / TAG VALUES / RETENTION
POLICIES, EXPLAIN, CREATE DATABASE, DELETE and DROP MEASUREMENT fails the whole request with
its message and byte position. The statement pass looks at a parsed statement as v3's
planner (crate ``iox_query_influxql``) does: statements it parses but does not run, clauses
and functions it refuses. Both return v3's text as the v1 ``/query`` API (crate
``iox_v1_query_api``) prints it; the message sources are quoted in tests/dialects/.
"""
from __future__ import annotations

import functools
import re

from ..ast import expr as A
from ..ast import meta as M
from ..ast import select as S
from ..ast.visit import find
from .ddl3 import INVALID_CREATE, INVALID_DELETE, INVALID_DROP, Ddl3
from . import topstar3
from .functions3 import fields_error, time_condition_error
from .rust_debug import string as _rust_debug
from ...base.errors import ParseError
from .select3 import Back, Fail
from .select_syntax import group_by_suspect, select_syntax_error, tokens
from .show3 import Show3
from .statements import Piece, byte_offset, pieces

# iox_v1_query_api/src/error.rs: Error::InfluxqlRewrite, Error::Datafusion
STATEMENT_PREFIX = "error in InfluxQL statement: "
PARSE_PREFIX = STATEMENT_PREFIX + "parsing error: "  # iox_query_influxql_rewrite: Error::Parse
DATAFUSION = "datafusion error: "
NOT_IMPLEMENTED = "This feature is not implemented: "  # DataFusionError::NotImplemented
REWRITING = "rewriting statement\ncaused by\n"  # planner.rs: e.context("rewriting statement")
GATHER = "gather information about select statement\ncaused by\n"  # rewriter.rs: select_statement_info
PLANNING = "Error during planning: "  # DataFusionError::Plan (iox_query_influxql error.rs map::query)
NO_DATABASE = "must specify a 'db' parameter, or provide the database in the InfluxQL query"

INVALID_SHOW = ("invalid SHOW statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, "
                "TAG VALUES, or RETENTION POLICIES following SHOW")  # show.rs
INVALID_EXPLAIN = "invalid EXPLAIN statement, expected InfluxQL statement"  # explain.rs
INVALID_SHOW_TAG = "invalid SHOW TAG statement, expected KEYS or VALUES"  # show.rs
INVALID_FIELD_KEYS = "invalid SHOW FIELD KEYS statement, expected KEYS"  # show_field_keys.rs
INVALID_RETENTION = "invalid SHOW RETENTION POLICIES statement, expected POLICIES"  # show_retention_policies.rs
INVALID_TAG_VALUES = "invalid SHOW TAG VALUES statement, expected WITH KEY clause"  # show_tag_values.rs

_LONG_NUMBER = re.compile(r"\d{19}")  # may not fit 64 bits: v3's parser says so, the 1.x grammar may not
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)
_PLAIN_EXPLAIN = re.compile(r"explain\s+(?:analyze\s+)?select\b")  # on lower-cased text
_NOW_ARGS = re.compile(r"\bnow\s*\(\s*[^)\s]", re.IGNORECASE)  # v3 takes now() with no arguments only
# calls v3 takes after a WHERE (conditional.rs: now() and the math functions) and the words
# that may stand before a parenthesis there
_WHERE_CALLS = frozenset({"now", "abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp", "log", "ln",
                          "log2", "log10", "sqrt", "pow", "floor", "ceil", "round", "and", "or", "where", "time",
                          "fill", "tz", "select", "from", "by", "in"})


def _where_call(text: str) -> bool:
    """A call after WHERE that v3's parser refuses (the 1.x grammar takes any); may err
    towards yes: the recogniser decides."""
    end = _WHERE.search(text).end()
    i = text.find("(", end)
    while i >= 0:
        j = i
        while j > end and text[j - 1] in " \t\r\n":
            j -= 1
        k = j
        while k > end and (text[k - 1].isalnum() or text[k - 1] == "_"):
            k -= 1
        if k < j and text[k:j].lower() not in _WHERE_CALLS:
            return True
        i = text.find("(", i + 1)
    return False


# Functions v3's planner has no implementation of (planner.rs: "Invalid function '{name}'").
UNPLANNED_FUNCTIONS = frozenset({
    "holt_winters", "holt_winters_with_fit", "chande_momentum_oscillator", "exponential_moving_average",
    "double_exponential_moving_average", "triple_exponential_moving_average",
    "triple_exponential_derivative", "relative_strength_index", "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average",
})
# Statements v3 parses but does not run (planner.rs statement_to_plan).
NOT_RUN = {M.CreateDatabaseStatement: "CREATE DATABASE", S.DeleteSeriesStatement: "DELETE",
           M.DropMeasurementStatement: "DROP MEASUREMENT", M.ShowDatabasesStatement: "SHOW DATABASES"}
# SHOW RETENTION POLICIES in v3's planner: one placeholder policy whatever the database has.
RETENTION_POLICIES = ("retention_policies", ["name", "duration", "shardGroupDuration", "replicaN", "default"],
                      [["autogen", "0s", "168h0m0s", 1, True]])


@functools.lru_cache(maxsize=1024)  # dashboards send the same texts again and again
def parse_error(text: str) -> str | None:
    """v3's answer when its parser refuses a statement of ``text`` (the first one), else None."""
    for piece in pieces(text):
        found = _statement_kind_error(piece, text)
        if found is not None:
            return PARSE_PREFIX + found
    return None


def nom_error(text: str, char_pos: int) -> str:
    """lib.rs: a statement no parser recognises, with what was left of the text."""
    return (f"invalid InfluxQL statement at pos {byte_offset(text, char_pos)}. "
            f"Parsing Error: Nom({_rust_debug(text[char_pos:])}, Tag)")


def _at(text: str, message: str, char_pos: int) -> str:
    return f"{message} at pos {byte_offset(text, char_pos)}"


def _after(piece: Piece, i: int) -> int:
    """The character offset just after word ``i`` of ``piece``'s text (v3's ``expect`` point)."""
    word, pos = piece.words[i]
    return pos + len(word)


def _next_at(piece: Piece, i: int) -> int:
    """Where v3 looks after word ``i`` and its whitespace: word ``i + 1`` or the statement end."""
    if i + 1 < len(piece.words):
        return piece.words[i + 1][1]
    return piece.start + len(piece.text)


def _statement_kind_error(piece: Piece, text: str) -> str | None:
    first = piece.word(0)
    if piece.words and piece.words[0][1] != piece.start:
        return nom_error(text, piece.start)  # starts with a symbol
    if first == "SELECT":
        return _select_error(piece, text)
    if first == "SHOW":
        return _show_error(piece, text)
    if first == "EXPLAIN":
        return _explain_error(piece, text)
    expected = {"CREATE": ("DATABASE", INVALID_CREATE), "DROP": ("MEASUREMENT", INVALID_DROP)}.get(first)
    if expected is not None:
        return None if piece.word(1) == expected[0] else _at(text, expected[1], _next_at(piece, 0))
    if first == "DELETE":
        return None if piece.word(1) in ("FROM", "WHERE") else _at(text, INVALID_DELETE, _after(piece, 0))
    return nom_error(text, piece.start)


def explain_options(piece: Piece, at: int = 0) -> int:
    """How many words ``EXPLAIN [VERBOSE | ANALYZE [VERBOSE]]`` from word ``at`` takes (explain.rs)."""
    option = piece.word(at + 1)
    return 1 + (option in ("VERBOSE", "ANALYZE")) + (option == "ANALYZE" and piece.word(at + 2) == "VERBOSE")


Levels = tuple[tuple[bool, bool], ...]  # (ANALYZE, VERBOSE) of each EXPLAIN, the outermost first


def explain_words(text: str) -> tuple[str, frozenset[int], tuple[tuple[int, Levels], ...]]:
    """What v3's EXPLAIN takes and the 1.x grammar does not, blanked out (same length, so
    positions hold): ``VERBOSE`` (those statements' indexes kept), and ``EXPLAIN [options]``
    before a statement other than SELECT, an EXPLAIN included (explain.rs takes any statement:
    index and each blanked level's ANALYZE, VERBOSE kept; an inner ``EXPLAIN [ANALYZE] SELECT``
    stays for the grammar)."""
    low = text.lower()
    if "explain" not in low or ("verbose" not in low and len(_PLAIN_EXPLAIN.findall(low)) == low.count("explain")):
        return text, frozenset(), ()  # only EXPLAIN [ANALYZE] SELECT: nothing to blank
    found, other = set(), []
    for n, piece in enumerate(pieces(text)):
        levels, at = [], 0
        while piece.word(at) == "EXPLAIN":
            i = at + explain_options(piece, at)
            analyze, verbose = piece.word(at + 1) == "ANALYZE", piece.word(i - 1) == "VERBOSE"
            if piece.word(i) == "SELECT":
                if verbose:
                    pos = piece.words[i - 1][1]
                    text = text[:pos] + " " * len("VERBOSE") + text[pos + len("VERBOSE"):]
                    found.add(n)
                break
            start, end = piece.words[at][1], piece.words[i - 1][1] + len(piece.word(i - 1))
            text = text[:start] + " " * (end - start) + text[end:]
            levels.append((analyze, verbose))
            at = i
        if levels:
            other.append((n, tuple(levels)))
    return text, frozenset(found), tuple(other)


_MEASUREMENTS_ON = re.compile(r"\bmeasurements\s+on\s*[*\"\w]", re.IGNORECASE)
MULTI_DATABASE = STATEMENT_PREFIX + "can only perform queries on a single database"  # iox_query_influxql_rewrite


def order_by_time(text: str) -> str:
    """``ORDER BY TIME`` in any case, written ``time`` (same length): v3's order_by_clause
    (common.rs) compares the identifier as a Token, case-insensitively; the 1.x grammar
    takes ``time`` only."""
    if "order" not in text.lower():
        return text
    for piece in pieces(text):
        w = piece.words
        for i in range(len(w) - 2):
            if (w[i][0], w[i + 1][0], w[i + 2][0]) == ("ORDER", "BY", "TIME"):
                at = w[i + 2][1]
                if text[at:at + 4] != "time" and not text[w[i + 1][1] + 2:at].strip():
                    text = text[:at] + "time" + text[at + 4:]
    return text


def measurements_on(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """``SHOW MEASUREMENTS ON db.rp`` (show_measurements.rs ExtendedOnClause), which the 1.x
    grammar has not: ``.rp`` blanked (same length, so positions hold) and each such
    statement's index with its policy. ``ON *`` and ``ON *.*`` fail the whole request, as
    iox_query_influxql_rewrite answers them (Error::MultiDatabase)."""
    if "measurements" not in text.lower() or _MEASUREMENTS_ON.search(text) is None:
        return text, ()
    found = []
    for n, piece in enumerate(pieces(text)):
        if piece.word(0) != "SHOW" or piece.word(1) != "MEASUREMENTS" or piece.word(2) != "ON":
            continue
        parser = Ddl3(text)
        try:
            start = parser.ws1(_after(piece, 2))
            end = parser._extended_on(piece.words[2][1])
        except (Back, Fail):
            continue  # the parse pass has answered it
        if text[start] == "*":
            raise ParseError(MULTI_DATABASE)
        dot = parser.identifier(start)
        if dot < end:
            found.append((n, _unquote(text[dot + 1:end])))
            text = text[:dot] + " " * (end - dot) + text[end:]
    return text, tuple(found)


def _unquote(ident: str) -> str:
    if ident.startswith('"') and ident.endswith('"') and len(ident) > 1:
        return re.sub(r'\\(.)', r"\1", ident[1:-1])
    return ident


def _explain_error(piece: Piece, text: str) -> str | None:
    """explain.rs: EXPLAIN takes any statement (``expect(..., statement)``): one no parser
    recognises fails at its start with EXPLAIN's words, one that starts and then breaks
    fails with its own."""
    i = explain_options(piece)
    if piece.word(i) == "SELECT":
        return _select_error(piece, text, i)
    if i >= len(piece.words) or piece.words[i][1] != _next_at(piece, i - 1):
        after = _after(piece, i - 1)
        return _at(text, INVALID_EXPLAIN, after + len(text[after:]) - len(text[after:].lstrip()))
    start = piece.words[i][1]
    found = _statement_kind_error(_inner(piece, text, i), text)
    if found == nom_error(text, start):
        return _at(text, INVALID_EXPLAIN, start)
    return found


def _inner(piece: Piece, text: str, i: int) -> Piece:
    """The statement an EXPLAIN holds, from its word ``i``."""
    start = piece.words[i][1]
    return Piece(text[start:piece.start + len(piece.text)], start, byte_offset(text, start), piece.words[i:])


def _select_error(piece: Piece, text: str, i: int = 0) -> str | None:
    """``SELECT ... INTO``: v3's SELECT wants FROM after its fields, so no parser takes it."""
    words = [w for w, _ in piece.words[i:]]
    if "INTO" in words and ("FROM" not in words or words.index("INTO") < words.index("FROM")):
        return nom_error(text, piece.start)
    suspect = ("GROUP" in words and group_by_suspect(text, piece)) or ("WHERE" in words and _where_call(piece.text))
    t = piece.text
    if suspect or "\\" in t or _LONG_NUMBER.search(t) or _NOW_ARGS.search(t):
        # the 1.x grammar takes ``GROUP BY time``, ``time()``, ``GROUP BY 1``, numbers past
        # 64 bits, more escapes, any call in WHERE, now(x); v3's parser refuses them, in its words
        found = _select_syntax_piece(text, piece)
        return found.removeprefix(PARSE_PREFIX) if found is not None else None
    return None


def _show_error(piece: Piece, text: str) -> str | None:
    what = piece.word(1)
    if what in ("DATABASES", "MEASUREMENTS"):
        return _trailing_error(piece, text, 2)
    if what == "FIELD":
        return _trailing_error(piece, text, 3) if piece.word(2) == "KEYS" else _at(text, INVALID_FIELD_KEYS, _next_at(piece, 1))
    if what == "RETENTION":
        return None if piece.word(2) == "POLICIES" else _at(text, INVALID_RETENTION, _next_at(piece, 1))
    if what == "TAG":
        if piece.word(2) == "KEYS":
            return _trailing_error(piece, text, 3)
        if piece.word(2) != "VALUES":
            return _at(text, INVALID_SHOW_TAG, _next_at(piece, 1))
        rest = [w for w, _ in piece.words[3:]]
        if piece.word(3) not in ("ON", "FROM", "WITH") or "WITH" not in rest:
            found = _show_syntax_piece(text, piece)  # where its ON and FROM clauses end
            return found.removeprefix(PARSE_PREFIX) if found else _at(text, INVALID_TAG_VALUES, _after(piece, 2))
        return _trailing_error(piece, text, 3)
    return _at(text, INVALID_SHOW, _next_at(piece, 0))


def _trailing_error(piece: Piece, text: str, i: int) -> str | None:
    """v3's SHOW statements have no SLIMIT/SOFFSET: the statement ends before them and the
    words left are an unknown statement."""
    for word, pos in piece.words[i:]:
        if word in ("SLIMIT", "SOFFSET"):
            return nom_error(text, pos)
    return None


def rewrite_error(stmt) -> str | None:
    """iox_query_influxql_rewrite: a SELECT whose FROM names more than one database or policy
    (``cpu, db2..mem``) fails the whole request."""
    if isinstance(stmt, S.ExplainStatement):
        stmt = stmt.statement
    if not isinstance(stmt, S.SelectStatement):
        return None
    for s in [stmt, *[q.statement for q in find(stmt, A.SubQuery)]]:
        names = {(m.database or None, m.retention_policy or None) for m in s.sources if isinstance(m, A.Measurement)}
        names |= {_dbrp(q.statement) for q in s.sources if isinstance(q, A.SubQuery)}
        if len(names) > 1:
            return STATEMENT_PREFIX + "can only perform queries on a single database"
    return None


def _dbrp(stmt: S.SelectStatement):
    for m in stmt.sources:
        if isinstance(m, A.Measurement):
            return m.database or None, m.retention_policy or None
        return _dbrp(m.statement)
    return None, None


def statement_error(stmt, now: int | None = None, planned: bool = True) -> str | None:
    """What v3's planner answers for a statement its parser took, or None when it runs it
    (``now``: the time ``now()`` reads, in the messages that print it; not ``planned``: a
    SELECT's rewriter errors only, :func:`planner_error` left to the caller)."""
    kind = NOT_RUN.get(type(stmt))
    if kind is not None:
        return DATAFUSION + NOT_IMPLEMENTED + kind
    explained = isinstance(stmt, S.ExplainStatement)
    if explained:
        stmt = stmt.statement
    if isinstance(stmt, S.SelectStatement):
        return select_error(stmt, now, planned or explained)
    refused = show_from_error(stmt)
    if refused is not None:
        return refused
    if isinstance(stmt, SHOW_WHERE_TIME) and stmt.condition is not None:
        return show_where_error(stmt.condition, now)
    return None


def with_measurement_error(piece: Piece, stmt) -> str | None:
    """planner.rs expand_with_measurement_clause: ``WITH MEASUREMENT = /re/`` and ``=~ name``
    (the 1.x grammar takes either operator with either operand; the AST keeps the operand)."""
    if not isinstance(stmt, M.ShowMeasurementsStatement) or stmt.source is None or show_from_error(stmt):
        return None
    at = next((i for i in range(len(piece.words) - 1)
               if piece.words[i][0] == "WITH" and piece.words[i + 1][0] == "MEASUREMENT"), None)
    if at is None:
        return None
    rest = piece.text[_after(piece, at + 1) - piece.start:].lstrip()
    if rest.startswith("=~"):
        return None if stmt.source.regex is not None else DATAFUSION + PLANNING + "expected regex but got string"
    return None if stmt.source.regex is None else DATAFUSION + PLANNING + "expected string but got regex"


def show_from_error(stmt) -> str | None:
    """planner.rs expand_show_from_clause / expand_with_measurement_clause: a SHOW's measurement
    names take no database or retention policy (the v1 API takes those from ON or the request)."""
    if isinstance(stmt, M.ShowMeasurementsStatement):
        names = [stmt.source] if stmt.source is not None else []
    else:
        names = [m for m in getattr(stmt, "sources", ()) if isinstance(m, A.Measurement)]
    for m in names:
        if m.database:
            return DATAFUSION + NOT_IMPLEMENTED + "database name in from clause"
        if m.retention_policy:
            return DATAFUSION + NOT_IMPLEMENTED + "retention policy in from clause"
    return None


# SHOW statements whose WHERE v3's planner splits for its time range (planner.rs plan_where_clause)
SHOW_WHERE_TIME = (M.ShowTagKeysStatement, M.ShowTagValuesStatement, M.ShowMeasurementsStatement)


def show_where_error(cond, now: int | None) -> str | None:
    """planner.rs plan_where_clause: split_cond's error as a planning error (no rewriter context)."""
    found = time_condition_error(cond, now)
    return None if found is None else DATAFUSION + found


def select_error(stmt: S.SelectStatement, now: int | None = None, planned: bool = True) -> str | None:
    """v3's rewriter (rewriter.rs) then, unless not ``planned``, planner (planner.rs) on a
    SELECT and its subqueries."""
    selects = [stmt, *[q.statement for q in find(stmt, A.SubQuery)]]
    if any(s.slimit or s.soffset for s in selects):
        return DATAFUSION + REWRITING + NOT_IMPLEMENTED + "SLIMIT or SOFFSET"
    tagged = next(filter(None, map(topstar3.tag_wildcard_error, reversed(selects))), None)
    if tagged is not None:  # rewriter.rs: expand_projection(..).map_err(|e| e.context("expand projection"))
        return DATAFUSION + REWRITING + "expand projection\ncaused by\n" + PLANNING + tagged
    refused = fields_error(stmt, now)
    if refused is not None:
        return DATAFUSION + REWRITING + refused[0]
    return planner_error(stmt) if planned else None


def planner_error(stmt: S.SelectStatement) -> str | None:
    """What v3's planner refuses in a SELECT its rewriter passed: functions it does not run.
    Only reached when a source is left (rewriter.rs from_drop_empty runs first: a SELECT
    reading no field of its measurements answers an empty result)."""
    selects = [stmt, *[q.statement for q in find(stmt, A.SubQuery)]]
    calls = [c.name for s in selects for f in s.fields for c in find(f, A.Call)]
    for name in calls:
        if name in UNPLANNED_FUNCTIONS:
            return DATAFUSION + PLANNING + f"Invalid function '{name}'"
    if "sample" in calls:
        return DATAFUSION + NOT_IMPLEMENTED + "sample selector function"
    return None


def selects_no_field(stmt: S.SelectStatement) -> bool:
    """A SELECT reading ``time`` alone (``time``, ``time * 2``, ``count(time)``), or subqueries
    that do: v3's rewriter drops every source none of whose fields is selected (rewriter.rs
    from_drop_empty: ``time`` is no field), and the planner answers an empty result (planner.rs
    select_statement_to_plan: EmptyRelation) where influxd says "at least 1 non-time field must
    be queried" or reads the time column."""
    refs = [r for f in stmt.fields for r in find(f.expr, (A.VarRef, A.Wildcard, A.RegexLiteral))]
    if refs and all(isinstance(r, A.VarRef) and r.name == "time" for r in refs):
        return True
    return bool(stmt.sources) and all(isinstance(m, A.SubQuery) and selects_no_field(m.statement)
                                      for m in stmt.sources)


def our_parse_error(text: str, message: str, char_pos: int) -> str:
    """A syntax error v3's statement pass let through, found by the 1.x grammar: v3's own
    words when the mistake is a SELECT one v3 names (select_syntax.py), else the 1.x
    grammar's words, framed and positioned as v3 frames its own."""
    found = _select_syntax(text, char_pos)
    if found is not None:
        return found
    if message.split(" at line ")[0].endswith(", expected ;"):
        return PARSE_PREFIX + nom_error(text, char_pos)  # a complete statement, then words no parser takes
    head = message.removeprefix("error parsing query: ")
    cut = head.rfind(" at line ")
    if cut > 0:
        head = head[:cut]
    return PARSE_PREFIX + _at(text, head, char_pos)


def _select_syntax(text: str, char_pos: int) -> str | None:
    piece = next((p for p in reversed(pieces(text)) if p.start <= char_pos), None)
    if piece is None:
        return None
    if piece.word(0) == "EXPLAIN" and piece.word(explain_options(piece)) not in ("SELECT", ""):
        piece = _inner(piece, text, explain_options(piece))
    if piece.word(0) == "SHOW":
        return _show_syntax_piece(text, piece)
    if piece.word(0) in _DDL:
        return _show_syntax_piece(text, piece, _DDL[piece.word(0)])
    if piece.word(0) != "SELECT" and not (piece.word(0) == "EXPLAIN" and "SELECT" in
                                          (piece.word(1), piece.word(2), piece.word(3))):
        return None
    return _select_syntax_piece(text, piece)


_DDL = {"CREATE": Ddl3.create, "DROP": Ddl3.drop, "DELETE": Ddl3.delete}


def _show_syntax_piece(text: str, piece: Piece, statement=Show3.show) -> str | None:
    """v3's words for a SHOW (or CREATE / DROP / DELETE: ``statement``) the 1.x grammar refused."""
    parser = Ddl3(text)
    try:
        end = parser.ws0(statement(parser, piece.start))
    except Back:
        return None
    except Fail as e:
        if e.message is None:
            return PARSE_PREFIX + (f"invalid InfluxQL statement at pos {byte_offset(text, piece.start)}. "
                                   f"Parsing Failure: Nom({_rust_debug(text[e.pos:])}, {e.kind})")
        return PARSE_PREFIX + _at(text, e.message, e.pos)
    if end < len(text) and text[end] != ";":
        return PARSE_PREFIX + nom_error(text, end)
    return None


def _select_syntax_piece(text: str, piece: Piece) -> str | None:
    toks = tokens(text, piece)
    first = next(i for i, t in enumerate(toks) if t.text == "SELECT")
    found = select_syntax_error(text, piece, first)
    if found is None:
        return None
    if found.kind is not None:  # lib.rs: a nom failure, reported at the statement's start
        return PARSE_PREFIX + (f"invalid InfluxQL statement at pos {byte_offset(text, piece.start)}. "
                               f"Parsing Failure: Nom({_rust_debug(text[found.pos:])}, {found.kind})")
    if found.message is None and first and found.pos == toks[first].start:
        return PARSE_PREFIX + _at(text, INVALID_EXPLAIN, found.pos)  # explain.rs: expect(..., statement)
    if found.message is None:
        return PARSE_PREFIX + nom_error(text, found.pos)
    return PARSE_PREFIX + _at(text, found.message, found.pos)


def database_name(db: str | None, rp: str | None) -> str | None:
    """The database a v1 request names (iox_query_influxql_rewrite resolve_dbrp): ``db/rp``
    unless ``rp`` is missing, ``autogen`` or ``default``."""
    if not db:
        return None
    if rp and rp not in ("autogen", "default"):
        return f"{db}/{rp}"
    return db


def query_database(stmt) -> str | None:
    """The database a statement names itself (``FROM db.rp.m``, ``ON db``), which v3 prefers
    to the request's."""
    if isinstance(stmt, S.ExplainStatement):
        stmt = stmt.statement
    if isinstance(stmt, S.SelectStatement):
        for src in find(stmt, A.Measurement):
            if src.database:
                return database_name(src.database, src.retention_policy)
        return None
    return getattr(stmt, "database", None) or None
