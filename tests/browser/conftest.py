"""Browser fixtures: the app served on a free local port, and Debian's Chromium driven by
Playwright (the tests are skipped when /usr/bin/chromium is absent)."""

import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from crm import models as m
from crm.extensions import db
from crm.services.needs.filing import file_need
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon

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
    blocked: list[str] = []  # the security headers' policy must never break a page
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"


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


# Accessibility problems of the application already reported and not yet fixed: (axe rule,
# address pattern, element) -> what is wrong. A test meeting one still checks everything else,
# then ends as an expected failure naming it; once fixed, the test passes and the entry goes.
KNOWN_PROBLEMS: dict[tuple[str, str, str], str] = {}


@pytest.fixture
def axe(page):
    """Run axe-core on the current page; fail on any serious or critical finding that is not a
    known problem. Known ones are collected; call axe.end() last to report them."""
    from axe_playwright_python.sync_playwright import Axe

    known: list[str] = []

    def known_problem(violation: dict, node: dict) -> str | None:
        path = re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]
        target = " ".join(node["target"])
        for (rule, pattern, element), why in KNOWN_PROBLEMS.items():
            if violation["id"] == rule and re.search(pattern, path) and element in target:
                return why
        return None

    def check() -> None:
        if not page.javascript:  # axe needs JavaScript
            return
        unexpected = []
        for violation in Axe().run(page).response["violations"]:
            for node in violation["nodes"]:
                line = (f"{violation['impact']}: {violation['id']} – {violation['help']} "
                        f"{node['target']} on {page.url}")
                print(line)
                if violation["impact"] not in ("serious", "critical"):
                    continue
                why = known_problem(violation, node)
                if why is None:
                    unexpected.append(line)
                elif why not in known:
                    known.append(why)
        assert unexpected == [], "\n".join(unexpected)

    def end() -> None:
        if known:
            pytest.xfail("known accessibility problem: " + "; ".join(known))

    check.end = end
    return check


@pytest.fixture
def agency():
    """France Travail Dijon, covering the Dijon basin, and its adviser Paul Girard."""
    organisation = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon()])
    f.UserFactory(organisation=organisation, name="Paul Girard", email="paul.girard@exemple.fr",
                  basins=[dijon()])
    return organisation


@pytest.fixture
def adviser(agency):
    return db.session.scalar(sa.select(m.User).where(m.User.email == "paul.girard@exemple.fr"))


@pytest.fixture
def late_need(adviser):
    """A request filed four days ago through the one need schema, routed to Paul Girard, whose
    first-contact deadline has passed."""
    data = parse_need({
        "siret": "732 829 320 00074", "company_name": "Boulangerie Martin",
        "commune_code": "21231", "rome_code": "D1102", "positions": 2, "contract_type": "cdi",
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr",
                    "phone": "03 80 12 34 56"},
        "consent": True,
    }, require_consent=True)
    need = file_need(data, source=m.NeedSource.PUBLIC_FORM).need
    unit_of_work.commit()
    assert need.adviser_id == adviser.id
    filed_at = m.utcnow() - timedelta(days=5)
    need.created_at = filed_at
    need.first_contact_due_at = filed_at + timedelta(days=2)
    for step in need.history:
        step.at = filed_at
    db.session.execute(sa.update(m.Interaction).where(m.Interaction.need_id == need.id)
                       .values(occurred_at=filed_at))
    db.session.commit()
    return need
