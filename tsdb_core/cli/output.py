"""Rendering query answers as the ``influx`` CLI does: column, csv and json formats.

The layouts copy ``influx`` 1.x (``formatResults``/``writeColumns``/``writeCSV``):
column format prints ``name:``/``tags:`` lines, a header, dashes and rows
aligned with one space of padding; csv adds ``name`` and ``tags`` columns; json
is the HTTP API's answer. Numbers print as InfluxDB's JSON spells them (``2``
for the float 2.0), as the ``influx`` CLI shows them.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

FORMATS = ("column", "table", "csv", "json")


def go_number(v: float) -> str:
    """A float as Go's encoding/json writes it (what ``influx`` prints)."""
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    a = abs(v)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = repr(v)
        if "e-0" in text:
            text = text.replace("e-0", "e-")
        return text
    text = format(Decimal(repr(v)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def cell(v: Any) -> str:
    """One value as ``influx`` prints it (``interfaceToString`` over json.Number)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_number(v)
    return str(v)


def _tags(s: Any) -> list[str]:
    return [f"{k}={v}" for k, v in sorted((s.tags or {}).items())]


def _align(rows: list[list[str]]) -> list[str]:
    """Go's tabwriter with padding 1: each column as wide as its widest cell + 1."""
    if not rows:
        return []
    ncol = max(len(r) for r in rows)
    widths = [0] * ncol
    for r in rows:
        for i, c in enumerate(r[:-1]):
            widths[i] = max(widths[i], len(c))
    out = []
    for r in rows:
        parts = [c.ljust(widths[i] + 1) if i < len(r) - 1 else c for i, c in enumerate(r)]
        out.append("".join(parts))
    return out


def _same_headers(prev: Any, s: Any) -> bool:
    return prev is not None and prev.name == s.name and (prev.tags or {}) == (s.tags or {}) \
        and list(prev.columns) == list(s.columns)


def _results(result: Any, fmt: str) -> list[str]:
    """``influx``'s ``formatResults`` over every statement: tab-separated rows.

    A statement whose first series has the previous statement's name, tags and
    columns gets no headers (and no blank line before it), as ``influx`` does.
    """
    rows: list[str] = []
    prev = None
    for i, st in enumerate(result.statements):
        if fmt == "column":
            for m in st.messages:
                level, text = (m.level, m.text) if hasattr(m, "text") else (m.get("level"), m.get("text"))
                rows.append(f"{level}: {text}.")
        suppress = bool(st.series) and _same_headers(prev, st.series[0])
        if st.series and not suppress:
            prev = st.series[0]
        if fmt == "column" and not suppress and i > 0:
            rows.append("")
        for j, s in enumerate(st.series):
            tags = _tags(s)
            names = list(s.columns)
            if fmt == "csv":
                names = (["name"] if s.name else []) + (["tags"] if tags else []) + names
            if fmt == "column" and not suppress:
                if j > 0:
                    rows.append("")
                if s.name:
                    rows.append(f"name: {s.name}")
                if tags:
                    rows.append(f"tags: {', '.join(tags)}")
            if not suppress:
                rows.append("\t".join(names))
                if fmt == "column":
                    rows.append("\t".join("-" * len(c) for c in names))
            lead = ([s.name] if s.name else []) + ([",".join(tags)] if tags else []) if fmt == "csv" else []
            rows.extend("\t".join(lead + [cell(v) for v in row]) for row in s.values)
    return rows


def format_column(result: Any) -> str:
    """``-format column``: per series ``name:``, ``tags:``, header, dashes, aligned rows."""
    out: list[str] = []
    block: list[list[str]] = []
    for row in _results(result, "column"):
        if "\t" in row:  # tabwriter aligns runs of lines that hold cells
            block.append(row.split("\t"))
            continue
        out.extend(_align(block))
        block = []
        out.append(row)
    out.extend(_align(block))
    return "".join(line + "\n" for line in out)


def _csv_field(text: str) -> str:
    """Go's encoding/csv quoting: quote when a comma, quote, CR/LF or a leading space is in it."""
    if text == "":
        return text
    if any(c in text for c in ',"\r\n') or text[0].isspace() or text == "\\.":
        return '"' + text.replace('"', '""') + '"'
    return text


def format_csv(result: Any) -> str:
    """``-format csv``: ``name,tags,<columns>`` with tags joined as ``k=v,k=v``."""
    return "".join(",".join(_csv_field(c) for c in row.split("\t")) + "\n"
                   for row in _results(result, "csv"))


_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _go_string(text: str) -> str:
    out = orjson.dumps(text).decode()
    if any(c in out for c in _GO_ESCAPES):
        out = "".join(_GO_ESCAPES.get(c, c) for c in out)
    return out


def go_json(obj: Any, indent: str = "", level: int = 0) -> str:
    """JSON as Go's encoding/json writes it (``json.Marshal``, or ``MarshalIndent`` with ``indent``).

    Floats as Go spells them (``10`` for 10.0, ``0.0000015``), HTML characters
    escaped, keys in the given order.
    """
    if isinstance(obj, float):
        return go_number(obj)
    if isinstance(obj, str):
        return _go_string(obj)
    if isinstance(obj, dict):
        items = [f"{_go_string(str(k))}:{' ' if indent else ''}{go_json(v, indent, level + 1)}"
                 for k, v in obj.items()]
        return _wrap("{", "}", items, indent, level)
    if isinstance(obj, (list, tuple)):
        return _wrap("[", "]", [go_json(v, indent, level + 1) for v in obj], indent, level)
    return orjson.dumps(obj).decode()


def _wrap(open_: str, close: str, items: list[str], indent: str, level: int) -> str:
    if not items:
        return open_ + close
    if not indent:
        return open_ + ",".join(items) + close
    inner = "\n" + indent * (level + 1)
    return open_ + inner + ("," + inner).join(items) + "\n" + indent * level + close


def format_json(result: Any, pretty: bool = False) -> str:
    """``-format json``: the answer as ``influx`` prints it (no ``statement_id``; 4-space ``-pretty``)."""
    doc = result.to_json()
    for st in doc.get("results", []):
        st.pop("statement_id", None)
    return go_json(doc, "    " if pretty else "") + "\n"


def render(result: Any, fmt: str, pretty: bool = False) -> str:
    """The answer in ``fmt`` (column/table, csv or json)."""
    if fmt == "json":
        return format_json(result, pretty)
    if fmt == "csv":
        return format_csv(result)
    return format_column(result)
