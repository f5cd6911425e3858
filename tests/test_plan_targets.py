"""A plan's target list: statuses that follow the ledger since each firm was added, outcomes set by
hand that override them, firms added from a segment or by SIRET, and targets shared evenly among
the plan's advisers."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import clock
from crm import models as m
from crm.extensions import db
from crm.services.plans import segments, targets
from crm.services.platform.refusals import Refused
from tests import factories as f


def status(target: m.PlanTarget) -> m.TargetStatus:
    return targets.status_of(target)


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def test_acceptance_target_statuses_follow_the_ledger(adviser):
    """ACCEPTANCE: to_contact → contacted → visited → need_found; a contact before the firm was
    added does not count; an outcome set by hand overrides, and clearing it gives the ledger back."""
    plan = f.ProspectionPlanFactory(status=m.PlanStatus.ACTIVE)
    company = f.CompanyFactory(name="Menuiserie Roy")
    added_at = m.utcnow()
    f.InteractionFactory(company=company, user=adviser, occurred_at=added_at - timedelta(days=3))
    target = f.PlanTargetFactory(plan_id=plan.id, company=company, added_at=added_at)
    assert status(target) == m.TargetStatus.TO_CONTACT

    clock.travel_to(added_at + timedelta(days=1))
    f.InteractionFactory(company=company, user=adviser, occurred_at=m.utcnow())
    assert status(target) == m.TargetStatus.CONTACTED

    f.VisitFactory(company=company, scheduled_at=m.utcnow() + timedelta(days=3))  # planned only
    assert status(target) == m.TargetStatus.CONTACTED
    f.VisitFactory(company=company, scheduled_at=m.utcnow(), status=m.VisitStatus.DONE)
    assert status(target) == m.TargetStatus.VISITED

    f.HiringNeedFactory(company=company)
    assert status(target) == m.TargetStatus.NEED_FOUND

    targets.set_outcome(target, m.TargetOutcome.NOT_INTERESTED, adviser)
    assert status(target) == m.TargetStatus.NOT_INTERESTED
    targets.set_outcome(target, None, adviser)
    assert status(target) == m.TargetStatus.NEED_FOUND
    assert target.outcome_at is None
    assert audit_actions().count("target_outcome") == 2


def test_an_outcome_overrides_a_firm_never_contacted(adviser):
    target = f.PlanTargetFactory()
    targets.set_outcome(target, m.TargetOutcome.NOT_REACHABLE, adviser)
    assert status(target) == m.TargetStatus.NOT_REACHABLE
    assert target.outcome_at is not None


def test_old_needs_and_visits_do_not_count_either(adviser):
    company = f.CompanyFactory()
    before = m.utcnow() - timedelta(days=10)
    need = f.HiringNeedFactory(company=company)
    need.created_at = before
    f.VisitFactory(company=company, scheduled_at=before, status=m.VisitStatus.DONE)
    target = f.PlanTargetFactory(company=company, added_at=m.utcnow() - timedelta(days=1))
    assert status(target) == m.TargetStatus.TO_CONTACT


def test_the_list_filters_on_the_derived_status_and_the_assignee(adviser):
    plan = f.ProspectionPlanFactory()
    called = f.PlanTargetFactory(plan_id=plan.id, assignee=adviser, added_at=m.utcnow() - timedelta(hours=1))
    f.InteractionFactory(company=called.company, user=adviser)
    untouched = f.PlanTargetFactory(plan_id=plan.id)
    contacted = db.session.execute(targets.targets_query(targets.TargetFilters(
        plan_id=plan.id, status=m.TargetStatus.CONTACTED))).all()
    assert [row.target.id for row in targets.rows_of(contacted)] == [called.id]
    mine = targets.rows_of(db.session.execute(targets.targets_query(targets.TargetFilters(
        plan_id=plan.id, assignee_id=adviser.id))).all())
    assert [row.target.id for row in mine] == [called.id]
    nobody = targets.rows_of(db.session.execute(targets.targets_query(targets.TargetFilters(
        plan_id=plan.id, unassigned=True))).all())
    assert [(row.target.id, row.status) for row in nobody] == [(untouched.id, m.TargetStatus.TO_CONTACT)]


def test_adding_sirets_says_which_were_added_already_there_or_unknown(adviser):
    plan = f.ProspectionPlanFactory()
    known = f.CompanyFactory()
    already = f.PlanTargetFactory(plan_id=plan.id).company
    spaced = f"{known.siret[:3]} {known.siret[3:]}"
    result = targets.add_sirets(plan, [spaced, already.siret, "73282932000074", known.siret], adviser)
    assert result == targets.SiretsAdded(added=[known.siret], already=[already.siret],
                                         unknown=["73282932000074"])
    assert "targets_added" in audit_actions()
    with pytest.raises(Refused, match="14 chiffres"):
        targets.add_sirets(plan, ["123"], adviser)
    with pytest.raises(Refused, match="Pas plus de 500"):
        targets.add_sirets(plan, [known.siret] * 501, adviser)


def test_adding_a_segment_adds_only_its_new_firms(manager):
    plan = f.ProspectionPlanFactory()
    region = [f.CompanyFactory(tags=[segments.REGION_TAG]) for _ in range(3)]
    f.CompanyFactory(tags=[segments.REGION_TAG], active=False)
    f.PlanTargetFactory(plan_id=plan.id, company=region[0])
    criteria = segments.parse_criteria({"tags": [segments.REGION_TAG]})
    assert targets.add_segment(plan, criteria, manager) == targets.SegmentAdded(added=2, already=1)
    rows = db.session.scalars(sa.select(m.PlanTarget).where(m.PlanTarget.plan_id == plan.id)).all()
    assert {t.company_id for t in rows} == {c.id for c in region}
    assert {t.added_by_id for t in rows if t.company_id != region[0].id} == {manager.id}
    assert targets.add_segment(plan, criteria, manager) == targets.SegmentAdded(added=0, already=3)


def test_balanced_assignment_gives_to_the_least_loaded_adviser_first(agency, mission_locale, manager):
    plan = f.ProspectionPlanFactory()
    db.session.add_all([m.PlanActor(plan_id=plan.id, organisation_id=agency.id),
                        m.PlanActor(plan_id=plan.id, organisation_id=mission_locale.id)])
    anna = f.UserFactory(organisation=agency, name="Anna")
    bob = f.UserFactory(organisation=mission_locale, name="Bob")
    f.UserFactory(organisation=agency, name="Zoé Partie", active=False)
    f.UserFactory(organisation=f.OrganisationFactory(), name="Ailleurs")
    for _ in range(2):
        f.PlanTargetFactory(plan_id=plan.id, assignee=anna)
    new = [f.PlanTargetFactory(plan_id=plan.id, company=f.CompanyFactory(name=f"Firme {i}"))
           for i in range(5)]
    assert [u.name for u in targets.plan_advisers(plan)] == ["Anna", "Bob"]
    given = targets.balance(plan, manager)
    assert given == {bob.id: 3, anna.id: 2}
    loads = dict(db.session.execute(sa.select(m.PlanTarget.assignee_id, sa.func.count())
                                    .where(m.PlanTarget.plan_id == plan.id)
                                    .group_by(m.PlanTarget.assignee_id)).all())
    assert loads == {anna.id: 4, bob.id: 3}
    # deterministic: the first firm by name goes to the least loaded adviser
    assert db.session.get(m.PlanTarget, new[0].id).assignee_id == bob.id
    assert "targets_balanced" in audit_actions()


def test_without_actors_the_basin_advisers_share_the_list(adviser, manager):
    plan = f.ProspectionPlanFactory()
    f.UserFactory(organisation=f.OrganisationFactory(), name="Hors bassin")
    assert targets.plan_advisers(plan) == [adviser]
    target = f.PlanTargetFactory(plan_id=plan.id)
    assert targets.assign(plan, [target.id], adviser.id, manager) == 1
    assert target.assignee_id == adviser.id
    outsider = f.UserFactory(organisation=f.OrganisationFactory())
    with pytest.raises(Refused, match="conseiller des organisations du plan"):
        targets.assign(plan, [target.id], outsider.id, manager)


def test_who_may_build_read_and_set_outcomes(adviser, manager, mission_locale):
    plan = f.ProspectionPlanFactory()
    elsewhere = f.ProspectionPlanFactory(basin_code="2706")
    mine = f.PlanTargetFactory(plan_id=plan.id, assignee=adviser)
    other = f.PlanTargetFactory(plan_id=plan.id)
    partner = f.UserFactory(role=m.Role.PARTNER)
    assert targets.can_build(manager, plan) and not targets.can_build(manager, elsewhere)
    assert not targets.can_build(adviser, plan)
    assert targets.can_set_outcome(adviser, plan, mine) and not targets.can_set_outcome(adviser, plan, other)
    assert not targets.can_read_targets(partner)
