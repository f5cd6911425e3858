"""The directory of the offer spotters of a basin: the partner organisations covering it (declared
basins, a département with communes in it, or the whole region), their contacts and their flags
of the year, with their contributions."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    Commune,
    HiringNeed,
    NeedContribution,
    NeedSource,
    Organisation,
    User,
    utcnow,
)
from crm.models.organisation import organisation_basins, organisation_departments
from crm.services.accounts import access
from crm.services.platform.local_time import local_today, utc_from_local


def covers(basin_codes: Sequence[str]) -> ColumnElement[bool]:
    """Organisations covering one of these basins: declared, through a département with communes
    in one of them, or the whole region (no coverage declared)."""
    has_basin = sa.exists().where(organisation_basins.c.organisation_id == Organisation.id)
    has_department = sa.exists().where(
        organisation_departments.c.organisation_id == Organisation.id)
    departments = sa.select(Commune.department_code).where(Commune.basin_code.in_(basin_codes))
    return sa.or_(
        has_basin.where(organisation_basins.c.basin_code.in_(basin_codes)),
        has_department.where(organisation_departments.c.department_code.in_(departments)),
        sa.and_(~has_basin, ~has_department),
    )


def spotters(basin_codes: Sequence[str] | None) -> sa.Select:
    """Active offer-spotter organisations, covering these basins when given, by name."""
    query = sa.select(Organisation).where(Organisation.active, Organisation.is_spotter)
    if basin_codes is not None:
        query = query.where(covers(basin_codes))
    return query.order_by(Organisation.name)


def basins_seen(user: User, basin_code: str | None) -> list[str] | None:
    """The basins a directory page covers: the one asked for, else the manager's own basins
    (None, every basin, for an admin who asked for none)."""
    if basin_code:
        return [basin_code]
    return None if access.is_admin(user) else [basin.code for basin in user.basins]


def year_start(now: datetime | None = None) -> datetime:
    """The first instant of the current French year, as stored."""
    return utc_from_local(datetime.combine(local_today(now).replace(month=1, day=1), time.min))


@dataclass(frozen=True)
class Figures:
    flags: int = 0
    contributions: int = 0


def figures(organisation_ids: Sequence[int], now: datetime | None = None) -> dict[int, Figures]:
    """One grouped query: the flags and contributions of these organisations this year."""
    since = year_start(now or utcnow())
    flags = (sa.select(sa.func.count(HiringNeed.id))
             .where(HiringNeed.source_organisation_id == Organisation.id,
                    HiringNeed.source == NeedSource.SPOTTER, HiringNeed.created_at >= since)
             .correlate(Organisation).scalar_subquery())
    contributions = (sa.select(sa.func.count(NeedContribution.id))
                     .where(NeedContribution.organisation_id == Organisation.id,
                            NeedContribution.created_at >= since)
                     .correlate(Organisation).scalar_subquery())
    query = sa.select(Organisation.id, flags.label("flags"),
                      contributions.label("contributions")).where(
        Organisation.id.in_(organisation_ids))
    return {row.id: Figures(row.flags, row.contributions) for row in db.session.execute(query)}


def contacts(organisation_ids: Sequence[int]) -> dict[int, list[User]]:
    """The active users of these organisations, by organisation, by name: one query."""
    query = (sa.select(User).where(User.organisation_id.in_(organisation_ids), User.active)
             .order_by(User.name))
    found: dict[int, list[User]] = defaultdict(list)
    for user in db.session.scalars(query):
        found[user.organisation_id].append(user)
    return found
