"""Rough edges of the needs area found in the field test: withdrawing asks for confirmation, a refused
closing keeps the chosen outcome with the error next to its field, French labels and agreement in
number, who took each step of a need's history, the first referent without a "change" reason, the
visit form's contact name, and references that never break across lines."""

import importlib.util
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.companies import timeline
from crm.services.needs import filing as needs
from crm.services.needs import workflow
from crm.services.needs.schema import parse_need
from crm.services.platform import mail_templates, outbox, unit_of_work
from crm.services.platform.wording import plural
from crm.services.platform.working_days import first_contact_deadline
from crm.services.visits import digest
from tests import factories as f
from tests import helpers
from tests.helpers import page_text

ROOT = Path(__file__).resolve().parent.parent


def payload(**changes) -> dict:
    return {"siret": "73282932000074", "company_name": "Boulangerie Martin", "commune_code": "21231",
            "rome_code": "D1102", "positions": 1, "contract_type": "cdi",
            "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"}} | changes


def file(**kwargs) -> m.HiringNeed:
    kwargs.setdefault("source", m.NeedSource.PUBLIC_FORM)
    need = needs.file_need(parse_need(payload()), **kwargs).need
    unit_of_work.commit()
    return need


def text_of(client, url: str) -> str:
    """The page's text on one line: labels are checked whatever the template's line breaks."""
    return " ".join(helpers.text_of(client, url).split())


# Withdrawing asks for confirmation


def test_withdrawing_goes_through_a_confirmation_page_that_says_what_it_does(client, adviser):
    need = file()
    tracking_url = f"/recrutement/suivi/{need.tracking_token}"
    tracking = text_of(client, tracking_url)
    assert f'<a class="fr-btn fr-btn--secondary" href="{tracking_url}/retrait">Retirer ma demande…</a>' in (
        tracking)
    assert "Retirer ma demande</button>" not in tracking

    confirm = client.get(f"{tracking_url}/retrait")
    assert confirm.status_code == 200
    assert confirm.headers["Referrer-Policy"] == "no-referrer"
    page = " ".join(page_text(confirm).split())
    assert "Retirer votre demande de recrutement ?" in page
    assert "La demande est clôturée (statut « Annulée »)" in page
    assert "La personne qui suit la demande en est prévenue par courriel" in page
    assert "Confirmer le retrait de ma demande</button>" in page
    assert f'href="{tracking_url}">Garder ma demande</a>' in page
    db.session.refresh(need)
    assert need.status == m.NeedStatus.ASSIGNED  # looking at the page changes nothing

    too_long = client.post(f"{tracking_url}/retrait", data={"reason": "x" * 5000})
    assert too_long.status_code == 422
    assert "Retirer votre demande de recrutement ?" in page_text(too_long)
    db.session.refresh(need)
    assert need.status == m.NeedStatus.ASSIGNED

    done = client.post(f"{tracking_url}/retrait", data={"reason": "Poste pourvu."})
    assert done.status_code == 302
    db.session.refresh(need)
    assert need.status == m.NeedStatus.CANCELLED
    assert need.history[-1].actor_kind == m.StepActor.EMPLOYER
    closed = client.get(f"{tracking_url}/retrait")
    assert closed.status_code == 302 and closed.headers["Location"].endswith(tracking_url)


# A refused closing keeps what was chosen


def test_a_refused_closing_keeps_the_outcome_and_shows_the_error_next_to_its_field(
        client, auth, adviser, agency):
    need = f.HiringNeedFactory(organisation=agency, adviser=adviser, status=m.NeedStatus.IN_PROGRESS,
                               positions=2, first_contact_due_at=m.utcnow())
    auth.login(adviser)
    response = client.post(f"/demandes/{need.reference}/cloture", data={
        "close-version": need.version, "close-outcome": "filled", "close-hires": "",
        "close-reason": "Deux candidats en cours"})
    assert response.status_code == 422
    page = page_text(response)
    assert '<option selected value="filled">' in page
    assert 'id="close-hires-error-1">Indiquez le nombre de personnes recrutées.</p>' in page
    assert "Deux candidats en cours</textarea>" in page
    assert "fr-alert--error" not in page  # no banner: the message sits by its field

    response = client.post(f"/demandes/{need.reference}/cloture", data={
        "close-version": need.version, "close-outcome": "unfilled", "close-hires": "",
        "close-closing_reason": "other", "close-reason": " "})
    assert response.status_code == 422
    page = page_text(response)
    assert '<option selected value="unfilled">' in page and '<option selected value="other">' in page
    assert 'id="close-reason-error-1">Précisez le motif de clôture « Autre ».</p>' in page
    db.session.expire_all()
    assert need.status == m.NeedStatus.IN_PROGRESS


# French labels and agreement in number


def test_outbox_messages_are_described_in_french(client, auth):
    file()
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    ack = db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "need_ack"))
    page = text_of(client, f"/admin/messages/{ack.id}")
    assert "<dt>Type</dt><dd>Accusé de réception d'une demande</dd>" in page
    assert "need_ack" not in page


def test_every_kind_of_message_the_application_writes_has_a_french_label():
    kinds = {path.stem for path in mail_templates.FOLDER.glob("[!_]*.txt")}
    assert kinds and kinds <= set(outbox.KIND_LABELS)
    assert outbox.kind_label("unknown_kind") == "unknown_kind"


@pytest.mark.parametrize(("count", "shown"), [
    (0, "0 poste"), (1, "1 poste"), (2, "2 postes"), (1500, "1\u202f500 postes")])
def test_counts_agree_in_number(count, shown):
    assert plural(count, "poste") == shown
    assert plural(2, "travail", "travaux") == "2 travaux"


def test_a_filed_need_reads_in_proper_french(adviser):
    need = file()
    ledger = db.session.scalar(sa.select(m.Interaction).where(m.Interaction.need_id == need.id))
    assert ledger.summary == f"{need.reference} : 1 poste, Boulanger / Boulangère."
    ack = db.session.scalar(sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == "need_ack"))
    assert "(1 poste)" in ack.body and "(s)" not in ack.body


def test_the_digest_subject_agrees_in_number():
    one = digest.Digest(user=f.UserFactory(), overdue=[f.FollowUpFactory()], due_today=[],
                        late_needs=[f.HiringNeedFactory()], visits=[f.VisitFactory(),
                                                                    f.VisitFactory()])
    assert digest.write(one, datetime(2026, 6, 10).date()).subject.endswith(
        "1 tâche, 1 demande en retard, 2 visites")


# Who took each step of a need's history


def test_history_says_the_employer_and_the_automatic_routing(client, auth, adviser):
    need = file()
    first, routed = need.history
    assert (first.actor_kind, routed.actor_kind) == (m.StepActor.EMPLOYER, m.StepActor.ROUTING)
    auth.login(adviser)
    page = text_of(client, f"/demandes/{need.reference}")
    assert "Employeur ou système" not in page
    by = '<td data-label="Par" class="fr-cell--multiline">'
    what = '<td data-label="Note" class="fr-cell--multiline">'
    assert f"{by}L'employeur</td> {what}Demande reçue.</td>" in page
    assert (f"{by}L'orientation automatique</td> {what}Demande confiée à France Travail Dijon.</td>"
            in page)
    entries = timeline.status_entries(need.company_id, None, 10)
    assert [entry.actors[0].name for entry in entries] == ["l'orientation automatique"]


def test_the_routing_step_of_a_flag_is_not_credited_to_the_partner(adviser):
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True)
    partner = f.UserFactory(organisation=chamber, role=m.Role.PARTNER, name="Jean Partenaire")
    need = file(source=m.NeedSource.SPOTTER, actor=partner, source_organisation=chamber)
    first, routed = need.history
    assert (first.user, first.actor_label) == (partner, "Jean Partenaire")
    assert (routed.user, routed.actor_label) == (None, "L'orientation automatique")


def test_the_data_migration_fixes_past_deadlines_as_new_needs_get_them():
    path = ROOT / "migrations" / "versions" / "0008_deadline_end_of_day.py"
    spec = importlib.util.spec_from_file_location("deadline_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for filed_at in (datetime(2026, 12, 4, 17, 0), datetime(2026, 12, 24, 9, 0),
                     datetime(2026, 7, 13, 21, 30), datetime(2026, 3, 27, 23, 30)):
        assert migration.deadline(filed_at) == first_contact_deadline(filed_at)


def test_a_withdrawal_is_the_employer_s_step(adviser):
    need = file()
    workflow.withdraw(need, None)
    assert need.history[-1].actor_label == "L'employeur"


# The company's first referent, the visit form's contact name


def test_a_first_referent_needs_no_change_reason(client, auth, adviser):
    company = f.CompanyFactory(name="Boulangerie Martin")
    auth.login(adviser)
    form = text_of(client, f"/entreprises/{company.id}/referent")
    assert "Motif du changement" not in form and "Tous les champs sont obligatoires." not in form
    assert "Motif de la désignation (facultatif)" in form
    response = client.post(f"/entreprises/{company.id}/referent", data={
        "version": company.version, "referent": adviser.id, "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(m.Company, company.id).referent_id == adviser.id
    message = db.session.scalar(sa.select(m.OutboxMessage))
    assert "Motif" not in message.body

    form = text_of(client, f"/entreprises/{company.id}/referent")
    assert "Motif du changement" in form and "Tous les champs sont obligatoires." in form


def test_the_visit_form_offers_or_only_when_the_firm_has_contacts(client, auth, adviser):
    company = f.CompanyFactory(name="Chaudronnerie Bourgogne")
    auth.login(adviser)
    form = text_of(client, f"/entreprises/{company.id}/visites/nouvelle")
    assert "Ou nom du contact" not in form and "Nom du contact" in form
    f.ContactFactory(company=company, name="Claire Dubois")
    form = text_of(client, f"/entreprises/{company.id}/visites/nouvelle")
    assert "Ou nom du contact" in form and "Claire Dubois" in form


# References never break


def test_references_in_tables_never_break(client, auth, adviser, agency):
    need = f.HiringNeedFactory(organisation=agency, adviser=adviser, reference="BFC-2026-000065",
                               first_contact_due_at=m.utcnow())
    auth.login(adviser)
    page = page_text(client.get("/demandes"))
    assert (f'class="crm-reference"><a href="/demandes/{need.reference}">{need.reference}</a></td>'
            in page)
    css = (ROOT / "crm" / "static" / "css" / "app.css").read_text(encoding="utf-8")
    rule = css[css.index(".crm-reference,"):]
    assert rule[:rule.index("}")].rstrip().endswith("white-space: nowrap;")
