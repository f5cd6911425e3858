"""One indicator per basin of a region or a département, for the dashboard's choropleth: the needs
collected per 1,000 establishments (`needs_per_1000_establishments`, the same definition as the
dashboard's, computed over the part of each basin that lies in the area). Two grouped queries, the
establishments' shared with the dashboard's figures when it counted them per basin."""

from dataclasses import dataclass

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Basin, Company, HiringNeed
from crm.services.indicators.definitions import BY_KEY, Definition
from crm.services.indicators.figures import Measures, ratio
from crm.services.indicators.scope import Level, Period, Scope
from crm.services.platform.wording import alphabetical

SHADED = "needs_per_1000_establishments"
MAPPED = (Level.REGION, Level.DEPARTEMENT)  # the levels whose dashboard maps its basins


@dataclass(frozen=True)
class BasinFigure:
    code: str
    name: str
    establishments: int
    needs: int
    value: float | None  # None: no active establishment, not available

    @property
    def scope(self) -> Scope:
        """The basin's own dashboard."""
        return Scope(Level.BASIN, self.code, self.name)


@dataclass(frozen=True)
class BasinMap:
    definition: Definition
    basins: list[BasinFigure]  # in French alphabetical order

    @property
    def values(self) -> dict[str, float]:
        return {basin.code: basin.value for basin in self.basins if basin.value is not None}


def by_basin(scope: Scope, period: Period, measures: Measures | None = None) -> BasinMap:
    """The basins with active establishments in the area, each with its needs per 1,000
    establishments over the period (for the scope's organisation when it has one); `measures`:
    the dashboard's of that scope and period, whose establishments per basin it reads."""
    measures = measures or Measures(scope, period)
    firms = measures.establishments_by_basin
    needs = dict(db.session.execute(
        sa.select(Company.basin_code, sa.func.count()).select_from(HiringNeed)
        .join(Company, Company.id == HiringNeed.company_id)
        .where(*measures.filed()).group_by(Company.basin_code)).all())
    return basin_map({code: (count, needs.get(code, 0)) for code, count in firms.items() if code})


def basin_map(counts: dict[str, tuple[int, int]]) -> BasinMap:
    """The map's figures from each basin's (active establishments, needs collected)."""
    names = dict(db.session.execute(sa.select(Basin.code, Basin.name)).all())
    basins = [BasinFigure(code, names[code], firms, needs, ratio(SHADED, needs, firms, 1000).value)
              for code, (firms, needs) in counts.items() if code in names]
    return BasinMap(BY_KEY[SHADED], sorted(basins, key=lambda basin: alphabetical(basin.name)))
