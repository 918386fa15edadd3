"""User names never escape the store root: encoding table and a hostile end-to-end test."""
from __future__ import annotations

import os

import polars as pl
import pytest

import tsdb_core
from tsdb_core.base.types import FieldType, MeasurementBatch
from tsdb_core.storage.paths import MAX_COMPONENT, encode_name
from tsdb_core.base.time import MAX_TIME, MIN_TIME

T0 = 1_700_000_000_000_000_000

ENCODE_CASES = [
    ("cpu", "cpu"),
    ("my_db-1", "my_db-1"),
    ("", "%"),
    (".", "%2E"),
    ("..", "%2E%2E"),
    ("../etc", "%2E%2E%2Fetc"),
    ("a/b", "a%2Fb"),
    ("a\\b", "a%5Cb"),
    ("nul\x00", "nul%00"),
    ("100%", "100%25"),
    ("héllo", "h%C3%A9llo"),
    ("space here", "space%20here"),
]


@pytest.mark.no_catalog
@pytest.mark.parametrize("name,encoded", ENCODE_CASES, ids=[repr(c[0]) for c in ENCODE_CASES])
def test_encode_name(name, encoded):
    assert encode_name(name) == encoded


@pytest.mark.no_catalog
@pytest.mark.parametrize("name", ["x" * 1000, "é" * 300, "/" * 500, ".." * 200],
                         ids=["x*1000", "é*300", "/*500", "..*200"])
def test_long_names_are_cut_and_hashed(name):
    enc = encode_name(name)
    assert len(enc.encode()) <= MAX_COMPONENT and "/" not in enc and enc not in (".", "..")
    assert enc != encode_name(name + "y")


HOSTILE = ["../../escape", "/abs/path", "a/../../b", "..", ".", "nul\x00byte", "x" * 5000, "ünïcødé ✓ 日本",
           "C:\\windows", "con", "back\\slash", "%2E%2E", "~user", "-rf", "\n\t", "*?[]", "wal", "LOCK",
           "catalog.json", "store.lock", "_series.arrow"]


@pytest.mark.parametrize("disk", [True])
def test_hostile_names_stay_inside_the_root(tmp_path, disk):
    root = tmp_path / "root"
    with tsdb_core.open(root) as s:
        for i, name in enumerate(HOSTILE):
            s.create_database(name)
            s.create_retention_policy(name, name, duration=0, default=True)
            frame = pl.DataFrame({"time": [T0 + i], "host": [name], "v": [float(i)]})
            batch = MeasurementBatch(name, frame, ("host",), {"v": FieldType.FLOAT})
            assert s.write_batches(name, [batch]).points_written == 1
        s.flush()
        s.compact()
        for i, name in enumerate(HOSTILE):
            assert s.measurements(name) == [name]
            assert s.scan(name, None, name, MIN_TIME, MAX_TIME).collect().to_dicts() == [{"time": T0 + i, "host": name, "v": float(i)}]
    assert sorted(os.listdir(tmp_path)) == ["root"]
    real_root = root.resolve()
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = (root / os.path.relpath(os.path.join(dirpath, n), root)).resolve()
            assert real_root in p.parents
            assert len(n.encode()) <= 255
    with tsdb_core.open(root) as s:  # and it all reads back after reopen
        assert sorted(s.databases()) == sorted(HOSTILE)
        for i, name in enumerate(HOSTILE):
            assert s.scan(name, None, name, MIN_TIME, MAX_TIME).collect()["v"].to_list() == [float(i)]


def test_hostile_names_through_line_protocol(tmp_path):
    root = tmp_path / "root"
    with tsdb_core.open(root) as s:
        s.create_database("../../db")  # an existing database's whole name wins over db/rp splitting
        r = s.write("../../db", f"../../../etc/passwd,host=../x v=1 {T0}\n/abs v=2 {T0}".encode())
        assert r.points_written == 2
        s.flush()
        assert s.measurements("../../db") == ["../../../etc/passwd", "/abs"]
        with pytest.raises(tsdb_core.RetentionPolicyNotFound):
            s.write("../../other", f"m v=1 {T0}".encode())  # db "..", rp "../other": refused, nothing created
        assert s.databases() == ["../../db"]
    assert sorted(os.listdir(tmp_path)) == ["root"]
