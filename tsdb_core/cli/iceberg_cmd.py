"""``tsdb iceberg``: the store's measurements as Apache Iceberg tables (show, publish, verify).

The store is opened read-only (beside a running writer such as ``tsdb serve``): publishing
reads the store's catalog and writes only the Iceberg catalog. Needs the ``iceberg`` extra.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .admin import print_table
from .common import CliError, data_dir_option

_STORE_CATALOG = click.option("--catalog", default="", envvar="TSDB_CATALOG", metavar="URL",
                              help="The store's catalog on PostgreSQL (default: SQLite beside the data).")
_ICEBERG_URI = click.option("--iceberg-uri", default=None, envvar="TSDB_ICEBERG_URI", metavar="URI",
                            help="Iceberg catalog: sqlite:///FILE, postgresql://..., or a REST URL "
                                 "(default: iceberg.sqlite beside the store's catalog, or the store's "
                                 "PostgreSQL database).")


def _publisher(data_dir: Path, catalog: str, iceberg_uri: str | None) -> Any:
    try:
        from ..lakehouse import Publisher
    except ImportError as exc:
        raise CliError(f"publishing to Iceberg needs the iceberg extra (pip install 'tsdb[iceberg]'): {exc}") from None
    import tsdb_core

    if isinstance(data_dir, Path) and not data_dir.exists():
        raise CliError(f"no store at {data_dir} (pass --data-dir or set TSDB_DATA_DIR)")
    store = tsdb_core.open(data_dir, catalog=catalog or None, read_only=True)
    try:
        return Publisher(store, uri=iceberg_uri)
    except BaseException:
        store.close()
        raise


def _close(publisher: Any) -> None:
    publisher.close()
    publisher.store.close()


def _name(ident: tuple[str, ...]) -> str:
    return ".".join(ident)


@click.group("iceberg", invoke_without_command=True)
@data_dir_option
@_STORE_CATALOG
@_ICEBERG_URI
@click.pass_context
def iceberg_group(ctx: click.Context, data_dir: Path, catalog: str, iceberg_uri: str | None) -> None:
    """The store as Iceberg tables: show them (default), publish, verify."""
    ctx.obj = (data_dir, catalog, iceberg_uri)
    if ctx.invoked_subcommand is None:
        ctx.invoke(show_command)


@iceberg_group.command("show")
@click.pass_obj
def show_command(obj: tuple) -> None:
    """Print the Iceberg catalog URI, the warehouse and the published tables."""
    from ..lakehouse import display_uri
    from ..lakehouse.mapping import PROP_VERSION

    publisher = _publisher(*obj)
    try:
        click.echo(f"catalog:   {display_uri(publisher.uri)}")
        click.echo(f"warehouse: {publisher.warehouse}")
        rows = []
        for ident in sorted(publisher.our_tables()):
            table = publisher.catalog.load_table(ident)
            snap = table.current_snapshot()
            summary = snap.summary if snap is not None else None
            rows.append([_name(ident[:-1]), ident[-1], str(len(table.schema().fields)),
                         summary.get("total-data-files", "0") if summary else "0",
                         summary.get("total-records", "0") if summary else "0",
                         summary.get(PROP_VERSION, "-") if summary else "-"])
        print_table(None, ["namespace", "table", "columns", "files", "rows", "store version"], rows)
    finally:
        _close(publisher)


@iceberg_group.command("publish")
@click.option("--from-scratch", is_flag=True, help="Drop the published tables first, then publish anew.")
@click.pass_obj
def publish_command(obj: tuple, from_scratch: bool) -> None:
    """Make the Iceberg tables agree with the store (creates them for a store never published)."""
    publisher = _publisher(*obj)
    try:
        report = publisher.publish(from_scratch=from_scratch)
    finally:
        _close(publisher)
    held = sum(len(v) for v in report.held.values())
    click.echo(f"store catalog version {report.version}: {len(report.created)} table(s) created, "
               f"{len(report.dropped)} dropped, {sum(len(v) for v in report.columns_added.values())} column(s) "
               f"added, {report.files_added} file(s) added, {report.files_removed} removed, {held} held back "
               f"(rows overwritten by a later write: published after compaction)", err=True)


@iceberg_group.command("verify")
@click.pass_obj
def verify_command(obj: tuple) -> None:
    """Check each table against the store: file sets, row counts, min/max time (exit 1 if they differ)."""
    from ..lakehouse import verify

    publisher = _publisher(*obj)
    try:
        checks = verify(publisher)
    finally:
        _close(publisher)
    rows = [[_name(c.ident), str(c.files), str(c.held_files), str(c.store_rows), str(c.iceberg_rows),
             str(c.held_rows), "ok" if c.ok else "; ".join(c.problems)] for c in checks]
    print_table(None, ["table", "files", "held", "store rows", "iceberg rows", "held rows", "status"], rows)
    bad = [c for c in checks if not c.ok]
    if bad:
        raise CliError(f"{len(bad)} of {len(checks)} table(s) differ from the store")
