"""Offer spotters' pages as a partner uses them: flag a need, follow the organisation's flags, and
never reach another organisation's flags or the staff pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.helpers import count, page_text, queries_for, text_of


@pytest.fixture
def chamber():
    return f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI,
                                 is_spotter=True)


@pytest.fixture
def partner(auth, chamber):
    user = f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Chloé Partenaire")
    auth.login(user)
    return user


def flag_of(spotter: m.Organisation, **fields) -> m.HiringNeed:
    """A need flagged by an offer spotter organisation."""
    fields.setdefault("first_contact_due_at", m.utcnow() + timedelta(days=2))
    return f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=spotter,
                               **fields)


def flag_form(**changes) -> dict:
    data = {
        "siret": "732 829 320 00074", "company_name": "Boulangerie Martin", "postal_code": "21000",
        "commune_code": "", "job_title": "Boulanger", "rome_code": "D1102", "positions": "2",
        "contract_type": "cdd", "contract_months": "6", "start_date": "",
        "services": ["job_dating"], "description": "Deux boulangers pour l'été.",
        "contact_name": "Camille Martin", "contact_email": "camille@boulangerie.fr",
        "contact_phone": "03 80 12 34 56", "how_known": "Visite d'un adhérent.",
        "employer_agreed_contact": "yes",
    }
    data.update(changes)
    return data


# Flagging a need

def test_a_partner_flags_a_need_through_the_form(partner, chamber, agency, adviser, client):
    response = client.post("/signalements/nouveau", data=flag_form())
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/signalements/{need.reference}")
    assert (need.source, need.source_organisation_id, need.flagged_by_id) == (
        m.NeedSource.SPOTTER, chamber.id, partner.id)
    assert (need.how_known, need.employer_agreed_contact) == ("Visite d'un adhérent.", True)
    assert (need.commune_code, need.contract_months, need.services) == ("21231", 6,
                                                                        ["job_dating"])
    assert need.organisation_id == agency.id and need.adviser.name == "Paul Girard"
    assert need.status == m.NeedStatus.ASSIGNED
    ledger = db.session.scalar(sa.select(m.Interaction))
    assert (ledger.kind, ledger.organisation_id) == (m.InteractionKind.FLAG, chamber.id)
    text = text_of(client, response.headers["Location"])
    assert f"Votre signalement est enregistré sous la référence {need.reference}." in text
    assert need.reference in text_of(client, "/signalements")


def test_an_invalid_flag_is_refused_in_french_and_nothing_is_stored(partner, agency, adviser, client):
    response = client.post("/signalements/nouveau", data=flag_form(
        siret="73282932000075", contact_email="pas-une-adresse", contract_months="",
        employer_agreed_contact=""))
    text = page_text(response)
    assert response.status_code == 422
    for message in ("Le signalement n'est pas enregistré",
                    "Indiquez si l'employeur a accepté d'être contacté.",
                    "Saisissez une adresse électronique valide, ex. nom@exemple.fr.",
                    "Indiquez la durée du contrat (CDD) en mois."):
        assert message in text
    assert 'id="siret-messages"' in text and "fr-input-group--error" in text
    assert 'value="Boulangerie Martin"' in text  # what was typed is kept
    assert (count(m.HiringNeed), count(m.Company)) == (0, 0)


def test_an_unknown_siret_needs_the_companys_name(partner, agency, adviser, client):
    response = client.post("/signalements/nouveau", data=flag_form(company_name=""))
    assert response.status_code == 422
    assert "Ce SIRET nous est inconnu : indiquez le nom de l'entreprise." in page_text(response)
    assert (count(m.HiringNeed), count(m.Company)) == (0, 0)


def test_a_postal_code_of_several_communes_asks_which_one(partner, agency, adviser, client):
    response = client.post("/signalements/nouveau", data=flag_form(postal_code="21800"))
    text = page_text(response)
    assert response.status_code == 422
    assert "communes ont ce code postal : choisissez celle du lieu de travail." in text
    assert "Quetigny" in text and "Chevigny-Saint-Sauveur" in text
    response = client.post("/signalements/nouveau", data=flag_form(postal_code="75001"))
    assert "Aucune commune de Bourgogne-Franche-Comté n'a ce code postal." in page_text(response)
    assert count(m.HiringNeed) == 0
    response = client.post("/signalements/nouveau",
                           data=flag_form(postal_code="21800", commune_code="21515"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(m.HiringNeed.commune_code)) == "21515"


def test_a_flag_for_a_request_already_open_is_attached_to_it(partner, agency, adviser, client):
    company = f.CompanyFactory(siret="73282932000074", siren="732829320")
    existing = f.HiringNeedFactory(company=company, rome_code="D1102",
                                   source=m.NeedSource.PUBLIC_FORM)
    response = client.post("/signalements/nouveau", data=flag_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/signalements/{existing.reference}")
    assert count(m.HiringNeed) == 1
    text = text_of(client, response.headers["Location"])
    assert "Ce besoin était déjà connu du réseau" in text
    assert "Il figure dans vos signalements comme une contribution." in text
    assert "Une contribution : il a été ajouté à ce besoin" in text
    listed = text_of(client, "/signalements")
    assert existing.reference in listed and "Contribution" in listed
    assert count(m.NeedContribution) == 1


def test_a_second_flag_of_the_same_need_completes_the_first(partner, agency, adviser, client):
    first = client.post("/signalements/nouveau", data=flag_form())
    second = client.post("/signalements/nouveau", data=flag_form(positions="3"))
    assert second.headers["Location"] == first.headers["Location"]
    assert count(m.HiringNeed) == 1
    assert "Votre organisation avait déjà signalé ce besoin" in text_of(
        client, second.headers["Location"])


def test_the_flag_form_is_in_french_with_the_spotter_questions(partner, client):
    text = text_of(client, "/signalements/nouveau")
    for label in ("Comment avez-vous connu ce besoin ?", "L'employeur a accepté d'être contacté",
                  "SIRET de l'établissement qui recrute", "Envoyer le signalement",
                  "Nom et prénom de la personne à contacter dans l'entreprise"):
        assert label in text
    assert text.count('name="employer_agreed_contact"') == 2


# Following the organisation's flags

def test_a_partner_sees_its_organisations_flags_and_their_outcome(partner, chamber, client):
    colleague = f.UserFactory(organisation=chamber, role=m.Role.PARTNER)
    pilot = f.OrganisationFactory(name="France Travail Beaune")
    waiting = flag_of(chamber, flagged_by=partner)
    contacted = flag_of(chamber, flagged_by=colleague, organisation=pilot,
                        status=m.NeedStatus.IN_PROGRESS,
                        first_contact_at=m.utcnow() - timedelta(days=1))
    filled = flag_of(chamber, organisation=pilot, status=m.NeedStatus.FILLED, hires=2,
                     first_contact_at=m.utcnow() - timedelta(days=5))
    other_partner = flag_of(f.OrganisationFactory(kind=m.OrganisationKind.OPCO))
    public = f.HiringNeedFactory()
    text = text_of(client, "/signalements")
    shown = {n.reference for n in (waiting, contacted, filled, other_partner, public)
             if n.reference in text}
    assert shown == {waiting.reference, contacted.reference, filled.reference}
    assert "France Travail Beaune" in text and "Pourvue" in text and "En cours" in text
    assert f"Oui, le {contacted.first_contact_at:%d/%m/%Y}" in text
    row = text[text.index(filled.reference):]
    assert ">2</td>" in row[:row.index("</tr>")]


def test_an_empty_flag_list_invites_to_flag(partner, client):
    text = text_of(client, "/signalements")
    assert "Vous n'avez encore signalé aucun besoin." in text and "/signalements/nouveau" in text


def test_the_flag_list_runs_as_many_queries_for_3_as_for_30_flags(partner, chamber, client):
    def add(n: int) -> None:
        for _ in range(n):
            flag_of(chamber, organisation=f.OrganisationFactory(), job_title=None)

    add(3)
    few = queries_for(client, "/signalements")
    add(27)
    assert queries_for(client, "/signalements") == few


def test_the_flag_list_is_paginated(partner, chamber, client, app):
    for _ in range(app.config["PAGE_SIZE"] + 2):
        flag_of(chamber)
    assert "27 signalements – page 1 sur 2" in text_of(client, "/signalements")
    assert text_of(client, "/signalements?page=2").count('href="/signalements/TEST-') == 2


def test_a_flag_page_shows_the_public_side_only(partner, chamber, client):
    pilot = f.OrganisationFactory(name="France Travail Beaune")
    adviser = f.UserFactory(organisation=pilot, name="Paul Girard", email="paul.girard@ft.fr",
                            phone="+33380000000")
    need = flag_of(chamber, organisation=pilot, adviser=adviser, status=m.NeedStatus.FILLED,
                   hires=1, outcome_reason="Une personne recrutée en CDI.",
                   company=f.CompanyFactory(name="Garage du Centre"),
                   contact_name="Camille Martin", contact_email="camille@garage.fr",
                   contact_phone="+33380123456")
    f.NeedStatusChangeFactory(need=need, from_status=m.NeedStatus.NEW,
                              to_status=m.NeedStatus.ASSIGNED,
                              note="Demande confiée à France Travail Beaune.")
    db.session.add_all([
        m.NeedMessage(need=need, author=m.MessageAuthor.STAFF, user_id=adviser.id,
                      body="Note interne : entreprise difficile à joindre.", internal=True),
        m.NeedMessage(need=need, author=m.MessageAuthor.EMPLOYER, body="Merci pour votre aide."),
    ])
    db.session.commit()
    text = text_of(client, f"/signalements/{need.reference}")
    for shown in ("Garage du Centre", need.company.siret, "Maçon", "France Travail Beaune",
                  "Pourvue", "Demande confiée à France Travail Beaune.", "Paul Girard"):
        assert shown in text  # the adviser's name, not their contact details
    for hidden in ("difficile à joindre", "Note interne", "Camille Martin", "camille@garage.fr",
                   "03 80 12 34 56", "80123456", "paul.girard@ft.fr",
                   "Merci pour votre aide."):
        assert hidden not in text


# Keeping partners apart

@pytest.fixture
def other_flag():
    """A flag of another spotter organisation."""
    opco = f.OrganisationFactory(name="OPCO EP", kind=m.OrganisationKind.OPCO, is_spotter=True)
    return flag_of(opco, organisation=f.OrganisationFactory())


def test_another_partners_flag_is_404_on_every_partner_page(partner, other_flag, client):
    assert client.get(f"/signalements/{other_flag.reference}").status_code == 404
    assert client.get("/signalements/BFC-2026-999999").status_code == 404
    assert other_flag.reference not in text_of(client, "/signalements")


def test_staff_pages_refuse_partners_without_telling_what_exists(partner, chamber, other_flag,
                                                                 client):
    own = flag_of(chamber)
    for url in ("/demandes", "/demandes/en-retard", "/demandes/file-attente",
                f"/demandes/{own.reference}", f"/demandes/{other_flag.reference}",
                "/demandes/BFC-2026-999999"):
        assert client.get(url).status_code == 403
    for action in ("prise-en-charge", "contact", "transfert", "cloture", "messages"):
        response = client.post(f"/demandes/{other_flag.reference}/{action}",
                               data={"message-body": "x", "take-version": other_flag.version})
        assert response.status_code == 403
    db.session.expire_all()
    assert other_flag.adviser_id is None and count(m.NeedMessage) == 0


def test_partner_pages_are_for_partners(auth, client):
    auth.login(f.UserFactory(role=m.Role.ADVISER))
    for url in ("/signalements", "/signalements/nouveau", "/signalements/BFC-2026-000001"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/signalements", "/signalements/nouveau"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
