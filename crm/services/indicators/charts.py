"""The dashboard's charts, drawn by the State's chart components (`@gouvfr/dsfr-chart`, vendored in
`crm/static/vendor/dsfr-chart/`): each one is built from the dashboard's own figures (no query of
its own) and is followed on the page by its data table, which holds the same numbers.

- the trend: the key counts over the period, the previous period and the same period a year before
  (grouped bars);
- the needs by source over the period and the previous one (bars).
"""

import json
from dataclasses import dataclass

from crm.models import NeedSource
from crm.services.indicators.definitions import BY_KEY, source_key
from crm.services.indicators.figures import Dashboard, Figure
from crm.services.indicators.tables import NOT_AVAILABLE, french_decimal

TREND_KEYS = ("companies_contacted", "companies_visited", "needs_collected", "positions",
              "positions_filled", "hires")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None: not available (drawn as no bar, "non disponible" in the table)


@dataclass(frozen=True)
class Chart:
    """Categories (the x axis) and one or more series of values, one value per category."""

    key: str
    title: str
    unit: str
    categories: list[str]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The data table: one row per category, one value per series."""
        return [(category, [series.values[index] for series in self.series])
                for index, category in enumerate(self.categories)]

    # The components' attributes: JSON lists, one list per series.
    @property
    def x(self) -> str:
        return json.dumps([self.categories for _ in self.series], ensure_ascii=False)

    @property
    def y(self) -> str:
        return json.dumps([[value or 0 for value in series.values] for series in self.series])

    @property
    def names(self) -> str:
        return json.dumps([series.name for series in self.series], ensure_ascii=False)


def value(figure: Figure) -> float | None:
    return figure.value if figure.available else None


def shown(number: float | None, decimals: int = 0) -> str:
    """A value of a chart's or the map's data table: "1\u202f200", "3,5", or "non disponible"."""
    return NOT_AVAILABLE if number is None else french_decimal(number, decimals)


def trend(board: Dashboard) -> Chart:
    """The key counts over the three periods of the dashboard."""
    rows = [board.row(key) for key in TREND_KEYS]
    period = board.period
    return Chart(
        "evolution", "Évolution des principaux chiffres", "nombre",
        [row.definition.label for row in rows],
        [Series(f"Période ({period.label})", [value(row.current) for row in rows]),
         Series(f"Période précédente ({period.previous.label})", [value(row.previous) for row in rows]),
         Series(f"Un an avant ({period.year_before.label})", [value(row.year_before) for row in rows])])


def needs_by_source(board: Dashboard) -> Chart:
    """The needs collected over the period and the previous one, by source."""
    rows = [board.row(source_key(source)) for source in NeedSource]
    return Chart(
        "sources", "Besoins recueillis par source", BY_KEY["needs_collected"].unit,
        [source.label for source in NeedSource],
        [Series(f"Période ({board.period.label})", [value(row.current) for row in rows]),
         Series(f"Période précédente ({board.period.previous.label})",
                [value(row.previous) for row in rows])])


def dashboard_charts(board: Dashboard) -> list[Chart]:
    return [trend(board), needs_by_source(board)]
