"""The dashboard's firm figures link to the companies list with the same filters, at every level
and for any period: firms contacted or visited from… to… (French days), by an organisation or an
adviser; the plans' firm objectives too. The list's rows equal the figure shown, on the indicators'
fixture (tests/test_indicators.py, hand-checked values below)."""

import html
import re
from datetime import date

import pytest

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests import test_indicators
from tests.helpers import assert_constant_queries, page_text, queries_for, text_of
from tests.test_indicators import utc

committee_data = test_indicators.committee_data  # the indicators' fixture

FIRM_LABELS = {"companies_contacted": "Entreprises contactées",
               "companies_visited": "Entreprises visitées",
               "penetration_rate": "Taux de pénétration",
               "tpe_pme_share": "Part de TPE-PME parmi les entreprises servies"}
MAY = "from=2026-05-01&to=2026-05-31"
APRIL_1ST_MAY = "from=2026-04-01&to=2026-05-01"  # 31 days ending before today: not a window


def firm_links(client, page: str) -> dict[str, tuple[str, str]]:
    """Firm figure key → (its link, the figure shown)."""
    body = client.get(page).get_data(as_text=True)
    found = {}
    for key, label in FIRM_LABELS.items():
        match = re.search(rf'<a href="([^"]+)" title="{re.escape(html.escape(label))} : voir la liste">'
                          r"([^<]+)</a>", body)
        if match:
            found[key] = (html.unescape(match.group(1)), html.unescape(match.group(2)))
    return found


def listed(client, link: str) -> int:
    text = text_of(client, link)
    if "Aucune entreprise" in text:
        return 0
    return int(re.search(r"(\d+) entreprises?\b", text).group(1))


def rsa_dijon() -> m.RsaPilotTerritory:
    """An RSA pilot territory of one commune, Dijon (21231): the Dijon basin's firms."""
    territory = m.RsaPilotTerritory(scope=m.TerritoryScope.COMMUNE, code="21231",
                                    label="Dijon (pilote)", valid_from=date(2026, 1, 1))
    db.session.add(territory)
    db.session.commit()
    return territory


def pages(data) -> dict[str, str]:
    base = "/pilotage/indicateurs?"
    return {
        "region": base + "level=region",
        "departement": base + "level=departement&code=21",
        "basin": base + "level=basin&code=2711",
        "rsa": base + f"level=rsa&rsa={rsa_dijon().id}",
        "organisation": base + f"level=basin&code=2711&organisation={data['local'].id}",
        "paul": base + f"level=adviser&conseiller={data['paul'].id}",
        "lea": base + f"level=adviser&conseiller={data['lea'].id}",
    }


# (firms contacted, visited, the penetration rate's numerator: the active firms contacted)
# May: A, B, C (1 May 00:30 in Paris), D, E (closed) in Dijon, G in Besançon; A visited by the
# task force of Paul (agency) and Léa (local mission); C's June visit has no participant.
IN_MAY = {"region": (6, 1, 5), "departement": (5, 1, 4), "basin": (5, 1, 4), "rsa": (5, 1, 4),
          "organisation": (1, 1, 1), "paul": (6, 1, 5), "lea": (1, 1, 1)}
# 1 April to 1 May: D (15 April) and C (1 May in Paris, 30 April in UTC); no visit.
APRIL = {"region": (2, 0, 2), "departement": (2, 0, 2), "basin": (2, 0, 2), "rsa": (2, 0, 2),
         "organisation": (0, 0, 0), "paul": (2, 0, 2), "lea": (0, 0, 0)}


@pytest.fixture
def data(committee_data):
    people = {user.name: user for user in db.session.query(m.User).filter(
        m.User.name.in_(("Paul", "Léa")))}
    return committee_data | {"paul": people["Paul"], "lea": people["Léa"]}


@pytest.mark.parametrize(("period", "expected"), [(MAY, IN_MAY), (APRIL_1ST_MAY, APRIL)],
                         ids=["may", "april-to-1-may"])
def test_each_levels_firm_figures_link_to_as_many_companies(client, data, admin, period, expected):
    for level, page in pages(data).items():
        links = firm_links(client, f"{page}&{period}")
        contacted, visited, served = expected[level]
        shown = {key: text for key, (_, text) in links.items()}
        assert (shown["companies_contacted"], shown.get("companies_visited", "0")) == (
            str(contacted), str(visited)), level
        counts = {key: listed(client, link) for key, (link, _) in links.items()}
        assert counts["companies_contacted"] == contacted, level
        assert counts.get("companies_visited", 0) == visited, level
        if "penetration_rate" in links:  # its numerator
            assert counts["penetration_rate"] == served, level
        if "tpe_pme_share" in links:  # taken over the firms contacted
            assert counts["tpe_pme_share"] == contacted, level


def test_the_links_carry_the_levels_filters(client, data, admin):
    links = firm_links(client, pages(data)["organisation"] + "&" + MAY)
    local = data["local"].id
    assert links["companies_visited"][0] == (
        f"/entreprises?closed=y&basin=2711&organisation={local}&visited_from=2026-05-01"
        "&visited_to=2026-05-31")
    paul = firm_links(client, pages(data)["paul"] + "&" + MAY)["companies_contacted"][0]
    assert f"adviser={data['paul'].id}" in paul and "basin" not in paul


def test_the_last_thirty_days_count_from_the_start_of_the_french_day(client, data, admin):
    """Today is 10 June 2026: the last 30 days start on 12 May at 00:00 in Paris (11 May, 22:00
    UTC), as the figure of 12 May to 10 June counts them; a contact at 23:00 UTC on 11 May (1:00
    on 12 May in Paris) is in both, one at 21:00 UTC is in neither."""
    inside = f.CompanyFactory(name="Contact de minuit", basin_code="2711", commune_code="21231")
    outside = f.CompanyFactory(name="Contact de la veille", basin_code="2711", commune_code="21231")
    f.InteractionFactory(company=inside, occurred_at=utc(2026, 5, 11, 22, 30))
    f.InteractionFactory(company=outside, occurred_at=utc(2026, 5, 11, 21, 30))
    db.session.commit()
    last_days = listed(client, "/entreprises?basin=2711&contacted=oui&days=30&closed=y")
    shown = firm_links(client, "/pilotage/indicateurs?level=basin&code=2711"
                               "&from=2026-05-12&to=2026-06-10")["companies_contacted"]
    assert last_days == int(shown[1]) == 5  # A, B, C (1 June), D and the midnight contact
    text = text_of(client, "/entreprises?basin=2711&contacted=oui&days=30")
    assert "Contact de minuit" in text and "Contact de la veille" not in text


def test_the_plans_firm_objectives_link_to_the_firms_they_count(client, data, admin):
    plan = f.ProspectionPlanFactory(basin_code="2711", period_start=date(2026, 5, 1),
                                    period_end=date(2026, 12, 31), status=m.PlanStatus.ACTIVE,
                                    name="Plan Dijon")
    for indicator in (m.Indicator.COMPANIES_CONTACTED, m.Indicator.COMPANIES_VISITED,
                      m.Indicator.TPE_PME_SHARE):
        f.PlanObjectiveFactory(plan_id=plan.id, indicator=indicator, target=10)
    db.session.commit()
    body = client.get(pages(data)["basin"] + "&" + MAY).get_data(as_text=True)
    achieved = re.findall(r'<a href="(/entreprises\?[^"]+)" title="Réalisé : voir la liste">(\d+)</a>',
                          body)
    figures = [(html.unescape(link), int(value)) for link, value in achieved]
    contacted = ("/entreprises?basin=2711&closed=y&contacted_from=2026-05-01"
                 "&contacted_to=2026-05-31")
    visited = "/entreprises?basin=2711&closed=y&visited_from=2026-05-01&visited_to=2026-05-31"
    # the plans' TPE-PME share (A, B, E of known upper bound: 100 %) links to the firms contacted
    assert sorted(figures) == [(contacted, 5), (contacted, 100), (visited, 1)]
    assert listed(client, contacted) == 5 and listed(client, visited) == 1


def test_the_day_filters_keep_through_pages_views_and_exports(client, data, admin):
    local = data["local"].id
    view = (f"basin=2711&organisation={local}&contacted_from=2026-05-01"
            "&contacted_to=2026-05-31&closed=y")
    text = text_of(client, f"/entreprises?{view}")
    assert "1 entreprise" in text
    response = client.post(f"/entreprises/vues?{view}", data={"name": "Contactées par la ML"})
    saved = client.get(response.headers["Location"])
    assert f"organisation={local}" in saved.headers["Location"]
    assert "contacted_from=2026-05-01" in saved.headers["Location"]
    export = client.post(f"/entreprises/export?{view}", data={"format": "csv"})
    rows = export.get_data(as_text=True).strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("A;")


@pytest.mark.parametrize(("arguments", "message"), [
    ("contacted_from=2026-02-30&contacted_to=2026-03-01", "Date invalide (format AAAA-MM-JJ)."),
    ("contacted_from=2026-05-31&contacted_to=2026-05-01",
     "La fin de la période de contact précède son début."),
    ("visited_from=2026-05-01", "Indiquez le premier et le dernier jour de la période de visite."),
    ("visited_from=0001-01-01&visited_to=9999-12-31",
     "Les dates de visite doivent être comprises entre 1900 et 2100."),
    ("adviser={paul}", "Indiquez aussi une période de contact ou de visite"),
])
def test_bad_days_are_refused_in_french(client, data, admin, arguments, message):
    response = client.get("/entreprises?" + arguments.format(paul=data["paul"].id))
    assert response.status_code == 422
    assert message in page_text(response)
    export = client.post("/entreprises/export?" + arguments.format(paul=data["paul"].id),
                         data={"format": "csv"})
    assert export.status_code == 422  # never the whole list in place of the view


def test_the_filtered_list_runs_a_fixed_number_of_queries(client, data, admin):
    local = data["local"].id
    firms = [f.CompanyFactory(basin_code="2711", commune_code="21231") for _ in range(30)]
    paul = data["paul"]

    def add_rows(number: int):
        for company in firms[:number]:
            f.InteractionFactory(company=company, user=paul, occurred_at=utc(2026, 5, 3, 9, 0))
            visit = f.VisitFactory(company=company, scheduled_at=utc(2026, 5, 4, 8, 0),
                                   status=m.VisitStatus.DONE)
            f.VisitParticipantFactory(visit_id=visit.id, user=paul)
        db.session.commit()

    page = ("/entreprises?basin=2711&contacted_from=2026-05-01&contacted_to=2026-05-31"
            f"&visited_from=2026-05-01&visited_to=2026-05-31&adviser={paul.id}")
    assert_constant_queries(client, page, add_rows)
    assert queries_for(client, page) <= 13
    assert queries_for(client, page.replace(f"adviser={paul.id}", f"organisation={local}")) <= 13
