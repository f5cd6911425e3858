"""The after-hire figures, for the indicators and the staff results page: share of hires still in
post at one month and at the end of the trial period, and the employers' satisfaction shares.
Each takes a filter on needs and a period, and counts in one set-based SQL query. One definition
(docs/aftercare.md):

- the period selects **needs closed** between `first` and `last` (French calendar days, both
  included), whatever the date the follow-up was answered;
- a share is `numerator / denominator`; with a denominator of 0 it has no value (`percent` is
  None: "not computable", never 0 %).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Basin, Checkpoint, HireFollowUp, HiringNeed, NeedSurvey, Organisation
from crm.services.platform.local_time import day_bounds

# Which needs to count: a condition on `HiringNeed` (e.g. `HiringNeed.basin_code == "2711"`), a
# SELECT of need ids, or None for every need.
NeedFilter = sa.ColumnElement[bool] | sa.Select | None


@dataclass(frozen=True)
class Share:
    """`numerator` out of `denominator`; `percent` is None when there is nothing to count."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if not self.denominator else 100 * self.numerator / self.denominator


@dataclass(frozen=True)
class Satisfaction:
    """The employers' answers: how many, and the shares of "yes" to each question."""

    answers: int
    contacted_quickly: Share
    useful: Share


def number(value: Any) -> int:
    """A count or sum from SQL (None, Decimal or int) as an int."""
    return int(value or 0)


def need_condition(needs: NeedFilter) -> sa.ColumnElement[bool]:
    if needs is None:
        return sa.true()
    if isinstance(needs, sa.Select):
        return HiringNeed.id.in_(needs)
    return needs


def closed_between(first: date, last: date) -> sa.ColumnElement[bool]:
    """Needs closed from `first` to `last`, French calendar days, both included."""
    return sa.and_(HiringNeed.closed_at >= day_bounds(first)[0],
                   HiringNeed.closed_at < day_bounds(last)[1])


def in_post_columns() -> tuple:
    return (sa.func.coalesce(sa.func.sum(HireFollowUp.in_post), 0),
            sa.func.coalesce(sa.func.sum(HireFollowUp.hires), 0))


def in_post_query(checkpoint: Checkpoint, needs: NeedFilter, first: date, last: date) -> sa.Select:
    """The answered checkpoints of this kind of the needs closed in the period."""
    return (sa.select(*in_post_columns())
            .join(HiringNeed, HiringNeed.id == HireFollowUp.need_id)
            .where(HireFollowUp.checkpoint == checkpoint, HireFollowUp.answered_at.is_not(None),
                   closed_between(first, last), need_condition(needs)))


def still_in_post_at_one_month(needs: NeedFilter, first: date, last: date) -> Share:
    """Share of hires still in post one month after the hire, among the needs closed in the period
    whose one-month follow-up is **due and answered** (unanswered or not yet due follow-ups are
    left out of both terms): sum of `in_post` ÷ sum of `hires` of those follow-ups."""
    in_post, hires = db.session.execute(
        in_post_query(Checkpoint.ONE_MONTH, needs, first, last)).one()
    return Share(number(in_post), number(hires))


def still_in_post_at_trial_end(needs: NeedFilter, first: date, last: date) -> Share:
    """Share of hires still in post at the end of their trial period (by contract type:
    `aftercare.TRIAL_RULES`), among the needs closed in the period whose trial-end follow-up is
    **due and answered** (the others are left out of both terms): sum of `in_post` ÷ sum of
    `hires` of those follow-ups."""
    in_post, hires = db.session.execute(
        in_post_query(Checkpoint.TRIAL_END, needs, first, last)).one()
    return Share(number(in_post), number(hires))


def yes_count(column) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((column.is_(True), 1), else_=0)), 0)


def satisfaction_columns() -> tuple:
    return (sa.func.count(NeedSurvey.id), yes_count(NeedSurvey.contacted_quickly),
            yes_count(NeedSurvey.useful))


def satisfaction_query(needs: NeedFilter, first: date, last: date) -> sa.Select:
    return (sa.select(*satisfaction_columns())
            .join(HiringNeed, HiringNeed.id == NeedSurvey.need_id)
            .where(NeedSurvey.answered_at.is_not(None), closed_between(first, last),
                   need_condition(needs)))


def satisfaction(needs: NeedFilter, first: date, last: date) -> Satisfaction:
    """The employers' answers about the needs closed in the period (one answer per need, given on
    the tracking page): number of answers, share answering yes to "Avez-vous été contacté
    rapidement ?" and to "L'accompagnement vous a-t-il été utile ?" (out of the answers; needs
    not surveyed or not answered are left out)."""
    answers, contacted, useful = db.session.execute(satisfaction_query(needs, first, last)).one()
    return Satisfaction(number(answers), Share(number(contacted), number(answers)),
                        Share(number(useful), number(answers)))


def contacted_quickly(needs: NeedFilter, first: date, last: date) -> Share:
    """Share of answers "oui" to "Avez-vous été contacté rapidement ?" (denominator: the number of
    answers), for the needs closed in the period."""
    return satisfaction(needs, first, last).contacted_quickly


def useful(needs: NeedFilter, first: date, last: date) -> Share:
    """Share of answers "oui" to "L'accompagnement vous a-t-il été utile ?" (denominator: the
    number of answers), for the needs closed in the period."""
    return satisfaction(needs, first, last).useful


class Group(StrEnum):
    ORGANISATION = "organisation"
    BASIN = "basin"


@dataclass
class TeamResult:
    """The four figures of one organisation (the need's pilot at closing) or one basin."""

    code: str | None  # organisation id (as text) or basin code; None: needs without one
    name: str
    one_month: Share
    trial_end: Share
    satisfaction: Satisfaction


def group_column(group: Group):
    return HiringNeed.organisation_id if group == Group.ORGANISATION else HiringNeed.basin_code


def grouped_in_post(group: Group, checkpoint: Checkpoint, needs: NeedFilter, first: date,
                    last: date) -> dict:
    column = group_column(group)
    query = in_post_query(checkpoint, needs, first, last).add_columns(column).group_by(column)
    return {key: Share(number(in_post), number(hires)) for in_post, hires, key in db.session.execute(query)}


def grouped_satisfaction(group: Group, needs: NeedFilter, first: date, last: date) -> dict:
    column = group_column(group)
    query = satisfaction_query(needs, first, last).add_columns(column).group_by(column)
    return {key: Satisfaction(number(n), Share(number(c), number(n)), Share(number(u), number(n)))
            for n, c, u, key in db.session.execute(query)}


def names(group: Group, keys: set) -> dict:
    query: sa.Select
    if group == Group.ORGANISATION:
        query = sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(keys))
    else:
        query = sa.select(Basin.code, Basin.name).where(Basin.code.in_(keys))
    return {key: name for key, name in db.session.execute(query)}


NONE = Share(0, 0)
NO_ANSWERS = Satisfaction(0, NONE, NONE)
UNKNOWN = {Group.ORGANISATION: "Sans structure pilote", Group.BASIN: "Bassin inconnu"}


def results_by(group: Group, needs: NeedFilter, first: date, last: date) -> list[TeamResult]:
    """The four figures per organisation or per basin, for the needs closed in the period (four
    grouped queries and one for the names), by name; teams with nothing to count are left out."""
    one_month = grouped_in_post(group, Checkpoint.ONE_MONTH, needs, first, last)
    trial = grouped_in_post(group, Checkpoint.TRIAL_END, needs, first, last)
    survey = grouped_satisfaction(group, needs, first, last)
    keys = set(one_month) | set(trial) | set(survey)
    found = names(group, keys - {None})
    rows = [TeamResult(None if key is None else str(key), found.get(key, UNKNOWN[group]),
                       one_month.get(key, NONE), trial.get(key, NONE), survey.get(key, NO_ANSWERS))
            for key in keys]
    return sorted(rows, key=lambda row: (row.code is None, row.name.casefold()))
