"""An in-memory DataProvider for the meta-statement tests (points as plain Python rows).

Only what SHOW/DDL/DELETE need; ``scan`` is a simple frame, not a storage engine.
"""
from __future__ import annotations

import polars as pl

from tsdb_core.base.types import FieldType
from tsdb_core.query.provider import DataProvider, MeasurementSchema, RetentionPolicyInfo
from tsdb_core.base.time import D

_TYPES = {"float": FieldType.FLOAT, "integer": FieldType.INTEGER, "string": FieldType.STRING,
          "boolean": FieldType.BOOLEAN, "unsigned": FieldType.UNSIGNED}


class FakeMetaProvider(DataProvider):
    def __init__(self, now: int = 0):
        self._now = now
        self.dbs: dict[str, dict] = {}  # insertion order = creation order, as influxd lists them
        self.deletes: list[tuple] = []
        self.fields: dict[tuple[str, str], dict[str, FieldType]] = {}

    # -- clock / catalog --------------------------------------------------------------
    def now(self) -> int:
        return self._now

    def databases(self) -> list[str]:
        return list(self.dbs)

    def has_database(self, db: str) -> bool:
        return db in self.dbs

    def retention_policies(self, db: str) -> list[RetentionPolicyInfo]:
        return list(self.dbs[db]["rps"])

    def resolve_rp(self, db: str, rp: str | None) -> str:
        if rp:
            return rp
        return next((p.name for p in self.dbs[db]["rps"] if p.default), "autogen")

    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        return sorted({p[0] for p in self.dbs[db]["points"]}) if db in self.dbs else []

    def schema(self, db: str, measurement: str) -> MeasurementSchema | None:
        pts = [p for p in self.dbs.get(db, {"points": []})["points"] if p[0] == measurement]
        if not pts:
            return None
        tags = sorted({k for p in pts for k in p[1]})
        # like influxd, a field stays in the schema while the measurement has any data
        fields = dict(sorted(self.fields[(db, measurement)].items()))
        return MeasurementSchema(measurement, tuple(tags), fields)

    # -- data ----------------------------------------------------------------------------
    def series(self, db: str, rp: str | None, measurement: str) -> pl.DataFrame:
        pts = [p for p in self.dbs[db]["points"] if p[0] == measurement]
        keys = sorted({k for p in pts for k in p[1]})
        sets = sorted({tuple(p[1].get(k) for k in keys) for p in pts}, key=lambda t: [x or "" for x in t])
        return pl.DataFrame({k: [s[i] for s in sets] for i, k in enumerate(keys)},
                            schema={k: pl.String for k in keys})

    def scan(self, db, rp, measurement, start, end, columns=None, tags=None) -> pl.LazyFrame:
        """The measurement's points in [start, end]: time, its tags, the fields asked (SHOW's time windows)."""
        pts = [p for p in self.dbs[db]["points"] if p[0] == measurement and start <= p[3] <= end]
        keys = sorted({k for p in self.dbs[db]["points"] if p[0] == measurement for k in p[1]})
        wanted = [c for c in (columns or []) if c not in keys]
        data = {"time": [p[3] for p in pts], **{k: [p[1].get(k) for p in pts] for k in keys},
                **{c: [p[2].get(c, (None, None))[1] for p in pts] for c in wanted}}
        return pl.DataFrame(data, schema={"time": pl.Int64, **{k: pl.String for k in keys}},
                            strict=False).lazy()

    def write_points(self, db: str, points) -> None:
        self.dbs[db]["points"].extend((m, dict(t), dict(f), ts) for m, t, f, ts in points)
        for m, _, f, _ in points:
            reg = self.fields.setdefault((db, m), {})
            for k, (typ, _) in f.items():
                reg.setdefault(k, _TYPES[typ])

    # -- changes ---------------------------------------------------------------------------
    def create_database(self, name, *, duration=None, shard_duration=None, replication=None, rp_name=None):
        if name in self.dbs:
            return
        rp = RetentionPolicyInfo(rp_name or "autogen", duration or 0, shard_duration or 7 * D,
                                 replication or 1, True)
        self.dbs[name] = {"rps": [rp], "points": []}

    def drop_database(self, name):
        self.dbs.pop(name, None)

    def create_retention_policy(self, db, name, *, duration, shard_duration=0, replication=1, default=False):
        rps = self.dbs[db]["rps"]
        if default:
            rps[:] = [_replace(p, default=False) for p in rps]
        rps.append(RetentionPolicyInfo(name, duration, shard_duration, replication, default))

    def alter_retention_policy(self, db, name, *, duration=None, shard_duration=None, replication=None,
                               default=None):
        rps = self.dbs[db]["rps"]
        if default:
            rps[:] = [_replace(p, default=False) for p in rps]
        for i, p in enumerate(rps):
            if p.name == name:
                rps[i] = RetentionPolicyInfo(
                    name, p.duration if duration is None else duration,
                    p.shard_group_duration if shard_duration is None else shard_duration,
                    p.replication if replication is None else replication,
                    p.default if default is None else default)

    def drop_retention_policy(self, db, name):
        self.dbs[db]["rps"] = [p for p in self.dbs[db]["rps"] if p.name != name]

    def drop_measurement(self, db, measurement):
        self.fields.pop((db, measurement), None)
        self.dbs[db]["points"] = [p for p in self.dbs[db]["points"] if p[0] != measurement]

    def delete(self, db, measurement, start, end, predicate=None):
        self.deletes.append((db, measurement, start, end, predicate))
        pts = self.dbs[db]["points"]
        mine = [p for p in pts if measurement is None or p[0] == measurement]
        keys = sorted({k for p in mine for k in p[1]})
        frame = pl.DataFrame({"time": [p[3] for p in mine], **{k: [p[1].get(k) for p in mine] for k in keys}},
                             schema={"time": pl.Int64, **{k: pl.String for k in keys}})
        hit = (pl.col("time") >= start) & (pl.col("time") <= end)
        if predicate is not None:
            hit = hit & predicate
        drop = frame.select(hit.alias("d"))["d"].to_list() if mine else []
        dropped = {id(p) for p, d in zip(mine, drop) if d}
        self.dbs[db]["points"] = [p for p in pts if id(p) not in dropped]

    def write_frame(self, *a, **k):
        raise NotImplementedError


def _replace(p: RetentionPolicyInfo, **kw) -> RetentionPolicyInfo:
    d = {"name": p.name, "duration": p.duration, "shard_group_duration": p.shard_group_duration,
         "replication": p.replication, "default": p.default}
    d.update(kw)
    return RetentionPolicyInfo(**d)
