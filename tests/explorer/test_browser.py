"""The explorer in a real headless Chromium against a real server: token, schema browser,
query, table, chart (one line per series), parse error marked, copy as curl, and the
token never in a URL. Screenshots go to the test's temporary folder (test_demo.py
writes the README's picture)."""
from __future__ import annotations

import json

import pytest

from tests.explorer.conftest import NOW_S
from tests.waiting import wait_until


def _by_css(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def _node(driver, kind, name):
    found = [n for n in _by_css(driver, f'[data-kind="{kind}"]') if n.get_attribute("data-name") == name]
    return found[0] if found and found[0].is_displayed() else None


def _click(driver, kind, name):
    wait_until(lambda: _node(driver, kind, name), f"{kind} {name} in the tree", 15).click()


def _run(driver, q):
    editor = _by_css(driver, "#query")[0]
    driver.execute_script("arguments[0].value = arguments[1]", editor, q)
    before = _by_css(driver, "#stats")[0].text
    driver.execute_script("document.getElementById('stats').textContent = ''")
    _by_css(driver, "#run")[0].click()
    wait_until(lambda: "ms" in _by_css(driver, "#stats")[0].text, f"the answer to {q!r} (was {before!r})", 15)
    return _by_css(driver, "#stats")[0].text


def _use(driver, box, value):
    """Choose ``value`` in the page's ``db``/``rp`` box (a test must not rely on another having chosen it)."""
    wait_until(lambda: driver.execute_script(
        "const s = document.getElementById(arguments[0]); s.value = arguments[1]; return s.value === arguments[1];",
        box, value), f"{box} {value} in the box", 15)


def _signed_in_with_mydb(browser, server):
    """The explorer loaded, the token entered, database mydb chosen."""
    browser.get(f"{server.url}/")
    field = wait_until(lambda: _by_css(browser, "#token"), "the page", 15)[0]
    field.send_keys(server.token)
    _by_css(browser, "#token-save")[0].click()
    _click(browser, "db", "mydb")
    wait_until(lambda: browser.execute_script("return document.getElementById('db').value") == "mydb", "mydb chosen")
    return browser


def _tables(driver):
    """[(caption, [[cells]])] of the result tables."""
    return driver.execute_script("""
        return [...document.querySelectorAll('#results table')].map(t => [
            t.caption.textContent,
            [...t.querySelectorAll('tr')].map(r => [...r.children].map(c => c.textContent))]);""")


def _iso(s: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(s, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def page(server, browser, tmp_path_factory):
    """The explorer, loaded, with the token entered once."""
    browser.get(f"{server.url}/")
    wait_until(lambda: _by_css(browser, "#token-state"), "the page", 15)
    assert _by_css(browser, "#token-state")[0].text == "no token"
    wait_until(lambda: not _by_css(browser, "#error")[0].get_attribute("hidden"), "the 401 shown without a token")
    # the database list comes from InfluxDB 3 Core's /api/v3/query_influxql, worded as it words a 401
    assert _by_css(browser, "#error-message")[0].text == "HTTP 401: the request was not authenticated"
    field = _by_css(browser, "#token")[0]
    field.send_keys(server.token)
    _by_css(browser, "#token-save")[0].click()
    wait_until(lambda: _node(browser, "db", "mydb"), "the databases after the token", 15)
    browser.shots = tmp_path_factory.mktemp("screenshots")
    return browser


def test_token_kept_in_session_storage_only(page, server):
    assert page.execute_script("return sessionStorage.getItem('tsdb.explorer.token')") == server.token
    assert page.execute_script("return localStorage.length") == 0
    assert page.execute_script("return document.cookie") == ""
    assert _by_css(page, "#token")[0].get_attribute("value") == ""  # not left in the page
    assert _by_css(page, "#token-state")[0].text == "token set for this tab"


def test_browse_to_a_measurement(page):
    _click(page, "db", "mydb")
    _click(page, "rp", "autogen")
    _click(page, "measurement", "h2o")
    wait_until(lambda: _node(page, "tag", "location"), "tag key location", 15)
    assert _node(page, "field", "level (float)") and _node(page, "field", "count (integer)")
    _click(page, "tag", "location")
    wait_until(lambda: _node(page, "value", "b"), "tag values", 15)
    assert _node(page, "value", "a")
    assert _by_css(page, "#query")[0].get_attribute("value") == 'SELECT * FROM "autogen"."h2o" LIMIT 100'
    assert page.execute_script("return document.getElementById('db').value") == "mydb"
    assert page.execute_script("return document.getElementById('rp').value") == "autogen"
    page.save_screenshot(str(page.shots / "browse.png"))


def test_query_table_and_one_line_per_series(page):
    _use(page, "db", "mydb")
    stats = _run(page, 'SELECT "level" FROM "h2o" GROUP BY "location"')
    assert stats.startswith("2 series · 5 rows · ")
    assert _tables(page) == [
        ["h2o (location=a)", [["time", "level"], [_iso(NOW_S), "1.5"], [_iso(NOW_S + 60), "2.5"],
                              [_iso(NOW_S + 120), "2"]]],
        ["h2o (location=b)", [["time", "level"], [_iso(NOW_S), "7.25"], [_iso(NOW_S + 60), "6.75"]]],
    ]
    assert page.execute_script("return tsdbExplorer.lines()") == [
        {"label": "h2o (location=a) level", "points": 3}, {"label": "h2o (location=b) level", "points": 2}]
    chart = page.execute_script("""const u = tsdbExplorer.chart();
        return {series: u.series.slice(1).map(s => s.label), xs: u.data[0], a: u.data[1], b: u.data[2],
                canvas: !!document.querySelector('#chart canvas'),
                legend: document.querySelectorAll('#chart .u-legend .u-series').length};""")
    assert chart["series"] == ["h2o (location=a) level", "h2o (location=b) level"]
    assert chart["xs"] == [NOW_S, NOW_S + 60, NOW_S + 120]  # one time axis, in seconds
    assert chart["a"] == [1.5, 2.5, 2] and chart["b"] == [7.25, 6.75, None]
    assert chart["canvas"] and chart["legend"] == 3  # the time row and one row per line
    page.save_screenshot(str(page.shots / "query.png"))


def test_drag_zooms_the_time_axis(page):
    from selenium.webdriver.common.action_chains import ActionChains

    _use(page, "db", "mydb")
    _run(page, 'SELECT "level" FROM "h2o" GROUP BY "location"')
    over = _by_css(page, "#chart .u-over")[0]
    width = over.size["width"]
    ActionChains(page).move_to_element_with_offset(over, -width // 4, 0).click_and_hold() \
        .move_by_offset(width // 4, 0).release().perform()
    lo, hi = page.execute_script("const x = tsdbExplorer.chart().scales.x; return [x.min, x.max];")
    assert NOW_S < lo < hi < NOW_S + 120, (lo, hi)


def test_parse_error_is_shown_and_marked(page):
    _run(page, "SELECT level\nFROM h2o LIMIT many")
    assert not _by_css(page, "#error")[0].get_attribute("hidden")
    message = _by_css(page, "#error-message")[0].text
    # the shim's default dialect is InfluxDB 3's: a 200 answer whose statement failed, at a byte offset
    # (influxdb_influxql_parser/src/common.rs limit_clause: "invalid LIMIT clause, expected unsigned integer")
    assert message == ("statement 0: error in InfluxQL statement: parsing error: "
                       "invalid LIMIT clause, expected unsigned integer at pos 28")
    mark = _by_css(page, "#error-context mark")[0]
    assert (mark.text, mark.get_attribute("data-line"), mark.get_attribute("data-char")) == ("many", "2", "16")
    assert page.execute_script("const q = document.getElementById('query'); "
                               "return [q.selectionStart, q.selectionEnd]") == [28, 32]
    assert _tables(page) == [] and page.execute_script("return tsdbExplorer.lines()") == []
    page.save_screenshot(str(page.shots / "parse-error.png"))


def test_statement_error_is_shown_as_the_api_words_it(page):
    _run(page, "SELECT * FROM nowhere.autogen.h2o")
    assert _by_css(page, "#error-message")[0].text == "statement 0: Database nowhere not found"
    assert _by_css(page, "#error-context")[0].text == ""


def test_copy_as_curl_uses_a_placeholder_for_the_token(page, server):
    page.execute_script("""const rp = document.getElementById('rp'); rp.replaceChildren();
        const db = document.getElementById('db'); db.value = 'mydb'; db.dispatchEvent(new Event('change'));""")
    wait_until(lambda: page.execute_script(  # the page's own choice of the database has landed
        "return [...document.getElementById('rp').options].some(o => o.value === 'autogen')"), "the policies", 15)
    _use(page, "rp", "autogen")
    _run(page, "SHOW MEASUREMENTS")
    _by_css(page, "#copy-curl")[0].click()
    text = wait_until(lambda: _by_css(page, "#curl")[0].text, "the curl command")
    assert text == (f"curl -XPOST '{server.url}/query' \\\n  -H \"Authorization: Token $TOKEN\" \\\n"
                    "  --data-urlencode 'db=mydb' \\\n  --data-urlencode 'rp=autogen' \\\n"
                    "  --data-urlencode 'q=SHOW MEASUREMENTS'")
    assert server.token not in text


def test_the_token_never_travels_in_a_url(page, server):
    """Every request the page made: the token only ever in an Authorization header."""
    sent = []
    for entry in page.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            request = message["params"]["request"]
            sent.append((request["url"], request.get("headers", {})))
    queries = [(u, h) for u, h in sent if u.endswith("/query")]
    assert queries and all(server.token not in u for u, _ in sent)
    assert all(h.get("Authorization") == f"Token {server.token}" for _, h in queries[-3:])


def test_page_headers_lock_it_to_this_origin(server):
    import httpx

    r = httpx.get(f"{server.url}/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in r.text  # no inline script: everything from /explorer/
    for asset in ("explorer.js", "explorer.css", "uPlot.iife.min.js", "uPlot.min.css", "uPlot.LICENSE"):
        assert httpx.get(f"{server.url}/explorer/{asset}").status_code == 200
    assert httpx.get(f"{server.url}/explorer/..%2Fapp.py").status_code == 404


def test_no_content_security_policy_violation(page):
    """The page, uPlot included, runs under its CSP (a violation would be logged by Chromium)."""
    logged = [e["message"] for e in page.get_log("browser")]
    assert not [m for m in logged if "Content Security Policy" in m], logged


def test_without_auth_the_page_needs_no_token(browser, tmp_path):
    """A --no-auth server (influxdb1 dialect): the page browses and queries with no token,
    and its curl command carries no Authorization header."""
    import httpx

    from tsdb_http.serve import start_in_thread

    handle = start_in_thread(tmp_path, compat="influxdb1", no_auth=True)
    try:
        assert httpx.post(f"{handle.url}/query", data={"q": "CREATE DATABASE open"}).status_code == 200
        browser.get(f"{handle.url}/")
        _click(browser, "db", "open")
        assert _by_css(browser, "#token-state")[0].text == "no token"
        assert _run(browser, "SHOW RETENTION POLICIES").startswith("1 series · 1 rows · ")
        assert _tables(browser)[0][1][1][0] == "autogen"
        _by_css(browser, "#copy-curl")[0].click()
        text = wait_until(lambda: _by_css(browser, "#curl")[0].text, "the curl command")
        assert text.startswith(f"curl -XPOST '{handle.url}/query' \\\n  --data-urlencode 'db=open'")
        assert "Authorization" not in text
    finally:
        handle.stop()
