"""Will a statement run on InfluxDB 1.x and on InfluxDB 3 (Cloud Dedicated)? A static check.

Each statement is judged as if sent alone: by the 1.x grammar (``error parsing query: ...``
when it fails) and by InfluxDB 3's rules (``influxdb3.py``: its parser's and planner's
refusals, in its words). Where v3 refuses a statement and a v3 way to get the same answer
exists, the verdict says it; where both run it but answer differently, ``note`` says how.
Nothing here reads data: a statement that fails only on some data is judged as running.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from ...base.errors import ParseError
from ..ast import expr as A
from ..ast import meta as M
from ..ast import select as S
from ..ast.visit import find
from ..functions import lookup
from ..parser.driver import parse
from . import influxdb3 as v3
from .statements import char_offset, pieces


@dataclass(frozen=True, slots=True)
class Verdict:
    """One statement's portability: ``influxdb1``/``influxdb3`` are None when it runs there,
    else the error that product answers; ``v3_way`` a way to write it for InfluxDB 3;
    ``note`` how the answers differ when both run it."""

    statement: str
    influxdb1: str | None
    influxdb3: str | None
    v3_way: str | None = None
    note: str | None = None

    @property
    def portable(self) -> bool:
        """Runs on both, with the same answer."""
        return self.influxdb1 is None and self.influxdb3 is None and self.note is None


def check(text: str, now: int | None = None) -> list[Verdict]:
    """A verdict per statement of ``text`` (``;``-separated), in order; ``now`` (ns) is the
    time ``now()`` reads where a message prints it (the wall clock when None)."""
    now = time.time_ns() if now is None else now
    return [check_statement(p.text, now) for p in pieces(text)]


def check_statement(text: str, now: int | None = None) -> Verdict:
    """The verdict of one statement's text."""
    try:
        (stmt,) = parse(text, None, limit_depth=True)
    except ParseError as e:
        v3_error = v3.parse_error(text) or _v3_only_error(text, now)
        if v3_error is False:
            v3_error = v3.our_parse_error(text, e.message, char_offset(text, e.line, e.column))
        return Verdict(text, f"error parsing query: {e.message}", v3_error)
    v1_error = _v1_error(stmt)
    v3_error = v3.parse_error(text) or _v3_statement_error(text, stmt, now)
    if v3_error is not None:
        return Verdict(text, v1_error, v3_error, v3_way(stmt))
    if v1_error is not None:
        return Verdict(text, v1_error, None)
    return Verdict(text, None, None, note=difference(stmt))


def _v3_statement_error(text: str, stmt, now: int | None) -> str | None:
    """v3's rewriter's and planner's answer to a statement its parser took."""
    return v3.rewrite_error(stmt) or v3.with_measurement_error(pieces(text)[0], stmt) or v3.statement_error(stmt, now)


def _v3_only_error(text: str, now: int | None):
    """v3's answer to what its parser takes and the 1.x grammar has not (an EXPLAIN of a
    statement other than SELECT, SHOW MEASUREMENTS ON *, *.* or db.rp): the statement's
    own, or False when the text is none of those or does not parse so either."""
    blanked, _, explained = v3.explain_words(text)
    try:
        blanked, on_rp = v3.measurements_on(blanked)
    except ParseError as e:
        return e.message
    if not (explained or on_rp):
        return False
    try:
        (stmt,) = parse(blanked, None, limit_depth=True)
    except ParseError as e:
        return v3.our_parse_error(text, e.message, char_offset(text, e.line, e.column))
    return _v3_statement_error(blanked, stmt, now)


def _v1_error(stmt) -> str | None:
    """influxd's compile error for a function it does not have (count_hll, ...)."""
    if isinstance(stmt, S.ExplainStatement):
        stmt = stmt.statement
    if not isinstance(stmt, S.SelectStatement):
        return None
    for s in [stmt, *[q.statement for q in find(stmt, A.SubQuery)]]:
        for call in (c for f in s.fields for c in find(f, A.Call)):
            if lookup(call.name) is None:
                return f"undefined function {call.name}()"
    return None


_MANAGEMENT = "not in InfluxQL on InfluxDB 3: use the Cloud Dedicated management API or influxctl ({})"
_COUNT = "not in InfluxDB 3's InfluxQL: count the rows of `{}` (or SQL COUNT(DISTINCT ...) over Flight)"
_WAYS = {
    M.CreateDatabaseStatement: _MANAGEMENT.format("influxctl database create"),
    M.DropDatabaseStatement: _MANAGEMENT.format("influxctl database delete"),
    M.CreateRetentionPolicyStatement: _MANAGEMENT.format("a database's retention period: influxctl database update"),
    M.AlterRetentionPolicyStatement: _MANAGEMENT.format("a database's retention period: influxctl database update"),
    M.DropRetentionPolicyStatement: _MANAGEMENT.format("a database per retention policy: influxctl database delete"),
    M.DropMeasurementStatement: _MANAGEMENT.format("influxctl table delete"),
    S.DeleteSeriesStatement: "InfluxDB 3 deletes no points: let the database's retention period remove them",
    S.DropSeriesStatement: "InfluxDB 3 deletes no series: let the database's retention period remove them",
    M.ShowDatabasesStatement: _MANAGEMENT.format("influxctl database list"),
    M.CreateUserStatement: "tokens replace users: influxctl token create",
    M.ShowUsersStatement: "tokens replace users: influxctl token list",
    M.GrantStatement: "tokens replace users: a database token's permissions (influxctl token create)",
    M.ShowMeasurementCardinalityStatement: _COUNT.format("SHOW MEASUREMENTS"),
    M.ShowTagKeyCardinalityStatement: _COUNT.format("SHOW TAG KEYS"),
    M.ShowFieldKeyCardinalityStatement: _COUNT.format("SHOW FIELD KEYS"),
    S.CreateContinuousQueryStatement: "a scheduled write: run its SELECT (without INTO) on a schedule and write "
                                      "the rows back (a client job or a Processing Engine trigger)",
}
_FUNCTION_WAYS = {
    "count_hll": "count(distinct(...)) counts exactly",
    "sample": "LIMIT n (the first points), or SQL ORDER BY random() LIMIT n over Flight",
    "holt_winters": "forecast in the client from the SELECT's mean() GROUP BY time() rows "
                    "(e.g. statsmodels ExponentialSmoothing)",
}


def v3_way(stmt) -> str | None:
    """How to get the statement's answer from InfluxDB 3, when there is a way."""
    way = _WAYS.get(type(stmt))
    if way is not None:
        return way
    if isinstance(stmt, M.ShowSeriesStatement):
        return _show_series_way(stmt)
    if isinstance(stmt, (M.ShowSeriesCardinalityStatement, M.ShowTagValuesCardinalityStatement)):
        return _COUNT.format("SHOW TAG VALUES WITH KEY = <tag>")
    if isinstance(stmt, S.ExplainStatement):
        stmt = stmt.statement
    if isinstance(stmt, S.SelectStatement):
        return _select_way(stmt)
    if v3.show_from_error(stmt) is not None:
        return "name the database (and retention policy) with ON or the request's db and rp, the measurement alone"
    return None


def _show_series_way(stmt: M.ShowSeriesStatement) -> str:
    sources = f" FROM {', '.join(str(s) for s in stmt.sources)}" if stmt.sources else ""
    where = f" WHERE {stmt.condition}" if stmt.condition is not None else ""
    return f"SHOW TAG VALUES{sources} WITH KEY =~ /.*/{where} (one row per tag value, not per series)"


def _select_way(stmt: S.SelectStatement) -> str | None:
    if stmt.into is not None:
        plain = dataclasses.replace(stmt, into=None)
        return (f"a scheduled write: run `{plain}` on a schedule and write its rows to "
                f"{stmt.into.measurement} (a client job or a Processing Engine trigger)")
    if any(s.slimit or s.soffset for s in [stmt, *[q.statement for q in find(stmt, A.SubQuery)]]):
        plain = dataclasses.replace(stmt, slimit=0, soffset=0)
        return f"pick the series with a WHERE on their tags: `{plain}` plus e.g. WHERE host =~ /^(a|b)$/"
    for call in find(stmt, A.Call):
        if call.name in ("holt_winters", "holt_winters_with_fit"):
            return _FUNCTION_WAYS["holt_winters"]
        if call.name in v3.UNPLANNED_FUNCTIONS:
            return f"compute {call.name}() in the client (e.g. pandas) from the raw or mean() rows"
        if call.name in _FUNCTION_WAYS:
            return _FUNCTION_WAYS[call.name]
    return None


def difference(stmt) -> str | None:
    """How InfluxDB 3's answer differs from 1.x's for a statement both run."""
    notes = []
    if isinstance(stmt, M.ShowTagValuesStatement) or (
            isinstance(stmt, (M.ShowTagKeysStatement, M.ShowMeasurementsStatement)) and stmt.condition is not None):
        if stmt.condition is None or "time" not in {r.name for r in find(stmt.condition, A.VarRef)}:
            notes.append("InfluxDB 3 reads only the last 24 h without a time bound in WHERE (1.x: all data)")
    if isinstance(stmt, M.ShowTagValuesStatement) and (stmt.limit or stmt.offset) and stmt.op != "=":
        notes.append("InfluxDB 3 applies LIMIT and OFFSET to each key's values (1.x: to each measurement's rows)")
    if isinstance(stmt, M.ShowRetentionPoliciesStatement):
        notes.append("InfluxDB 3 answers one placeholder policy (autogen, 0s, 168h0m0s, 1, true)")
    if isinstance(stmt, S.ExplainStatement):
        notes.append("InfluxDB 3 prints its own plan (DataFusion's), not 1.x's")
    return "; ".join(notes) or None
