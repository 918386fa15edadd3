"""The explorer's SQL editor in a real headless Chromium: the InfluxQL/SQL switch, SQL through
/api/v3/query_sql, the table's cells, the chart's lines (one per tag combination and numeric
column, or one per numeric column), the API's error, and copy as curl."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.explorer.conftest import NOW_S
from tests.explorer.test_browser import (
    _by_css,
    _click,
    _node,
    _run,
    _signed_in_with_mydb,
    _tables,
)
from tests.waiting import wait_until


def _naive(s: int) -> str:
    """A time as InfluxDB 3's JSON writes it: UTC, no zone."""
    return dt.datetime.fromtimestamp(s, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture(scope="module")
def sql_page(server, browser):
    """The explorer with the token entered, database mydb chosen, and the editor switched to SQL."""
    _signed_in_with_mydb(browser, server)
    from selenium.webdriver.support.ui import Select

    Select(_by_css(browser, "#lang")[0]).select_by_value("sql")
    assert _by_css(browser, "#query-label")[0].text.startswith("SQL")
    assert not _by_css(browser, "#rp")[0].is_enabled()
    return browser


def test_sql_rows_in_the_table_and_one_line_per_tag_value(sql_page, tmp_path):
    stats = _run(sql_page, "SELECT time, location, level FROM h2o ORDER BY location, time")
    assert stats.startswith("2 lines · 5 rows · "), stats
    assert _by_css(sql_page, "#error")[0].get_attribute("hidden")
    assert _tables(sql_page) == [["SQL", [
        ["time", "location", "level"],
        [_naive(NOW_S), "a", "1.5"], [_naive(NOW_S + 60), "a", "2.5"], [_naive(NOW_S + 120), "a", "2"],
        [_naive(NOW_S), "b", "7.25"], [_naive(NOW_S + 60), "b", "6.75"]]]]
    assert sql_page.execute_script("return tsdbExplorer.lines()") == [
        {"label": "location=a level", "points": 3}, {"label": "location=b level", "points": 2}]
    chart = sql_page.execute_script("""const u = tsdbExplorer.chart();
        return {series: u.series.slice(1).map(s => s.label), xs: u.data[0], a: u.data[1], b: u.data[2],
                paths: document.querySelectorAll('#chart canvas').length};""")
    assert chart["series"] == ["location=a level", "location=b level"]
    assert chart["xs"] == [NOW_S, NOW_S + 60, NOW_S + 120]  # the zone-less times read as UTC
    assert chart["a"] == [1.5, 2.5, 2] and chart["b"] == [7.25, 6.75, None]
    assert chart["paths"] == 1
    sql_page.save_screenshot(str(tmp_path / "sql.png"))


def test_without_text_columns_one_line_per_numeric_column(sql_page):
    stats = _run(sql_page, "SELECT time, level, count FROM h2o WHERE location = 'a' ORDER BY time")
    assert stats.startswith("2 lines · 3 rows · "), stats
    assert sql_page.execute_script("return tsdbExplorer.lines()") == [
        {"label": "level", "points": 3}, {"label": "count", "points": 3}]
    assert sql_page.execute_script("return tsdbExplorer.chart().data") == [
        [NOW_S, NOW_S + 60, NOW_S + 120], [1.5, 2.5, 2], [3, 4, 5]]
    _run(sql_page, "SELECT count(*) AS n FROM h2o")  # no time column: a table, no chart
    assert _tables(sql_page) == [["SQL", [["n"], ["5"]]]]
    assert sql_page.execute_script("return tsdbExplorer.lines()") == []


def test_sql_error_is_shown_as_the_api_words_it(sql_page):
    _run(sql_page, "SELEC level FROM h2o")
    assert not _by_css(sql_page, "#error")[0].get_attribute("hidden")
    assert _by_css(sql_page, "#error-message")[0].text == \
        "HTTP 400: SQL error: sql parser error: expected SELECT, found SELEC"
    assert _tables(sql_page) == [] and sql_page.execute_script("return tsdbExplorer.lines()") == []


def test_copy_as_curl_for_sql(sql_page, server):
    q = "SELECT time, level FROM h2o WHERE location = 'a'"
    _run(sql_page, q)
    _by_css(sql_page, "#copy-curl")[0].click()
    text = wait_until(lambda: _by_css(sql_page, "#curl")[0].text, "the curl command")
    body = json.dumps({"db": "mydb", "q": q, "format": "json"}, separators=(",", ":")).replace("'", "'\\''")
    assert text == (f"curl -XPOST '{server.url}/api/v3/query_sql' \\\n  -H \"Authorization: Token $TOKEN\" \\\n"
                    f"  -H 'Content-Type: application/json' \\\n  --data-binary '{body}'")
    assert server.token not in text


def test_a_measurement_in_the_tree_gives_a_sql_query(sql_page):
    _click(sql_page, "rp", "autogen")
    _click(sql_page, "measurement", "h2o")
    wait_until(lambda: _node(sql_page, "tag", "location"), "tag key location", 15)
    assert _by_css(sql_page, "#query")[0].get_attribute("value") == 'SELECT * FROM "h2o" ORDER BY time DESC LIMIT 100'
    stats = _run(sql_page, _by_css(sql_page, "#query")[0].get_attribute("value"))
    assert " · 5 rows · " in stats
    assert _tables(sql_page)[0][1][0] == ["count", "level", "location", "time"]  # InfluxDB 3 sorts columns by name
