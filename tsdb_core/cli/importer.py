"""Reading line protocol and ``influx -import`` files in batches.

An ``influx -import`` file has an optional ``# DDL`` section (InfluxQL
statements, one per line) and a ``# DML`` section of line protocol, in which
``# CONTEXT-DATABASE: name`` and ``# CONTEXT-RETENTION-POLICY: name`` switch
the target. Like ``influx``, other ``#`` lines are comments and blank lines are
skipped. A plain line-protocol file is the DML section alone.

Input may be gzip-compressed (detected by its magic bytes, not its name).
Everything is streamed: memory stays at one batch, whatever the file size.
"""
from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..base.errors import LineProtocolError, UserError
from ..base.types import LineError

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Statement:
    """A DDL line to run as InfluxQL."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Batch:
    """Up to ``batch_size`` lines of line protocol for one database/RP."""

    db: str | None
    rp: str | None
    body: bytes
    line_numbers: list[int]  # file line number of each body line


@dataclass(slots=True)
class ImportStats:
    points: int = 0
    values: int = 0
    lines: int = 0
    statements: int = 0
    errors: list[tuple[str, LineError]] = field(default_factory=list)  # (source, error)
    failed: int = 0  # rejected lines (errors keeps only the first few)


class CountingReader(io.RawIOBase):
    """Counts the bytes read from the underlying (possibly compressed) file, for progress."""

    def __init__(self, raw: IO[bytes], on_bytes: Callable[[int], None] | None = None):
        self.raw = raw
        self.count = 0
        self.on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        if self.on_bytes and n:
            self.on_bytes(n)
        return n


def open_input(path: str, on_bytes: Callable[[int], None] | None = None) -> IO[bytes]:
    """A binary line reader over ``path`` (``-`` = stdin), gunzipping when it starts with gzip's magic."""
    raw: IO[bytes]
    if path == "-":
        raw = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the wrapper
        except FileNotFoundError:
            raise UserError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise UserError(f"is a directory: {path}") from None
    counted = io.BufferedReader(CountingReader(raw, on_bytes), buffer_size=1 << 20)
    if counted.peek(2)[:2] == GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=counted, mode="rb"), buffer_size=1 << 20)
    return counted


def _header_value(line: bytes) -> str:
    return line.split(b":", 1)[1].strip().decode("utf-8", "replace")


def read_batches(stream: IO[bytes], *, batch_size: int = 5000, db: str | None = None,
                 rp: str | None = None, import_format: bool = False) -> Iterator[Batch | Statement]:
    """Yield DDL statements and line-protocol batches in file order.

    With ``import_format`` the file follows ``influx -import``: lines after
    ``# DDL`` are statements, lines after ``# DML`` are points, and
    ``# CONTEXT-*`` headers move the target. (``influx`` starts in the DDL
    section; we start in DML so a plain line-protocol file imports too.) Without it every non-comment line is line protocol.
    """
    in_ddl = False
    lines: list[bytes] = []
    numbers: list[int] = []
    n = 0
    for n, raw in enumerate(stream, 1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        if line[:1] == b"#":
            if not import_format:
                continue
            if line.startswith(b"# DDL"):
                in_ddl = True
            elif line.startswith(b"# DML"):
                in_ddl = False
            elif line.startswith(b"# CONTEXT-DATABASE:") or line.startswith(b"# CONTEXT-RETENTION-POLICY:"):
                if lines:
                    yield Batch(db, rp, b"\n".join(lines), numbers)
                    lines, numbers = [], []
                if line.startswith(b"# CONTEXT-DATABASE:"):
                    db = _header_value(line)
                else:
                    rp = _header_value(line) or None
            continue
        if in_ddl:
            yield Statement(line.decode("utf-8", "replace").strip(), n)
            continue
        lines.append(line)
        numbers.append(n)
        if len(lines) >= batch_size:
            yield Batch(db, rp, b"\n".join(lines), numbers)
            lines, numbers = [], []
    if lines:
        yield Batch(db, rp, b"\n".join(lines), numbers)


def run_import(store: Any, stream: IO[bytes], *, source: str, stats: ImportStats, db: str | None,
               rp: str | None, precision: str = "ns", batch_size: int = 5000,
               import_format: bool = False, max_errors: int = 20,
               on_batch: Callable[[ImportStats], None] | None = None) -> ImportStats:
    """Write every batch of ``stream`` to ``store``; DDL statements run as queries.

    Rejected lines are counted and the first ``max_errors`` kept with their
    file line numbers; valid lines of the same batch are still written, as a
    partial write does.
    """
    for item in read_batches(stream, batch_size=batch_size, db=db, rp=rp, import_format=import_format):
        if isinstance(item, Statement):
            res = store.query(item.text, db=db)
            err = res.error or next((s.error for s in res.statements if s.error), None)
            if err:
                raise UserError(f"{source}:{item.line}: {err}: {item.text}")
            stats.statements += 1
            continue
        if not item.db:
            raise UserError(f"{source}:{item.line_numbers[0]}: no database for these points "
                            "(pass --database or add '# CONTEXT-DATABASE: name')")
        try:
            result = store.write(item.db, item.body, precision=precision, rp=item.rp)
            errors = result.errors
            stats.points += result.points_written
            stats.values += result.values_written
            failed = len(errors)
        except LineProtocolError as exc:  # every line of the batch refused
            errors = exc.errors or [LineError(1, "", exc.message)]
            failed = max(len(errors), 1)
        except UserError as exc:  # the batch refused as a whole (policy missing, ...): go on, as influx does
            errors, failed = [LineError(1, "", str(exc))], len(item.line_numbers)
        stats.lines += len(item.line_numbers)
        stats.failed += failed
        for e in errors:
            if len(stats.errors) < max_errors:
                num = item.line_numbers[e.line - 1] if 0 < e.line <= len(item.line_numbers) else e.line
                stats.errors.append((source, LineError(num, e.text, e.reason)))
        if on_batch:
            on_batch(stats)
    return stats
