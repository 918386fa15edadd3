"""A store with hand-made data shared by the SQL tests, and the same data as a Polars frame."""
from __future__ import annotations

import polars as pl
import pytest

import tsdb_core

MIN = 60_000_000_000
NOW = 3_600 * 1_000_000_000 * 24 * 365 * 54  # a fixed now() (about 2024), set on the store's clock
# (host, minute, usage, n, msg); the minutes leave gaps on purpose
ROWS = [
    ("a", 1, 1.5, 3, "x"), ("a", 2, 4.0, 9, "y"), ("a", 5, 2.0, 1, None),
    ("a", 9, 8.0, 4, "z"), ("b", 0, 5.0, 2, "p"), ("b", 3, None, 7, "q"),
    ("b", 4, 5.0, -6, "r"), ("c", 7, -1.0, 0, "s"),
]


def line(host, minute, usage, n, msg) -> str:
    fields = [f"n={n}i"] + ([f"usage={usage}"] if usage is not None else []) + ([f'msg="{msg}"'] if msg else [])
    return f"cpu,host={host} {','.join(fields)} {NOW - 10 * MIN + minute * MIN}"


@pytest.fixture(scope="package")
def store():
    st = tsdb_core.open(None)
    st.create_database("db")
    st.write("db", "\n".join(line(*r) for r in ROWS) + "\n")
    st.clock = lambda: NOW
    yield st
    st.close()


@pytest.fixture(scope="package")
def frame() -> pl.DataFrame:
    """The data as written, for computing expected answers independently of the SQL path."""
    return pl.DataFrame(
        {"host": [r[0] for r in ROWS], "t": [NOW - 10 * MIN + r[1] * MIN for r in ROWS],
         "usage": [r[2] for r in ROWS], "n": [r[3] for r in ROWS], "msg": [r[4] for r in ROWS]},
        schema={"host": pl.String, "t": pl.Int64, "usage": pl.Float64, "n": pl.Int64, "msg": pl.String})
