"""``tsdb query``: one statement (``-e``) or an interactive InfluxQL shell with history.

Flags follow the ``influx`` CLI (``-execute``, ``-database``, ``-format``,
``-precision``, ``-pretty`` work with one dash or two); the shell knows
``use``, ``format``, ``precision``, ``pretty``, ``insert``, ``settings``, ``help`` and ``exit``.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..base.errors import UserError
from .common import data_dir_option, open_store
from .output import FORMATS, render

PRECISIONS = ("rfc3339", "h", "m", "s", "ms", "u", "ns")
HISTORY_FILE = "~/.tsdb_history"


@dataclass(slots=True)
class Session:
    """The shell's settings (what ``settings`` prints)."""

    db: str | None
    rp: str | None
    fmt: str
    precision: str
    pretty: bool

    def epoch(self) -> str | None:
        return None if self.precision == "rfc3339" else self.precision


def run_statement(store: Any, q: str, s: Session, out: Callable[[str], None],
                  err: Callable[[str], None]) -> bool:
    """Run ``q`` and print its answer; False when it (or one of its statements) failed."""
    try:
        res = store.query(q, db=s.db, rp=s.rp, epoch=s.epoch())
    except UserError as exc:
        err(f"ERR: {exc}")
        return False
    error = res.error or next((st.error for st in res.statements if st.error), None)
    if error is not None:  # influx prints only the first error, no partial output
        err(f"ERR: {error}")
        if not s.db:
            err("Warning: It is possible this error is due to not setting a database.\n"
                'Please set your database with the command "use <database>" (or -database).')
        return False
    text = render(res, s.fmt, s.pretty)
    if text:
        out(text.rstrip("\n"))
    return True


@click.command("query")
@data_dir_option
@click.option("-e", "-execute", "--execute", "execute", metavar="QUERY",
              help="Run these InfluxQL statements and exit (otherwise: an interactive shell).")
@click.option("-d", "-database", "--database", "db", help="Database to query.")
@click.option("-rp", "--rp", "--retention-policy", "rp", help="Retention policy (default: the database's).")
@click.option("-format", "--format", "fmt", type=click.Choice(FORMATS), default="column", show_default=True,
              help="Output format, as influx's -format (table = column).")
@click.option("-precision", "--precision", type=click.Choice(PRECISIONS), default="rfc3339",
              show_default=True, help="Time format: RFC3339 text or epoch integers in this unit.")
@click.option("-pretty", "--pretty", is_flag=True, help="Indent JSON output.")
def query_command(data_dir: Path, execute: str | None, db: str | None, rp: str | None, fmt: str,
                  precision: str, pretty: bool) -> None:
    """Run InfluxQL against the store: one statement with -e, else a shell.

    \b
    Examples:
      tsdb query -d NOAA_water_database -e 'SELECT mean(water_level) FROM h2o_feet GROUP BY location'
      tsdb query -format csv -e 'SHOW DATABASES'
      tsdb query            # interactive; statements may also be piped on stdin
    """
    session = Session(db, rp, fmt, precision, pretty)
    store = open_store(data_dir, create=False)
    try:
        if execute is not None:
            ok = run_statement(store, execute, session, click.echo, lambda m: click.echo(m, err=True))
            if not ok:
                raise SystemExit(1)
            return
        ok = shell(store, session, data_dir)
        if not ok and not sys.stdin.isatty():
            raise SystemExit(1)
    finally:
        store.close()


HELP = """Usage:
  use <db>[.<rp>]        set the current database (and retention policy)
  format <fmt>           column, csv or json
  precision <p>          rfc3339, h, m, s, ms, u or ns
  pretty                 toggle indented JSON
  insert <line>          write one line of line protocol to the current database
  settings               show the current settings
  help                   this text
  exit | quit            leave (Ctrl-D too)
  <InfluxQL>             anything else runs as a query"""


_CHOICES = {"format": (FORMATS, "column, csv or json"),
            "precision": (PRECISIONS, ", ".join(PRECISIONS))}  # setting -> (accepted, how to say them)


def command(store: Any, line: str, s: Session, out: Callable[[str], None],
            err: Callable[[str], None]) -> bool | None:
    """Run one shell line; None means leave the shell."""
    text = line.strip().rstrip(";").strip()
    if not text:
        return True
    word, _, rest = text.partition(" ")
    key, rest = word.lower(), rest.strip()
    if key in ("exit", "quit"):
        return None
    if key == "help":
        out(HELP)
        return True
    if key == "use":
        if not rest:
            err("ERR: usage: use <database>[.<retention policy>]")
            return False
        db, rp = _split_db_rp(rest)
        dbs = store.databases()
        if db not in dbs:
            err(f"ERR: database not found: {db}")
            return False
        s.db, s.rp = db, rp
        out(f"Using database {db}" + (f" and retention policy {rp}" if rp else ""))
        return True
    if key in _CHOICES:
        allowed, words = _CHOICES[key]
        if rest not in allowed:
            err(f"ERR: unknown {key} {rest!r}: expected {words}")
            return False
        setattr(s, "fmt" if key == "format" else key, rest)
        return True
    if key == "pretty":
        s.pretty = not s.pretty
        out(f"Pretty print {'enabled' if s.pretty else 'disabled'}")
        return True
    if key == "settings":
        out(f"Database   {s.db or ''}\nRetention  {s.rp or ''}\nFormat     {s.fmt}\n"
            f"Precision  {s.precision}\nPretty     {s.pretty}")
        return True
    if key == "insert":
        if not s.db:
            err("ERR: no database selected: use <database> first")
            return False
        r = store.write(s.db, rest.encode(), rp=s.rp)
        for e in r.errors:
            err(f"ERR: {e.reason}")
        return not r.errors
    return run_statement(store, text, s, out, err)


def _split_db_rp(text: str) -> tuple[str, str | None]:
    """``db``, ``"db"."rp"`` or ``db.rp`` → (db, rp)."""
    parts: list[str] = []
    cur, quoted, i = "", False, 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    parts.append(cur)
    if len(parts) >= 2:
        return parts[0], ".".join(parts[1:]) or None
    return parts[0], None


def _reader() -> Callable[[str], str]:
    """``input`` with history: prompt_toolkit when installed, else readline."""
    history = os.path.expanduser(HISTORY_FILE)
    try:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        ps: Any = PromptSession(history=FileHistory(history))
        return lambda prompt: str(ps.prompt(prompt))
    except ImportError:
        pass
    try:
        import atexit
        import readline

        try:
            readline.read_history_file(history)
        except OSError:
            pass
        atexit.register(readline.write_history_file, history)
    except ImportError:
        pass
    return input


def shell(store: Any, s: Session, data_dir: Path) -> bool:
    """The interactive loop; with stdin not a terminal, runs the piped lines quietly."""
    tty = sys.stdin.isatty()
    out = click.echo
    err: Callable[[str], None] = lambda m: click.echo(m, err=True)  # noqa: E731
    read = _reader() if tty else None
    if tty:
        out(f"Connected to the tsdb store at {data_dir}\nType help for help, exit to leave.")
    ok = True
    while True:
        try:
            line = read("> ") if read else sys.stdin.readline()
        except EOFError:
            break
        except KeyboardInterrupt:
            continue
        if not read and not line:
            break
        result = command(store, line, s, out, err)
        if result is None:
            break
        ok = ok and result
    return ok
