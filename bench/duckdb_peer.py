"""DuckDB in process, beside tsdb-embedded: the same rows as a native table, the TSBS queries in SQL.

The line-protocol file is parsed once (Polars string functions; not timed: DuckDB has no
line-protocol reader) into one frame sorted by series, then time, as tsdb stores it; the
timed load is ``CREATE TABLE cpu AS`` from that frame into a database file, and the disk
figure is that file after a ``CHECKPOINT``. Queries run with ``threads`` = 2; the load runs
on one thread, which on this data is both faster and leaves a compact file (a parallel
``CREATE TABLE AS`` left 218 of 479 blocks free: 14.5 bytes/value instead of 7.7).

Each query is the SQL meaning of the TSBS InfluxQL query (same hosts, same windows, InfluxQL's
half-open windows and column names), and its rows are shaped as InfluxDB's JSON answer so the
harness can check them against tsdb's.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import orjson
import polars as pl

from .queries import BenchQuery, QueryParts, parts

TIME_FMT = "%Y-%m-%dT%H:%M:%SZ"


def parse_line_protocol(data: bytes | Iterable[bytes | memoryview]) -> pl.DataFrame:
    """TSBS cpu lines (``cpu,<tags> <fields> <ns>``, the same keys in the same order on every
    line) as a frame sorted by series, then time: time (Datetime ns), tags (String), fields
    (Float64). ``data`` may come as chunks of whole lines, parsed one at a time (the
    1,000-host file is 4 GiB of text, its frame a fraction of that)."""
    chunks = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
    frames = [_parse_chunk(bytes(chunk)) for chunk in chunks]
    frame = pl.concat(frames, rechunk=True) if len(frames) > 1 else frames[0]
    del frames
    tag_keys = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.sort([*sorted(tag_keys), "time"])


def _parse_chunk(data: bytes) -> pl.DataFrame:
    first = data[: data.index(b"\n")].decode()
    key, fields, _ = first.split(" ")
    tag_keys = [kv.split("=", 1)[0] for kv in key.split(",")[1:]]
    field_keys = [kv.split("=", 1)[0] for kv in fields.split(",")]
    lines = pl.Series("l", data.decode().splitlines())
    cols = lines.str.split(" ")
    tags = cols.list.get(0).str.split(",")
    vals = cols.list.get(1).str.split(",")
    return pl.DataFrame({
        "time": cols.list.get(2).cast(pl.Int64).cast(pl.Datetime("ns")),
        **{k: tags.list.get(i + 1).str.slice(len(k) + 1) for i, k in enumerate(tag_keys)},
        **{k: vals.list.get(i).str.slice(len(k) + 1).cast(pl.Float64) for i, k in enumerate(field_keys)},
    })


class DuckPeer:
    """A DuckDB database file in a temp folder holding table ``cpu``."""

    name = "duckdb"

    def __init__(self, threads: int = 2):
        import duckdb
        self.root = Path(tempfile.mkdtemp(prefix="bench-duckdb-"))
        self.path = self.root / "bench.duckdb"
        self.threads = threads
        self.con = duckdb.connect(str(self.path), config={"threads": threads})
        self.tags: list[str] = []
        self.fields: list[str] = []

    def load(self, frame: pl.DataFrame) -> float:
        """Seconds to create the table from the frame (and checkpoint it to the file)."""
        self.tags = sorted(c for c, t in frame.schema.items() if t == pl.String)
        self.fields = sorted(c for c, t in frame.schema.items() if t == pl.Float64)
        arrow = frame.with_columns(pl.col("time").cast(pl.Datetime("us"))).to_arrow()
        t0 = time.perf_counter()
        self.con.execute("SET threads = 1")   # a parallel load leaves half the file's blocks free
        self.con.register("incoming", arrow)
        self.con.execute("CREATE OR REPLACE TABLE cpu AS SELECT * FROM incoming")
        self.con.unregister("incoming")
        self.con.execute("CHECKPOINT")
        seconds = time.perf_counter() - t0
        self.con.execute(f"SET threads = {self.threads}")
        return seconds

    def disk_bytes(self) -> int:
        self.con.execute("CHECKPOINT")
        return sum(p.stat().st_size for p in self.root.iterdir() if p.is_file())

    def run(self, sql_and_tags: str) -> tuple[int, bytes]:
        """Run one translated query (:func:`translate`); InfluxDB's JSON shape as bytes."""
        sql, ntags, columns = orjson.loads(sql_and_tags)
        rows = self.con.execute(sql).fetchall()
        return 200, orjson.dumps(influx_shape(rows, ntags, columns))

    def translate(self, bq: BenchQuery) -> str | None:
        sql = to_sql(parts(bq), self.tags, self.fields)
        return None if sql is None else orjson.dumps(sql).decode()

    def close(self) -> None:
        import shutil
        self.con.close()
        shutil.rmtree(self.root, ignore_errors=True)


def influx_shape(rows: list[tuple], ntags: list[str], columns: list[str]) -> dict:
    """Rows whose first ``len(ntags)`` values are series tags, as InfluxDB 1.x's JSON answer."""
    series: list[dict] = []
    for row in rows:
        tags = dict(zip(ntags, row[: len(ntags)]))
        if not series or series[-1].get("tags", {}) != tags:
            s = {"name": "cpu", **({"tags": tags} if ntags else {}), "columns": columns, "values": []}
            series.append(s)
        series[-1]["values"].append(list(row[len(ntags):]))
    return {"results": [{"statement_id": 0, **({"series": series} if series else {})}]}


def _ts(rfc: str) -> str:
    return f"TIMESTAMP '{rfc.replace('T', ' ').rstrip('Z')}'"


def _where(p: QueryParts, extra: str = "") -> str:
    conds = [extra] if extra else []
    if p.hosts:
        conds.append("hostname IN (" + ", ".join(f"'{h}'" for h in p.hosts) + ")")
    if p.start:
        conds.append(f"time >= {_ts(p.start)}")
    if p.end:
        conds.append(f"time < {_ts(p.end)}")
    return (" WHERE " + " AND ".join(conds)) if conds else ""


def _names(fn: str, n: int) -> list[str]:
    return [fn] + [f"{fn}_{i}" for i in range(1, n)]


def to_sql(p: QueryParts, tags: list[str], fields: list[str]) -> tuple[str, list[str], list[str]] | None:
    """(SQL, series tag columns, InfluxQL column names) for one query; series come in the
    order InfluxDB gives them (by tag value; reversed under ORDER BY time DESC)."""
    # windows: group on date_trunc, format only the groups' times (not every row's)
    if p.kind in ("single-groupby", "cpu-max-all", "groupby-orderby-limit"):
        unit = "hour" if p.kind == "cpu-max-all" else "minute"
        aggs = ", ".join(f"max({m}) AS a{i}" for i, m in enumerate(p.metrics))
        limit = " LIMIT 5" if p.kind == "groupby-orderby-limit" else ""
        outs = ", ".join(f"a{i}" for i in range(len(p.metrics)))
        sql = (f"SELECT strftime(t, '{TIME_FMT}'), {outs} FROM (SELECT date_trunc('{unit}', time) AS t, {aggs} "
               f"FROM cpu{_where(p)} GROUP BY 1) ORDER BY t{limit}")
        return sql, [], ["time", *_names("max", len(p.metrics))]
    if p.kind == "double-groupby":
        aggs = ", ".join(f"avg({m}) AS a{i}" for i, m in enumerate(p.metrics))
        outs = ", ".join(f"a{i}" for i in range(len(p.metrics)))
        sql = (f"SELECT hostname, strftime(t, '{TIME_FMT}'), {outs} FROM (SELECT hostname, "
               f"date_trunc('hour', time) AS t, {aggs} FROM cpu{_where(p)} GROUP BY 1, 2) ORDER BY 1, t")
        return sql, ["hostname"], ["time", *_names("mean", len(p.metrics))]
    star = sorted([*tags, *fields])
    tstr = f"strftime(time, '{TIME_FMT}')"
    if p.kind in ("high-cpu", "raw"):
        extra = "usage_user > 90.0" if p.kind == "high-cpu" else ""
        sql = (f"SELECT {tstr}, {', '.join(star)} FROM cpu{_where(p, extra)} "
               f"ORDER BY time, {', '.join(tags)}")
        return sql, [], ["time", *star]
    if p.kind == "lastpoint":
        rest = [c for c in star if c != "hostname"]
        # arg_max per column: a hash aggregate (a window with row_number() sorts the table)
        last = ", ".join(f"arg_max({c}, time)" for c in rest)
        sql = (f"SELECT hostname, strftime(max(time), '{TIME_FMT}'), {last} FROM cpu "
               f"GROUP BY hostname ORDER BY hostname DESC")
        return sql, ["hostname"], ["time", *rest]
    if p.kind == "count-all":
        sql = "SELECT '1970-01-01T00:00:00Z', " + ", ".join(f"count({f})" for f in fields) + " FROM cpu"
        return sql, [], ["time", *(f"count_{f}" for f in fields)]
    if p.kind == "show-tag-values":
        return ("SELECT 'hostname', hostname FROM (SELECT DISTINCT hostname FROM cpu) ORDER BY 2",
                [], ["key", "value"])
    return None
