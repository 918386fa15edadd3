"""mypy over the public API modules listed in mypy.ini (CI runs this test).

In its own process: in this one, mypy's million objects stay reachable after the run, and every
garbage collection of the test process (pytest collects several times as it ends) walks them:
~20 s more than the check itself."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_public_api_type_checks():
    pytest.importorskip("mypy.api", reason="mypy is in the test extra")
    # mypy.ini lists paths relative to the repository
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini")], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found")
