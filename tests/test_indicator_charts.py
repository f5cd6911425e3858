"""The committee dashboard's charts, basin map and nightly figures, on the indicators' fixture
(tests/test_indicators.py): each chart is followed by a data table holding its numbers, the
regional and departmental dashboards map their basins (each leading to its own dashboard), the
figures stored by the nightly job equal the live ones and the page says when they were computed;
no inline script comes with the charts, and the query count stays fixed."""

import html
import json
import re
from datetime import date

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.indicators import aggregates, basins, breakdowns, charts, figures
from crm.services.indicators.scope import Level, Scope, default_period
from tests import factories as f
from tests import test_indicators
from tests.helpers import assert_constant_queries, count_queries, page_text, queries_for, text_of
from tests.test_indicators import COTE_DOR, DIJON, DOUBS, MAY, PAGE, REGION, need, utc

committee_data = test_indicators.committee_data  # the indicators' fixture

REGION_PAGE = "/pilotage/indicateurs?level=region&code=27&from=2026-05-01&to=2026-05-31"
TODAY = date(2026, 6, 10)  # the tests' clock


def table(page: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each cell's text."""
    tables = {html.unescape(title): body for title, body in
              re.findall(r"<caption>(.*?)</caption>(.*?)</table>", page, re.S)}
    assert caption in tables, list(tables)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tables[caption], re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def chart_attributes(page: str) -> list[dict[str, list]]:
    return [{name: json.loads(html.unescape(value)) for name, value in
             re.findall(r'(x|y|name)="([^"]*)"', tag)}
            for tag in re.findall(r"<bar-chart ([^>]*)>", page)]


def test_each_chart_is_followed_by_a_table_of_its_numbers(client, committee_data, manager):
    page = client.get(PAGE).get_data(as_text=True)
    sources = table(page, "Besoins recueillis par source – Bassin d'emploi : Dijon : données du graphique")
    assert sources == [
        ["Source", "Période (du 01/05/2026 au 31/05/2026)",
         "Période précédente (du 31/03/2026 au 30/04/2026)"],
        ["Formulaire public", "2", "1"], ["Signalement d'un partenaire", "1", "0"],
        ["Visite", "1", "0"], ["API partenaire", "1", "0"], ["Événement", "1", "0"]]
    trend = table(page, "Évolution des principaux chiffres – Bassin d'emploi : Dijon : données du graphique")
    assert trend[1:] == [["Entreprises contactées", "5", "1", "1"],
                         ["Entreprises visitées", "1", "0", "1"],
                         ["Besoins recueillis", "6", "1", "0"],
                         ["Postes à pourvoir", "12", "2", "0"],
                         ["Postes pourvus", "5", "0", "0"],
                         ["Recrutements", "6", "0", "0"]]
    # the components draw the same numbers
    drawn_trend, drawn_sources = chart_attributes(page)
    assert drawn_sources["y"] == [[2, 1, 1, 1, 1], [1, 0, 0, 0, 0]]
    assert drawn_sources["x"][0] == ["Formulaire public", "Signalement d'un partenaire", "Visite",
                                     "API partenaire", "Événement"]
    assert drawn_trend["y"] == [[5, 1, 6, 12, 5, 6], [1, 0, 1, 2, 0, 0], [1, 1, 0, 0, 0, 0]]
    assert drawn_trend["name"][2] == "Un an avant (du 01/05/2025 au 31/05/2025)"


def test_a_chart_says_non_disponible_rather_than_zero():
    board = figures.dashboard(DIJON, MAY)
    assert charts.shown(None) == "non disponible"
    assert charts.trend(board).rows[0] == ("Entreprises contactées", [0, 0, 0])


def test_the_charts_come_as_files_the_security_policy_allows(client, committee_data, manager):
    response = client.get(PAGE)
    page = response.get_data(as_text=True)
    assert "/static/vendor/dsfr-chart/DSFRChart.js" in page
    assert "/static/vendor/dsfr-chart/DSFRChart.css" in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)  # no inline script
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert client.get("/static/vendor/dsfr-chart/DSFRChart.js").status_code == 200


def test_the_regional_dashboard_maps_its_basins_each_leading_to_its_dashboard(client, committee_data,
                                                                              manager):
    page = client.get(REGION_PAGE).get_data(as_text=True)
    rows = table(page, "Besoins pour 1 000 établissements par bassin d'emploi – Région : "
                       "Bourgogne-Franche-Comté, du 01/05/2026 au 31/05/2026")
    assert rows[1:] == [["Besançon", "1", "1", "1\u202f000,0"],
                        ["Dijon", "5", "6", "1\u202f200,0"]]
    assert ('href="/pilotage/indicateurs?level=basin&amp;code=2711&amp;from=2026-05-01&amp;'
            'to=2026-05-31"') in page
    assert 'id="crm-indicator-map"' in page and "/static/js/indicator-map.js" in page
    # the map's one inline script is Folium's, carrying the request's nonce
    inline = [attributes for attributes in re.findall(r"<script([^>]*)>", page)
              if "src=" not in attributes and "application/json" not in attributes]
    assert len(inline) == 1 and "nonce=" in inline[0]


def test_the_regions_establishments_are_counted_once_for_its_figures_and_its_map(committee_data):
    f.CompanyFactory(basin_code=None)  # an active firm without a basin: the region's, not the map's
    board = figures.dashboard(REGION, MAY, per_basin=True)
    with count_queries() as statements:
        found = basins.by_basin(REGION, MAY, board.measures)
    assert len(statements) == 2  # the needs per basin and the basins' names: no second count
    assert [(b.name, b.establishments) for b in found.basins] == [("Besançon", 1), ("Dijon", 5)]
    counted = figures.dashboard(REGION, MAY).measures.establishments  # one plain count
    assert board.measures.establishments == counted == 7
    assert board.row("penetration_rate") == figures.dashboard(REGION, MAY).row("penetration_rate")


def test_a_departement_maps_its_own_basins_and_a_basin_has_no_map(client, committee_data, manager):
    doubs = basins.by_basin(DOUBS, MAY)
    assert [(b.name, b.establishments, b.needs, b.value) for b in doubs.basins] == [
        ("Besançon", 1, 1, 1000.0)]
    assert [b.code for b in basins.by_basin(COTE_DOR, MAY).basins] == ["2711"]
    text = page_text(client.get(PAGE))
    assert "Besoins pour 1 000 établissements par bassin d'emploi" not in text


def test_the_nightly_figures_equal_the_live_ones_and_say_when_computed(client, committee_data,
                                                                       manager):
    period = default_period(TODAY)
    plan = f.ProspectionPlanFactory(name="Plan Dijon 2026", basin_code="2711",
                                    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                                    status=m.PlanStatus.ACTIVE)
    for indicator, target in ((m.Indicator.NEEDS_COLLECTED, 100), (m.Indicator.TPE_PME_SHARE, 60)):
        f.PlanObjectiveFactory(plan_id=plan.id, indicator=indicator, target=target)
    # a plan under way a year before too: its achieved figure by 10 June 2025 is compared
    longer = f.ProspectionPlanFactory(name="Plan Dijon 2025-2026", basin_code="2711",
                                      period_start=date(2025, 1, 1), period_end=date(2026, 12, 31),
                                      status=m.PlanStatus.ACTIVE)
    for indicator, target in ((m.Indicator.NEEDS_COLLECTED, 100), (m.Indicator.COMPANIES_VISITED, 10)):
        f.PlanObjectiveFactory(plan_id=longer.id, indicator=indicator, target=target)
    # the previous twelve months (the year before too): a need of Dijon closed for lack of candidates
    dijon_firm = db.session.scalars(sa.select(m.Company).where(m.Company.name == "A")).one()
    need(dijon_firm, m.NeedSource.SPOTTER, utc(2025, 3, 2, 9, 0), rome_code="F1202",
         status=m.NeedStatus.UNFILLED, closed=utc(2025, 4, 2, 9, 0), hires=0,
         closing_reason=m.ClosingReason.LACK_OF_CANDIDATES)
    db.session.commit()
    assert aggregates.refresh(TODAY) == 1 + db.session.query(m.Department).count() + \
        db.session.query(m.Basin).count()
    for area in (REGION, COTE_DOR, DIJON):
        stored = aggregates.stored(area, period)
        assert stored is not None and stored.computed_at is not None
        assert stored.board.rows == figures.dashboard(area, period).rows, area.label
        live_map = None if area.level == Level.BASIN else basins.by_basin(area, period)
        assert stored.basin_map == live_map, area.label
        assert stored.breakdowns == breakdowns.breakdowns(area, period, TODAY), area.label
        assert stored.breakdowns is not None and stored.breakdowns.spotters
        assert stored.breakdowns.jobs.jobs and stored.breakdowns.plans
        tension = stored.breakdowns.jobs.shortage[0]  # F1202 is a shortage job
        assert (tension.periods["previous"].needs,
                tension.periods["year_before"].lack_share.value) == (1, 100.0), area.label
        assert any(row.periods["previous"].flags == 1 for row in stored.breakdowns.spotters)
        # by 10 June 2025 (the end of the previous twelve months, a year before too): the need of
        # 2 March 2025 and A's visit of 15 May 2025; the 2026 plan had not started
        compared = {plan.name: [(o.indicator, o.compared) for o in plan.objectives]
                    for plan in stored.breakdowns.plans}
        assert compared == {
            "Plan Dijon 2025-2026": [
                (m.Indicator.COMPANIES_VISITED, {"previous": 1, "year_before": 1}),
                (m.Indicator.NEEDS_COLLECTED, {"previous": 1, "year_before": 1})],
            "Plan Dijon 2026": [(m.Indicator.NEEDS_COLLECTED, {"previous": None, "year_before": None}),
                                (m.Indicator.TPE_PME_SHARE, {"previous": None, "year_before": None})]}
    assert aggregates.stored(Scope(Level.BASIN, "2711", "Dijon", committee_data["agency"].id),
                             period) is None  # an organisation's figures are computed live
    text = text_of(client, "/pilotage/indicateurs")
    assert "Chiffres calculés le 10/06/2026 à" in text
    api = client.get("/api/v1/indicators?level=region&code=27").get_json()
    assert {row["key"]: row["value"] for row in api["indicators"]} == {
        row.definition.key: row.current.value for row in aggregates.stored(REGION, period).board.rows}
    # a snapshot made before the plans' comparison (version 2) is not read: computed live
    snapshot = db.session.scalars(sa.select(m.IndicatorSnapshot).where(
        m.IndicatorSnapshot.level == "basin", m.IndicatorSnapshot.code == "2711")).one()
    snapshot.figures = {**snapshot.figures, "breakdowns": {**snapshot.figures["breakdowns"], "version": 2}}
    db.session.commit()
    assert aggregates.stored(DIJON, period) is None
    assert "Chiffres calculés à l'ouverture de la page." in text_of(
        client, "/pilotage/indicateurs?level=basin&code=2711")


def test_until_the_next_night_new_work_shows_in_other_periods_only(client, committee_data, manager):
    aggregates.refresh(TODAY)
    need(f.CompanyFactory(basin_code="2711"), m.NeedSource.API, utc(2026, 6, 9, 9, 0))
    db.session.commit()
    stored = text_of(client, "/pilotage/indicateurs?level=basin&code=2711")
    live = text_of(client, "/pilotage/indicateurs?level=basin&code=2711&from=2025-06-11&to=2026-06-09")
    assert "Chiffres calculés le 10/06/2026" in stored
    assert "Chiffres calculés à l'ouverture de la page." in live
    board = aggregates.dashboard(Scope(Level.BASIN, "2711", "Dijon"), default_period(TODAY)).board
    assert board.row("needs_collected_api").current.value == 1  # the fixture's, not the new one
    aggregates.refresh(TODAY)
    board = aggregates.dashboard(Scope(Level.BASIN, "2711", "Dijon"), default_period(TODAY)).board
    assert board.row("needs_collected_api").current.value == 2


def test_the_nightly_job_is_scheduled_after_midnight_in_paris(app):
    from jobs.worker import scheduled

    jobs = {job.func_name: job for job in scheduled(app).get_jobs()}
    assert jobs["jobs.indicators.refresh_indicators"].cron == "15 23 * * *"


def test_the_regional_dashboard_runs_a_fixed_number_of_queries(client, committee_data, manager):
    firms = [f.CompanyFactory(basin_code=code) for code in ("2711", "2706")]

    def add_rows(number: int):
        for index in range(number):
            company = firms[index % 2]
            f.InteractionFactory(company=company, occurred_at=utc(2026, 5, 3, 9, 0))
            need(company, m.NeedSource.SPOTTER, utc(2026, 5, 4, 9, 0))

    assert_constant_queries(client, REGION_PAGE, add_rows)
    # the basin page's bound (test_indicators.py), the stored-figures lookup, the map's figures
    # (two grouped counts, the basins' names) and outlines
    assert queries_for(client, REGION_PAGE) <= 60


def test_the_nightly_job_stores_every_territory(committee_data):
    from jobs.indicators import refresh_indicators

    assert refresh_indicators() == db.session.query(m.IndicatorSnapshot).count() > 20
    assert aggregates.refreshed_at() is not None
