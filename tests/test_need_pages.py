"""Staff pages on hiring needs as advisers and managers use them: "Mes demandes" and its filters,
the need page and its actions, late needs and the unassigned queue."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import filing as need_service
from crm.services.needs.queries import working_days_late
from crm.services.needs.schema import parse_need
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.helpers import assert_constant_queries, dijon, page_text, text_of


def make_need(organisation=None, adviser=None, **fields) -> m.HiringNeed:
    """A need filed now, due for first contact in two days unless told otherwise."""
    fields.setdefault("first_contact_due_at", m.utcnow() + timedelta(days=2))
    return f.HiringNeedFactory(organisation=organisation, adviser=adviser, **fields)


def late_need(organisation=None, adviser=None, **fields) -> m.HiringNeed:
    return make_need(organisation, adviser, first_contact_due_at=m.utcnow() - timedelta(days=3),
                     **fields)


def references(text: str, needs: list[m.HiringNeed]) -> set[str]:
    """Which of these needs' references the page shows."""
    return {need.reference for need in needs if need.reference in text}


# "Mes demandes"

def test_my_needs_show_what_is_assigned_to_me_or_my_organisation(signed_in, agency, client):
    company = f.CompanyFactory(name="Boulangerie Martin")
    mine = make_need(agency, signed_in, company=company, job_title="Boulanger", positions=3,
                     status=m.NeedStatus.ASSIGNED)
    colleagues = make_need(agency, f.UserFactory(organisation=agency))
    elsewhere = make_need(f.OrganisationFactory())
    text = text_of(client, "/demandes")
    assert references(text, [mine, colleagues, elsewhere]) == {mine.reference,
                                                              colleagues.reference}
    for shown in ("Boulangerie Martin", "Boulanger", "Attribuée", "France Travail Dijon",
                  "Paul Girard", mine.created_at.strftime("%d/%m/%Y")):
        assert shown in text


def test_the_scope_filter_separates_my_needs_from_my_organisations(signed_in, agency, client):
    mine = make_need(agency, signed_in)
    colleagues = make_need(agency, f.UserFactory(organisation=agency))
    lent_to_me = make_need(f.OrganisationFactory(), signed_in)
    every = [mine, colleagues, lent_to_me]
    assert references(text_of(client, "/demandes?scope=mine"), every) == {
        mine.reference, lent_to_me.reference}
    assert references(text_of(client, "/demandes?scope=organisation"), every) == {
        mine.reference, colleagues.reference}


def test_managers_can_narrow_to_their_basins(manager, client):
    besancon = f.CompanyFactory(basin_code="2706", commune_code="25056")
    in_basin = make_need(f.OrganisationFactory(), basin_code="2711")
    in_organisation_elsewhere = make_need(manager.organisation, company=besancon,
                                          basin_code="2706")
    text = text_of(client, "/demandes?scope=basins")
    assert "Mes bassins" in text
    assert references(text, [in_basin, in_organisation_elsewhere]) == {in_basin.reference}


def test_advisers_are_not_offered_the_basins_scope(signed_in, client):
    assert "Mes bassins" not in text_of(client, "/demandes")


def test_the_status_filter(signed_in, agency, client):
    new = make_need(agency, status=m.NeedStatus.NEW)
    filled = make_need(agency, status=m.NeedStatus.FILLED, hires=2)
    assert references(text_of(client, "/demandes?status=filled"), [new, filled]) == {
        filled.reference}


def test_the_basin_filter(signed_in, agency, client):
    dijon_need = make_need(agency, basin_code="2711")
    besancon_need = make_need(agency, basin_code="2706")
    assert references(text_of(client, "/demandes?basin=2706"), [dijon_need, besancon_need]) == {
        besancon_need.reference}


@pytest.mark.parametrize("age, expected", [("week", {0}), ("month", {1}), ("older", {2})])
def test_the_age_filter(signed_in, agency, client, age, expected):
    now = m.utcnow()
    filed = [make_need(agency, created_at=now - timedelta(days=days)) for days in (2, 15, 45)]
    text = text_of(client, f"/demandes?age={age}")
    assert references(text, filed) == {filed[index].reference for index in expected}


def test_the_late_filter_and_badge(signed_in, agency, client):
    late = late_need(agency)
    on_time = make_need(agency)
    contacted = late_need(agency, first_contact_at=m.utcnow() - timedelta(days=4))
    every = [late, on_time, contacted]
    assert "En retard" in text_of(client, "/demandes")
    assert references(text_of(client, "/demandes?late=1"), every) == {late.reference}


def test_the_search_finds_a_reference_or_a_company_name(signed_in, agency, client):
    bakery = make_need(agency, company=f.CompanyFactory(name="Boulangerie Émile",
                                                         search_name="boulangerie emile"))
    garage = make_need(agency, company=f.CompanyFactory(name="Garage du Centre",
                                                         search_name="garage du centre"))
    assert references(text_of(client, "/demandes?q=EMILE"), [bakery, garage]) == {
        bakery.reference}
    suffix = garage.reference[-6:]
    assert references(text_of(client, f"/demandes?q={suffix}"), [bakery, garage]) == {
        garage.reference}


def test_the_list_is_paginated(signed_in, agency, client, app):
    for _ in range(app.config["PAGE_SIZE"] + 5):
        make_need(agency)
    first = text_of(client, "/demandes")
    assert "30 demandes – page 1 sur 2" in first
    second = text_of(client, "/demandes?page=2")
    assert second.count('href="/demandes/TEST-') == 5
    assert client.get("/demandes?page=3").status_code == 404


def test_an_empty_list_says_so_in_french(signed_in, client):
    assert "Aucune demande de recrutement pour l'instant." in text_of(client, "/demandes")
    assert "Aucune demande ne correspond à ces critères." in text_of(client, "/demandes?late=1")


def add_late_unassigned_needs(organisation: m.Organisation, count: int) -> None:
    """Late needs without adviser, each with its own firm: they belong on every list."""
    for _ in range(count):
        late_need(organisation, job_title=None, rome_code="F1703")


@pytest.mark.parametrize("url", ["/demandes", "/demandes?late=1&q=entreprise",
                                 "/demandes/en-retard", "/demandes/file-attente"])
def test_need_lists_run_as_many_queries_for_3_as_for_30_needs(manager, client, url):
    assert_constant_queries(
        client, url, lambda count: add_late_unassigned_needs(manager.organisation, count))


def test_my_needs_rows_with_advisers_cost_no_extra_query(signed_in, agency, client):
    def add(count: int) -> None:
        for _ in range(count):
            make_need(agency, f.UserFactory(organisation=agency), status=m.NeedStatus.ASSIGNED)
    assert_constant_queries(client, "/demandes", add)


# The need page

def filed_need(adviser: m.User) -> m.HiringNeed:
    """A need filed through the real service, routed by the default rule to the agency."""
    data = parse_need({
        "siret": "73282932000074", "company_name": "Boulangerie Martin", "commune_code": "21231",
        "rome_code": "D1102", "positions": 2, "contract_type": "cdi", "publics": [],
        "services": ["mrs"], "description": "Boulanger de nuit.",
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr",
                    "phone": "03 80 12 34 56"},
    })
    need = need_service.file_need(data, source=m.NeedSource.PUBLIC_FORM).need
    unit_of_work.commit()
    return need


def test_the_need_page_explains_the_routing_and_shows_the_history(signed_in, client):
    need = filed_need(signed_in)
    text = text_of(client, f"/demandes/{need.reference}")
    for shown in ("Boulangerie Martin", "73282932000074", "Dijon", "Non vérifiée",
                  "Recrutement par simulation (MRS)", "Boulanger de nuit.", "Camille Martin",
                  "camille@boulangerie.fr", "03 80 12 34 56", "Formulaire public",
                  "Pourquoi cette orientation ?", "Règle d'orientation : « Par défaut ».",
                  need.routing_reason, "Demande reçue.",
                  "Demande confiée à France Travail Dijon.", "Paul Girard",
                  "Premier contact attendu au plus tard le", "Demande de l'employeur"):
        assert shown in text


def test_an_unknown_need_is_404_and_one_out_of_scope_is_403(signed_in, client):
    other = make_need(f.OrganisationFactory())
    assert client.get("/demandes/BFC-2026-999999").status_code == 404
    assert client.get(f"/demandes/{other.reference}").status_code == 403
    assert client.post(f"/demandes/{other.reference}/prise-en-charge",
                       data={"take-version": other.version}).status_code == 403


def post_action(client, need: m.HiringNeed, action: str, prefix: str, **fields):
    """Submit one of the need page's forms at the need's current version."""
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data.setdefault(f"{prefix}-version", need.version)
    response = client.post(f"/demandes/{need.reference}/{action}", data=data)
    db.session.expire_all()
    return response


def test_taking_a_need_in_charge_from_its_page(signed_in, agency, client):
    need = make_need(agency, f.UserFactory(organisation=agency, name="Léa Roux"),
                     status=m.NeedStatus.ASSIGNED)
    response = post_action(client, need, "prise-en-charge", "take")
    assert response.status_code == 302
    assert (need.adviser_id, need.status) == (signed_in.id, m.NeedStatus.IN_PROGRESS)
    assert (need.history[-1].note, need.history[-1].user_id) == (
        "Prise en charge par Paul Girard.", signed_in.id)
    assert f"Vous avez pris en charge la demande {need.reference}." in text_of(
        client, response.headers["Location"])


def test_recording_the_first_contact_writes_the_ledger_and_ends_the_lateness(
        signed_in, agency, client, auth):
    need = late_need(agency, signed_in, status=m.NeedStatus.ASSIGNED)
    assert "En retard" in text_of(client, f"/demandes/{need.reference}")
    response = post_action(client, need, "contact", "contact", kind="call",
                           occurred_at="2026-03-02T09:30", summary="Besoin confirmé par téléphone.")
    assert response.status_code == 302
    interaction = db.session.scalar(sa.select(m.Interaction).where(
        m.Interaction.kind == m.InteractionKind.CALL))
    assert (interaction.need_id, interaction.user_id, interaction.summary) == (
        need.id, signed_in.id, "Besoin confirmé par téléphone.")
    assert interaction.occurred_at == datetime(2026, 3, 2, 8, 30)  # 9:30 in Paris is 8:30 UTC
    assert need.first_contact_at == interaction.occurred_at
    assert (need.status, need.history[-1].note) == (m.NeedStatus.IN_PROGRESS,
                                                    "Premier contact avec l'employeur.")
    page = text_of(client, f"/demandes/{need.reference}")
    assert "Besoin confirmé par téléphone." in page and "En retard" not in page
    assert need.reference not in text_of(client, "/demandes?late=1")
    auth.logout()
    auth.login(f.UserFactory(organisation=agency, role=m.Role.MANAGER, basins=[dijon()]))
    assert need.reference not in text_of(client, "/demandes/en-retard")


def test_a_contact_needs_a_summary_and_cannot_be_in_the_future(signed_in, agency, client):
    need = make_need(agency, signed_in)
    response = post_action(client, need, "contact", "contact", kind="call",
                           occurred_at="2999-01-01T10:00", summary="")
    text = page_text(response)
    assert response.status_code == 422
    assert "Résumez l'échange avec l'employeur." in text
    assert "La date du contact ne peut pas être dans le futur." in text
    assert need.first_contact_at is None and db.session.scalar(sa.select(m.Interaction)) is None


def test_a_transfer_with_its_reason_reroutes_the_need(signed_in, agency, client):
    need = make_need(agency, signed_in, status=m.NeedStatus.ASSIGNED)
    mission = f.OrganisationFactory(name="Mission locale Dijon",
                                    kind=m.OrganisationKind.MISSION_LOCALE)
    young_adviser = f.UserFactory(organisation=mission, name="Jeanne Petit", basins=[dijon()])
    page = text_of(client, f"/demandes/{need.reference}")
    assert "Mission locale Dijon" in page
    response = post_action(client, need, "transfert", "transfer", organisation=mission.id,
                           reason="Candidats de moins de 26 ans.")
    assert response.status_code == 302
    assert (need.organisation_id, need.adviser_id) == (mission.id, young_adviser.id)
    assert "Candidats de moins de 26 ans." in need.routing_reason
    assert need.history[-1].note == ("Transfert à Mission locale Dijon : "
                                     "Candidats de moins de 26 ans.")
    assert "La demande est transférée." in text_of(client, response.headers["Location"])


def test_a_transfer_without_a_reason_changes_nothing(signed_in, agency, client):
    need = make_need(agency, signed_in, status=m.NeedStatus.ASSIGNED)
    mission = f.OrganisationFactory(kind=m.OrganisationKind.MISSION_LOCALE)
    response = post_action(client, need, "transfert", "transfer", organisation=mission.id,
                           reason=" ")
    assert response.status_code == 422
    assert "Indiquez le motif du transfert." in page_text(response)
    response = post_action(client, need, "transfert", "transfer", organisation="0",
                           reason="Public jeune.")
    assert "Choisissez la structure destinataire." in page_text(response)
    assert need.organisation_id == agency.id and need.history == []


def test_offer_spotters_and_the_current_pilot_are_not_transfer_targets(signed_in, agency, client):
    need = make_need(agency, signed_in)
    f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI, is_spotter=True)
    f.OrganisationFactory(name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI)
    text = text_of(client, f"/demandes/{need.reference}")
    options = text[text.index('id="transfer-organisation"'):]
    options = options[:options.index("</select>")]
    assert "Cap emploi 21" in options
    assert "CCI Côte-d'Or" not in options and "France Travail Dijon" not in options


def test_closing_requires_the_outcome_fields(signed_in, agency, client):
    need = make_need(agency, signed_in, status=m.NeedStatus.IN_PROGRESS, positions=2)
    response = post_action(client, need, "cloture", "close", outcome="", hires="", reason="")
    assert response.status_code == 422
    assert "Choisissez l'issue de la demande." in page_text(response)
    response = post_action(client, need, "cloture", "close", outcome="filled", hires="",
                           reason="")
    assert response.status_code == 422
    assert "Indiquez le nombre de personnes recrutées." in page_text(response)
    response = post_action(client, need, "cloture", "close", outcome="unfilled", reason="")
    assert response.status_code == 422
    assert "Choisissez le motif de clôture dans la liste." in page_text(response)
    response = post_action(client, need, "cloture", "close", outcome="unfilled",
                           closing_reason="plus_de_budget", reason="")
    assert response.status_code == 422
    assert "Choisissez un motif de clôture de la liste." in page_text(response)
    assert need.status == m.NeedStatus.IN_PROGRESS and need.history == []


def test_closing_an_unfilled_need_records_the_reason_from_the_list(signed_in, agency, client):
    need = make_need(agency, signed_in, status=m.NeedStatus.IN_PROGRESS, positions=2)
    form = text_of(client, f"/demandes/{need.reference}")
    assert '<option value="lack_of_candidates">Manque de candidats</option>' in form
    response = post_action(client, need, "cloture", "close", outcome="unfilled",
                           closing_reason="lack_of_candidates", reason="Aucun profil soudeur")
    assert response.status_code == 302
    assert (need.status, need.closing_reason, need.outcome_reason) == (
        m.NeedStatus.UNFILLED, m.ClosingReason.LACK_OF_CANDIDATES, "Aucun profil soudeur")
    text = page_text(client.get(f"/demandes/{need.reference}"))
    assert "<dt>Motif de clôture</dt><dd>Manque de candidats</dd>" in text
    assert "<dt>Précisions</dt><dd>Aucun profil soudeur</dd>" in text


def test_closing_a_filled_need_records_the_hires(signed_in, agency, client):
    need = make_need(agency, signed_in, status=m.NeedStatus.IN_PROGRESS, positions=2)
    response = post_action(client, need, "cloture", "close", outcome="filled", hires="2",
                           reason="")
    assert response.status_code == 302
    assert (need.status, need.hires, need.closed_at is not None) == (
        m.NeedStatus.FILLED, 2, True)
    assert (need.history[-1].to_status, need.history[-1].user_id) == (
        m.NeedStatus.FILLED, signed_in.id)
    text = text_of(client, f"/demandes/{need.reference}")
    assert "La demande est clôturée." in text and "Cette demande est clôturée" in text
    assert 'id="transfer-organisation"' not in text


def test_messages_and_internal_notes_on_the_need_page(signed_in, agency, client):
    need = make_need(agency, signed_in)
    post_action(client, need, "messages", "message", body="Rappeler lundi.", internal="y")
    post_action(client, need, "messages", "message", body="Nous vous proposons une MRS.")
    notes = db.session.scalars(sa.select(m.NeedMessage).order_by(m.NeedMessage.id)).all()
    assert [(n.body, n.internal, n.user_id) for n in notes] == [
        ("Rappeler lundi.", True, signed_in.id),
        ("Nous vous proposons une MRS.", False, signed_in.id)]
    text = text_of(client, f"/demandes/{need.reference}")
    assert text.count("Note interne</span>") == 1
    assert "Rappeler lundi." in text and "Nous vous proposons une MRS." in text


def test_an_action_on_a_stale_version_is_refused_and_changes_nothing(signed_in, agency, client):
    need = make_need(agency, f.UserFactory(organisation=agency), status=m.NeedStatus.ASSIGNED)
    seen, adviser_id = need.version, need.adviser_id
    need.positions = 4  # someone else edits the need meanwhile
    db.session.commit()
    for action, prefix, fields in [
        ("prise-en-charge", "take", {}),
        ("cloture", "close", {"outcome": "cancelled", "closing_reason": "cancelled_by_company",
                              "reason": "Poste supprimé."}),
        ("contact", "contact", {"kind": "call", "occurred_at": "2026-03-02T09:30",
                                "summary": "Appel."}),
    ]:
        response = post_action(client, need, action, prefix, version=seen, **fields)
        assert response.status_code == 302
        assert ("La demande a été modifiée par quelqu'un d'autre entre-temps : rechargez la page."
                in text_of(client, response.headers["Location"]))
    assert (need.status, need.adviser_id, need.history) == (m.NeedStatus.ASSIGNED, adviser_id, [])
    assert db.session.scalar(sa.select(m.Interaction)) is None


def test_actions_need_the_csrf_token(signed_in, agency, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    need = make_need(agency, f.UserFactory(organisation=agency))
    response = post_action(client, need, "prise-en-charge", "take")
    assert response.status_code == 400
    assert need.adviser_id != signed_in.id
    page = text_of(client, f"/demandes/{need.reference}")
    assert 'name="take-csrf_token"' in page and 'name="take-version"' in page


def test_a_closed_need_offers_only_messages(signed_in, agency, client):
    need = make_need(agency, signed_in, status=m.NeedStatus.CANCELLED)
    text = text_of(client, f"/demandes/{need.reference}")
    assert "Prendre en charge" not in text and "Ajouter un message ou une note interne" in text


# Late needs and the unassigned queue

def test_working_days_late_skip_weekends_and_public_holidays():
    due = datetime(2026, 4, 30, 10, 0)  # Thursday; 1 May is a public holiday
    assert working_days_late(due, datetime(2026, 4, 30, 18, 0)) == 0
    assert working_days_late(due, datetime(2026, 5, 4, 9, 0)) == 1
    assert working_days_late(due, datetime(2026, 5, 5, 9, 0)) == 2


def test_managers_see_late_needs_oldest_deadline_first(manager, agency, client):
    now = m.utcnow()
    recent = make_need(agency, f.UserFactory(organisation=agency, name="Léa Roux"),
                       first_contact_due_at=now - timedelta(hours=1))
    oldest = make_need(agency, f.UserFactory(organisation=agency, name="Marc Blanc"),
                       first_contact_due_at=now - timedelta(days=10))
    on_time = make_need(agency)
    elsewhere = late_need(f.OrganisationFactory(), basin_code="2706")
    text = text_of(client, "/demandes/en-retard")
    assert references(text, [recent, oldest, on_time, elsewhere]) == {recent.reference,
                                                                      oldest.reference}
    assert text.index(oldest.reference) < text.index(recent.reference)
    assert "Marc Blanc" in text and "Léa Roux" in text
    assert f"{working_days_late(oldest.first_contact_due_at)} jours ouvrés" in text


def test_managers_see_the_unassigned_queue_of_their_basins(manager, agency, client):
    waiting = make_need(None, None, basin_code="2711")
    in_my_organisation = make_need(agency, None, basin_code="2706")
    assigned = make_need(agency, f.UserFactory(organisation=agency))
    closed = make_need(None, None, status=m.NeedStatus.CANCELLED)
    other_basin = make_need(f.OrganisationFactory(), None, basin_code="2706")
    text = text_of(client, "/demandes/file-attente")
    assert references(text, [waiting, in_my_organisation, assigned, closed, other_basin]) == {
        waiting.reference, in_my_organisation.reference}
    assert "Non attribuée" in text


def test_empty_late_list_and_queue_say_so(manager, client):
    assert "Aucune demande en retard." in text_of(client, "/demandes/en-retard")
    assert "Aucune demande en attente." in text_of(client, "/demandes/file-attente")


def test_advisers_get_403_on_the_managers_lists(signed_in, client):
    assert client.get("/demandes/en-retard").status_code == 403
    assert client.get("/demandes/file-attente").status_code == 403


def test_admins_see_every_late_need(auth, client):
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    need = late_need(f.OrganisationFactory(), basin_code="2706")
    assert need.reference in text_of(client, "/demandes/en-retard")


@pytest.mark.parametrize("url", ["/demandes", "/demandes/en-retard", "/demandes/file-attente",
                                 "/demandes/BFC-2026-000001"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
