"""The library site in headless Chromium, served by Python's http.server as a student might try it.

Every page loads with no console error and no failed request and fits a 360 px phone
without scrolling sideways; search finds the seed article first and finds Hindi; an
answer opens; every link of the library page is found; axe-core finds no serious or
critical problem.  Chromium is driven over its DevTools pipe (tests/cdp.py).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urljoin, urlsplit

import pytest
from cdp import Chromium, chromium_path
from conftest import ROOT
from sitekit import serve

AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    path = chromium_path()
    assert path, "Chromium not found (apt-get install chromium, or run ./setup.sh)"
    with Chromium(tmp_path_factory.mktemp("chromium-profile"), path) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def served(sample_site):
    with serve(sample_site.site) as base:
        yield base


@pytest.fixture
def page(browser):
    tab = browser.open("about:blank")
    tab.enable("Page", "Runtime", "Network", "Log")
    browser.call("Emulation.setDeviceMetricsOverride", PHONE, tab.session)
    yield tab
    browser.call("Target.closeTarget", {"targetId": browser.call("Target.getTargetInfo", {}, tab.session)
                                        ["targetInfo"]["targetId"]})


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def problems(events: list[dict]) -> list[str]:
    """Console errors and warnings, uncaught exceptions, failed requests and error responses."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            found.append(f"console.{params['type']}: {[a.get('value') for a in params['args']]}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            found.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            found.append(f"failed request: {params.get('errorText')}")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            found.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
    return found


def settle(page) -> None:
    """Wait until the page and its module script are done, and nothing is loading."""
    wait_for(lambda: page.evaluate("document.readyState") == "complete", 15, "the page to load")
    time.sleep(0.3)


def search_for(page, words: str) -> list[str]:
    page.evaluate("(() => { const f = document.getElementById('search'); "
                  "document.getElementById('search-status').textContent = ''; "
                  f"f.elements.q.value = {json.dumps(words)}; f.requestSubmit(); }})()")
    wait_for(lambda: page.evaluate("document.getElementById('search-status').textContent"), 15,
             f"results for {words!r}")
    return page.evaluate("[...document.querySelectorAll('#search-results li > a')].map(a => a.href)")


def test_every_page_loads_cleanly_and_fits_a_phone_screen(sample_site, served, page, browser):
    pages = sorted(p.relative_to(sample_site.site).as_posix() for p in sample_site.site.rglob("*.html"))
    assert len(pages) == 19
    report = {}
    for name in pages:
        mark = len(browser.events)
        page.goto(served + name)
        settle(page)
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        found = problems(page.events(mark))
        if width[0] > width[1]:
            found.append(f"scrolls sideways: {width[0]} px of content in {width[1]} px")
        if found:
            report[name] = found
    assert report == {}


def test_search_finds_the_seed_article_first_and_finds_hindi(served, page):
    page.goto(served + "index.html")
    wait_for(lambda: page.evaluate("document.getElementById('search-edition').options.length") == 3, 15,
             "the edition filter to fill")
    first = search_for(page, "facial recognition")
    assert first[0] == served + "2020-02-feb-march/art-china-facial-recognition.html"
    hindi = search_for(page, "टिड्डी")
    assert hindi[0] == served + "2020-02-feb-march-hi/art-tiddi-dal-ka-hamla.html"
    # The section filter narrows a search to one paper.
    page.evaluate("(() => { const s = document.getElementById('search-section'); s.value = 'GS-I'; "
                  "s.dispatchEvent(new Event('change')); })()")
    wait_for(lambda: all("2020-02-feb-march/art-" in h for h in search_for(page, "India")), 15, "GS-I results")
    options = page.evaluate("[...document.getElementById('search-edition').options].map(o => o.value)")
    assert options == ["", "Feb-March 2020 (Feb-PT 2020)", "फ़रवरी-मार्च 2020 (फ़रवरी-पीटी 2020)"]


def test_an_answer_opens_without_a_script_of_ours(served, page):
    page.goto(served + "2020-02-feb-march/art-china-facial-recognition.html")
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    closed = page.evaluate("document.querySelector('details.answer p').checkVisibility()")
    page.evaluate("document.querySelector('details.answer summary').click()")
    assert page.evaluate("document.querySelector('details.answer').open") is True
    assert closed is False
    assert page.evaluate("document.querySelector('details.answer p').checkVisibility()") is True
    assert "(a) The US Department of Commerce" in page.evaluate(
        "document.querySelector('details.answer p').innerText")


def test_every_link_of_the_library_page_is_found(served, page):
    page.goto(served + "index.html")
    links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    local = sorted({urljoin(link, urlsplit(link).path) for link in links if link.startswith(served)})
    elsewhere = {link for link in links if not link.startswith(served)}
    assert len(local) >= 8  # the library itself, 2 editions, 2 PDFs, 2 EPUBs, the catalogue
    statuses = page.evaluate(f"Promise.all({json.dumps(local)}.map(u => fetch(u).then(r => [u, r.status])))",
                             await_promise=True, timeout=60)
    assert [s for s in statuses if s[1] != 200] == []
    for link in local:  # and a visit to each page, as a click would
        if link.endswith(".html"):
            page.goto(link)
            assert page.evaluate("document.title")
    assert all(link.startswith(("https://", "tel:")) for link in elsewhere)  # the brand's contacts


@pytest.mark.parametrize("name", ["index.html", "2020-02-feb-march/index.html",
                                  "2020-02-feb-march/art-union-budget-2020-21.html",
                                  "2020-02-feb-march-hi/art-tiddi-dal-ka-hamla.html"])
def test_axe_finds_no_serious_or_critical_problem(served, page, name):
    assert AXE.is_file(), "axe-core is not installed in tools/axe (./setup.sh installs it)"
    page.goto(served + name)
    settle(page)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document).then(r => ({passes: r.passes.length, violations: "
                           "r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))}))",
                           await_promise=True, timeout=60)
    assert result["passes"] > 20
    assert [v for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
