"""The POE workflow as data: every transition against every role (the carrying organisation's
adviser and manager, an adviser of another organisation, an administrator, a partner), what each
move records, and training never starting before the convention."""

from datetime import date

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.platform.refusals import Refused
from crm.services.training import workflow
from tests import factories as f

S = m.TrainingStatus
ROLES = ("adviser", "manager", "other_adviser", "other_manager", "admin", "partner")
OWN_ROLE = {"adviser": m.Role.ADVISER, "manager": m.Role.MANAGER, "admin": m.Role.ADMIN}
ELIGIBLE = dict(kind=m.TrainingKind.POEI, mode=m.TrainingMode.ORGANISME,
                contract_type=m.PromisedContract.CDI, hours_body=300, priority_public=False,
                offer_filed=True, contributions_up_to_date=True, economic_layoff_12_months=False,
                refused_hire_after_poe=False, qualiopi=True, private_individual_employer=False,
                candidate="A. B.")
EARLIER_DATES = {S.IN_TRAINING: {"convention_signed_on": date(2026, 6, 1)},
                 S.COMPLETED: {"convention_signed_on": date(2026, 6, 1),
                               "training_starts_on": date(2026, 6, 2)},
                 S.HIRED: {"convention_signed_on": date(2026, 6, 1),
                           "training_starts_on": date(2026, 6, 2), "training_ends_on": date(2026, 6, 3)}}


@pytest.fixture
def people(agency, adviser, mission_locale):
    dijon = db.session.get(m.Basin, "2711")
    chamber = f.OrganisationFactory(kind=m.OrganisationKind.CCI, is_spotter=True)
    return {
        "adviser": adviser,
        "manager": f.UserFactory(organisation=agency, role=m.Role.MANAGER, basins=[dijon]),
        "other_adviser": f.UserFactory(organisation=mission_locale, basins=[dijon]),
        "other_manager": f.UserFactory(organisation=mission_locale, role=m.Role.MANAGER, basins=[dijon]),
        "admin": f.UserFactory(organisation=mission_locale, role=m.Role.ADMIN),
        "partner": f.UserFactory(organisation=chamber, role=m.Role.PARTNER),
    }


def request_in(status: m.TrainingStatus, agency: m.Organisation) -> m.TrainingRequest:
    return f.TrainingRequestFactory(status=status, organisation_id=agency.id,
                                    **ELIGIBLE | EARLIER_DATES.get(status, {}))


def allowed(transition: workflow.Transition, role: str) -> bool:
    return role in OWN_ROLE and OWN_ROLE[role] in transition.who


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", workflow.TRANSITIONS,
                         ids=lambda t: f"{t.source.value}-{t.target.value}")
def test_each_transition_for_each_role(people, agency, transition, role):
    request = request_in(transition.source, agency)
    user = people[role]
    reason = "Motif" if transition.records == workflow.Records.REASON else None
    day = date(2026, 6, 5) if transition.records == workflow.Records.DATE else None
    assert (transition in workflow.moves(user, request)) == allowed(transition, role)
    if allowed(transition, role):
        change = workflow.move(user, request, transition.target.value, reason, day)
        assert request.status == transition.target
        assert (change.reason, change.on_date) == (reason, day)
        if transition.date_field:
            assert getattr(request, transition.date_field) == day
    else:
        with pytest.raises(workflow.NotYours):
            workflow.move(user, request, transition.target.value, reason, day)
        assert request.status == transition.source


@pytest.mark.parametrize("status", list(S))
def test_moves_outside_the_table_are_refused_with_409(people, agency, status):
    request = request_in(status, agency)
    targets = {t.target for t in workflow.TRANSITIONS if t.source == status}
    for target in set(S) - targets:
        with pytest.raises(workflow.WorkflowRefused) as refused:
            workflow.move(people["admin"], request, target.value, "Motif", date(2026, 6, 5))
        assert refused.value.status == 409
    assert request.status == status


def test_training_cannot_start_before_the_convention(people, agency):
    request = request_in(S.CONVENTION_SIGNED, agency)
    request.convention_signed_on = date(2026, 6, 5)
    with pytest.raises(workflow.WorkflowRefused, match="convention"):
        workflow.move(people["adviser"], request, "in_training", day=date(2026, 6, 4))
    workflow.move(people["adviser"], request, "in_training", day=date(2026, 6, 5))
    assert request.training_starts_on == date(2026, 6, 5)


def test_dates_and_reasons_are_required_and_never_in_the_future(people, agency):
    with pytest.raises(Refused, match="date"):
        workflow.move(people["adviser"], request_in(S.APPROVED, agency), "convention_signed")
    with pytest.raises(Refused, match="futur"):
        workflow.move(people["adviser"], request_in(S.APPROVED, agency), "convention_signed",
                      day=date(2026, 6, 11))
    with pytest.raises(Refused, match="motif"):
        workflow.move(people["manager"], request_in(S.UNDER_REVIEW, agency), "rejected", " ")


def test_closing_pseudonymises_the_candidate_and_is_audited(people, agency):
    request = request_in(S.COMPLETED, agency)
    workflow.move(people["adviser"], request, "not_hired", "Candidat parti sur un autre poste")
    db.session.flush()
    assert request.candidate == f"Candidat n° {request.id}" and request.candidate_pseudonymised_at
    event = db.session.query(m.AuditEvent).filter_by(action="training_transition").one()
    assert event.changes["status"] == ["completed", "not_hired"]


def test_stalled_requests_are_reminded_once_a_day_to_their_author(people, agency, project_clock):
    from datetime import datetime, timedelta

    from crm.services.training import reminders
    from jobs.training import remind_stalled_training_requests

    adviser = people["adviser"]
    now = datetime(2026, 6, 10, 6, 10)
    stalled = request_in(S.SUBMITTED, agency)
    stalled.created_by_id = adviser.id
    stalled.status_changed_at = now - timedelta(days=6)
    fresh = request_in(S.SUBMITTED, agency)
    fresh.created_by_id = adviser.id
    fresh.status_changed_at = now - timedelta(days=4)
    in_training = request_in(S.IN_TRAINING, agency)  # no delay for a training under way
    in_training.created_by_id = adviser.id
    in_training.status_changed_at = now - timedelta(days=90)
    need = f.HiringNeedFactory(organisation=agency, adviser=people["manager"])
    wish = request_in(S.DRAFT, agency)  # from the employer: no author, the need's adviser is told
    wish.need_id, wish.status_changed_at = need.id, now - timedelta(days=15)
    db.session.commit()
    project_clock.travel_to(now)
    assert remind_stalled_training_requests() == 2
    mails = {mail.recipient: mail for mail in db.session.query(m.OutboxMessage).filter_by(
        kind=reminders.KIND)}
    assert set(mails) == {adviser.email, people["manager"].email}
    assert f"POE n° {stalled.id}" in mails[adviser.email].body
    assert f"POE n° {fresh.id}" not in mails[adviser.email].body
    assert f"POE n° {in_training.id}" not in mails[adviser.email].body
    assert remind_stalled_training_requests() == 0  # not twice in 20 hours
