"""``tsdb write`` and ``tsdb import``: line protocol from files or stdin, in batches.

``write`` takes plain line protocol for one database; ``import`` reads the
``influx -import`` format (``# DDL``/``# DML`` sections, ``# CONTEXT-*``
headers). Both read gzip transparently and, on a terminal, show a progress bar
with bytes read and points per second.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..base.time import PRECISIONS
from .common import CliError, data_dir_option, open_store
from .importer import ImportStats, open_input, run_import


def _progress(total: int | None, enabled: bool | None) -> Any:
    """A rich progress bar on stderr when it is a terminal (or when forced); else None."""
    from rich.console import Console

    console = Console(stderr=True)
    if enabled is False or (enabled is None and not console.is_terminal):
        return None
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn,
                               TransferSpeedColumn)

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                    TransferSpeedColumn(), TextColumn("{task.fields[points]:,} points"),
                    TextColumn("{task.fields[rate]:,.0f} points/s"), TimeElapsedColumn(),
                    console=console, transient=False)


def _total_size(files: tuple[str, ...]) -> int | None:
    try:
        return sum(os.path.getsize(f) for f in files if f != "-") if "-" not in files else None
    except OSError:
        return None


def _load(data_dir: Path, files: tuple[str, ...], *, db: str | None, rp: str | None, precision: str,
          batch_size: int, import_format: bool, progress: bool | None) -> None:
    if not files and sys.stdin.isatty():
        raise CliError("no input: give FILES or pipe data on stdin")
    files = files or ("-",)
    store = open_store(data_dir)
    stats = ImportStats()
    start = time.perf_counter()
    bar = _progress(_total_size(files), progress)
    try:
        task = bar.add_task("writing", total=_total_size(files), points=0, rate=0.0) if bar else None
        if bar:
            bar.start()

        def on_bytes(n: int) -> None:
            if bar is not None:
                bar.advance(task, n)

        def on_batch(st: ImportStats) -> None:
            if bar is not None:
                rate = st.points / max(time.perf_counter() - start, 1e-9)
                bar.update(task, points=st.points, rate=rate)

        for path in files:
            source = "stdin" if path == "-" else path
            if bar is not None:
                bar.update(task, description=Path(source).name)
            stream = open_input(path, on_bytes)
            try:
                run_import(store, stream, source=source, stats=stats, db=db, rp=rp, precision=precision,
                           batch_size=batch_size, import_format=import_format, on_batch=on_batch)
            finally:
                if path != "-":
                    stream.close()
        if hasattr(store, "flush"):
            store.flush()
    finally:
        if bar is not None:
            bar.stop()
        store.close()
    elapsed = time.perf_counter() - start
    for source, e in stats.errors:
        click.echo(f"{source}:{e.line}: {e.reason}", err=True)
    if stats.failed > len(stats.errors):
        click.echo(f"... and {stats.failed - len(stats.errors)} more rejected lines", err=True)
    rate = stats.points / elapsed if elapsed > 0 else 0.0
    summary = f"{stats.points} points written ({stats.values} values) in {elapsed:.2f}s, {rate:,.0f} points/s"
    if stats.statements:
        summary += f"; {stats.statements} statements run"
    if stats.failed:
        summary += f"; {stats.failed} lines rejected"
    click.echo(summary, err=True)
    if stats.failed:
        raise SystemExit(1)


_common = [
    data_dir_option,
    click.option("-rp", "--rp", "--retention-policy", "rp", help="Retention policy (default: the database's)."),
    click.option("-precision", "--precision", type=click.Choice(sorted(PRECISIONS)), default="ns",
                 show_default=True, help="Unit of the timestamps in the input."),
    click.option("--batch-size", type=click.IntRange(1), default=5000, show_default=True,
                 help="Lines per write."),
    click.option("--progress/--no-progress", default=None,
                 help="Show a progress bar (default: when stderr is a terminal)."),
    click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True)),
]


def _apply(f: Any) -> Any:
    for deco in reversed(_common):
        f = deco(f)
    return f


@click.command("write")
@click.option("-d", "-database", "--database", "db", required=True, help="Database to write to.")
@_apply
def write_command(data_dir: Path, db: str, rp: str | None, precision: str, batch_size: int,
                  progress: bool | None, files: tuple[str, ...]) -> None:
    """Write line protocol from FILES (or stdin; gzip is detected) to a database.

    \b
    Examples:
      tsdb write -d mydb metrics.lp
      zcat big.lp.gz | tsdb write -d mydb --precision s
      echo 'cpu,host=a usage=0.5' | tsdb write -d mydb
    """
    _load(data_dir, files, db=db, rp=rp, precision=precision, batch_size=batch_size,
          import_format=False, progress=progress)


@click.command("import")
@click.option("-d", "-database", "--database", "db",
              help="Database for points before any '# CONTEXT-DATABASE:' header.")
@_apply
def import_command(data_dir: Path, db: str | None, rp: str | None, precision: str, batch_size: int,
                   progress: bool | None, files: tuple[str, ...]) -> None:
    """Import files in the `influx -import` format (or stdin; gzip is detected).

    \b
    The format:
      # DDL
      CREATE DATABASE NOAA_water_database
      # DML
      # CONTEXT-DATABASE: NOAA_water_database
      # CONTEXT-RETENTION-POLICY: autogen
      h2o_feet,location=coyote_creek water_level=8.12 1566000000000000000
    """
    _load(data_dir, files, db=db, rp=rp, precision=precision, batch_size=batch_size,
          import_format=True, progress=progress)
