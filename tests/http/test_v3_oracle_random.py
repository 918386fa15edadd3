"""The URL, form and Content-Type ports against the crates themselves, on random inputs.

test_v3_requests.py checks tsdb_http's ports of serde_urlencoded 0.7.1 (into iox_v1_query_api's
QueryParams) and mime 0.3.17 on recorded tables; here seeded random inputs near valid ones go
through the Rust oracle (tests/http/cases/v3_oracle: the crates at the versions influxdata/influxdb's
Cargo.lock pins; skipped unless built, or named by TSDB_V3_ORACLE) and through the ports, which
must give the same error or the same values. Modes: ``url`` (serde_urlencoded::from_str: the query
string, UTF-8), ``form`` (from_bytes: a form body, any bytes), ``mime`` (Mime::from_str and Display).
"""
from __future__ import annotations

import json
import os
import random
import subprocess

import pytest

from tests.http.test_v3_requests import ORACLE
from tsdb_core.influxql.dialects.rust_debug import string as rust_debug
from tsdb_http import v3_forms, v3_params
from tsdb_http.params import HttpError

pytestmark = pytest.mark.skipif(not os.path.exists(ORACLE),
                                reason="the Rust oracle is not built (tests/http/cases/v3_oracle)")

# QueryParams' fields in declaration order, with their serde names (lib.rs)
STRUCT = (("chunked", "chunked"), ("chunk_size", "chunk_size"), ("database", "db"), ("retention_policy", "rp"),
          ("epoch", "epoch"), ("pretty", "pretty"), ("query", "q"), ("params", "params"))
PRECISION = {"ns": "Nanoseconds", "u": "Microseconds", "µ": "Microseconds", "ms": "Milliseconds", "s": "Seconds",
             "m": "Minutes", "h": "Hours", "d": "Days", "w": "Weeks"}  # types.rs Precision


def oracle(mode: str, inputs: list[bytes]) -> list[str]:
    lines = "".join(f"{mode}\t{raw.hex()}\n" for raw in inputs)
    out = subprocess.run([ORACLE], input=lines.encode(), capture_output=True, check=True, timeout=120).stdout
    return [json.loads(line) for line in out.decode().splitlines()]


def as_debug(values: dict[str, str]) -> str:
    """Rust's ``{:?}`` of the QueryParams the port's values make."""
    def one(name: str) -> str:
        if name not in values:
            return "None"
        v = values[name]
        shown = {"chunked": v, "pretty": v, "chunk_size": str(int(v)) if name == "chunk_size" else "",
                 "epoch": PRECISION.get(v, "")}.get(name, rust_debug(v))
        return f"Some({shown})"
    return "QueryParams { " + ", ".join(f"{field}: {one(name)}" for field, name in STRUCT) + " }"


def port_params(raw: bytes) -> str:
    try:
        return "OK " + as_debug(v3_params.decode_urlencoded(raw))
    except HttpError as e:
        return "ERR " + e.message.removeprefix(v3_params.URL_ERROR)


_NAMES = ["q", "db", "rp", "epoch", "chunked", "chunk_size", "pretty", "params", "x", "Q", "q%20", "%71", "d%62", "",
          "chunk%5Fsize"]
_VALUES = ["SELECT+1", "a%20b", "ms", "%C2%B5", "µ", "u", "ns", "h", "x", "", "true", "false", "TRUE", "1", "+5", "-1",
           "007", "18446744073709551615", "18446744073709551616", "%2B5", "%FF", "%E2%82", "%", "%4", "%zz", "a+b%2Bc",
           "%22q%22", "%5C", "%0A", "é", "a=b", "tru%65"]


def _query(rnd: random.Random) -> str:
    pairs = []
    for _ in range(rnd.randint(0, 5)):
        name, value = rnd.choice(_NAMES), rnd.choice(_VALUES)
        pairs.append(rnd.choice([f"{name}={value}", f"{name}={value}", name, f"{name}={value}={value}"]))
    sep = rnd.choice(["&", "&", "&&", ";"])
    return rnd.choice(["", "&", "?"]) * (rnd.random() < 0.1) + sep.join(pairs) + rnd.choice(["", "", "&", "="])


@pytest.mark.parametrize("mode", ["url", "form"])
def test_query_params_agree_with_serde_urlencoded(mode):
    rnd = random.Random(7 if mode == "url" else 8)
    inputs = [_query(rnd).encode() for _ in range(3000)]
    if mode == "form":  # from_bytes: raw bytes too (a byte that is not UTF-8 reads as U+FFFD)
        inputs += [q + bytes([rnd.randrange(128, 256)]) + b"&chunked=true" for q in inputs[:300]]
    answers = oracle(mode, inputs)
    seen = set()
    for raw, answer in zip(inputs, answers):
        assert port_params(raw) == answer, raw
        seen.add(answer.split(" ", 1)[0] if answer.startswith("OK") else answer.split("`")[0])
    assert len(seen) >= 5, seen  # values read, and several kinds of refusal


_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/vnd.influxql", "multipart/form-data",
          "Application/JSON", "a/b+c", "*/*", "text/*", "x-y/z.w"]
_PARAMS = ["charset=utf-8", "Charset=UTF-8", 'boundary="a b"', "boundary=XyZ", "x=", 'x=""', 'x="a\\"b"', "x", "=y",
           "a=b=c", "q=é", 'q="é"', "x=(", "x=@"]


def _content_type(rnd: random.Random) -> str:
    text = rnd.choice(_TYPES) + "".join(rnd.choice(["; ", ";", " ; ", ";  "]) + rnd.choice(_PARAMS)
                                        for _ in range(rnd.randint(0, 3)))
    for _ in range(rnd.choice([0, 0, 1, 2])):
        k = rnd.randrange(len(text) + 1)
        text = text[:k] + rnd.choice([" ", "/", ";", "=", '"', "\t", "+", "é", ",", "\\", ""]) + text[k + rnd.randint(0, 1):]
    return text


def port_mime(text: str) -> str:
    try:
        m = v3_forms.parse_mime(text)
    except v3_forms.MimeError as e:
        return "ERR " + str(e)
    return f"OK {m.type_}/{m.subtype} {m.text}"


def test_content_types_agree_with_the_mime_crate():
    rnd = random.Random(9)
    texts = [_content_type(rnd) for _ in range(3000)]
    answers = oracle("mime", [t.encode() for t in texts])
    kinds = set()
    for text, answer in zip(texts, answers):
        assert port_mime(text) == answer, text
        kinds.add(answer.split(": ", 1)[1].split(",")[0] if answer.startswith("ERR") else "OK")
    assert len(kinds) >= 4, kinds  # types read, and several of mime's refusals
