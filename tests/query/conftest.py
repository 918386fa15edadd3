"""Fixtures for query tests: the NOAA sample loaded once into an in-memory store.

The sample is loaded with ``write_frame`` (columnar) rather than line protocol
so that query tests stay fast and independent of the ingest path.
"""
from __future__ import annotations

import gzip
import re
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from tsdb_core.base.types import FieldType

ROOT = Path(__file__).resolve().parents[2]
NOAA = ROOT / "data" / "NOAA_water_database.txt.gz"
NOAA_DB = "NOAA_water_database"
# A fixed clock, after the sample ends, so that now()-relative queries are deterministic.
NOW = 1_700_000_000_000_000_000

_LINE = re.compile(r'^(\w+),(\S+?) (.+) (\d+)$')


def noaa_frames() -> dict[str, tuple[pl.DataFrame, tuple[str, ...], dict[str, FieldType]]]:
    """The sample as one frame per measurement (the file has one simple shape per measurement)."""
    rows: dict[str, list] = defaultdict(list)
    for line in gzip.decompress(NOAA.read_bytes()).decode().splitlines():
        m = _LINE.match(line)
        name, tagtext, fieldtext, ts = m.groups()
        tags = dict(kv.split("=", 1) for kv in tagtext.split(","))
        fields = {}
        for kv in re.findall(r'((?:[^=,\\]|\\.)+)=("[^"]*"|[^,]+)', fieldtext):
            k, v = kv[0].replace("\\ ", " "), kv[1]
            if v.startswith('"'):
                fields[k] = v[1:-1]
            elif v.endswith("i"):
                fields[k] = int(v[:-1])
            else:
                fields[k] = float(v)
        rows[name].append({"time": int(ts), **tags, **fields})
    out = {}
    for name, recs in rows.items():
        df = pl.DataFrame(recs)
        tags = tuple(sorted(c for c in df.columns if df.schema[c] == pl.String and c in _TAGS))
        fields = {c: FieldType.from_polars(df.schema[c]) for c in df.columns
                  if c != "time" and c not in tags}
        out[name] = (df, tags, fields)
    return out


_TAGS = {"location", "randtag"}


def load_noaa(store) -> None:
    store.create_database(NOAA_DB)
    for name, (df, tags, fields) in noaa_frames().items():
        store.write_frame(NOAA_DB, None, name, df, tags, fields)


@pytest.fixture(scope="session")
def noaa_store(request):
    from tests.stores import settle, shared_store
    from tsdb_core.base.time import fixed_clock

    store = shared_store(request, fixed_clock(NOW))  # in memory; on S3 with TSDB_TEST_STORE=s3
    load_noaa(store)
    settle(store)
    yield store
    store.close()


def recorded_store(db: str, lines):
    """A module-scoped fixture: an in-memory store whose database ``db`` holds ``lines()`` (the
    data influxd's recorded answers were asked over)."""
    @pytest.fixture(scope="module")
    def store():
        import tsdb_core
        s = tsdb_core.open(None)
        s.create_database(db)
        assert s.write(db, "\n".join(lines())).ok
        yield s
        s.close()
    return store
