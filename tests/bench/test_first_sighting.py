"""bench.first_sighting at a tiny scale: new texts as a dashboard or TSBS sends them, and a
worker of this checkout timing their sightings."""
from __future__ import annotations

import re

from bench import first_sighting as fs


def test_time_texts_move_the_window_and_keep_the_rest():
    got = fs.texts(["single-groupby-1-1-1", "cpu-max-all-1", "lastpoint"], 4, 2, 6, "time", 1)
    for name, qs in got.items():
        assert len(set(qs)) == 6, name
    for q in got["single-groupby-1-1-1"] + got["cpu-max-all-1"]:
        lo, hi = re.search(r"time >= '([^']+)' and time < '([^']+)'", q).groups()
        assert lo >= "2016-01-01T00:00:00Z" and lo < hi
    shapes = {re.sub(r"'20[^']+'", "T", q) for q in got["single-groupby-1-1-1"]}
    assert len(shapes) == 1            # only the time strings differ


def test_all_texts_change_hosts_too():
    qs = fs.texts(["single-groupby-1-1-1"], 10, 2, 8, "all", 1)["single-groupby-1-1-1"]
    assert len({re.search(r"hostname = '([^']+)'", q).group(1) for q in qs}) > 1


def test_a_worker_times_each_sighting(tmp_path):
    fs.build_store(tmp_path / "s", 2, 0.5)
    plan = {"texts": fs.texts(["single-groupby-1-1-1"], 2, 0.5, 3, "time", 1), "warm": [],
            "open": fs.texts(["lastpoint"], 2, 0.5, 1, "time", 1)["lastpoint"][0], "repeat": 3, "clock": "cpu"}
    out = fs.worker(str(tmp_path / "s"), plan)
    assert len(out["after open"]) == 1
    times = out["queries"]["single-groupby-1-1-1"]
    assert [len(times[k]) for k in ("first", "second", "later")] == [3, 3, 3]
    assert all(t >= 0 for k in times for t in times[k])
