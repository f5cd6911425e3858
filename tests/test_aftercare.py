"""After the hire, end to end: closing with hires gives the adviser follow-up tasks with the right
due dates (the project's clock), their one-click outcome, the employer's survey e-mailed once a
week after closing through the outbox and answered once on the tracking page, the results per
organisation and basin, the alert to the managers, and the figures the indicators read."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import clock
from crm import models as m
from crm.extensions import db
from crm.services.needs import aftercare, satisfaction
from crm.services.needs import aftercare_figures as figures
from crm.services.needs import workflow as wf
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.helpers import count, count_queries, dijon, page_text, queries_for

CLOSING_DAY = date(2026, 6, 10)  # the tests' working morning (conftest.WORKING_MORNING)
PERIOD = (date(2026, 6, 1), date(2026, 6, 30))


def open_need(adviser: m.User, **values) -> m.HiringNeed:
    fields = {"organisation": adviser.organisation, "adviser": adviser, "positions": 3,
              "status": m.NeedStatus.IN_PROGRESS, "contract_type": m.ContractType.CDI} | values
    return f.HiringNeedFactory(**fields)


def outbox(kind: str) -> list[m.OutboxMessage]:
    query = sa.select(m.OutboxMessage).where(m.OutboxMessage.kind == kind).order_by(m.OutboxMessage.id)
    return list(db.session.scalars(query))


def close_on_page(client, need: m.HiringNeed, outcome: str = "filled", hires: str = "2"):
    response = client.post(f"/demandes/{need.reference}/cloture", data={
        "close-outcome": outcome, "close-hires": hires, "close-reason": "",
        "close-version": need.version})
    db.session.expire_all()
    return response


# --- follow-up tasks at closing --------------------------------------------------------------

def test_closing_with_hires_gives_the_adviser_two_tasks_due_at_one_month_and_trial_end(
        client, signed_in, adviser):
    need = open_need(adviser)
    db.session.commit()
    assert close_on_page(client, need, hires="2").status_code == 302

    follow_ups = aftercare.follow_ups_of(need)
    assert [(fu.checkpoint, fu.due_on, fu.hires) for fu in follow_ups] == [
        (m.Checkpoint.ONE_MONTH, date(2026, 7, 10), 2),
        (m.Checkpoint.TRIAL_END, date(2026, 8, 10), 2)]
    tasks = [fu.task for fu in follow_ups]
    assert all(t.assignee_id == adviser.id and t.need_id == need.id and t.done_at is None
               for t in tasks)
    assert "CDI : 2 mois" in follow_ups[1].rule and "L1221-19" in follow_ups[1].rule

    listing = page_text(client.get("/a-faire"))
    assert "Suivi à un mois de l'embauche" in listing and "Suivi en fin de période d'essai" in listing
    assert listing.count("Tous toujours en poste") == 2
    page = page_text(client.get(f"/demandes/{need.reference}"))
    assert "Après le recrutement" in page and "10/08/2026" in page and "À renseigner" in page


def test_closing_without_hires_or_twice_makes_no_other_task(adviser):
    unfilled = open_need(adviser)
    wf.close(unfilled, adviser, m.NeedStatus.UNFILLED, None, "Aucun candidat",
             m.ClosingReason.LACK_OF_CANDIDATES)
    assert count(m.HireFollowUp) == 0 and count(m.FollowUp) == 0

    need = open_need(adviser)
    wf.close(need, adviser, m.NeedStatus.FILLED, 2, None)
    # a need re-closed (or closed again after a reopening) keeps its two checkpoints
    aftercare.plan_follow_ups(need, adviser)
    aftercare.plan_follow_ups(need, adviser)
    assert (count(m.HireFollowUp), count(m.FollowUp)) == (2, 2)


def test_the_tasks_go_to_the_person_closing_when_the_adviser_is_gone(adviser):
    need = open_need(adviser)
    colleague = f.UserFactory(organisation=adviser.organisation, name="Léa Roux")
    adviser.active = False
    wf.close(need, colleague, m.NeedStatus.FILLED, 1, None)
    assert {fu.task.assignee_id for fu in aftercare.follow_ups_of(need)} == {colleague.id}


@pytest.mark.parametrize("contract, months, start_date, end, words", [
    (m.ContractType.CDI, None, None, date(2026, 8, 10), "CDI : 2 mois"),
    (m.ContractType.CDD, 3, None, date(2026, 6, 23), "contrat de 3 mois : 13 jours"),
    (m.ContractType.CDD, 6, None, date(2026, 6, 24), "contrat de 6 mois : 14 jours"),
    (m.ContractType.CDD, 12, None, date(2026, 7, 10), "au plus 1 mois"),
    (m.ContractType.CDD, None, None, date(2026, 6, 24), "non précisée : 2 semaines"),
    (m.ContractType.SAISONNIER, 2, None, date(2026, 6, 19), "contrat de 2 mois : 9 jours"),
    (m.ContractType.APPRENTISSAGE, None, None, date(2026, 7, 27), "45 jours"),  # 25/07: Saturday
    (m.ContractType.PROFESSIONNALISATION, None, None, date(2026, 7, 10), "1 mois"),
    (m.ContractType.INTERIM, 1, None, date(2026, 6, 12), "mission de 1 mois : 2 jours"),
    (m.ContractType.INTERIM, 2, None, date(2026, 6, 15), "3 jours"),  # 13/06: Saturday
    (m.ContractType.INTERIM, 4, None, date(2026, 6, 15), "5 jours"),
    (m.ContractType.CDI, None, date(2026, 9, 1), date(2026, 11, 2),  # 01/11: Sunday, holiday
     "embauche comptée au 01/09/2026"),
])
def test_the_trial_period_follows_the_contract(adviser, contract, months, start_date, end, words):
    need = open_need(adviser, contract_type=contract, contract_months=months, start_date=start_date)
    wf.close(need, adviser, m.NeedStatus.FILLED, 1, None)
    trial = aftercare.follow_ups_of(need)
    trial_end = next(fu for fu in trial if fu.checkpoint == m.Checkpoint.TRIAL_END)
    assert trial_end.due_on == end
    assert words in trial_end.rule


def test_a_need_without_contract_type_uses_the_cdi_rule_and_says_so():
    end, words = aftercare.trial_end(CLOSING_DAY, None, None)
    assert end == date(2026, 8, 10)
    assert words.startswith("Type de contrat non précisé : règle du CDI")


def test_months_end_on_the_last_day_of_a_shorter_month():
    assert aftercare.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert aftercare.add_months(date(2026, 12, 15), 2) == date(2027, 2, 15)


# --- one-click outcome -----------------------------------------------------------------------

def test_still_in_post_in_one_click_from_the_task_list_marks_the_task_done(client, signed_in,
                                                                          adviser):
    need = open_need(adviser)
    wf.close(need, adviser, m.NeedStatus.FILLED, 2, None)
    db.session.commit()
    one_month = aftercare.follow_ups_of(need)[0]
    response = client.post(f"/a-faire/{one_month.task_id}/issue",
                           data={"outcome": "en_poste", "next": "/a-faire"}, follow_redirects=True)
    assert f"Suivi de la demande {need.reference} : toujours en poste." in page_text(response)
    db.session.expire_all()
    assert (one_month.in_post, one_month.answered_by_id) == (2, adviser.id)
    assert one_month.task.done_at is not None
    assert page_text(response).count("Tous toujours en poste") == 1  # the other task only


def test_a_departure_needs_its_reason_and_counts_the_people_left(client, signed_in, adviser):
    need = open_need(adviser)
    wf.close(need, adviser, m.NeedStatus.FILLED, 2, None)
    db.session.commit()
    trial = aftercare.follow_ups_of(need)[1]
    url = f"/a-faire/{trial.task_id}/issue"
    here = f"/demandes/{need.reference}"
    page = page_text(client.post(url, data={"outcome": "depart", "left": "1", "next": here},
                                 follow_redirects=True))
    assert "Indiquez la raison du départ." in page
    db.session.expire_all()
    assert trial.answered_at is None
    page = page_text(client.post(url, data={"outcome": "depart", "left": "1",
                                            "reason": "resignation", "next": here},
                                 follow_redirects=True))
    assert "1 sur 2 en poste ; départ : Démission" in page
    db.session.expire_all()
    assert (trial.in_post, trial.left, trial.leaving_reason) == (1, 1, m.LeavingReason.RESIGNATION)
    page = page_text(client.post(url, data={"outcome": "depart", "left": "3",
                                            "reason": "other", "next": here},
                                 follow_redirects=True))
    assert "entre 0 et 2" in page


def test_the_outcome_route_refuses_an_ordinary_task(client, signed_in, adviser):
    task = f.FollowUpFactory(assignee=adviser, created_by_id=adviser.id)
    db.session.commit()
    assert client.post(f"/a-faire/{task.id}/issue", data={"outcome": "en_poste"}).status_code == 404


def test_the_task_list_runs_as_many_queries_with_30_follow_ups_as_with_3(client, signed_in, adviser):
    def close_needs(number: int):
        for _ in range(number):
            wf.close(open_need(adviser), adviser, m.NeedStatus.FILLED, 1, None)
        db.session.commit()

    close_needs(2)
    few = queries_for(client, "/a-faire")
    close_needs(13)
    assert queries_for(client, "/a-faire") == few


# --- the employer's survey -------------------------------------------------------------------

def run_daily_jobs(run_jobs, app):
    """Enqueue the two daily jobs as the cron does, and work them with a real worker."""
    from crm import broker

    broker.enqueue("default", "jobs.needs.send_satisfaction_surveys")
    broker.enqueue("default", "jobs.needs.alert_low_satisfaction")
    run_jobs()
    db.session.expire_all()


def test_the_survey_is_mailed_once_a_week_after_closing_and_answered_once(
        app, client, adviser, run_jobs):
    need = open_need(adviser)
    wf.close(need, adviser, m.NeedStatus.FILLED, 1, None)
    unit_of_work.commit()

    clock.travel_to(datetime(2026, 6, 16, 7, 0))  # six days later: not yet
    run_daily_jobs(run_jobs, app)
    assert outbox("satisfaction_survey") == []

    clock.travel_to(datetime(2026, 6, 17, 8, 30))  # a week later
    run_daily_jobs(run_jobs, app)
    run_daily_jobs(run_jobs, app)  # the next run asks no one twice
    [mail] = outbox("satisfaction_survey")
    assert mail.recipient == need.contact_email and mail.status == m.MessageStatus.HELD
    assert "Avez-vous été contacté rapidement ?" in mail.body
    assert f"/recrutement/suivi/{need.tracking_token}#avis" in mail.body

    tracking = f"/recrutement/suivi/{need.tracking_token}"
    page = page_text(client.get(tracking))
    assert "Votre avis sur notre accompagnement" in page and "Envoyer mon avis" in page

    response = client.post(f"{tracking}/avis", data={"contacted_quickly": "oui", "comment": "x" * 1001})
    assert response.status_code == 422
    text = page_text(response)
    assert "l'accompagnement vous a-t-il été utile ?" in text
    assert "ne doit pas dépasser 1000 caractères" in text

    response = client.post(f"{tracking}/avis", data={
        "contacted_quickly": "oui", "useful": "non", "comment": " Candidats peu adaptés. "},
        follow_redirects=True)
    assert "Merci : votre avis est enregistré." in page_text(response)
    survey = satisfaction.survey_of(need)
    assert (survey.contacted_quickly, survey.useful, survey.comment) == (
        True, False, "Candidats peu adaptés.")
    assert "Envoyer mon avis" not in page_text(response)

    again = client.post(f"{tracking}/avis", data={"contacted_quickly": "non", "useful": "non"})
    assert again.status_code == 409
    assert satisfaction.ALREADY_ANSWERED in page_text(again)
    db.session.expire_all()
    assert satisfaction.survey_of(need).useful is False and count(m.NeedSurvey) == 1


def test_an_open_need_has_no_survey_and_old_or_erased_ones_are_not_asked(client, adviser):
    need = open_need(adviser)
    db.session.commit()
    assert "Votre avis" not in page_text(client.get(f"/recrutement/suivi/{need.tracking_token}"))
    response = client.post(f"/recrutement/suivi/{need.tracking_token}/avis",
                           data={"contacted_quickly": "oui", "useful": "oui"})
    assert response.status_code == 409

    now = m.utcnow()
    open_need(adviser, status=m.NeedStatus.FILLED, hires=1, closed_at=now - timedelta(days=40))
    open_need(adviser, status=m.NeedStatus.FILLED, hires=1, closed_at=now - timedelta(days=8),
              contact_erased_at=now)
    open_need(adviser, status=m.NeedStatus.CANCELLED, closed_at=now - timedelta(days=8))
    asked = open_need(adviser, status=m.NeedStatus.UNFILLED, closed_at=now - timedelta(days=8))
    assert [n.id for n in db.session.scalars(satisfaction.due_surveys(now))] == [asked.id]


def test_an_employer_who_answered_before_the_mail_is_not_mailed(adviser):
    need = open_need(adviser)
    wf.close(need, adviser, m.NeedStatus.FILLED, 1, None)
    satisfaction.answer(need, True, True, None)
    assert satisfaction.send_due_surveys(m.utcnow() + timedelta(days=8)) == []


# --- results and alerts ----------------------------------------------------------------------

def answered_need(organisation: m.Organisation, adviser: m.User, contacted: bool, useful: bool,
                  basin_code: str = "2711", in_post: int | None = None) -> m.HiringNeed:
    need = open_need(adviser, organisation=organisation, basin_code=basin_code)
    wf.close(need, adviser, m.NeedStatus.FILLED, 2, None)
    satisfaction.answer(need, contacted, useful, None)
    if in_post is not None:
        for follow_up in aftercare.follow_ups_of(need):
            aftercare.record_outcome(follow_up, adviser, in_post,
                                     m.LeavingReason.OTHER if in_post < 2 else None)
    return need


def test_the_managers_are_alerted_once_a_month_when_a_team_falls_under_the_threshold(
        app, agency, adviser, run_jobs):
    organisation_manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER, name="Inès")
    basin_manager = f.UserFactory(organisation=f.OrganisationFactory(), role=m.Role.MANAGER,
                                  name="Hugo", basins=[dijon()])
    for contacted in (True, True, False, False, False):  # 2 "yes" out of 5: 40 % < 60 %
        answered_need(agency, adviser, contacted, True)
    healthy = f.OrganisationFactory(name="Mission locale Beaune")
    healthy_adviser = f.UserFactory(organisation=healthy)
    f.UserFactory(organisation=healthy, role=m.Role.MANAGER, name="Zoé")
    for _ in range(5):
        answered_need(healthy, healthy_adviser, True, True, basin_code="2703")
    unit_of_work.commit()

    run_daily_jobs(run_jobs, app)
    alerts = outbox("satisfaction_alert")
    assert sorted(mail.recipient for mail in alerts) == sorted(
        [organisation_manager.email, basin_manager.email])
    body = next(mail.body for mail in alerts if mail.recipient == organisation_manager.email)
    assert "France Travail Dijon" in body and "2 oui sur 5 (40 %)" in body
    assert {(a.scope, a.period) for a in db.session.scalars(sa.select(m.SatisfactionAlert))} == {
        (m.AlertScope.ORGANISATION, "2026-06"), (m.AlertScope.BASIN, "2026-06")}

    clock.travel_to(datetime(2026, 6, 20, 8, 0))
    run_daily_jobs(run_jobs, app)
    assert len(outbox("satisfaction_alert")) == 2  # once per month
    clock.travel_to(datetime(2026, 7, 2, 8, 0))
    run_daily_jobs(run_jobs, app)
    assert len(outbox("satisfaction_alert")) == 4  # a new month, still under


def test_too_few_answers_or_a_lower_threshold_alert_no_one(agency, adviser):
    f.UserFactory(organisation=agency, role=m.Role.MANAGER)
    for _ in range(4):
        answered_need(agency, adviser, False, False)
    assert satisfaction.alert_low_satisfaction() == []
    satisfaction.save_settings(satisfaction.AlertSettings(threshold_percent=60, min_answers=4,
                                                          window_days=90), adviser)
    assert len(satisfaction.alert_low_satisfaction()) == 2  # the organisation and its basin
    db.session.rollback()
    satisfaction.save_settings(satisfaction.AlertSettings(threshold_percent=1, min_answers=1,
                                                          window_days=90), adviser)
    answered_need(agency, adviser, True, True)
    assert satisfaction.alert_low_satisfaction() == []


def test_the_admin_changes_the_threshold_in_french(client, admin):
    page = page_text(client.get("/admin/satisfaction"))
    assert 'value="60"' in page and "Satisfaction des employeurs" in page
    response = client.post("/admin/satisfaction", data={
        "threshold_percent": "150", "min_answers": "5", "window_days": "90"})
    assert response.status_code == 422
    assert "Indiquez un pourcentage entre 1 et 100." in page_text(response)
    client.post("/admin/satisfaction", data={
        "threshold_percent": "70", "min_answers": "3", "window_days": "60"})
    assert satisfaction.settings() == satisfaction.AlertSettings(70, 3, 60)


def test_the_results_page_per_organisation_and_basin(client, manager, agency, adviser):
    answered_need(agency, adviser, True, True, in_post=2)
    answered_need(agency, adviser, False, True, in_post=1)
    other = f.OrganisationFactory(name="Cap emploi 21")
    answered_need(other, f.UserFactory(organisation=other), True, False, basin_code="2703")
    db.session.commit()
    page = page_text(client.get("/demandes/apres-recrutement"))
    assert "Par structure pilote" in page and "Cap emploi 21" in page
    assert "75 %" in page  # 3 of the agency's 4 hires still in post
    assert "3 sur 4" in page
    response = client.get("/demandes/apres-recrutement?du=2026-07-01&au=2026-06-01")
    assert response.status_code == 422
    assert "La fin de la période doit suivre son début." in page_text(response)
    empty = page_text(client.get("/demandes/apres-recrutement?du=2025-01-01&au=2025-02-01"))
    assert "Rien à compter sur cette période." in empty


def test_the_results_page_runs_as_many_queries_with_many_teams(client, manager, adviser):
    def teams(number: int):
        for _ in range(number):
            organisation = f.OrganisationFactory()
            answered_need(organisation, f.UserFactory(organisation=organisation), True, True,
                          in_post=2)
        db.session.commit()

    teams(2)
    few = queries_for(client, "/demandes/apres-recrutement")
    teams(8)
    assert queries_for(client, "/demandes/apres-recrutement") == few


# --- the figures the indicators read ---------------------------------------------------------

def test_the_four_figures_count_only_answered_follow_ups_of_the_needs_closed_in_the_period(
        agency, adviser):
    answered_need(agency, adviser, True, True, in_post=2)
    answered_need(agency, adviser, False, True, in_post=0)
    unanswered = open_need(adviser)
    wf.close(unanswered, adviser, m.NeedStatus.FILLED, 2, None)  # due later, not answered
    elsewhere = answered_need(agency, adviser, True, False, basin_code="2703", in_post=1)

    assert figures.still_in_post_at_one_month(None, *PERIOD) == figures.Share(3, 6)
    assert figures.still_in_post_at_trial_end(None, *PERIOD).percent == 50
    survey = figures.satisfaction(None, *PERIOD)
    assert (survey.answers, survey.contacted_quickly, survey.useful) == (
        3, figures.Share(2, 3), figures.Share(2, 3))

    in_dijon = m.HiringNeed.basin_code == "2711"
    assert figures.still_in_post_at_one_month(in_dijon, *PERIOD) == figures.Share(2, 4)
    ids = sa.select(m.HiringNeed.id).where(m.HiringNeed.id == elsewhere.id)
    assert figures.useful(ids, *PERIOD) == figures.Share(0, 1)
    assert figures.contacted_quickly(ids, *PERIOD).percent == 100

    nothing = figures.still_in_post_at_one_month(None, date(2025, 1, 1), date(2025, 12, 31))
    assert nothing == figures.Share(0, 0) and nothing.percent is None  # not computable, never 0


def test_each_figure_is_one_query(agency, adviser):
    answered_need(agency, adviser, True, True, in_post=2)
    for figure in (figures.still_in_post_at_one_month, figures.still_in_post_at_trial_end,
                   figures.contacted_quickly, figures.useful):
        with count_queries() as statements:
            figure(m.HiringNeed.basin_code == "2711", *PERIOD)
        assert len(statements) == 1


def test_an_erasure_wipes_the_contact_from_the_survey_comment(adviser):
    from crm.services.privacy import erasure, holdings

    need = open_need(adviser)
    wf.close(need, adviser, m.NeedStatus.FILLED, 1, None)
    satisfaction.answer(need, True, True, "Très bien. Camille Martin, camille.martin@entreprise.fr")
    erasure.erase(holdings.find(need.contact_email), None, "Demande reçue par courriel")
    db.session.expire_all()
    comment = satisfaction.survey_of(need).comment
    assert "Camille Martin" not in comment and "camille.martin@" not in comment
    assert comment.startswith("Très bien.")
