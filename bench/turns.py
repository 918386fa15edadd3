"""The order benchmark contenders are asked in, run by run (bench.compare, bench.shim_overhead)."""
from __future__ import annotations


def turn_order(live: list, k: int) -> list:
    """The order of run ``k``: every other run reversed, since work a server leaves behind after
    answering (its runtime's threads, a collection) slows whichever is asked next and none should
    always follow one; the reversed runs start from their second, so that no system is asked
    twice in a row: a server asked again at once answers from warm caches and awake threads.
    Under plain A B C | C B A the last system answered 3 of every 5 timed runs right after its
    own answer (on a busy 2-core machine VictoriaMetrics, last in bench.compare, answered those
    small TSBS queries in about half the time of its other runs)."""
    if k % 2 == 0:
        return list(live)
    back = live[::-1]
    return back[1:] + back[:1]
