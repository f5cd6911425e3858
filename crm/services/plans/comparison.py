"""The pilot basins side by side with the others on the objectives' indicators, and the rollout
stage of each basin (the protocol tests the reinforced plan on 2-3 basins, then rolls it out)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Basin, Indicator, RolloutStage, User
from crm.services.plans import objectives
from crm.services.plans.objectives import Period
from crm.services.platform import audit
from crm.services.platform.local_time import local_today

COMPARED = (Indicator.COMPANIES_CONTACTED, Indicator.COMPANIES_VISITED, Indicator.NEEDS_COLLECTED,
            Indicator.NEEDS_FILLED, Indicator.HIRES, Indicator.TPE_PME_SHARE)


@dataclass(frozen=True)
class BasinFigures:
    code: str
    name: str
    stage: RolloutStage
    figures: dict[Indicator, int | None]


@dataclass(frozen=True)
class Comparison:
    pilots: list[BasinFigures]
    others: list[BasinFigures]
    pilot_totals: dict[Indicator, int | None]
    other_totals: dict[Indicator, int | None]


def period_from(start: str | None, end: str | None) -> Period:
    """The period asked for (ISO dates), else the current calendar year."""
    today = local_today()
    default = Period(date(today.year, 1, 1), date(today.year, 12, 31))
    try:
        asked = Period(date.fromisoformat(start or ""), date.fromisoformat(end or ""))
    except ValueError:
        return default
    return asked if asked.start <= asked.end else default


def totals(rows: list[BasinFigures], sizes: dict[str, tuple[int, int]]) -> dict[Indicator, int | None]:
    """Counts add up; the small-firm share is recomputed over the group's firms."""
    found: dict[Indicator, int | None] = {
        indicator: sum(row.figures[indicator] or 0 for row in rows)
        for indicator in COMPARED if indicator not in objectives.SHARES}
    known = sum(sizes.get(row.code, (0, 0))[0] for row in rows)
    small = sum(sizes.get(row.code, (0, 0))[1] for row in rows)
    found[Indicator.TPE_PME_SHARE] = objectives.share(known, small)
    return found


def compare(period: Period) -> Comparison:
    """Every basin's figures over the period (one grouped query per indicator)."""
    basins = db.session.scalars(sa.select(Basin).order_by(Basin.name)).all()
    codes = [basin.code for basin in basins]
    by_indicator = {indicator: objectives.achieved_by_basin(indicator, period, codes)
                    for indicator in COMPARED}
    rows = [BasinFigures(basin.code, basin.name, basin.rollout_stage,
                         {indicator: by_indicator[indicator][basin.code] for indicator in COMPARED})
            for basin in basins]
    sizes = objectives.small_firm_counts(period, codes)
    pilots = [row for row in rows if row.stage == RolloutStage.PILOT]
    others = [row for row in rows if row.stage != RolloutStage.PILOT]
    return Comparison(pilots, others, totals(pilots, sizes), totals(others, sizes))


def set_rollout_stage(basin: Basin, stage: RolloutStage, user: User) -> None:
    if basin.rollout_stage != stage:
        audit.record(user, "rollout_stage", basin, {
            "basin": basin.code, "rollout_stage": [basin.rollout_stage.value, stage.value]})
        basin.rollout_stage = stage
        db.session.flush()
