"""SIGKILL the real server (a subprocess) under concurrent HTTP writers; nothing acknowledged is lost.

Short mode: 2 kills (plus the final one). TSDB_SLOW=1: 50. See reliability/killloop.py.
"""
from __future__ import annotations

from reliability import killloop

from .conftest import SLOW


def test_sigkill_loop_over_http_loses_no_acknowledged_point(tmp_path):
    fig = killloop.run(tmp_path / "store", kills=50 if SLOW else 2, writers=4, seed=11,
                       min_up=0.5 if SLOW else 0.3, max_up=2.5 if SLOW else 1.0,
                       log=lambda *_: None)
    assert fig.points_lost == 0
    assert fig.acked_points > 0 and fig.points_checked >= fig.acked_points
    assert fig.kills == (51 if SLOW else 3)
