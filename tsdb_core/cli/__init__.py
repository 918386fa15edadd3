"""The ``tsdb`` command line: serve, query, write/import, db, token, inspect, compact, retention.

Every command takes ``--data-dir`` (env ``TSDB_DATA_DIR``, default
``./tsdb-data``) and ``--help``. See :mod:`tsdb_core.cli.common` for exit codes.
"""
from __future__ import annotations

import click

from .admin import compact_command, db_group, inspect_command, retention_group, token_group
from .common import TsdbGroup
from .query_cmd import query_command
from .serve_cmd import serve_command
from .write_cmd import import_command, write_command

__all__ = ["main", "cli"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tsdb")
    except PackageNotFoundError:
        return "0.1.0 (source checkout)"


@click.group("tsdb", cls=TsdbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), message="tsdb %(version)s")
def cli() -> None:
    """tsdb: an embedded time-series store speaking InfluxDB line protocol and InfluxQL."""


for _cmd in (serve_command, query_command, write_command, import_command, db_group, token_group,
             inspect_command, compact_command, retention_group):
    cli.add_command(_cmd)


def main() -> None:
    """Console-script entry point (``tsdb``)."""
    cli(prog_name="tsdb")
