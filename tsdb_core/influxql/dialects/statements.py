"""Split InfluxQL text into statements without parsing them: each one's byte offset and words.

InfluxDB 3's parser reports positions as byte offsets into the whole text, and decides
what a statement is from its first words; this scanner finds both (quotes, comments and
regex literals skipped, so a ``;`` inside them does not end a statement).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z))
  | (?P<ident>"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<semi>;)
  | (?P<other>=~|!~|.)
""", re.VERBOSE | re.DOTALL)
_REGEX = re.compile(r"/(?:[^/\\\n]|\\.)*(?:/|\Z)")
_REGEX_BEFORE = {"=~", "!~", "FROM", ","}


@dataclass(frozen=True, slots=True)
class Piece:
    """One statement: its text, its start (characters and UTF-8 bytes into the whole
    text), and its words in upper case with their character offsets."""

    text: str
    start: int
    byte_start: int
    words: tuple[tuple[str, int], ...]

    def word(self, i: int) -> str:
        return self.words[i][0] if i < len(self.words) else ""

    def rest(self, full: str) -> str:
        """The whole text from this statement's start (what v3's parser reports as left)."""
        return full[self.start:]


def pieces(text: str) -> list[Piece]:
    """The statements of ``text`` in order (empty ones between ``;;`` left out)."""
    out: list[Piece] = []
    start, words, prev = None, [], ""
    pos = 0
    while pos < len(text):
        if text[pos] == "/" and prev in _REGEX_BEFORE:
            m = _REGEX.match(text, pos)
        else:
            m = _TOKEN.match(text, pos)
        kind = m.lastgroup if m.re is _TOKEN else "regex"
        if kind == "semi":
            if start is not None:
                out.append(_piece(text, start, pos, words))
            start, words, prev = None, [], ""
        elif kind not in ("ws", "comment"):
            if start is None:
                start = pos
            if kind == "word":
                words.append((m.group().upper(), pos))
                prev = m.group().upper()
            else:
                prev = m.group()
        pos = m.end()
    if start is not None:
        out.append(_piece(text, start, len(text), words))
    return out


def _piece(text: str, start: int, end: int, words) -> Piece:
    return Piece(text[start:end].rstrip(), start, len(text[:start].encode()), tuple(words))


def char_offset(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (where the 1.x grammar reports an error)."""
    lines = text.split("\n")
    before = sum(len(x) + 1 for x in lines[:max(line - 1, 0)])
    return min(before + max(column - 1, 0), len(text))


def byte_offset(text: str, char_pos: int) -> int:
    """The UTF-8 byte offset of a character offset (v3 reports bytes)."""
    return len(text[:char_pos].encode())
