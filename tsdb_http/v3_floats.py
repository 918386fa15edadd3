"""Floats in /query JSON as InfluxDB 3 writes them.

InfluxDB 3's v1 query API (crate ``iox_v1_query_api``, ``src/value.rs`` ValueSerializer)
writes an integral float below ``i64::MAX as f64`` (2**63) as that integer (``-0.0`` is
``0``), NaN as ``null``, fails the whole JSON document on an infinity
(``json: unsupported value: +Inf``), and hands every other float to serde_json, which
formats it with the ``zmij`` crate: the shortest round-tripping digits, in plain
decimal when the decimal exponent x of ``d.ddd * 10**x`` is in -5..15, otherwise
``d.ddde+x`` / ``d.ddde-x`` (no padding of the exponent).
"""
from __future__ import annotations

import math

I64_LIMIT = 2.0 ** 63  # i64::MAX as f64: integral floats below it are written as integers


def shortest_text(v: float) -> str:
    """A finite float as zmij writes it (Python's repr has the same shortest digits;
    it only switches to exponent form one power of ten earlier and pads the exponent)."""
    r = repr(v)
    mant, e, exp = r.partition("e")
    if not e:
        return r
    x = int(exp)
    if x == -5:  # zmij: 0.0000ddd; repr: d.dde-05
        sign = "-" if mant.startswith("-") else ""
        return f"{sign}0.0000{mant.lstrip('-').replace('.', '')}"
    return f"{mant}e{'+' if x >= 0 else '-'}{abs(x)}"


def v3_json_float(v: float) -> str:
    """A float64 as InfluxDB 3's /query JSON writes it (``null`` for NaN and, never
    written since the document fails first, for infinities)."""
    if math.isnan(v) or math.isinf(v):
        return "null"
    if v.is_integer() and abs(v) < I64_LIMIT:
        return str(int(v))
    return shortest_text(v)


def unsupported_value(v: float) -> str:
    """The error that replaces a JSON document holding the infinity ``v``."""
    return f"json: unsupported value: {'+' if v > 0 else '-'}Inf"
