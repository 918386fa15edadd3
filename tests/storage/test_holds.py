"""RemovedFilesHold: a removed file may go only after the follower reported a catalog version at
or after the commit that removed it, and the grace period after that report."""
from __future__ import annotations

import math

import pytest

from tsdb_core.storage.holds import RemovedFilesHold


@pytest.mark.no_catalog
def test_files_wait_for_a_report_covering_their_commit_then_the_grace():
    hold = RemovedFilesHold(grace_s=10.0)
    hold.opened_at = 5
    hold.buried(7, [1, 2])
    hold.buried(9, [3])
    assert hold.deadline(1) == math.inf and hold.deadline(99) == math.inf  # 99: buried before the open
    assert hold.release(8, now=100.0)  # covers the open (5) and 1, 2 (7), not 3 (9)
    assert (hold.deadline(1), hold.deadline(2), hold.deadline(3), hold.deadline(99)) == (110.0, 110.0, math.inf, 110.0)
    assert not hold.release(8, now=200.0) and hold.deadline(1) == 110.0  # a later report does not postpone
    assert hold.release(9, now=300.0) and hold.deadline(3) == 310.0
    hold.forget([1, 3])
    assert hold.deadline(3) == 110.0  # forgotten: treated like a file from before the open
    assert not hold.release(None, now=400.0)


@pytest.mark.no_catalog
def test_nothing_from_before_the_open_goes_until_a_report_reaches_the_open_version():
    hold = RemovedFilesHold(grace_s=0.0)
    hold.opened_at = 12
    assert not hold.release(11, now=1.0) and hold.deadline(4) == math.inf
    assert hold.release(12, now=2.0) and hold.deadline(4) == 2.0
