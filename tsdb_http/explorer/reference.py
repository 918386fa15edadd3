"""``/docs``: the server's OpenAPI document as one plain HTML page (no script, works offline).

Every text comes from the document and is escaped here; the page links the
machine-readable ``/openapi.json``.
"""
from __future__ import annotations

from html import escape


def _schema_text(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_schema_text(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    return str(schema.get("type", "any"))


def _params(op: dict) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td><td><code>{escape(_schema_text(p['schema']))}</code></td>"
        f"<td>{escape(p.get('description', ''))}</td></tr>" for p in op.get("parameters", ()))
    if not rows:
        return ""
    return ("<table><tr><th>parameter</th><th>in</th><th>required</th><th>values</th><th></th></tr>"
            f"{rows}</table>")


def _responses(op: dict) -> str:
    items = []
    for status, resp in op["responses"].items():
        types = ", ".join(
            f"{escape(t)} ({escape(_schema_text(c.get('schema') or {}))})" for t, c in resp.get("content", {}).items())
        items.append(f"<li><b>{escape(status)}</b> {escape(resp.get('description', ''))} {types}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _operation(path: str, method: str, op: dict) -> str:
    auth = "token required" if op.get("security") else "no token"
    body = op.get("requestBody")
    body_text = (f"<p>Body: {escape(', '.join(body['content']))}. {escape(body.get('description', ''))}</p>"
                 if body else "")
    return (f"<section id=\"{escape(op['operationId'])}\"><h3><span class=\"method\">{escape(method.upper())}</span> "
            f"<code>{escape(path)}</code> — {escape(op['summary'])}</h3><p>{escape(op['description'])} "
            f"<i>({auth})</i></p>{body_text}{_params(op)}{_responses(op)}</section>")


def render(doc: dict) -> bytes:
    sections = "".join(_operation(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items())
    info = doc["info"]
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(info['title'])}</title>"
            "<link rel=\"stylesheet\" href=\"/explorer/explorer.css\"></head><body class=\"docs\">"
            f"<h1>{escape(info['title'])} {escape(info['version'])}</h1><p>{escape(info['description'])} "
            "The machine-readable document: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI "
            f"{escape(doc['openapi'])}). <a href=\"/\">Data explorer</a>.</p>{sections}</body></html>").encode()
