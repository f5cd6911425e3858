"""A partner answers a check-list in a real browser, with and without JavaScript: signed in on
"Entreprises à vérifier", where "Signaler un besoin" opens the flag form prefilled, then without
signing in through the signed link of the e-mail (real CSRF tokens); axe-core finds no serious or
critical accessibility problem on the pages met."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.plans import checklists
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import dijon, open_menu, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def sent(agency):
    chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                    is_spotter=True, basins=[dijon()])
    chloe = f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Chloé Partenaire",
                          email="chloe@cci21.fr")
    ines = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Manager",
                         basins=[dijon()])
    firms = [f.CompanyFactory(name=name) for name in
             ("Boulangerie Martin", "Garage du Centre", "Menuiserie Roy")]
    checklist = checklists.send_checklist(ines, checklists.ChecklistRequest(
        organisation_id=chamber.id, title="Industrie de Dijon", message="Merci de votre aide !",
        expires_on=None, sirets="\n".join(firm.siret for firm in firms), plan_id=None))
    unit_of_work.commit()
    return checklist, chloe


def row_of(page, name: str):
    return page.get_by_role("row").filter(has_text=name)


def test_a_partner_answers_a_list_signed_in_and_through_the_link(live_server, page, screenshot,
                                                                axe, sent):
    checklist, chloe = sent
    sign_in(page, live_server, chloe)
    expect(page.get_by_text("3 entreprises attendent votre réponse")).to_be_visible()
    open_menu(page, "Entreprises à vérifier")
    expect(page.get_by_role("heading", name="Industrie de Dijon")).to_be_visible()
    screenshot("partenaire-entreprises-a-verifier")
    axe()
    with page.expect_navigation():
        row_of(page, "Garage du Centre").get_by_role("button", name="Rien pour l'instant").click()
    expect(page.get_by_text("Votre réponse est enregistrée : rien pour l'instant chez Garage du "
                            "Centre.")).to_be_visible()
    expect(row_of(page, "Garage du Centre")).to_contain_text("Chloé Partenaire")

    row_of(page, "Boulangerie Martin").get_by_role(
        "link", name="Signaler un besoin chez Boulangerie Martin").click()
    expect(page.get_by_label("SIRET de l'établissement qui recrute")).to_have_value(
        checklist.items[0].company.siret)
    expect(page.get_by_label("Nom de l'entreprise")).to_have_value("Boulangerie Martin")
    expect(page.get_by_text("Vous répondez à la liste « Entreprises à vérifier » pour "
                            "Boulangerie Martin")).to_be_visible()
    screenshot("partenaire-signalement-prerempli")
    axe()

    page.context.clear_cookies()
    link = db.session.scalar(sa.select(m.OutboxMessage.body).where(
        m.OutboxMessage.recipient == "chloe@cci21.fr"))
    url = next(line for line in link.splitlines() if "/verification/" in line)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Entreprises à vérifier : Industrie de Dijon")
    expect(row_of(page, "Garage du Centre")).to_contain_text("Rien pour l'instant")
    screenshot("partenaire-lien-signe")
    axe()
    with page.expect_navigation():
        row_of(page, "Menuiserie Roy").get_by_role("button", name="Rien pour l'instant").click()
    expect(page.get_by_text("Votre réponse est enregistrée : rien pour l'instant chez "
                            "Menuiserie Roy.")).to_be_visible()
    expect(row_of(page, "Menuiserie Roy").get_by_role("button")).to_have_count(0)
    db.session.expire_all()
    answers = {item.company.name: (item.answer, item.answered_by_email)
               for item in db.session.get(m.SpotterChecklist, checklist.id).items}
    assert answers == {
        "Boulangerie Martin": (None, None),
        "Garage du Centre": (m.ChecklistAnswer.NOTHING_FOR_NOW, None),
        "Menuiserie Roy": (m.ChecklistAnswer.NOTHING_FOR_NOW, "chloe@cci21.fr"),
    }

    page.goto(url[:-4] + "abcd")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien ne permet plus de répondre")
    screenshot("partenaire-lien-invalide")
    axe()


def test_a_manager_sends_a_list_and_follows_the_answers(live_server, page, screenshot, axe, sent):
    checklist, chloe = sent
    checklists.answer_nothing_for_now(checklist.items[1], user=chloe)
    unit_of_work.commit()
    ines = db.session.get(m.User, checklist.created_by_id)
    sign_in(page, live_server, ines)
    open_menu(page, "Repérage")
    page.get_by_role("navigation", name="Menu du repérage").get_by_role(
        "link", name="Listes à vérifier").click()
    expect(row_of(page, "Industrie de Dijon")).to_contain_text("1 / 3 réponses")
    screenshot("responsable-listes-a-verifier")
    axe()
    page.get_by_role("link", name="Envoyer une liste").first.click()
    page.get_by_label("Organisation partenaire").select_option(label="CCI Côte-d'Or")
    page.get_by_label("Titre de la liste").fill("Deuxième vague")
    page.get_by_label("SIRET des entreprises").fill(checklist.items[2].company.siret)
    screenshot("responsable-nouvelle-liste")
    axe()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la liste").click()
    expect(page.get_by_text("La liste « Deuxième vague » est envoyée à CCI Côte-d'Or (1 "
                            "entreprise).")).to_be_visible()
    page.goto(f"{live_server}/verifications/{checklist.id}")
    expect(page.get_by_text("1 / 3 réponses")).to_be_visible()
    expect(row_of(page, "Garage du Centre")).to_contain_text("Chloé Partenaire")
    screenshot("responsable-reponses-liste")
    axe()
    page.goto(f"{live_server}/reperage/annuaire")
    expect(row_of(page, "CCI Côte-d'Or")).to_contain_text("chloe@cci21.fr")
    screenshot("responsable-annuaire-detecteurs")
    axe()
