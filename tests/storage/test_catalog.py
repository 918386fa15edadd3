"""Catalog: InfluxDB's DDL rules and a JSON round trip."""
from __future__ import annotations

import pytest

from tsdb_core.base.retention import default_shard_group_duration, normalised_shard_duration
from tsdb_core.storage.catalog import Catalog, FileMeta, MeasurementMeta
from tsdb_core.base.errors import DatabaseNotFound, UserError
from tsdb_core.base.types import FieldType
from tsdb_core.base.time import D, H, M, W

SGD = [(0, W), (H, H), (47 * H, H), (2 * D, D), (30 * D, D), (179 * D, D), (180 * D, W), (1000 * D, W)]


@pytest.mark.no_catalog
@pytest.mark.parametrize("duration,expected", SGD, ids=[str(d) for d, _ in SGD])
def test_default_shard_group_duration(duration, expected):
    assert default_shard_group_duration(duration) == expected


@pytest.mark.no_catalog
@pytest.mark.parametrize("shard,duration,expected", [(0, 0, W), (M, 0, H), (2 * H, 0, 2 * H), (0, 3 * D, D)])
def test_normalised_shard_duration(shard, duration, expected):
    assert normalised_shard_duration(shard, duration) == expected


DDL_ERRORS = [
    ("create_database('')", "database name required"),
    ("create_retention_policy('nodb', 'r', duration=0)", "database not found: nodb"),
    ("create_retention_policy('db', 'r', duration=M)", "retention policy duration must be at least 1h0m0s"),
    ("create_retention_policy('db', 'r', duration=H, shard_duration=2 * H)",
     "retention policy duration must be greater than the shard duration"),
    ("create_retention_policy('db', 'autogen', duration=H)", "retention policy already exists"),
    ("create_retention_policy('db', 'r', duration=0, replication=0)", "replication factor must be greater than 0"),
    ("create_database('db', duration=H)", "retention policy conflicts with an existing policy"),
    ("create_retention_policy('db', '', duration=0)", "retention policy name required"),
]


@pytest.mark.no_catalog
@pytest.mark.parametrize("call,message", DDL_ERRORS, ids=[c for c, _ in DDL_ERRORS])
def test_ddl_errors(call, message):
    cat = Catalog()
    cat.create_database("db")
    with pytest.raises(UserError) as exc:
        eval(f"cat.{call}", {"cat": cat, "H": H, "M": M})
    assert str(exc.value) == message


@pytest.mark.no_catalog
def test_create_database_is_idempotent_and_keeps_order():
    cat = Catalog()
    for name in ["b", "a", "c", "a"]:
        cat.create_database(name)
    assert list(cat.databases) == ["b", "a", "c"]
    assert cat.create_database("a", duration=0, rp_name="autogen") is False  # same spec: fine


@pytest.mark.no_catalog
def test_json_round_trip():
    cat = Catalog()
    cat.create_database("db", duration=3 * D, rp_name="three")
    cat.create_retention_policy("db", "forever", duration=0, default=True)
    cat.databases["db"].measurements["cpu"] = MeasurementMeta({"v": FieldType.FLOAT, "n": FieldType.UNSIGNED}, {"host"})
    f = FileMeta(cat.allocate_file_id(), "db", "three", "cpu", 0, D, 5, 10, 3, 1234, ("time", "host", "v"), "x/y.parquet")
    cat.add_file(f)
    back = Catalog.from_bytes(cat.to_bytes())
    assert back.to_bytes() == cat.to_bytes()
    assert back.files[("db", "three", "cpu")] == [f] and back.next_file_id == 2
    assert back.rp("db", None).name == "forever" and back.rp("db", "three").shard_group_duration == D
    with pytest.raises(DatabaseNotFound):
        back.rp("zz", None)
