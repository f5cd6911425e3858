"""The committee indicators on a fixture built for them: firms in two basins, needs from every
source, contacts in and out of the period (at the edges of French days), a task-force visit, late
and on-time first contacts, filled, unfilled and cancelled needs, follow-ups and survey answers.
Every indicator equals the value computed by hand in the comments."""

import html
import io
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from crm import models as m
from crm.extensions import db
from crm.services.accounts import users
from crm.services.indicators import definitions, figures, scope, tables
from crm.services.indicators.scope import Level, Period, Scope
from crm.services.platform.refusals import InvalidInput
from crm.services.platform.working_days import first_contact_deadline
from tests import factories as f
from tests.helpers import assert_constant_queries, count_queries, page_text, queries_for, text_of
from tests.test_api import token_for
from tests.test_openapi import ApiClient

MAY = Period(date(2026, 5, 1), date(2026, 5, 31))  # the clock reads 10 June 2026
DIJON = Scope(Level.BASIN, "2711", "Dijon")
COTE_DOR = Scope(Level.DEPARTEMENT, "21", "Côte-d'Or")
DOUBS = Scope(Level.DEPARTEMENT, "25", "Doubs")
REGION = Scope(Level.REGION, "27", "Bourgogne-Franche-Comté")


def utc(*parts: int) -> datetime:
    return datetime(*parts)


def firm(name: str, band: str | None, active: bool = True, basin: str = "2711") -> m.Company:
    commune, postal = ("21231", "21000") if basin == "2711" else ("25056", "25000")
    return f.CompanyFactory(name=name, headcount_band=band, active=active, basin_code=basin,
                            commune_code=commune, postal_code=postal)


def contact(company: m.Company, user: m.User, at: datetime, **values) -> m.Interaction:
    return f.InteractionFactory(company=company, user=user, occurred_at=at, **values)


def need(company: m.Company, source: m.NeedSource, filed: datetime, positions: int = 1,
         contacted: datetime | None = None, status: m.NeedStatus = m.NeedStatus.IN_PROGRESS,
         closed: datetime | None = None, hires: int | None = None, **values) -> m.HiringNeed:
    return f.HiringNeedFactory(
        company=company, source=source, created_at=filed, positions=positions,
        first_contact_due_at=first_contact_deadline(filed), first_contact_at=contacted,
        status=status, closed_at=closed, hires=hires, basin_code=company.basin_code,
        commune_code=company.commune_code, **values)


def follow_up(need: m.HiringNeed, checkpoint: m.Checkpoint, hires: int,
              in_post: int | None) -> None:
    db.session.add(m.HireFollowUp(
        need_id=need.id, checkpoint=checkpoint, due_on=date(2026, 6, 1), hires=hires,
        rule="test", in_post=in_post,
        answered_at=None if in_post is None else utc(2026, 6, 5, 9, 0)))


def survey(need: m.HiringNeed, contacted_quickly: bool | None, useful: bool | None) -> None:
    answered = contacted_quickly is not None
    db.session.add(m.NeedSurvey(need_id=need.id, sent_at=utc(2026, 6, 1, 8, 0),
                                answered_at=utc(2026, 6, 2, 9, 0) if answered else None,
                                contacted_quickly=contacted_quickly, useful=useful))


@pytest.fixture
def committee_data(agency):
    """Dijon basin (2711, Côte-d'Or): A (10-19 employees), B (6-9), C (10,000 and more), D (band
    unknown), E (closed, 10-19), F (never contacted): 5 active establishments. Besançon basin
    (2706, Doubs): G (10-19)."""
    local = f.OrganisationFactory(name="Mission locale du Dijonnais",
                                  kind=m.OrganisationKind.MISSION_LOCALE)
    paul = f.UserFactory(organisation=agency, name="Paul")
    lea = f.UserFactory(organisation=local, name="Léa")
    a, b, c = firm("A", "11"), firm("B", "03"), firm("C", "53")
    d, e = firm("D", None), firm("E", "11", active=False)
    firm("F", "12")
    g = firm("G", "11", basin="2706")

    # contacts: A called and visited by a task force (two ledger rows, one visit): counted once
    contact(a, paul, utc(2026, 5, 5, 9, 0))
    task_force = f.VisitFactory(company=a, scheduled_at=utc(2026, 5, 12, 8, 0),
                                status=m.VisitStatus.DONE)
    for person in (paul, lea):
        f.VisitParticipantFactory(visit_id=task_force.id, user=person)
        contact(a, person, utc(2026, 5, 12, 9, 0), kind=m.InteractionKind.VISIT,
                visit_id=task_force.id)
    contact(b, paul, utc(2026, 5, 20, 9, 0), kind=m.InteractionKind.EMAIL)
    f.VisitFactory(company=b, scheduled_at=utc(2026, 5, 25, 8, 0))  # planned: not a visit done
    contact(c, paul, utc(2026, 4, 30, 22, 30))  # 1 May, 00:30 in Paris: in May
    contact(c, paul, utc(2026, 5, 31, 22, 30))  # 1 June, 00:30 in Paris: out
    f.VisitFactory(company=c, scheduled_at=utc(2026, 6, 2, 8, 0), status=m.VisitStatus.DONE)
    contact(d, paul, utc(2026, 4, 15, 9, 0))  # the previous period
    contact(d, paul, utc(2026, 5, 15, 9, 0))
    contact(e, paul, utc(2026, 5, 10, 9, 0))  # closed firm: contacted, not an establishment
    contact(g, paul, utc(2026, 5, 6, 9, 0))
    # a year before: A visited
    f.VisitFactory(company=a, scheduled_at=utc(2025, 5, 15, 8, 0), status=m.VisitStatus.DONE)
    contact(a, paul, utc(2025, 5, 15, 9, 0), kind=m.InteractionKind.VISIT)

    S = m.NeedSource
    pilot = {"organisation": agency}
    # filed in May (Dijon): deadlines are the end of the 2nd working day after filing
    n1 = need(a, S.PUBLIC_FORM, utc(2026, 5, 4, 9, 0), 2, contacted=utc(2026, 5, 5, 10, 0),
              status=m.NeedStatus.FILLED, closed=utc(2026, 5, 20, 10, 0), hires=2, **pilot)
    # Thu 7 May; Fri 8 May is a holiday: due Tue 12 May; contacted Wed 13: 3 working days, late
    n2 = need(b, S.SPOTTER, utc(2026, 5, 7, 10, 0), 3, contacted=utc(2026, 5, 13, 9, 0),
              status=m.NeedStatus.PARTLY_FILLED, closed=utc(2026, 5, 28, 10, 0), hires=1,
              closing_reason=m.ClosingReason.OTHER_CHANNEL, **pilot)
    n3 = need(c, S.VISIT, utc(2026, 5, 12, 14, 0), 1, contacted=utc(2026, 5, 12, 15, 0),
              status=m.NeedStatus.UNFILLED, closed=utc(2026, 5, 29, 10, 0), hires=0,
              outcome_reason="Aucun candidat", closing_reason=m.ClosingReason.LACK_OF_CANDIDATES,
              **pilot)
    need(d, S.API, utc(2026, 5, 26, 8, 0), 4, **pilot)  # never contacted, due 28 May: late
    # Fri 29 May: due Tue 2 June, contacted Wed 3 June: 3 working days, late
    need(a, S.EVENT, utc(2026, 5, 29, 8, 0), 1, contacted=utc(2026, 6, 3, 9, 0))
    # cancelled without a closing reason (closed before the list): "non renseigné"
    need(b, S.PUBLIC_FORM, utc(2026, 5, 15, 8, 0), 1, contacted=utc(2026, 5, 15, 12, 0),
         status=m.NeedStatus.CANCELLED, closed=utc(2026, 5, 18, 8, 0), **pilot)
    # filed in April, closed in May with more hires than positions
    n7 = need(a, S.PUBLIC_FORM, utc(2026, 4, 20, 8, 0), 2, contacted=utc(2026, 4, 21, 8, 0),
              status=m.NeedStatus.FILLED, closed=utc(2026, 5, 5, 8, 0), hires=3)
    # Besançon
    n8 = need(g, S.SPOTTER, utc(2026, 5, 6, 8, 0), 2, contacted=utc(2026, 5, 6, 9, 0),
              status=m.NeedStatus.FILLED, closed=utc(2026, 5, 20, 8, 0), hires=2)

    follow_up(n1, m.Checkpoint.ONE_MONTH, 2, 2)
    follow_up(n1, m.Checkpoint.TRIAL_END, 2, 1)
    follow_up(n2, m.Checkpoint.ONE_MONTH, 1, 0)
    follow_up(n2, m.Checkpoint.TRIAL_END, 1, None)  # not answered: left out
    follow_up(n7, m.Checkpoint.ONE_MONTH, 3, None)
    survey(n1, True, True)
    survey(n3, False, True)
    survey(n2, None, None)  # sent, not answered
    survey(n8, True, False)
    db.session.commit()
    return {"agency": agency, "local": local}


DIJON_MAY = {
    "companies_contacted": 5,  # A, B, C (1 May in Paris), D, E
    "companies_visited": 1,  # A (task force); B's visit is planned, C's is in June
    "penetration_rate": 80.0,  # A, B, C, D active of A, B, C, D, F
    "tpe_pme_share": 75.0,  # A, B, E of A, B, C, E (D: band unknown)
    "needs_collected": 6,
    "needs_collected_public_form": 2,
    "needs_collected_spotter": 1,
    "needs_collected_visit": 1,
    "needs_collected_api": 1,
    "needs_collected_event": 1,
    "positions": 12,  # 2 + 3 + 1 + 4 + 1 + 1
    "needs_per_1000_establishments": 1200.0,  # 6 × 1000 ÷ 5
    "median_first_contact_working_days": 1.0,  # 0, 0, 1, 3, 3
    "first_contact_within_2_days": 50.0,  # n1, n3, the cancelled one: 3 of 6
    "fill_rate": 75.0,  # n1, n2, n7 of n1, n2, n3, n7 (the cancelled one left out)
    "positions_filled": 5,  # 2 + 1 + min(3, 2)
    "needs_filled": 3,  # n1, n2, n7
    "hires": 6,  # 2 + 1 + 0 + 3
    "median_time_to_fill_days": 16.0,  # 16 (n1), 21 (n2), 15 (n7)
    # n3 of n1, n7 (filled), n2 (another channel), n3; the cancelled one has no reason recorded
    "closed_for_lack_of_candidates": 25.0,
    "still_in_post_one_month": 66.7,  # (2 + 0) ÷ (2 + 1); n7 not answered
    "still_in_post_trial_end": 50.0,  # 1 ÷ 2
    "satisfaction_contacted_quickly": 50.0,  # n1 yes, n3 no
    "satisfaction_useful": 100.0,
    # no event, no POE request in this fixture (tests/test_indicator_breakdowns.py has them)
    "events_held": 0,
    "event_firms": 0,
    "event_candidates": 0,
    "event_interviews": None,  # no firm declared its results
    "event_hires": None,
    "training_requests": 0,
    "training_frap_requests": 0,
    "training_approved": 0,
    "training_entries": 0,
    "training_hires": 0,
    "training_hire_rate": None,  # no request with a known outcome
    "spotter_hire_conversion": 100.0,  # n2, partly filled with one hire, of n2
    "spotter_median_first_contact_working_days": 3.0,  # n2: 3 working days
}


def values(found: dict[str, figures.Figure]) -> dict[str, float | None]:
    return {key: figure.value for key, figure in found.items()}


def test_every_indicator_of_a_basin_equals_its_hand_computed_value(committee_data):
    found = figures.figures(DIJON, MAY)
    assert values(found) == DIJON_MAY
    assert list(found) == list(definitions.KEYS)
    assert all(figure.available == (DIJON_MAY[key] is not None) for key, figure in found.items())


def test_the_departement_holds_its_basins_firms_and_the_region_all(committee_data):
    assert values(figures.figures(COTE_DOR, MAY)) == DIJON_MAY
    doubs = figures.figures(DOUBS, MAY)
    assert (doubs["companies_contacted"].value, doubs["needs_collected_spotter"].value,
            doubs["fill_rate"].value, doubs["penetration_rate"].value,
            doubs["satisfaction_useful"].value,
            doubs["closed_for_lack_of_candidates"].value) == (1, 1, 100.0, 100.0, 0.0, 0.0)
    assert doubs["still_in_post_one_month"].available is False  # nothing answered: not 0
    region = figures.figures(REGION, MAY)
    assert (region["companies_contacted"].value, region["needs_collected"].value,
            region["penetration_rate"].value, region["hires"].value,
            region["median_time_to_fill_days"].value,
            region["satisfaction_contacted_quickly"].value,
            region["closed_for_lack_of_candidates"].value) == (6, 7, round(500 / 6, 1), 8, 15.5,
                                                                round(200 / 3, 1), 20.0)


def test_the_previous_period_and_a_year_before(committee_data):
    assert MAY.previous == Period(date(2026, 3, 31), date(2026, 4, 30))
    assert MAY.year_before == Period(date(2025, 5, 1), date(2025, 5, 31))
    assert Period(date(2028, 2, 29), date(2028, 3, 1)).year_before.start == date(2027, 2, 28)
    board = figures.dashboard(DIJON, MAY)
    april = {row.definition.key: row.previous for row in board.rows}
    assert (april["companies_contacted"].value, april["needs_collected"].value,
            april["first_contact_within_2_days"].value, april["hires"].value) == (1, 1, 100.0, 0)
    # nothing closed in April: the shares and medians are not available, never 0
    for key in ("fill_rate", "median_time_to_fill_days", "still_in_post_one_month",
                "closed_for_lack_of_candidates"):
        assert (april[key].available, april[key].value) == (False, None)
    year_before = board.row("companies_visited").year_before
    assert year_before.value == 1
    assert board.row("penetration_rate").year_before.value == 20.0  # A of today's 5 firms


def test_a_past_period_counts_the_firms_contacted_in_it_whatever_came_after(agency):
    """H called in January and July, silent in May; I called three times in May and again in
    June; J first called in June; K called on 30 April, 23:00 and 1 June, 00:30 in Paris; L called
    in May only: May counts I and L, once each."""
    paul = f.UserFactory(organisation=agency)
    h, i, j, k, lo = (firm(name, "11") for name in "HIJKL")
    for company, moments in ((h, [utc(2026, 1, 10, 9, 0), utc(2026, 7, 1, 9, 0)]),
                             (i, [utc(2026, 5, 20, 9, 0), utc(2026, 5, 10, 9, 0), utc(2026, 6, 15, 9, 0),
                                  utc(2026, 5, 10, 9, 0)]),
                             (j, [utc(2026, 6, 10, 9, 0)]),
                             (k, [utc(2026, 5, 31, 22, 30), utc(2026, 4, 30, 21, 0)]),
                             (lo, [utc(2026, 5, 2, 9, 0)])):
        for moment in moments:  # logged out of order, one twice at the same instant
            contact(company, paul, moment)
    db.session.commit()

    assert figures.figures(DIJON, MAY, ("companies_contacted",))["companies_contacted"].value == 2
    spring = Period(date(2026, 1, 1), date(2026, 5, 31))
    assert figures.figures(DIJON, spring, ("companies_contacted",))["companies_contacted"].value == 4


def test_an_organisation_counts_its_own_work(committee_data):
    local = Scope(Level.BASIN, "2711", "Dijon", committee_data["local"].id)
    found = figures.figures(local, MAY)
    assert (found["companies_contacted"].value, found["companies_visited"].value,
            found["needs_collected"].value) == (1, 1, 0)
    assert found["fill_rate"].available is False
    agency = figures.figures(Scope(Level.BASIN, "2711", "Dijon", committee_data["agency"].id), MAY)
    assert (agency["companies_visited"].value, agency["needs_collected"].value,
            agency["hires"].value) == (1, 5, 3)


def test_an_empty_area_is_not_available_rather_than_zero():
    found = figures.figures(DIJON, MAY)
    assert found["companies_contacted"].value == 0
    for key in ("penetration_rate", "tpe_pme_share", "needs_per_1000_establishments", "fill_rate",
                "median_first_contact_working_days", "first_contact_within_2_days",
                "median_time_to_fill_days", "satisfaction_useful"):
        assert (found[key].value, found[key].available) == (None, False), key


def test_all_the_indicators_of_three_periods_take_a_fixed_number_of_queries(committee_data):
    with count_queries() as statements:
        figures.dashboard(DIJON, MAY)
    assert len(statements) <= 3 * 13


def test_scopes_and_periods_are_checked_in_french():
    assert scope.parse_scope("basin", "2711").name == "Dijon"
    assert scope.parse_scope("region", "").code == "27"
    assert scope.parse_scope("departement", "21").name == "Côte-d'Or"
    for level, code, field in (("pays", "FR", "level"), ("region", "11", "code"),
                               ("basin", "9999", "code"), ("departement", "", "code")):
        with pytest.raises(InvalidInput) as refused:
            scope.parse_scope(level, code)
        assert field in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        scope.parse_period("2026-05-31", "2026-05-01")
    assert refused.value.fields == {"to": ["La fin de la période précède son début."]}
    with pytest.raises(InvalidInput):
        scope.parse_period("31/05/2026", "2026-06-01")
    assert scope.parse_period("2026-05-01", "2026-05-31") == MAY


def test_each_definition_is_written_once_in_french():
    assert len(set(definitions.KEYS)) == len(definitions.DEFINITIONS)
    assert set(figures.FUNCTIONS) == set(definitions.KEYS)
    for definition in definitions.DEFINITIONS:
        assert definition.label and definition.unit and definition.definition.endswith(".")


# --- the dashboard page, its exports and the glossary -------------------------------------------

PAGE = "/pilotage/indicateurs?level=basin&code=2711&from=2026-05-01&to=2026-05-31"


def test_the_dashboard_shows_each_figure_with_its_comparisons_and_links(client, committee_data,
                                                                         admin):
    response = client.get(PAGE)
    assert response.status_code == 200
    text = page_text(response)
    assert "Bassin d'emploi : Dijon, du 01/05/2026 au 31/05/2026" in text
    assert "du 31/03/2026 au 30/04/2026" in text and "du 01/05/2025 au 31/05/2025" in text
    for definition in definitions.DEFINITIONS:
        assert definition.label in text
    assert "80,0 %" in text and "1\u202f200,0" in text and "66,7 %" in text
    assert "non disponible" in text
    assert "+5" in text  # needs collected: 6 against 1 in April
    links = re.findall(r'href="(/demandes\?[^"]+)"', response.get_data(as_text=True))
    filed = html.unescape(next(link for link in links if "du=2026-05-01" in link
                               and "source" not in link))
    rows = text_of(client, filed)
    assert "6 demandes" in rows  # the list behind "Besoins recueillis": the same six needs
    closed = html.unescape(next(link for link in links if "issue=outcome" in link))
    assert "4 demandes" in text_of(client, closed)  # the fill rate's denominator
    lack = html.unescape(next(link for link in links if "motif=lack_of_candidates" in link))
    assert "clos_du=2026-05-01" in lack
    listing = text_of(client, lack)  # the needs closed for lack of candidates: n3 alone
    assert "1 demande" in listing and '<option selected value="lack_of_candidates">' in listing


def test_the_region_over_the_last_twelve_months_by_default(client, committee_data, manager):
    text = text_of(client, "/pilotage/indicateurs")
    assert "Région : Bourgogne-Franche-Comté, du 11/06/2025 au 10/06/2026" in text


def test_bad_pickers_are_refused_in_french(client, manager):
    response = client.get("/pilotage/indicateurs?level=basin&code=21&from=2026-05-31&to=2026-05-01")
    assert response.status_code == 422
    text = page_text(response)
    assert "Bassin d'emploi inconnu : 21." in text


def test_the_dashboard_runs_a_fixed_number_of_queries(client, committee_data, manager):
    firms = [f.CompanyFactory() for _ in range(2)]

    def add_rows(number: int):
        for index in range(number):
            company = firms[index % 2]
            f.InteractionFactory(company=company, occurred_at=utc(2026, 5, 3, 9, 0))
            need(company, m.NeedSource.SPOTTER, utc(2026, 5, 4, 9, 0), contacted=utc(2026, 5, 5, 9, 0),
                 status=m.NeedStatus.FILLED, closed=utc(2026, 5, 20, 9, 0), hires=1)

    assert_constant_queries(client, PAGE, add_rows)
    assert queries_for(client, PAGE) <= 55


def test_the_exports_hold_the_table(client, committee_data, manager):
    response = client.get(PAGE.replace("indicateurs?", "indicateurs.csv?"))
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    text = response.get_data(as_text=True)
    assert "penetration_rate;Taux de pénétration;%;80.0;" in text
    assert "closed_for_lack_of_candidates;Clôturés faute de candidats;%;25.0;" in text
    workbook = client.get(PAGE.replace("indicateurs?", "indicateurs.xlsx?"))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["hires"][4:7] == (6, 0, 0)


def test_the_glossary_is_generated_from_the_definitions(client, manager):
    text = text_of(client, "/pilotage/indicateurs/definitions")
    for definition in definitions.DEFINITIONS:
        assert definition.label in text and definition.definition in text


def test_the_menu_offers_the_dashboard_to_managers_and_their_own_figures_to_advisers(
        client, auth, manager, adviser):
    day = client.get("/ma-journee").get_data(as_text=True)
    assert "/pilotage/indicateurs" in day and "Mes indicateurs" not in day
    auth.logout()
    auth.login(adviser)
    day = client.get("/ma-journee").get_data(as_text=True)
    assert "Mes indicateurs" in day and "Menu du pilotage" not in day
    assert client.get(PAGE).status_code == 403


# --- the API ------------------------------------------------------------------------------------

API = "/api/v1/indicators?level=basin&code=2711&from=2026-05-01&to=2026-05-31"


def indicators_token(user: m.User, scopes=(m.ApiScope.INDICATORS,)) -> str:
    token = users.issue_api_token(user, scopes=scopes)
    db.session.commit()
    return token


def test_the_api_answers_the_pages_figures_for_a_manager_token(client, committee_data, agency):
    token = indicators_token(f.UserFactory(organisation=agency, role=m.Role.MANAGER))
    api = ApiClient(client, token)
    body = api.get(API).json
    assert (body["level"], body["code"], body["from"], body["to"]) == (
        "basin", "2711", "2026-05-01", "2026-05-31")
    assert {item["key"]: item["value"] for item in body["indicators"]} == DIJON_MAY
    lack = next(item for item in body["indicators"] if item["key"] == "closed_for_lack_of_candidates")
    assert (lack["available"], lack["value"]) == (True, 25.0)
    hires = next(item for item in body["indicators"] if item["key"] == "hires")
    assert (hires["label"], hires["unit"], hires["previous"]) == ("Recrutements", "recrutements", 0)
    # the same figures as the page's table, row for row
    board = figures.dashboard(DIJON, MAY)
    for item, row in zip(body["indicators"], board.rows, strict=True):
        assert item["label"] == row.definition.label
        assert (item["value"], item["previous"]) == (row.current.value, row.previous.value)


def test_the_api_values_equal_the_page_for_a_signed_in_manager(client, committee_data, manager):
    page = page_text(client.get(PAGE))
    body = ApiClient(client).get(API).json
    for item in body["indicators"]:
        shown = tables.shown(figures.Figure(item["key"], item["value"], item["available"]))
        assert f'{item["label"]}' in page and shown in page


def test_the_api_refuses_bad_input_in_french_and_other_roles(client, agency, adviser):
    api = ApiClient(client, indicators_token(f.UserFactory(organisation=agency, role=m.Role.ADMIN)))
    for query, field in (("level=pays&code=27", "level"), ("level=basin&code=21", "code"),
                         ("level=departement&code=99", "code"),
                         ("level=region&code=27&from=2026-13-01", "from"),
                         ("level=region&code=27&from=2026-05-31&to=2026-05-01", "to")):
        response = api.get(f"/api/v1/indicators?{query}")
        assert response.status_code == 422, query
        assert field in response.json["fields"]
    assert api.get("/api/v1/indicators?level=region&code=27").status_code == 200
    assert api.get("/api/v1/indicators?level=region", token=token_for(adviser)).status_code == 403
    assert client.get("/api/v1/indicators?level=region").status_code == 401


def test_a_partner_token_with_the_indicators_scope_reads_the_aggregates_only(
        client, committee_data):
    spotter = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI)
    partner = f.UserFactory(organisation=spotter, role=m.Role.PARTNER)
    api = ApiClient(client, indicators_token(partner))
    response = api.get(API)
    assert response.status_code == 200
    assert {item["key"]: item["value"] for item in response.json["indicators"]} == DIJON_MAY
    body = response.get_data(as_text=True)
    for name in ("Paul", "Léa", "Mission locale du Dijonnais", "France Travail"):
        assert name not in body  # no person nor organisation: aggregates only
    # the same token cannot read nor file needs
    refused = api.get("/api/v1/needs")
    assert refused.status_code == 403
    assert refused.json["error"].startswith("Ce jeton n'a pas la portée « Besoins et suivi »")
    filing = api.post("/api/v1/needs", json={"siret": "73282932000074"})
    assert filing.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.HiringNeed)) == 8


def test_a_token_without_the_indicators_scope_gets_a_french_403(client, committee_data, agency):
    partner = f.UserFactory(organisation=agency, role=m.Role.PARTNER)
    manager = f.UserFactory(organisation=agency, role=m.Role.MANAGER)
    api = ApiClient(client)
    for user in (partner, manager):
        response = api.get(API, token=token_for(user))  # the "needs" scope only
        assert response.status_code == 403
        assert response.json == {"error": "Ce jeton n'a pas la portée « Indicateurs » : demandez "
                                          "à un administrateur un jeton qui l'a."}
    both = indicators_token(partner, (m.ApiScope.NEEDS, m.ApiScope.INDICATORS))
    assert api.get(API, token=both).status_code == 200
    assert api.get("/api/v1/needs", token=both).status_code == 200


def test_the_dashboard_gives_each_co_handlers_not_for_me_answers_in_the_area_and_period(
        client, agency, manager):
    local = f.OrganisationFactory(name="Mission locale du Dijonnais", kind=m.OrganisationKind.MISSION_LOCALE)
    cap = f.OrganisationFactory(name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI)
    dijon_firm, besancon_firm = firm("A", "11"), firm("G", "11", basin="2706")

    def co_handled(company, filed, organisation, status):
        filed_need = need(company, m.NeedSource.PUBLIC_FORM, filed)
        db.session.add(m.NeedCoHandler(need_id=filed_need.id, organisation_id=organisation.id,
                                       status=status))

    co_handled(dijon_firm, utc(2026, 5, 4, 9, 0), local, m.CoHandlerStatus.NOT_FOR_ME)
    co_handled(dijon_firm, utc(2026, 5, 6, 9, 0), local, m.CoHandlerStatus.TAKING_CARE)
    co_handled(dijon_firm, utc(2026, 5, 7, 9, 0), cap, m.CoHandlerStatus.INVITED)
    co_handled(besancon_firm, utc(2026, 5, 4, 9, 0), local, m.CoHandlerStatus.NOT_FOR_ME)  # elsewhere
    co_handled(dijon_firm, utc(2026, 4, 20, 9, 0), cap, m.CoHandlerStatus.NOT_FOR_ME)  # April
    co_handled(dijon_firm, utc(2025, 5, 12, 9, 0), local, m.CoHandlerStatus.TAKING_CARE)  # May 2025
    co_handled(dijon_firm, utc(2025, 5, 13, 9, 0), local, m.CoHandlerStatus.NOT_FOR_ME)
    co_handled(dijon_firm, utc(2025, 5, 14, 9, 0), local, m.CoHandlerStatus.NOT_FOR_ME)
    co_handled(dijon_firm, utc(2025, 5, 15, 9, 0), local, m.CoHandlerStatus.INVITED)
    db.session.commit()
    page = html.unescape(client.get(PAGE).get_data(as_text=True))
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Co-traitance : réponses « pas pour moi » par structure" in text
    # each figure: May 2026, then April 2026 (co-handlings, "not for me", share)
    assert "Cap emploi 21 1 1 0 1 0 % 100 %" in text
    assert "Mission locale du Dijonnais 2 0 1 0 50 % non disponible" in text
    assert ('<td data-label="Part – la période précédente"><span class="crm-not-available">'
            'non disponible') in page
    assert '<th scope="colgroup" colspan="2">« Pas pour moi »</th>' in page
    year_before = text_of(client, PAGE + "&comparaison=year_before")
    year_before = " ".join(re.sub(r"<[^>]+>", " ", year_before).split())
    # against May 2025: the Mission locale 4 co-handlings, 2 "not for me" (50 %); Cap emploi none
    assert "Cap emploi 21 1 0 0 0 0 % non disponible" in year_before
    assert "Mission locale du Dijonnais 2 4 1 2 50 % 50 %" in year_before
    quiet = text_of(client, PAGE.replace("from=2026-05-01&to=2026-05-31", "from=2026-02-01&to=2026-02-28"))
    assert "Aucune structure n'a été invitée à co-traiter" in quiet


def test_the_exports_hold_the_not_for_me_table_written_safely(client, agency, manager):
    local = f.OrganisationFactory(name="Mission locale du Dijonnais", kind=m.OrganisationKind.MISSION_LOCALE)
    rogue = f.OrganisationFactory(name="=HYPERLINK(\"http://x\")", kind=m.OrganisationKind.OTHER)
    dijon_firm = firm("A", "11")
    for organisation, status in ((local, m.CoHandlerStatus.NOT_FOR_ME),
                                 (local, m.CoHandlerStatus.TAKING_CARE),
                                 (rogue, m.CoHandlerStatus.NOT_FOR_ME)):
        filed_need = need(dijon_firm, m.NeedSource.PUBLIC_FORM, utc(2026, 5, 4, 9, 0))
        db.session.add(m.NeedCoHandler(need_id=filed_need.id, organisation_id=organisation.id,
                                       status=status))
    april = need(dijon_firm, m.NeedSource.PUBLIC_FORM, utc(2026, 4, 14, 9, 0))
    db.session.add(m.NeedCoHandler(need_id=april.id, organisation_id=local.id,
                                   status=m.CoHandlerStatus.INVITED))
    db.session.commit()
    text = client.get(PAGE.replace("indicateurs?", "indicateurs.csv?")).get_data(as_text=True)
    table = text[text.index("Co-traitance : réponses « pas pour moi » par structure"):]
    lines = table.splitlines()
    assert lines[1] == (
        "Structure invitée à co-traiter;Co-traitances – période;Co-traitances – période précédente;"
        "Co-traitances – un an avant;« Pas pour moi » – période;« Pas pour moi » – période précédente;"
        "« Pas pour moi » – un an avant;Part (%) – période;Part (%) – période précédente;"
        "Part (%) – un an avant")
    # May 2026, April 2026 (one invitation, no answer yet), May 2025 (nothing)
    assert "Mission locale du Dijonnais;2;1;0;1;0;0;50.0;0.0;non disponible" in lines
    assert ('"\'=HYPERLINK(""http://x"")";1;0;0;1;0;0;100.0;non disponible;non disponible'
            in lines)  # quoted: never a formula
    workbook = client.get(PAGE.replace("indicateurs?", "indicateurs.xlsx?"))
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    start = next(index for index, row in enumerate(rows) if row[0] == tables.REFUSALS_TITLE)
    assert [row[:10] for row in rows[start + 2:]] == [
        ("=HYPERLINK(\"http://x\")", 1, 0, 0, 1, 0, 0, 100.0, "non disponible", "non disponible"),
        ("Mission locale du Dijonnais", 2, 1, 0, 1, 0, 0, 50.0, 0.0, "non disponible")]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == rows[start + 2][0])
    assert cell.data_type == "s"  # text, never a formula
    quiet = client.get(PAGE.replace("indicateurs?", "indicateurs.csv?")
                       .replace("from=2026-05-01&to=2026-05-31", "from=2026-03-01&to=2026-03-31"))
    assert tables.NO_REFUSALS in quiet.get_data(as_text=True)


def listed_companies(client, link: str) -> int:
    text = text_of(client, link)
    return 0 if "Aucune entreprise" in text else int(re.search(r"(\d+) entreprises?\b", text).group(1))


def test_the_firms_figures_of_the_last_thirty_days_link_to_the_companies_list(client, committee_data,
                                                                             admin):
    """12 May to 10 June (today), Dijon: A, B, C (1 June in Paris) and D contacted, all active;
    E's contact (10 May) is before. With an organisation, the list counts its contacts only
    (every level and period: tests/test_indicator_firm_links.py)."""
    last_days = Period(date(2026, 5, 12), date(2026, 6, 10))
    found = figures.figures(DIJON, last_days)
    assert found["companies_contacted"].value == 4 and found["penetration_rate"].value == 80.0
    body = client.get("/pilotage/indicateurs?level=basin&code=2711&from=2026-05-12&to=2026-06-10"
                      ).get_data(as_text=True)
    every = [html.unescape(link) for link in re.findall(r'href="(/entreprises\?[^"]+)"', body)]
    # the period's, then the previous period's and a year before's (the compared figures)
    days = (("2026-05-12", "2026-06-10"), ("2026-04-12", "2026-05-11"), ("2025-05-12", "2025-06-10"))
    assert every and all("basin=2711" in link and any(
        f"_from={start}" in link and f"_to={end}" in link for start, end in days) for link in every)
    companies = [link for link in every if "_from=2026-05-12" in link]
    contacted = next(link for link in companies if "closed=y" in link and "contacted" in link)
    assert listed_companies(client, contacted) == found["companies_contacted"].value
    served = next(link for link in companies if "closed" not in link)  # the rate's numerator
    assert listed_companies(client, served) == 4
    local = committee_data["local"].id
    body = client.get("/pilotage/indicateurs?level=basin&code=2711&from=2026-05-12&to=2026-06-10"
                      f"&organisation={local}").get_data(as_text=True)
    assert f"organisation={local}" in body and f"structure={local}" in body
