"""The explorer's portability verdicts in a real headless Chromium: after an InfluxQL query runs
(and on the Check button) the page shows, beside the results, whether InfluxDB 1.x and InfluxDB 3
(Cloud Dedicated) run each statement, each product's error and the InfluxDB 3 way, as
/api/tsdb/check answers them; the query's own answer is not held back by the check."""
from __future__ import annotations

import pytest

from tests.explorer.test_browser import (
    _by_css,
    _run,
    _signed_in_with_mydb,
    _tables,
    _use,
)
from tests.waiting import wait_until

SLIMIT_V3 = "datafusion error: rewriting statement\ncaused by\nThis feature is not implemented: SLIMIT or SOFFSET"


@pytest.fixture(scope="module")
def check_page(server, browser):
    """The explorer with the token entered and database mydb chosen (InfluxQL)."""
    _signed_in_with_mydb(browser, server)
    return browser


def _verdicts(driver, start):
    """Empty the verdict box, ``start()`` (run or check), and return its lines once they are there."""
    driver.execute_script("document.getElementById('verdicts').replaceChildren()")
    start()
    return wait_until(lambda: driver.execute_script("return tsdbExplorer.verdicts()"), "the verdicts", 15)


def test_a_non_portable_query_shows_v3s_error_and_way(check_page, tmp_path):
    q = "SELECT level FROM h2o SLIMIT 1"
    lines = _verdicts(check_page, lambda: _run(check_page, q))
    assert lines == ["InfluxDB 1.x: runs · InfluxDB 3 / Cloud Dedicated: fails — " + SLIMIT_V3 +
                     " — instead: pick the series with a WHERE on their tags: `SELECT level FROM h2o` "
                     "plus e.g. WHERE host =~ /^(a|b)$/"]
    box = _by_css(check_page, "#verdicts")[0]
    assert box.is_displayed()
    assert [s.get_attribute("class") for s in _by_css(check_page, "#verdicts li span")] == ["runs", "fails"]
    # the query's own answer is shown as the server gave it (the shim speaks InfluxDB 3's InfluxQL)
    assert _by_css(check_page, "#error-message")[0].text.startswith("statement 0: ")
    check_page.save_screenshot(str(tmp_path / "verdict-fails.png"))


def test_a_portable_query_runs_on_both(check_page):
    q = "SELECT level FROM h2o WHERE location = 'a'"
    lines = _verdicts(check_page, lambda: _run(check_page, q))
    assert lines == ["InfluxDB 1.x: runs · InfluxDB 3 / Cloud Dedicated: runs"]
    assert _tables(check_page)[0][1][0] == ["time", "level"]  # the results are there too
    assert [s.get_attribute("class") for s in _by_css(check_page, "#verdicts li span")] == ["runs", "runs"]


def test_check_button_judges_without_running(check_page):
    """Check alone: several statements, each named; the query is not run (the stats stay as they were)."""
    q = "SHOW DATABASES; SELECT count_hll(level) FROM h2o"
    check_page.execute_script("document.getElementById('query').value = arguments[0];"
                              "document.getElementById('stats').textContent = 'untouched'", q)
    lines = _verdicts(check_page, lambda: _by_css(check_page, "#check")[0].click())
    assert lines == [
        "SHOW DATABASES InfluxDB 1.x: runs · InfluxDB 3 / Cloud Dedicated: fails — datafusion error: This feature "
        "is not implemented: SHOW DATABASES — instead: not in InfluxQL on InfluxDB 3: use the Cloud Dedicated "
        "management API or influxctl (influxctl database list)",
        "SELECT count_hll(level) FROM h2o InfluxDB 1.x: fails — undefined function count_hll() · "
        "InfluxDB 3 / Cloud Dedicated: fails — datafusion error: rewriting statement\ncaused by\n"
        "gather information about select statement\ncaused by\n"
        "This feature is not implemented: count_hll — instead: count(distinct(...)) counts exactly"]
    assert _by_css(check_page, "#stats")[0].text == "untouched"


def test_a_note_when_both_run_it_differently(check_page):
    _use(check_page, "rp", "autogen")
    lines = _verdicts(check_page, lambda: _run(check_page, "SHOW TAG VALUES WITH KEY = location"))
    assert lines == ["InfluxDB 1.x: runs · InfluxDB 3 / Cloud Dedicated: runs, differently — InfluxDB 3 reads only "
                     "the last 24 h without a time bound in WHERE (1.x: all data)"]


def test_sql_has_no_verdict(check_page):
    from selenium.webdriver.support.ui import Select

    _verdicts(check_page, lambda: _run(check_page, "SELECT * FROM h2o SLIMIT 1"))
    Select(_by_css(check_page, "#lang")[0]).select_by_value("sql")
    try:
        assert not _by_css(check_page, "#verdicts")[0].is_displayed()
        assert not _by_css(check_page, "#check")[0].is_enabled()
        _run(check_page, "SELECT time, level FROM h2o ORDER BY time LIMIT 1")
        assert check_page.execute_script("return tsdbExplorer.verdicts()") == []
    finally:
        Select(_by_css(check_page, "#lang")[0]).select_by_value("influxql")
