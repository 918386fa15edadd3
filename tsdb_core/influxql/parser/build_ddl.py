"""AST callbacks for CREATE / DROP / ALTER / GRANT / REVOKE / SET PASSWORD / KILL.

Option checks (ranges, duplicate or misplaced options, CQ interval rules) are
influxql's, with its exact wording.
"""
from __future__ import annotations

from .lalr import Tok as Token

from ..ast import expr as E
from ..ast import meta as M
from ..ast import select as S
from ..ast.visit import find
from .errors import fail, fail_at, found_expected
from ...base.time import format_duration, parse_duration
from .build_expr import INT64_MAX, UINT64_MAX, RuleFamily
from .build_select import no_db_rp

INT32_MAX = 2**31 - 1


def _parse_int_range(tok: Token, lo: int, hi: int) -> int:
    n = int(tok.value)
    if n > INT64_MAX:
        fail_at(f'strconv.Atoi: parsing "{tok.value}": value out of range', tok)
    if not lo <= n <= hi:
        fail_at(f"invalid value {n}: must be {lo} <= n <= {hi}", tok)
    return n


def _duration_opt(tok: Token) -> int:
    """A DURATION option value (RP/CQ): INF is 0; errors carry the position."""
    if tok.type == "INF":
        return 0
    try:
        return parse_duration(tok.value)
    except ValueError as exc:
        fail_at(str(exc), tok)


def _is_aggregate(sel: S.SelectStatement) -> bool:
    """influxql IsRawQuery is False when any field contains a call."""
    return any(next(find(f.expr, E.Call), None) is not None for f in sel.fields)


def _group_by_interval(sel: S.SelectStatement) -> tuple[int, str | None]:
    """(interval ns, error text) as influxql GroupByInterval computes them."""
    for d in sel.dimensions:
        e = d.expr
        if isinstance(e, E.Call) and e.name == "time":
            if not 1 <= len(e.args) <= 2:
                return 0, "time dimension expected 1 or 2 arguments"
            if not isinstance(e.args[0], E.DurationLiteral):
                return 0, "time dimension must have duration argument"
            return e.args[0].val, None
    return 0, None


class DdlRules(RuleFamily):
    """Callbacks for the schema, user and privilege statements (mixed into :class:`build.AstBuilder`)."""

    __slots__ = ()

    def create_cq(self, ch):
        name, db = ch[1], ch[2]
        resample = ch[3] if isinstance(ch[3], tuple) else (0, 0)
        body, end_tok = ch[-2], ch[-1]
        sel = body.stmt
        if sel.into is None:
            found_expected(body.from_tok, ["INTO"])
        interval, err = _group_by_interval(sel)
        if _is_aggregate(sel) and (interval == 0 or err):
            expected = ["GROUP BY time(...)"] + ([err] if err else [])
            found_expected(self._state.get().token_before(end_tok), expected)
        if err:
            fail(err, 1, 1, positioned=False)
        every, for_ = resample
        if for_:
            if every and every > interval:
                interval = every
            if interval > for_:
                fail(f"FOR duration must be >= GROUP BY time duration: must be a minimum of "
                     f"{format_duration(interval)}, got {format_duration(for_)}", 1, 1, positioned=False)
        return S.CreateContinuousQueryStatement(name, db, sel, every, for_)

    def resample(self, ch):
        every = for_ = 0
        for i, tok in enumerate(ch):
            if isinstance(tok, Token) and tok.type in ("EVERY", "FOR"):
                val = ch[i + 1]
                try:
                    d = parse_duration(val.value)
                except ValueError as exc:
                    fail_at(str(exc), val)
                if tok.type == "EVERY":
                    every = d
                else:
                    for_ = d
        return (every, for_)

    def create_database(self, ch):
        name = ch[1]
        opts = [c for c in ch[2:]]
        if not opts:
            return M.CreateDatabaseStatement(name)
        values = {}
        order = ("DURATION", "REPLICATION", "SHARD", "NAME")
        last = -1
        for kw_tok, key, val, _ in opts:
            idx = order.index(key)
            if idx <= last:
                found_expected(kw_tok, [";"])
            last = idx
            values[key] = val
        return M.CreateDatabaseStatement(
            name, True, values.get("DURATION"), values.get("REPLICATION"),
            values.get("SHARD"), values.get("NAME"))

    def opt_duration(self, ch):
        return (ch[0], "DURATION", _duration_opt(ch[1]), ch[1])

    def opt_replication(self, ch):
        return (ch[0], "REPLICATION", _parse_int_range(ch[1], 1, INT32_MAX), ch[1])

    def opt_shard_duration(self, ch):
        return (ch[0], "SHARD", _duration_opt(ch[2]), ch[2])

    def opt_name(self, ch):
        return (ch[0], "NAME", ch[1], ch[0])

    def opt_default(self, ch):
        return (ch[0], "DEFAULT", True, ch[0])

    def duration_val(self, ch):
        return ch[0]

    def create_user(self, ch):
        admin = any(isinstance(c, Token) and c.type == "ALL" for c in ch)
        return M.CreateUserStatement(ch[1], ch[2].value, admin)

    def create_rp(self, ch):
        # CREATE name ON db DURATION_KW d REPLICATION_KW n [SHARD_KW DURATION_KW d] [DEFAULT]
        name, db = ch[1], ch[2]
        duration = _duration_opt(ch[4])
        replication = _parse_int_range(ch[6], 1, INT32_MAX)
        shard = None
        default = False
        rest = ch[7:]
        if rest and rest[0].type == "SHARD_KW":
            if rest[2].type == "INF":
                fail_at("invalid duration INF for shard duration", rest[2])
            shard = _duration_opt(rest[2])
            rest = rest[3:]
        if rest:
            default = True
        return M.CreateRetentionPolicyStatement(name, db, duration, replication, shard, default)

    def create_subscription(self, ch):
        name, db, rp = ch[1], ch[2], ch[4]
        mode = ch[5].type
        dests = tuple(t.value for t in ch[6:] if t.type == "STRING")
        return M.CreateSubscriptionStatement(name, db, rp, mode, dests)

    def drop_cq(self, ch):
        return M.DropContinuousQueryStatement(ch[1], ch[2])

    def drop_database(self, ch):
        return M.DropDatabaseStatement(ch[1])

    def drop_measurement(self, ch):
        return M.DropMeasurementStatement(ch[1])

    def drop_rp(self, ch):
        return M.DropRetentionPolicyStatement(ch[1], ch[2])

    def drop_series(self, ch):
        if len(ch) == 3:
            return S.DropSeriesStatement(no_db_rp(ch[1]), ch[2])
        return S.DropSeriesStatement(condition=ch[1])

    def drop_shard(self, ch):
        tok = ch[2]
        n = int(tok.value)
        if n > UINT64_MAX:
            fail_at(f'strconv.ParseUint: parsing "{tok.value}": value out of range', tok)
        return M.DropShardStatement(n)

    def drop_subscription(self, ch):
        return M.DropSubscriptionStatement(ch[1], ch[2], ch[4])

    def drop_user(self, ch):
        return M.DropUserStatement(ch[1])

    def privilege(self, ch):
        return ch[0].type

    def grant(self, ch):
        return M.GrantStatement(ch[1], ch[2], ch[4])

    def grant_admin(self, ch):
        return M.GrantAdminStatement(ch[-1])

    def revoke(self, ch):
        return M.RevokeStatement(ch[1], ch[2], ch[4])

    def revoke_admin(self, ch):
        return M.RevokeAdminStatement(ch[-1])

    def alter_rp_stmt(self, ch):
        name, db = ch[1], ch[2]
        seen = set()
        vals = {}
        for kw_tok, key, val, val_tok in ch[3:]:
            if key in seen:
                fail_at(f"found duplicate {key} option", kw_tok)
            if key == "SHARD" and val_tok.type == "INF":
                fail_at("invalid duration INF for shard duration", val_tok)
            seen.add(key)
            vals[key] = val
        return M.AlterRetentionPolicyStatement(
            name, db, vals.get("DURATION"), vals.get("REPLICATION"), vals.get("SHARD"),
            vals.get("DEFAULT", False))

    def rp_name(self, ch):
        c = ch[0]
        return "default" if isinstance(c, Token) else c

    def set_password_stmt(self, ch):
        return M.SetPasswordUserStatement(ch[2], ch[4].value)

    def kill_query_stmt(self, ch):
        tok = ch[1]
        n = int(tok.value)
        if n > UINT64_MAX:
            fail_at(f'strconv.ParseUint: parsing "{tok.value}": value out of range', tok)
        return M.KillQueryStatement(n, ch[2] if len(ch) > 2 else None)
