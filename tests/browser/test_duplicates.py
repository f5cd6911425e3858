"""The duplicates page in a real browser, read from the stored pairs: it says when they were
searched, a pair dismissed leaves the list, and axe-core finds no serious or critical problem."""

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.companies import duplicates
from tests import factories as f
from tests.browser.test_employer_journey import serious_violations
from tests.browser.test_staff_journeys import sign_in

pytestmark = pytest.mark.browser


def test_the_stored_pairs_are_listed_and_a_dismissed_one_leaves(live_server, page):
    f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc")
    f.CompanyFactory(name="Hotel du parc", search_name="hotel du parc", verified=False)
    duplicates.refresh_pairs()  # as the scheduled job leaves them
    db.session.commit()
    sign_in(page, live_server, f.UserFactory(role=m.Role.MANAGER, name="Inès Manager"))

    page.goto(f"{live_server}/entreprises/doublons")
    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons probables")
    expect(page.get_by_text("Paires recherchées le")).to_be_visible()
    expect(page.get_by_text("1 paire")).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Ce n'est pas un doublon").click()
    expect(page.get_by_text("Aucun doublon probable.")).to_be_visible()
    assert serious_violations(page) == []
