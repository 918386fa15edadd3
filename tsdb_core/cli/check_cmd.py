"""``tsdb check``: will these InfluxQL statements run on InfluxDB 1.x and on InfluxDB 3?

A table (one row per statement: runs on each product, or not), then the details of each
statement that is not portable: the exact error each product answers, the InfluxDB 3 way to
write it, or how the answers differ. Exit code 1 when a statement fails on InfluxDB 3 (for
CI), 0 otherwise. Nothing is read from a store: the check is static (``Store.check``).
"""
from __future__ import annotations

import datetime
import itertools
import time
from typing import TYPE_CHECKING

import click

from ..store import Store
from .admin import print_table
from .common import CliError

if TYPE_CHECKING:
    from .. import Verdict

COLUMNS = ["#", "InfluxDB 1.x", "InfluxDB 3", "statement"]
WIDTH = 70  # statement text in the table; the details below print it whole


@click.command("check")
@click.argument("query", required=False)
@click.option("--file", "-f", "path", type=click.Path(exists=True, dir_okay=False),
              help="A file of queries, one a line (blank lines and lines starting with # skipped).")
@click.option("--now", "now_text", metavar="TIME",
              help="The time now() reads in messages that print it: RFC 3339 (2024-01-01T00:00:00Z) "
                   "or ns since the epoch; the wall clock by default.")
def check_command(query: str | None, path: str | None, now_text: str | None) -> None:
    """Check QUERY (or the queries of --file) for InfluxDB 1.x and InfluxDB 3 (Cloud Dedicated)."""
    if (query is None) == (path is None):
        raise CliError("give a QUERY or --file FILE (one of them)")
    now = _now(now_text) if now_text is not None else time.time_ns()
    texts = [query] if query is not None else _lines(path or "")
    verdicts = [v for text in texts for v in Store.check(text, now=now)]
    if not verdicts:
        raise CliError("no statement to check")
    print_table(None, COLUMNS, [[str(i), _mark(v.influxdb1, None), _mark(v.influxdb3, v.note), _short(v.statement)]
                                for i, v in enumerate(verdicts, 1)])
    for i, v in enumerate(verdicts, 1):
        if not v.portable:
            click.echo("")
            click.echo(_details(i, v))
    failing = sum(v.influxdb3 is not None for v in verdicts)
    differ = sum(v.influxdb3 is None and v.note is not None for v in verdicts)
    click.echo("")
    click.echo(f"{len(verdicts)} statements: {len(verdicts) - failing - differ} portable, {differ} answered "
               f"differently by InfluxDB 3, {failing} failing on InfluxDB 3, "
               f"{sum(v.influxdb1 is not None for v in verdicts)} failing on InfluxDB 1.x")
    if failing:
        raise SystemExit(1)


def _now(text: str) -> int:
    """--now: ns since the epoch, or an RFC 3339 time (an offset or Z required)."""
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise CliError(f"invalid --now {text!r}: expected RFC 3339 (2024-01-01T00:00:00Z) or ns since the epoch")
    delta = when - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000 + _extra_ns(text)


def _extra_ns(text: str) -> int:
    """The digits of a fraction past microseconds, which datetime drops."""
    digits = "".join(itertools.takewhile(str.isdigit, text.partition(".")[2]))
    return int(digits[6:9].ljust(3, "0")) if len(digits) > 6 else 0


def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]


def _mark(error: str | None, note: str | None) -> str:
    if error is not None:
        return "fails"
    return "differs" if note is not None else "runs"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= WIDTH else text[:WIDTH - 3] + "..."


def _details(i: int, v: Verdict) -> str:
    lines = [f"{i}. {v.statement}"]
    for label, text in (("InfluxDB 1.x", v.influxdb1), ("InfluxDB 3", v.influxdb3),
                        ("InfluxDB 3 way", v.v3_way), ("difference", v.note)):
        if text is not None:
            lines.append(f"   {label}: " + text.replace("\n", "\n      "))
    return "\n".join(lines)
