"""A visitor reaches the three legal pages from the footer of the public form, in a real browser;
axe-core finds no serious or critical accessibility problem on them."""

import pytest

pytestmark = pytest.mark.browser

FOOTER_LINKS = {"Mentions légales": "Mentions légales",
                "Données personnelles": "Données personnelles",
                "Accessibilité : non conforme": "Déclaration d'accessibilité"}


def test_the_legal_pages_are_reached_from_the_footer_and_pass_axe(live_server, page, axe, screenshot):
    for link, heading in FOOTER_LINKS.items():
        page.goto(f"{live_server}/recrutement")
        footer = page.locator("footer")
        footer.get_by_role("link", name=link, exact=True).click()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.title() == f"{heading} – CRM emploi BFC"
        axe()
        screenshot(f"legal-{page.url.rsplit('/', 1)[1]}")
    axe.end()
