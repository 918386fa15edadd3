"""A module-scoped store per dialect holding given lines, for tables run in both dialects."""
from __future__ import annotations

import math

import pytest

import tsdb_core
from tsdb_core.testing import ManualClock


def influxdb3_store(lines: str):
    """A module-scoped fixture giving an influxdb3 store holding ``lines``."""
    @pytest.fixture(scope="module")
    def store():
        s = tsdb_core.open(clock=ManualClock("2023-01-01T00:00:00Z"), dialect="influxdb3")
        assert s.write("db", lines).ok
        yield s
        s.close()
    return store


def store_in_both_dialects(lines: str):
    """A fixture giving ``(dialect, store)`` for influxdb3 and influxdb1, each holding ``lines``."""
    @pytest.fixture(scope="module", params=["influxdb3", "influxdb1"])
    def store(request):
        s = tsdb_core.open(clock=ManualClock("2023-01-01T00:00:00Z"), dialect=request.param)
        assert s.write("db", lines).ok
        yield request.param, s
        s.close()
    return store


NAN = "NaN"  # a NaN cell as :func:`answer` gives it (NaN != NaN: a table could not name it)


def answer(s, q: str):
    """The statement's error, or its first series' rows without their time column (``[]`` without
    series), a NaN cell as :data:`NAN`."""
    (res,) = s.query(q, db="db").to_json()["results"]
    if "error" in res:
        return res["error"]
    rows = [r[1:] for r in res["series"][0]["values"]] if "series" in res else []
    return [[NAN if isinstance(v, float) and math.isnan(v) else v for v in r] for r in rows]



def assert_answers(store, query: str, v3, v1) -> None:
    """``query`` answers the dialect's recorded rows or error (``store``: a fixture of
    :func:`store_in_both_dialects`; None: not recorded for that dialect, skipped)."""
    dialect, s = store
    want = v3 if dialect == "influxdb3" else v1
    if want is None:
        pytest.skip("not recorded for this dialect")
    got = answer(s, query)
    assert got == want, f"{dialect}: {query}\n got {got!r}\nwant {want!r}"  # (a helper module: not rewritten)

def http_cells(compat: str, lines: str, q: str):
    """``q``'s answer over HTTP from a shim in ``compat`` holding ``lines`` (epoch s): its JSON rows,
    its CSV rows' last cells, and the client (for other formats)."""
    from tests.http.conftest import make_client
    client = make_client(compat)
    client.raw_store.create_database("db")
    assert client.raw_store.write("db", lines).ok
    params = {"db": "db", "q": q, "epoch": "s"}
    body = client.get("/query", params=params).json()
    rows = body["results"][0]["series"][0]["values"]
    csv = client.get("/query", params=params, headers={"Accept": "application/csv"}).text
    return rows, [line.split(",")[-1] for line in csv.splitlines()[1:]], client
