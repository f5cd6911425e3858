"""RSA pilot territories as data: the 2023 pilots and 2024 extensions installed by default, dates
of validity, the default routing rule (France Travail pilots, the Conseil départemental
co-handles), the new publics in the API, the "pilotes RSA" slice of the needs list and basin pages,
and the admin page."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing, queries
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from crm.services.territory import rsa_pilots
from tests import factories as f
from tests.helpers import page_text
from tests.test_need_filing import payload

GENLIS, DIJON, VESOUL = "21292", "21231", "70550"


@pytest.fixture
def network():
    dijon, cote_dor = db.session.get(m.Basin, "2711"), db.session.get(m.Department, "21")
    agency = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon])
    adviser = f.UserFactory(organisation=agency, name="Paul Girard", basins=[dijon])
    council = f.OrganisationFactory(name="Conseil départemental de la Côte-d'Or",
                                    kind=m.OrganisationKind.DEPARTEMENT, departments=[cote_dor])
    db.session.commit()
    return agency, adviser, council


def file(commune: str, publics: list[str], rome: str = "D1102") -> m.HiringNeed:
    """A need of the same firm (a different job each time, else it joins the open one)."""
    data = payload(commune_code=commune, publics=publics, rome_code=rome)
    need = filing.file_need(parse_need(data),
                            source=m.NeedSource.PUBLIC_FORM).need
    unit_of_work.commit()
    return need


def test_the_2023_pilots_and_2024_extensions_are_installed():
    labels = [t.label for t in rsa_pilots.all_territories()]
    assert labels[0].startswith("Côte-d'Or") and "Saône-et-Loire" in labels
    assert rsa_pilots.is_pilot_commune(GENLIS) and not rsa_pilots.is_pilot_commune(DIJON)
    assert rsa_pilots.is_pilot_commune("71270")  # Mâcon, Saône-et-Loire since 2024
    assert not rsa_pilots.is_pilot_commune("71270", date(2023, 12, 31))
    assert not rsa_pilots.is_pilot_commune(GENLIS, date(2023, 3, 31))
    assert {"2711", "2704", "2703", "2702", "2705"} <= rsa_pilots.pilot_basin_codes()
    assert "2715" not in rsa_pilots.pilot_basin_codes()  # Pontarlier


def test_a_pilot_ends_on_its_date(project_clock):
    territory = next(t for t in rsa_pilots.all_territories() if t.code == "200000925")
    admin = f.UserFactory(role=m.Role.ADMIN)
    rsa_pilots.end_territory(admin, territory, date(2026, 6, 30))
    assert rsa_pilots.is_pilot_commune(GENLIS)
    project_clock.travel_to(datetime(2026, 7, 1, 8))
    assert not rsa_pilots.is_pilot_commune(GENLIS)


def test_an_rsa_need_in_a_pilot_territory_goes_to_france_travail_with_the_council(network):
    agency, adviser, council = network
    need = file(GENLIS, ["rsa"])
    assert need.routing_rule.name == "RSA – territoires pilotes"
    assert (need.organisation, need.adviser) == (agency, adviser)
    assert "Conseil départemental de la Côte-d'Or co-traite la demande." in need.routing_reason
    co = db.session.scalar(sa.select(m.NeedCoHandler))
    assert (co.organisation, co.status) == (council, m.CoHandlerStatus.INVITED)
    notes = [entry.note for entry in queries.staff_history(need)]
    assert ("Conseil départemental de la Côte-d'Or invitée à co-traiter la demande : règle "
            "d'orientation « RSA – territoires pilotes »") in notes


def test_outside_pilot_territories_or_for_other_publics_the_usual_rules_apply(network):
    outside = file(DIJON, ["rsa"])
    assert outside.routing_rule.name == "Par défaut"
    senior = file(GENLIS, ["senior"], "F1703")
    assert senior.routing_rule.name == "Par défaut" and senior.publics == ["senior"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.NeedCoHandler)) == 0


def test_the_pilotes_rsa_slice_of_the_needs_list(client, auth, network):
    agency, adviser, _ = network
    in_pilot, elsewhere = file(GENLIS, ["rsa"]), file(DIJON, [], "F1703")
    auth.login(adviser)
    text = page_text(client.get("/demandes?rsa=1"))
    assert in_pilot.reference in text and elsewhere.reference not in text
    text = page_text(client.get("/demandes"))
    assert in_pilot.reference in text and elsewhere.reference in text
    basin = page_text(client.get("/bassins/2711"))
    assert "Pilote RSA" in basin and "/demandes?basin=2711&amp;rsa=1" in client.get(
        "/bassins/2711").get_data(as_text=True)
    assert "Pilote RSA" not in page_text(client.get("/bassins/2715"))


def test_the_admin_adds_and_ends_a_territory(client, auth):
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    db.session.commit()
    url = "/admin/territoires-rsa"
    assert "Côte-d'Or : CA Beaune, Côte et Sud" in page_text(client.get(url))
    form = {"scope": "commune", "code": "25056", "label": "Besançon (essai)",
            "valid_from": "2026-06-01"}
    assert client.post(url, data=form).status_code == 302
    assert rsa_pilots.is_pilot_commune("25056")
    response = client.post(url, data=form | {"code": "99999"})
    assert response.status_code == 422 and "Code inconnu" in page_text(response)
    added = db.session.scalar(sa.select(m.RsaPilotTerritory).where(
        m.RsaPilotTerritory.code == "25056"))
    client.post(f"{url}/{added.id}/fin", data={f"end-{added.id}-valid_until": "2026-06-09"})
    assert not rsa_pilots.is_pilot_commune("25056")


def test_the_api_takes_the_new_publics(client, network):
    from tests.test_api import token_for
    token = token_for(network[1])
    response = client.post("/api/v1/needs", json=payload(commune_code=GENLIS,
                                                         publics=["rsa", "senior"]),
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.json
    assert response.json["routed_to"]["rule"] == "RSA – territoires pilotes"
