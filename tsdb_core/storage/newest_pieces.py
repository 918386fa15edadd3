"""Which sorted pieces of buffered rows a "newest n rows of each series" read needs.

A store being written to holds its newest rows in several pieces, each a span of time
(storage/buffer_view.py); a read of each series' last rows (TSBS lastpoint: ``ORDER BY time
DESC LIMIT 1``) sliced every piece and concatenated them all, six times the work of one
settled file. A piece whose every series has ``n`` rows in pieces wholly newer than it (their
first time after its last) holds none of those series' ``n`` newest rows, so it is not read:
a superset of each series' ``n`` newest rows is still read (what the caller's ``limit`` asks
for), and a group of series keeps its own ``n`` newest among them. Series are told apart by
their tags in Python (a key per series, made once per piece): pieces of many series are all read.
"""
from __future__ import annotations

# pieces holding more series are all read: told apart in Python, they cost more than they save
# (6 pieces x 1,000 series: 2.2 ms of look-ups for a 10 ms read, no gain; 3,000 and 9,000: slower)
MOST_SERIES = 1_000


def newest_pieces(pieces: list, tags: dict[str, list[str]] | None, start: int, end: int, n: int) -> list:
    """``pieces`` (sources each with a ``decoded`` piece, sharing no (series, time) key) less
    those holding none of any series' ``n`` newest rows with ``start <= time <= end``
    among the series matching ``tags``; in their order."""
    if len(pieces) < 2 or any(s.decoded.starts is None or len(s.decoded.starts) > MOST_SERIES for s in pieces):
        return pieces
    found = [s.decoded.series_rows(tags, start, end) for s in pieces]
    by_start = sorted(range(len(pieces)), key=lambda i: pieces[i].tmin, reverse=True)
    newer: dict[str, int] = {}  # series -> its rows in the pieces wholly after the one looked at
    at, drop = 0, set()
    for i in sorted(range(len(pieces)), key=lambda i: pieces[i].tmax, reverse=True):
        while at < len(by_start) and pieces[by_start[at]].tmin > pieces[i].tmax:
            keys, counts = found[by_start[at]]
            for k, c in zip(keys, counts.tolist()):
                newer[k] = newer.get(k, 0) + c
            at += 1
        keys, counts = found[i]
        if all(newer.get(k, 0) >= n for k, c in zip(keys, counts.tolist()) if c):
            drop.add(i)
    kept = [s for i, s in enumerate(pieces) if i not in drop]
    return kept or pieces[:1]
