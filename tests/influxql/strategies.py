"""Hypothesis strategies for canonical InfluxQL ASTs (trees the parser itself could produce).

Canonical means: binary trees respect influxql's precedence and left
associativity (a child that would re-associate is wrapped in ParenExpr), the
right side of =~/!~ is a regex, SELECT fields hold no comparison, and literals
are in the forms the parser folds them into (e.g. ``-5`` is IntegerLiteral(-5)).
"""
from hypothesis import strategies as st

from tsdb_core.influxql import ast as A
from tsdb_core.influxql.ast.expr import PRECEDENCE
from tsdb_core.influxql.parser.lexing import KEYWORDS

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

bare_idents = st.text(_ALNUM, min_size=1, max_size=8).filter(lambda s: not s[0].isdigit())
odd_idents = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     min_size=1, max_size=8)
keyword_idents = st.sampled_from(sorted(KEYWORDS)).map(str.lower)
idents = st.one_of(bare_idents, bare_idents, odd_idents, keyword_idents)
func_names = bare_idents.map(str.lower).filter(lambda s: s.upper() not in KEYWORDS)
strings = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10)
def _compiles(p: str) -> bool:
    import re
    if p.endswith("\\"):
        return False
    try:
        re.compile(p)
        return True
    except re.error:
        return False


regexes = st.text("abcxyz.*+?^$|/ ", max_size=8).filter(_compiles)
INT64_MAX = 2**63 - 1
ints = st.integers(min_value=-(2**63), max_value=INT64_MAX)
floats = st.floats(allow_nan=False, allow_infinity=False)
durations = st.integers(min_value=-(2**62), max_value=2**62)

literals = st.one_of(
    ints.map(A.IntegerLiteral),
    st.integers(min_value=INT64_MAX + 1, max_value=2**64 - 1).map(A.UnsignedLiteral),
    floats.map(A.NumberLiteral),
    strings.map(A.StringLiteral),
    st.booleans().map(A.BooleanLiteral),
    durations.map(A.DurationLiteral),
)
var_refs = st.builds(A.VarRef, idents, st.one_of(st.none(), st.sampled_from(A.DATA_TYPES)))
bound_params = idents.map(A.BoundParameter)
leaves = st.one_of(literals, var_refs, var_refs, bound_params)

_ARITH = ["+", "-", "*", "/", "%", "&", "|", "^"]
_COMPARE = ["=", "!=", "<", "<=", ">", ">="]
_LOGIC = ["AND", "OR"]


def _unary_shape(e) -> bool:
    return (type(e) is A.BinaryExpr and e.op == "*" and type(e.lhs) is A.IntegerLiteral
            and e.lhs.val in (1, -1) and type(e.rhs) in (A.VarRef, A.Call, A.ParenExpr))


def _binary(op, lhs, rhs):
    """BinaryExpr with parentheses added where influxql's precedence would regroup."""
    p = PRECEDENCE[op]
    if isinstance(lhs, A.BinaryExpr) and PRECEDENCE[lhs.op] < p:
        lhs = A.ParenExpr(lhs)
    if isinstance(rhs, A.BinaryExpr) and PRECEDENCE[rhs.op] <= p and not _unary_shape(rhs):
        rhs = A.ParenExpr(rhs)
    return A.BinaryExpr(op, lhs, rhs)


def expressions(ops, leaf=leaves, max_leaves=8):
    def extend(children):
        return st.one_of(
            st.builds(_binary, st.sampled_from(ops), children, children),
            children.map(A.ParenExpr),
            st.builds(A.Call, func_names, st.lists(children, max_size=3).map(tuple)),
            st.builds(lambda s, e: A.BinaryExpr("*", A.IntegerLiteral(s), e), st.sampled_from([1, -1]),
                      st.one_of(var_refs, children.map(A.ParenExpr))),
        )
    return st.recursive(leaf, extend, max_leaves=max_leaves)


arith_exprs = expressions(_ARITH)
conditions = st.one_of(
    expressions(_ARITH + _COMPARE + _LOGIC),
    st.builds(lambda lhs, op, rx: _binary(op, lhs, A.RegexLiteral(rx)),
              var_refs, st.sampled_from(["=~", "!~"]), regexes),
)

field_exprs = st.one_of(
    arith_exprs, arith_exprs,
    st.sampled_from([None, "field", "tag"]).map(A.Wildcard),
    regexes.map(A.RegexLiteral),
    idents.map(A.Distinct),
    st.builds(A.Call, func_names, st.tuples(st.sampled_from([A.Wildcard(), A.Wildcard("field")]))),
)
fields = st.builds(A.Field, field_exprs, st.one_of(st.none(), idents))


def _measurement(db, rp, name):
    return A.Measurement(database=db, retention_policy=rp, name=name)


names = idents
measurements = st.one_of(
    st.builds(_measurement, st.none(), st.none(), names),
    st.builds(_measurement, st.none(), names, names),
    st.builds(_measurement, names, names, names),
    st.builds(_measurement, names, st.none(), names),
    regexes.map(lambda r: A.Measurement(regex=A.RegexLiteral(r))),
    st.builds(lambda rp, r: A.Measurement(retention_policy=rp, regex=A.RegexLiteral(r)), names, regexes),
    st.builds(lambda db, rp, r: A.Measurement(database=db, retention_policy=rp, regex=A.RegexLiteral(r)),
              names, st.one_of(st.none(), names), regexes),
)
targets = st.one_of(
    st.builds(_measurement, st.none(), st.none(), names),
    st.builds(_measurement, names, names, names),
    st.builds(_measurement, st.none(), names, st.none()),
    st.builds(_measurement, names, st.one_of(st.none(), names), st.none()),
).map(A.Target)
dimensions = st.one_of(
    st.builds(lambda d: A.Call("time", (A.DurationLiteral(d),)), st.integers(1, 10**15)),
    st.builds(lambda d, o: A.Call("time", (A.DurationLiteral(d), A.DurationLiteral(o))),
              st.integers(1, 10**15), st.integers(-10**12, 10**12)),
    var_refs, st.just(A.Wildcard()), regexes.map(A.RegexLiteral),
).map(A.Dimension)
fills = st.one_of(
    st.just((None, None)),
    st.sampled_from(["null", "none", "previous", "linear"]).map(lambda f: (f, None)),
    ints.map(lambda v: ("value", v)), floats.map(lambda v: ("value", v)),
)
orders = st.one_of(st.just(()), st.builds(lambda n, a: (A.SortField(n, a),),
                                          st.sampled_from([None, "time"]), st.booleans()))
counts = st.one_of(st.just(0), st.integers(1, INT64_MAX))
zones = st.one_of(st.none(), st.sampled_from(["UTC", "America/New_York", "Europe/Paris", "Asia/Tokyo"]))


def _select(fields_, sources, into, cond, dims, fill, order, limit, offset, slimit, soffset, tz):
    return A.SelectStatement(
        fields=tuple(fields_), sources=tuple(sources), into=into, condition=cond,
        dimensions=tuple(dims), fill=fill[0], fill_value=fill[1], order_by=order, limit=limit,
        offset=offset, slimit=slimit, soffset=soffset, location=tz)


def selects(depth=1, into=True):
    """SELECT statements; a subquery never has INTO (a parse error)."""
    sources = measurements if depth == 0 else st.one_of(
        measurements, measurements, measurements, selects(depth - 1, into=False).map(A.SubQuery))
    return st.builds(
        _select, st.lists(fields, min_size=1, max_size=3), st.lists(sources, min_size=1, max_size=2),
        st.one_of(st.none(), targets) if into else st.none(), st.one_of(st.none(), conditions),
        st.lists(dimensions, max_size=3), fills, orders, counts, counts, counts, counts, zones)


durations_pos = st.integers(1, 10**16)
meta_statements = st.one_of(
    st.builds(A.ShowMeasurementsStatement, st.one_of(st.none(), names),
              st.one_of(st.none(), st.builds(_measurement, st.none(), st.none(), names),
                        regexes.map(lambda r: A.Measurement(regex=A.RegexLiteral(r)))),
              st.one_of(st.none(), conditions), orders.filter(lambda o: not o or o[0].name is None),
              counts, counts),
    st.builds(A.ShowTagValuesStatement, st.sampled_from(["=", "!="]), names.map(A.StringLiteral),
              st.one_of(st.none(), names)),
    st.builds(A.ShowTagValuesStatement, st.sampled_from(["=~", "!~"]), regexes.map(A.RegexLiteral)),
    st.builds(A.ShowTagValuesStatement, st.just("IN"),
              st.lists(names, min_size=1, max_size=3).map(lambda v: A.ListLiteral(tuple(v)))),
    st.builds(A.ShowSeriesCardinalityStatement, st.booleans(), st.one_of(st.none(), names),
              st.lists(measurements, max_size=2).map(tuple), st.one_of(st.none(), conditions),
              st.lists(dimensions, max_size=2).map(tuple), counts, counts),
    st.builds(A.CreateDatabaseStatement, names),
    st.builds(A.CreateDatabaseStatement, names, st.just(True), st.one_of(st.none(), durations_pos),
              st.integers(1, 2**31 - 1), st.one_of(st.none(), durations_pos), st.one_of(st.none(), names)),
    st.builds(A.CreateRetentionPolicyStatement, names, names, st.one_of(st.just(0), durations_pos),
              st.integers(1, 2**31 - 1), st.one_of(st.none(), durations_pos), st.booleans()),
    st.builds(A.AlterRetentionPolicyStatement, names, names, durations_pos, st.integers(1, 9),
              st.one_of(st.none(), durations_pos), st.booleans()),
    st.builds(A.CreateUserStatement, names, strings, st.booleans()),
    st.builds(A.SetPasswordUserStatement, names, strings),
    st.builds(A.GrantStatement, st.sampled_from(["READ", "WRITE", "ALL"]), names, names),
    st.builds(A.RevokeStatement, st.sampled_from(["READ", "WRITE", "ALL"]), names, names),
    st.builds(A.KillQueryStatement, st.integers(0, 2**64 - 1), st.one_of(st.none(), names)),
    st.builds(A.DropSeriesStatement, st.lists(st.builds(_measurement, st.none(), st.none(), names),
                                              min_size=1, max_size=2).map(tuple),
              st.one_of(st.none(), conditions)),
    st.builds(A.CreateSubscriptionStatement, names, names, names, st.sampled_from(["ALL", "ANY"]),
              st.lists(strings, min_size=1, max_size=2).map(tuple)),
)
