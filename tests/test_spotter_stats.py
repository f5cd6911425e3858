"""Managers' indicators per offer-spotter organisation: flags, hires, median time to first
contact, flags still waiting, and the employer's agreement to be contacted."""

from datetime import datetime, timedelta

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.needs import spotter_stats
from crm.services.needs.spotter_stats import working_days_between
from tests import factories as f
from tests.helpers import basin, page_text, queries_for

PAGE_URL = "/pilotage/reperage"
CSV_URL = "/pilotage/reperage.csv"
NOW = datetime(2026, 4, 10, 12, 0)


def spotter(name: str, kind=m.OrganisationKind.CCI) -> m.Organisation:
    return f.OrganisationFactory(name=name, kind=kind, is_spotter=True)


def flag(organisation, created_at, first_contact_at=None, status=m.NeedStatus.IN_PROGRESS,
         hires=None, agreed=None, basin_code="2711"):
    return f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=organisation,
                               created_at=created_at, first_contact_at=first_contact_at,
                               status=status, hires=hires, employer_agreed_contact=agreed,
                               basin_code=basin_code)


@pytest.fixture
def flags():
    """Two spotter organisations with flags whose outcomes and contact times are known.

    CCI (Dijon basin): delays 0.25, 0.5 (over a weekend) and 2 working days, one still waiting;
    one hire out of four; two employers agreed. OPCO (Besançon basin): a delay of 1 working day
    over Easter Monday, one hire out of two, one cancelled flag never contacted."""
    cci, opco = spotter("CCI Côte-d'Or"), spotter("OPCO EP", m.OrganisationKind.OPCO)
    flag(cci, datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 15), m.NeedStatus.FILLED, 2, True)
    flag(cci, datetime(2026, 3, 6, 18), datetime(2026, 3, 9, 6), m.NeedStatus.PARTLY_FILLED, 0,
         True)
    flag(cci, datetime(2026, 3, 3, 12), datetime(2026, 3, 5, 12), agreed=False)
    flag(cci, datetime(2026, 3, 4, 10), status=m.NeedStatus.ASSIGNED)
    flag(opco, datetime(2026, 4, 3, 12), datetime(2026, 4, 7, 12), m.NeedStatus.PARTLY_FILLED, 1,
         True, basin_code="2706")
    flag(opco, datetime(2026, 4, 1, 9), status=m.NeedStatus.CANCELLED, agreed=False,
         basin_code="2706")
    f.HiringNeedFactory(created_at=datetime(2026, 3, 2, 9))  # a public-form request: not a flag
    return cci, opco


def admin_user() -> m.User:
    return f.UserFactory(role=m.Role.ADMIN)


def dijon_manager() -> m.User:
    return f.UserFactory(role=m.Role.MANAGER, basins=[basin("2711")])


# Working time


@pytest.mark.parametrize("start, end, days", [
    (datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 15), 0.25),
    (datetime(2026, 3, 6, 18), datetime(2026, 3, 9, 6), 0.5),
    (datetime(2026, 3, 7, 10), datetime(2026, 3, 8, 20), 0.0),
    (datetime(2026, 4, 3, 12), datetime(2026, 4, 7, 12), 1.0),
    (datetime(2026, 3, 2, 0), datetime(2026, 3, 9, 0), 5.0),
])
def test_working_time_leaves_out_weekends_and_public_holidays(start, end, days):
    assert working_days_between(start, end) == pytest.approx(days)


# The computation


def test_the_indicators_are_computed_per_spotter_organisation(flags):
    cci, opco = flags
    stats = spotter_stats.spotter_stats(admin_user())
    assert [s.organisation_name for s in stats] == ["CCI Côte-d'Or", "OPCO EP"]
    first, second = stats
    assert (first.organisation_id, first.flags, first.hired, first.waiting, first.agreed) == (
        cci.id, 4, 1, 1, 2)
    assert first.median_days_to_contact == pytest.approx(0.5)
    assert first.hired_share == 0.25 and first.agreed_share == 0.5
    assert (second.organisation_id, second.flags, second.hired, second.waiting, second.agreed) == (
        opco.id, 2, 1, 0, 1)
    assert second.median_days_to_contact == pytest.approx(1.0)


def test_a_median_over_an_even_number_of_contacts_is_the_mean_of_the_middle_two():
    ett = spotter("Intérim Dijon", m.OrganisationKind.ETT)
    flag(ett, datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 15))
    flag(ett, datetime(2026, 3, 2, 9), datetime(2026, 3, 3, 9))
    [stats] = spotter_stats.spotter_stats(admin_user())
    assert stats.median_days_to_contact == pytest.approx(0.625)


def test_an_organisation_without_any_contact_has_no_median():
    flag(spotter("URSSAF"), datetime(2026, 3, 2, 9))
    [stats] = spotter_stats.spotter_stats(admin_user())
    assert stats.median_days_to_contact is None and stats.waiting == 1


def test_the_period_keeps_only_recent_flags(flags):
    admin = admin_user()
    assert [s.flags for s in spotter_stats.spotter_stats(admin, "30", now=NOW)] == [2]
    assert [s.flags for s in spotter_stats.spotter_stats(admin, "90", now=NOW)] == [4, 2]
    assert [s.flags for s in spotter_stats.spotter_stats(admin, "tout", now=NOW)] == [4, 2]


def test_managers_only_count_flags_in_their_scope(flags):
    stats = spotter_stats.spotter_stats(dijon_manager())
    assert [(s.organisation_name, s.flags) for s in stats] == [("CCI Côte-d'Or", 4)]


def test_flags_sent_to_the_managers_organisation_count_too(flags):
    cci, opco = flags
    manager = dijon_manager()
    flag(opco, datetime(2026, 4, 2, 9), basin_code="2706").organisation_id = (
        manager.organisation_id)
    db.session.commit()
    stats = spotter_stats.spotter_stats(manager)
    assert [(s.organisation_name, s.flags) for s in stats] == [("CCI Côte-d'Or", 4),
                                                               ("OPCO EP", 1)]


# The page and its export


@pytest.mark.parametrize("role", [m.Role.ADVISER, m.Role.PARTNER])
def test_advisers_and_partners_get_403(auth, client, role):
    auth.login(f.UserFactory(role=role))
    assert client.get(PAGE_URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(PAGE_URL)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_manager_reads_the_table_of_their_scope(auth, client, flags):
    auth.login(dijon_manager())
    text = page_text(client.get(PAGE_URL))
    assert "CCI Côte-d'Or" in text and "OPCO EP" not in text
    row = text[text.index("CCI Côte-d'Or"):text.index("</tr>", text.index("CCI Côte-d'Or"))]
    assert "1 (25 %)" in row and "0,5 jour ouvré" in row and "50 %" in row


def test_the_admin_sees_every_organisation_most_flags_first(auth, client, flags):
    auth.login(admin_user())
    text = page_text(client.get(PAGE_URL))
    assert text.index("CCI Côte-d'Or") < text.index("OPCO EP")
    assert "1,0 jour ouvré" in text and "1 (50 %)" in text


def test_the_page_filters_by_period(auth, client):
    auth.login(admin_user())
    flag(spotter("CMA récente"), m.utcnow() - timedelta(days=10))
    flag(spotter("CMA ancienne"), m.utcnow() - timedelta(days=100))
    text = page_text(client.get(PAGE_URL, query_string={"period": "30"}))
    assert "CMA récente" in text and "CMA ancienne" not in text
    text = page_text(client.get(PAGE_URL, query_string={"period": "365"}))
    assert "CMA récente" in text and "CMA ancienne" in text


def test_an_empty_scope_shows_a_french_empty_state(auth, client):
    auth.login(dijon_manager())
    text = page_text(client.get(PAGE_URL))
    assert "Aucun signalement d'un partenaire sur cette période." in text


def test_the_csv_export_is_ready_for_a_french_spreadsheet(auth, client, flags):
    auth.login(admin_user())
    response = client.get(CSV_URL)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines == [
        "Organisation;Signalements;Contributions;Signalements suivis d'une embauche;"
        "Part suivie d'une embauche (%);Délai médian du premier contact (jours ouvrés);"
        "En attente d'un premier contact;Part avec accord de l'employeur (%)",
        "CCI Côte-d'Or;4;0;1;25,0;0,5;1;50,0",
        "OPCO EP;2;0;1;50,0;1,0;0;50,0",
    ]


def test_the_csv_export_follows_the_scope_and_period(auth, client, flags):
    auth.login(dijon_manager())
    lines = client.get(CSV_URL, query_string={"period": "30"}).get_data().decode(
        "utf-8-sig").splitlines()
    assert len(lines) == 1


@pytest.mark.parametrize("url", [PAGE_URL, CSV_URL])
def test_queries_do_not_grow_with_organisations_or_flags(auth, client, url):
    auth.login(admin_user())

    def add_organisations(count: int) -> None:
        for _ in range(count):
            organisation = f.OrganisationFactory(kind=m.OrganisationKind.FEDERATION,
                                                 is_spotter=True)
            flag(organisation, datetime(2026, 3, 2, 9), datetime(2026, 3, 3, 9))
            flag(organisation, datetime(2026, 3, 2, 9), status=m.NeedStatus.FILLED, hires=1)

    add_organisations(2)
    few = queries_for(client, url)
    add_organisations(8)
    assert queries_for(client, url) == few
