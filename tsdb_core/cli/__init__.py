"""The ``tsdb`` command line: query, write/import, db, inspect, compact, retention, check, and the
commands other installed packages contribute (the HTTP shim's ``serve`` and ``token``).

Every command takes ``--data-dir`` (env ``TSDB_DATA_DIR``, default
``./tsdb-data``) and ``--help``. See :mod:`tsdb_core.cli.common` for exit codes.

A package adds commands through the entry point group ``tsdb.commands`` (name: the
command's name, value: a click command or group); ``CliError``, ``data_dir_option``
and ``print_table`` are here for those commands to share the core's conventions.
"""
from __future__ import annotations

import warnings
from importlib.metadata import PackageNotFoundError, entry_points, version

import click

from .admin import compact_command, db_group, inspect_command, print_table, retention_group
from .check_cmd import check_command
from .common import CliError, TsdbGroup, data_dir_option
from .iceberg_cmd import iceberg_group
from .query_cmd import query_command
from .write_cmd import import_command, write_command

__all__ = ["main", "cli", "CliError", "data_dir_option", "print_table", "COMMANDS_GROUP"]

COMMANDS_GROUP = "tsdb.commands"


def _version() -> str:
    try:
        return version("tsdb")
    except PackageNotFoundError:
        return "0.1.0 (source checkout)"


@click.group("tsdb", cls=TsdbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), message="tsdb %(version)s")
def cli() -> None:
    """tsdb: an embedded time-series store speaking InfluxDB line protocol and InfluxQL."""


for _cmd in (query_command, write_command, import_command, db_group, inspect_command, compact_command,
             retention_group, iceberg_group, check_command):
    cli.add_command(_cmd)


def add_contributed_commands(group: click.Group) -> None:
    """Add the commands of the ``tsdb.commands`` entry points (a broken one is skipped, with a warning).

    They are looked up when this module is imported, after the names above exist, so a
    contributed command may import them from :mod:`tsdb_core.cli`.
    """
    for ep in entry_points(group=COMMANDS_GROUP):
        if ep.name in group.commands:
            continue
        try:
            command = ep.load()
        except ImportError as exc:
            warnings.warn(f"tsdb: command {ep.name!r} ({ep.value}) not available: {exc}", stacklevel=2)
            continue
        group.add_command(command, ep.name)


add_contributed_commands(cli)


def main() -> None:
    """Console-script entry point (``tsdb``)."""
    cli(prog_name="tsdb")
