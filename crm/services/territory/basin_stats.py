"""Key counts of the employment basins: the list of the 21 basins and one basin's page.

Establishments are active companies; "contacted this month" counts distinct firms with at least one
ledger entry (any actor) since the first day of the current month, French time. Counts are
regional indicators: they are not limited to the reader's organisation. Each function runs a fixed
number of queries, whatever the number of firms.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Basin, Company, HeadcountBand, HiringNeed, NafCode, RomeCode
from crm.services.platform.local_time import month_start
from crm.services.platform.wording import alphabetical
from crm.services.territory import map_layers
from crm.services.territory.map_layers import MapFilters


@dataclass(frozen=True)
class BasinSummary:
    basin: Basin
    establishments: int
    open_needs: int
    contacted_this_month: int


def basin_summaries(now: datetime | None = None) -> list[BasinSummary]:
    """Every basin, alphabetically, with its establishments, open needs and firms contacted this
    month."""
    basins = sorted(db.session.scalars(sa.select(Basin)), key=lambda basin: alphabetical(basin.name))
    firms = map_layers.establishments_by_basin(MapFilters())
    needs = map_layers.open_needs_by_basin(MapFilters())
    contacted = map_layers.contacted_by_basin(MapFilters(), month_start(now))
    return [BasinSummary(basin, firms.get(basin.code, 0), needs.get(basin.code, 0),
                         contacted.get(basin.code, 0)) for basin in basins]


@dataclass(frozen=True)
class Count:
    code: str  # "" for firms without a band or NAF code
    label: str
    count: int


@dataclass(frozen=True)
class BasinDetail:
    basin: Basin
    by_band: list[Count]
    by_section: list[Count]
    open_needs: int
    firms_with_open_need: int
    contacted_this_month: int
    shortage_needs: int = 0

    @property
    def establishments(self) -> int:
        return sum(count.count for count in self.by_band)


def grouped(query: sa.Select[str | None, str | None, int], unknown: str) -> list[Count]:
    """(code, label, count) rows as counts, the rows without a code labelled `unknown`."""
    return [Count(code or "", label or unknown, count) for code, label, count in db.session.execute(query)]


def counts_by_band(code: str) -> list[Count]:
    """Active establishments of the basin per headcount band, in band order."""
    query = (sa.select(Company.headcount_band, HeadcountBand.label, sa.func.count())
             .outerjoin(HeadcountBand, HeadcountBand.code == Company.headcount_band)
             .where(Company.basin_code == code, Company.active)
             .group_by(Company.headcount_band, HeadcountBand.label)
             .order_by(sa.func.coalesce(Company.headcount_band, "ZZ")))
    return grouped(query, "Tranche non renseignée")


def counts_by_section(code: str) -> list[Count]:
    """Active establishments of the basin per NAF section, in section order."""
    query = (sa.select(NafCode.section, NafCode.section_label, sa.func.count())
             .select_from(Company).outerjoin(NafCode, NafCode.code == Company.naf_code)
             .where(Company.basin_code == code, Company.active)
             .group_by(NafCode.section, NafCode.section_label)
             .order_by(sa.func.coalesce(NafCode.section, "ZZ")))
    return grouped(query, "Activité non renseignée")


def firms_with_open_need(code: str) -> int:
    """Active establishments of the basin with at least one open need."""
    query = (sa.select(sa.func.count()).select_from(Company)
             .where(*map_layers.company_conditions(MapFilters(basin=code, open_need=True))))
    return db.session.execute(query).scalar_one()


def shortage_needs(code: str) -> int:
    """Open needs of the basin on a regional shortage job ("métier en tension")."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(HiringNeed)
        .join(RomeCode, RomeCode.code == HiringNeed.rome_code)
        .where(HiringNeed.basin_code == code, RomeCode.shortage,
               HiringNeed.is_open)).scalar_one()


def basin_detail(code: str, now: datetime | None = None) -> BasinDetail | None:
    """A basin's key counts; None when the code is unknown."""
    basin = db.session.get(Basin, code)
    if basin is None:
        return None
    needs = map_layers.open_needs_by_basin(MapFilters())
    contacted = map_layers.contacted_by_basin(MapFilters(), month_start(now))
    return BasinDetail(basin, counts_by_band(code), counts_by_section(code), needs.get(code, 0),
                       firms_with_open_need(code), contacted.get(code, 0), shortage_needs(code))
