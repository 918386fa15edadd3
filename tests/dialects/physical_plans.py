"""What the v3 physical-plan tests share: two rows of one measurement and the plan EXPLAIN prints."""
from __future__ import annotations

import tsdb_core

ROWS = "m,host=a,region=r f=1,g=2i 1000000000\nm,host=b,region=r f=2,g=3i 2000000000\n"
STRIDE = "IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }"


def v3_store(*, flush: bool = False):
    """An influxdb3 store holding ROWS (written to a file when ``flush``), closed afterwards."""
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", ROWS).ok
    if flush:
        s.flush()
    yield s
    s.close()


def physical_text(store, q: str) -> str:
    """The physical_plan EXPLAIN answers for ``q``."""
    (res,) = store.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    return {s["name"]: s["values"][0][0] for s in res["series"]}["physical_plan"]


def physical(store, q: str) -> list[str]:
    """:func:`physical_text`'s lines, stripped of their indentation."""
    return [line.strip() for line in physical_text(store, q).splitlines()]
