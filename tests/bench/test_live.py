"""bench.live at a tiny scale: every phase timed for every query, in process and over HTTP,
the fresh store's answers checked against the settled store's; the feeder's thirds."""
from __future__ import annotations

import re
import threading

from bench import live
from bench.queries import devops_queries


def test_live_bench_times_every_phase_of_every_query(tmp_path):
    out = tmp_path / "out"
    code = live.main(["--mode", "both", "--hosts", "3", "--hours", "1", "--runs", "2", "--live-share", "0.5",
                      "--feed-rate", "500", "--feed-batch", "20", "--out", str(out), "--data-dir", str(tmp_path)])
    assert code == 0
    text = (out / "live.md").read_text()
    n = len(devops_queries(3, 1))
    for mode in ("embedded", "http"):
        head, table = text.split(f"### {mode}")[1].split("\n\n")[1].split("\n", 1)
        assert [c.strip() for c in head.split("|")[1:-1]] == [
            "query", "early ms", "middle ms", "late ms", "fresh ms", "settled ms", "early / settled",
            "middle / settled", "late / settled", "fresh / settled", "fresh, first run ms"]
        rows = table.splitlines()[1:]
        assert [row.split("|")[1].strip() for row in rows] == [q.name for q in devops_queries(3, 1)]
        for row in rows:
            cells = [c.strip() for c in row.split("|")[2:-1]]
            assert len(cells) == 10 and all(re.fullmatch(r"\d+\.\d\d", c) for c in cells), row
        m = re.search(rf"{mode}: live: (\d+) rounds begun while the feeder made its 27 writes "
                      r"\(queries per third, early/middle/late: (\d+)/(\d+)/(\d+)\)", text)
        assert m and all(int(n) >= 1 for n in m.groups()), text
        assert re.search(rf"{mode}: the process's first query \(SHOW DATABASES, before the load\): \d+ ms", text)
        assert re.search(rf"{mode}, queries over 1.5x the settled store \(geomean ratio\): early \d+ of {n} "
                         rf"\(\d+\.\d\d\), middle \d+ of {n}", text)
    assert "Over 1.5x the settled store:" in text


def test_the_feeder_holds_each_third_until_the_queries_ran_in_it():
    """Nine writes, thirds of three: no write leaves a third before it is marked measured."""
    seen: list[tuple[int, list[bool]]] = []
    feeder = None

    def write(body: bytes) -> None:
        seen.append((feeder.written, [e.is_set() for e in feeder.measured]))

    feeder = live.Feeder(write, [b"x\n"] * 9, lines_per_s=1e9)
    assert [feeder.third(w) for w in range(10)] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 2]
    feeder.start()
    for k in range(3):
        while feeder.written < 3 * k + 2 and not feeder.done.is_set():  # up to the last write of a third
            threading.Event().wait(0.001)
        assert not feeder.done.is_set() and feeder.written == 3 * k + 2 and feeder.third() == k
        feeder.measured[k].set()
    feeder.join(timeout=10)
    assert feeder.done.is_set()
    before = {w: m for w, m in seen}
    for k in range(3):  # the write leaving a third waits for its mark; the one before does not
        assert not before[3 * k + 1][k] and before[3 * k + 2][k]


def test_fresh_answers_differing_from_settled_ones_are_reported():
    ph = live.Phases()
    ph.answers["fresh"] = {"a": b'{"results":[{"statement_id":0}]}', "b": b'{"results":[1]}'}
    ph.answers["settled"] = {"a": b'{"results":[{"statement_id":0}]}', "b": b'{"results":[2]}'}
    assert live.differing(ph) == ["b"]
