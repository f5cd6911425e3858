"""A need worked by two organisations, in a real browser with and without JavaScript: France
Travail's adviser invites the Mission locale, whose adviser takes care of it and puts a candidate
forward; France Travail puts another forward and records the hire; the employer's tracking page
shows who helps and the counts per stage, never who the candidates are. axe-core finds no serious
or critical accessibility problem on the pages met."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.browser.journeys import dijon, sign_in, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def need(agency, adviser, mission_locale):
    return f.HiringNeedFactory(
        reference="BFC-2026-900020", organisation=agency, adviser=adviser,
        status=m.NeedStatus.IN_PROGRESS, job_title="Préparateur de commandes", positions=2,
        company=f.CompanyFactory(name="Logistique de Bourgogne"),
        first_contact_at=m.utcnow() - timedelta(hours=2))


def test_two_organisations_work_a_need_with_two_candidates_one_hired(
        live_server, page, screenshot, axe, adviser, mission_locale, need):
    lea = f.UserFactory(organisation=mission_locale, name="Léa Roux", email="lea@ml-dijon.fr",
                        basins=[dijon()])
    db.session.commit()
    url = f"{live_server}/demandes/{need.reference}"
    sign_in(page, live_server, adviser)
    page.goto(url)
    invite = page.get_by_role("region", name="Inviter une structure à co-traiter")
    invite.get_by_label("Structure à inviter").select_option(label=mission_locale.name)
    submit(page, "Inviter")
    expect(page.get_by_text("La structure est invitée à co-traiter la demande.")).to_be_visible()
    forward = page.get_by_role("region", name="Proposer un candidat")
    forward.get_by_label("Initiales ou référence interne").fill("FT-2026-001")
    forward.get_by_label("Date du consentement de la personne").fill("2026-06-09")
    submit(page, "Enregistrer le candidat")
    expect(page.get_by_text("Le candidat proposé est enregistré.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, lea)
    page.goto(url)
    status = page.get_by_role("region", name=f"Statut de {mission_locale.name}")
    status.get_by_label("Statut de votre structure").select_option(label="Prend en charge")
    submit(page, f"Enregistrer le statut de {mission_locale.name}")
    expect(page.get_by_text("Le statut de co-traitance est enregistré.")).to_be_visible()
    forward = page.get_by_role("region", name="Proposer un candidat")
    forward.get_by_label("Initiales ou référence interne").fill("Jean Dupont")
    forward.get_by_label("Date du consentement de la personne").fill("2026-06-10")
    submit(page, "Enregistrer le candidat")
    expect(page.get_by_text("jamais le nom de la personne.", exact=False).first).to_be_visible()
    forward = page.get_by_role("region", name="Proposer un candidat")
    forward.get_by_label("Initiales ou référence interne").fill("J.D.")
    submit(page, "Enregistrer le candidat")
    expect(page.get_by_text("Le candidat proposé est enregistré.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, adviser)
    page.goto(url)
    move = page.get_by_role("region", name="Étape du candidat FT-2026-001")
    move.get_by_label("Nouvelle étape").select_option(label="Recruté")
    submit(page, "Enregistrer l'étape du candidat FT-2026-001")
    expect(page.get_by_text("L'étape du candidat est enregistrée.")).to_be_visible()
    table = page.get_by_role("table", name="Candidats proposés sur la demande")
    expect(table.get_by_role("row").filter(has_text="FT-2026-001")).to_contain_text("Recruté")
    expect(table.get_by_role("row").filter(has_text="J.D.")).to_contain_text("Proposé")
    co = page.get_by_role("table", name="Structures qui co-traitent la demande avec France "
                                          "Travail Dijon")
    expect(co.get_by_role("row").filter(has_text=mission_locale.name)).to_contain_text("Léa Roux")
    expect(page.get_by_text("Candidat FT-2026-001 : recruté.")).to_be_visible()
    screenshot("demande-co-traitee")
    axe()
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).hires == 1

    page.context.clear_cookies()
    page.goto(f"{live_server}/recrutement/suivi/{need.tracking_token}")
    expect(page.get_by_text("2 candidats proposés par le réseau :")).to_be_visible()
    expect(page.get_by_text("1 recruté(s)")).to_be_visible()
    expect(page.get_by_text("FT-2026-001")).to_have_count(0)
    expect(page.get_by_text(mission_locale.name).first).to_be_visible()
    screenshot("suivi-employeur-co-traitance")
    axe()
    axe.end()
