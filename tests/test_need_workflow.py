"""After filing: taking charge, first contact, transfer, closing, messages, withdrawal, lateness."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs import workflow as wf
from tests import factories as f


@pytest.fixture
def need():
    agency = f.OrganisationFactory(name="France Travail Dijon",
                                   basins=[db.session.get(m.Basin, "2711")])
    adviser = f.UserFactory(organisation=agency, name="Paul Girard")
    return f.HiringNeedFactory(organisation=agency, adviser=adviser, status=m.NeedStatus.ASSIGNED,
                               positions=3,
                               first_contact_due_at=m.utcnow() + timedelta(days=2))


def outbox_kinds() -> list[str]:
    return list(db.session.scalars(sa.select(m.OutboxMessage.kind).order_by(m.OutboxMessage.id)))


def test_taking_charge_makes_the_user_the_adviser(need):
    colleague = f.UserFactory(organisation=need.organisation, name="Léa Roux")
    wf.take_in_charge(need, colleague)
    assert (need.adviser, need.status) == (colleague, m.NeedStatus.IN_PROGRESS)
    assert need.history[-1].note == "Prise en charge par Léa Roux."
    assert need.history[-1].user_id == colleague.id


def test_first_contact_is_logged_in_the_ledger_and_stops_the_clock(need):
    wf.record_first_contact(need, need.adviser, m.InteractionKind.CALL, "Besoin confirmé.")
    assert need.first_contact_at is not None and need.status == m.NeedStatus.IN_PROGRESS
    interaction = db.session.scalar(sa.select(m.Interaction))
    assert (interaction.need_id, interaction.outcome) == (need.id, "Premier contact")
    first = need.first_contact_at
    wf.record_first_contact(need, need.adviser, m.InteractionKind.EMAIL, "Relance.")
    assert need.first_contact_at == first


def test_a_contact_kind_must_be_a_real_contact(need):
    with pytest.raises(wf.WorkflowError):
        wf.record_first_contact(need, need.adviser, m.InteractionKind.FLAG, "x")


def test_transfer_reroutes_with_a_reason_and_keeps_history(need):
    mission = f.OrganisationFactory(name="Mission locale Dijon",
                                    kind=m.OrganisationKind.MISSION_LOCALE)
    young_adviser = f.UserFactory(organisation=mission,
                                  basins=[db.session.get(m.Basin, "2711")])
    wf.transfer(need, need.adviser, mission, "Candidats de moins de 26 ans.")
    assert (need.organisation, need.adviser, need.status) == (
        mission, young_adviser, m.NeedStatus.ASSIGNED)
    assert "Candidats de moins de 26 ans." in need.routing_reason
    assert "Transfert à Mission locale Dijon" in need.history[-1].note
    assert outbox_kinds() == ["need_assigned"]


def test_transfer_needs_a_reason_and_another_organisation(need):
    other = f.OrganisationFactory()
    with pytest.raises(wf.WorkflowError, match="motif"):
        wf.transfer(need, need.adviser, other, "  ")
    with pytest.raises(wf.WorkflowError, match="déjà"):
        wf.transfer(need, need.adviser, need.organisation, "raison")


R = m.ClosingReason


@pytest.mark.parametrize("outcome, hires, reason, closing_reason, message", [
    (m.NeedStatus.FILLED, 0, None, None, "nombre de personnes recrutées"),
    (m.NeedStatus.PARTLY_FILLED, 3, None, R.LACK_OF_CANDIDATES, "Tous les postes sont pourvus"),
    (m.NeedStatus.UNFILLED, None, "Aucun candidat", None, "motif de clôture dans la liste"),
    (m.NeedStatus.CANCELLED, None, "", None, "motif de clôture dans la liste"),
    (m.NeedStatus.PARTLY_FILLED, 1, None, None, "motif de clôture dans la liste"),
    (m.NeedStatus.UNFILLED, None, " ", R.OTHER, "Précisez le motif de clôture « Autre »"),
    (m.NeedStatus.IN_PROGRESS, None, "x", R.OTHER, "issue"),
])
def test_closing_requires_a_coherent_outcome(need, outcome, hires, reason, closing_reason,
                                             message):
    with pytest.raises(wf.WorkflowError, match=message):
        wf.close(need, need.adviser, outcome, hires, reason, closing_reason)
    assert need.is_open and need.closing_reason is None


def test_the_closing_reason_is_stored_with_the_note_and_shown_in_the_history(need):
    wf.close(need, need.adviser, m.NeedStatus.UNFILLED, None, " Aucun profil ", R.LACK_OF_CANDIDATES)
    assert (need.closing_reason, need.outcome_reason) == (R.LACK_OF_CANDIDATES, "Aucun profil")
    assert need.history[-1].note == "Manque de candidats : Aucun profil"
    assert need.closing_reason_label == "Manque de candidats"


def test_a_filled_need_has_no_closing_reason(need):
    wf.close(need, need.adviser, m.NeedStatus.FILLED, 1, None, R.OTHER)
    assert need.closing_reason is None and need.closing_reason_label is None


def test_a_withdrawal_by_the_employer_is_a_cancellation_by_the_company(need):
    wf.withdraw(need, "Poste pourvu en interne")
    assert (need.status, need.closing_reason) == (m.NeedStatus.CANCELLED, R.CANCELLED_BY_COMPANY)


def test_a_need_closed_before_the_list_reads_not_recorded(need):
    need.status, need.closed_at = m.NeedStatus.UNFILLED, m.utcnow()
    assert need.closing_reason_label == "Non renseigné"


def test_closing_filled_records_hires_and_tells_the_employer(need):
    wf.close(need, need.adviser, m.NeedStatus.FILLED, 3, None)
    assert (need.status, need.hires, need.closed_at is not None) == (m.NeedStatus.FILLED, 3, True)
    assert outbox_kinds() == ["need_closed"]
    with pytest.raises(wf.WorkflowError, match="clôturée"):
        wf.take_in_charge(need, need.adviser)


def test_employer_messages_reach_the_adviser_and_internal_notes_stay_internal(need):
    wf.add_employer_message(need, "Pouvez-vous me rappeler ?")
    note = wf.add_staff_message(need, need.adviser, "Client exigeant.", internal=True)
    assert outbox_kinds() == ["employer_message"]
    assert note.internal and need.messages[0].author == m.MessageAuthor.EMPLOYER
    with pytest.raises(wf.WorkflowError, match="vide"):
        wf.add_employer_message(need, "   ")


def test_the_employer_can_withdraw_the_request(need):
    wf.withdraw(need, "Poste pourvu en interne")
    assert need.status == m.NeedStatus.CANCELLED
    assert need.history[-1].note == "Demande retirée par l'employeur : Poste pourvu en interne"


def test_a_need_is_late_after_its_deadline_without_first_contact(need):
    assert not wf.is_late(need)
    later = m.utcnow() + timedelta(days=3)
    assert wf.is_late(need, later)
    late_ids = db.session.scalars(sa.select(m.HiringNeed.id).where(wf.late_condition(later)))
    assert list(late_ids) == [need.id]
    wf.record_first_contact(need, need.adviser, m.InteractionKind.CALL, "ok")
    assert not wf.is_late(need, later)


def test_advisers_get_one_late_reminder_a_day(need, run_jobs):
    from crm.services.needs import reminders

    later = m.utcnow() + timedelta(days=3)
    assert reminders.remind_late_advisers(later) == 1
    assert reminders.remind_late_advisers(later) == 0
    message = db.session.scalar(sa.select(m.OutboxMessage))
    assert need.reference in message.body and message.recipient == need.adviser.email


def test_the_scheduled_jobs_are_registered(app):
    from jobs.worker import scheduled

    names = {job.func_name for job in scheduled(app).get_jobs()}
    assert names == {"jobs.mail.sweep_outbox", "jobs.needs.remind_late_needs",
                     "jobs.digest.send_daily_digests", "jobs.digest.send_spotter_digests",
                     "jobs.scoring.refresh_scores", "jobs.background.sweep_abandoned_tasks",
                     "jobs.privacy.purge_personal_data", "jobs.training.remind_stalled_training_requests",
                     "jobs.events.remind_event_candidates", "jobs.events.purge_event_candidates",
                     "jobs.events.send_event_surveys",
                     "jobs.needs.purge_candidates", "jobs.needs.send_satisfaction_surveys",
                     "jobs.needs.alert_low_satisfaction", "jobs.reports.sweep_committee_reports",
                     "jobs.derived.refresh_area_counts", "jobs.derived.refresh_duplicate_pairs",
                     "jobs.indicators.refresh_indicators", "jobs.reports.schedule_committee_reports",
                     "jobs.reports.purge_committee_reports"}
