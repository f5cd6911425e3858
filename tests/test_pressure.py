"""Contact pressure across actors: counts by organisation, levels at each threshold, admin settings."""

from datetime import date, datetime, timedelta

import pytest

from crm import models as m
from crm.extensions import db
from crm.models import InteractionKind
from crm.services.accounts import users
from crm.services.companies import pressure
from crm.services.companies.pressure import PressureLevel, Thresholds
from tests.factories import (
    CompanyFactory,
    InteractionFactory,
    OrganisationFactory,
    UserFactory,
    VisitFactory,
)
from tests.helpers import page_text

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


def visit_by(company, organisations, days_ago):
    """A done visit with one ledger row per organisation present, as the visit service writes it."""
    visit = VisitFactory(company=company)
    for organisation in organisations:
        contact(company, organisation, days_ago, InteractionKind.VISIT).visit_id = visit.id
    db.session.commit()
    return visit


def test_a_task_force_visit_is_one_contact_by_every_organisation_present(mine, other):
    company = CompanyFactory()
    third = OrganisationFactory(name="Mission locale Dijon")
    visit_by(company, [other, mine, third], 2)
    result = pressure.pressure_of(company, mine.id, NOW)
    assert (result.contacts_7d, result.contacts_30d, result.contacts_90d) == (1, 1, 1)
    assert result.organisations_30d == 3
    assert sorted(row.organisation_name for row in result.by_organisation) == [
        "CCI Côte-d'Or", "France Travail Dijon", "Mission locale Dijon"]
    assert all(row.contacts_30d == 1 for row in result.by_organisation)
    # three organisations in 30 days reach the "high" threshold, as the reasons say
    assert result.level == PressureLevel.HIGH
    assert "Contactée par CCI Côte-d'Or le 18/11/2026." in result.reasons
    assert "Contactée par Mission locale Dijon le 18/11/2026." in result.reasons
    assert pressure.levels_for([company.id], mine.id, NOW) == {company.id: PressureLevel.HIGH}
    assert result.as_api(True)["contacts_30d"] == 1 and result.as_api(True)["organisations_30d"] == 3


def test_visits_and_calls_add_up_visits_once(mine, other):
    company = CompanyFactory()
    visit_by(company, [mine, other], 3)
    visit_by(company, [mine, other], 40)
    contact(company, other, 1)
    result = pressure.pressure_of(company, mine.id, NOW)
    assert (result.contacts_7d, result.contacts_30d, result.contacts_90d) == (2, 2, 3)
    by_name = {row.organisation_name: row for row in result.by_organisation}
    assert (by_name["CCI Côte-d'Or"].contacts_30d, by_name["France Travail Dijon"].contacts_30d) == (2, 1)
    # two contacts by two organisations: under the default warning of three contacts
    limits = Thresholds(warn_contacts_30d=3, recent_other_days=0)
    pressure.save_thresholds(limits, UserFactory())
    assert pressure.levels_for([company.id], mine.id, NOW)[company.id] == PressureLevel.NONE
    assert pressure.pressure_of(company, mine.id, NOW).level == PressureLevel.NONE


def test_the_visit_page_company_banner_and_api_agree_on_a_three_organisation_visit(client, auth):
    basin = db.session.get(m.Basin, "2711")
    agency = OrganisationFactory(name="France Travail Dijon", basins=[basin])
    adviser = UserFactory(organisation=agency, name="Paul Girard", basins=[basin])
    people = [adviser,
              UserFactory(organisation=OrganisationFactory(name="Mission locale Dijon"), name="Léa Moreau"),
              UserFactory(organisation=OrganisationFactory(name="CCI Côte-d'Or"), name="Marc Petit")]
    company = CompanyFactory(name="Chaudronnerie Bourgogne")
    auth.login(adviser)
    response = client.post(f"/entreprises/{company.id}/visites/nouvelle", data={
        "scheduled_at": "2026-06-09T10:00", "mode": "on_site", "status": "done",
        "participants": [str(person.id) for person in people],
        "purpose": "Présenter les aides au recrutement.", "findings": "Deux départs en retraite.",
    })
    assert response.status_code == 302

    visit_page = page_text(client.get(response.headers["Location"]))
    assert ("la visite compte comme un seul contact de l'entreprise, et chaque organisation présente "
            "figure parmi celles qui l'ont contactée") in " ".join(visit_page.split())
    for name in ("France Travail Dijon", "Mission locale Dijon", "CCI Côte-d'Or"):
        assert name in visit_page

    company_page = " ".join(page_text(client.get(f"/entreprises/{company.id}")).split())
    assert "1 contact en 7 jours, 1 en 30 jours (3 organisations), 1 en 90 jours." in company_page
    for name in ("Mission locale Dijon", "CCI Côte-d'Or"):
        assert f"Contactée par {name} le 09/06/2026." in company_page
        assert f"<strong>{name}</strong> : 1 en 7 jours, 1 en 30 jours" in company_page
    assert "<strong>France Travail Dijon</strong> : 1 en 7 jours, 1 en 30 jours" in company_page

    token = users.issue_api_token(adviser)
    db.session.commit()
    body = client.get(f"/api/v1/companies/{company.siret}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["contact_pressure"] | {"do_not_contact_before": None} == {
        "contacts_7d": 1, "contacts_30d": 1, "organisations_30d": 3, "level": "high",
        "do_not_contact_before": None}
