"""8 writers + 4 readers against the real server for a few seconds: zero errors, exact counts."""
from __future__ import annotations

from reliability import load

from .conftest import SLOW


def test_load_has_no_errors_and_exact_counts(tmp_path):
    fig, errors = load.run(tmp_path / "store", seconds=120 if SLOW else 4, writers=8, readers=4)
    assert errors == []
    assert fig.errors == 0 and fig.writes > 8 and fig.queries > 4
    assert fig.points > 0
