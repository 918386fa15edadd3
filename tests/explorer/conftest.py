"""A real ``tsdb serve`` (auth on, explorer on) with a little data, and a headless Chromium.

The browser is Debian's ``chromium`` driven by its ``chromedriver`` through selenium;
without them the browser tests skip, saying which binary is missing.
"""
from __future__ import annotations

import os
import shutil
import time

import httpx
import pytest

from tsdb_http.serve import start_in_thread
from tsdb_http.tokens import TokenStore

NOW_S = int(time.time()) - 3600
# Two series of h2o (location=a, location=b) and a field per type.
POINTS = "\n".join([
    f"h2o,location=a level=1.5,count=3i {NOW_S}",
    f"h2o,location=a level=2.5,count=4i {NOW_S + 60}",
    f"h2o,location=a level=2,count=5i {NOW_S + 120}",
    f"h2o,location=b level=7.25,count=1i {NOW_S}",
    f"h2o,location=b level=6.75,count=2i {NOW_S + 60}",
])
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorer")
    tokens = TokenStore(root)
    token = tokens.create("*", read=True, write=True, manage=True, description="explorer tests")[0]
    handle = start_in_thread(root, ui=True)
    handle.token = token
    r = httpx.post(f"{handle.url}/api/v2/write?bucket=mydb&precision=s", content=POINTS,
                   headers={"Authorization": f"Token {token}"})
    assert r.status_code == 204, r.text
    yield handle
    handle.stop()


def _missing() -> str | None:
    if CHROMIUM is None:
        return "chromium is not installed (apt-get install chromium chromium-driver; .ci/run installs them)"
    if CHROMEDRIVER is None:
        return "chromedriver is not installed (apt-get install chromium-driver; .ci/run installs it)"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the test extra)")
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--window-size=1280,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
