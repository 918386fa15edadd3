"""``tsdb db``, ``tsdb inspect``, ``tsdb compact``, ``tsdb retention``."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .common import CliError, data_dir_option, open_store


def _duration(text: str | None) -> int | None:
    """InfluxQL duration text → ns (``INF`` = 0, infinite); None stays None."""
    if text is None:
        return None
    if text.strip().lower() in ("inf", "infinite", "0"):
        return 0
    from ..testing import parse_duration

    try:
        return parse_duration(text.strip())
    except ValueError as exc:
        raise CliError(str(exc)) from None


def print_table(title: str | None, columns: list[str], rows: list[list[str]]) -> None:
    """A rich table on a terminal; plain aligned columns (header, dashes, rows) when piped."""
    from rich.console import Console

    console = Console(soft_wrap=False)
    if not console.is_terminal:
        from .output import _align

        if title:
            click.echo(title)
        for line in _align([columns, ["-" * len(c) for c in columns], *rows]):
            click.echo(line.rstrip())
        return
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for c in columns:
        table.add_column(c, justify="right" if c in _NUMERIC else "left", no_wrap=True)
    for r in rows:
        table.add_row(*r)
    console.print(table)


_NUMERIC = {"series", "points", "files", "rows", "bytes", "partitions", "size"}


# -- db ---------------------------------------------------------------------------

@click.group("db")
def db_group() -> None:
    """Create, list and drop databases."""


@db_group.command("create")
@data_dir_option
@click.argument("name")
@click.option("--duration", help="Retention of the default policy (e.g. 30d, INF).")
@click.option("--shard-duration", help="Partition window (default as InfluxDB: 1h, 1d or 7d).")
@click.option("--rp-name", help="Name of the default policy (default: autogen).")
def db_create(data_dir: Path, name: str, duration: str | None, shard_duration: str | None,
              rp_name: str | None) -> None:
    """Create database NAME (no error if it exists with the same settings)."""
    with open_store(data_dir) as store:
        store.create_database(name, duration=_duration(duration), shard_duration=_duration(shard_duration),
                              rp_name=rp_name)
    click.echo(f"created database {name}", err=True)


@db_group.command("list")
@data_dir_option
def db_list(data_dir: Path) -> None:
    """List the databases, one per line."""
    with open_store(data_dir, create=False) as store:
        for name in store.databases():
            click.echo(name)


@db_group.command("drop")
@data_dir_option
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def db_drop(data_dir: Path, name: str, yes: bool) -> None:
    """Drop database NAME and all its data."""
    with open_store(data_dir, create=False) as store:
        if name not in store.databases():
            raise CliError(f"database not found: {name}")
        if not yes:
            click.confirm(f"Drop database {name} and all its data?", abort=True, err=True)
        store.drop_database(name)
    click.echo(f"dropped database {name}", err=True)


# -- maintenance --------------------------------------------------------------------

@click.command("compact")
@data_dir_option
def compact_command(data_dir: Path) -> None:
    """Flush the write buffer, then merge small Parquet files and resolve duplicates."""
    with open_store(data_dir, create=False) as store:
        store.flush()
        merged = store.compact()
    click.echo(f"compacted {merged} partition(s)", err=True)


@click.group("retention")
def retention_group() -> None:
    """Retention policy maintenance."""


@retention_group.command("enforce")
@data_dir_option
def retention_enforce(data_dir: Path) -> None:
    """Delete the partitions older than their retention policy allows."""
    with open_store(data_dir, create=False) as store:
        removed = store.enforce_retention()
    click.echo(f"retention enforced: {removed} expired file(s) removed", err=True)


# -- inspect ------------------------------------------------------------------------

def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def inspect_rows(store: Any) -> list[list[str]]:
    """One row per database/RP/measurement: series, partitions, files, rows and bytes on disk."""
    files = list(store.files()) if hasattr(store, "files") else []
    by_key: dict[tuple[str, str, str], list[Any]] = {}
    for f in files:
        by_key.setdefault((f.db, f.rp, f.measurement), []).append(f)
    rows: list[list[str]] = []
    for db in store.databases():
        if not store.measurements(db):  # an empty database still shows, with its default policy
            rp = next((p.name for p in store.retention_policies(db) if p.default), "")
            rows.append([db, rp, "", "0", "0", "0", "0", human_bytes(0)])
        for m in store.measurements(db):
            series = store.series(db, None, m).height
            keys = sorted(k for k in by_key if k[0] == db and k[2] == m) or [(db, "", m)]
            for key in keys:
                fs = by_key.get(key, [])
                rows.append([db, key[1], m, str(series), str(len({f.window_start for f in fs})),
                             str(len(fs)), str(sum(f.rows for f in fs)), human_bytes(sum(f.size for f in fs))])
    return rows


def _dir_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, names in os.walk(path):
        for n in names:
            try:
                total += os.path.getsize(os.path.join(dirpath, n))
            except OSError:
                pass
    return total


@click.command("inspect")
@data_dir_option
def inspect_command(data_dir: Path) -> None:
    """Show databases, measurements, series counts, partitions and sizes on disk."""
    with open_store(data_dir, create=False) as store:
        rows = inspect_rows(store)
    print_table(f"store {data_dir} ({human_bytes(_dir_size(data_dir))} on disk)",
           ["database", "rp", "measurement", "series", "partitions", "files", "rows", "size"], rows)
