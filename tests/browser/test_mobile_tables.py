"""Tables on a phone (390 px wide): each row is a card whose cells carry their column header, so
that nothing hides past the right edge, "Fait" on "Ma journée" included."""

import pytest
from playwright.sync_api import expect

from crm import models as m
from tests import factories as f
from tests.browser.journeys import open_menu, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_my_day_shows_the_done_button_without_sideways_scrolling(
        live_server, page, screenshot, axe, adviser, late_need):
    f.FollowUpFactory(title="Rappeler la boulangerie Martin pour la convention de stage",
                  due_on=m.utcnow().date(), assignee=adviser, company=late_need.company,
                  created_by_id=adviser.id)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, adviser)
    if page.javascript:
        page.get_by_role("button", name="Menu").click()
    open_menu(page, "Ma journée")
    page.wait_for_url(f"{live_server}/ma-journee")
    done = page.get_by_role("button", name="Fait : Rappeler la boulangerie Martin")
    expect(done).to_be_visible()
    box = done.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("td[data-label='Échéance']").first).to_be_visible()
    reference = page.get_by_role("link", name=late_need.reference, exact=True)
    assert reference.bounding_box()["height"] < 30  # one line: "BFC-2026-" never wraps
    screenshot("mobile-ma-journee")
    axe()
    axe.end()
