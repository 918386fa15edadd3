"""v3's own words for the syntax mistakes in a SELECT (crate ``influxdb_influxql_parser``).

Consulted only after the 1.x grammar has refused a SELECT that v3's statement pass let through
(or a cheap look says v3 would refuse one the 1.x grammar takes), so queries that parse pay
nothing. v3's parser is a chain of nom combinators: a clause that cannot start backs out
silently (the words left over become an unknown statement, ``Nom(..., Tag)``), while a clause
that has started and then breaks fails with its own message at the byte where it broke;
select3.py follows that chain.
"""
from __future__ import annotations

from dataclasses import dataclass

from .select3 import Back, Fail, Select3
from .statements import _REGEX, _TOKEN, Piece

CLAUSES = frozenset({"FROM", "WHERE", "GROUP", "FILL", "ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "TZ"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, string, ident, regex, other
    text: str
    start: int  # character offsets into the whole text
    end: int
    depth: int  # parentheses around it


def tokens(text: str, piece: Piece) -> list[Token]:
    """The statement's tokens (words upper-cased), whitespace and comments left out."""
    out, pos, depth, prev = [], piece.start, 0, ""
    end = piece.start + len(piece.text)
    while pos < end:
        regex = text[pos] == "/" and prev in ("=~", "!~", "FROM", ",", "BY")
        m = (_REGEX if regex else _TOKEN).match(text, pos)
        kind = "regex" if regex else m.lastgroup
        if kind not in ("ws", "comment"):
            word = m.group().upper() if kind == "word" else m.group()
            depth -= word == ")"
            out.append(Token(kind, word, pos, m.end(), depth))
            depth += word == "("
            prev = word
        pos = m.end()
    return out


@dataclass(frozen=True, slots=True)
class Refusal:
    """Where v3's parser stops a SELECT: ``message`` at ``pos``; ``message`` None means the
    statement ends at ``pos`` and what follows is an unknown statement, or (``kind`` set)
    nom's own error from a ``cut``, reported at the statement's start."""

    message: str | None
    pos: int
    kind: str | None = None


def select_syntax_error(text: str, piece: Piece, first: int = 0) -> Refusal | None:
    """How v3's SELECT grammar (select3.py) refuses the SELECT starting at token ``first``
    of ``piece``, or None when it takes the statement whole."""
    start = tokens(text, piece)[first].start
    parser = Select3(text)
    try:
        end = parser.ws0(parser.select(start))
    except Back:
        return Refusal(None, start)
    except Fail as e:
        return Refusal(e.message, e.pos, e.kind if e.message is None else None)
    if end < len(text) and text[end] != ";":
        return Refusal(None, end)
    return None


def group_by_suspect(text: str, piece: Piece) -> bool:
    """A cheap look at a GROUP BY the 1.x grammar takes but v3's refuses (``GROUP BY time``
    without parentheses, ``GROUP BY 1``, ``time()`` without a duration), so that valid
    queries skip the full recogniser."""
    toks = tokens(text, piece)
    i = _top(toks, "GROUP")
    if i < 0 or i + 2 >= len(toks) or toks[i + 1].text != "BY":
        return i >= 0
    dim = toks[i + 2]
    if dim.text == "TIME":
        if i + 3 == len(toks) or toks[i + 3].text != "(":
            return True
        return i + 4 == len(toks) or not toks[i + 4].text[:1].isdigit()
    return not (dim.kind in ("ident", "regex") or dim.text == "*" or (dim.kind == "word" and dim.text not in CLAUSES))


def _top(toks: list[Token], word: str) -> int:
    return next((i for i, t in enumerate(toks) if t.depth == 0 and t.kind == "word" and t.text == word), -1)
