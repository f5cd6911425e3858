"""An event's whole journey in a real browser, with and without JavaScript: an adviser organises a
double-bannière job dating and publishes it, invites a firm that confirms through the signed link
of its e-mail, a candidate registers on the public page, the adviser checks the candidate in on the
day and records the firm's outcomes, which reach the firm's need; axe-core finds no serious or
critical accessibility problem on the pages met."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import open_menu, sign_in, submit, tick

pytestmark = pytest.mark.browser


def mail_link(kind: str, path: str) -> str:
    body = db.session.scalars(db.select(m.OutboxMessage.body).where(m.OutboxMessage.kind == kind)
                              .order_by(m.OutboxMessage.id.desc())).first()
    line = next(line for line in body.splitlines() if path in line)
    return line[line.index(path):]


def test_organise_invite_confirm_register_check_in_and_outcomes(
        live_server, browser, page, screenshot, axe, agency, mission_locale, adviser, project_clock):
    firm = f.CompanyFactory(name="Maçonnerie Dupont", siret="73282932000074", siren="732829320")
    need = f.HiringNeedFactory(company=firm, organisation=agency, positions=3,
                               status=m.NeedStatus.ASSIGNED, basin_code="2711")
    unit_of_work.commit()

    # The adviser organises the event
    sign_in(page, live_server, adviser)
    open_menu(page, "Événements")
    page.get_by_role("link", name="Organiser un événement").click()
    page.get_by_label("Type d'événement").select_option(label="Job dating")
    page.get_by_label("Titre").fill("Job dating BTP de Dijon")
    organisers = page.get_by_role("group", name="Structures organisatrices")
    tick(organisers, agency.name)
    tick(organisers, mission_locale.name)
    page.get_by_label("Début").fill("2026-06-24T09:00")
    page.get_by_label("Fin", exact=True).fill("2026-06-24T12:00")
    page.get_by_label("Lieu (facultatif pour un événement en ligne)").fill("Agence France Travail Dijon Est")
    page.get_by_label("Code INSEE de la commune (facultatif en ligne)").fill("21231")
    page.get_by_label("Places pour les candidats (facultatif)").fill("10")
    screenshot("evenement-formulaire")
    axe()
    submit(page, "Enregistrer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Job dating BTP de Dijon")
    expect(page.get_by_text("Organisé par France Travail Dijon et Mission locale Dijon")).to_be_visible()
    page.get_by_label("Nouvel état").select_option(label="Publié")
    submit(page, "Changer l'état")
    expect(page.get_by_text("L'événement est désormais : Publié.")).to_be_visible()
    event_url = page.url

    # It invites the firm, which confirms through the link of its e-mail
    page.get_by_label("SIRET de l'établissement").fill(firm.siret)
    page.get_by_label("E-mail du recruteur (facultatif)").fill("rh@dupont.fr")
    submit(page, "Inviter")
    expect(page.get_by_text("Maçonnerie Dupont est invitée")).to_be_visible()
    screenshot("evenement-page")
    axe()
    outsider = browser.new_context(locale="fr-FR", java_script_enabled=page.javascript)
    public = outsider.new_page()
    public.goto(live_server + mail_link("event_invitation", "/evenements/entreprise/"))
    expect(public.get_by_role("heading", level=1)).to_contain_text("Maçonnerie Dupont")
    public.get_by_label("Nombre de postes proposés").fill("2")
    public.get_by_label("Métiers proposés (facultatif)").fill("Maçon, coffreur")
    needs = public.get_by_role("group", name="Vos demandes de recrutement en cours, liées à l'événement")
    expect(needs.get_by_label(f"{need.reference} – {need.job_label} (3 postes)")).to_be_checked()
    submit(public, "Enregistrer ma réponse")
    expect(public.get_by_text("Votre réponse est enregistrée. Merci !")).to_be_visible()
    axe_page = page  # axe runs on the staff page; the public pages are checked below the same way

    # A candidate registers on the public page
    public.goto(f"{live_server}/evenements")
    public.get_by_role("link", name="Job dating BTP de Dijon").click()
    expect(public.get_by_text("Maçonnerie Dupont : 2 postes (Maçon, coffreur)")).to_be_visible()
    public.get_by_label("Nom et prénom").fill("Camille Durand")
    public.get_by_label("Adresse e-mail").fill("camille@exemple.fr")
    public.get_by_text("J'accepte que mes nom").click()
    submit(public, "M'inscrire")
    expect(public.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    public.screenshot(path=str(screenshot("evenement-page").parent / (
        "evenement-inscrit" + ("" if page.javascript else "-sans-js") + ".png")), full_page=True)
    outsider.close()

    # On the day: check-in, then the firm's outcomes
    event = db.session.scalars(db.select(m.Event)).one()
    project_clock.travel_to(event.starts_at + timedelta(hours=1))
    axe_page.goto(event_url)
    page.get_by_role("link", name="Liste d'émargement").click()
    submit(page, "Présent : Camille Durand")
    expect(page.get_by_text("1 présent sur 1 inscrit")).to_be_visible()
    screenshot("evenement-emargement")
    axe()
    page.goto(event_url)
    page.get_by_role("link", name="Saisir les résultats de Maçonnerie Dupont").click()
    page.get_by_label("Entretiens").fill("4")
    page.get_by_label("Candidats retenus").fill("2")
    page.get_by_label("Embauches").fill("1")
    page.get_by_label("Entrées en POE").fill("1")
    axe()
    submit(page, "Enregistrer les résultats")
    expect(page.get_by_text("Les résultats de Maçonnerie Dupont sont enregistrés.")).to_be_visible()
    expect(page.get_by_text("4 entretiens, 2 retenus, 1 embauches, 1 POE")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).hires == 1
    axe.end()


def test_the_public_pages_are_accessible(live_server, page, screenshot, axe, agency, mission_locale):
    event = f.EventFactory(status=m.EventStatus.PUBLISHED, organisers=[agency, mission_locale],
                           capacity=1, title="Forum emploi santé", sectors=["Q"])
    f.EventRegistrationFactory(event_id=event.id, queue_number=1)
    unit_of_work.commit()
    page.goto(f"{live_server}/evenements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Événements emploi")
    expect(page.get_by_text("Complet : liste d'attente")).to_be_visible()
    screenshot("evenements-publics")
    axe()
    page.get_by_role("link", name="Forum emploi santé").click()
    submit(page, "M'inscrire sur la liste d'attente")
    expect(page.get_by_text("Votre accord est nécessaire pour enregistrer votre inscription.")
           ).to_be_visible()
    screenshot("evenement-public-erreurs")
    axe()
    axe.end()
