"""Form layout in a real browser: sections of the partner's flag form are fieldsets set apart from
their fields, and fields side by side keep their inputs on one line, error messages or not."""

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import sign_in
from tests.browser.test_staff_journeys import partner  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def tops(page, *ids: str) -> set[int]:
    """The rounded top of each input in the document, by id, read in one go once the page's style
    sheets and fonts are in (a text can be visible before them, laid out without the grid), and in
    document coordinates (the focused error summary may still be scrolling the page)."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return set(page.evaluate(
        "ids => ids.map(id => Math.round(document.getElementById(id).getBoundingClientRect().top"
        " + window.scrollY))", list(ids)))


def test_the_public_form_keeps_its_inputs_aligned_in_its_error_state(live_server, page, screenshot):
    page.goto(f"{live_server}/recrutement")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_text("Choisissez le type de contrat.", exact=True)).to_be_visible()
    assert len(tops(page, "positions", "contract_type", "contract_months")) == 1
    assert len(tops(page, "contact_email", "contact_phone")) == 1
    assert len(tops(page, "postal_code", "commune_code")) == 1
    screenshot("recrutement-erreurs-alignement")


def test_the_flag_form_has_sections_apart_from_their_fields(live_server, page, screenshot, axe,
                                                            partner):  # noqa: F811
    sign_in(page, live_server, partner)
    page.goto(f"{live_server}/signalements/nouveau")
    for legend in ("L'entreprise", "Le besoin", "La personne à contacter dans l'entreprise",
                   "Votre signalement"):
        expect(page.get_by_role("group", name=legend, exact=True)).to_be_visible()
    commune = page.locator("#commune_code").bounding_box()
    need = page.get_by_text("Le besoin", exact=True).bounding_box()
    assert need["y"] - (commune["y"] + commune["height"]) >= 24
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Choisissez le type de contrat.", exact=True)).to_be_visible()
    assert len(tops(page, "positions", "contract_type", "contract_months")) == 1
    assert len(tops(page, "contact_name", "contact_email", "contact_phone")) == 1
    screenshot("signalement-erreurs")
    axe()
    axe.end()
