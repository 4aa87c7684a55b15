"""The explorer page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium, with the network off.

Checks: the page becomes interactive with no console error and makes no network request;
choosing a reading and moving sliders with the keyboard changes the numbers shown to those of
the single run with the same values; text from an assumption file shows as text; a screenshot
is taken. Skipped, saying why, only where the browser or its driver cannot be found (``.ci/run``
installs them where it can).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

import finmodel
from finmodel.inputs.loader import with_overrides
from finmodel.reports import explore as page
from finmodel.studies.explore import explore

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync")  # fmt: skip
HOSTILE = "<script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"


def _browser(tmp_path: Path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip(f"no Chromium and driver at {CHROMIUM} and {DRIVER}: apt-get install "
                    "chromium chromium-driver (.ci/run does where it can)")  # fmt: skip
    from selenium.webdriver.chrome.service import Service

    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for flag in FLAGS.split():
        o.add_argument(flag)
    o.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    o.add_argument("--window-size=1280,2200")
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    # the network off: every request fails (the page's own file:// load is not a request)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions",
                      {"offline": True, "latency": 0, "downloadThroughput": 0,
                       "uploadThroughput": 0})  # fmt: skip
    return d


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page")
    hostile = finmodel.load(
        "base", {"name": "hostile", "description": HOSTILE, "parties.us.name": HOSTILE}
    )
    readings = [finmodel.load(n) for n in ("status_quo", "literal", "russia_keeps_title")]
    [path] = page.write_explore(explore([*readings, hostile]), out)
    return path


@pytest.fixture
def browser(tmp_path):
    d = _browser(tmp_path)
    yield d
    d.quit()


def _open(d, path: Path) -> None:
    d.get(path.as_uri())
    for _ in range(200):
        if d.execute_script("return window.finmodelReady"):
            return
        time.sleep(0.05)
    raise AssertionError("the page never became interactive")


def _settle(d) -> None:
    """Wait for the charts' pending redraws."""
    d.execute_async_script("window.finmodelExplorer.idle().then(arguments[0])")


def _shown(d) -> dict[str, dict[str, float]]:
    """The numbers table as displayed: party id -> metric -> USD bn (three decimals)."""
    rows = d.execute_script(
        "return [...document.querySelectorAll('#numbers tbody tr')].map(tr => "
        "[tr.dataset.party, [...tr.querySelectorAll('td[data-metric]')].map("
        "td => [td.dataset.metric, td.textContent])])"
    )
    return {p: {m: float(t) for m, t in cells} for p, cells in rows}


def _problems(d) -> list[dict]:
    return [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _requests(d) -> list[str]:
    urls = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    # requests to a network address (the browser's own chrome:// pages are not)
    return [u for u in urls if u.split(":", 1)[0].lower() in ("http", "https", "ws", "wss", "ftp")]


def test_readings_and_sliders_show_the_single_runs_numbers(browser, written, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    d = browser
    _open(d, written)
    Select(d.find_element(By.ID, "reading")).select_by_visible_text(
        next(o.text for o in Select(d.find_element(By.ID, "reading")).options
             if o.text.startswith("russia_keeps_title"))
    )  # fmt: skip
    _settle(d)
    # the return rate two steps up (8% -> 10%), the payout one step down (0.5 -> 0.25)
    d.find_element(By.ID, "slider-input-0").send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    d.find_element(By.ID, "slider-input-1").send_keys(Keys.ARROW_LEFT)
    _settle(d)
    assert d.execute_script("return window.finmodelExplorer.state()") == {
        "reading": "russia_keeps_title", "pos": [10, 1, 1, 0]}  # fmt: skip
    values = {"vehicles.us_led_fund.return.rate": 0.10, "vehicles.us_led_fund.payout": 0.25}
    one = finmodel.run(with_overrides(finmodel.load("russia_keeps_title"), values))
    base = finmodel.run(finmodel.load("status_quo"))
    shown = _shown(d)
    assert set(shown) == set(one.summary["parties"]) | set(base.summary["parties"])
    for pid, cells in shown.items():
        mine = one.summary["parties"].get(pid)
        theirs = base.summary["parties"].get(pid)
        for m in ("received", "paid", "net", "npv"):
            expected = (mine[m] if mine else 0.0) / 1e9
            change = expected - (theirs[m] if theirs else 0.0) / 1e9
            assert cells[m] == pytest.approx(expected, abs=0.0005 + 1e-12), (pid, m)
            assert cells[f"change_{m}"] == pytest.approx(change, abs=0.0015), (pid, m)
    # what the copy button copies: USD to the cent, tab-separated
    lines = d.execute_script("return window.finmodelExplorer.copied()").splitlines()
    head = lines[0].split("\t")
    assert head[:5] == ["party", "received_usd", "paid_usd", "net_usd", "npv_usd"]
    for line in lines[1:]:
        pid, *cells = line.split("\t")
        mine = one.summary["parties"].get(pid)
        for m, cell in zip(("received", "paid", "net", "npv"), cells):
            assert abs(float(cell) - (mine[m] if mine else 0.0)) <= 0.01, (pid, m)
    shot = tmp_path / "explorer.png"
    assert d.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert _problems(d) == []
    assert _requests(d) == []


def test_the_discount_rate_moves_npv_only(browser, written):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    d = browser
    _open(d, written)
    assert d.execute_script("return window.finmodelExplorer.state()")["reading"] == "literal"
    before = _shown(d)
    d.find_element(By.ID, "slider-input-2").send_keys(Keys.ARROW_RIGHT)  # 4% -> 6%
    _settle(d)
    after = _shown(d)
    one = finmodel.run(finmodel.load("literal", {"discount_rate": 0.06}))
    for pid, p in one.summary["parties"].items():
        assert after[pid]["npv"] == pytest.approx(p["npv"] / 1e9, abs=0.0005 + 1e-12)
        assert after[pid]["net"] == before[pid]["net"]
    assert _problems(d) == []


def test_text_from_a_file_shows_as_text(browser, written):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = browser
    _open(d, written)
    Select(d.find_element(By.ID, "reading")).select_by_index(3)
    _settle(d)
    assert d.find_element(By.ID, "reading-description").text == HOSTILE
    # a party's name: in the table as text, and in the charts (SVG text) as text
    assert d.find_element(By.CSS_SELECTOR, "#numbers tr[data-party=us] td").text == HOSTILE
    bars = d.execute_script("return document.querySelector('#chart-bars svg').textContent")
    assert "<script>window.pwned = 1</script>" in bars  # Vega shortens a long axis label
    assert d.execute_script("return window.pwned") is None
    assert d.execute_script("return document.querySelectorAll('img[src=x]').length") == 0
    assert _problems(d) == []


def test_readable_on_a_phone_and_printable(browser, written):
    import base64

    d = browser
    d.set_window_size(390, 844)  # a phone's viewport
    _open(d, written)
    # nothing wider than the screen but the charts' own scrolling boxes
    assert d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert (
        d.execute_script(
            "return getComputedStyle(document.querySelector('.grid')).gridTemplateColumns"
        ).count("px")
        == 1
    )  # one column
    pdf = base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") >= 2
    assert _problems(d) == []
