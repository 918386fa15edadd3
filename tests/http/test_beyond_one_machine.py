"""The README's "Beyond one machine" commands, end to end: one writer and two readers of a store
in S3 with its catalog in PostgreSQL, each ``tsdb serve`` its own process with its own local
directory (as on three machines), reached over real HTTP.

The S3 API server is moto's on 127.0.0.1 (real S3 HTTP), PostgreSQL a throwaway cluster
(tests/pg_cluster.py); both are skipped, saying why, only where they cannot run. The commands
are what a user types: the AWS settings come from the environment, the tokens from
``tsdb token create``, the points from the InfluxDB v2 client.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
NS = 1_000_000_000


@pytest.fixture()
def s3(s3_server):
    """The session's S3 server (tests/storage/s3server.py); a fresh bucket per test."""
    return s3_server


@pytest.fixture()
def postgres(pg_cluster):
    """The session's PostgreSQL cluster (tests/stores.py); a fresh schema per test."""
    return pg_cluster


class Machines:
    """The environment each "machine" runs ``tsdb`` in, and the servers it started."""

    def __init__(self, s3, tmp_path: Path):
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "xdg"),
                    "AWS_ENDPOINT_URL": s3.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
        self.procs: list[subprocess.Popen] = []

    def tsdb(self, *commands: list[str]) -> list[str]:
        """``tsdb ARGS`` for each of ``commands`` in this process (the command's own code, in this
        machine's environment, without a process start each: ~1.5 s of imports); their stdout."""
        from click.testing import CliRunner

        from tsdb_core.cli import cli

        outs = []
        for args in commands:
            res = CliRunner().invoke(cli, args, env=self.env)
            assert res.exit_code == 0, f"tsdb {' '.join(args)}: {res.output}"
            outs.append(res.stdout)
        return outs

    def serve(self, *commands: list[str]) -> list[str]:
        """``tsdb serve ARGS --port 0`` for each of ``commands``, all at once, left running;
        their base URLs once they listen."""
        procs = [subprocess.Popen([sys.executable, "-m", "tsdb_core.cli", "serve", *args, "--port", "0"],
                                  env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for args in commands]
        self.procs += procs
        return [self._url(args, proc) for args, proc in zip(commands, procs)]

    @staticmethod
    def _url(args: list[str], proc: subprocess.Popen) -> str:
        lines = []
        for line in proc.stderr:  # "tsdb: serving http://127.0.0.1:PORT (...)" once it listens
            lines.append(line)
            if line.startswith("tsdb: serving "):
                return line.split()[2]
        raise AssertionError(f"tsdb serve {' '.join(args)} did not start (exit {proc.wait()}):\n{''.join(lines)}")

    def stop_all(self) -> list[tuple[int, str]]:
        """SIGTERM every server, readers first; (exit code, stderr) of each."""
        out = []
        for proc in reversed(self.procs):
            proc.send_signal(signal.SIGTERM)
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            out.append((proc.returncode, err))
        return out


@pytest.fixture()
def machines(s3, tmp_path):
    m = Machines(s3, tmp_path)
    yield m
    m.stop_all()


def _query(base: str, token: str, q: str) -> httpx.Response:
    return httpx.get(f"{base}/query", params={"db": "metrics", "q": q},
                     headers={"Authorization": f"Token {token}"}, timeout=30)


def _wait_for_rows(base: str, token: str, want: int, deadline_s: float = 30) -> int:
    """The reader's answer to a count once it holds ``want`` points (the writer's flush lands)."""
    deadline = time.monotonic() + deadline_s
    while True:
        r = _query(base, token, "SELECT count(usage) FROM cpu")
        assert r.status_code == 200, r.text
        series = r.json()["results"][0].get("series")
        got = series[0]["values"][0][1] if series else 0
        if got == want or time.monotonic() > deadline:
            assert got == want, f"{base}: {got} points after {deadline_s} s, want {want}: {r.text}"
            return got
        time.sleep(0.2)


def test_a_writer_and_two_readers_on_s3_and_postgresql_then_another_writer(machines, s3, postgres, tmp_path):
    """One writer and two readers; then the writer's machine is retired (stopped cleanly) and a
    writer started on another machine, with its own empty local directory, carries on over the
    same bucket and catalog while the readers keep answering and follow it. (One scenario: each
    ``tsdb serve`` start costs seconds of imports, so the takeover reuses the first part's readers.)"""
    pytest.importorskip("influxdb_client")
    from influxdb_client import InfluxDBClient, Point, WritePrecision
    from influxdb_client.client.write_api import SYNCHRONOUS

    t0 = (time.time_ns() // NS - 3600) * NS  # an hour ago: inside the default 3-day retention
    data = f"s3://{s3.new_bucket()}/metrics"
    catalog = postgres.fresh_url()
    a, b, c, a2 = (str(tmp_path / name) for name in ("writer", "reader-1", "reader-2", "writer-2"))
    store = ["--data-dir", data, "--catalog", catalog]

    create = ["token", "create", "--data-dir", data, "--database", "metrics"]
    write_token, *read_tokens, second_token = (out.strip() for out in machines.tsdb(
        [*create, "--wal-dir", a, "--write", "--read"], [*create, "--wal-dir", b, "--read"],
        [*create, "--wal-dir", c, "--read"], [*create, "--wal-dir", a2, "--write", "--read"]))
    [writer] = machines.serve([*store, "--wal-dir", a, "--flush-interval", "1"])
    readers = machines.serve(["--read-only", *store, "--wal-dir", b], ["--read-only", *store, "--wal-dir", c])

    points = [Point("cpu").tag("host", f"h{i % 3}").field("usage", float(i)).time(t0 + i * NS, WritePrecision.NS)
              for i in range(30)]
    with InfluxDBClient(url=writer, token=write_token, org="-") as client:
        client.write_api(write_options=SYNCHRONOUS).write(bucket="metrics", record=points)

    for base, token in zip(readers, read_tokens):
        assert _wait_for_rows(base, token, 30) == 30
        r = _query(base, token, "SELECT sum(usage) FROM cpu GROUP BY host")
        sums = {s["tags"]["host"]: s["values"][0][1] for s in r.json()["results"][0]["series"]}
        assert sums == {f"h{k}": float(sum(range(k, 30, 3))) for k in range(3)}
        r = _query(base, token, "SELECT usage FROM cpu WHERE host = 'h1' ORDER BY time DESC LIMIT 1")
        assert r.json()["results"][0]["series"][0]["values"][0][1] == 28.0
        for tok in (token, write_token):  # a read token may not write; the writer's is unknown here
            w = httpx.post(f"{base}/api/v2/write", params={"bucket": "metrics"}, content=f"cpu usage=1 {t0}",
                           headers={"Authorization": f"Token {tok}"})
            assert w.status_code == 401, w.text

    # the readers' tokens are theirs: one machine's token does not open another's server
    assert _query(readers[0], read_tokens[1], "SELECT count(usage) FROM cpu").status_code == 401
    assert _query(writer, read_tokens[0], "SELECT count(usage) FROM cpu").status_code == 401

    more = [Point("cpu").tag("host", "h9").field("usage", 100.0).time(t0 + 100 * NS, WritePrecision.NS)]
    with InfluxDBClient(url=writer, token=write_token, org="-") as client:
        client.write_api(write_options=SYNCHRONOUS).write(bucket="metrics", record=more)
    for base, token in zip(readers, read_tokens):
        assert _wait_for_rows(base, token, 31) == 31  # followed: the next flush is seen too

    _another_machine_takes_over(machines, store, a2, second_token, readers, read_tokens, t0)

    for code, err in machines.stop_all():
        assert code == 0, err
    machines.procs.clear()
    for d in (b, c):  # a reader keeps its tokens and copies of what it fetched; the data lives in S3
        kept = [p for p in Path(d).rglob("*") if p.is_file() and p.name not in ("tokens.json", "tokens.lock")]
        assert (Path(d) / "tokens.json").is_file() and kept
        assert all(p.parent == Path(d) / "object-cache" for p in kept), kept
    keys = [info.path for info in s3.filesystem().get_file_info(_selector(data))]
    assert any(k.endswith(".parquet") for k in keys), keys


def _another_machine_takes_over(machines, store, wal_dir, token, readers, read_tokens, t0):
    """The writer (the first server started) retires cleanly; a writer on another machine, with its
    own empty local directory, answers with the first one's points and carries on; the readers follow."""
    retired = machines.procs.pop(0)
    retired.send_signal(signal.SIGTERM)
    assert retired.wait(60) == 0, retired.stderr.read()

    [second] = machines.serve([*store, "--wal-dir", wal_dir, "--flush-interval", "1"])
    r = _query(second, token, "SELECT count(usage) FROM cpu")
    assert r.json()["results"][0]["series"][0]["values"][0][1] == 31, r.text  # the first writer's points
    body = "\n".join(f"cpu,host=h{i % 2} usage={i} {t0 + i * NS}" for i in range(200, 205))
    r = httpx.post(f"{second}/api/v2/write", params={"bucket": "metrics"}, content=body,
                   headers={"Authorization": f"Token {token}"}, timeout=30)
    assert r.status_code == 204, r.text
    for base, tok in zip(readers, read_tokens):
        assert _wait_for_rows(base, tok, 36) == 36
        r = _query(base, tok, "SELECT sum(usage) FROM cpu")
        assert r.json()["results"][0]["series"][0]["values"][0][1] == float(sum(range(30)) + 100 + sum(range(200, 205)))


def _selector(uri: str):
    import pyarrow.fs as pafs

    return pafs.FileSelector(uri.removeprefix("s3://"), recursive=True)


def test_token_commands_keep_a_remote_stores_tokens_in_the_wal_dir(tmp_path):
    from click.testing import CliRunner

    from tsdb_core.cli import cli

    run = CliRunner().invoke
    remote = ["--data-dir", "s3://bucket/prefix", "--wal-dir", str(tmp_path / "local")]
    res = run(cli, ["token", "create", *remote, "--database", "metrics", "--read"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "local" / "tokens.json").is_file() and not Path("s3:").exists()
    listed = run(cli, ["token", "list", *remote, "--json"])
    assert '"metrics"' in listed.output and listed.output.count("\n") == 1
    res = run(cli, ["token", "create", "--data-dir", str(tmp_path / "d"), "--wal-dir", str(tmp_path / "x"),
                    "--database", "metrics", "--read"])
    assert res.exit_code == 1 and "wal_dir is for stores in object storage" in res.output
