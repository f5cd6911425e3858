"""The POE/FRAP requests a POE figure counts, as the requests list `/formations` filters them: the
firm's area (the indicators' scope: basin, département, RSA pilot territory), the organisation
carrying the request and its author (the figures' organisation and adviser levels), the request's
day or the training's first day over French calendar days (both included, as the figures and the
plans' `poe_entries` date them), and the funnel's step as the dashboard counts it."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from crm.models import Company, TrainingRequest, TrainingStatus
from crm.services.indicators.scope import Level, Scope
from crm.services.plans import objectives
from crm.services.training.funnel import STEPS

STEP_OF_FIGURE = {"training_requests": "deposee", "training_frap_requests": "frap",
                  "training_approved": "accordee", "training_entries": "entree",
                  "training_hires": "embauche", "training_hire_rate": "issue"}


@dataclass(frozen=True)
class PoeFilters:
    """Empty values do not filter."""

    status: str = ""  # a TrainingStatus value
    department: str = ""
    basin: str = ""
    rsa_territory: int | None = None
    organisation: int | None = None  # the organisation carrying the request
    adviser: int | None = None  # the request's author
    requested_from: date | None = None
    requested_to: date | None = None
    started_from: date | None = None  # the training's first day
    started_to: date | None = None
    step: str = ""  # a key of STEPS


def area_condition(filters: PoeFilters) -> sa.ColumnElement[bool] | None:
    """The requests of the firms of the chosen areas, as the indicators' scope holds them."""
    areas = [Scope(level, code) for level, code in (
        (Level.DEPARTEMENT, filters.department), (Level.BASIN, filters.basin),
        (Level.RSA, "" if filters.rsa_territory is None else str(filters.rsa_territory))) if code]
    if not areas:
        return None
    return TrainingRequest.company_id.in_(
        sa.select(Company.id).where(*(area.company_condition() for area in areas)))


def days(column: objectives.Column, first: date | None,
         last: date | None) -> list[sa.ColumnElement[bool]]:
    return ([column >= first] if first else []) + ([column <= last] if last else [])


def conditions(filters: PoeFilters) -> list[sa.ColumnElement[bool]]:
    found = [*days(TrainingRequest.requested_on, filters.requested_from, filters.requested_to),
             *days(TrainingRequest.training_starts_on, filters.started_from, filters.started_to)]
    area = area_condition(filters)
    if area is not None:
        found.append(area)
    if filters.status:
        found.append(TrainingRequest.status == TrainingStatus(filters.status))
    if filters.organisation is not None:
        found.append(TrainingRequest.organisation_id == filters.organisation)
    if filters.adviser is not None:
        found.append(TrainingRequest.created_by_id == filters.adviser)
    if filters.step:
        found.append(STEPS[filters.step][1])
    return found


def filtered(query: sa.Select, filters: PoeFilters) -> sa.Select:
    """The requests of `query` the filters keep."""
    return query.where(*conditions(filters))
