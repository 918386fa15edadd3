"""The dependency arrows of STYLE.md: tsdb_core never imports tsdb_http or Starlette;
query/ never imports ingest/ or storage/."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            out.add("." * node.level + mod)
    return out


def test_core_never_imports_http():
    for py in (ROOT / "tsdb_core").rglob("*.py"):
        if py.name == "cli.py" or py.parent.name == "cli":
            continue  # `tsdb serve` starts the shim on demand; nothing else may
        for name in _imports(py):
            assert not name.startswith(("tsdb_http", "starlette", "hypercorn")), (py, name)


def test_query_never_imports_ingest_or_storage():
    for py in (ROOT / "tsdb_core" / "query").rglob("*.py"):
        for name in _imports(py):
            assert "ingest" not in name and "storage" not in name, (py, name)
