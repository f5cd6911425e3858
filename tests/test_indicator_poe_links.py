"""The dashboard's POE/FRAP figures link to the POE requests list with the same filters (the firm's
area, the organisation carrying the request or its author, requested from… to…, the funnel's
step), and the plans' POE entries to the requests whose training started: the list's rows equal
the figure, on the breakdowns' fixture (tests/test_indicator_breakdowns.py) with a request in
Besançon added. The list's filters are checked in French and kept across pages."""

import html
import re
from datetime import date

import pytest

from crm import models as m
from crm.blueprints.indicators import links
from crm.extensions import db
from crm.services.indicators import figures
from crm.services.indicators.scope import Level, Period, Scope
from tests import factories as f
from tests import test_indicator_breakdowns
from tests.helpers import assert_constant_queries, text_of

data = test_indicator_breakdowns.data  # the breakdowns' fixture
T = m.TrainingStatus
MAY = Period(date(2026, 5, 1), date(2026, 5, 31))
APRIL_TO_10_MAY = Period(date(2026, 4, 1), date(2026, 5, 10))
COUNTS = ("training_requests", "training_frap_requests", "training_approved", "training_entries",
          "training_hires")


def listed(client, link: str) -> int:
    """How many requests the list behind a link shows."""
    text = text_of(client, link)
    if "Aucune demande de POE" in text:
        return 0
    return int(re.search(r"(\d+) demandes?\b", text).group(1))


@pytest.fixture
def poe(data):
    """The fixture's May requests for the Dijon basin's firms (A hired and FRAP on 4 May, B not
    hired on 10 May, C approved and FRAP on 15 May, A submitted on 20 May, A's draft on 21 May, A
    hired on 28 April) and a request submitted on 12 May for a Besançon firm by the Mission
    locale. Training started: A's 4 May request on 18 May, B's on 25 May, A's April one on 15
    April."""
    besancon = f.CompanyFactory(name="Horlogerie", basin_code="2706", commune_code="25056")
    f.TrainingRequestFactory(company=besancon, requested_on=date(2026, 5, 12), status=T.SUBMITTED,
                             organisation_id=data["local"].id, created_by_id=data["lea"].id)
    started = {date(2026, 5, 4): date(2026, 5, 18), date(2026, 5, 10): date(2026, 5, 25),
               date(2026, 4, 28): date(2026, 4, 15)}
    for request in db.session.query(m.TrainingRequest):
        request.training_starts_on = started.get(request.requested_on)
    db.session.commit()
    return data


def scopes(data) -> dict[str, Scope]:
    return {"region": Scope(Level.REGION, "27"), "cote-d-or": Scope(Level.DEPARTEMENT, "21"),
            "doubs": Scope(Level.DEPARTEMENT, "25"), "dijon": Scope(Level.BASIN, "2711"),
            "besancon": Scope(Level.BASIN, "2706"),
            "agency-in-dijon": Scope(Level.BASIN, "2711", organisation_id=data["paul"].organisation_id),
            "lea": Scope(Level.ADVISER, str(data["lea"].id))}


# (requests, FRAP, approved or further, entered, hired, with a known outcome)
EXPECTED = {
    MAY: {"region": (5, 2, 3, 2, 1, 2), "cote-d-or": (4, 2, 3, 2, 1, 2), "doubs": (1, 0, 0, 0, 0, 0),
          "dijon": (4, 2, 3, 2, 1, 2), "besancon": (1, 0, 0, 0, 0, 0),
          "agency-in-dijon": (4, 2, 3, 2, 1, 2), "lea": (1, 0, 0, 0, 0, 0)},
    # A on 28 April (no organisation), A on 4 May (FRAP), B on 10 May
    APRIL_TO_10_MAY: {"region": (3, 1, 3, 3, 2, 3), "cote-d-or": (3, 1, 3, 3, 2, 3),
                      "doubs": (0, 0, 0, 0, 0, 0), "dijon": (3, 1, 3, 3, 2, 3),
                      "besancon": (0, 0, 0, 0, 0, 0), "agency-in-dijon": (2, 1, 2, 2, 1, 2),
                      "lea": (0, 0, 0, 0, 0, 0)},
}


@pytest.mark.parametrize("period", [MAY, APRIL_TO_10_MAY], ids=["may", "april-to-10-may"])
def test_each_poe_figure_links_to_as_many_requests(app, client, poe, admin, period):
    for name, chosen in scopes(poe).items():
        found = figures.figures(chosen, period)
        with app.test_request_context():
            linked = links.record_links(chosen, period)
        *counts, known = EXPECTED[period][name]
        assert [found[key].value for key in COUNTS] == counts, name
        for key in COUNTS:
            assert listed(client, linked[key]) == found[key].value, (name, key)
        # the hire rate is taken over the requests with a known outcome: its link lists them
        assert listed(client, linked["training_hire_rate"]) == known, name


def test_the_dashboard_shows_the_links_with_the_levels_filters(client, poe, admin):
    body = client.get("/pilotage/indicateurs?level=departement&code=21&from=2026-04-01"
                      "&to=2026-05-10").get_data(as_text=True)
    match = re.search(r'<a href="([^"]+)" title="dont entrées en formation : voir la liste">(\d+)</a>', body)
    assert match, "the entries figure links to its list"
    link, shown = html.unescape(match.group(1)), int(match.group(2))
    assert link == "/formations?departement=21&du=2026-04-01&au=2026-05-10&etape=entree"
    assert listed(client, link) == shown == 3


def test_the_plans_poe_entries_link_to_the_requests_whose_training_started(client, poe, admin):
    """The Dijon 2026 plan counts, from 1 January to the period's end (31 May), the requests of
    the basin's firms whose training started: A's (15 April, 18 May) and B's (25 May)."""
    f.PlanObjectiveFactory(plan_id=poe["plan"].id, indicator=m.Indicator.POE_ENTRIES, target=12)
    db.session.commit()
    body = client.get(test_indicator_breakdowns.PAGE).get_data(as_text=True)
    achieved = re.findall(r'<a href="(/formations\?[^"]+)" title="Réalisé : voir la liste">(\d+)</a>',
                          body)
    assert [(html.unescape(link), int(value)) for link, value in achieved] == [
        ("/formations?bassin_entreprise=2711&etape=entree&debut_du=2026-01-01&debut_au=2026-05-31", 3)]
    assert listed(client, html.unescape(achieved[0][0])) == 3


def test_the_filters_are_checked_in_french(client, poe, manager):
    for query, message in (
            ("du=2026-05-31&au=2026-05-01", "La date de fin précède la date de début."),
            ("debut_du=demain", "N'est pas une date valide."),
            ("departement=99", "N'est pas un choix valide."),
            ("etape=partout", "N'est pas un choix valide."),
            # a manager may not pick another organisation's adviser
            (f"conseiller={poe['lea'].id}", "N'est pas un choix valide.")):
        text = text_of(client, f"/formations?{query}", 422)
        assert message in text, query
        assert "7 demandes" in text, query  # the list unfiltered: every request, drafts included
    assert "Léa Conseillère</option>" not in text_of(client, "/formations")


def test_no_match_says_so_and_offers_to_reset(client, poe, manager):
    text = text_of(client, "/formations?bassin_entreprise=2706&etape=embauche")
    assert "Aucune demande de POE ne correspond à ces critères." in text
    assert "Réinitialiser les filtres" in text


def test_the_filters_are_kept_across_pages(app, client, poe, manager, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    first = client.get("/formations?bassin_entreprise=2711&du=2026-05-01&au=2026-05-31"
                       "&etape=deposee").get_data(as_text=True)
    assert "4 demandes" in html.unescape(first)
    pages = {html.unescape(link) for link in re.findall(r'href="(/formations\?[^"]*page=2[^"]*)"',
                                                         first)}
    assert pages and all("bassin_entreprise=2711" in link and "etape=deposee" in link
                         for link in pages)
    second = text_of(client, pages.pop())
    assert "4 demandes" in second


def test_the_filtered_list_runs_as_many_queries_with_more_requests(client, poe, manager):
    def add_rows(number: int):
        for _ in range(number):
            company = f.CompanyFactory(basin_code="2711", commune_code="21231")
            f.TrainingRequestFactory(company=company, requested_on=date(2026, 5, 6),
                                     status=T.SUBMITTED, organisation_id=poe["paul"].organisation_id)
        db.session.commit()

    assert_constant_queries(client, "/formations?departement=21&du=2026-05-01&au=2026-05-31"
                                    f"&etape=deposee&structure={poe['paul'].organisation_id}",
                            add_rows)
