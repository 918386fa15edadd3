"""Load influxd 1.6.7's recorded answers (tests/http/cases/influxd) as encoder inputs."""
from __future__ import annotations

import json
from pathlib import Path

import msgpack

from tsdb_core.query.results import Series, StatementResult

CASES = Path(__file__).resolve().parent / "cases" / "influxd"


def manifest() -> dict:
    return json.loads((CASES / "manifest.json").read_text())


def cases() -> dict[str, dict]:
    return {c["name"]: c for c in manifest()["cases"]}


def body(name: str) -> bytes:
    return (CASES / name).read_bytes()


def _hook(code, data):
    if code == 5:  # msgp time: int64 seconds + uint32 ns, big endian
        return int.from_bytes(data[:8], "big", signed=True) * 1_000_000_000 + int.from_bytes(data[8:], "big")
    return msgpack.ExtType(code, data)


def _statement(i: int, d: dict) -> StatementResult:
    if "error" in d and "statement_id" not in d:
        return StatementResult(statement_id=i, error=d["error"])
    series = [Series(name=s.get("name", ""), tags=s.get("tags") or None, columns=s.get("columns", []),
                     values=[list(r) for r in s.get("values", [])], partial=s.get("partial", False))
              for s in d.get("series", [])]
    return StatementResult(statement_id=d["statement_id"], series=series, partial=d.get("partial", False))


def msgpack_responses(name: str) -> list[dict]:
    """Every msgpack object of a recorded body (chunked bodies hold several)."""
    up = msgpack.Unpacker(raw=False, ext_hook=_hook, strict_map_key=False)
    up.feed(body(name))
    return list(up)


def statements(name: str) -> list[StatementResult]:
    """The typed statements of a recorded msgpack body, chunks merged back (times as ns)."""
    out: list[StatementResult] = []
    for resp in msgpack_responses(name):
        for i, d in enumerate(resp.get("results", [])):
            st = _statement(len(out) if len(resp["results"]) == 1 else i, d)
            prev = out[-1] if out else None
            if prev is not None and "statement_id" in d and prev.statement_id == st.statement_id:
                for s in st.series:
                    last = prev.series[-1] if prev.series else None
                    if last is not None and last.name == s.name and last.tags == s.tags:
                        last.values.extend(s.values)
                    else:
                        prev.series.append(s)
                continue
            out.append(st)
    for st in out:
        st.partial = False
        for s in st.series:
            s.partial = False
    return out
