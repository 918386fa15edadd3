"""The AST visitor: walk order, pruning, and transform's identity on no change."""
from tsdb_core.influxql import ast, parse_statement
from tsdb_core.influxql.ast import visit


def test_walk_is_preorder_over_fields():
    stmt = parse_statement("SELECT max(a) + b FROM m WHERE c > 1")
    refs = [n.name for n in visit.find(stmt, ast.VarRef)]
    assert refs == ["a", "b", "c"]
    calls = [n.name for n in visit.find(stmt, ast.Call)]
    assert calls == ["max"]


def test_walk_prune_stops_below():
    stmt = parse_statement("SELECT max(a) + b FROM m")
    refs = [n.name for n in visit.find(stmt, ast.VarRef, prune=lambda n: isinstance(n, ast.Call))]
    assert refs == ["b"]


def test_transform_keeps_identity_when_nothing_changes():
    stmt = parse_statement("SELECT max(a) + b FROM m WHERE c > 1 GROUP BY time(1m)")
    assert visit.transform(stmt, lambda n: n) is stmt


def test_transform_rewrites_bottom_up():
    stmt = parse_statement("SELECT a + b FROM m")
    renamed = visit.transform(stmt, lambda n: ast.VarRef(n.name.upper(), n.type)
                              if isinstance(n, ast.VarRef) else n)
    assert str(renamed) == "SELECT A + B FROM m"
    assert str(stmt) == "SELECT a + b FROM m"
