"""The order in which influxd 1.6.7 hands over points of equal time from several series.

influxd reads each series of a tag set through its own iterator, the iterators in series
key order (the escaped key's bytes; reversed under ORDER BY time DESC, as its answers show),
and merges them with a sorted merge iterator (query/iterator.gen.go ``*SortedMergeIterator``):
a ``container/heap`` of each series' next point, ordered by time, then by the leading
string aux values (:func:`string_aux`; name and GROUP BY tags are equal within a tag set;
a nil value - a null field, a tag the series lacks - ends the comparison). Each point is popped
(root swapped with the last item, sifted down) and its series' next point pushed (sifted
up). Points of equal time come off the heap in the order those steps leave them: not the
series key order but a function of the whole stream so far, the same on every run.

:func:`merge_order` replays the heap. Series that share every timestamp (a regular
scrape) go round by round: the heap then holds one point of each series at the same time
at the start of each round, and a round's pops and pushes depend only on the order the
items sit in the heap array: the rounds depend on the series count alone (and on each
series' aux rank, when that is constant per series), and are kept. Other series are
replayed point by point.
"""
from __future__ import annotations

from itertools import takewhile

import numpy as np


def merge_order(series: np.ndarray, time: np.ndarray, ascending: bool,
                aux: np.ndarray | None = None, replay: bool = False) -> np.ndarray | None:
    """The rows of one tag set, given series after series (``series``: a rank rising with
    the series key; times in the statement's order within a series), as the heap merges
    them: the permutation. None: no two series share a time (then the order is by time).
    ``aux``: each row's rank among the leading string aux values (:func:`string_aux`), which
    the heap's Less compares after equal times; or, when some of them are null, each row's
    values up to its first null (:class:`GoAux`: no total order, compared as Go does).
    ``replay``: a series' times may fall back (a stream of a subquery's selector rows): the
    heap replayed step by step, each series' rows popped in their order."""
    n = len(time)
    if n < 2:
        return np.arange(n) if replay else None
    cut = np.flatnonzero(series[1:] != series[:-1]) + 1
    if not len(cut):
        return np.arange(n) if replay else None
    bounds = np.concatenate(([0], cut, [n]))
    if replay and not isinstance(aux, list):
        t = time if ascending else -time
        key = t if aux is None else _pair_ranks(t, aux if ascending else -aux)
        return np.array(_replay_keys(key.tolist(), bounds.tolist(), key), dtype=np.int64)
    if isinstance(aux, list):
        t = time if ascending else -time
        return np.array(_replay_keys(_go_keys(t, aux, ascending), bounds.tolist(), t), dtype=np.int64)
    if aux is not None:
        t, a = (time, aux) if ascending else (-time, -aux)
        order = np.lexsort((a, t))
        ts, ta = t[order], a[order]
        if not bool(((ts[1:] == ts[:-1]) & (ta[1:] == ta[:-1])).any()):  # no tie left: a plain order
            return order
        regular = _regular(time, bounds)
        if regular and bool((a.reshape(-1, regular) == a[bounds[:-1], None]).all()):  # one rank a series
            return _rounds(bounds, regular, tuple(a[bounds[:-1]].tolist()))
        phased = _phased(t, bounds, a)
        if phased:
            return _rounds(bounds, *phased)
        key = _pair_ranks(t, a)
        return np.array(_replay_keys(key.tolist(), bounds.tolist(), key), dtype=np.int64)
    regular = _regular(time, bounds)
    if regular:  # series share every time
        return _rounds(bounds, regular)
    if len(np.unique(time)) == n:
        return None
    phased = _phased(time if ascending else -time, bounds)
    if phased:  # series at the same times, each shifted by its own phase
        return _rounds(bounds, *phased)
    return np.array(_replay(time.tolist(), bounds.tolist(), ascending), dtype=np.int64)


def _pair_ranks(t: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Each (time, aux rank) pair's dense rank: the pairs' order, as one integer."""
    order = np.lexsort((a, t))
    ts, ta = t[order], a[order]
    step = np.concatenate(([0], ((ts[1:] != ts[:-1]) | (ta[1:] != ta[:-1])).astype(np.int64)))
    out = np.empty(len(t), dtype=np.int64)
    out[order] = np.cumsum(step)
    return out


def _phased(t: np.ndarray, bounds: np.ndarray, a: np.ndarray | None = None) -> tuple | None:
    """(times per series, each series' rank) when every series holds the first one's times
    (``t``: rising, DESC negated) shifted by a phase of its own, and the phases lie closer
    together than any two times (scrapes at one interval, at other offsets): the heap then
    goes round by round, each round's points compared by phase, then by ``a`` (each row's aux
    rank, which must be constant per series), as :func:`_rounds` replays them."""
    sizes = np.diff(bounds)
    per = int(sizes[0])
    if not bool((sizes == per).all()):
        return None
    grid = t.reshape(-1, per)
    phase = grid[:, 0] - grid[0, 0]
    if not bool((grid - phase[:, None] == grid[0]).all()):
        return None
    if per > 1 and not bool((np.diff(grid[0]) > int(phase.max() - phase.min())).all()):
        return None
    if a is None:
        return per, tuple(np.unique(phase, return_inverse=True)[1].reshape(-1).tolist())
    first = a.reshape(-1, per)
    if not bool((first == first[:, :1]).all()):
        return None
    return per, tuple(_pair_ranks(phase, first[:, 0]).tolist())


class GoAux:
    """A point's leading aux values as SortedMergeHeap.Less (query/iterator.gen.go, 1.6)
    compares them after equal times, while both points hold strings. ``vals`` stops before the
    first that is not a string (a null): comparing reaches it and calls the points equal — a
    relation, not an order (a < c while both equal b), hence no rank. A key is the pair
    (time, GoAux) (:func:`_go_keys`): Python compares the times, and these only on a tie."""

    __slots__ = ("asc", "vals")

    def __init__(self, vals: tuple, asc: bool):
        self.vals, self.asc = vals, asc

    def __lt__(self, o: GoAux) -> bool:
        for v1, v2 in zip(self.vals, o.vals):
            if v1 != v2:
                return v1 < v2 if self.asc else v1 > v2
        return False


def _go_keys(t: np.ndarray, aux: list, asc: bool) -> list[tuple]:
    """Each row's (time, :class:`GoAux`) key (``t`` negated under DESC): one GoAux for each
    distinct ``aux`` value, so that Python's tuple comparison finds equal ones the same."""
    made = {v: GoAux(v, asc) for v in set(aux)}
    return list(zip(t.tolist(), map(made.__getitem__, aux)))


def _cut_values(vals) -> list[tuple]:
    """Each row of the frame ``vals`` as a tuple, cut before its first null (Go's comparison
    stops there), made once for each distinct row."""
    import polars as pl

    code = vals.select(pl.struct(pl.all()).rank("dense").cast(pl.Int64) - 1).to_series()
    rows = vals.with_columns(code.alias("\x00code")).unique("\x00code").sort("\x00code").drop("\x00code").rows()
    made = [tuple(takewhile(lambda v: v is not None, row)) for row in rows]
    return [made[c] for c in code.to_list()]


def _regular(time: np.ndarray, bounds: np.ndarray) -> int:
    """The times per series when every series holds the same times, else 0."""
    sizes = np.diff(bounds)
    return int(sizes[0]) if bool((sizes == sizes[0]).all()) and _same_times(time, bounds) else 0


def _same_times(time: np.ndarray, bounds: np.ndarray) -> bool:
    m = int(bounds[1])
    return bool((time.reshape(-1, m) == time[:m]).all())


def _replay(time: list, bounds: list, ascending: bool) -> list[int]:
    """The heap, step by step: items ``[key, row, end]``, in series key order. container/heap's
    swaps written as moves of one hole (the same arrangement after every step), the
    comparison inline, and the key negated under DESC: ~2x fewer Python steps per row."""
    key = time if ascending else [-t for t in time]
    return _replay_keys(key, bounds, np.asarray(key, dtype=np.int64) if key else None)


def _replay_keys(key, bounds: list, prim: np.ndarray | None = None) -> list[int]:
    """:func:`_replay` over keys that compare with ``<`` (times, or (time, aux rank) pairs).
    ``prim``: each row's number such that a row whose number is below another row's has the
    lesser key: a run of the popped series' next points below every other item's number is
    popped at once (:func:`_run`), the others' arrangement after it found by :func:`_turned`."""
    h = [[key[a], a, b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    for i in range(len(h) // 2 - 1, -1, -1):
        _down(h, i, len(h))
    if len(h) == 2:
        return _replay_two(key, h)
    out = []
    append = out.append
    num = prim.tolist() if prim is not None else None
    while h:
        top = h[0]
        if num is not None and top[1] + 2 < top[2]:
            row = top[1]
            lo = min(num[h[1][1]], num[h[2][1]]) if len(h) > 2 else num[h[1][1]] if len(h) > 1 else None
            if lo is None or (num[row + 1] < lo and num[row + 2] < lo):
                m = top[2] - 1 - row if lo is None else _run(prim, row + 1, top[2], lo)
                out.extend(range(row, row + m))  # each pushed next point sifts up to the root
                _turned(h, m)
                top[0], top[1] = key[row + m], row + m
                continue
        last = h.pop()  # Pop: the last item to the root, sifted down over the rest
        n = len(h)
        if n:
            _sift_down(h, last, n)
        row = top[1] + 1
        append(top[1])
        if row < top[2]:  # Push: the series' next point, sifted up
            xk = top[0] = key[row]
            top[1] = row
            j = len(h)
            h.append(top)
            while j > 0:
                i = (j - 1) // 2
                p = h[i]
                if not xk < p[0]:
                    break
                h[j] = p
                j = i
            h[j] = top
    return out


def _replay_two(key, h: list) -> list[int]:
    """:func:`_replay_keys` of two series (``h``: the heap after Init): Pop leaves the other
    item at the root, and the popped series' next point sifts above it only when less, so
    the root's series goes on while its next point is less than the other's."""
    (_, a, a_end), (_, b, b_end) = h
    out = []
    append = out.append
    while True:
        append(a)
        a += 1
        if a == a_end:
            out.extend(range(b, b_end))
            return out
        if not key[a] < key[b]:
            a, a_end, b, b_end = b, b_end, a, a_end


def _sift_down(h: list, last: list, n: int) -> None:
    """container/heap's Pop after the swap: ``last`` into the hole at the root, sifted down."""
    xk, i = last[0], 0
    while True:
        j = 2 * i + 1
        if j >= n:
            break
        c = h[j]
        if j + 1 < n and h[j + 1][0] < c[0]:
            j += 1
            c = h[j]
        if not c[0] < xk:
            break
        h[i] = c
        i = j
    h[i] = last


def _run(prim: np.ndarray, start: int, end: int, lo) -> int:
    """How many of ``prim[start:end]``, from the first, lie below ``lo``: looked at in
    growing slices, so that a short run costs little."""
    done, width = 0, 16
    while start + done < end:
        seg = prim[start + done:min(end, start + done + width)]
        over = np.flatnonzero(seg >= lo)
        if len(over):
            return done + int(over[0])
        done += len(seg)
        width *= 4
    return done


def _turned(h: list, m: int) -> None:
    """``h`` after ``m`` steps of popping the root and pushing its series' next point, each
    less than every other item (back to the root): the others' arrangement goes from one
    to the next by their keys alone, so it soon repeats, and the cycle is skipped."""
    if len(h) < 3:  # [r, x]: x to the root, r pushed back above it: the same
        return
    seen: dict[tuple, int] = {}
    step = 0
    while step < m:
        state = tuple(map(id, h))
        if state in seen:
            for _ in range((m - step) % (step - seen[state])):
                _root_again(h)
            return
        seen[state] = step
        _root_again(h)
        step += 1


def _root_again(h: list) -> None:
    """One step of :func:`_turned`."""
    top = h[0]
    last = h.pop()
    _sift_down(h, last, len(h))
    j = len(h)
    h.append(top)
    while j > 0:
        i = (j - 1) // 2
        h[j] = h[i]
        j = i
    h[0] = top


def _down(h: list, i: int, n: int, less=lambda x, y: x[0] < y[0]) -> None:
    """container/heap's down."""
    while True:
        j = 2 * i + 1
        if j >= n:
            return
        if j + 1 < n and less(h[j + 1], h[j]):
            j += 1
        if not less(h[j], h[i]):
            return
        h[i], h[j] = h[j], h[i]
        i = j


def _up(h: list, less, j: int) -> None:
    """container/heap's up."""
    while j > 0:
        i = (j - 1) // 2
        if not less(h[j], h[i]):
            return
        h[i], h[j] = h[j], h[i]
        j = i


def _round(state: tuple, more: bool, rank: tuple | None = None) -> tuple[tuple, tuple]:
    """One round over series that all sit at the same time, in heap array order ``state``:
    the order they are popped and (``more``: each pushes its next point, a later time) the
    arrangement of the next round. ``rank``: each series' aux rank, compared after the time."""
    r = rank or (0,) * len(state)

    def less(x, y):
        return x[0] < y[0] or (x[0] == y[0] and r[x[1]] < r[y[1]])
    h = [[0, s] for s in state]
    popped = []
    for _ in state:
        last = len(h) - 1
        h[0], h[last] = h[last], h[0]
        _down(h, 0, last, less)
        item = h.pop()
        popped.append(item[1])
        if more:
            h.append([1, item[1]])
            _up(h, less, len(h) - 1)
    return tuple(popped), tuple(s for _, s in h)


def _init(count: int, rank: tuple | None) -> tuple:
    """heap.Init's arrangement of the series' first points (key order; equal points stay)."""
    if rank is None:
        return tuple(range(count))
    h = [[0, s] for s in range(count)]
    for i in range(count // 2 - 1, -1, -1):
        _down(h, i, count, lambda x, y: rank[x[1]] < rank[y[1]])
    return tuple(s for _, s in h)


# (series count, their aux ranks or None) -> (the arrangement before each round, each round's
# pops: an array, read-only, shared)
_ROUNDS: dict[tuple, tuple[list, np.ndarray]] = {}
_ROUNDS_CELLS = 4_000_000  # pops kept in all, at most


def _rounds(bounds: np.ndarray, per: int, rank: tuple | None = None) -> np.ndarray:
    """:func:`_replay` of series holding the same ``per`` times each, round by round. The
    rounds depend on the series count alone (all start in key order; a round's items are
    equal, the next round's all later, whatever the direction) and, when an aux value
    constant per series is compared after the time (``rank``, negated under DESC), on those
    ranks: they are kept per (count, ranks), for the next query over as many series."""
    count = len(bounds) - 1
    ident = (count, rank)
    kept = _ROUNDS.get(ident)
    if kept is None or len(kept[1]) < per - 1:
        kept = _more_rounds(ident, kept, per - 1)
    states, table = kept
    last, _ = _round(states[per - 1], False, rank)
    order = np.concatenate((table[:per - 1], np.array([last], dtype=np.int64)))
    return (bounds[:-1][order] + np.arange(per)[:, None]).reshape(-1)


def _more_rounds(ident: tuple, kept: tuple | None, want: int) -> tuple[list, np.ndarray]:
    """:func:`_rounds`' kept rounds of ``ident``, at least ``want`` of them (kept if they fit)."""
    count, rank = ident
    states = list(kept[0]) if kept else [_init(count, rank)]  # (copies: threads)
    pops = list(map(tuple, kept[1].tolist())) if kept else []
    seen = {st: i for i, st in enumerate(states[:len(pops)])}
    while len(pops) < want:  # the rounds after which a next point is pushed
        state = states[len(pops)]
        if state in seen and len(pops) > seen[state]:  # a cycle: its rounds again
            i = seen[state]
            pops.append(pops[i])
            states.append(states[i + 1])
            continue
        seen[state] = len(pops)
        popped, nxt = _round(state, True, rank)
        pops.append(popped)
        states.append(nxt)
    table = np.array(pops, dtype=np.int64).reshape(len(pops), count)
    table.flags.writeable = False
    got = (states, table)
    cells = sum(k[0] * len(v[1]) for k, v in list(_ROUNDS.items()) if k != ident) + count * len(pops)
    if cells <= _ROUNDS_CELLS:
        _ROUNDS[ident] = got
    return got


def shared_times(df, keys: list[str]) -> bool:
    """Whether two rows of a group share a time (``df`` sorted by ``keys`` and time): a scan
    of adjacent rows."""
    import polars as pl

    if df.height < 2:
        return False
    same = df.select(pl.all_horizontal([pl.col(c).eq_missing(pl.col(c).shift(1)) for c in keys + ["time"]])
                     .fill_null(False)).to_series()
    return bool(same.any())


def string_aux(refs) -> list[str]:
    """The names whose values influxd's heap compares after equal times: its aux fields are
    the statement's distinct VarRefs sorted by name (query/select.go), and its Less
    (query/iterator.gen.go, SortedMergeHeap) walks them while both points hold strings —
    a tag always does, a string field unless null — stopping as equal at the first that
    is not one: the leading run of tags and string fields."""
    kinds = {r.name: r.type for r in refs}
    out = []
    for name in sorted(kinds):
        if kinds[name] not in ("tag", "string"):
            break
        out.append(name)
    return out


def aux_columns(refs, columns: dict[str, str], group: list[str]) -> list[str]:
    """The columns holding :func:`string_aux`'s values (``columns``: name -> column), cut
    where every point holds no string there (a field that is no string, a name the source
    lacks: nil). A tag of the ``group`` is its key column: equal within a group, unless the
    group's series lack it (nil there: :func:`merged_rows` drops it where none does)."""
    out = []
    for name in string_aux(refs):
        if name in columns:
            out.append(columns[name])
        elif name in group:
            out.append(name)
        else:
            break
    return out


def _escape(text: str) -> str:
    """A tag key or value as a series key holds it (models.escapeTag)."""
    return text.replace(",", "\\,").replace(" ", "\\ ").replace("=", "\\=")


def _escaped(col):
    """:func:`_escape` over a Polars string column."""
    for ch in (",", " ", "="):
        col = col.str.replace_all(ch, "\\" + ch, literal=True)
    return col


def _nil(col: str):
    """A grouping key's column with "" (a tag the series lacks) as null: nil to Go, unlike a
    string field's ""."""
    import polars as pl

    return pl.when(pl.col(col) != "").then(pl.col(col)).alias(col)


def _dense_ranks(df, cols: list[str], exprs: list) -> list[np.ndarray]:
    """Each row's dense rank under each of ``exprs`` (functions of ``cols`` alone), ranked
    over the distinct ``cols`` (a series' tags: one row per series, not per point) and
    joined back."""
    import polars as pl

    names = [f"\x00rank{i}" for i in range(len(exprs))]
    table = df.select(cols).unique().with_columns(e.rank("dense").cast(pl.Int64).alias(n) for e, n in zip(exprs, names))
    got = df.select(cols).join(table, on=cols, how="left", nulls_equal=True, maintain_order="left")
    return [got[n].to_numpy() for n in names]


def merged_rows(df, keys: list[str], tags: list[str], ascending: bool, aux: list[str] = (), replay: bool = False):
    """``df`` (a Polars frame sorted by ``keys``, time (descending unless ``ascending``) and
    ``tags``) with the rows of equal time from several series of a group in the heap's
    order. The heap's inputs come in series key order, reversed under ORDER BY time DESC
    (as influxd's answers show). ``aux``: the columns of :func:`aux_columns` (a null, a tag
    the series lacks too, stops the comparison). Unchanged when no two rows of a group share a
    time, unless ``replay`` (:func:`merge_order`: a series' times may fall back)."""
    import polars as pl

    if not tags or not (replay or shared_times(df, keys)):
        return df
    # a grouping tag is equal within a group: compared only where its series lack it (nil)
    aux = [c for c in aux if c not in keys or df.select(_nil(c).null_count()).item()]
    vals = [_nil(c) if c in keys else pl.col(c) for c in aux]  # a tag a series lacks: nil, not ""
    nulls = bool(aux) and any(df.select([v.null_count() for v in vals]).row(0))
    if list(aux) == list(tags) and not nulls and not replay:  # the aux values tell every series apart, in df's order
        return df
    gid = np.zeros(df.height, dtype=np.int64)
    if keys:
        gid = np.cumsum(~df.select(pl.all_horizontal([pl.col(c).eq_missing(pl.col(c).shift(1)) for c in keys])
                                   .fill_null(False)).to_series().to_numpy())
    # series key order: the keys' text ("k1=v1,k2=v2", tags by name, a missing one left out),
    # escaped as influxd stores it (a comma, space or equals sign after a backslash)
    pairs = [pl.when(pl.col(t).is_not_null() & (pl.col(t) != "")).then(pl.lit(f"{_escape(t)}=") + _escaped(pl.col(t)))
             for t in sorted(tags)]
    key = pl.concat_str(pairs, separator=",", ignore_nulls=True)
    # Go compares strings bytewise; a NUL separator keeps the tuples' order (tags hold none)
    joined = pl.concat_str(vals, separator="\x00") if aux else None
    rank = None
    if nulls:  # a null stops Go's comparison
        sid, = _dense_ranks(df, tags, [key])
        rank = _cut_values(df.select(vals))
    elif set(aux) <= set(tags):  # the aux values are the series': ranked with them
        sid, *more = _dense_ranks(df, tags, [key] + ([joined] if aux else []))
        rank = more[0] if more else None
    else:
        sid, = _dense_ranks(df, tags, [key])
        rank, = _dense_ranks(df, list(aux), [joined])
    if not ascending:
        sid = -sid
    time = df["time"].to_numpy()
    by_series = np.lexsort((np.arange(df.height), sid, gid))  # series after series, times kept
    perm = by_series.copy()
    cut = np.concatenate(([0], np.flatnonzero(np.diff(gid[by_series])) + 1, [df.height]))
    for a, b in zip(cut[:-1].tolist(), cut[1:].tolist()):
        rows = by_series[a:b]
        part = None if rank is None else [rank[i] for i in rows.tolist()] if isinstance(rank, list) else rank[rows]
        order = merge_order(sid[rows], time[rows], ascending, part, replay)
        if order is None:
            order = np.argsort(time[rows] if ascending else -time[rows], kind="stable")
        perm[a:b] = rows[order]
    return df[perm]
