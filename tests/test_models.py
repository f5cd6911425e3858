"""The schema holds the invariants: unique SIRET, valid enumerations, positive counts, delete rules."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from crm import models as m
from crm.extensions import db
from tests import factories as f

EVERY_FACTORY = [
    f.OrganisationFactory, f.UserFactory, f.ApiTokenFactory, f.CompanyFactory, f.ContactFactory,
    f.RoutingRuleFactory, f.HiringNeedFactory, f.NeedStatusChangeFactory, f.InteractionFactory,
    f.ProspectionPlanFactory, f.PlanObjectiveFactory, f.PlanTargetFactory, f.VisitFactory,
    f.VisitParticipantFactory, f.FollowUpFactory, f.EventFactory, f.EventCompanyFactory,
    f.EventRegistrationFactory, f.TrainingRequestFactory, f.AuditEventFactory,
    f.OutboxMessageFactory, f.BackgroundTaskFactory,
]


@pytest.mark.parametrize("factory", EVERY_FACTORY, ids=lambda f: f.__name__)
def test_every_model_has_a_factory_that_stores_a_row(factory):
    row = factory()
    model = factory._meta.model
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) >= 1
    assert sa.inspect(row).persistent


def test_a_siret_is_stored_once():
    company = f.CompanyFactory()
    with pytest.raises(IntegrityError):
        f.CompanyFactory(siren=company.siren, siret=company.siret)
    db.session.rollback()


def test_the_database_refuses_an_unknown_role():
    organisation = f.OrganisationFactory()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.text(
                "INSERT INTO users (email, name, password_hash, role, organisation_id, active, "
                "created_at, updated_at) VALUES ('x@y.fr', 'X', 'h', 'superuser', :org, true, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"org": organisation.id},
        )
    db.session.rollback()


def test_the_application_refuses_an_unknown_status():
    with pytest.raises((StatementError, LookupError, ValueError)):
        f.HiringNeedFactory(status="lost")
    db.session.rollback()


@pytest.mark.parametrize("positions", [0, 1000, -3])
def test_a_need_has_between_1_and_999_positions(positions):
    with pytest.raises(IntegrityError):
        f.HiringNeedFactory(positions=positions)
    db.session.rollback()


def test_a_company_with_needs_cannot_be_deleted():
    need = f.HiringNeedFactory()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(m.Company).where(m.Company.id == need.company_id))
        db.session.flush()
    db.session.rollback()


def test_deleting_an_adviser_keeps_the_need_unassigned():
    adviser = f.UserFactory()
    need = f.HiringNeedFactory(adviser=adviser, organisation=adviser.organisation)
    db.session.execute(sa.delete(m.User).where(m.User.id == adviser.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(m.HiringNeed, need.id).adviser_id is None


def test_deleting_a_company_removes_its_contacts_and_ledger_entries():
    contact = f.ContactFactory()
    f.InteractionFactory(company=contact.company)
    db.session.execute(sa.delete(m.Company).where(m.Company.id == contact.company_id))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Contact)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Interaction)) == 0


def test_an_event_needs_two_organisers_for_a_double_banner():
    agency, chamber = f.OrganisationFactory(), f.OrganisationFactory(kind=m.OrganisationKind.CCI)
    event = f.EventFactory(organisers=[agency])
    assert not event.double_banner
    event.organisers.append(chamber)
    db.session.commit()
    assert event.double_banner


def test_an_organisation_without_coverage_is_regional():
    organisation = f.OrganisationFactory()
    assert organisation.is_regional
    organisation.basins = [db.session.get(m.Basin, "2711")]
    assert not organisation.is_regional


def test_a_stale_company_edit_is_refused():
    company = f.CompanyFactory()
    db.session.execute(
        sa.update(m.Company).where(m.Company.id == company.id).values(version=company.version + 1)
        .execution_options(synchronize_session=False)
    )
    company.name = "Nouveau nom"
    with pytest.raises(sa.orm.exc.StaleDataError):
        db.session.commit()
    db.session.rollback()
