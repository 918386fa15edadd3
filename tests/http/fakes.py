"""A stand-in for the query engine while it is not importable: the real store for writes,
a few statement shapes (``SELECT * FROM m [GROUP BY *]``, ``SHOW DATABASES``,
``CREATE|DROP DATABASE x``) answered from ``store.scan``, and a parser yielding
AST-like nodes with the class names :mod:`tsdb_http.permissions` looks at.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


from tsdb_core.base.errors import ParseError
from tsdb_core.query.results import QueryResult, Series, StatementResult
from tsdb_core.base.time import MAX_TIME, MIN_TIME


def real_engine_available() -> bool:
    """True once the core answers the statements these tests use (SELECT, SHOW, CREATE)."""
    try:
        import tsdb_core

        s = tsdb_core.open(None)
        s.write("db", b"m v=1 1")
        r = s.query("SELECT * FROM m; SHOW DATABASES; CREATE DATABASE x; SELECT * FROM db..m GROUP BY *",
                    db="db", epoch="ns")
        return r.error is None and all(st.error is None for st in r.statements) and \
            r.statements[1].series[0].values == [["db"]]
    except Exception:
        return False


@dataclass(frozen=True)
class Measurement:
    database: str | None
    retention_policy: str | None
    name: str


@dataclass(frozen=True)
class SelectStatement:
    sources: tuple
    group_all: bool
    into: object = None


@dataclass(frozen=True)
class ShowDatabasesStatement:
    pass


@dataclass(frozen=True)
class CreateDatabaseStatement:
    name: str


@dataclass(frozen=True)
class DropDatabaseStatement:
    name: str


_SELECT = re.compile(r'^SELECT \* FROM (?:"?([\w-]+)"?\.(?:"?([\w-]*)"?)\.)?"?([\w -]+?)"?( GROUP BY \*)?$', re.I)


def parse(q: str, params=None) -> list:
    out = []
    for i, text in enumerate(t.strip() for t in q.split(";")):
        if not text:
            continue
        if m := _SELECT.match(text):
            out.append(SelectStatement((Measurement(m[1], m[2] or None, m[3]),), bool(m[4])))
        elif re.fullmatch(r"SHOW DATABASES", text, re.I):
            out.append(ShowDatabasesStatement())
        elif m := re.fullmatch(r'CREATE DATABASE "?([\w-]+)"?', text, re.I):
            out.append(CreateDatabaseStatement(m[1]))
        elif m := re.fullmatch(r'DROP DATABASE "?([\w-]+)"?', text, re.I):
            out.append(DropDatabaseStatement(m[1]))
        else:
            raise ParseError(f"found {text.split()[0] if text.split() else 'EOF'}, expected SELECT at line 1, char 1")
    return out


class FakeEngineStore:
    """Wraps a real store; ``query`` answers the statements :func:`parse` knows."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def query(self, q, db=None, rp=None, epoch=None, params=None, dialect=None) -> QueryResult:
        try:
            stmts = parse(q, params)
        except ParseError as e:
            return QueryResult(error=f"error parsing query: {e}")
        results = []
        for i, st in enumerate(stmts):
            try:
                results.append(self._run(i, st, db, rp))
            except Exception as e:  # noqa: BLE001 - statement errors go in the result
                results.append(StatementResult(i, error=str(e)))
        return QueryResult(results)

    def _run(self, i, st, db, rp) -> StatementResult:
        s = self._store
        if isinstance(st, ShowDatabasesStatement):
            return StatementResult(i, [Series("databases", None, ["name"], [[d] for d in s.databases()])])
        if isinstance(st, CreateDatabaseStatement):
            if not s.has_database(st.name):
                s.create_database(st.name)
            return StatementResult(i)
        if isinstance(st, DropDatabaseStatement):
            if s.has_database(st.name):
                s.drop_database(st.name)
            return StatementResult(i)
        m = st.sources[0]
        dbname = m.database or db
        if not dbname:
            raise ValueError("database name required")
        if not s.has_database(dbname):
            raise ValueError(f"database not found: {dbname}")
        df = s.scan(dbname, m.retention_policy or rp, m.name, MIN_TIME, MAX_TIME).collect().sort("time")
        if df.height == 0:
            return StatementResult(i)
        schema = s.schema(dbname, m.name)
        tags = [t for t in schema.tags if t in df.columns]
        fields = sorted(c for c in df.columns if c != "time" and c not in tags)
        if not st.group_all:
            cols = ["time", *sorted([*tags, *fields])]
            return StatementResult(i, [Series(m.name, None, cols, [list(r) for r in df.select(cols).iter_rows()])])
        series = []
        for key, part in df.group_by(tags, maintain_order=False) if tags else [((), df)]:
            tagd = {t: (v if v is not None else "") for t, v in zip(tags, key)}
            series.append(Series(m.name, tagd, ["time", *fields],
                                 [list(r) for r in part.sort("time").select(["time", *fields]).iter_rows()]))
        series.sort(key=lambda x: sorted(x.tags.items()))
        return StatementResult(i, series)
