"""Managers' indicators per offer-spotter organisation: flags, contributions (flags attached to a
need already open), hires, speed of first contact."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from statistics import median

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    HiringNeed,
    NeedContribution,
    NeedSource,
    NeedStatus,
    Organisation,
    User,
    utcnow,
)
from crm.services.accounts.access import need_scope
from crm.services.platform import spreadsheet_files
from crm.services.platform.working_days import is_working_day

ALL_TIME = "tout"
PERIOD_CHOICES = [
    ("30", "30 derniers jours"),
    ("90", "90 derniers jours"),
    ("365", "12 derniers mois"),
    (ALL_TIME, "Depuis le début"),
]
HIRED_STATUSES = (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED)
NO_ORGANISATION = "Organisation non renseignée"
CSV_TYPE = spreadsheet_files.CSV_TYPE
CSV_HEADER = [
    "Organisation", "Signalements", "Contributions", "Signalements suivis d'une embauche",
    "Part suivie d'une embauche (%)", "Délai médian du premier contact (jours ouvrés)",
    "En attente d'un premier contact", "Part avec accord de l'employeur (%)",
]


def working_days_between(start: datetime, end: datetime) -> float:
    """Days from start to end counted on working days only (no weekends, no holidays)."""
    total, day = timedelta(), start.date()
    while day <= end.date():
        if is_working_day(day):
            midnight = datetime.combine(day, time.min)
            overlap = min(end, midnight + timedelta(days=1)) - max(start, midnight)
            total += max(overlap, timedelta())
        day += timedelta(days=1)
    return total / timedelta(days=1)


@dataclass(frozen=True)
class SpotterStats:
    """One spotter organisation's flags and what came of them."""

    organisation_id: int | None
    organisation_name: str
    flags: int
    hired: int
    waiting: int
    agreed: int
    median_days_to_contact: float | None
    contributions: int = 0

    @property
    def hired_share(self) -> float:
        return self.hired / self.flags if self.flags else 0.0

    @property
    def agreed_share(self) -> float:
        return self.agreed / self.flags if self.flags else 0.0


def summarise(organisation_id: int | None, name: str | None, rows: list,
              contributions: int = 0) -> SpotterStats:
    """The indicators of one organisation from its flags' rows and its contributions' count."""
    delays = [working_days_between(r.created_at, r.first_contact_at)
              for r in rows if r.first_contact_at is not None]
    return SpotterStats(
        organisation_id=organisation_id,
        organisation_name=name or NO_ORGANISATION,
        flags=len(rows),
        hired=sum(1 for r in rows if r.status in HIRED_STATUSES and (r.hires or 0) > 0),
        waiting=sum(1 for r in rows
                    if r.first_contact_at is None and r.is_open),
        agreed=sum(1 for r in rows if r.employer_agreed_contact),
        median_days_to_contact=median(delays) if delays else None,
        contributions=contributions,
    )


def flag_rows(user: User, days: int | None, now: datetime | None):
    """The spotter flags the user may see, with their organisation's name: one query."""
    query = (
        sa.select(HiringNeed.source_organisation_id, Organisation.name, HiringNeed.status,
                  HiringNeed.hires, HiringNeed.created_at, HiringNeed.first_contact_at,
                  HiringNeed.employer_agreed_contact, HiringNeed.is_open.label("is_open"))
        .outerjoin(Organisation, Organisation.id == HiringNeed.source_organisation_id)
        .where(HiringNeed.source == NeedSource.SPOTTER, need_scope(user))
    )
    if days is not None:
        query = query.where(HiringNeed.created_at >= (now or utcnow()) - timedelta(days=days))
    return db.session.execute(query).all()


def contribution_counts(user: User, days: int | None, now: datetime | None):
    """(organisation id, name, count) of the contributions to needs the user may see: one query."""
    query = (
        sa.select(NeedContribution.organisation_id, Organisation.name, sa.func.count())
        .join(Organisation, Organisation.id == NeedContribution.organisation_id)
        .join(HiringNeed, HiringNeed.id == NeedContribution.need_id)
        .where(need_scope(user))
        .group_by(NeedContribution.organisation_id, Organisation.name)
    )
    if days is not None:
        query = query.where(
            NeedContribution.created_at >= (now or utcnow()) - timedelta(days=days))
    return db.session.execute(query).all()


def period_days(period: str) -> int | None:
    """Days covered by a period choice; None for all time."""
    return None if period == ALL_TIME else int(period)


def spotter_stats(user: User, period: str = ALL_TIME,
                  now: datetime | None = None) -> list[SpotterStats]:
    """One row per spotter organisation whose flags the user may see, most flags first."""
    days = period_days(period)
    groups: dict[tuple[int | None, str | None], list] = defaultdict(list)
    for row in flag_rows(user, days, now):
        groups[(row.source_organisation_id, row.name)].append(row)
    contributed = {(org_id, name): total for org_id, name, total
                   in contribution_counts(user, days, now)}
    stats = [summarise(org_id, name, groups.get((org_id, name), []),
                       contributed.get((org_id, name), 0))
             for org_id, name in {**groups, **contributed}]
    return sorted(stats, key=lambda s: (-s.flags, -s.contributions, s.organisation_name.lower()))


def french_decimal(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}".replace(".", ",")


def csv_export(stats: list[SpotterStats]) -> str:
    """The table as CSV for spreadsheets: UTF-8 with a BOM, semicolons, decimal commas."""
    return spreadsheet_files.csv_text([CSV_HEADER, *([
        s.organisation_name, s.flags, s.contributions, s.hired, french_decimal(100 * s.hired_share),
        french_decimal(s.median_days_to_contact), s.waiting,
        french_decimal(100 * s.agreed_share),
    ] for s in stats)])
