"""The explorer over ``tsdb serve --demo``'s NOAA data: the table equals the API's own answer
cell for cell, and the chart draws one line per location. ``TSDB_SCREENSHOT=1`` writes the
README's picture (docs/explorer.png) from this page."""
from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.explorer.test_browser import _by_css, _click, _node, _run, _tables
from tests.waiting import wait_until
from tsdb_http.serve import start_in_thread
from tsdb_http.tokens import TokenStore

ROOT = Path(__file__).resolve().parents[2]
QUERY = ("SELECT mean(\"water_level\") FROM \"h2o_feet\" WHERE time >= '2019-08-18T00:00:00Z' "
         "AND time < '2019-08-20T00:00:00Z' GROUP BY time(1h), \"location\"")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    token = TokenStore(root).create("NOAA_water_database", read=True, description="explorer demo")[0]
    handle = start_in_thread(root, demo=True)  # 127.0.0.1: the explorer is on by default
    handle.token = token
    yield handle
    handle.stop()


def test_demo_query_matches_the_api_and_charts_each_location(demo, browser, tmp_path):
    browser.get(f"{demo.url}/")
    wait_until(lambda: _by_css(browser, "#token"), "the page", 15)[0].send_keys(demo.token)
    _by_css(browser, "#token-save")[0].click()
    _click(browser, "db", "NOAA_water_database")
    assert _node(browser, "db", "devops") is None  # the token reads NOAA only: SHOW DATABASES is filtered
    _click(browser, "rp", "autogen")
    _click(browser, "measurement", "h2o_feet")
    wait_until(lambda: _node(browser, "field", "water_level (float)"), "the fields of h2o_feet", 15)
    assert _run(browser, QUERY).startswith("2 series · 96 rows · ")

    api = httpx.post(f"{demo.url}/query", data={"db": "NOAA_water_database", "q": QUERY},
                     headers={"Authorization": f"Token {demo.token}"}).json()["results"][0]["series"]
    assert _tables(browser) == [
        [f"h2o_feet (location={s['tags']['location']})",
         [s["columns"], *[[str(v) if v is not None else "" for v in row] for row in s["values"]]]] for s in api]
    lines = browser.execute_script("return tsdbExplorer.lines()")
    assert lines == [{"label": "h2o_feet (location=coyote_creek) mean", "points": 48},
                     {"label": "h2o_feet (location=santa_monica) mean", "points": 48}]
    browser.execute_script("document.getElementById('chart').scrollIntoView()")
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(tmp_path / "demo.png"))
    if os.environ.get("TSDB_SCREENSHOT") == "1":
        browser.save_screenshot(str(ROOT / "docs" / "explorer.png"))
