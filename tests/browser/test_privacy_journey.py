"""An administrator answers an erasure request in a real browser: finds what is held about the
person, downloads it, erases it with a reason; axe-core finds no serious problem on the page."""

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, sign_in, submit, tick

pytestmark = pytest.mark.browser


def test_an_admin_finds_exports_and_erases_what_is_held_about_a_person(live_server, page, axe,
                                                                       screenshot):
    agency = f.OrganisationFactory(name="France Travail Dijon", basins=[dijon()])
    f.UserFactory(organisation=agency, name="Paul Girard", basins=[dijon()])
    admin = f.UserFactory(role=m.Role.ADMIN, name="Jeanne Admin")
    need = filing.file_need(parse_need({
        "siret": "73282932000074", "company_name": "Boulangerie Martin", "commune_code": "21231",
        "rome_code": "D1102", "positions": 2, "contract_type": "cdi",
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"}}),
        source=m.NeedSource.PUBLIC_FORM).need
    unit_of_work.commit()

    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/admin/donnees-personnelles")
    axe()
    page.get_by_label("Adresse électronique de la personne").fill("Camille@Boulangerie.fr")
    submit(page, "Filtrer")
    assert page.get_by_text(need.reference).first.is_visible()
    screenshot("donnees-personnelles-trouvees")
    axe()

    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger ces données (JSON)").click()
    assert download.value.suggested_filename == "donnees-personnelles.json"

    page.get_by_label("Motif et référence de la demande").fill("Courriel du 03/12/2026, réf. DPO-14")
    tick(page.locator("form[action$='effacement']"), "Je confirme l'effacement : il est définitif")
    submit(page, "Effacer définitivement")
    assert page.get_by_text("Données effacées : 1 demande").is_visible()
    screenshot("donnees-personnelles-effacees")
    axe()
    axe.end()
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).contact_name == "Personne effacée"
    handled = db.session.scalars(sa.select(m.PrivacyRequest.kind).order_by(m.PrivacyRequest.id))
    assert list(handled) == [m.PrivacyRequestKind.EXPORT, m.PrivacyRequestKind.ERASURE]
