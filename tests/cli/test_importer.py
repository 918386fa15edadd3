"""Batching of line protocol and the ``influx -import`` format (tsdb_core/cli/importer.py)."""
from __future__ import annotations

import gzip
import io

import pytest

from tsdb_core.cli.importer import Batch, ImportStats, Statement, open_input, read_batches, run_import
from tsdb_core.base.errors import LineProtocolError, UserError
from tsdb_core.base.types import LineError, WriteResult

EXPORT = b"""# INFLUXDB EXPORT: 1677-09-21T00:12:43Z - 2262-04-11T23:47:16Z
# DDL
CREATE DATABASE noaa WITH NAME autogen
CREATE RETENTION POLICY oneday ON noaa DURATION 1d REPLICATION 1
# DML
# CONTEXT-DATABASE:noaa
# CONTEXT-RETENTION-POLICY:autogen
# writing tsm data
h2o,loc=a v=1 1
h2o,loc=b v=2 2

h2o,loc=c v=3 3
# CONTEXT-RETENTION-POLICY:oneday
h2o,loc=a v=4 4
"""


def items(data: bytes, **kw):
    return list(read_batches(io.BytesIO(data), **kw))


def test_influx_export_file():
    assert items(EXPORT, batch_size=2, import_format=True) == [
        Statement("CREATE DATABASE noaa WITH NAME autogen", 3),
        Statement("CREATE RETENTION POLICY oneday ON noaa DURATION 1d REPLICATION 1", 4),
        Batch("noaa", "autogen", b"h2o,loc=a v=1 1\nh2o,loc=b v=2 2", [9, 10]),
        Batch("noaa", "autogen", b"h2o,loc=c v=3 3", [12]),
        Batch("noaa", "oneday", b"h2o,loc=a v=4 4", [14]),
    ]


def test_plain_line_protocol_ignores_headers():
    assert items(b"# CONTEXT-DATABASE: x\r\ncpu v=1 1\r\n\r\ncpu v=2 2", db="d", rp="r") == [
        Batch("d", "r", b"cpu v=1 1\ncpu v=2 2", [2, 4])]


def test_import_without_ddl_starts_in_dml():
    assert items(b"cpu v=1 1\n# CONTEXT-DATABASE: x\ncpu v=2 2\n", db="d", import_format=True) == [
        Batch("d", None, b"cpu v=1 1", [1]), Batch("x", None, b"cpu v=2 2", [3])]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_open_input_detects_gzip(tmp_path, compress):
    f = tmp_path / "x.lp"
    f.write_bytes(gzip.compress(b"cpu v=1 1\n") if compress else b"cpu v=1 1\n")
    seen = []
    with open_input(str(f), seen.append) as stream:
        assert stream.read() == b"cpu v=1 1\n"
    assert sum(seen) == f.stat().st_size  # progress counts bytes of the file as stored


def test_open_input_missing(tmp_path):
    with pytest.raises(UserError, match="no such file: "):
        open_input(str(tmp_path / "nope"))


class Recorder:
    def __init__(self, fail_all=False):
        self.writes, self.fail_all = [], fail_all

    def write(self, db, body, precision="ns", rp=None):
        self.writes.append((db, rp, body, precision))
        if self.fail_all:
            raise LineProtocolError("unable to parse", [LineError(1, body.decode(), "bad line")])
        n = body.count(b"\n") + 1
        return WriteResult(points_written=n - 1, values_written=n - 1,
                           errors=[LineError(n, body.splitlines()[-1].decode(), "last line refused")])

    def query(self, q, db=None, **kw):
        class R:
            error = None
            statements = []
        return R()


def test_run_import_maps_errors_to_file_lines():
    store = Recorder()
    stats = run_import(store, io.BytesIO(EXPORT), source="f", stats=ImportStats(), db=None, rp=None,
                       batch_size=2, import_format=True, precision="s")
    assert [(w[0], w[1], w[3]) for w in store.writes] == [("noaa", "autogen", "s")] * 2 + [("noaa", "oneday", "s")]
    assert (stats.points, stats.lines, stats.statements, stats.failed) == (1, 4, 2, 3)
    assert [(src, e.line, e.reason) for src, e in stats.errors] == [
        ("f", 10, "last line refused"), ("f", 12, "last line refused"), ("f", 14, "last line refused")]


def test_run_import_counts_a_wholly_refused_batch():
    stats = run_import(Recorder(fail_all=True), io.BytesIO(b"x\ny\n"), source="s", stats=ImportStats(),
                       db="d", rp=None, batch_size=1, max_errors=1)
    assert stats.failed == 2 and len(stats.errors) == 1 and stats.errors[0][1].line == 1
