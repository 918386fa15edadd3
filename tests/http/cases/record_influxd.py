"""Record InfluxDB 1.6.7's answers (bytes) to a fixed data set, for the encoder tests.

Run by hand when the case list changes (needs ``influxd`` on PATH):

    python tests/http/cases/record_influxd.py

It starts a private influxd on 127.0.0.1 with temp dirs, writes DATA, sends every
request of CASES, and stores status, the headers that matter and the body under
``tests/http/cases/influxd/`` (manifest.json + one body file per case).
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "influxd"

DB = "ref"
# Times in ns; values chosen to hit every formatting corner of JSON, CSV and msgpack.
DATA = "\n".join([
    'cpu,host=a,region=us-west v=1.5,i=3i,s="hi",b=true 1000000000',
    'cpu,host=b,region=us-west v=2,i=-7i,s="with,comma",b=false 2000000000',
    'cpu,host=a,region=eu v=1e21,i=9223372036854775807i,s="quote\\"d",b=true 3000000000',
    'cpu,host=b,region=eu v=0.1,i=200i,s="<tag>&amp;" 4500000000',
    'cpu,host=c v=1e-7,i=-200i,s=" lead space" 5000000000',
    'cpu,host=c v=123456.789,i=0i,s="line\\\\nbreak" 6123456789',
    'cpu,host=c v=-0.5,i=65536i 7000000001',
    'cpu,host=c v=1e16,i=-9223372036854775807i 8000000000',
    'cpu,host=c v=0.00001,i=2147483648i 9000000000',
    'cpu,host=c v=12345678901234567890,i=-32769i 10000000000',
    'mem,host=a,path=/a\\ b free=10i,used=2.25 1000000000',
    'mem,host=a,path=/a\\ b free=11i,used=3 2000000000',
    'mem,host=b,path=x\\,y\\=z free=12i,used=4 1000000000',
    'weird\\ name,tag\\ key=tag\\ value f=1 1000000000',
    'unicode,ort=München temp=21.5,note="grüße ✓" 1000000000',
])

Q_ALL = "SELECT * FROM cpu"
CASES: list[dict] = []


def case(name, q, *, accept=None, db=DB, **params):
    p = {"db": db, "q": q, **params}
    CASES.append({"name": name, "method": "GET", "path": "/query", "params": p,
                  "headers": {"Accept": accept} if accept else {}})


for fmt, accept in (("json", None), ("csv", "application/csv"), ("textcsv", "text/csv"),
                    ("msgpack", "application/x-msgpack")):
    case(f"select_all.{fmt}", Q_ALL, accept=accept)
    case(f"select_all_epoch_ns.{fmt}", Q_ALL, accept=accept, epoch="ns")
    case(f"group_by_host.{fmt}", "SELECT * FROM cpu GROUP BY host", accept=accept)
    case(f"group_by_star.{fmt}", "SELECT v, s FROM cpu GROUP BY *", accept=accept, epoch="ms")
    case(f"multi.{fmt}", "SELECT free, used FROM mem GROUP BY path; SELECT * FROM nope; "
         "SELECT f FROM \"weird name\" GROUP BY *; SELECT * FROM cpu GROUP BY time(1s); "
         "SHOW DATABASES", accept=accept)
    case(f"show.{fmt}", "SHOW MEASUREMENTS; SHOW TAG KEYS FROM cpu; SHOW FIELD KEYS FROM mem; "
         "SHOW TAG VALUES FROM mem WITH KEY = \"path\"", accept=accept)
    case(f"aggregate.{fmt}", "SELECT mean(v), count(i), last(s) FROM cpu WHERE time >= 0 AND "
         "time < 12s GROUP BY time(4s), host fill(none)", accept=accept, epoch="s")
    case(f"unicode.{fmt}", "SELECT * FROM unicode", accept=accept)
    case(f"parse_error.{fmt}", "SELECT FROM cpu", accept=accept)
    case(f"chunked.{fmt}", "SELECT v, i FROM cpu GROUP BY host; SELECT free FROM mem",
         accept=accept, chunked="true", chunk_size="2")
for unit in ("u", "ms", "s", "m", "h"):
    case(f"epoch_{unit}.json", "SELECT v FROM cpu", epoch=unit)
case("pretty.json", "SELECT * FROM mem GROUP BY host; SELECT * FROM nope", pretty="true")
case("pretty_chunked.json", "SELECT v FROM cpu GROUP BY host", pretty="true", chunked="true",
     chunk_size="3")
case("chunked_default.json", "SELECT v FROM cpu GROUP BY host; SHOW DATABASES", chunked="true")
case("missing_q.json", "")
case("bad_params.json", "SELECT v FROM cpu WHERE host = $h", params="{bad")
# 1.x's answers where the influxdb1 dialect follows them (issue 20): statements after a failed
# one, write statements sent with GET, wrong methods, a write to a missing database
case("v1_failed_then_more.json", "SELECT v FROM cpu LIMIT 1; SELECT v FROM cpu GROUP BY time(1s); "
     "SELECT i FROM cpu LIMIT 1; SHOW DATABASES")
case("v1_failed_then_more_chunked.json", "SELECT v FROM cpu LIMIT 1; SELECT v FROM cpu GROUP BY time(1s); "
     "SELECT i FROM cpu LIMIT 1; SHOW DATABASES", chunked="true")
case("v1_failed_last.json", "SELECT v FROM cpu LIMIT 1; SELECT v FROM cpu GROUP BY time(1s)")
case("v1_failed_first_chunked.json", 'CREATE DATABASE "a/b"; SHOW DATABASES', chunked="true")
case("v1_get_writes.json", "CREATE DATABASE getdb; SHOW DATABASES; CREATE RETENTION POLICY r1 ON getdb "
     "DURATION 3d REPLICATION 1; ALTER RETENTION POLICY r1 ON getdb DURATION 2d DEFAULT; "
     "DROP RETENTION POLICY r1 ON getdb; DROP DATABASE getdb")
case("v1_get_into.json", "CREATE DATABASE intodb; SELECT v INTO intodb..copy FROM cpu; "
     "SELECT i INTO intodb.autogen.copy2 FROM (SELECT i FROM cpu); DROP DATABASE intodb")
# the statement in the warning as 1.x prints it: floats with three decimals (a subquery's too), TZ('...')
case("v1_get_into_text.json", "CREATE DATABASE intodb; SELECT v * 2.5 INTO intodb..copy FROM cpu WHERE v > 0.5 "
     "tz('Europe/Paris'); SELECT i INTO intodb..copy2 FROM (SELECT i * 1.5 AS i FROM cpu); DROP DATABASE intodb")
case("v1_get_create_with.json", "CREATE DATABASE getdb2 WITH DURATION 1d NAME x; DROP DATABASE getdb2")
for _name, _method, _path in (("v1_405_query.txt", "PUT", "/query"), ("v1_405_write.txt", "DELETE", "/write"),
                              ("v1_405_ping.txt", "POST", "/ping")):
    CASES.append({"name": _name, "method": _method, "path": _path, "params": {}, "headers": {}})
# unknown paths (a trailing slash included): Go's http.NotFound, text
for _name, _method, _path in (("v1_404_get.txt", "GET", "/nope"), ("v1_404_post.txt", "POST", "/api/v2/nope"),
                              ("v1_404_slash.txt", "GET", "/query/"), ("v1_404_root.txt", "GET", "/")):
    CASES.append({"name": _name, "method": _method, "path": _path, "params": {}, "headers": {}})
CASES.append({"name": "v1_write_missing_db.json", "method": "POST", "path": "/write",
              "params": {"db": "nosuch"}, "headers": {}, "body": "m v=1"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, params, headers, body=None):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}" if params else f"{base}{path}"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def main() -> int:
    if not shutil.which("influxd"):
        print("influxd not on PATH", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="influxd-rec-"))
    port, rpc = free_port(), free_port()
    conf = tmp / "influxd.conf"
    conf.write_text(f"""reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{tmp}/meta"
[data]
  dir = "{tmp}/data"
  wal-dir = "{tmp}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{port}"
  log-enabled = false
[logging]
  level = "error"
[monitor]
  store-enabled = false
""")
    proc = subprocess.Popen(["influxd", "-config", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if request(base, "GET", "/ping", None, {})[0] == 204:
                    break
            except OSError:
                time.sleep(0.05)
        request(base, "POST", "/query", {"q": f"CREATE DATABASE {DB}"}, {})
        st, _, body = request(base, "POST", "/write", {"db": DB}, {}, DATA.encode())
        assert st == 204, (st, body)
        OUT.mkdir(exist_ok=True)
        manifest = []
        for c in CASES:
            data = c["body"].encode() if "body" in c else None
            st, hdrs, body = request(base, c["method"], c["path"], c["params"], c["headers"], data)
            (OUT / c["name"]).write_bytes(body)
            keep = {k: v for k, v in hdrs.items() if k.lower() in ("content-type", "x-influxdb-error", "allow",
                                                                       "x-content-type-options")}
            manifest.append({**c, "status": st, "response_headers": keep})
        (OUT / "manifest.json").write_text(json.dumps({"version": "1.6.7", "db": DB, "data": DATA,
                                                       "cases": manifest}, indent=1) + "\n")
        print(f"recorded {len(manifest)} cases into {OUT}")
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
