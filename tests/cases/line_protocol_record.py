"""Record what a real influxd 1.6.7 does with tricky line protocol.

    python tests/cases/line_protocol_record.py      # rewrites line_protocol_influxd.json

Starts ``influxd`` on 127.0.0.1 (free ports, a temporary directory, a
generated config), writes every body below into a database of its own,
records the HTTP status, the error text, and what was stored (tags, typed
fields, times), then stops the server. The table-driven tests read the JSON
file and never need influxd; ``influxd_server`` is reused by the optional live
test.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
OUT = HERE / "line_protocol_influxd.json"
T = "1500000000000000000"

# (id, body, precision). A body given as [prefix, fill, count, suffix] stands
# for prefix + fill * count + suffix (keeps the JSON small). Every line with a timestamp uses a distinct time so
# that stored points do not merge. Bodies are str; "\r" and "\n" are literal.
CASES: list[tuple[str, str, str]] = [
    ("plain", f"cpu,host=a,region=eu usage=0.5,idle=99 {T}", "ns"),
    ("unsorted tags", f"cpu,zone=z,host=a v=1 {T}", "ns"),
    ("no tags", f"cpu v=1 {T}", "ns"),
    ("float forms", f"m a=1,b=-1.5,c=.5,d=5.,e=1e3,f=1E-3,g=-1.5e+2,h=0001.100,i=-0 {T}", "ns"),
    ("float long digits", f"m a=123456789012345678901234567890,b=0.1000000000000000055511151231257827 {T}", "ns"),
    ("float overflow", f"m a=1e400 {T}", "ns"),
    ("float underflow", f"m a=1e-400 {T}", "ns"),
    ("float huge digits", "m a=" + "9" * 400 + f" {T}", "ns"),
    ("float bad exponent", f"m a=1e {T}", "ns"),
    ("float two dots", f"m a=1.2.3 {T}", "ns"),
    ("float plus sign", f"m a=+1 {T}", "ns"),
    ("float lone dot", f"m a=. {T}", "ns"),
    ("float lone minus", f"m a=- {T}", "ns"),
    ("nan", f"m a=NaN {T}", "ns"),
    ("inf", f"m a=inf {T}", "ns"),
    ("hex", f"m a=0x10 {T}", "ns"),
    ("integers", f"m a=1i,b=-9223372036854775808i,c=9223372036854775807i,d=007i {T}", "ns"),
    ("integer overflow", f"m a=9223372036854775808i {T}", "ns"),
    ("integer negative overflow", f"m a=-9223372036854775809i {T}", "ns"),
    ("integer with dot", f"m a=1.5i {T}", "ns"),
    ("integer trailing junk", f"m a=1i0 {T}", "ns"),
    ("integer capital I", f"m a=1I {T}", "ns"),
    ("unsigned", f"m a=1u {T}", "ns"),
    ("unsigned max", f"m a=18446744073709551615u {T}", "ns"),
    ("booleans", f"m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE {T}", "ns"),
    ("boolean tRUE", f"m a=tRUE {T}", "ns"),
    ("boolean yes", f"m a=yes {T}", "ns"),
    ("strings", f'm a="hello world",b="",c="with, comma",d="eq=sign" {T}', "ns"),
    ("string escapes", f'm a="q\\"q",b="back\\\\slash",c="other\\n",d="tail\\\\" {T}', "ns"),
    ("string junk after quote", f'm a="abc"def {T}', "ns"),
    ("string newline", f'm a="line1\nline2" {T}', "ns"),
    ("string unbalanced", f'm a="abc {T}', "ns"),
    ("string 64KiB", ['m a="', "x", 65536, f'" {T}'], "ns"),
    ("string 1MiB", ['m a="', "x", 1 << 20, f'" {T}'], "ns"),
    ("escaped measurement", f"c\\,p\\ u\\=x\\\"y,t=1 v=1 {T}", "ns"),
    ("escaped tags", f"cpu,ho\\ st=a\\,b,k\\=1=v\\=2 v=1 {T}", "ns"),
    ("backslash in tag", f"cpu,t=a\\b,u=c\\\\d v=1 {T}", "ns"),
    ("quote in tag", f'cpu,t="a" v=1 {T}', "ns"),
    ("escaped field key", f"cpu f\\ o\\,o\\=x\\\"y=1 {T}", "ns"),
    ("equals in measurement", f"a=b v=1 {T}", "ns"),
    ("tag value with equals", f"cpu,a==b v=1 {T}", "ns"),
    ("tag value equals inside", f"cpu,a=b=c v=1 {T}", "ns"),
    ("missing tag value", f"cpu,a= v=1 {T}", "ns"),
    ("missing tag value end", f"cpu,a v=1 {T}", "ns"),
    ("missing tag key", f"cpu,=a v=1 {T}", "ns"),
    ("trailing comma tags", f"cpu, v=1 {T}", "ns"),
    ("duplicate tags", f"cpu,a=1,a=2 v=1 {T}", "ns"),
    ("duplicate tags unsorted", f"cpu,b=1,a=1,b=2 v=1 {T}", "ns"),
    ("duplicate fields", f"cpu v=1,v=2 {T}", "ns"),
    ("duplicate fields types", f'cpu v=1,v="x" {T}', "ns"),
    ("missing measurement", f",a=1 v=1 {T}", "ns"),
    ("missing fields", "cpu", "ns"),
    ("missing fields with tags", "cpu,a=1", "ns"),
    ("measurement then space", "cpu ", "ns"),
    ("missing field key", f"cpu =1 {T}", "ns"),
    ("missing field key after comma", f"cpu a=1,=2 {T}", "ns"),
    ("missing field value", f"cpu a= {T}", "ns"),
    ("missing field value end", "cpu a=", "ns"),
    ("field without value", f"cpu a=1,b {T}", "ns"),
    ("invalid field format", f"cpu a {T}", "ns"),
    ("field trailing comma", f"cpu a=1, {T}", "ns"),
    ("bad timestamp", "cpu v=1 12a", "ns"),
    ("timestamp float", "cpu v=1 1.5", "ns"),
    ("timestamp negative", "cpu v=1 -1", "ns"),
    ("timestamp lone minus", "cpu v=1 -", "ns"),
    ("timestamp overflow", "cpu v=1 9223372036854775808", "ns"),
    ("timestamp max", "cpu v=1 9223372036854775807", "ns"),
    ("timestamp edge max", "cpu v=1 9223372036854775806", "ns"),
    ("timestamp edge min", "cpu v=1 -9223372036854775806", "ns"),
    ("timestamp below min", "cpu v=1 -9223372036854775807", "ns"),
    ("timestamp extra token", f"cpu v=1 {T} 5", "ns"),
    ("timestamp trailing spaces", f"cpu v=1 {T}   ", "ns"),
    ("multiple spaces", f"cpu  v=1   {T}", "ns"),
    ("tab separator", f"cpu\tv=1 {T}", "ns"),
    ("leading whitespace", f"  \tcpu v=1 {T}", "ns"),
    ("comment and blank", f"# comment\n\n   \n  # indented comment\ncpu v=1 {T}", "ns"),
    ("crlf", f"cpu v=1 {T}\r\ncpu v=2 1500000000000000001\r\n", "ns"),
    ("crlf no timestamp", "cpu v=1\r\n", "ns"),
    ("precision s", "cpu v=1 1500000000", "s"),
    ("precision ms", "cpu v=1 1500000000000", "ms"),
    ("precision u", "cpu v=1 1500000000000000", "u"),
    ("precision h", "cpu v=1 416666", "h"),
    ("precision s overflow", "cpu v=1 9223372036854775", "s"),
    ("time tag", f"cpu,time=1 v=1 {T}", "ns"),
    ("time field only", f"cpu time=1 {T}", "ns"),
    ("time field and other", f"cpu time=1,v=2 {T}", "ns"),
    ("type conflict in body", f"cpu v=1 {T}\ncpu v=1i 1500000000000000001\ncpu v=2 1500000000000000002", "ns"),
    ("type conflict rejected line keeps no types",
     f"cpu a=1 {T}\ncpu a=1i,b=1i 1500000000000000001\ncpu b=2 1500000000000000002", "ns"),
    ("tag and field same key", f"cpu,k=a v=1 {T}\ncpu k=2 1500000000000000001", "ns"),
    ("mixed good and bad", f"cpu v=1 {T}\ncpu v=\ncpu v=3 1500000000000000002\nbad\n", "ns"),
    ("escaped newline", f"cpu v=1\\\n {T}", "ns"),
    ("backslash end of measurement", f"cpu\\ v=1 {T}", "ns"),
    ("escaped space in fields", f"cpu a\\ b=1 {T}", "ns"),
    ("space before field key", f"cpu \\ a=1 {T}", "ns"),
    ("unicode", f"温度,地点=東京 値=1.5,文字=\"é\" {T}", "ns"),
    ("measurement hash inside", f"c#pu v=1 {T}", "ns"),
    ("max key length", ["m,t=", "x", 65540, f" v=1 {T}"], "ns"),
    ("key length at limit", ["m,t=", "x", 65526, f" v=1 {T}"], "ns"),
    ("field key long", ["m ", "f", 65531, f"=1 {T}"], "ns"),
    ("field key at limit", ["m ", "f", 65530, f"=1 {T}"], "ns"),
    ("empty body lines only", "\n\n# only comments\n", "ns"),
    ("null byte leading", f"\x00cpu v=1 {T}", "ns"),
]


def expand(body) -> str:
    """The body text of a case (see CASES)."""
    if isinstance(body, str):
        return body
    prefix, fill, count, suffix = body
    return prefix + fill * count + suffix


def _shrink(value):
    """Long repeated strings in stored values, as {"fill", "count"}."""
    if isinstance(value, str) and len(value) > 200 and len(set(value)) == 1:
        return {"fill": value[0], "count": len(value)}
    return value


def _shrink_key(key: str) -> str:
    """Long repeated keys as "<fill>*<count>" (see _shrink)."""
    if len(key) > 200 and len(set(key)) == 1:
        return f"{key[0]}*{len(key)}"
    return key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def influxd_server():
    """A throwaway influxd on 127.0.0.1; yields its base URL."""
    exe = shutil.which("influxd")
    if exe is None:
        raise RuntimeError("influxd not on PATH")
    tmp = tempfile.mkdtemp(prefix="lp-influxd-")
    http_port, rpc_port = _free_port(), _free_port()
    conf = Path(tmp) / "influxd.conf"
    conf.write_text(f"""
reporting-enabled = false
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{tmp}/meta"
[data]
  dir = "{tmp}/data"
  wal-dir = "{tmp}/wal"
  query-log-enabled = false
[coordinator]
[retention]
  enabled = false
[shard-precreation]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
  max-body-size = 0
[continuous_queries]
  enabled = false
""")
    proc = subprocess.Popen([exe, "-config", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(url + "/ping", timeout=1).status_code == 204:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("influxd did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def run_case(url: str, db: str, body: str, precision: str) -> dict:
    """Write ``body`` into a fresh database; what influxd said and stored."""
    q = lambda s: httpx.post(url + "/query", params={"q": s, "db": db, "epoch": "ns"}, timeout=30).json()
    q(f'CREATE DATABASE "{db}"')
    r = httpx.post(url + "/write", params={"db": db, "precision": precision},
                   content=expand(body).encode("utf-8"), timeout=30)
    out = {"status": r.status_code, "error": r.json().get("error") if r.content else None, "stored": {}}
    fields = q("SHOW FIELD KEYS")
    for series in fields["results"][0].get("series", []):
        m = series["name"]
        types = {_shrink_key(k): t for k, t in series["values"]}
        tag_res = q(f'SHOW TAG KEYS FROM "{_q(m)}"')["results"][0].get("series", [])
        tag_keys = sorted(v[0] for s in tag_res for v in s["values"])
        data = q(f'SELECT * FROM "{_q(m)}" GROUP BY *')["results"][0].get("series", [])
        rows = []
        for s in data:
            cols = s["columns"]
            for vals in s["values"]:
                rec = dict(zip(cols, vals))
                rows.append({"time": rec.pop("time"), "tags": {k: _shrink(v) for k, v in s.get("tags", {}).items()},
                             "fields": {_shrink_key(k): _shrink(v) for k, v in rec.items() if v is not None}})
        rows.sort(key=lambda x: x["time"])
        out["stored"][m] = {"field_types": types, "tag_keys": tag_keys, "rows": rows}
    q(f'DROP DATABASE "{db}"')
    return out


def _q(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def main() -> None:
    results = []
    with influxd_server() as url:
        for n, (case_id, body, precision) in enumerate(CASES):
            res = run_case(url, f"case{n}", body, precision)
            if res["error"] and len(res["error"]) > 2000:
                err = res["error"]
                res["error"] = {"prefix": err[:300], "suffix": err[-300:], "length": len(err)}
            results.append({"id": case_id, "body": body, "precision": precision, **res})
            print(case_id, res["status"], str(res["error"] or "")[:100], file=sys.stderr)
    OUT.write_text(json.dumps({"influxd": "1.6.7", "cases": results}, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
