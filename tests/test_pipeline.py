"""The needs pipeline board: columns by status (closed ones of the last 30 days apart), filters,
moving a card through the need workflow (form or script), and managers' bulk reassignment."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text


@pytest.fixture
def colleague(agency):
    return f.UserFactory(organisation=agency, name="Léa Colin", email="lea@exemple.fr")


def need(organisation=None, adviser=None, **fields) -> m.HiringNeed:
    fields.setdefault("first_contact_due_at", m.utcnow() + timedelta(days=2))
    return f.HiringNeedFactory(organisation=organisation, adviser=adviser, **fields)


def board(client, url: str = "/demandes/tableau") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return page_text(response)


def column_of(text: str, reference: str) -> str:
    """The heading of the column (or closed section) holding the card."""
    position = text.index(f'id="carte-{reference}"')
    headings = re.findall(r'<h2 class="fr-h5" id="colonne-(\w+)">', text[:position])
    if '<details class="crm-board__closed' in text[:position]:
        return "closed"
    return headings[-1]


# Columns

def test_needs_stand_in_the_column_of_their_status_with_what_a_card_shows(signed_in, agency,
                                                                         client):
    new = need(agency, company=f.CompanyFactory(name="Boulangerie Martin"), job_title="Boulanger",
               positions=3)
    assigned = need(agency, signed_in, status=m.NeedStatus.ASSIGNED)
    working = need(agency, signed_in, status=m.NeedStatus.IN_PROGRESS)
    late = need(agency, status=m.NeedStatus.NEW, first_contact_due_at=m.utcnow() - timedelta(days=3))
    text = board(client)
    assert [column_of(text, n.reference) for n in (new, assigned, working, late)] == [
        "new", "assigned", "in_progress", "new"]
    plain = re.sub(r"<[^>]+>", "", text)
    for shown in ("Nouvelle (2)", "Attribuée (1)", "En cours (1)", "Boulangerie Martin",
                  "Boulanger – 3 postes", "Conseiller : Paul Girard"):
        assert shown in plain
    card = text[text.index(f'id="carte-{late.reference}"'):]
    assert re.search(r'data-field="late">En retard', card.split('id="carte-')[1])
    on_time = text[text.index(f'id="carte-{new.reference}"'):].split('id="carte-')[1]
    assert 'data-field="late" hidden>' in on_time


def test_closed_needs_of_the_last_30_days_are_apart_and_older_ones_hidden(signed_in, agency,
                                                                          client):
    recent = need(agency, status=m.NeedStatus.FILLED, hires=1,
                  closed_at=m.utcnow() - timedelta(days=3))
    old = need(agency, status=m.NeedStatus.CANCELLED, closed_at=m.utcnow() - timedelta(days=40))
    text = board(client)
    assert column_of(text, recent.reference) == "closed"
    assert "Clôturées ces 30 derniers jours (1)" in text
    assert old.reference not in text


def test_an_empty_board_says_so(signed_in, client):
    text = board(client)
    assert text.count("Aucune demande.") == 3
    assert "Aucune demande clôturée sur cette période." in text


def test_the_filters_of_my_needs_plus_origin_and_adviser(signed_in, colleague, agency, client):
    mine = need(agency, signed_in, status=m.NeedStatus.ASSIGNED,
                company=f.CompanyFactory(name="Garage Lenoir", search_name="garage lenoir"))
    flagged = need(agency, colleague, source=m.NeedSource.SPOTTER, basin_code="2706")
    elsewhere = need(f.OrganisationFactory())
    every = [mine, flagged, elsewhere]

    def shown(url: str) -> set[str]:
        text = board(client, url)
        return {n.reference for n in every if n.reference in text}
    assert shown("/demandes/tableau") == {mine.reference, flagged.reference}
    assert shown("/demandes/tableau?scope=mine") == {mine.reference}
    assert shown("/demandes/tableau?source=spotter") == {flagged.reference}
    assert shown(f"/demandes/tableau?adviser={colleague.id}") == {flagged.reference}
    assert shown("/demandes/tableau?basin=2706") == {flagged.reference}
    assert shown("/demandes/tableau?q=LENOIR") == {mine.reference}


def test_partners_have_no_board(auth, client):
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    assert client.get("/demandes/tableau").status_code == 403


# Moving a card

def test_the_card_form_takes_the_need_in_charge_and_goes_back_to_the_board(signed_in, agency,
                                                                          client):
    new = need(agency)
    text = board(client, "/demandes/tableau?scope=organisation")
    assert f'action="/demandes/tableau/{new.reference}/statut"' in text
    response = client.post(f"/demandes/tableau/{new.reference}/statut", data={
        "status": "in_progress", "version": new.version,
        "next": "/demandes/tableau?scope=organisation"})
    assert response.status_code == 302
    assert response.location.endswith("/demandes/tableau?scope=organisation")
    db.session.expire_all()
    assert (new.status, new.adviser_id) == (m.NeedStatus.IN_PROGRESS, signed_in.id)
    text = board(client)
    assert f"Vous avez pris en charge la demande {new.reference}" in text
    assert column_of(text, new.reference) == "in_progress"


def test_the_script_gets_json_and_refusals_in_french(signed_in, agency, client):
    new = need(agency)
    json = {"Accept": "application/json"}
    refused = client.post(f"/demandes/tableau/{new.reference}/statut", headers=json,
                          data={"status": "assigned", "version": new.version})
    assert refused.status_code == 409
    assert refused.json["ok"] is False
    assert "un responsable la coche" in refused.json["message"]
    closing = client.post(f"/demandes/tableau/{new.reference}/statut", headers=json,
                          data={"status": "filled", "version": new.version})
    assert "indiquez son issue sur la page de la demande" in closing.json["message"]
    moved = client.post(f"/demandes/tableau/{new.reference}/statut", headers=json,
                        data={"status": "in_progress", "version": new.version})
    assert moved.status_code == 200
    assert moved.json["badge"].startswith('<p class="fr-badge fr-badge--sm fr-badge--info">En cours')
    assert moved.json | {"version": 0, "badge": ""} == {
        "ok": True, "status": "in_progress", "status_label": "En cours", "adviser": "Paul Girard",
        "late": False, "version": 0, "badge": "",
        "message": f"Vous avez pris en charge la demande {new.reference} : elle est en cours."}
    db.session.expire_all()
    assert moved.json["version"] == new.version


def test_a_move_prepared_on_an_old_version_is_refused(signed_in, agency, client):
    new = need(agency)
    seen = new.version
    new.description = "Changée entre-temps."
    db.session.commit()
    response = client.post(f"/demandes/tableau/{new.reference}/statut", data={
        "status": "in_progress", "version": seen}, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "modifiée par quelqu'un d'autre" in response.json["message"]
    db.session.expire_all()
    assert new.status == m.NeedStatus.NEW


def test_a_need_out_of_reach_cannot_be_moved(signed_in, client):
    elsewhere = need(f.OrganisationFactory())
    response = client.post(f"/demandes/tableau/{elsewhere.reference}/statut",
                           data={"status": "in_progress", "version": elsewhere.version})
    assert response.status_code == 403


# Bulk reassignment

def test_a_manager_reassigns_several_needs_and_is_told_what_was_refused(manager, colleague,
                                                                       agency, client):
    first = need(agency)
    second = need(agency, f.UserFactory(organisation=agency), status=m.NeedStatus.IN_PROGRESS)
    closed = need(agency, status=m.NeedStatus.FILLED, hires=1, closed_at=m.utcnow())
    out_of_reach = need(f.OrganisationFactory(), basin_code="2706")
    text = board(client)
    assert "Réattribution en masse" in text and 'form="bulk-reassign"' in text
    response = client.post("/demandes/tableau/reattribution", data={
        "needs": [first.reference, second.reference, closed.reference, out_of_reach.reference],
        "adviser": colleague.id, "next": "/demandes/tableau"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (first.adviser_id, first.status) == (colleague.id, m.NeedStatus.ASSIGNED)
    assert (second.adviser_id, second.status) == (colleague.id, m.NeedStatus.IN_PROGRESS)
    assert closed.adviser_id is None and out_of_reach.adviser_id is None
    assert "2 demandes réattribuées, 2 refusées." in board(client)
    notices = db.session.scalars(sa.select(m.OutboxMessage.recipient)
                                 .where(m.OutboxMessage.kind == "need_assigned")).all()
    assert notices == [colleague.email, colleague.email]
    note = db.session.scalars(sa.select(m.NeedStatusChange.note)
                              .where(m.NeedStatusChange.need_id == first.id)).all()
    assert "Réattribuée par Inès Manager à Léa Colin." in note


def test_a_manager_may_only_reassign_to_an_adviser_of_their_organisation(manager, agency, client):
    first = need(agency)
    stranger = f.UserFactory(name="Autre Structure")
    assert "Autre Structure" not in board(client).split('id="bulk-reassign"')[1].split("</form>")[0]
    client.post("/demandes/tableau/reattribution", data={"needs": [first.reference],
                                                         "adviser": stranger.id})
    db.session.expire_all()
    assert first.adviser_id is None


def test_advisers_cannot_reassign_in_bulk(signed_in, colleague, agency, client):
    first = need(agency)
    assert "Réattribution en masse" not in board(client)
    response = client.post("/demandes/tableau/reattribution", data={
        "needs": [first.reference], "adviser": colleague.id})
    assert response.status_code == 403
    db.session.expire_all()
    assert first.adviser_id is None


# Query count

def test_the_board_runs_as_many_queries_for_3_as_for_30_needs_per_column(manager, agency, client):
    def add(count: int) -> None:
        for index in range(count):
            adviser = f.UserFactory(organisation=agency)
            need(agency, first_contact_due_at=m.utcnow() - timedelta(days=index % 4))
            need(agency, adviser, status=m.NeedStatus.ASSIGNED)
            need(agency, adviser, status=m.NeedStatus.IN_PROGRESS)
            need(agency, adviser, status=m.NeedStatus.UNFILLED, closed_at=m.utcnow(),
                 outcome_reason="Pas de candidat.")
    assert_constant_queries(client, "/demandes/tableau?q=entreprise", add)
