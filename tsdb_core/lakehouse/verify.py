"""Check that the Iceberg view of a store matches the store.

Per table: the store files copied are exactly the live files not held back; the rows an
Iceberg scan returns (count, min and max time) equal the store's merged rows outside the
windows holding held-back files; inside those windows the difference is reported, not
hidden. The store side is read through its query path (merged, deduplicated), so a
reader that sees duplicates or misses files is caught.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from .copies import source_id
from .mapping import TIME, TIME_NS
from .publisher import Publisher, current_files
from .view import TableView, read_view

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


@dataclass
class TableCheck:
    """One table's comparison (``problems`` empty when the two agree)."""

    ident: tuple[str, ...]
    store_rows: int = 0
    iceberg_rows: int = 0
    store_time: tuple[int | None, int | None] = (None, None)
    iceberg_time: tuple[int | None, int | None] = (None, None)
    files: int = 0
    held_files: int = 0
    held_rows: int = 0  # store rows in windows with held-back files (not compared)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The table matches the store (no problem found)."""
        return not self.problems


def verify(publisher: Publisher) -> list[TableCheck]:
    """Compare every table of the store with its Iceberg table (missing and extra tables too)."""
    ours = publisher.our_tables()
    view = read_view(publisher.store, frozenset(publisher.published_keys()))
    checks = []
    for ident, tv in view.tables.items():
        check = TableCheck(ident)
        if ident not in ours:
            check.problems.append("not published")
        else:
            _compare(publisher, tv, check)
        checks.append(check)
    for ident in sorted(ours - view.tables.keys()):
        checks.append(TableCheck(ident, problems=["published, but the store has no such measurement"]))
    return checks


def _compare(publisher: Publisher, tv: TableView, check: TableCheck) -> None:
    table = publisher.catalog.load_table(tv.ident)
    held = publisher.held_back(tv)
    want = {f.id for f in tv.files if f not in held}
    have = {source_id(u) for u in current_files(table.metadata, table.io)}  # the store files copied
    check.files, check.held_files = len(have), len(held)
    if want != have:
        check.problems.append(f"files differ: {len(want - have)} live not published, "
                              f"{len(have - want)} published not live")
    windows = sorted({(f.window_start, f.window_end) for f in held})
    outside = pl.lit(True)
    for lo, hi in windows:
        outside = outside & ~pl.col(TIME).is_between(lo, hi, closed="left")
    try:
        times = pl.from_arrow(table.scan(selected_fields=(TIME_NS,)).to_arrow()).rename({TIME_NS: TIME})
    except OSError as exc:  # a published file the store no longer has
        check.problems.append(f"Iceberg scan failed: {exc}")
        return
    assert isinstance(times, pl.DataFrame)
    ice = times.lazy().filter(outside).select(_summary()).collect().row(0)
    store = publisher.store.scan(tv.db, tv.rp, tv.measurement, INT64_MIN, INT64_MAX, [TIME])
    both = store.select(pl.len().alias("all"), *_summary(outside)).collect().row(0)
    check.iceberg_rows, check.iceberg_time = ice[0], (ice[1], ice[2])
    check.store_rows, check.store_time = both[1], (both[2], both[3])
    check.held_rows = both[0] - both[1]
    if ice[0] != both[1]:
        check.problems.append(f"rows differ: store {both[1]}, Iceberg {ice[0]}")
    if check.iceberg_time != check.store_time:
        check.problems.append(f"time range differs: store {check.store_time}, Iceberg {check.iceberg_time}")


def _summary(where: pl.Expr | None = None) -> list[pl.Expr]:
    t = pl.col(TIME) if where is None else pl.col(TIME).filter(where)
    return [t.len().alias("rows"), t.min().alias("tmin"), t.max().alias("tmax")]
