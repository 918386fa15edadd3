"""SHOW statements, answered from the provider's catalog and series index (no data scan)."""
from __future__ import annotations

import itertools
import re

import polars as pl

from ...base.errors import DatabaseNotFound, QueryError
from ...influxql.ast import expr as A
from ...base.time import go_duration
from ..analyze.time_range import split_where
from ...base import regex as linear_regex
from ..results import Series
from . import answers, where_v1
from .window import GO_ZERO_TIME as _GO_ZERO, SeriesInWindow, shard_groups
from ...base.time import MAX_TIME, MIN_TIME
from .where import check_measurement_condition, check_series_condition, filter_series, refs

_QID = itertools.count(1)


# -- shared helpers ---------------------------------------------------------------------

def database(stmt_db, ctx) -> str:
    """``ON db`` or the request's db; InfluxDB's error when neither is given."""
    name = stmt_db if stmt_db is not None else ctx.db
    if not name:
        raise QueryError("database name required")
    return name


def existing(provider, name: str) -> str:
    if not provider.has_database(name):
        raise DatabaseNotFound(name)
    return name


def source_measurements(provider, db: str, sources=(), single=None) -> list[str]:
    """Measurements (sorted) named or matched by FROM sources / WITH MEASUREMENT."""
    names = sorted(provider.measurements(db))
    srcs = list(sources or ())
    if single is not None:
        srcs.append(single)
    if not srcs:
        return names
    keep = set()
    for s in srcs:
        if not isinstance(s, A.Measurement):
            continue
        if s.regex is not None:
            rx = linear_regex.compile(s.regex.val)
            keep.update(n for n in names if rx.search(n))
        elif s.name is not None and s.name in names:
            keep.add(s.name)
    return [n for n in names if n in keep]


def _schema(provider, db, m):
    sch = provider.schema(db, m)
    tags = tuple(sch.tags) if sch is not None else ()
    fields = dict(sch.fields) if sch is not None else {}
    return tags, fields


def tag_keys(provider, db: str, m: str) -> tuple[str, ...]:
    """Every tag key of ``m`` (sorted): the schema's and those the series index has seen."""
    tags, _ = _schema(provider, db, m)
    return tuple(sorted(set(tags) | set(provider.tag_keys(db, None, m))))


def _per_measurement(provider, db: str, stmt, columns: list[str], rows_of) -> list[Series]:
    """One series per source measurement: ``rows_of(m)``, LIMIT/OFFSET paged; none when empty."""
    out = []
    for m in source_measurements(provider, db, stmt.sources):
        rows = _page(rows_of(m), stmt.limit, stmt.offset)
        if rows:
            out.append(Series(m, None, columns, rows, no_floats=True))
    return out


def series_frame(provider, db: str, m: str, cond) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Distinct tag sets of ``m`` matching the tag part of ``cond``; and the tag keys."""
    tags, fields = _schema(provider, db, m)
    frame = provider.series(db, None, m)
    if frame.width == 0:  # a tagless measurement: one series, no tag columns
        frame = pl.DataFrame({"\x00series": [1]})
    keys = tuple(c for c in frame.columns if c not in ("time", "\x00series"))
    keys = tuple(sorted(set(keys) | set(tags)))
    missing = [pl.lit(None, dtype=pl.String).alias(k) for k in keys if k not in frame.columns]
    if missing:
        frame = frame.with_columns(missing)
    if isinstance(cond, where_v1.SeriesRules):  # a key both tag and field reads as the tag (influxd)
        cond = where_v1.series_condition(cond.expr, m, {f: t for f, t in fields.items() if f not in tags})
    return filter_series(frame, cond, keys, fields), keys


def _tag_condition(cond, now):
    """The WHERE clause without time comparisons (SHOW statements ignore time)."""
    if cond is None:
        return None
    _, rest = split_where(cond, now)
    return rest


def v1_rules(provider) -> bool:
    """Whether SHOW's WHERE reads as 1.x's index does (where_v1); InfluxDB 3's providers
    (influxdb3.RecentSeries) answer from rows and set ``influxql_v1_meta = False``."""
    return getattr(provider, "influxql_v1_meta", True)


def _v1_filters(provider, db: str, cond):
    """SHOW TAG KEYS / TAG VALUES in 1.x: (keep measurement m?, m → its series condition or None)."""
    names = where_v1.drop_comparisons(cond, where_v1.is_name_filter)
    tags = where_v1.drop_comparisons(cond, where_v1.is_tag_filter)
    keep = (lambda m: True) if not isinstance(names, A.BinaryExpr) else (
        lambda m: where_v1.measurement_matches(names, m, (), lambda k: ()))
    return keep, lambda m: None if tags is None else where_v1.SeriesRules(tags)


def in_time(provider, db: str, cond, now: int):
    """1.x answers SHOW SERIES bounded in time from the shard groups the range overlaps (its
    ShardGroupsByTimeRange): the provider seen through that window."""
    if not _has_time(cond) or not v1_rules(provider):
        return provider
    tr, _ = split_where(cond, now)
    if not (tr.has_start or tr.has_end):
        return provider
    rp = provider.resolve_rp(db, None)
    duration = next((p.shard_group_duration for p in provider.retention_policies(db) if p.name == rp), 0)
    return SeriesInWindow(provider, *shard_groups(tr.start, tr.end, duration))


def no_shard_in_time(provider, db: str, cond, now: int) -> bool:
    """SHOW TAG KEYS / TAG VALUES bounded in time: 1.x's in-memory index is the whole database's,
    shared by its shards, so the bound only matters when no shard group overlaps it."""
    window = in_time(provider, db, cond, now)
    return window is not provider and not window.measurements(db)


def _has_time(cond) -> bool:
    return cond is not None and "time" in refs(cond)


def _page(rows: list, limit: int, offset: int) -> list:
    if offset:
        rows = rows[offset:]
    if limit:
        rows = rows[:limit]
    return rows


_ESC_MEAS = re.compile(r"([, ])")
_ESC_TAG = re.compile(r"([,= ])")


def series_keys(frame: pl.DataFrame, m: str, keys) -> list[str]:
    """Line-protocol series keys (``cpu,host=a,region=us``), tags sorted, missing tags omitted."""
    head = _ESC_MEAS.sub(r"\\\1", m)
    if not keys:
        return [head] * frame.height
    parts = [pl.lit(head)]
    for k in sorted(keys):
        ek = _ESC_TAG.sub(r"\\\1", k)
        v = pl.col(k).str.replace_all(r"([,= ])", "\\$1")
        parts.append(pl.when(pl.col(k).is_not_null() & (pl.col(k) != ""))
                     .then(pl.lit("," + ek + "=") + v).otherwise(pl.lit("")))
    return frame.select(pl.concat_str(parts).alias("key"))["key"].to_list()


# -- SHOW DATABASES / MEASUREMENTS / SERIES -------------------------------------------

def show_databases(provider, stmt, ctx):
    return [Series("databases", None, ["name"], [[d] for d in provider.databases()], no_floats=True)]


def show_measurements(provider, stmt, ctx):
    db = database(stmt.database, ctx)
    if _has_time(stmt.condition):
        raise QueryError("SHOW MEASUREMENTS doesn't support time in WHERE clause")
    v1 = stmt.condition is not None and v1_rules(provider)
    if v1:
        where_v1.check_measurement_condition(stmt.condition, check_measurement_condition)
    else:
        check_measurement_condition(stmt.condition)
    if not provider.has_database(db):
        return []
    names = source_measurements(provider, db, single=stmt.source)
    if v1:
        names = [m for m in names if where_v1.measurement_matches(
            stmt.condition, m, tag_keys(provider, db, m), lambda k, m=m: provider.tag_values(db, None, m, k))]
    elif stmt.condition is not None:
        names = [m for m in names if series_frame(provider, db, m, stmt.condition)[0].height]
    rows = _page([[n] for n in names], stmt.limit, stmt.offset)
    return [Series("measurements", None, ["name"], rows, no_floats=True)] if rows else []


def show_series(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    cond = _tag_condition(stmt.condition, ctx.now)
    check_series_condition(cond)
    provider = in_time(provider, db, stmt.condition, ctx.now)
    v1 = cond is not None and v1_rules(provider)
    keys_all: list[str] = []
    for m in source_measurements(provider, db, stmt.sources):
        frame, keys = series_frame(provider, db, m, where_v1.SeriesRules(cond) if v1 else cond)
        keys_all.extend(series_keys(frame, m, keys))
    keys_all = sorted(set(keys_all))
    rows = _page([[k] for k in keys_all], stmt.limit, stmt.offset)
    return [Series("", None, ["key"], rows)] if rows else []


# -- SHOW TAG KEYS / TAG VALUES / FIELD KEYS -----------------------------------------

def _present_keys(frame: pl.DataFrame, keys) -> list[str]:
    if not keys or frame.height == 0:
        return []
    counts = frame.select([(pl.col(k).is_not_null() & (pl.col(k) != "")).any().alias(k) for k in keys]).row(0)
    return sorted(k for k, present in zip(keys, counts) if present)


def _tag_keys_matching(provider, db: str, m: str, cond) -> list[str]:
    """The tag keys of ``m``'s series matching ``cond`` that hold a value."""
    if cond is None:
        tags, _ = _schema(provider, db, m)
        if tags:
            return sorted(tags)
    return _present_keys(*series_frame(provider, db, m, cond))


def show_tag_keys(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    cond = _tag_condition(stmt.condition, ctx.now)
    if no_shard_in_time(provider, db, stmt.condition, ctx.now):
        return []
    if cond is None or not v1_rules(provider):
        check_series_condition(cond)
        return _per_measurement(provider, db, stmt, ["tagKey"],
                                lambda m: [[k] for k in _tag_keys_matching(provider, db, m, cond)])
    where_v1.check_outside_comparisons(cond)
    keep, cond_of = _v1_filters(provider, db, cond)
    return _per_measurement(provider, db, stmt, ["tagKey"], lambda m: [
        [k] for k in _tag_keys_matching(provider, db, m, cond_of(m))] if keep(m) else [])


def select_keys(op: str, expr, keys) -> list[str]:
    """Tag keys chosen by ``WITH KEY op expr`` (sorted)."""
    keys = sorted(keys)
    if op == "IN":
        want = set(expr.vals)
        return [k for k in keys if k in want]
    if isinstance(expr, A.RegexLiteral):
        rx = linear_regex.compile(expr.val)
        hit = [k for k in keys if rx.search(k)]
        return hit if op == "=~" else [k for k in keys if k not in hit]
    val = expr.val
    if op == "=":
        return [k for k in keys if k == val]
    if op in ("!=", "<>"):
        return [k for k in keys if k != val]
    raise QueryError(f"unsupported WITH KEY operator: {op}")


def tag_value_pairs(provider, db, m, op, expr, cond) -> list[list[str]]:
    if cond is None:  # the provider's index knows each tag's values
        keys = tag_keys(provider, db, m)
        return [[k, v] for k in select_keys(op, expr, keys) for v in provider.tag_values(db, None, m, k)]
    frame, keys = series_frame(provider, db, m, cond)
    chosen = select_keys(op, expr, keys)
    if not chosen or frame.height == 0:
        return []
    rows: list[list[str]] = []
    for k in chosen:
        col = frame.get_column(k)
        if col.len() <= 10_000:  # few values: a Python set beats Polars' fixed cost per call
            vals = sorted(set(col.to_list()) - {None})  # UTF-8 byte order is code point order
        else:
            vals = col.drop_nulls().unique().sort().to_list()
        rows.extend([k, v] for v in vals if v != "")
    return rows


def show_tag_values(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    op, expr = stmt.op, stmt.tag_key_expr
    if stmt.condition is None:  # the measurements' and the series index's answer: kept (answers.py)
        return answers.reused(provider, stmt, db, lambda: _per_measurement(
            provider, db, stmt, ["key", "value"], lambda m: tag_value_pairs(provider, db, m, op, expr, None)))
    cond = _tag_condition(stmt.condition, ctx.now)
    if no_shard_in_time(provider, db, stmt.condition, ctx.now):
        return []
    if cond is None or not v1_rules(provider):
        check_series_condition(cond)
        return _per_measurement(provider, db, stmt, ["key", "value"],
                                lambda m: tag_value_pairs(provider, db, m, op, expr, cond))
    where_v1.check_tag_values_condition(cond)
    keep, cond_of = _v1_filters(provider, db, cond)
    return _per_measurement(provider, db, stmt, ["key", "value"], lambda m: tag_value_pairs(
        provider, db, m, op, expr, cond_of(m)) if keep(m) else [])


def show_field_keys(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    return _per_measurement(provider, db, stmt, ["fieldKey", "fieldType"],
                            lambda m: [[k, t.value] for k, t in sorted(_schema(provider, db, m)[1].items())])


# -- cardinality ------------------------------------------------------------------------

def _card(stmt, series: list[Series]) -> list[Series]:
    """LIMIT/OFFSET page each series' rows (influxd 1.6.7), dropping series left empty."""
    out = []
    for s in series:
        rows = _page(s.values, stmt.limit, stmt.offset)
        if rows:
            out.append(Series(s.name, s.tags, s.columns, rows))
    return out


def _counts(provider, db, stmt, count):
    """One ``count`` series per measurement of the statement's sources with a non-zero count."""
    out = []
    for m in source_measurements(provider, db, stmt.sources):
        n = count(m)
        if n:
            out.append(Series(m, None, ["count"], [[n]]))
    return _card(stmt, out)


def _exact(stmt) -> bool:
    """influxd estimates only the whole database's count: FROM or WHERE make it exact."""
    return stmt.exact or bool(stmt.sources) or stmt.condition is not None


def show_series_cardinality(provider, stmt, ctx):
    db = database(stmt.database, ctx)
    if not _exact(stmt):
        if not provider.has_database(db):
            return _card(stmt, [Series("", None, ["cardinality estimation"], [[0]])])
        total = sum(series_frame(provider, db, m, None)[0].height
                    for m in source_measurements(provider, db, stmt.sources))
        return _card(stmt, [Series("", None, ["cardinality estimation"], [[total]])])
    if _has_time(stmt.condition):
        raise QueryError("SHOW SERIES EXACT CARDINALITY doesn't support time in WHERE clause")
    cond = _tag_condition(stmt.condition, ctx.now)
    existing(provider, db)
    if v1_rules(provider):
        return _counts(provider, db, stmt, lambda m: _series_per_shard_group(provider, db, m, cond))
    return _counts(provider, db, stmt, lambda m: series_frame(provider, db, m, cond)[0].height)


def _series_per_shard_group(provider, db: str, m: str, cond) -> int:
    """1.x counts a series once in each shard group holding its points (a count per shard)."""
    rp = provider.resolve_rp(db, None)
    duration = next((p.shard_group_duration for p in provider.retention_policies(db) if p.name == rp), 0)
    tags, fields = _schema(provider, db, m)
    frame = provider.scan_frame(db, rp, m, MIN_TIME, MAX_TIME, columns=list(tags) or None)
    indexed = series_frame(provider, db, m, cond)[0]
    if frame.height == 0:
        return indexed.height  # series of a failed write: in the index, in no shard's points
    keys = [t for t in tags if t in frame.columns]
    group = (pl.col("time") - _GO_ZERO % duration) // duration if duration > 0 else pl.lit(0)
    pairs = frame.select([*keys, group.alias("\x00group")]).unique()
    pairs = pairs.with_columns([pl.lit(None, pl.String).alias(t) for t in tags if t not in pairs.columns])
    counted = filter_series(pairs, cond, tuple(tags), fields)
    if not tags:
        return counted.height or indexed.height
    pointless = indexed.select(list(tags)).join(counted.select(list(tags)).unique(), on=list(tags),
                                                how="anti", nulls_equal=True)
    return counted.height + pointless.height


def show_measurement_cardinality(provider, stmt, ctx):
    db = database(stmt.database, ctx)
    cond = _tag_condition(stmt.condition, ctx.now)
    if not provider.has_database(db):
        if not _exact(stmt):
            return _card(stmt, [Series("", None, ["cardinality estimation"], [[0]])])
        raise DatabaseNotFound(db)
    names = source_measurements(provider, db, stmt.sources)
    if cond is not None:
        names = [m for m in names if series_frame(provider, db, m, cond)[0].height]
    if _exact(stmt):  # influxd counts with a SELECT: no measurement, no row
        return _card(stmt, [Series("", None, ["count"], [[len(names)]])] if names else [])
    return _card(stmt, [Series("", None, ["cardinality estimation"], [[len(names)]])])


def show_tag_key_cardinality(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    cond = _tag_condition(stmt.condition, ctx.now)
    return _counts(provider, db, stmt, lambda m: len(_present_keys(*series_frame(provider, db, m, cond))))


def show_field_key_cardinality(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    return _counts(provider, db, stmt, lambda m: len(_schema(provider, db, m)[1]))


def show_tag_values_cardinality(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    cond = _tag_condition(stmt.condition, ctx.now)
    return _counts(provider, db, stmt,
                   lambda m: len(tag_value_pairs(provider, db, m, stmt.op, stmt.tag_key_expr, cond)))


# -- retention policies and the server-side statements ---------------------------------

def show_retention_policies(provider, stmt, ctx):
    db = existing(provider, database(stmt.database, ctx))
    rows = [[p.name, go_duration(p.duration), go_duration(p.shard_group_duration), p.replication,
             bool(p.default)] for p in provider.retention_policies(db)]
    return [Series("", None, ["name", "duration", "shardGroupDuration", "replicaN", "default"], rows)]


def show_queries(provider, stmt, ctx):
    """The running statement itself, as influxd lists it (qid, text, db, duration, status)."""
    return [Series("", None, ["qid", "query", "database", "duration", "status"],
                   [[next(_QID), str(stmt), ctx.db, "0s", "running"]])]


def show_stats(provider, stmt, ctx):
    if not provider.capabilities.statistics:
        return []
    out = []
    for name, tags, values in provider.stats():
        if stmt.module is None or stmt.module == name:
            out.append(Series(name, tags or None, sorted(values), [[values[k] for k in sorted(values)]]))
    return out


def show_diagnostics(provider, stmt, ctx):
    from importlib import metadata as im
    try:
        version = im.version("tsdb")
    except im.PackageNotFoundError:  # running from a source tree
        version = "unknown"
    series = [Series("build", None, ["Branch", "Build Time", "Commit", "Version"],
                     [["unknown", "", "unknown", version]])]
    return [s for s in series if stmt.module is None or stmt.module == s.name]


def show_users(provider, stmt, ctx):
    return [Series("", None, ["user", "admin"], [])]


def show_grants(provider, stmt, ctx):
    raise QueryError("user not found")


_SHARD_COLUMNS = ["id", "database", "retention_policy", "shard_group", "start_time", "end_time",
                  "expiry_time", "owners"]


def show_shards(provider, stmt, ctx):
    return [Series(d, None, list(_SHARD_COLUMNS), []) for d in provider.databases()]


def show_shard_groups(provider, stmt, ctx):
    return [Series("shard groups", None,
                   ["id", "database", "retention_policy", "start_time", "end_time", "expiry_time"], [])]


def show_continuous_queries(provider, stmt, ctx):
    return [Series(d, None, ["name", "query"], []) for d in provider.databases()]


def show_subscriptions(provider, stmt, ctx):
    return []
