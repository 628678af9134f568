"""Fixtures of the browser tests: Debian's chromium driven by Playwright, offline.

Every request that is not to 127.0.0.1 is blocked and counted; a test fails if any was made
(formgrader's MathJax from a CDN was such a request). On failure the page's screenshot is kept in
BROWSER_ARTIFACTS (default: out/browser-artifacts/ in the kit).
"""

import os
import shutil
from pathlib import Path

import pytest

from vlmkit import paths

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root chromium needs --no-sandbox; the rest keep it from calling home on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS") or paths.ROOT / "out" / "browser-artifacts")


# Module scope: Playwright's sync API holds an asyncio loop in this thread while it runs, and
# other tests' asyncio.run() would fail beside it.
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: `make install` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def loopback_only(context) -> list:
    """Block every request of `context` that is not to 127.0.0.1; returns the list of those tried."""
    offsite = []

    def only_loopback(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            offsite.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    return offsite


@pytest.fixture
def page(browser, request):
    """A fresh page; `page.offsite` lists the non-loopback requests it tried (all blocked)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    offsite = loopback_only(context)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.offsite = offsite
    yield page
    if getattr(request.node, "failed_call", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not offsite, f"the page tried to reach the network: {offsite[:5]}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
