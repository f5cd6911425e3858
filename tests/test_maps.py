"""The regional map (/carte) and its data endpoint, and the small map of a firm: vendored Leaflet
only, escaped names, a payload that stays light with tens of thousands of firms, firms by
bounding box with filters and a cap."""

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import broker
from crm import models as m
from crm.blueprints.maps import rendering
from crm.extensions import db
from crm.services.territory import map_layers
from jobs import derived
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text

DIJON = (47.33209, 5.04443)
BESANCON = (47.26175, 6.01938)
DIJON_BOX = "4.9,47.2,5.2,47.5"
XSS = "<script>alert(1)</script>"
PAYLOAD_LIMIT = 1_500_000


def dijon_firm(**values) -> m.Company:
    return f.CompanyFactory(latitude=DIJON[0], longitude=DIJON[1], **values)


def besancon_firm(**values) -> m.Company:
    return f.CompanyFactory(latitude=BESANCON[0], longitude=BESANCON[1], commune_code="25056",
                            basin_code="2706", postal_code="25000", **values)


def without_footer(html: str) -> str:
    """The page but its footer (whose links to public sites are not the map's)."""
    return re.sub(r"<footer.*?</footer>", "", html, flags=re.S)


def external_addresses(html: str) -> set[str]:
    """Absolute addresses in the HTML, except the page's own host."""
    found = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>)]*", html))
    return {address for address in found if not re.match(r"(https?:)?//localhost\b", address)}


def map_data(response) -> dict:
    found = re.search(r'<script type="application/json" id="crm-map-data">(.*?)</script>',
                      response.get_data(as_text=True), flags=re.S)
    return json.loads(found.group(1))


def bulk_companies(count: int, start: int = 0, box: tuple[float, float] | None = None) -> None:
    """`count` active firms spread over the region's communes (or all in one point), fast."""
    communes = db.session.execute(sa.select(m.Commune.code, m.Commune.basin_code, m.Commune.latitude,
                                            m.Commune.longitude).order_by(m.Commune.code)).all()
    rows = []
    for number in range(start, start + count):
        code, basin, lat, lon = communes[(number * 7919) % len(communes)]
        if box:
            lat, lon = box
        siren = f"{900_000_000 + number}"
        rows.append({"siret": f"{siren}00019", "siren": siren, "name": f"Firme {number}",
                     "search_name": f"firme {number}", "naf_code": "43.21A", "headcount_band": "11",
                     "commune_code": code, "basin_code": basin, "latitude": lat, "longitude": lon,
                     "active": True, "diffusible": True, "verified": True, "tags": [], "version": 1,
                     "created_at": m.utcnow(), "updated_at": m.utcnow()})
    db.session.execute(sa.insert(m.Company.__table__), rows)
    db.session.commit()


def test_the_map_is_for_staff_only(client, auth):
    assert client.get("/carte").status_code == 302
    auth.login(f.UserFactory(role=m.Role.PARTNER, organisation=f.OrganisationFactory(
        kind=m.OrganisationKind.CCI, is_spotter=True)))
    assert client.get("/carte").status_code == 403
    assert client.get(f"/carte/entreprises.json?bbox={DIJON_BOX}").status_code == 403


def test_without_tiles_the_map_holds_no_external_address(client, signed_in):
    dijon_firm()
    response = client.get("/carte")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert external_addresses(without_footer(html)) == set()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet/leaflet.markercluster.js" in html
    assert "L.tileLayer" not in html


def test_with_tiles_the_tile_url_is_the_only_external_address(app, client, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    html = without_footer(client.get("/carte").get_data(as_text=True))
    assert external_addresses(html) == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
    assert "contributeurs d\\u0027OpenStreetMap" in html


def test_firm_names_are_escaped_in_the_page_and_sent_as_data(client, signed_in):
    firm = dijon_firm(name=XSS)
    f.HiringNeedFactory(company=firm, organisation=signed_in.organisation, job_title=XSS)
    response = client.get("/carte")
    html = response.get_data(as_text=True)
    assert XSS not in html and "alert(1)" in html
    assert [need[4] for need in map_data(response)["needs"]] == [XSS]
    points = client.get(f"/carte/entreprises.json?bbox={DIJON_BOX}").get_json()["points"]
    assert points == [[DIJON[0], DIJON[1], firm.id, XSS]]


def test_firms_are_counted_by_commune(client, signed_in):
    for _ in range(3):
        dijon_firm()
    besancon_firm()
    dijon_firm(active=False)
    communes = map_data(client.get("/carte"))["communes"]
    assert [row[2:] for row in communes] == [[3, "Dijon"], [1, "Besançon"]]


def test_the_regional_view_stays_light_with_many_firms(client, signed_in):
    bulk_companies(3_000)
    few = len(client.get("/carte").get_data())
    bulk_companies(27_000, start=3_000)
    response = client.get("/carte")
    many = len(response.get_data())
    assert sum(row[2] for row in map_data(response)["communes"]) == 30_000
    assert many <= PAYLOAD_LIMIT
    assert many - few < 27_000 * 5  # aggregated by commune: far less than a point per firm


def test_firms_in_a_bounding_box_with_filters(client, signed_in):
    inside = dijon_firm(naf_code="56.10A", headcount_band="00")
    with_need = dijon_firm()
    f.HiringNeedFactory(company=with_need)
    closed_need = dijon_firm()
    f.HiringNeedFactory(company=closed_need, status=m.NeedStatus.FILLED)
    besancon_firm()
    dijon_firm(active=False)

    def ids(query: str = "") -> set[int]:
        response = client.get(f"/carte/entreprises.json?bbox={DIJON_BOX}{query}")
        assert response.status_code == 200 and response.get_json()["truncated"] is False
        return {point[2] for point in response.get_json()["points"]}

    assert ids() == {inside.id, with_need.id, closed_need.id}
    assert ids("&naf_section=I") == {inside.id}
    assert ids("&band=00") == {inside.id}
    assert ids("&open_need=1") == {with_need.id}
    assert ids("&basin=2706") == set()


def test_the_map_keeps_to_the_rsa_pilot_territories_when_asked(client, signed_in):
    dijon_firm()
    genlis = f.CompanyFactory(latitude=47.23907, longitude=5.18, commune_code="21292",
                              postal_code="21110")  # CC de la Plaine Dijonnaise, pilot since 2023
    response = client.get(f"/carte/entreprises.json?bbox={DIJON_BOX}&rsa_pilot=1")
    assert {point[2] for point in response.get_json()["points"]} == {genlis.id}
    page = client.get("/carte?rsa_pilot=1").get_data(as_text=True)
    assert 'name="rsa_pilot"' in page and "Dans un territoire pilote RSA" in page


def test_the_bounding_box_answer_is_capped(client, signed_in):
    bulk_companies(map_layers.BBOX_CAP + 1, box=DIJON)
    data = client.get(f"/carte/entreprises.json?bbox={DIJON_BOX}").get_json()
    assert (data["count"], len(data["points"]), data["truncated"]) == (5_000, 5_000, True)


@pytest.mark.parametrize("bbox", ["", "4.9,47.2,5.2", "5.2,47.2,4.9,47.5", "a,b,c,d", "4,47,5,95"])
def test_a_malformed_bounding_box_is_refused_with_a_message(client, signed_in, bbox):
    response = client.get(f"/carte/entreprises.json?bbox={bbox}")
    assert response.status_code == 400
    assert "lonmin,latmin,lonmax,latmax" in response.get_json()["message"]


def test_an_unknown_filter_is_refused_by_the_data_endpoint(client, signed_in):
    response = client.get(f"/carte/entreprises.json?bbox={DIJON_BOX}&basin=9999")
    assert response.status_code == 400
    assert "Filtre inconnu" in response.get_json()["message"]


def test_needs_visits_and_events_layers(client, signed_in):
    mine = f.HiringNeedFactory(company=dijon_firm(), organisation=signed_in.organisation)
    f.HiringNeedFactory(company=dijon_firm())  # another organisation's need: out of scope
    f.HiringNeedFactory(company=dijon_firm(), organisation=signed_in.organisation,
                        status=m.NeedStatus.CANCELLED)
    f.VisitFactory(company=besancon_firm(name="Visitée"))
    f.VisitFactory(company=dijon_firm(), scheduled_at=m.utcnow() + timedelta(days=60))
    f.EventFactory(title="Job dating BTP", status=m.EventStatus.PUBLISHED)
    f.EventFactory(title="Brouillon")
    data = map_data(client.get("/carte"))
    assert [need[2] for need in data["needs"]] == [mine.reference]
    assert [visit[3] for visit in data["visits"]] == ["Visitée"]
    assert [event[3] for event in data["events"]] == ["Job dating BTP"]
    assert data["truncated"] == {"needs": False, "visits": False, "events": False}


def test_basins_are_shaded_by_the_chosen_indicator(client, signed_in):
    for _ in range(4):
        dijon_firm()
    contacted = besancon_firm()
    f.InteractionFactory(company=contacted, occurred_at=m.utcnow() - timedelta(days=10))
    f.InteractionFactory(company=dijon_firm(), occurred_at=m.utcnow() - timedelta(days=200))
    f.HiringNeedFactory(company=contacted, basin_code="2706")
    shown = {
        indicator: client.get(f"/carte?indicator={indicator}&period=90").get_data(as_text=True)
        for indicator in map_layers.INDICATORS
    }
    assert re.search(r"Dijon</a></td>\s*<td[^>]*>5</td>", shown["establishments"])
    assert re.search(r"Besançon</a></td>\s*<td[^>]*>1</td>", shown["open_needs"])
    assert re.search(r"Besançon</a></td>\s*<td[^>]*>1\u202f000,0</td>", shown["needs_per_1000"])
    assert re.search(r"Dijon</a></td>\s*<td[^>]*>0</td>", shown["contacted"])
    assert re.search(r"Besançon</a></td>\s*<td[^>]*>1</td>", shown["contacted"])


def test_the_map_filters_narrow_the_firms_and_frame_the_basin(client, signed_in):
    dijon_firm()
    besancon_firm(naf_code="56.10A")
    response = client.get("/carte?basin=2706&naf_section=I")
    data = map_data(response)
    assert [row[3] for row in data["communes"]] == ["Besançon"]
    assert "basin=2706" in data["urls"]["points"] and "naf_section=I" in data["urls"]["points"]
    assert 'href="/entreprises?basin=2706&amp;naf_section=I"' in response.get_data(as_text=True)


def test_the_map_page_runs_a_fixed_number_of_queries(client, signed_in):
    def add_rows(count: int) -> None:
        for _ in range(count):
            firm = dijon_firm()
            f.HiringNeedFactory(company=firm, organisation=signed_in.organisation)
            f.VisitFactory(company=firm)
            f.EventFactory(status=m.EventStatus.PUBLISHED)

    assert_constant_queries(client, "/carte", add_rows)


def test_company_map_shows_the_point_on_the_basin_outline():
    firm = dijon_firm(name=XSS)
    html = str(rendering.company_map(firm))
    assert "/static/vendor/leaflet/leaflet.js" in html and "L.circleMarker" in html
    assert "Dijon" in html  # the basin's outline
    assert external_addresses(html) == set()
    assert "alert(1)" not in html


def test_company_map_is_none_without_coordinates():
    assert rendering.company_map(f.CompanyFactory(latitude=None, longitude=None)) is None


def test_an_open_need_without_a_typed_title_is_named_by_its_rome_job(client, signed_in):
    firm = dijon_firm()
    f.HiringNeedFactory(company=firm, organisation=signed_in.organisation, job_title=None, rome_code="D1102")
    needs = map_data(client.get("/carte"))["needs"]
    assert [need[3] for need in needs] == [db.session.get(m.RomeCode, "D1102").label]


def test_the_map_has_a_legend_for_the_symbols_of_its_layers(client, signed_in):
    response = client.get("/carte")
    html, data = page_text(response), map_data(response)
    legend = html[html.index('aria-label="Légende : symboles de la carte"'):]
    legend = legend[:legend.index("</ul>")]
    for key, label in (("needs", "Besoin de recrutement ouvert"), ("visits", "Visite prévue"),
                       ("events", "Événement à venir"), ("firms", "Entreprise"),
                       ("departments", "Limite de département")):
        assert label in legend
        assert data["symbols"][key]["colour"] in legend  # drawn as the map draws it


def test_the_table_under_the_map_lists_basins_alphabetically(client, signed_in):
    html = client.get("/carte").get_data(as_text=True)
    names = re.findall(r'<a href="/bassins/\d{4}">([^<]+)</a>', html)
    assert len(names) == 21
    assert names.index("Mâcon") < names.index("Montbéliard")
    assert names.index("Châtillon-Montbard") < names.index("Cosne-Cours-sur-Loire")


def test_the_stored_counts_are_those_counted_live(client, signed_in, run_jobs):
    for _ in range(3):
        dijon_firm()
    contacted = besancon_firm()
    dijon_firm(active=False)
    f.HiringNeedFactory(company=contacted, basin_code="2706")
    f.HiringNeedFactory(company=contacted, basin_code="2706", status=m.NeedStatus.CANCELLED)
    live = {indicator: client.get(f"/carte?indicator={indicator}").get_data(as_text=True)
            for indicator in ("establishments", "open_needs", "needs_per_1000")}
    assert "Nombres calculés à l'instant" in page_text(client.get("/carte"))
    broker.enqueue("default", derived.refresh_area_counts)
    run_jobs()

    assert map_layers.live_area_counts() == {
        (row.level, row.code): (row.establishments, row.open_needs)
        for row in db.session.scalars(sa.select(m.AreaCount))}
    stored = {indicator: client.get(f"/carte?indicator={indicator}").get_data(as_text=True)
              for indicator in live}
    for indicator, html in stored.items():
        assert map_data_without_urls(html) == map_data_without_urls(live[indicator])
        assert shaded_table(html) == shaded_table(live[indicator])
    assert "Nombres d'établissements et de besoins calculés le 10/06/2026 à 10:00" in page_text(
        client.get("/carte"))


def test_a_filtered_map_counts_live_and_says_so(client, signed_in):
    dijon_firm(naf_code="56.10A")
    map_layers.refresh_area_counts()
    dijon_firm(naf_code="56.10A")  # added since the counts were stored
    response = client.get("/carte?naf_section=I")
    assert [row[2] for row in map_data(response)["communes"]] == [2]
    assert "Nombres calculés à l'instant" in page_text(response)


def map_data_without_urls(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="crm-map-data">(.*?)</script>', html, flags=re.S)
    data = json.loads(found.group(1))
    return {key: value for key, value in data.items() if key not in ("map", "layers", "urls")}


def shaded_table(html: str) -> list[str]:
    return re.findall(r"</a></td>\s*<td[^>]*>([^<]*)</td>", html)


def test_the_refresh_command_stores_the_counts_and_the_pairs_now(runner):
    dijon_firm()
    result = runner.invoke(args=["refresh-derived"])
    assert result.exit_code == 0
    assert json.loads(result.output.splitlines()[-1]) == {"area_counts": 2, "duplicate_pairs": 0}
    assert map_layers.counts_refreshed_at() is not None
