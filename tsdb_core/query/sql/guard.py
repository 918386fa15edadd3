"""What a SQL query may touch: one SELECT over the tables of its own database, nothing else.

Polars' SQL engine reads files and URLs by itself (``read_csv('/etc/passwd')``,
``read_parquet('http://...')``), so user SQL never reaches it as written. It is
parsed here (sqlglot), every node of the tree is checked against allow-lists
(statement, syntax, functions, tables), table names are rewritten to the
measurements they resolve to, and Polars runs the tree as sqlglot renders it
again: comments, dollar-quoting and escape strings never reach Polars, so the
two parsers cannot disagree on what is a string and what is code.

Refusals: a statement other than one SELECT, a table function, a function off
the list known to read files, a table outside the database → :class:`PermissionDenied`;
SQL that does not parse, a construct or a function outside the lists → :class:`QueryError`.

    checked = check("SELECT max(usage) FROM iox.cpu", ["cpu", "mem"])
    checked.sql, checked.tables      # 'SELECT MAX(usage) FROM "cpu"', ['cpu']
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import TokenType

from ...base.errors import PermissionDenied, QueryError
from .translate import Translation, translate

__all__ = ["Checked", "check", "FUNCTIONS", "INFO_TABLES"]

INFO_TABLES = {"tables": "__information_schema_tables", "columns": "__information_schema_columns"}
IOX_SCHEMA, CATALOG = "iox", "public"


class _Dialect(Postgres):
    """Postgres syntax as Polars reads it: strings escape ``'`` only by doubling it, and every
    function call stays a name (no rewriting of ``now()`` or ``median()``) for the allow-list."""

    class Tokenizer(Postgres.Tokenizer):
        STRING_ESCAPES = ["'"]

    class Parser(Postgres.Parser):  # type: ignore[misc,valid-type]  # sqlglot's nested classes
        FUNCTIONS: dict = {}

    class Generator(Postgres.Generator):  # type: ignore[misc,valid-type]
        TRANSFORMS = {**Postgres.Generator.TRANSFORMS,
                      exp.TryCast: lambda self, e: f"TRY_CAST({self.sql(e, 'this')} AS {self.sql(e, 'to')})"}


# Pure computation Polars' SQL offers (math, aggregates, strings, time, arrays, windows).
# Nothing here reads a file, a URL or the environment; a name Polars lacks is still refused by Polars.
FUNCTIONS = frozenset("""
abs acos acosd asin asind atan atan2 atan2d atand cbrt ceil ceiling cos cosd cot cotd degrees div exp
floor ln log log10 log1p log2 mod pi pow power radians round sign sin sind sqrt tan tand trunc
avg corr count covar covar_pop covar_samp first last max median min quantile_cont quantile_disc stddev
stddev_samp stddev_pop std sum variance var var_samp var_pop string_agg array_agg bool_and bool_or
max_by min_by array_contains array_get array_length array_lower array_upper array_mean array_min
array_max array_reverse array_sum array_to_string array_unique string_to_array unnest
bit_and bit_count bit_or bit_xor coalesce greatest if ifnull least nullif nvl
bit_length btrim char_length character_length concat concat_ws date ends_with initcap left length len
lower lpad ltrim normalize octet_length regexp_like regexp_replace regexp_substr replace reverse right
rpad rtrim split_part starts_with strpos strptime substr substring timestamp datetime upper trim
date_part date_trunc extract strftime now current_date current_time current_timestamp
row_number rank dense_rank percent_rank lag lead first_value last_value nth_value columns
""".split())

# Functions that read files, URLs or the environment somewhere (Polars' table functions and
# their kin): refused as a permission matter wherever they appear, for a clear message.
_IO_PREFIXES = ("read_", "scan_", "write_", "sink_", "copy", "load", "import", "export", "pg_", "getenv",
                "current_user", "version", "file", "http", "url", "glob")

# Syntax a SELECT may use; anything else in the tree is refused.
_NODES = (
    exp.Select, exp.Union, exp.Intersect, exp.Except, exp.With, exp.CTE, exp.Subquery, exp.TableAlias,
    exp.From, exp.Join, exp.Where, exp.Group, exp.Having, exp.Order, exp.Ordered, exp.Limit, exp.Offset,
    exp.Distinct, exp.Column, exp.Identifier, exp.Star, exp.Literal, exp.Boolean, exp.Null, exp.Alias,
    exp.Paren, exp.Tuple, exp.And, exp.Or, exp.Not, exp.Neg, exp.EQ, exp.NEQ, exp.NullSafeEQ,
    exp.NullSafeNEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.RegexpLike, exp.RegexpILike, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.DPipe,
    exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor, exp.BitwiseNot, exp.BitwiseLeftShift,
    exp.BitwiseRightShift, exp.Case, exp.If, exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam,
    exp.Interval, exp.Var, exp.Anonymous, exp.Window, exp.WindowSpec, exp.Extract, exp.Trim,
    exp.Substring, exp.StrPosition, exp.CurrentDate, exp.CurrentTimestamp, exp.CurrentTime, exp.Exists,
    exp.Any, exp.All, exp.Array, exp.Bracket, exp.GroupConcat, exp.WithinGroup, exp.Values, exp.Table,
)
_QUERY = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery)
_QUERY_START = {TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN}
_DIALECT = _Dialect()
_TABLE_ARGS = {"this", "db", "catalog", "alias"}


@dataclass
class Checked:
    """An allowed query: the SQL Polars runs, the measurements it reads (one entry per reference)."""

    sql: str
    refs: list[str] = field(default_factory=list)
    info: set[str] = field(default_factory=set)  # information_schema tables: "tables", "columns"
    joins: bool = False
    tree: exp.Expression | None = None
    translation: Translation | None = None  # InfluxDB 3 functions rewritten; what the answer still needs

    @property
    def tables(self) -> list[str]:
        return sorted(set(self.refs))


def check(sql: str, measurements: list[str], database: str = "", *, now_ns: int | None = None) -> Checked:
    """Parse ``sql``, rewrite InfluxDB 3's functions (:mod:`.translate`), refuse anything outside the
    allow-lists in the rewritten tree, and render what Polars may run. ``now_ns`` is ``now()``."""
    tree = _parse_one_query(sql)
    _refuse_io(tree)  # before the rewrite too, so its errors never hide a refusal
    translation = translate(tree, _time.time_ns() if now_ns is None else now_ns)
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    names = {m: m for m in measurements}
    lower: dict[str, str] = {}
    for m in measurements:
        lower.setdefault(m.lower(), m)
    out = Checked("")
    for node in list(tree.walk()):
        if not isinstance(node, _NODES):
            raise QueryError(f"SQL error: not allowed in a query: {_describe(node)}")
        if isinstance(node, exp.Anonymous):
            _function(node.name)
        elif isinstance(node, exp.Table):
            _table(node, names, lower, ctes, database, out)
        elif isinstance(node, exp.Column):
            _unqualify(node)
        elif isinstance(node, exp.Join):
            out.joins = True
    if any(len(f.args.get("expressions") or []) for f in tree.find_all(exp.From)):
        out.joins = True
    if any(w.args.get("recursive") for w in tree.find_all(exp.With)):
        raise QueryError("SQL error: not allowed in a query: WITH RECURSIVE")
    out.tree = tree
    out.translation = translation
    out.sql = tree.sql(dialect=_Dialect, comments=False)
    return out


def _refuse_io(tree: exp.Expression) -> None:
    """Refuse file, URL and table functions wherever they appear in the tree as written."""
    for node in tree.walk():
        if isinstance(node, exp.Anonymous) and node.name.lower() not in FUNCTIONS:
            if node.name.lower().startswith(_IO_PREFIXES):
                _function(node.name)
        elif isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier):
            _table(node, {}, {}, set(), "", Checked(""))


def _parse_one_query(sql: str) -> exp.Expression:
    """The tree of ``sql`` when it is one query; statements are split at ';' before parsing,
    so a second statement never reaches the parser."""
    try:
        tokens = _DIALECT.tokenize(sql)
    except sqlglot.errors.SqlglotError as e:
        raise QueryError(f"SQL error: sql parser error: {_parser_reason(e)}") from None
    statements: list[list] = []
    current: list = []
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            statements, current = statements + [current] * bool(current), []
        else:
            current.append(tok)
    statements += [current] * bool(current)
    if not statements:
        raise QueryError("SQL error: empty query")
    if len(statements) > 1:
        raise PermissionDenied("SQL error: statement not allowed: more than one statement (one SELECT only)")
    if statements[0][0].token_type not in _QUERY_START:
        raise _statement(statements[0][0].text)
    try:
        tree = next(t for t in _DIALECT.parser().parse(tokens, sql) if t is not None)
    except sqlglot.errors.SqlglotError as e:
        raise QueryError(f"SQL error: sql parser error: {_parser_reason(e)}") from None
    if not isinstance(tree, _QUERY):
        raise _statement(tree.key)
    return tree


def _statement(word: str) -> PermissionDenied | QueryError:
    word = word.upper()
    if word not in _STATEMENT_WORDS:
        return QueryError(f"SQL error: sql parser error: expected SELECT, found {word[:40]}")
    return PermissionDenied(f"SQL error: statement not allowed: {word} (a query is one SELECT)")


_STATEMENT_WORDS = {
    "ALTER", "ANALYZE", "ATTACH", "BEGIN", "CALL", "CHECKPOINT", "COMMENT", "COMMIT", "COPY", "CREATE",
    "DEALLOCATE", "DELETE", "DESCRIBE", "DETACH", "DO", "DROP", "EXECUTE", "EXPLAIN", "EXPORT", "GRANT",
    "IMPORT", "INSERT", "INSTALL", "LISTEN", "LOAD", "LOCK", "MERGE", "NOTIFY", "PRAGMA", "PREPARE",
    "REVOKE", "ROLLBACK", "SET", "SHOW", "SUMMARIZE", "TRUNCATE", "UNLOAD", "UPDATE", "USE", "VACUUM",
}


def _function(name: str) -> None:
    low = name.lower()
    if low in FUNCTIONS:
        return
    if low.startswith(_IO_PREFIXES):
        raise PermissionDenied(f"SQL error: function not allowed: {name} (a query reads only its database's tables)")
    raise QueryError(f"SQL error: Error during planning: Invalid function '{low}'.")


def _table(node: exp.Table, names: dict, lower: dict, ctes: set, database: str, out: Checked) -> None:
    ident = node.this
    if not isinstance(ident, exp.Identifier):
        what = ident.name if isinstance(ident, exp.Func) else node.sql(dialect=_Dialect)[:60]
        raise PermissionDenied(f"SQL error: table function not allowed: {what} "
                               "(a query reads only its database's tables)")
    extra = sorted(k for k, v in node.args.items() if v and k not in _TABLE_ARGS)
    if extra:
        raise QueryError(f"SQL error: not allowed in a query: {', '.join(extra).upper()} on a table")
    name, schema, catalog = ident.name, node.text("db"), node.text("catalog")
    qualified = ".".join(p for p in (catalog, schema, name) if p)
    if catalog and catalog.lower() != CATALOG:
        raise _foreign(qualified, database)
    if schema.lower() == "information_schema" and name.lower() in INFO_TABLES:
        out.info.add(name.lower())
        _rename(node, INFO_TABLES[name.lower()])
        return
    if schema and schema.lower() != IOX_SCHEMA:
        raise _foreign(qualified, database)
    if not schema and name.lower() in ctes:
        node.meta["cte"] = name.lower()
        return
    m = names.get(name) or (lower.get(name.lower()) if not ident.quoted else None)
    if m is None:
        raise QueryError(f"SQL error: Error during planning: table 'public.iox.{name}' not found")
    out.refs.append(m)
    _rename(node, m)


def work_bound(checked: Checked, rows: dict[str, int]) -> int:
    """An upper bound of the rows any SELECT of the query combines: the product of the sizes of
    its FROM and JOIN inputs (a table's rows, a subquery's or CTE's own bound), whatever the keys."""
    tree = checked.tree
    assert tree is not None
    ctes = {c.alias_or_name.lower(): c.this for c in tree.find_all(exp.CTE)}
    memo: dict[int, int] = {}
    worst = 0

    def size(e) -> int:
        nonlocal worst
        if e is None:
            return 1
        if id(e) in memo:
            return memo[id(e)]
        if isinstance(e, exp.Table):
            cte = e.meta.get("cte")
            n = size(ctes.get(cte)) if cte else rows.get(e.name, _INFO_ROWS)
        elif isinstance(e, (exp.Subquery, exp.Paren)):
            n = size(e.this)
        elif isinstance(e, exp.Values):
            n = len(e.expressions)
        elif isinstance(e, (exp.Union, exp.Intersect, exp.Except)):
            n = size(e.left) + size(e.right)
        elif isinstance(e, exp.Select):
            n = 1
            src = e.args.get("from_") or e.args.get("from")
            for s_ in ([src.this, *(src.args.get("expressions") or [])] if src else []):
                n *= size(s_)
            for j in e.args.get("joins") or []:
                n *= size(j.this)
            worst = max(worst, n)
        else:
            n = 1
        memo[id(e)] = n
        return n

    for sel in tree.find_all(exp.Select):
        size(sel)
    return worst


_INFO_ROWS = 10_000


def _rename(node: exp.Table, name: str) -> None:
    node.set("this", exp.Identifier(this=name, quoted=True))
    node.set("db", None)
    node.set("catalog", None)


def _unqualify(col: exp.Column) -> None:
    """``iox.cpu.usage`` / ``public.iox.cpu.usage`` name ``cpu.usage`` (IOx's default schema)."""
    if col.text("db").lower() == IOX_SCHEMA and col.text("catalog").lower() in ("", CATALOG):
        col.set("db", None)
        col.set("catalog", None)


def _foreign(name: str, database: str) -> PermissionDenied:
    where = f"database {database}" if database else "its database"
    return PermissionDenied(f"SQL error: table not allowed: {name} (a query reads only the tables of {where})")


def _describe(node) -> str:
    return node.key.upper().replace("_", " ")


def _parser_reason(e: Exception) -> str:
    """sqlglot's first line, without its terminal underlining."""
    text = str(e).strip().splitlines()
    line = text[0] if text else type(e).__name__
    return line.replace("\x1b[4m", "").replace("\x1b[0m", "")[:200]
