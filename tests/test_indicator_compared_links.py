"""The comparison's figures link to the same lists as the period's, over the compared period's
days: the previous period and a year before in the indicators' tables, the one the comparison
picker names in the ROME jobs, spotters and plans tables. The lists' rows equal the figures shown
(hand-checked below); an unavailable figure links nowhere."""

import html
import re

from tests import test_indicator_breakdowns, test_indicators
from tests.test_indicator_breakdowns import listed_needs
from tests.test_indicator_firm_links import listed

committee_data = test_indicators.committee_data  # the indicators' fixture
data = test_indicator_breakdowns.data  # the breakdown tables' fixture
earlier = test_indicator_breakdowns.earlier

PAGE = test_indicators.PAGE  # the Dijon basin in May 2026
PREVIOUS = "la période précédente"  # 31 March to 30 April 2026
YEAR_BEFORE = "la même période un an avant"  # May 2025


def cells(body: str, key: str) -> dict[str, str]:
    """An indicators' table row: its cells' labels → their inner HTML."""
    row = re.search(rf'<tr id="indicateur-{key}">(.*?)</tr>', body, re.S).group(1)
    return dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S))


def link_of(cell: str) -> tuple[str, str] | None:
    """(the link, the figure shown) of a cell, None when it links nowhere."""
    found = re.search(r'<a href="([^"]+)" title="[^"]+">([^<]+)</a>', cell)
    return (html.unescape(found.group(1)), found.group(2)) if found else None


def compared_links(body: str, label: str, which: str) -> list[tuple[str, str]]:
    """The links of a breakdown table's compared figures named `label`: (link, figure shown)."""
    title = re.escape(html.escape(f"{label}, {which} : voir la liste"))
    return [(html.unescape(link), text)
            for link, text in re.findall(rf'<a href="([^"]+)" title="{title}">([^<]+)</a>', body)]


def test_the_indicators_compared_figures_link_to_the_compared_periods_lists(client, committee_data,
                                                                           admin):
    body = client.get(PAGE).get_data(as_text=True)
    needs = cells(body, "needs_collected")
    assert link_of(needs["Période précédente"]) == (
        "/demandes?bassin_entreprise=2711&du=2026-03-31&au=2026-04-30", "1")  # n7, 20 April
    assert link_of(needs["Un an avant"]) == (
        "/demandes?bassin_entreprise=2711&du=2025-05-01&au=2025-05-31", "0")
    assert listed_needs(client, link_of(needs["Période précédente"])[0]) == 1
    assert listed_needs(client, link_of(needs["Un an avant"])[0]) == 0
    firms = cells(body, "companies_contacted")
    previous, year_before = link_of(firms["Période précédente"]), link_of(firms["Un an avant"])
    assert previous == ("/entreprises?basin=2711&contacted_from=2026-03-31"
                        "&contacted_to=2026-04-30&closed=y", "1")  # D, 15 April
    assert year_before == ("/entreprises?basin=2711&contacted_from=2025-05-01"
                           "&contacted_to=2025-05-31&closed=y", "1")  # A, visited 15 May 2025
    assert listed(client, previous[0]) == listed(client, year_before[0]) == 1
    visited = link_of(cells(body, "companies_visited")["Un an avant"])
    assert visited is not None and visited[1] == "1" and listed(client, visited[0]) == 1
    assert 'title="Besoins recueillis : voir la liste"' in needs["Période"]  # the period's own


def test_an_unavailable_compared_figure_links_nowhere(client, committee_data, admin):
    body = client.get(PAGE).get_data(as_text=True)
    fill_rate = cells(body, "fill_rate")  # no need closed in April nor in May 2025
    for label in ("Période précédente", "Un an avant"):
        assert "non disponible" in fill_rate[label] and link_of(fill_rate[label]) is None
    assert link_of(fill_rate["Période"]) is not None


def test_the_breakdowns_compared_figures_link_to_the_picked_periods_lists(client, data, earlier,
                                                                          admin):
    body = client.get(test_indicator_breakdowns.PAGE).get_data(as_text=True)
    jobs = compared_links(body, "Besoins recueillis", PREVIOUS)
    chef = next((link, text) for link, text in jobs if "rome=F1202" in link)
    assert "du=2026-03-31" in chef[0] and "au=2026-04-30" in chef[0]
    assert chef[1] == "2" and listed_needs(client, chef[0]) == 2  # P1 and the April need
    spotters = compared_links(body, "Signalements", PREVIOUS)  # the club's S1, none of Cap emploi
    assert sorted(text for _, text in spotters) == ["0", "1"]
    for link, text in spotters:
        assert "du=2026-03-31" in link and "repereur=" in link
        assert listed_needs(client, link) == int(text)
    # the plan's needs collected from its start (1 January) to the previous period's end
    plan = compared_links(body, "Réalisé", PREVIOUS)
    collected = next(link for link, text in plan if "clos_du" not in link)
    assert collected == "/demandes?bassin_entreprise=2711&du=2026-01-01&au=2026-04-30"
    assert listed_needs(client, collected) == 4  # the April need, P1, P2, S1
    year = client.get(test_indicator_breakdowns.PAGE + "&comparaison=year_before").get_data(
        as_text=True)
    assert not [link for link, _ in compared_links(year, "Besoins recueillis", PREVIOUS)
                if "rome=" in link]  # the indicators' table alone still shows the previous period
    chef = next((link, text) for link, text in compared_links(year, "Besoins recueillis", YEAR_BEFORE)
                if "rome=F1202" in link)
    assert "du=2025-05-01" in chef[0] and "au=2025-05-31" in chef[0]
    assert chef[1] == "2" and listed_needs(client, chef[0]) == 2  # Y1, Y2
    filled = next((link, text) for link, text in compared_links(year, "Besoins pourvus", YEAR_BEFORE)
                  if "rome=F1202" in link)
    assert "clos_du=2025-05-01" in filled[0] and filled[1] == "1"
    assert listed_needs(client, filled[0]) == 1  # Y1
    assert compared_links(year, "Réalisé", YEAR_BEFORE) == []  # the plan had not started

