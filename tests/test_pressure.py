"""Contact pressure across actors: counts by organisation, levels at each threshold, admin settings."""

from datetime import date, datetime, timedelta

import pytest

from crm.extensions import db
from crm.models import InteractionKind
from crm.services import pressure
from crm.services.pressure import PressureLevel, Thresholds
from tests.factories import CompanyFactory, InteractionFactory, OrganisationFactory, UserFactory

NOW = datetime(2026, 11, 20, 10, 0)


def contact(company, organisation, days_ago, kind=InteractionKind.CALL):
    user = UserFactory(organisation=organisation)
    return InteractionFactory(company=company, user=user, organisation=organisation, kind=kind,
                              occurred_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def mine():
    return OrganisationFactory(name="France Travail Dijon")


@pytest.fixture
def other():
    return OrganisationFactory(name="CCI Côte-d'Or")


def test_an_untouched_firm_has_no_pressure(mine):
    result = pressure.pressure_of(CompanyFactory(), mine.id, NOW)
    assert result.level == PressureLevel.NONE
    assert (result.contacts_7d, result.contacts_30d, result.organisations_30d) == (0, 0, 0)
    assert result.reasons == []


def test_counts_by_period_and_organisation(mine, other):
    company = CompanyFactory()
    contact(company, mine, 2)
    contact(company, mine, 20)
    contact(company, other, 60)
    contact(company, other, 120)  # beyond 90 days: not counted
    result = pressure.pressure_of(company, mine.id, NOW)
    assert (result.contacts_7d, result.contacts_30d, result.contacts_90d) == (1, 2, 3)
    assert result.organisations_30d == 1
    by_name = {row.organisation_name: row for row in result.by_organisation}
    assert by_name["France Travail Dijon"].contacts_30d == 2
    assert by_name["CCI Côte-d'Or"].contacts_90d == 1


def test_requests_and_flags_are_not_solicitations(mine, other):
    company = CompanyFactory()
    contact(company, other, 1, InteractionKind.REQUEST)
    contact(company, other, 1, InteractionKind.FLAG)
    assert pressure.pressure_of(company, mine.id, NOW).contacts_7d == 0


def test_my_own_recent_contacts_alone_do_not_warn(mine):
    company = CompanyFactory()
    contact(company, mine, 1)
    contact(company, mine, 3)
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.NONE


def test_a_contact_by_another_organisation_in_the_last_seven_days_warns(mine, other):
    company = CompanyFactory()
    contact(company, other, 6)
    result = pressure.pressure_of(company, mine.id, NOW)
    assert result.level == PressureLevel.WARN
    assert result.reasons == ["Contactée par CCI Côte-d'Or le 14/11/2026."]


def test_a_contact_by_another_organisation_eight_days_ago_does_not(mine, other):
    company = CompanyFactory()
    contact(company, other, 8)
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.NONE


def test_three_contacts_by_two_organisations_in_thirty_days_warn(mine, other):
    company = CompanyFactory()
    contact(company, mine, 10)
    contact(company, mine, 12)
    contact(company, other, 25)
    result = pressure.pressure_of(company, mine.id, NOW)
    assert result.level == PressureLevel.WARN
    assert "3 contacts par 2 organisations ces 30 derniers jours." in result.reasons


def test_two_contacts_by_two_organisations_do_not_warn(mine, other):
    company = CompanyFactory()
    contact(company, mine, 10)
    contact(company, other, 25)
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.NONE


def test_a_do_not_contact_date_in_the_future_warns(mine):
    company = CompanyFactory(do_not_contact_before=date(2026, 12, 15))
    result = pressure.pressure_of(company, mine.id, NOW)
    assert result.level == PressureLevel.WARN
    assert result.reasons == ["L'entreprise demande à ne pas être contactée avant le 15/12/2026."]
    assert pressure.pressure_of(CompanyFactory(do_not_contact_before=date(2026, 11, 20)), mine.id,
                                NOW).level == PressureLevel.NONE


def test_six_contacts_in_thirty_days_is_high(mine, other):
    company = CompanyFactory()
    for days in (9, 10, 11, 12, 13):
        contact(company, mine, days)
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.NONE
    contact(company, other, 20)
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.HIGH


def test_three_organisations_in_thirty_days_is_high(mine, other):
    company = CompanyFactory()
    contact(company, mine, 10)
    contact(company, other, 15)
    contact(company, OrganisationFactory(), 20)
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.HIGH


def test_levels_for_a_page_of_firms_match_the_detail(mine, other):
    calm, busy = CompanyFactory(), CompanyFactory()
    dnc = CompanyFactory(do_not_contact_before=date(2027, 1, 1))
    contact(busy, other, 2)
    levels = pressure.levels_for([calm.id, busy.id, dnc.id], mine.id, NOW)
    assert levels == {calm.id: PressureLevel.NONE, busy.id: PressureLevel.WARN, dnc.id: PressureLevel.WARN}
    assert pressure.levels_for([], mine.id, NOW) == {}


def test_thresholds_set_by_an_admin_apply(mine, other):
    company = CompanyFactory()
    contact(company, other, 5)
    admin = UserFactory()
    pressure.save_thresholds(Thresholds(recent_other_days=3), admin)
    db.session.commit()
    assert pressure.thresholds().recent_other_days == 3
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.NONE


def test_an_admin_changes_the_thresholds_on_their_page(client, auth):
    from crm.models import AuditEvent, Role
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin)
    page = client.get("/admin/pression-de-contact")
    assert "Pression de contact" in page.get_data(as_text=True)
    data = {"warn_contacts_30d": 4, "warn_organisations_30d": 2, "recent_other_days": 10,
            "high_contacts_30d": 8, "high_organisations_30d": 3}
    assert client.post("/admin/pression-de-contact", data=data).status_code == 302
    assert pressure.thresholds() == Thresholds(4, 2, 10, 8, 3)
    assert db.session.query(AuditEvent).filter_by(action="settings_changed").count() == 1


def test_out_of_range_thresholds_are_refused_and_nothing_changes(client, auth):
    from crm.models import Role
    auth.login(UserFactory(role=Role.ADMIN))
    data = {"warn_contacts_30d": 0, "warn_organisations_30d": 2, "recent_other_days": 7,
            "high_contacts_30d": 6, "high_organisations_30d": 3}
    response = client.post("/admin/pression-de-contact", data=data)
    assert response.status_code == 422
    assert "Indiquez un nombre entre 1 et 90." in response.get_data(as_text=True)
    assert pressure.thresholds() == Thresholds()


def test_advisers_cannot_change_the_thresholds(client, auth):
    auth.login(UserFactory())
    assert client.get("/admin/pression-de-contact").status_code == 403


def test_a_task_force_visit_counts_once_for_its_lead_organisation(mine, other):
    from tests.factories import VisitFactory
    company = CompanyFactory()
    visit = VisitFactory(company=company)
    lead = contact(company, other, 2, InteractionKind.VISIT)
    lead.visit_id = visit.id
    partner = contact(company, mine, 2, InteractionKind.VISIT)
    partner.visit_id = visit.id
    db.session.commit()
    result = pressure.pressure_of(company, mine.id, NOW)
    assert (result.contacts_7d, result.organisations_30d) == (1, 1)
    assert [row.organisation_name for row in result.by_organisation] == ["CCI Côte-d'Or"]
