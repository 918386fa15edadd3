"""The shim's commands, contributed to the ``tsdb`` command line through the entry point
group ``tsdb.commands`` (pyproject.toml): ``tsdb serve`` and ``tsdb token create|list|revoke``.

Only click and the core are imported here, so listing the commands stays cheap; ``serve``
imports the server (and reports a missing ``http`` extra) when it runs.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import click

from tsdb_core import StoreConfig
from tsdb_core.cli import CliError, data_dir_option, print_table

from .tokens import TokenStore

_DEFAULTS = StoreConfig()
ENGINE_AFFINITY = "POLARS_ENGINE_AFFINITY"


def in_memory_engine() -> None:
    """``tsdb serve``'s queries collect with Polars' in-memory engine unless the environment
    names one: under "auto" Polars 2 wakes its streaming engine's async executor for every
    collect, which costs a small statement's CPU (~0.7 ms of a 6.6 ms 100-host
    double-groupby-1 over HTTP) and changes no answer (tests/query pass under either).
    Set here, for the server process only: an application embedding the store keeps its own."""
    os.environ.setdefault(ENGINE_AFFINITY, "in-memory")

wal_dir_option = click.option(
    "--wal-dir", type=click.Path(file_okay=False, path_type=Path), default=None, envvar="TSDB_WAL_DIR",
    help="With --data-dir in object storage: the local directory of the WAL, lock, catalog and API tokens "
         "(default: under ~/.local/share/tsdb/stores/).")


class ByteSize(click.ParamType):
    """A size in bytes: a number with an optional unit (KiB, MiB, GiB, TiB; K, M, G, T alike)."""

    name = "size"
    _UNITS = {"": 0, "b": 0, "k": 10, "kib": 10, "m": 20, "mib": 20, "g": 30, "gib": 30, "t": 40, "tib": 40}

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        m = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", str(value))
        unit = m and m.group(2).lower()
        if not m or unit not in self._UNITS:
            self.fail(f"{value!r} is not a size (a number, optionally with KiB, MiB, GiB or TiB)", param, ctx)
        return int(m.group(1)) << self._UNITS[unit]


@click.command("serve")
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8086, show_default=True, help="TCP port.")
@click.option("--no-auth", is_flag=True, help="Accept any or no token (offline development).")
@click.option("--compat", type=click.Choice(["cloud-dedicated", "influxdb1"]), default="cloud-dedicated",
              show_default=True, help="Answer as InfluxDB 3 Cloud Dedicated (its HTTP API document, InfluxDB 3's "
                                       "InfluxQL) or as InfluxDB 1.x (its HTTP answers and InfluxQL).")
@click.option("--demo", is_flag=True,
              help="Load the sample data first (NOAA_water_database and devops) if absent.")
@click.option("--max-body-bytes", type=click.IntRange(0), default=25_000_000, show_default=True,
              help="Largest write body accepted, also after gzip decompression (413 past it).")
@click.option("--flight-port", type=click.IntRange(0, 65535), default=None,
              help="Also serve Arrow Flight (SQL and InfluxQL for InfluxDB 3 clients) on this port; off by default.")
@click.option("--cache-mb", type=click.IntRange(0), default=1024, show_default=True,
              help="Memory for decoded partition files that queries slice (0: always read Parquet).")
@click.option("--read-ahead", is_flag=True,
              help="On start, read each measurement's newest file into the cache in the background, so the "
                   "first queries after a restart need not (it competes with them for CPU while it runs).")
@click.option("--max-select-point", type=click.IntRange(0), default=0, show_default=True,
              help="Most points a SELECT may read (InfluxDB's max-select-point; 0: no limit).")
@click.option("--max-select-series", type=click.IntRange(0), default=0, show_default=True,
              help="Most series a SELECT may return (max-select-series; 0: no limit).")
@click.option("--max-select-buckets", type=click.IntRange(0), default=0, show_default=True,
              help="Most GROUP BY time() windows a SELECT may ask for (max-select-buckets; 0: no limit).")
@click.option("--query-timeout", type=click.FloatRange(0), default=_DEFAULTS.query_timeout_s, show_default=True,
              help="Seconds before a query is cancelled with 'query-timeout limit exceeded' (0: never).")
@click.option("--max-select-windows", type=click.IntRange(0), default=_DEFAULTS.max_select_windows,
              show_default=True, help="Most rows (GROUP BY time() windows x series) a windowed SELECT may "
                                      "answer, counted before reading (0: no limit).")
@click.option("--query-memory-mb", type=click.IntRange(0), default=_DEFAULTS.query_memory_bytes >> 20,
              show_default=True, help="Most memory a windowed SELECT's answer may take, estimated before "
                                      "reading (0: no limit).")
@click.option("--http-server", type=click.Choice(["uvicorn", "hypercorn"]), default=None,
              help="HTTP/1.1 server: uvicorn (httptools; the default when installed, and the "
                   "faster per request) or Hypercorn (loopback only). Also $TSDB_HTTP_SERVER.")
@click.option("--max-connections", type=click.IntRange(1), default=None,
              help="Most open client connections (default 4096, and always 256 below the open-file limit, "
                   "kept for the store); past it an idle connection is closed, else the new one gets 503.")
@click.option("--head-timeout", type=click.FloatRange(0, min_open=True), default=30.0, show_default=True,
              help="Seconds a client has to send a request's line and headers (408 past them).")
@click.option("--request-timeout", type=click.FloatRange(0, min_open=True), default=300.0, show_default=True,
              help="Seconds a client has to send a whole request, body included (408 past them).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="With --no-auth, also accept this Host name (loopback names, IP literals and one-label "
                   "names always are; '*': any). Repeatable.")
@wal_dir_option
@click.option("--flush-interval", type=click.FloatRange(0, min_open=True), default=_DEFAULTS.buffer_max_age_s,
              show_default=True, metavar="SECONDS",
              help="Write buffered points to the data files at least this often: readers (--read-only) "
                   "see points once they are flushed.")
@click.option("--read-only", is_flag=True,
              help="Serve a store that another process writes: queries only (writes and changes answer "
                   "an error); it sees the writer's data once the writer has flushed it.")
@click.option("--catalog", default="", envvar="TSDB_CATALOG", metavar="URL",
              help="Keep the catalog in PostgreSQL (postgresql://user@host/db) instead of SQLite in the "
                   "store directory; needs 'tsdb[postgresql]'.")
@click.option("--object-cache-size", "object_cache_bytes", type=ByteSize(), default="1GiB", show_default=True,
              help="With --data-dir in object storage: local disk for copies of the Parquet files queries "
                   "fetched (under the --wal-dir; e.g. 512MiB, 20GiB; 0: fetch every time).")
@click.option("--iceberg", is_flag=True,
              help="Keep the store published as Apache Iceberg tables (every flush, compaction, retention, "
                   "DELETE and DROP), for Spark, Trino, DuckDB and Polars: see `tsdb iceberg`. Needs the iceberg extra.")
@click.option("--iceberg-catalog", default="", metavar="URI",
              help="With --iceberg: the Iceberg catalog (sqlite:///..., postgresql://..., or a REST catalog "
                   "http(s)://...); default iceberg.sqlite beside the store's catalog, or the store's PostgreSQL.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="A browser origin (http://host:port) answered with CORS headers and, with --no-auth, "
                   "allowed to send requests ('*': any). Repeatable.")
@click.option("--huge-pages/--no-huge-pages", default=True, envvar="TSDB_HUGE_PAGES", show_default=True,
              help="Restart once at start with glibc's malloc asking for transparent huge pages "
                   "(GLIBC_TUNABLES=glibc.malloc.hugetlb=1): 4-9% less CPU for small queries answered "
                   "between other programs' work; the start takes about a second more. Linux with glibc 2.35 or later only.")
@click.option("--ui/--no-ui", default=None,
              help="Serve the data explorer at / and the API reference at /docs (default: on when --host is "
                   "a loopback address).")
def serve_command(data_dir: Path, host: str, port: int, no_auth: bool, compat: str, demo: bool,
                  max_body_bytes: int, flight_port: int | None, cache_mb: int, read_ahead: bool, max_select_point: int,
                  max_select_series: int, max_select_buckets: int, query_timeout: float,
                  max_select_windows: int, query_memory_mb: int,
                  http_server: str | None, max_connections: int | None, head_timeout: float,
                  request_timeout: float, allowed_hosts: tuple[str, ...], wal_dir: Path | None,
                  flush_interval: float, read_only: bool, catalog: str, object_cache_bytes: int,
                  iceberg: bool, iceberg_catalog: str, cors_origins: tuple[str, ...], huge_pages: bool,
                  ui: bool | None) -> None:
    """Serve InfluxDB's HTTP API (/write, /api/v2/write, /query, /ping) over the store.

    \b
    Example:
      tsdb serve --demo
      curl -G 'http://127.0.0.1:8086/query' --data-urlencode 'db=NOAA_water_database' \\
           --data-urlencode 'q=SELECT * FROM h2o_feet LIMIT 3' -H "Authorization: Token $TOKEN"
    """
    if huge_pages:
        from .huge_pages import restart_with_huge_pages

        restart_with_huge_pages()  # (before the store is opened: the restarted process opens it)
    try:
        from tsdb_http.limits import Limits  # (absolute: the tests stand in for a missing extra by name)
        from tsdb_http.serve import serve
    except ImportError as exc:
        raise CliError(f"the HTTP shim is not installed ({exc.name} missing): "
                       "python -m pip install 'tsdb[http]'") from None

    in_memory_engine()
    config = StoreConfig(cache_bytes=cache_mb << 20, read_ahead=read_ahead, max_select_point=max_select_point,
                         max_select_series=max_select_series, max_select_buckets=max_select_buckets,
                         query_timeout_s=query_timeout, max_select_windows=max_select_windows,
                         query_memory_bytes=query_memory_mb << 20, read_only=read_only, catalog=catalog,
                         buffer_max_age_s=flush_interval, object_cache_bytes=object_cache_bytes,
                         iceberg=iceberg, iceberg_catalog=iceberg_catalog)
    if read_only and demo:
        raise CliError("--demo loads samples into the store: it cannot go with --read-only")
    if read_only and iceberg:
        raise CliError("--iceberg publishes what the writer commits: give it to the writer, not a --read-only reader")
    # With --demo, serve() loads the samples (tsdb_http.demo) into the store it opens.
    serve(data_dir, host=host, port=port, no_auth=no_auth, compat=compat, demo=demo,
          max_body_bytes=max_body_bytes, flight_port=flight_port, config=config, server=http_server,
          limits=Limits(head_timeout_s=head_timeout, request_timeout_s=request_timeout,
                        max_connections=max_connections),
          allowed_hosts=allowed_hosts, cors_origins=cors_origins, wal_dir=wal_dir, ui=ui)


# -- token ------------------------------------------------------------------------

@click.group("token")
def token_group() -> None:
    """Create, list and revoke API tokens of the HTTP shim."""


def _tokens(data_dir: Path | str, wal_dir: Path | None, create: bool = False) -> TokenStore:
    """The tokens ``tsdb serve`` with these options uses: in the store's directory, or in
    ``--wal-dir`` (this machine's) for a store in object storage."""
    import tsdb_core

    try:
        root = tsdb_core.local_dir(data_dir, wal_dir)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if create:
        root.mkdir(parents=True, exist_ok=True)
    return TokenStore(root)


@token_group.command("create")
@data_dir_option
@wal_dir_option
@click.option("--database", "databases", multiple=True, required=True,
              help="Database the token is for ('*' = all); repeat for several.")
@click.option("--read", is_flag=True, help="Allow queries (SELECT, SHOW).")
@click.option("--write", is_flag=True, help="Allow writing points (and SELECT ... INTO).")
@click.option("--manage", is_flag=True,
              help="Allow CREATE/ALTER/DROP, DELETE and DROP SERIES/MEASUREMENT (with '*': users, KILL QUERY).")
@click.option("--description", default="", help="A note to recognise the token by.")
def token_create(data_dir: Path, wal_dir: Path | None, databases: tuple[str, ...], read: bool, write: bool, manage: bool,
                 description: str) -> None:
    """Create a token; prints it alone on stdout. It is shown only this once.

    \b
    Example:
      TOKEN=$(tsdb token create --database mydb --read --write --description ci)
      curl -H "Authorization: Token $TOKEN" 'http://127.0.0.1:8086/query?db=mydb&q=SHOW+MEASUREMENTS'
    """
    if not (read or write or manage):
        raise CliError("give --read, --write and/or --manage")
    try:
        secret, info = _tokens(data_dir, wal_dir, create=True).create(list(databases), read=read, write=write, manage=manage,
                                                description=description)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    click.echo(secret)
    click.echo(f"created token {info.id}", err=True)


@token_group.command("list")
@data_dir_option
@wal_dir_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
def token_list(data_dir: Path, wal_dir: Path | None, as_json: bool) -> None:
    """List tokens (ids, permissions, descriptions; never the secrets).

    Permissions read DATABASE:LETTERS, r = read, w = write, m = manage.
    """
    infos = _tokens(data_dir, wal_dir).list()
    if as_json:
        import orjson

        for info in infos:
            click.echo(orjson.dumps(info.to_json()).decode())
        return
    rows = [[i.id, ", ".join(f"{p.database}:{p.letters}" for p in i.permissions), i.created_at, i.description]
            for i in infos]
    print_table(None, ["id", "permissions", "created", "description"], rows)


@token_group.command("revoke")
@data_dir_option
@wal_dir_option
@click.argument("token_id")
def token_revoke(data_dir: Path, wal_dir: Path | None, token_id: str) -> None:
    """Revoke a token by id (from `tsdb token list`) or by the token itself."""
    if not _tokens(data_dir, wal_dir).revoke(token_id):
        raise CliError(f"token not found: {token_id}")
    click.echo(f"revoked token {token_id}", err=True)


__all__ = ["serve_command", "token_group"]
