"""SQL over the store, shaped as InfluxDB 3 shows a database, run by Polars' SQL engine.

Each measurement is a table whose columns are sorted by name, as IOx sorts them:
``time`` as Datetime('ns') (no zone), tags as Categorical (dictionary-encoded
strings on the wire), fields with their types. Tables are registered lazily,
only those the query names, as Polars IO sources: Polars pushes projections and
predicates down to the source, which turns the predicate's top-level
``time`` comparisons into the scan's ``[start, end]`` (so partitions outside the
range are never opened) and applies the whole predicate to the scanned rows.

``information_schema.tables`` / ``.columns``, ``SHOW TABLES``
and ``SHOW COLUMNS FROM|IN t`` are answered from the catalog as InfluxDB 3
(DataFusion) answers them. InfluxDB 3's own functions (``date_bin``, ``date_bin_gapfill``
with ``locf``/``interpolate``, ``selector_*``, ``now()``, RFC 3339 strings with offsets) are
rewritten by :mod:`.translate` into SQL Polars runs, and finished by :mod:`.post`. Polars runs only what :mod:`.guard` lets through
(one SELECT over this database's tables, allow-listed functions, as sqlglot renders
it): Polars' own table functions read files and URLs. SQL that Polars cannot run
raises :class:`~tsdb_core.base.errors.QueryError` with Polars' reason.

    from tsdb_core.query.sql.execute import execute, to_arrow
    df = execute(store, "mydb", "SELECT host, avg(usage) FROM cpu WHERE time >= now() - interval '1 hour' GROUP BY host")
    table = to_arrow(df)          # InfluxDB 3's Arrow types (dictionary<int32, utf8> tags)
"""
from __future__ import annotations

import json
import re
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
import pyarrow as pa

from ...base.errors import DatabaseNotFound, LimitExceeded, QueryError
from ...base.time import MAX_TIME, MIN_TIME
from ...base.types import TWIN, FieldType
from ..exec.lazy import Ctx
from ..exec.lazy import collect as _collect
from . import guard, post

__all__ = ["execute", "to_arrow", "table_schema", "time_bounds", "split_database"]

CATALOG = "public"
IOX = "iox"
TIME = "time"
BATCH_ROWS = 65_536
MAX_JOIN_ROWS = 100_000_000  # row combinations a join may consider (an upper bound, checked before reading)

_DATA_TYPE = {  # DataFusion's Display of the Arrow types IOx uses
    FieldType.FLOAT: "Float64", FieldType.INTEGER: "Int64", FieldType.UNSIGNED: "UInt64",
    FieldType.BOOLEAN: "Boolean", FieldType.STRING: "Utf8",
}
_PRECISION = {FieldType.FLOAT: 53, FieldType.INTEGER: 64, FieldType.UNSIGNED: 64}
_SYSTEM_TABLES = [("system", "queries", "BASE TABLE"), ("information_schema", "tables", "VIEW"),
                  ("information_schema", "views", "VIEW"), ("information_schema", "columns", "VIEW"),
                  ("information_schema", "df_settings", "VIEW")]

# One token at a time: strings, quoted identifiers, comments, $params, words, the rest.
_TOKEN = re.compile(r"""
    (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<param>\$[A-Za-z_][A-Za-z0-9_]*|\$\d+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>\s+|.)
""", re.VERBOSE | re.DOTALL)
_SHOW_TABLES = re.compile(r"^\s*SHOW\s+TABLES\s*;?\s*$", re.IGNORECASE)
_SHOW_COLUMNS = re.compile(r'^\s*SHOW\s+COLUMNS\s+(?:FROM|IN)\s+("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_.]*)\s*;?\s*$',
                           re.IGNORECASE)


def split_database(provider, database: str) -> tuple[str, str]:
    """InfluxDB 3's ``db`` or ``db/rp`` name → (database, retention policy) of the store."""
    db, rp = database, None
    if not provider.has_database(db) and "/" in database:
        db, _, rp = database.rpartition("/")
    if not provider.has_database(db):
        raise DatabaseNotFound(database)
    return db, provider.resolve_rp(db, rp or None)


def table_schema(provider, db: str, measurement: str) -> dict[str, pl.DataType]:
    """The SQL table of a measurement: every column sorted by name, IOx's types."""
    cols = {TIME: pl.Datetime("ns")}
    cols.update({name: pl.Categorical() if kind == "tag" else kind.polars
                 for name, (_, kind) in sql_columns(provider.schema(db, measurement)).items()})
    return {c: cols[c] for c in sorted(cols)}


def sql_columns(s) -> dict[str, tuple[str, object]]:
    """SQL column name → (the scan's column, "tag" or the FieldType) of a measurement schema.

    A field whose key is also a tag key (InfluxDB 1.x stores both; InfluxDB 3 cannot) is
    named ``<key>::field`` (as InfluxQL's selector reads it); the tag keeps the key."""
    if s is None:
        return {}
    out: dict[str, tuple[str, object]] = {t: (t, "tag") for t in s.tags}
    for f, ft in s.fields.items():
        if f not in out:
            out[f] = (f, ft)
            continue
        name = f"{f}::field"
        while name in out or name in s.fields or name in s.tags:
            name += "_1"
        out[name] = (TWIN + f, ft)
    return out


def execute(provider, database: str, sql: str, params: dict | None = None, *,
            max_join_rows: int = MAX_JOIN_ROWS) -> pl.DataFrame:
    """Run one SQL statement against ``database`` (``db`` or ``db/rp``); the whole answer.

    The store's limits apply as to InfluxQL: ``query_timeout_s`` stops the work,
    ``max_select_point`` caps the answer's values (rows x columns); joins are refused before
    reading when the rows they may combine exceed ``max_join_rows``.
    """
    timeout = provider.config.query_timeout_s
    max_points = provider.config.max_select_point
    deadline = _time.perf_counter() + timeout if timeout else 0.0
    lf = plan(provider, database, sql, params, max_join_rows=max_join_rows)
    if max_points:
        width = max(1, len(lf.collect_schema()))
        lf = lf.head(max_points // width + 1)
    df = collect(lf, deadline)
    if max_points and df.height * df.width > max_points:
        raise LimitExceeded(f"max-select-point limit exceeed: (>{max_points}/{max_points})")  # influxd's words
    return df


def collect(lf: pl.LazyFrame, deadline: float = 0.0) -> pl.DataFrame:
    """The answer, cancelled at ``deadline`` (``time.perf_counter()``) as InfluxQL's collect is."""
    with _polars_errors():
        return _collect(lf, Ctx(None, 0, deadline=deadline))


def plan(provider, database: str, sql: str, params: dict | None = None, *,
         max_join_rows: int = MAX_JOIN_ROWS) -> pl.LazyFrame:
    """The LazyFrame of one SQL statement (allow-listed, tables registered lazily; nothing read yet)."""
    db, rp = split_database(provider, database)
    if not isinstance(sql, str) or not sql.strip():
        raise QueryError("SQL error: empty query")
    measurements = provider.measurements(db, rp)
    sql = _show_as_select(_with_params(sql, params), measurements)
    checked = guard.check(sql, measurements, db, now_ns=_now(provider))
    if checked.joins and max_join_rows:
        _check_join_size(provider, db, rp, checked, max_join_rows)
    ctx = pl.SQLContext()
    if "tables" in checked.info:
        ctx.register(guard.INFO_TABLES["tables"], _tables_frame(measurements).lazy())
    if "columns" in checked.info:
        ctx.register(guard.INFO_TABLES["columns"], _columns_frame(provider, db, measurements).lazy())
    for m_name in checked.tables:
        ctx.register(m_name, _table(provider, db, rp, m_name))
    with _polars_errors(checked.tables):
        return post.finish(ctx.execute(checked.sql, eager=False), checked.translation)


def _now(provider) -> int:
    """``now()``: the store's clock (a test may set it), else the system's."""
    clock = getattr(provider, "clock", None)
    return int(clock()) if callable(clock) else _time.time_ns()


def _with_params(sql: str, params: dict | None) -> str:
    """``sql`` with its ``$name`` placeholders replaced by ``params``' values as SQL literals."""
    tokens = _tokens(sql)
    if params:
        return _bind(tokens, params)
    name = next((text for kind, text in tokens if kind == "param"), None)
    if name is not None:
        raise QueryError(f"SQL error: no value given for the parameter {name}")
    return sql


def _show_as_select(sql: str, measurements: list[str]) -> str:
    """``SHOW TABLES`` / ``SHOW COLUMNS FROM t`` as the information_schema query they stand for."""
    m = _SHOW_COLUMNS.match(sql)
    if m:
        table = _unquote(m.group(1)).split(".")[-1]
        if table not in measurements and not m.group(1).startswith('"'):  # unquoted: any case, as the guard
            table = next((t for t in measurements if t.lower() == table.lower()), table)
        if table not in measurements:  # DataFusion's words
            raise QueryError(f"SQL error: Error during planning: Unknown relation for SHOW COLUMNS: {m.group(1)}")
        return ("SELECT table_catalog, table_schema, table_name, column_name, data_type, is_nullable "
                f"FROM information_schema.columns WHERE table_name = {_quote_str(table)}")
    if _SHOW_TABLES.match(sql):
        return "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables"
    return sql


def _check_join_size(provider, db: str, rp: str, checked: guard.Checked, limit: int) -> None:
    """Refuse a join whose inputs may combine more than ``limit`` rows (the product of its inputs'
    rows, whatever the join keys), before anything is read: Polars materialises a join whole."""
    bound = guard.work_bound(checked, {m: _rows(provider, db, rp, m) for m in checked.tables})
    if bound > limit:
        raise LimitExceeded(f"SQL error: join too large: its inputs may combine {bound:.3g} rows "
                            f"(limit {limit:.3g})")


def _rows(provider, db: str, rp: str, measurement: str) -> int:
    return provider.scan(db, rp, measurement, MIN_TIME, MAX_TIME, []).select(pl.len()).collect().item()


def to_arrow(df: pl.DataFrame) -> pa.Table:
    """The answer in InfluxDB 3's Arrow types: utf8 strings, dictionary<int32, utf8> tags."""
    table = df.to_arrow(compat_level=pl.CompatLevel.oldest())
    fields = [pa.field(f.name, _iox_type(f.type), f.nullable) for f in table.schema]
    target = pa.schema(fields)
    return table if target == table.schema else table.cast(target)


def _iox_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(t):  # a selector's {value, time}
        return pa.struct([pa.field(f.name, _iox_type(f.type), f.nullable) for f in t])
    if pa.types.is_dictionary(t):
        return pa.dictionary(pa.int32(), pa.string())
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    return t


# -- tables as Polars IO sources ------------------------------------------------

def _table(provider, db: str, rp: str, measurement: str) -> pl.LazyFrame:
    from polars.io.plugins import register_io_source

    schema = table_schema(provider, db, measurement)
    scan = {c: col for c, (col, _) in sql_columns(provider.schema(db, measurement)).items()}

    def source(with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None,
               batch_size: int | None) -> Iterator[pl.DataFrame]:
        start, end = time_bounds(predicate)
        # no column asked (count(*) over a join): rows still count, so send the cheapest column
        wanted = list(schema) if with_columns is None else (list(with_columns) or [TIME])
        needed = set(wanted) | (set(predicate.meta.root_names()) if predicate is not None else set())
        cols = [c for c in schema if c in needed and c != TIME]
        lf = provider.scan(db, rp, measurement, start, end, [scan[c] for c in cols])
        lf = lf.select(_cast(scan.get(c, c), schema[c]).alias(c) for c in schema if c == TIME or c in cols)
        if predicate is not None:
            lf = lf.filter(predicate)
        lf = lf.select(wanted)
        if n_rows is not None:
            lf = lf.head(n_rows)
        yield from lf.collect_batches(chunk_size=batch_size or BATCH_ROWS)  # a measurement never whole in memory

    return register_io_source(source, schema=schema, explain_name=f"tsdb {db}.{rp}.{measurement}")


def _cast(col: str, dtype: pl.DataType) -> pl.Expr:
    if col == TIME:
        return pl.col(TIME).cast(pl.Datetime("ns"))
    if dtype == pl.Categorical:
        return pl.col(col).cast(pl.Categorical())
    return pl.col(col)


_OPS = {"Gt": ">", "GtEq": ">=", "Lt": "<", "LtEq": "<="}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
_UNIT_NS = {"Nanoseconds": 1, "Microseconds": 1_000, "Milliseconds": 1_000_000}


def time_bounds(predicate: pl.Expr | None) -> tuple[int, int]:
    """The inclusive ns range implied by the predicate's top-level AND of ``time`` comparisons.

    Anything else (OR, functions, other columns) leaves the range open: the
    predicate itself is applied to the scanned rows anyway.
    """
    start, end = MIN_TIME, MAX_TIME
    if predicate is None:
        return start, end
    try:
        tree = json.loads(predicate.meta.serialize(format="json"))
    except Exception:  # an expression Polars cannot render as JSON: scan everything
        return start, end
    stack = [tree]
    while stack:
        node = stack.pop()
        b = node.get("BinaryExpr") if isinstance(node, dict) else None
        if b is None:
            continue
        op = b.get("op")
        if op in ("And", "LogicalAnd"):
            stack += [b["left"], b["right"]]
            continue
        if op == "Eq":
            op_s = "=="
        elif op in _OPS:
            op_s = _OPS[op]
        else:
            continue
        left, right = b["left"], b["right"]
        if _is_time(right) and not _is_time(left):
            left, right, op_s = right, left, _FLIP.get(op_s, op_s)
        value = _datetime_ns(right) if _is_time(left) else None
        if value is None:
            continue
        if op_s in (">", ">="):
            start = max(start, value + (op_s == ">"))
        elif op_s in ("<", "<="):
            end = min(end, value - (op_s == "<"))
        else:
            start, end = max(start, value), min(end, value)
    return start, end


def _is_time(node) -> bool:
    return isinstance(node, dict) and node.get("Column") == TIME


def _datetime_ns(node) -> int | None:
    try:
        v, unit, _tz = node["Literal"]["Scalar"]["Datetime"]
        return int(v) * _UNIT_NS[unit]
    except (KeyError, TypeError, ValueError):
        return None


# -- information_schema -----------------------------------------------------------


def _tables_frame(measurements: list[str]) -> pl.DataFrame:
    rows = [(IOX, m, "BASE TABLE") for m in measurements] + _SYSTEM_TABLES
    return pl.DataFrame({"table_catalog": [CATALOG] * len(rows),
                         "table_schema": [r[0] for r in rows],
                         "table_name": [r[1] for r in rows],
                         "table_type": [r[2] for r in rows]})


def _columns_frame(provider, db: str, measurements: list[str]) -> pl.DataFrame:
    rows = []
    for m in measurements:
        kinds = {TIME: None, **{c: kind for c, (_, kind) in sql_columns(provider.schema(db, m)).items()}}
        for pos, col in enumerate(sorted(kinds)):
            k = kinds[col]
            dtype = ("Timestamp(Nanosecond, None)" if col == TIME
                     else "Dictionary(Int32, Utf8)" if k == "tag" else _DATA_TYPE[k])
            prec = _PRECISION.get(k) if k not in (None, "tag") else None
            rows.append((m, col, pos, "NO" if col == TIME else "YES", dtype, prec,
                         2 if prec else None, 0 if k in (FieldType.INTEGER, FieldType.UNSIGNED) else None,
                         9 if col == TIME else None))
    u64 = pl.UInt64
    return pl.DataFrame({
        "table_catalog": [CATALOG] * len(rows), "table_schema": [IOX] * len(rows),
        "table_name": [r[0] for r in rows], "column_name": [r[1] for r in rows],
        "ordinal_position": pl.Series([r[2] for r in rows], dtype=u64),
        "column_default": pl.Series([None] * len(rows), dtype=pl.String),
        "is_nullable": [r[3] for r in rows], "data_type": [r[4] for r in rows],
        "character_maximum_length": pl.Series([None] * len(rows), dtype=u64),
        "character_octet_length": pl.Series([None] * len(rows), dtype=u64),
        "numeric_precision": pl.Series([r[5] for r in rows], dtype=u64),
        "numeric_precision_radix": pl.Series([r[6] for r in rows], dtype=u64),
        "numeric_scale": pl.Series([r[7] for r in rows], dtype=u64),
        "datetime_precision": pl.Series([r[8] for r in rows], dtype=u64),
        "interval_type": pl.Series([None] * len(rows), dtype=pl.String),
    }, schema_overrides={"table_name": pl.String, "column_name": pl.String,
                         "is_nullable": pl.String, "data_type": pl.String})


# -- text helpers ---------------------------------------------------------------------

def _tokens(sql: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(sql)]


def _unquote(ident: str) -> str:
    if len(ident) >= 2 and ident[0] == ident[-1] == '"':
        return ident[1:-1].replace('""', '"')
    return ident


def _quote_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _quote_str(value)
    raise QueryError(f"SQL error: unsupported parameter value type {type(value).__name__}")


def _bind(tokens: list[tuple[str, str]], params: dict) -> str:
    """Replace ``$name`` placeholders (outside strings and comments) with SQL literals."""
    out = []
    for kind, text in tokens:
        if kind == "param":
            key = text[1:]
            if key not in params:
                raise QueryError(f"SQL error: no value given for the parameter {text}")
            out.append(_literal(params[key]))
        else:
            out.append(text)
    return "".join(out)


@contextmanager
def _polars_errors(tables: list[str] | None = None) -> Iterator[None]:
    """A Polars error becomes a QueryError with Polars' reason (DataFusion's words where InfluxDB 3
    has them); the store's own errors pass as they are."""
    try:
        yield
    except pl.exceptions.PolarsError as e:
        raise QueryError(f"SQL error: {_polars_reason(e, tables or [])}") from None


_NO_COLUMN = re.compile(r'^unable to find column "(.*)"; valid columns: \[(.*)\]$', re.DOTALL)
_NO_QUALIFIED = re.compile(r"^no table or struct column named '(.*)' found$")


def _polars_reason(e: Exception, tables: list[str]) -> str:
    """Polars' message up to its first blank line (the rest is a plan dump), in DataFusion's words
    for an unknown table or column."""
    text = str(e).strip().split("\n\n")[0].strip() or type(e).__name__
    m = _NO_COLUMN.match(text)
    if m:
        valid = [v.strip().strip('"') for v in m.group(2).split(",") if v.strip()]
        q = f"{tables[0]}." if len(tables) == 1 else ""
        fields = ", ".join(q + v for v in valid if not v.startswith("__"))
        return f"Schema error: No field named {m.group(1)}. Valid fields are {fields}."
    m = _NO_QUALIFIED.match(text)
    if m:
        return f"Schema error: No field named {m.group(1)}."
    return re.sub(r"^relation '(.*)' was not found$", r"Error during planning: table 'public.iox.\1' not found", text)
