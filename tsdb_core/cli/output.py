"""Rendering query answers as the ``influx`` CLI does: column, csv and json formats.

The layouts copy ``influx`` 1.x (``formatResults``/``writeColumns``/``writeCSV``):
column format prints ``name:``/``tags:`` lines, a header, dashes and rows
aligned with one space of padding; csv adds ``name`` and ``tags`` columns; json
is the HTTP API's answer. Numbers print as InfluxDB's JSON spells them (``2``
for the float 2.0), as the ``influx`` CLI shows them.
"""
from __future__ import annotations

import csv
import io
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


def format_column(result: Any) -> str:
    """``-format column``: per series ``name:``, ``tags:``, header, dashes, aligned rows."""
    blocks: list[str] = []
    for st in result.statements:
        if st.error:
            blocks.append(f"ERR: {st.error}")
            continue
        for i, s in enumerate(st.series):
            lines: list[str] = []
            if i > 0:
                lines.append("")
            if s.name:
                lines.append(f"name: {s.name}")
            tags = _tags(s)
            if tags:
                lines.append(f"tags: {', '.join(tags)}")
            table = [list(s.columns), ["-" * len(c) for c in s.columns]]
            table += [[cell(v) for v in row] for row in s.values]
            lines.extend(_align(table))
            blocks.append("\n".join(lines))
        for m in st.messages:
            text = m.text if hasattr(m, "text") else m.get("text", "")
            blocks.append(text)
    return "\n".join(blocks) + ("\n" if blocks else "")


def format_csv(result: Any) -> str:
    """``-format csv``: ``name,tags,<columns>`` with tags joined as ``k=v,k=v``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for st in result.statements:
        if st.error:
            buf.write(f"ERR: {st.error}\n")
            continue
        for s in st.series:
            tags = _tags(s)
            head = (["name"] if s.name else []) + (["tags"] if tags else [])
            w.writerow(head + list(s.columns))
            lead = ([s.name] if s.name else []) + ([",".join(tags)] if tags else [])
            for row in s.values:
                w.writerow(lead + [cell(v) for v in row])
    return buf.getvalue()


def format_json(result: Any, pretty: bool = False) -> str:
    """``-format json``: the HTTP API's JSON answer."""
    opts = orjson.OPT_INDENT_2 if pretty else 0
    return orjson.dumps(result.to_json(), option=opts).decode() + "\n"


def render(result: Any, fmt: str, pretty: bool = False) -> str:
    """The answer in ``fmt`` (column/table, csv or json)."""
    if fmt == "json":
        return format_json(result, pretty)
    if fmt == "csv":
        return format_csv(result)
    return format_column(result)
