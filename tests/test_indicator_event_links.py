"""The dashboard's events figures link to the events list with the same filters (the event's
basin, département or RSA pilot territory, the organisation organising it or the adviser who
created it, held, starting in the period), and the plans' event firms to the events where the
plan basin's firms were confirmed: the list's events and sums equal the figure, on the breakdowns'
fixture (tests/test_indicator_breakdowns.py) with two events added. The list's new filters are
checked in French and kept across pages, its figures read in a fixed number of queries."""

import html
import re
from datetime import datetime

import pytest

from crm import models as m
from crm.blueprints.indicators import links
from crm.extensions import db
from crm.services.indicators import figures
from crm.services.indicators.scope import Level, Scope
from tests import factories as f
from tests import test_indicator_breakdowns
from tests.helpers import assert_constant_queries, text_of

data = test_indicator_breakdowns.data  # the breakdowns' fixture
genlis = test_indicator_breakdowns.genlis
MAY = test_indicator_breakdowns.MAY
CONFIRMED = m.ParticipationStatus.CONFIRMED
FIGURES = ("events_held", "event_firms", "event_candidates", "event_interviews", "event_hires")


@pytest.fixture
def events(data, agency):
    """Besides E1 (held in Dijon on 20 May, by the agency, created by Paul: A with 5 interviews
    and 2 hires declared, B; 2 of 3 candidates present) and E2 (held in Besançon on 27 May: H
    with 4 interviews and 1 hire; no candidate): E5, held in Genlis (RSA pilot, Dijon basin) on
    12 May, organised by the agency and the Mission locale, created by Léa: A (3 interviews,
    1 hire declared), C (nothing declared) and H (2 interviews, no hire); 1 of 2 candidates
    present. E6, registrations closed, in Besançon on 29 May: B confirmed (not held: only the
    plan counts it)."""
    firms = {company.name: company for company in db.session.query(m.Company)}
    e5 = f.EventFactory(title="Forum de Genlis", status=m.EventStatus.HELD,
                        starts_at=datetime(2026, 5, 12, 8, 0), commune_code="21292",
                        basin_code="2711", created_by_id=data["lea"].id)
    e5.organisers.extend([agency, data["local"]])
    declared = datetime(2026, 5, 13, 9, 0)
    f.EventCompanyFactory(event_id=e5.id, company=firms["A"], status=CONFIRMED, interviews=3,
                          hires=1, outcomes_at=declared)
    f.EventCompanyFactory(event_id=e5.id, company=firms["C"], status=CONFIRMED)
    f.EventCompanyFactory(event_id=e5.id, company=firms["H"], status=CONFIRMED, interviews=2,
                          hires=0, outcomes_at=declared)
    for present in (True, False):
        f.EventRegistrationFactory(event_id=e5.id, checked_in_at=datetime(2026, 5, 12, 8, 5)
                                   if present else None)
    e6 = f.EventFactory(title="Forum de Besançon", status=m.EventStatus.CLOSED,
                        starts_at=datetime(2026, 5, 29, 8, 0), commune_code="25056",
                        basin_code="2706")
    f.EventCompanyFactory(event_id=e6.id, company=firms["B"], status=CONFIRMED)
    for event in db.session.query(m.Event).filter(m.Event.title.like("Job dating%")):
        event.title = f"Événement {event.starts_at:%d/%m} {event.basin_code}"
    db.session.commit()
    return data


def scopes(data, agency) -> dict[str, Scope]:
    return {"region": Scope(Level.REGION, "27"), "cote-d-or": Scope(Level.DEPARTEMENT, "21"),
            "doubs": Scope(Level.DEPARTEMENT, "25"), "dijon": Scope(Level.BASIN, "2711"),
            "besancon": Scope(Level.BASIN, "2706"), "genlis": Scope(Level.RSA, str(genlis().id)),
            "agency-in-dijon": Scope(Level.BASIN, "2711", organisation_id=agency.id),
            "local-in-region": Scope(Level.REGION, "27", organisation_id=data["local"].id),
            "paul": Scope(Level.ADVISER, str(data["paul"].id)),
            "lea": Scope(Level.ADVISER, str(data["lea"].id))}


# (events held, distinct firms confirmed, candidates present, interviews, hires declared)
EXPECTED = {
    "region": (3, 4, 3, 14, 4),  # E1, E2, E5: A, B, H, C; 2 + 1; 5 + 4 + 5; 2 + 1 + 1
    "cote-d-or": (2, 4, 3, 10, 3),  # E1, E5: A, B, C, H
    "doubs": (1, 1, 0, 4, 1),  # E2
    "dijon": (2, 4, 3, 10, 3),
    "besancon": (1, 1, 0, 4, 1),
    "genlis": (1, 3, 1, 5, 1),  # E5
    "agency-in-dijon": (2, 4, 3, 10, 3),  # the agency organises E1 and E5
    "local-in-region": (1, 3, 1, 5, 1),  # E5
    "paul": (1, 2, 2, 5, 2),  # E1
    "lea": (1, 3, 1, 5, 1),  # E5
}
TITLES = {"region": {"Événement 20/05 2711", "Événement 27/05 2706", "Forum de Genlis"},
          "doubs": {"Événement 27/05 2706"}, "paul": {"Événement 20/05 2711"}}


def cells(text: str, label: str) -> list[str]:
    return re.findall(rf'<td data-label="{label}">([^<]*)</td>', text)


def numbers(values: list[str]) -> int:
    return sum(int(value) for value in values if value != "–")


def shown(client, link: str) -> dict:
    """What the events list behind a link shows: its events' titles, the per-event columns summed
    on the page, and its totals line (every page)."""
    text = html.unescape(client.get(link).get_data(as_text=True))
    footer = re.search(r"<tfoot>(.*?)</tfoot>", text, re.S)
    if footer is None:
        assert "Aucun événement ne correspond à ces critères." in text
        return {"titles": set(), "total": (0, 0, 0, 0, 0), "rows": (0, 0, 0, 0)}
    total = re.sub(r"<[^>]+>", " ", footer.group(1))
    found = re.search(r"Total \((\d+) événements?, toutes pages\)\s+(\d+)\s+(\d+) entreprises? "
                      r"distinctes?.*?(\d+|–)\s+(\d+|–)", total, re.S)
    assert found, total
    events, present, firms, interviews, hires = found.groups()
    titles = set(re.findall(r'<a href="/gestion/evenements/\d+">([^<]+)</a>', text))
    return {"titles": titles,
            "total": (int(events), int(firms), int(present), numbers([interviews]), numbers([hires])),
            "rows": (numbers(cells(text, "Entreprises confirmées")), numbers(cells(text, "Présents")),
                     numbers(cells(text, "Entretiens déclarés")),
                     numbers(cells(text, "Embauches déclarées")))}


def test_each_event_figure_links_to_the_events_it_counts_at_every_level(app, client, events,
                                                                       agency, admin):
    for name, chosen in scopes(events, agency).items():
        found = figures.figures(chosen, MAY)
        assert tuple(found[key].value for key in FIGURES) == EXPECTED[name], name
        with app.test_request_context():
            linked = links.record_links(chosen, MAY)
        assert {linked[key] for key in FIGURES} == {linked["events_held"]}, name
        listed = shown(client, linked["events_held"])
        assert listed["total"] == EXPECTED[name], name
        assert len(listed["titles"]) == EXPECTED[name][0], name
        if name in TITLES:
            assert listed["titles"] == TITLES[name]
        # the rows add up to the figures; firms at two events count once in the figure
        events_held, firms, present, interviews, hires = EXPECTED[name]
        assert listed["rows"][1:] == (present, interviews, hires), name
        assert listed["rows"][0] >= firms, name
    assert shown(client, links_of(app, scopes(events, agency)["region"]))["rows"][0] == 6  # A twice, H twice


def links_of(app, chosen: Scope) -> str:
    with app.test_request_context():
        return links.record_links(chosen, MAY)["event_firms"]


def test_the_links_carry_the_levels_filters(app, events, agency):
    period = "status=held&from_day=2026-05-01&to_day=2026-05-31"
    chosen = scopes(events, agency)
    assert links_of(app, chosen["cote-d-or"]) == f"/gestion/evenements?department=21&{period}"
    assert links_of(app, chosen["genlis"]) == f"/gestion/evenements?rsa_territory={genlis().id}&{period}"
    assert links_of(app, chosen["agency-in-dijon"]) == (
        f"/gestion/evenements?basin=2711&organisation={agency.id}&{period}")
    assert links_of(app, chosen["paul"]) == f"/gestion/evenements?adviser={events['paul'].id}&{period}"


def test_the_dashboard_links_its_event_figures(client, events, admin):
    body = html.unescape(client.get("/pilotage/indicateurs?level=departement&code=21"
                                    "&from=2026-05-01&to=2026-05-31").get_data(as_text=True))
    found = re.findall(r'<a href="(/gestion/evenements\?[^"]+)" title="([^"]*)">(\d+)</a>', body)
    linked = [(link, value) for link, title, value in found if ", la " not in title]
    compared = {link for link, title, value in found if ", la " in title and value == "0"}
    assert compared == {  # no event in the previous period nor a year before
        "/gestion/evenements?department=21&status=held&from_day=2026-03-31&to_day=2026-04-30",
        "/gestion/evenements?department=21&status=held&from_day=2025-05-01&to_day=2025-05-31"}
    assert sorted(int(value) for _, value in linked) == sorted([2, 4, 3, 10, 3])
    assert {link for link, _ in linked} == {
        "/gestion/evenements?department=21&status=held&from_day=2026-05-01&to_day=2026-05-31"}


def test_the_plans_event_firms_link_to_the_events_where_the_basins_firms_came(client, events, admin):
    """The Dijon 2026 plan counts, from 1 January to 31 May, the Dijon basin's firms confirmed at
    an event not cancelled, wherever it is: A (E1, E5), B (E1, E6 in Besançon, not held), C (E5);
    not H, a Besançon firm at E5."""
    f.PlanObjectiveFactory(plan_id=events["plan"].id, indicator=m.Indicator.EVENT_COMPANIES,
                           target=30)
    db.session.commit()
    body = html.unescape(client.get(test_indicator_breakdowns.PAGE).get_data(as_text=True))
    achieved = re.findall(r'<a href="(/gestion/evenements\?[^"]+)" title="Réalisé : voir la liste">'
                          r'(\d+)</a>', body)
    assert achieved == [("/gestion/evenements?firm_basin=2711&status=not_cancelled"
                         "&from_day=2026-01-01&to_day=2026-05-31", "3")]
    listed = shown(client, achieved[0][0])
    assert listed["titles"] == {"Événement 20/05 2711", "Forum de Genlis", "Forum de Besançon"}
    assert listed["total"][1] == 3
    assert listed["rows"][0] == 5  # E1: A, B; E5: A, C (H left out); E6: B


@pytest.mark.parametrize("query, message, listed", [
    ("department=99", "N'est pas un choix valide.", "6 événements"),  # E1 to E6
    ("rsa_territory=999999", "N'est pas un choix valide.", "6 événements"),
    ("rsa_territory=abc", "N'est pas un choix valide.", "6 événements"),
    ("organisation=99999999999999999999", "N'est pas un choix valide.", "6 événements"),
    ("adviser=x", "N'est pas un choix valide.", "6 événements"),
    ("firm_basin=0000", "N'est pas un choix valide.", "6 événements"),
    ("status=partout", "N'est pas un choix valide.", "6 événements"),
    ("from_day=demain", "N'est pas une date valide.", "6 événements"),
    ("department=99&status=held", "N'est pas un choix valide.", "4 événements"),  # not E3, E6
    # the wrong end left out: the events from 31 May (E4, 2 June)
    ("from_day=2026-05-31&to_day=2026-05-01", "La fin de la période précède son début.",
     "1 événement"),
])
def test_a_wrong_filter_is_said_in_french_and_leaves_out_that_filter(client, events, manager, query,
                                                                     message, listed):
    text = text_of(client, f"/gestion/evenements?{query}", 422)
    assert message in text, query
    assert re.search(rf"\b{listed}\b", text), query


def test_a_manager_may_not_pick_another_organisations_adviser(client, events, manager):
    text = text_of(client, f"/gestion/evenements?adviser={events['lea'].id}", 422)
    assert "N'est pas un choix valide." in text
    assert "Léa Conseillère</option>" not in text_of(client, "/gestion/evenements")
    assert "Paul Conseiller</option>" in text_of(client, "/gestion/evenements")


def test_the_filters_are_kept_across_pages(app, client, events, admin, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    link = links_of(app, Scope(Level.REGION, "27"))  # E1, E2, E5
    first = html.unescape(client.get(link).get_data(as_text=True))
    assert "3 événements – page 1 sur 2" in first
    pages = set(re.findall(r'href="(/gestion/evenements\?[^"]*page=2[^"]*)"', first))
    assert pages and all("status=held" in page and "from_day=2026-05-01" in page for page in pages)
    second = shown(client, pages.pop())
    assert len(second["titles"]) == 1 and second["total"] == EXPECTED["region"]


def test_the_filtered_list_runs_as_many_queries_with_more_events(client, events, agency, admin):
    a = db.session.query(m.Company).filter_by(name="A").one()

    def add_rows(number: int):
        for day in range(number):
            event = f.EventFactory(status=m.EventStatus.HELD, commune_code="21231", basin_code="2711",
                                   starts_at=datetime(2026, 5, 1 + day % 28, 8, 0),
                                   created_by_id=events["paul"].id)
            event.organisers.append(agency)
            f.EventCompanyFactory(event_id=event.id, company=a, status=CONFIRMED, interviews=1,
                                  hires=1, outcomes_at=datetime(2026, 5, 30, 9, 0))
            f.EventRegistrationFactory(event_id=event.id, checked_in_at=datetime(2026, 5, 30, 9, 0))
        db.session.commit()

    assert_constant_queries(client, "/gestion/evenements?department=21&status=held"
                                    f"&organisation={agency.id}&adviser={events['paul'].id}"
                                    "&from_day=2026-05-01&to_day=2026-05-31", add_rows)
