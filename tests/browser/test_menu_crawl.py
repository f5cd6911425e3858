"""Every page a signed-in person reaches from the menus, for each role, on the demo data set: the
header menu's sections, their second-level menus, and one detail page per list (the first row's
link). Each answers 200 and axe-core finds no serious or critical problem on it."""

import re

import pytest
from playwright.sync_api import expect

from crm.config import OSM_TILES
from crm.demo import seed as demo
from crm.demo.network import PASSWORD
from crm.services.platform import unit_of_work

pytestmark = pytest.mark.browser

DOWNLOADS = re.compile(r"\.(csv|xlsx|json)$|/export|/telecharger")


def hrefs(page, selector: str) -> list[str]:
    """The addresses of the links matched by the selector, in page order."""
    return page.eval_on_selector_all(selector, "links => links.map(link => link.href)")


def sign_in_as(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/accueil")


@pytest.mark.parametrize("role", ["adviser", "manager", "partner", "admin"])
def test_every_page_of_the_menus_is_accessible(app, live_server, page, axe, monkeypatch, role):
    if not page.javascript:
        pytest.skip("axe-core runs in the page: the crawl needs JavaScript")
    monkeypatch.setitem(app.config, "CRM_MAP_TILES", OSM_TILES)  # maps as in production,
    page.route(re.compile(r"^https://tile\."), lambda route: route.abort())  # tiles not fetched
    accounts = demo.seed_demo(companies=300)["accounts"]
    unit_of_work.commit()
    sign_in_as(page, live_server, next(a["email"] for a in accounts if a["role"] == role))
    menu = hrefs(page, "nav[aria-label='Menu principal'] a")
    assert menu, "no header menu"
    queue, seen, problems = list(menu), set(), []
    while queue:
        url = queue.pop(0)
        if url in seen or not url.startswith(live_server) or DOWNLOADS.search(url):
            continue
        seen.add(url)
        response = page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        try:
            axe()
        except AssertionError as found:
            problems.append(str(found))
        if url in menu or "?" not in url and url.rstrip("/") in {u.rstrip("/") for u in menu}:
            queue += hrefs(page, ".crm-subnav a")
        if len(url[len(live_server):].strip("/").split("/")) <= 2:  # a list: open its first row
            queue += hrefs(page, ".crm-table tbody tr:first-child td a, "
                                 ".crm-table tbody tr:first-child th a")[:1]
    print(f"{role}: {len(seen)} pages", *sorted(seen), sep="\n  ")
    assert problems == [], "\n".join(problems)
    axe.end()
