"""Upcoming visits per adviser or per basin: the paginated list and the week calendar."""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

from crm import models as m
from crm.services.platform.local_time import local_now
from crm.services.visits.finding import utc_from_local
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text


def visit_at(local: datetime, people: list[m.User], name: str, basin: str = "2711",
             creator: m.User | None = None, **fields) -> m.Visit:
    """A visit at a French local time to a new firm, with these participants."""
    company = f.CompanyFactory(name=name, basin_code=basin)
    visit = f.VisitFactory(company=company, scheduled_at=utc_from_local(local), created_by=creator,
                           **fields)
    for user in people:
        f.VisitParticipantFactory(visit_id=visit.id, user=user)
    return visit


def soon(days: int, hour: int = 10) -> datetime:
    return (local_now() + timedelta(days=days)).replace(hour=hour, minute=0)


# The list

def test_my_upcoming_visits_soonest_first_without_others_or_past_ones(client, adviser, signed_in, agency):
    colleague = f.UserFactory(organisation=agency, name="Sophie Blanc")
    visit_at(soon(5), [adviser], "Boulangerie Lemoine")
    visit_at(soon(2), [colleague, adviser], "Garage Petit")
    visit_at(soon(3), [], "Scierie Vosges", creator=adviser)
    visit_at(soon(1), [colleague], "Imprimerie Colin")
    visit_at(soon(-3), [adviser], "Fromagerie Perrin")
    text = page_text(client.get("/visites"))
    assert "3 visites" in text
    positions = [text.index(name) for name in ("Garage Petit", "Scierie Vosges", "Boulangerie Lemoine")]
    assert positions == sorted(positions)
    assert "Imprimerie Colin" not in text and "Fromagerie Perrin" not in text
    assert "Fromagerie Perrin" in page_text(client.get("/visites?periode=past"))
    everyone = page_text(client.get("/visites?conseiller=tous"))
    assert "Imprimerie Colin" in everyone and "Fromagerie Perrin" not in everyone
    colleagues = page_text(client.get(f"/visites?conseiller={colleague.id}"))
    assert "Imprimerie Colin" in colleagues and "Boulangerie Lemoine" not in colleagues


def test_a_basin_shows_the_visits_of_every_adviser_there(client, adviser, signed_in, agency):
    someone = f.UserFactory(organisation=f.OrganisationFactory(name="Cap emploi 21"), name="Marc Roux")
    visit_at(soon(2), [someone], "Menuiserie Dijon", basin="2711")
    visit_at(soon(2), [someone], "Laiterie Besançon", basin="2704")
    text = page_text(client.get("/visites?bassin=2711"))
    assert "Menuiserie Dijon" in text and "Marc Roux (Cap emploi 21)" in text
    assert "Laiterie Besançon" not in text


def test_an_empty_list_says_so(client, adviser, signed_in):
    assert "Aucune visite à venir." in page_text(client.get("/visites"))


def test_the_list_runs_as_many_queries_with_30_visits_as_with_3(client, adviser, signed_in):
    other = f.UserFactory(organisation=f.OrganisationFactory())

    def add(count: int) -> None:
        for index in range(count):
            visit_at(soon(1 + index % 20), [adviser, other], f"Entreprise liste {index}")

    assert_constant_queries(client, "/visites", add)


# The week calendar

class WeekCells(HTMLParser):
    """The calendar's cells: (row header, data-day) -> text."""

    def __init__(self, html: str):
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self.row, self.day, self.in_row_header, self.headers = "", None, False, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "th" and attrs.get("scope") == "row":
            self.in_row_header, self.row = True, ""
        elif tag == "td" and "data-day" in attrs:
            self.day = attrs["data-day"]
            self.cells[(self.row, self.day)] = ""

    def handle_endtag(self, tag):
        if tag == "th":
            self.in_row_header = False
        elif tag == "td":
            self.day = None

    def handle_data(self, data):
        if self.in_row_header:
            self.row += data.strip()
        elif self.day:
            self.cells[(self.row, self.day)] += data

    def filled(self) -> dict[tuple[str, str], str]:
        return {key: " ".join(text.split()) for key, text in self.cells.items() if text.strip()}


def test_the_week_places_each_visit_in_its_day_and_hour_and_hides_other_weeks(client, adviser, signed_in):
    visit_at(datetime(2026, 3, 3, 10, 30), [adviser], "Garage Petit")          # Tuesday
    visit_at(datetime(2026, 3, 7, 8, 15), [adviser], "Boulangerie Lemoine")     # Saturday
    visit_at(datetime(2026, 3, 3, 10, 45), [adviser], "Scierie Vosges", mode=m.VisitMode.VIDEO)
    visit_at(datetime(2026, 3, 2, 0, 30), [adviser], "Fromagerie Perrin")       # Monday, before dawn
    visit_at(datetime(2026, 3, 9, 9, 0), [adviser], "Imprimerie Colin")         # next Monday
    visit_at(datetime(2026, 3, 1, 23, 0), [adviser], "Laiterie Comtoise")       # previous Sunday
    response = client.get("/visites/semaine?debut=2026-03-04")                  # a Wednesday
    assert response.status_code == 200
    text = page_text(response)
    assert "Visites de la semaine du 02/03/2026" in text
    assert WeekCells(text).filled() == {
        ("00 h", "2026-03-02"): "00:30 Fromagerie Perrin Sur place",
        ("10 h", "2026-03-03"): "10:30 Garage Petit Sur place 10:45 Scierie Vosges En visioconférence",
        ("08 h", "2026-03-07"): "08:15 Boulangerie Lemoine Sur place",
    }
    for day in ("Lundi 02/03", "Mardi 03/03", "Samedi 07/03"):
        assert day in text
    assert "Dimanche" not in text
    assert "debut=2026-02-23" in text and "debut=2026-03-09" in text
    assert "Imprimerie Colin" not in text and "Laiterie Comtoise" not in text
    assert "Imprimerie Colin" in page_text(client.get("/visites/semaine?debut=2026-03-09"))


def test_the_week_keeps_its_filters_and_defaults_to_this_week(client, adviser, signed_in):
    someone = f.UserFactory(name="Marc Roux")
    visit_at(soon(0, hour=11), [someone], "Menuiserie Dijon")
    assert "Menuiserie Dijon" not in page_text(client.get("/visites/semaine"))
    text = page_text(client.get("/visites/semaine?conseiller=tous&debut=nimporte"))
    assert "Menuiserie Dijon" in text
    monday = local_now().date() - timedelta(days=local_now().weekday())
    assert f"Visites de la semaine du {monday:%d/%m/%Y}" in text
    next_week = re.search(r'href="([^"]*)"[^>]*>Semaine suivante', text).group(1)
    assert f"debut={monday + timedelta(days=7)}" in next_week and "conseiller=tous" in next_week


def test_a_sunday_visit_adds_the_sunday_column(client, adviser, signed_in):
    visit_at(datetime(2026, 3, 8, 14, 0), [adviser], "Marché de Noël")
    text = page_text(client.get("/visites/semaine?debut=2026-03-02"))
    assert WeekCells(text).filled() == {("14 h", "2026-03-08"): "14:00 Marché de Noël Sur place"}
    assert "Dimanche 08/03" in text
