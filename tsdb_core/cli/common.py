"""What every ``tsdb`` command shares: the data directory option, opening the store, errors.

Exit codes: 0 success, 1 a user error or a refused operation (the message says
why, no traceback), 2 a usage error (click's), 3 an internal error (a bug or
the disk; the message starts with ``internal error:``), 130 interrupted.
"""
from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..base.errors import InternalError, TsdbError, UserError

DEFAULT_DATA_DIR = "./tsdb-data"
_USER_ERRNOS = {errno.ENOENT, errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM,
                errno.EROFS, errno.ENAMETOOLONG}
ENV_DATA_DIR = "TSDB_DATA_DIR"

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A user-facing failure: printed as ``Error: message``, exit code 1."""

    exit_code = 1


class InternalCliError(click.ClickException):
    exit_code = 3


class _Location(click.Path):
    """A directory (a Path), or a store URI such as ``s3://bucket/prefix`` (kept as a string)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "://" in value and not value.startswith("file://"):
            return value
        return super().convert(value, param, ctx)


def data_dir_option(f: F) -> F:
    """``--data-dir DIR`` (env ``TSDB_DATA_DIR``, default ``./tsdb-data``); also a URI (``s3://...``)."""
    return click.option(
        "--data-dir", "data_dir", type=_Location(file_okay=False, path_type=Path),
        envvar=ENV_DATA_DIR, default=DEFAULT_DATA_DIR, show_default=True, show_envvar=True,
        help="Directory of the store, or a URI (s3://bucket/prefix, gs://..., abfs://...).")(f)


def open_store(data_dir: Path, *, create: bool = True) -> Any:
    """Open the store at ``data_dir``; without ``create`` a missing store is a user error."""
    import tsdb_core

    if not create and isinstance(data_dir, Path) and not data_dir.exists():
        raise CliError(f"no store at {data_dir} (pass --data-dir or set {ENV_DATA_DIR})")
    return tsdb_core.open(data_dir)


def translate(exc: BaseException) -> click.ClickException | None:
    """The click exception a core or OS error turns into (None: let it through)."""
    if isinstance(exc, UserError):
        return CliError(str(exc))
    if isinstance(exc, InternalError):
        if "locked by another process" in str(exc):  # a running `tsdb serve`, most likely
            return CliError(str(exc).removeprefix("internal error: ")
                            + " (stop `tsdb serve` on it, or go through its HTTP API)")
        return InternalCliError(str(exc))
    if isinstance(exc, TsdbError):
        return CliError(str(exc))
    if isinstance(exc, OSError) and exc.errno in _USER_ERRNOS:  # a wrong path, not a broken machine
        return CliError(f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc))
    if isinstance(exc, OSError):
        return InternalCliError(f"internal error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    return None


class TsdbGroup(click.Group):
    """A group that turns core and OS errors into clean messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `tsdb query ... | head`: the reader left, nothing to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except Exception as exc:
            converted = translate(exc)
            if converted is None:
                raise
            raise converted from None

