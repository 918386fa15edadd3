"""The ``tsdb`` command line, driven in-process through click's CliRunner."""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import tsdb_core
from tsdb_core.cli import cli
from tsdb_http.tokens import TokenStore
from tsdb_core.base.time import MAX_TIME, MIN_TIME

LP = b"cpu,host=a v=1 1704067200000000000\ncpu,host=b v=2 1704067200000000000\nmem free=3i 1704067200000000000\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke ``tsdb ARGS`` with the data dir in tmp_path; returns click's Result."""
    monkeypatch.setenv("TSDB_DATA_DIR", str(tmp_path / "store"))
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    invoke.dir = tmp_path / "store"
    return invoke


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


ALL = [()] + list(_commands(cli))


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "tsdb")
def test_help_everywhere(path, run):
    r = run(*path, "--help")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Usage: tsdb {' '.join(path)}".rstrip())
    short = run(*path, "-h")
    assert short.output == r.output


def test_every_documented_command_exists():
    names = {" ".join(p) for p in ALL if p}
    assert {"serve", "query", "write", "import", "db create", "db list", "db drop", "token create",
            "token list", "token revoke", "inspect", "compact", "retention enforce"} <= names


def test_version(run):
    r = run("--version")
    assert r.exit_code == 0 and r.output.startswith("tsdb ")


# -- write / import -----------------------------------------------------------

def _rows(path: Path, db: str, measurement: str):
    with tsdb_core.open(path) as store:
        return sorted(store.scan(db, None, measurement, MIN_TIME, MAX_TIME).collect().rows())


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_write_file(run, tmp_path, compress):
    f = tmp_path / "in.lp"
    f.write_bytes(gzip.compress(LP) if compress else LP)  # gzip found by magic, not by name
    r = run("write", "-d", "mydb", str(f))
    assert r.exit_code == 0, r.output
    assert "3 points written (3 values)" in r.stderr
    assert _rows(run.dir, "mydb", "cpu") == [(1704067200000000000, "a", 1.0), (1704067200000000000, "b", 2.0)]
    assert _rows(run.dir, "mydb", "mem") == [(1704067200000000000, 3)]


def test_write_stdin_with_precision_and_small_batches(run):
    r = run("write", "--database", "mydb", "--precision", "s", "--batch-size", "1",
            input=b"# a comment\n\ncpu v=1 1704067200\ncpu v=2 1704067201\n")
    assert r.exit_code == 0, r.output
    assert _rows(run.dir, "mydb", "cpu") == [(1704067200000000000, 1.0), (1704067201000000000, 2.0)]


def test_write_reports_rejected_lines_with_file_line_numbers(run, tmp_path):
    f = tmp_path / "bad.lp"
    f.write_bytes(b"cpu v=1 1\n\n# comment\ncpu v= 2\ncpu v=3 3\ncpu v=\"s\" 4\n")
    r = run("write", "-d", "mydb", "--batch-size", "2", str(f))
    assert r.exit_code == 1
    assert f"{f}:4: unable to parse 'cpu v= 2': missing field value" in r.stderr
    assert f'{f}:6: field type conflict: input field "v" on measurement "cpu" is type string, ' \
           'already exists as type float' in r.stderr
    assert "2 points written (2 values)" in r.stderr and "2 lines rejected" in r.stderr
    assert _rows(run.dir, "mydb", "cpu") == [(1, 1.0), (3, 3.0)]


def test_write_needs_a_database(run):
    r = run("write", input=b"cpu v=1")
    assert r.exit_code == 2
    assert "Missing option '-d' / '-database' / '--database'" in r.stderr


def test_write_missing_file(run, tmp_path):
    r = run("write", "-d", "x", str(tmp_path / "nope.lp"))
    assert r.exit_code == 1
    assert r.stderr == f"Error: no such file: {tmp_path / 'nope.lp'}\n"


IMPORT = b"""# DDL
CREATE DATABASE noaa
CREATE RETENTION POLICY oneday ON noaa DURATION 1d REPLICATION 1
# DML
# CONTEXT-DATABASE: noaa
# CONTEXT-RETENTION-POLICY: autogen
h2o_feet,location=coyote_creek water_level=8.12 1566000000
h2o_feet,location=santa_monica water_level=2.064 1566000000
# CONTEXT-RETENTION-POLICY: oneday
h2o_feet,location=coyote_creek water_level=9 1566000000
# CONTEXT-DATABASE: other
# CONTEXT-RETENTION-POLICY: autogen
cpu v=1 1566000000
"""


def test_import_influx_format(run, tmp_path, monkeypatch):
    monkeypatch.setattr("tsdb_core.store.system_clock", lambda: 1566003600 * 10**9)  # an hour after the points
    f = tmp_path / "export.txt.gz"
    f.write_bytes(gzip.compress(IMPORT))
    r = run("import", "--precision", "s", str(f))
    assert r.exit_code == 0, r.output
    assert "4 points written" in r.stderr and "2 statements run" in r.stderr
    assert _rows(run.dir, "noaa", "h2o_feet") == [(1566000000000000000, "coyote_creek", 8.12),
                                                  (1566000000000000000, "santa_monica", 2.064)]
    assert _rows(run.dir, "other", "cpu") == [(1566000000000000000, 1.0)]
    with tsdb_core.open(run.dir) as store:
        assert sorted(p.name for p in store.retention_policies("noaa")) == ["autogen", "oneday"]
        assert store.scan("noaa", "oneday", "h2o_feet", MIN_TIME, MAX_TIME).collect().rows() == \
            [(1566000000000000000, "coyote_creek", 9.0)]


def test_import_goes_on_after_a_refused_batch(run):
    r = run("import", "-d", "mydb", input=b"# CONTEXT-RETENTION-POLICY: nope\ncpu v=1 1\ncpu v=2 2\n"
                                          b"# CONTEXT-RETENTION-POLICY: autogen\ncpu v=3 3\n")
    assert r.exit_code == 1
    assert r.stderr.startswith("stdin:2: retention policy not found: nope\n... and 1 more rejected lines\n"
                               "1 points written (1 values) in ")
    assert r.stderr.endswith("; 2 lines rejected\n")
    assert _rows(run.dir, "mydb", "cpu") == [(3, 3.0)]


def test_import_stops_at_a_failing_statement(run):
    r = run("import", input=b"# DDL\nCREATE DATABSE x\n# DML\ncpu v=1 1\n")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: stdin:2: error parsing query: found DATABSE, expected ")
    assert r.stderr.endswith(": CREATE DATABSE x\n")


def test_import_without_a_database(run):
    r = run("import", input=b"# DML\ncpu v=1 1\n")
    assert r.exit_code == 1
    assert r.stderr == ("Error: stdin:2: no database for these points "
                        "(pass --database or add '# CONTEXT-DATABASE: name')\n")


def test_forced_progress_bar_does_not_break_output(run):
    r = run("write", "-d", "mydb", "--progress", input=LP)
    assert r.exit_code == 0, r.output
    assert "3 points written" in r.stderr


# -- db ---------------------------------------------------------------------------

def test_db_create_list_drop(run):
    assert run("db", "create", "b_db", "--duration", "30d").exit_code == 0
    assert run("db", "create", "a_db").exit_code == 0
    assert sorted(run("db", "list").stdout.split()) == ["a_db", "b_db"]
    with tsdb_core.open(run.dir) as store:
        (rp,) = store.retention_policies("b_db")
        assert (rp.name, rp.duration, rp.default) == ("autogen", 30 * 86400 * 10**9, True)
    r = run("db", "drop", "a_db", input="n\n")
    assert r.exit_code == 1  # declined
    r = run("db", "drop", "a_db", "--yes")
    assert r.exit_code == 0 and r.stderr == "dropped database a_db\n"
    assert run("db", "list").stdout == "b_db\n"


DB_ERRORS = [
    (("db", "drop", "nope", "-y"), "Error: database not found: nope\n"),
    (("db", "create", "x", "--duration", "1fortnight"),
     "Error: invalid duration '1fortnight': expected e.g. 10s, 1h30m, 7d\n"),
]


@pytest.mark.parametrize("args,message", DB_ERRORS, ids=[" ".join(a) for a, _ in DB_ERRORS])
def test_db_errors(run, args, message):
    run("db", "create", "x")
    r = run(*args)
    assert r.exit_code == 1
    assert r.stderr == message


@pytest.mark.parametrize("args", [("db", "list"), ("inspect",), ("compact",), ("retention", "enforce"),
                                  ("query", "-e", "SHOW DATABASES")], ids=" ".join)
def test_missing_store_is_a_clean_error(run, args):
    r = run(*args)
    assert r.exit_code == 1
    assert r.stderr == f"Error: no store at {run.dir} (pass --data-dir or set TSDB_DATA_DIR)\n"
    assert not run.dir.exists()  # reading commands never create a store


def test_locked_store_is_a_clean_error(run):
    run("db", "create", "x")
    with tsdb_core.open(run.dir):  # as `tsdb serve` would hold it
        r = run("db", "list")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: store is locked by another process")
    assert "Traceback" not in r.output


# -- tokens -------------------------------------------------------------------------

def test_token_create_prints_only_the_token(run):
    r = run("token", "create", "--database", "mydb", "--read", "--description", "grafana")
    assert r.exit_code == 0
    token = r.stdout.strip()
    assert r.stdout == token + "\n" and token.startswith("tsdb_")
    info = TokenStore(run.dir).verify(token)
    assert info is not None and info.can("read", "mydb") and not info.can("write", "mydb")
    assert info.description == "grafana"


def test_token_list_and_revoke(run):
    t1 = run("token", "create", "--database", "*", "--read", "--write").stdout.strip()
    run("token", "create", "--database", "a", "--database", "b", "--write")
    r = run("token", "list", "--json")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 2 and t1 not in r.stdout  # never the secret
    table = run("token", "list").stdout
    assert "*:rw" in table and "a:w, b:w" in table
    info = TokenStore(run.dir).verify(t1)
    assert run("token", "revoke", info.id).exit_code == 0
    assert TokenStore(run.dir).verify(t1) is None
    r = run("token", "revoke", info.id)
    assert r.exit_code == 1 and r.stderr == f"Error: token not found: {info.id}\n"


def test_token_manage_permission(run):
    t = run("token", "create", "--database", "mydb", "--write", "--manage").stdout.strip()
    ingest = run("token", "create", "--database", "mydb", "--write").stdout.strip()
    info = TokenStore(run.dir).verify(t)
    assert info.can("manage", "mydb") and info.can("write", "mydb") and not info.can("read", "mydb")
    assert not TokenStore(run.dir).verify(ingest).can("manage", "mydb")  # write = points only
    assert "mydb:wm" in run("token", "list").stdout
    listed = [line for line in run("token", "list", "--json").stdout.splitlines() if info.id in line]
    assert '"permissions":[{"database":"mydb","read":false,"write":true,"manage":true}]' in listed[0]


def test_token_commands_on_a_damaged_token_file(run):
    run.dir.mkdir(parents=True)
    (run.dir / "tokens.json").write_bytes(b'{"tokens": [')
    for args in (("token", "list"), ("token", "create", "--database", "*", "--read"), ("token", "revoke", "abc")):
        r = run(*args)
        assert r.exit_code == 1 and r.stdout == ""
        assert r.stderr.startswith(f"Error: token file {run.dir / 'tokens.json'} is not valid JSON (Expecting value: ")
        assert "restore it from a backup, or move it aside" in r.stderr
    assert (run.dir / "tokens.json").read_bytes() == b'{"tokens": ['


def test_token_needs_a_permission(run):
    r = run("token", "create", "--database", "mydb")
    assert r.exit_code == 1 and r.stderr == "Error: give --read, --write and/or --manage\n"


# -- inspect / compact / retention ----------------------------------------------------

def test_inspect_compact_and_retention(run):
    run("write", "-d", "mydb", input=LP)
    r = run("inspect")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"store {run.dir} (")
    assert lines[1].split() == ["database", "rp", "measurement", "series", "partitions", "files", "rows", "size"]
    # Written on close (flush): one file per measurement, in one partition.
    assert [ln.split()[:7] for ln in lines[3:]] == [["mydb", "autogen", "cpu", "2", "1", "1", "2"],
                                                    ["mydb", "autogen", "mem", "1", "1", "1", "1"]]
    assert run("write", "-d", "mydb", input=b"cpu,host=c v=4 1704067200000000000").exit_code == 0
    r = run("compact")
    assert (r.exit_code, r.stderr) == (0, "compacted 1 partition(s)\n")
    assert run("inspect").stdout.splitlines()[3].split()[:7] == ["mydb", "autogen", "cpu", "3", "1", "1", "3"]
    r = run("retention", "enforce")
    assert (r.exit_code, r.stderr) == (0, "retention enforced: 0 expired file(s) removed\n")
    assert _rows(run.dir, "mydb", "cpu")[0] == (1704067200000000000, "a", 1.0)
    run("db", "create", "empty", "--rp-name", "week", "--duration", "7d")
    assert run("inspect").stdout.splitlines()[-1].split() == ["empty", "week", "0", "0", "0", "0", "0", "B"]


def test_retention_enforce_removes_expired_partitions(run, monkeypatch):
    now = 1_704_067_200 * 10**9
    monkeypatch.setattr("tsdb_core.store.system_clock", lambda: now)  # the CLI's store uses the system clock
    run("db", "create", "short", "--duration", "1h")
    run("write", "-d", "short", input=f"cpu v=1 {now}".encode())
    monkeypatch.setattr("tsdb_core.store.system_clock", lambda: now + 10 * 3600 * 10**9)
    r = run("retention", "enforce")
    assert (r.exit_code, r.stderr) == (0, "retention enforced: 1 expired file(s) removed\n")


# -- query ----------------------------------------------------------------------------

@pytest.fixture
def loaded(run):
    assert run("write", "-d", "mydb", input=LP).exit_code == 0
    return run


QUERY_CASES = [
    (("-e", "SELECT v FROM cpu WHERE host = 'a'"),
     "name: cpu\ntime                 v\n----                 -\n2024-01-01T00:00:00Z 1\n"),
    (("-precision", "s", "-e", "SELECT v FROM cpu GROUP BY host"),
     "name: cpu\ntags: host=a\ntime       v\n----       -\n1704067200 1\n\n"
     "name: cpu\ntags: host=b\ntime       v\n----       -\n1704067200 2\n"),
    (("-format", "csv", "-precision", "ns", "-e", "SELECT * FROM mem"),
     "name,time,free\nmem,1704067200000000000,3\n"),
    (("--format", "json", "--precision", "ms", "--execute", "SELECT free FROM mem"),
     '{"results":[{"series":[{"name":"mem","columns":["time","free"],"values":[[1704067200000,3]]}]}]}\n'),
    (("-e", "SHOW MEASUREMENTS"), "name: measurements\nname\n----\ncpu\nmem\n"),
    (("-format", "table", "-e", "SELECT count(v) FROM cpu"),
     "name: cpu\ntime                 count\n----                 -----\n1970-01-01T00:00:00Z 2\n"),
]


@pytest.mark.parametrize("args,stdout", QUERY_CASES, ids=[" ".join(a) for a, _ in QUERY_CASES])
def test_query_execute(loaded, args, stdout):
    r = loaded("query", "-d", "mydb", *args)
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == stdout


QUERY_ERRORS = [
    (("-d", "mydb", "-e", "SELECT * FROM"),
     "ERR: error parsing query: found EOF, expected identifier at line 1, char 15\n"),
    (("-d", "nope", "-e", "SELECT * FROM cpu"), "ERR: database not found: nope\n"),
]


@pytest.mark.parametrize("args,stderr", QUERY_ERRORS, ids=[" ".join(a) for a, _ in QUERY_ERRORS])
def test_query_errors(loaded, args, stderr):
    r = loaded("query", *args)
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", stderr)


def test_query_without_a_database_hints_at_it(loaded):
    r = loaded("query", "-e", "SELECT * FROM cpu")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == ("ERR: database name required\n"
                        "Warning: It is possible this error is due to not setting a database.\n"
                        'Please set your database with the command "use <database>" (or -database).\n')


def test_query_rejects_an_unknown_format(loaded):
    r = loaded("query", "-format", "xml", "-e", "SHOW DATABASES")
    assert r.exit_code == 2 and "Invalid value for '-format' / '--format'" in r.stderr


def test_shell_reads_statements_from_stdin(loaded):
    script = "\n".join([
        "use mydb", "settings", "format csv", "precision s", "SELECT v FROM cpu WHERE host = 'b';",
        "insert cpu,host=c v=9 1704067200000000000", "format json", "SELECT count(v) FROM cpu",
        "use nope", "precision weeks", "help", "exit", "SELECT never FROM run",
    ]) + "\n"
    r = loaded("query", input=script)
    assert r.exit_code == 1  # a piped session with errors fails, as a script should
    out = r.stdout.splitlines()
    assert out[:6] == ["Using database mydb", "Database   mydb", "Retention  ", "Format     column",
                       "Precision  rfc3339", "Pretty     False"]
    assert out[6:8] == ["name,time,v", "cpu,1704067200,2"]
    assert out[8] == '{"results":[{"series":[{"name":"cpu","columns":["time","count"],"values":[[0,3]]}]}]}'
    assert out[9] == "Usage:"
    assert r.stderr == ("ERR: database not found: nope\n"
                        "ERR: unknown precision 'weeks': expected rfc3339, h, m, s, ms, u, ns\n")


def test_shell_use_with_a_retention_policy(loaded):
    r = loaded("query", input='use "mydb"."autogen"\nSELECT count(free) FROM mem\n')
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "Using database mydb and retention policy autogen"
    assert r.stdout.splitlines()[-1] == "1970-01-01T00:00:00Z 1"


# -- serve ------------------------------------------------------------------------------

@pytest.mark.parametrize("given,want", [(None, "in-memory"), ("streaming", "streaming")])
def test_serve_collects_with_the_in_memory_engine_unless_told(run, monkeypatch, given, want):
    pytest.importorskip("starlette")
    import tsdb_http.serve
    from tsdb_http.cli import ENGINE_AFFINITY

    monkeypatch.setenv(ENGINE_AFFINITY, given or "")
    if given is None:
        monkeypatch.delenv(ENGINE_AFFINITY)
    seen = []
    monkeypatch.setattr(tsdb_http.serve, "serve", lambda *a, **kw: seen.append(os.environ.get(ENGINE_AFFINITY)))
    r = run("serve", "--no-auth")
    assert r.exit_code == 0, r.output
    assert seen == [want]


def test_serve_passes_its_flags_to_the_shim(run, monkeypatch):
    pytest.importorskip("starlette")
    import tsdb_http.serve

    calls = []
    monkeypatch.setattr(tsdb_http.serve, "serve", lambda *a, **kw: calls.append((a, kw)))
    r = run("serve", "--port", "9999", "--no-auth", "--compat", "influxdb1", "--demo")
    assert r.exit_code == 0, r.output
    [(args, kw)] = calls
    config = kw.pop("config")
    limits = kw.pop("limits")
    assert (args, kw) == ((run.dir,), {"host": "127.0.0.1", "port": 9999, "no_auth": True, "compat": "influxdb1",
                                       "demo": True, "max_body_bytes": 25_000_000, "flight_port": None,
                                       "server": None, "allowed_hosts": (), "cors_origins": (), "wal_dir": None,
                                       "ui": None})
    assert (limits.head_timeout_s, limits.request_timeout_s, limits.max_connections) == (30.0, 300.0, None)
    assert (config.cache_bytes, config.max_select_point, config.query_timeout_s, config.max_select_windows,
            config.query_memory_bytes, config.read_ahead) == (1 << 30, 0, 120.0, 2_000_000, 1 << 30, False)
    calls.clear()
    r = run("serve", "--cache-mb", "64", "--max-select-point", "10", "--max-select-series", "2",
            "--max-select-buckets", "300", "--query-timeout", "2.5", "--max-select-windows", "7",
            "--query-memory-mb", "3", "--read-ahead")
    assert r.exit_code == 0, r.output
    config = calls[0][1]["config"]
    assert (config.cache_bytes, config.max_select_point, config.max_select_series, config.max_select_buckets,
            config.query_timeout_s, config.max_select_windows, config.query_memory_bytes, config.read_ahead) == (
        64 << 20, 10, 2, 300, 2.5, 7, 3 << 20, True)
    calls.clear()
    assert run("serve", "--data-dir", "s3://bucket/prefix", "--wal-dir", "w").exit_code == 0
    assert (calls[0][0], calls[0][1]["wal_dir"]) == (("s3://bucket/prefix",), Path("w"))  # the URI kept whole
    calls.clear()
    assert run("serve", "--http-server", "hypercorn").exit_code == 0
    assert calls[0][1]["server"] == "hypercorn"
    assert run("serve", "--http-server", "gunicorn").exit_code != 0
    calls.clear()
    assert run("serve", "--max-connections", "50", "--head-timeout", "5", "--request-timeout", "60",
               "--allowed-host", "a.example", "--allowed-host", "b.example", "--cors-origin", "https://ui").exit_code == 0
    kw = calls[0][1]
    assert (kw["limits"].max_connections, kw["limits"].head_timeout_s, kw["limits"].request_timeout_s) == (50, 5.0, 60.0)
    assert (kw["allowed_hosts"], kw["cors_origins"]) == (("a.example", "b.example"), ("https://ui",))


def test_serve_without_the_http_extra(run, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_http(name, *a, **kw):
        if name.startswith("tsdb_http"):
            raise ImportError("No module named 'starlette'", name="starlette")
        return real_import(name, *a, **kw)
    monkeypatch.setattr(builtins, "__import__", no_http)
    r = run("serve")
    assert r.exit_code == 1
    assert r.stderr == ("Error: the HTTP shim is not installed (starlette missing): "
                        "python -m pip install 'tsdb[http]'\n")


def _start_server(tmp_path, *args):
    """`tsdb serve` in a subprocess on a free port; returns (process, base URL)."""
    import subprocess
    import sys

    env = {**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "tsdb_core.cli", "serve", "--data-dir", str(tmp_path / "d"),
                             "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True)
    for line in proc.stderr:  # "tsdb: serving http://127.0.0.1:PORT (...)" once it listens
        if line.startswith("tsdb: serving "):
            return proc, line.split()[2]
    raise AssertionError(f"server did not start: {proc.wait()} {proc.stdout.read()}")


def _stop(proc):
    import signal

    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out, err


def test_serve_for_real_with_the_first_token(tmp_path):
    pytest.importorskip("hypercorn")
    import httpx

    proc, url = _start_server(tmp_path)
    try:
        token = proc.stdout.readline().strip()  # the bootstrap token, alone on stdout
        assert token.startswith("tsdb_")
        assert httpx.get(f"{url}/ping").status_code == 204
        auth = {"Authorization": f"Token {token}"}
        assert httpx.post(f"{url}/write?db=mydb", content=b"cpu v=1", headers=auth).status_code == 204
        r = httpx.get(f"{url}/query", params={"db": "mydb", "q": "SELECT count(v) FROM cpu"}, headers=auth)
        assert r.json()["results"][0]["series"][0]["values"][0][1] == 1
        assert httpx.get(f"{url}/query", params={"db": "mydb", "q": "SHOW DATABASES"}).status_code == 401
    finally:
        _, err = _stop(proc)
    assert "tsdb: stopped; store flushed and closed" in err


@pytest.mark.slow
def test_serve_demo_answers_the_noaa_queries_of_the_docs(tmp_path):
    pytest.importorskip("hypercorn")
    import httpx

    proc, url = _start_server(tmp_path, "--demo", "--no-auth")
    try:
        q = "SELECT count(water_level) FROM h2o_feet WHERE location = 'santa_monica'"
        r = httpx.get(f"{url}/query", params={"db": "NOAA_water_database", "q": q})
        assert r.json()["results"][0]["series"][0]["values"][0][1] == 7658  # one point every 6 min, 2019-08-17 to 2019-09-17T21:42Z
        r = httpx.get(f"{url}/query", params={"db": "devops", "q": "SELECT count(usage_user) FROM cpu"})
        assert r.json()["results"][0]["series"][0]["values"][0][1] == 3600
    finally:
        _stop(proc)


def test_a_data_dir_that_cannot_be_is_a_user_error(run, tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    r = run("write", "-d", "x", "--data-dir", str(f), input=b"cpu v=1")
    assert r.exit_code == 2 and "is a file" in r.stderr  # click's own check
    r = run("write", "-d", "x", "--data-dir", str(f / "sub"), input=b"cpu v=1")
    assert (r.exit_code, r.stderr) == (1, f"Error: Not a directory: {f / 'sub'}\n")
