"""mypy over the public API modules listed in mypy.ini (CI runs this test)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_public_api_type_checks():
    api = pytest.importorskip("mypy.api", reason="mypy is in the test extra")
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypy.ini lists paths relative to the repository
    try:
        out, err, status = api.run(["--config-file", str(ROOT / "mypy.ini")])
    finally:
        os.chdir(cwd)
    assert status == 0, out + err
    assert out.startswith("Success: no issues found")
