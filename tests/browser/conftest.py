"""Browser fixtures: the app served on a free local port, and Debian's Chromium driven by
Playwright (the tests are skipped when /usr/bin/chromium is absent)."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture
def live_server(app, monkeypatch):
    """The session app served in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(app.config, "CRM_BASE_URL", base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium de Debian absent (/usr/bin/chromium) : tests navigateur ignorés.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=[True, False], ids=["avec-javascript", "sans-javascript"])
def page(request, browser):
    """A fresh page, once with JavaScript and once without: every page must work without it."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900},
                                  java_script_enabled=request.param)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under tests/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        suffix = "" if page.javascript else "-sans-js"
        path = SCREENSHOTS / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
