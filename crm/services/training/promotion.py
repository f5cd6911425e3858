"""Promoting the POE: the small firms to call, and the figures of the requests.

The promotion list of a basin: firms under 250 employees (headcount band known) with an open need
in a shortage job (ROME flagged by the Région) and no POE request ever, most open needs first; it
feeds a plan's target list (by SIRET).

The indicators: requests, approvals (approved at some point), entries (training started), hires,
hire rate after training (hired among the completed requests closed with an outcome) and the median
delay from request to start (days), per basin, kind and firm size; one query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Basin,
    Company,
    HeadcountBand,
    HiringNeed,
    RomeCode,
    TrainingKind,
    TrainingRequest,
    TrainingStatus,
)

SMALL_FIRM_LIMIT = 250
APPROVED = frozenset({TrainingStatus.APPROVED, TrainingStatus.CONVENTION_SIGNED,
                      TrainingStatus.IN_TRAINING, TrainingStatus.COMPLETED, TrainingStatus.HIRED,
                      TrainingStatus.NOT_HIRED})
ENTERED = frozenset({TrainingStatus.IN_TRAINING, TrainingStatus.COMPLETED, TrainingStatus.HIRED,
                     TrainingStatus.NOT_HIRED})
PROMOTION_LIMIT = 200


@dataclass(frozen=True)
class Prospect:
    company_id: int
    siret: str
    name: str
    band: str
    open_needs: int
    jobs: str


def promotion_list(basin_code: str, limit: int = PROMOTION_LIMIT) -> list[Prospect]:
    """Small firms of the basin with open needs in shortage jobs and never a POE request."""
    had_poe = sa.select(TrainingRequest.id).where(TrainingRequest.company_id == Company.id).exists()
    jobs = sa.func.min(RomeCode.label)
    query = (sa.select(Company.id, Company.siret, Company.name, HeadcountBand.label,
                       sa.func.count(sa.distinct(HiringNeed.id)), jobs)
             .join(HeadcountBand, HeadcountBand.code == Company.headcount_band)
             .join(HiringNeed, HiringNeed.company_id == Company.id)
             .join(RomeCode, RomeCode.code == HiringNeed.rome_code)
             .where(Company.basin_code == basin_code, Company.active,
                    HeadcountBand.max_employees.is_not(None),
                    HeadcountBand.max_employees < SMALL_FIRM_LIMIT,
                    HiringNeed.is_open, RomeCode.shortage, ~had_poe)
             .group_by(Company.id, Company.siret, Company.name, HeadcountBand.label)
             .order_by(sa.func.count(sa.distinct(HiringNeed.id)).desc(), Company.name)
             .limit(limit))
    return [Prospect(*row) for row in db.session.execute(query)]


def size_of(max_employees: int | None, known: bool) -> str:
    if not known:
        return "Effectif inconnu"
    if max_employees is not None and max_employees < 10:
        return "TPE (moins de 10)"
    if max_employees is not None and max_employees < SMALL_FIRM_LIMIT:
        return "PME (10 à 249)"
    return "250 salariés et plus"


@dataclass
class Figures:
    requests: int = 0
    approvals: int = 0
    entries: int = 0
    hires: int = 0
    closed_after_training: int = 0
    delays: list[int] = field(default_factory=list)

    @property
    def hire_rate(self) -> int | None:
        return round(100 * self.hires / self.closed_after_training) if self.closed_after_training else None

    @property
    def median_delay(self) -> float | None:
        return median(self.delays) if self.delays else None

    def add(self, status: TrainingStatus, requested_on: date, starts_on: date | None) -> None:
        self.requests += 1
        self.approvals += status in APPROVED
        if status in ENTERED:
            self.entries += 1
            if starts_on is not None:
                self.delays.append((starts_on - requested_on).days)
        self.hires += status == TrainingStatus.HIRED
        self.closed_after_training += status in (TrainingStatus.HIRED, TrainingStatus.NOT_HIRED)


@dataclass
class Indicators:
    total: Figures
    by_basin: dict[str, Figures]
    by_kind: dict[str, Figures]
    by_size: dict[str, Figures]


def indicators(basin_codes: list[str] | None = None) -> Indicators:
    """The figures of every request (of these basins), split three ways; one query."""
    query = (sa.select(TrainingRequest.status, TrainingRequest.kind, TrainingRequest.requested_on,
                       TrainingRequest.training_starts_on, Basin.name, HeadcountBand.code,
                       HeadcountBand.max_employees)
             .join(Company, Company.id == TrainingRequest.company_id)
             .outerjoin(Basin, Basin.code == Company.basin_code)
             .outerjoin(HeadcountBand, HeadcountBand.code == Company.headcount_band))
    if basin_codes is not None:
        query = query.where(Company.basin_code.in_(basin_codes))
    total = Figures()
    by_basin: dict[str, Figures] = defaultdict(Figures)
    by_kind: dict[str, Figures] = defaultdict(Figures)
    by_size: dict[str, Figures] = defaultdict(Figures)
    for status, kind, requested_on, starts_on, basin, band, max_employees in db.session.execute(query):
        for figures in (total, by_basin[basin or "Bassin inconnu"], by_kind[TrainingKind(kind).label],
                        by_size[size_of(max_employees, band is not None)]):
            figures.add(status, requested_on, starts_on)
    return Indicators(total, dict(sorted(by_basin.items())), dict(sorted(by_kind.items())),
                      dict(sorted(by_size.items())))
