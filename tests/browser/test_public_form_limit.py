"""An employer over the form's limit gets the form back as typed, the wait summary focused, and
axe-core finds no serious or critical accessibility problem on that page."""

import pytest

from crm.extensions import limiter
from tests.browser.test_employer_journey import serious_violations

pytestmark = pytest.mark.browser


def test_the_limit_page_keeps_what_was_typed_and_says_when_to_send(app, live_server, page, screenshot,
                                                                    monkeypatch):
    limiter.init_app(app)
    monkeypatch.setitem(app.config, "CRM_PUBLIC_FORM_INVALID_RATE_LIMIT", "1 per minute")
    page.goto(f"{live_server}/recrutement")
    page.get_by_role("button", name="Envoyer ma demande").click()  # empty: one failed attempt
    page.get_by_label("Nom de l'entreprise").fill("Boulangerie Martin")
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_role("button", name="Envoyer ma demande").click()
    summary = page.get_by_role("alert").filter(has_text="Votre demande n'a pas encore été envoyée")
    assert summary.is_visible()
    assert "à partir de 10\u00a0h\u00a0" in summary.inner_text()
    assert page.get_by_label("Nom de l'entreprise").input_value() == "Boulangerie Martin"
    assert page.get_by_label("Nom et prénom").input_value() == "Camille Martin"
    if page.javascript:
        assert page.evaluate("document.activeElement.id") == "limite"
    screenshot("recrutement-limite")
    assert serious_violations(page) == []
