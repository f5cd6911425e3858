"""The regional map in a real browser: it renders from the vendored Leaflet, firms are clustered
by commune when zoomed out and loaded one by one when zoomed in, a firm's name shows as text in
its popup, and axe-core finds no serious or critical problem. Without JavaScript, the filters and
the table by basin still work."""

import random

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.territory import map_layers
from tests import factories as f
from tests.browser.test_employer_journey import serious_violations
from tests.browser.test_staff_journeys import sign_in
from tests.test_maps import BESANCON, XSS, bulk_companies

pytestmark = pytest.mark.browser


@pytest.fixture
def firms():
    """About 2,000 firms in the region's communes, one named like a script alone in Besançon."""
    bulk_companies(2_000)
    rng = random.Random(5)
    for _ in range(30):
        f.CompanyFactory(latitude=47.322 + rng.uniform(-0.02, 0.02),
                         longitude=5.041 + rng.uniform(-0.03, 0.03))
    return f.CompanyFactory(name=XSS, latitude=BESANCON[0] + 0.02, longitude=BESANCON[1],
                            commune_code="25056", basin_code="2706", postal_code="25000")


def map_call(page, script: str):
    """Run `script` with `map` and `firms` bound to the page's Leaflet map and cluster layer."""
    return page.evaluate("""script => {
        const config = JSON.parse(document.getElementById("crm-map-data").textContent);
        const map = window[config.map], firms = window[config.layers.firms];
        return new Function("map", "firms", script)(map, firms);
    }""", script)


def zoom_to(page, lat: float, lon: float, zoom: int) -> None:
    """Set the map's view, again until it holds (the page may still be framing the region)."""
    page.wait_for_function("""([lat, lon, zoom]) => {
        const config = JSON.parse(document.getElementById("crm-map-data").textContent);
        const map = window[config.map];
        if (map.getZoom() !== zoom) { map.setView([lat, lon], zoom); }
        return map.getZoom() === zoom;
    }""", arg=[lat, lon, zoom], polling=200)


def test_the_map_clusters_firms_and_escapes_names(live_server, page, screenshot, firms):
    map_layers.refresh_area_counts()  # drawn from the stored counts, as the scheduled job leaves them
    db.session.commit()
    sign_in(page, live_server, f.UserFactory(role=m.Role.MANAGER, name="Inès Manager"))
    page.goto(f"{live_server}/carte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Carte des bassins d'emploi")
    expect(page.get_by_text("Nombres d'établissements et de besoins calculés le")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Dijon")
    if not page.javascript:
        assert page.locator(".leaflet-container").count() == 0
        page.get_by_label("Couleur des bassins").select_option("open_needs")
        with page.expect_navigation():
            page.get_by_role("button", name="Filtrer").click()
        expect(page.get_by_role("table")).to_contain_text("Besoins ouverts")
        screenshot("carte-region")
        return

    expect(page.locator(".crm-map.leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Entreprises")
    expect(page.locator(".crm-map-count").first).to_be_visible()
    assert map_call(page, "return firms.getLayers().length;") > 100  # one marker per commune
    assert serious_violations(page) == []
    screenshot("carte-region")

    page.goto(f"{live_server}/carte?basin=2711")
    expect(page.locator(".crm-map-count").first).to_be_visible()
    screenshot("carte-bassin")

    zoom_to(page, 47.322, 5.041, 13)
    expect(page.locator("#crm-map-status")).to_contain_text("dans la zone affichée")
    assert map_call(page, "return firms.getLayers().every(l => l.options.count === 1);")
    screenshot("carte-ville")

    page.goto(f"{live_server}/carte")
    zoom_to(page, BESANCON[0] + 0.02, BESANCON[1], 16)
    expect(page.locator("#crm-map-status")).to_contain_text("1 entreprise dans la zone affichée")
    map_call(page, "firms.getLayers()[0].openPopup();")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_have_text(XSS)
    assert popup.locator("script").count() == 0
    assert serious_violations(page) == []
