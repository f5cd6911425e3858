"""Staff and partners in a real browser, with and without JavaScript: an admin sets up an
organisation and an adviser, an adviser records the first contact of a late need, a partner flags
a need and finds it in its flags, a manager reads the spotter indicators and the unassigned queue.
On every page checked, axe-core finds no serious or critical accessibility problem."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.browser.journeys import dijon, open_menu, open_submenu, sign_in, submit, tick

pytestmark = pytest.mark.browser


# 1. An admin sets up an organisation and an adviser in it

def test_an_admin_creates_an_organisation_and_an_adviser(live_server, page, screenshot, axe):
    admin = f.UserFactory(role=m.Role.ADMIN, name="Alice Admin", email="alice.admin@exemple.fr",
                          organisation=f.OrganisationFactory(name="Région Bourgogne-Franche-Comté",
                                                             kind=m.OrganisationKind.REGION))
    page.goto(f"{live_server}/connexion")
    expect(page.get_by_role("heading", name="Connexion à CRM emploi BFC")).to_be_visible()
    screenshot("personnel-connexion")
    axe()

    sign_in(page, live_server, admin)
    expect(page.get_by_text("Bienvenue, Alice Admin.")).to_be_visible()
    screenshot("personnel-accueil-admin")
    axe()

    open_menu(page, "Administration")
    admin_menu = page.get_by_role("navigation", name="Menu d'administration")
    admin_menu.get_by_role("link", name="Organisations").click()
    page.wait_for_url(f"{live_server}/admin/organisations")
    page.get_by_role("link", name="Nouvelle organisation").click()
    page.wait_for_url(f"{live_server}/admin/organisations/nouvelle")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Mission locale du Dijonnais")
    page.get_by_label("Type d'organisation").select_option(label="Mission locale")
    tick(page.get_by_role("group", name="Bassins d'emploi couverts"), "Dijon (2711)")
    screenshot("personnel-organisation-formulaire")
    submit(page, "Créer l'organisation")

    assert page.url == f"{live_server}/admin/organisations"
    expect(page.get_by_text("L'organisation « Mission locale du Dijonnais » est créée.")
           ).to_be_visible()
    row = page.get_by_role("table", name="Organisations du réseau").get_by_role("row").filter(
        has_text="Mission locale du Dijonnais")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Mission locale")
    expect(row).to_contain_text("Bassins : Dijon")
    screenshot("personnel-organisations")
    axe()

    admin_menu.get_by_role("link", name="Utilisateurs").click()
    page.wait_for_url(f"{live_server}/admin/utilisateurs")
    page.get_by_role("link", name="Nouveau compte").click()
    page.wait_for_url(f"{live_server}/admin/utilisateurs/nouveau")
    page.get_by_label("Nom et prénom").fill("Léa Conseillère")
    page.get_by_label("Adresse électronique").fill("lea.conseillere@ml-dijon.fr")
    page.get_by_label("Rôle").select_option(label="Conseiller entreprises")
    page.get_by_label("Organisation", exact=True).select_option(
        label="Mission locale du Dijonnais")
    tick(page.get_by_role("group", name="Bassins suivis"), "Dijon (2711)")
    screenshot("personnel-compte-formulaire")
    axe()
    submit(page, "Créer le compte et envoyer l'invitation")

    assert page.url == f"{live_server}/admin/utilisateurs"
    expect(page.get_by_text("Le compte de Léa Conseillère est créé : une invitation")).to_be_visible()
    row = page.get_by_role("table", name="Comptes utilisateurs").get_by_role("row").filter(
        has_text="lea.conseillere@ml-dijon.fr")
    expect(row).to_contain_text("Léa Conseillère")
    expect(row).to_contain_text("Conseiller entreprises")
    expect(row).to_contain_text("Mission locale du Dijonnais")
    expect(row).to_contain_text("Dijon")
    screenshot("personnel-utilisateurs")

    db.session.expire_all()
    created = db.session.scalar(sa.select(m.User).where(
        m.User.email == "lea.conseillere@ml-dijon.fr"))
    assert (created.role, created.organisation.name, created.organisation.kind) == (
        m.Role.ADVISER, "Mission locale du Dijonnais", m.OrganisationKind.MISSION_LOCALE)
    assert [b.code for b in created.basins] == ["2711"]
    assert [b.code for b in created.organisation.basins] == ["2711"]
    axe.end()


# 2. An adviser's morning: the late need, then its first contact

def test_an_adviser_records_the_first_contact_of_a_late_need(live_server, page, screenshot, axe,
                                                              adviser, late_need):
    on_time = f.HiringNeedFactory(reference="BFC-2026-900001", organisation=adviser.organisation,
                                  adviser=adviser, status=m.NeedStatus.ASSIGNED,
                                  first_contact_due_at=m.utcnow() + timedelta(days=2))
    sign_in(page, live_server, adviser)
    open_menu(page, "Demandes")
    page.wait_for_url(f"{live_server}/demandes")
    expect(page.get_by_role("link", name=on_time.reference)).to_be_visible()

    page.get_by_label("Premier contact").select_option(label="En retard de premier contact")
    submit(page, "Filtrer")
    assert "late=1" in page.url
    table = page.get_by_role("table", name="Demandes de recrutement")
    expect(table.get_by_role("link", name=late_need.reference)).to_be_visible()
    expect(table.get_by_role("link", name=on_time.reference)).to_have_count(0)
    row = table.get_by_role("row").filter(has_text=late_need.reference)
    expect(row).to_contain_text("Boulangerie Martin")
    expect(row).to_contain_text("En retard")
    screenshot("conseiller-demandes-en-retard")
    axe()

    table.get_by_role("link", name=late_need.reference).click()
    page.wait_for_url(f"{live_server}/demandes/{late_need.reference}")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", name=f"Demande {late_need.reference}")).to_be_visible()
    expect(main.get_by_text("En retard", exact=True).first).to_be_visible()
    screenshot("conseiller-demande-en-retard")
    axe()

    contact = page.get_by_role("region", name="Enregistrer le premier contact")
    contact.get_by_label("Mode de contact").select_option(label="Appel")
    contact.get_by_label("Compte rendu").fill(
        "Appel à Camille Martin : deux boulangers en CDI, rendez-vous jeudi pour les profils.")
    with page.expect_navigation():
        contact.get_by_role("button", name="Enregistrer le contact").click()

    assert page.url == f"{live_server}/demandes/{late_need.reference}"
    expect(page.get_by_text("Le contact avec l'employeur est enregistré.")).to_be_visible()
    expect(main.get_by_text("En retard", exact=True)).to_have_count(0)
    history = page.get_by_role("table", name="Historique de la demande")
    step = history.get_by_role("row").filter(has_text="Premier contact avec l'employeur.")
    expect(step).to_contain_text("Attribuée → En cours")
    expect(step).to_contain_text("Paul Girard")
    exchanges = page.get_by_role("table", name="Échanges enregistrés dans le journal des contacts")
    call = exchanges.get_by_role("row").filter(has_text="rendez-vous jeudi")
    expect(call).to_contain_text("Appel (Premier contact)")
    expect(call).to_contain_text("Paul Girard – France Travail Dijon")
    expect(page.get_by_role("region", name="Enregistrer un contact")).to_be_visible()
    screenshot("conseiller-demande-contactee")
    axe()

    db.session.expire_all()
    need = db.session.get(m.HiringNeed, late_need.id)
    assert need.status == m.NeedStatus.IN_PROGRESS and need.first_contact_at is not None
    axe.end()


# 3. A partner flags a need and follows it

@pytest.fixture
def partner():
    chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                    is_spotter=True)
    return f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Chloé Partenaire",
                         email="chloe.partenaire@cci21.fr")


def test_a_partner_flags_a_need_and_finds_it_in_its_flags(live_server, page, screenshot, axe,
                                                           agency, partner):
    sign_in(page, live_server, partner)
    open_menu(page, "Signaler un besoin")
    page.wait_for_url(f"{live_server}/signalements/nouveau")
    expect(page.get_by_role("heading", name="Signaler un besoin de recrutement")).to_be_visible()
    screenshot("partenaire-signalement-formulaire")
    axe()

    page.get_by_label("SIRET de l'établissement qui recrute").fill("73282932000074")
    page.get_by_label("Nom de l'entreprise").fill("Boulangerie Martin")
    page.get_by_label("Code postal du lieu de travail").fill("21000")
    page.get_by_label("Métier recherché").fill("Boulanger / Boulangère (D1102)")
    page.get_by_label("Nombre de postes").fill("2")
    page.get_by_label("Type de contrat").select_option(label="CDI")
    page.get_by_label("Nom et prénom de la personne à contacter").fill("Camille Martin")
    page.get_by_label("Son adresse électronique").fill("camille@boulangerie.fr")
    page.get_by_label("Comment avez-vous connu ce besoin ?").fill("Visite d'un adhérent.")
    tick(page.get_by_role("group", name="L'employeur a accepté d'être contacté"), "Oui")
    screenshot("partenaire-signalement-rempli")
    submit(page, "Envoyer le signalement")
    if page.url.endswith("/signalements/nouveau"):
        # Several communes for the postal code: the form asks which one.
        page.get_by_label("Commune du lieu de travail").select_option(label="Dijon")
        submit(page, "Envoyer le signalement")

    need = db.session.scalar(sa.select(m.HiringNeed))
    assert page.url == f"{live_server}/signalements/{need.reference}"
    expect(page.get_by_text(f"Votre signalement est enregistré sous la référence "
                            f"{need.reference}.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Signalement {need.reference}")).to_be_visible()
    screenshot("partenaire-signalement")
    assert (need.source, need.source_organisation_id, need.flagged_by_id) == (
        m.NeedSource.SPOTTER, partner.organisation_id, partner.id)
    assert (need.commune_code, need.rome_code, need.positions, need.contract_type) == (
        "21231", "D1102", 2, m.ContractType.CDI)
    assert (need.employer_agreed_contact, need.how_known) == (True, "Visite d'un adhérent.")

    open_menu(page, "Mes signalements")
    page.wait_for_url(f"{live_server}/signalements")
    row = page.get_by_role("table", name="Signalements de votre organisation").get_by_role(
        "row").filter(has_text=need.reference)
    expect(row).to_contain_text("Boulangerie Martin")
    expect(row).to_contain_text("Boulanger")
    expect(row).to_contain_text("France Travail Dijon")
    screenshot("partenaire-signalements")
    axe()
    axe.end()


# 4. A manager's overview pages

def test_a_manager_reads_the_spotter_indicators_and_the_queue(live_server, page, screenshot, axe,
                                                              agency):
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès Responsable",
                            email="ines.responsable@exemple.fr", basins=[dijon()])
    chamber = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                    is_spotter=True)
    f.HiringNeedFactory(reference="BFC-2026-900002", source=m.NeedSource.SPOTTER,
                        source_organisation=chamber,
                        company=f.CompanyFactory(name="Menuiserie Perrin"),
                        organisation=agency, employer_agreed_contact=True,
                        first_contact_due_at=m.utcnow() + timedelta(days=2))
    waiting = f.HiringNeedFactory(reference="BFC-2026-900003",
                                  company=f.CompanyFactory(name="Garage du Centre"),
                                  job_title="Mécanicien", first_contact_due_at=m.utcnow()
                                  - timedelta(days=1))

    sign_in(page, live_server, manager)
    open_menu(page, "Repérage")
    page.wait_for_url(f"{live_server}/pilotage/reperage")
    expect(page.get_by_role("heading", name="Repérage des offres par les partenaires")
           ).to_be_visible()
    table = page.get_by_role("table", name="Signalements par organisation partenaire")
    expect(table.get_by_role("row").filter(has_text="CCI Côte-d'Or")).to_have_count(1)
    screenshot("responsable-reperage")
    axe()

    open_submenu(page, "Demandes", "Menu des demandes", "File d'attente")
    page.wait_for_url(f"{live_server}/demandes/file-attente")
    row = page.get_by_role("table", name="Demandes non attribuées").get_by_role("row").filter(
        has_text=waiting.reference)
    expect(row).to_contain_text("Garage du Centre")
    expect(row).to_contain_text("En retard")
    screenshot("responsable-file-attente")
    axe()
    axe.end()
