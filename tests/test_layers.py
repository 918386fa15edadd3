"""The layer contracts of pyproject.toml ([tool.importlinter]), checked with import-linter.

One run of ``lint-imports`` over the source tree; each contract is its own test, so a
failure names the broken rule (the run's report, with the offending import chains, is
in the assertion message).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint(*args: str) -> subprocess.CompletedProcess:
    """``lint-imports`` run from the repository root (so the source tree is what is analysed)."""
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def report() -> str:
    run = lint()
    assert "Contracts:" in run.stdout, run.stdout + run.stderr
    return run.stdout


def test_the_contracts_are_the_documented_ones():
    assert {c["id"] for c in CONTRACTS} == {"core-not-shim", "influxql-base-only", "ingest-base-only",
                                             "storage-base-only", "query-influxql-base", "shim-public-names",
                                             "lakehouse-public-api",
                                             "layers"}


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c["id"])
def test_contract_kept(contract, report):
    status = re.search(rf"^{re.escape(contract['name'])} (KEPT|BROKEN)$", report, re.M)
    assert status is not None, report
    assert status[1] == "KEPT", report


def test_a_forbidden_import_is_caught(tmp_path):
    """The checker itself: a contract the code breaks (the shim imports the core) is reported broken."""
    config = tmp_path / "broken.toml"
    config.write_text('[tool.importlinter]\nroot_packages = ["tsdb_core", "tsdb_http"]\n'
                      '[[tool.importlinter.contracts]]\nname = "shim without core"\ntype = "forbidden"\n'
                      'source_modules = ["tsdb_http.app"]\nforbidden_modules = ["tsdb_core"]\n')
    run = lint(str(config))
    assert run.returncode == 1
    assert re.search(r"^shim without core BROKEN$", run.stdout, re.M), run.stdout
    assert "tsdb_http.app -> tsdb_core" in run.stdout
