"""Who sees and changes what, for each role (crm/services/accounts/access.py)."""

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import access
from tests import factories as f


@pytest.fixture
def network():
    """Two agencies, a Mission locale in Dijon, two chambers, and a need of each kind."""
    dijon = f.OrganisationFactory(name="France Travail Dijon")
    besancon = f.OrganisationFactory(name="France Travail Besançon")
    mission = f.OrganisationFactory(name="Mission locale Dijon",
                                    kind=m.OrganisationKind.MISSION_LOCALE)
    cci21 = f.OrganisationFactory(name="CCI 21", kind=m.OrganisationKind.CCI, is_spotter=True)
    cci25 = f.OrganisationFactory(name="CCI 25", kind=m.OrganisationKind.CCI, is_spotter=True)
    users = {
        "admin": f.UserFactory(role=m.Role.ADMIN, organisation=dijon),
        "manager": f.UserFactory(role=m.Role.MANAGER, organisation=dijon,
                                 basins=[db.session.get(m.Basin, "2711")]),
        "adviser": f.UserFactory(role=m.Role.ADVISER, organisation=dijon),
        "adviser_besancon": f.UserFactory(role=m.Role.ADVISER, organisation=besancon),
        "partner": f.UserFactory(role=m.Role.PARTNER, organisation=cci21),
        "other_partner": f.UserFactory(role=m.Role.PARTNER, organisation=cci25),
    }
    needs = {
        "dijon": f.HiringNeedFactory(organisation=dijon, basin_code="2711"),
        "besancon_flagged_by_cci21": f.HiringNeedFactory(
            organisation=besancon, basin_code="2706", source=m.NeedSource.SPOTTER,
            source_organisation=cci21),
        "mission_in_dijon_basin": f.HiringNeedFactory(organisation=mission, basin_code="2711"),
        "besancon_assigned_to_dijon_adviser": f.HiringNeedFactory(
            organisation=besancon, basin_code="2706", adviser=users["adviser"]),
    }
    return users, needs


def visible(user) -> set[int]:
    return set(db.session.scalars(sa.select(m.HiringNeed.id).where(access.need_scope(user))))


def ids(needs, *names) -> set[int]:
    return {needs[name].id for name in names}


def test_an_admin_sees_every_need(network):
    users, needs = network
    assert visible(users["admin"]) == ids(needs, *needs)


def test_a_manager_sees_the_organisation_and_the_basins(network):
    users, needs = network
    assert visible(users["manager"]) == ids(needs, "dijon", "mission_in_dijon_basin")


def test_an_adviser_sees_the_organisation_and_what_is_assigned_to_them(network):
    users, needs = network
    assert visible(users["adviser"]) == ids(needs, "dijon", "besancon_assigned_to_dijon_adviser")
    assert visible(users["adviser_besancon"]) == ids(
        needs, "besancon_flagged_by_cci21", "besancon_assigned_to_dijon_adviser"
    )


def test_a_partner_sees_only_what_its_organisation_flagged(network):
    users, needs = network
    assert visible(users["partner"]) == ids(needs, "besancon_flagged_by_cci21")
    assert visible(users["other_partner"]) == set()


def test_partners_may_not_work_a_need_even_their_own_flag(network):
    users, needs = network
    flag = needs["besancon_flagged_by_cci21"]
    assert access.can_view_need(users["partner"], flag)
    assert not access.can_work_need(users["partner"], flag)
    assert access.can_work_need(users["adviser_besancon"], flag)
    assert not access.can_work_need(users["adviser"], flag)


def test_only_staff_see_company_details_and_edit_companies(network):
    users, _ = network
    staff = [users[r] for r in ("admin", "manager", "adviser")]
    assert all(access.sees_company_details(u) and access.can_edit_company(u) for u in staff)
    assert not access.sees_company_details(users["partner"])
    assert not access.can_edit_company(users["partner"])


def test_partners_read_only_their_organisation_entries_in_the_ledger(network):
    users, _ = network
    company = f.CompanyFactory()
    own = f.InteractionFactory(company=company, user=users["partner"])
    f.InteractionFactory(company=company, user=users["other_partner"])
    f.InteractionFactory(company=company, user=users["adviser"])
    query = sa.select(m.Interaction.id)
    assert set(db.session.scalars(query.where(access.interaction_scope(users["partner"])))) == {
        own.id
    }
    assert len(db.session.scalars(query.where(access.interaction_scope(users["adviser"]))).all()) == 3


def test_only_admins_manage_accounts_routing_and_the_outbox(network):
    users, _ = network
    for role, user in users.items():
        expected = role == "admin"
        assert access.can_manage_accounts(user) is expected
        assert access.can_manage_routing(user) is expected
        assert access.can_read_outbox(user) is expected


def test_a_manager_sees_the_accounts_of_the_organisation_only(network):
    users, _ = network
    assert access.can_view_user(users["manager"], users["adviser"])
    assert not access.can_view_user(users["manager"], users["adviser_besancon"])
    assert not access.can_view_user(users["adviser"], users["manager"])
    assert access.can_view_user(users["admin"], users["other_partner"])
