"""GROUP BY time and tags over rows read from sorted files: groups found as runs of equal keys
(exec/sorted_groups.py), a group's runs brought together where it has several.

The recorded influxd answers are asked again of a store whose rows are all in Parquet files (the
shared query stores keep them buffered, where the executor hashes), and answers are compared
between a buffered and a flushed store where runs of equal keys are not whole groups.
"""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.base.time import fixed_clock
from tsdb_core.query.engine import execute
from tsdb_core.query.exec import sorted_groups
from tsdb_core.query.exec import runs as series_runs

from .conftest import NOAA_DB, NOW, load_noaa
from .test_noaa_cases import FUZZ_CASES, READ_CASES, _check, _ids

HOUR = 3600 * 10**9
DAY = 24 * HOUR


class _Runs:
    """Counts the statements grouped by runs, and those whose groups span several runs (their
    rows brought together before aggregating)."""

    def __init__(self, monkeypatch):
        self.grouped = self.regrouped = 0
        real = sorted_groups.find

        def spy(*args):
            found = real(*args)
            if found is not None:
                self.grouped += 1
                self.regrouped += found.rows is not None
            return found

        monkeypatch.setattr(sorted_groups, "find", spy)


@pytest.fixture(scope="module")
def filed_noaa(tmp_path_factory):
    store = tsdb_core.open(tmp_path_factory.mktemp("filed") / "data", clock=fixed_clock(NOW))
    load_noaa(store)
    store.flush()
    store.compact()
    assert store.series_ordered(NOAA_DB, None, "h2o_feet")
    yield store
    store.close()


GROUPED = [c for c in READ_CASES + FUZZ_CASES
           if "group by" in c["query"].lower() and "time(" in c["query"].lower()]


@pytest.mark.parametrize("case", GROUPED, ids=_ids(GROUPED))
def test_recorded_answers_from_files(filed_noaa, case):
    _check(filed_noaa, case)


def test_recorded_window_and_tag_queries_take_runs(filed_noaa, monkeypatch):
    """One compacted file: the groups come from each series' rows (exec/runs.py), so the
    grouping by runs of equal keys is not needed at all."""
    runs = _Runs(monkeypatch)
    found = []
    real = series_runs.groups
    monkeypatch.setattr(series_runs, "groups", lambda *a: found.append(real(*a)) or found[-1])
    q = ("SELECT mean(water_level), count(water_level), max(water_level) FROM h2o_feet "
         "WHERE time >= '2019-08-18T00:00:00Z' AND time < '2019-08-18T06:00:00Z' GROUP BY time(1h), location")
    res = execute(filed_noaa, q, db=NOAA_DB, now=NOW).to_json()
    assert (runs.grouped, runs.regrouped) == (0, 0)
    assert len(found) == 1 and found[0] is not None and found[0].keys.height == 12
    series = res["results"][0]["series"]
    assert [s["tags"]["location"] for s in series] == ["coyote_creek", "santa_monica"]
    assert all(len(s["values"]) == 6 for s in series)
    assert series[0]["values"][0][2] == 10  # points every 6 minutes


def _day_lines(day: int) -> str:
    """Two hosts, one point a minute for a day, values that tell the points apart."""
    out = []
    for m in range(day * 24 * 60, (day + 1) * 24 * 60):
        for h in ("a", "b"):
            out.append(f"cpu,host={h} v={m + (0.5 if h == 'b' else 0.25)} {m * 60 * 10**9}")
    return "\n".join(out)


@pytest.mark.parametrize("group", ["time(2d), host", "time(1h), host", "time(1d), *"])
def test_windows_across_files_same_as_buffered(tmp_path, monkeypatch, group):
    """A file per day: each host's rows of the two files are read where they are (the files do
    not overlap in time: storage/run_gather.py), only a window astride both copied, so the runs
    path answers, as the buffer does."""
    buffered = tsdb_core.open(None, clock=fixed_clock(NOW))
    filed = tsdb_core.open(tmp_path / "data", clock=fixed_clock(NOW))
    # (a range within one shard group: 2d windows cross Mondays' boundaries otherwise, and the
    # general path replays influxd's per-shard sums, exec/go_reduce.py)
    q = (f"SELECT mean(v), count(v), first(v), sum(v) FROM cpu WHERE time >= '1970-01-01T00:00:00Z' "
         f"AND time < '1970-01-03T00:00:00Z' GROUP BY {group}")
    for store in (buffered, filed):
        store.create_database("d")
        for day in (0, 1):
            assert store.write("d", _day_lines(day)).ok
            if store is filed:
                store.flush()
    assert len(filed.files()) == 2
    assert not buffered.series_ordered("d", None, "cpu") and filed.series_ordered("d", None, "cpu")
    want = execute(buffered, q, db="d", now=NOW).to_json()
    runs, found = _Runs(monkeypatch), []
    real = series_runs.groups
    monkeypatch.setattr(series_runs, "groups", lambda *a: found.append(real(*a)) or found[-1])
    got = execute(filed, q, db="d", now=NOW).to_json()
    assert got == want
    day2 = 2 * 24 * 60  # each host's rows of both days
    assert len(found) == 1 and found[0] is not None and int(found[0].lengths.sum()) == 2 * day2
    if group.startswith("time(2d)"):  # each host's one window is astride the files: copied, one run each
        assert len(found[0].frames) == 3 and found[0].held.tolist() == [2, 2]
        assert found[0].starts.tolist() == [0, day2] and found[0].lengths.tolist() == [day2, day2]
    else:  # windows of a day or less: each in one file, nothing copied
        assert len(found[0].frames) == 2 and sorted(set(found[0].held.tolist())) == [0, 1]
    assert runs.grouped == 0
    rows = want["results"][0]["series"][0]["values"]
    assert rows[0][2] == (2 * 24 * 60 if group.startswith("time(2d)") else 60 if "1h" in group else 24 * 60)
    for store in (buffered, filed):
        store.close()
