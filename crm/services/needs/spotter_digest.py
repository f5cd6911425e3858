"""The offer spotters' daily digest: an organisation that prefers it (`spotter_digest`) hears once
a working day what became of the needs it flagged or contributed to, instead of an e-mail at each
change (`notifications.spotters_told`). The digest of a working day covers the French days from
the previous working day up to the day before: nothing is told twice, nothing is lost over a
weekend or a holiday."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import (
    HiringNeed,
    NeedContribution,
    NeedSource,
    NeedStatusChange,
    Organisation,
    OutboxMessage,
    StepActor,
    utcnow,
)
from crm.services.needs import notifications
from crm.services.platform import outbox
from crm.services.platform.local_time import day_bounds, local_today
from crm.services.platform.working_days import is_working_day

KIND = "spotter_digest"


@dataclass(frozen=True)
class News:
    """A need whose status changed, as one spotter organisation knows it."""

    need: HiringNeed
    contribution: bool


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def window(today: date) -> tuple[datetime, datetime]:
    """The stored times the digest of `today` covers: from the previous working day's start to
    today's start."""
    return day_bounds(previous_working_day(today))[0], day_bounds(today)[0]


def changed_needs(start: datetime, end: datetime) -> sa.Select:
    """Ids of the needs with a status change in the window (the automatic routing at filing is
    not news: the partner's acknowledgement told it)."""
    return sa.select(NeedStatusChange.need_id).where(
        NeedStatusChange.at >= start, NeedStatusChange.at < end,
        NeedStatusChange.actor_kind != StepActor.ROUTING)


def news_rows(start: datetime, end: datetime) -> list[sa.Row]:
    """(organisation id, need id, contribution) for the organisations that prefer the digest."""
    changed = changed_needs(start, end)
    flagged = sa.select(HiringNeed.source_organisation_id.label("organisation_id"),
                        HiringNeed.id.label("need_id"), sa.false().label("contribution")).where(
        HiringNeed.id.in_(changed), HiringNeed.source == NeedSource.SPOTTER)
    contributed = sa.select(NeedContribution.organisation_id, NeedContribution.need_id,
                            sa.true().label("contribution")).where(
        NeedContribution.need_id.in_(changed))
    both = sa.union_all(flagged, contributed).subquery()
    query = (sa.select(both.c.organisation_id, both.c.need_id, both.c.contribution)
             .join(Organisation, Organisation.id == both.c.organisation_id)
             .where(Organisation.spotter_digest, Organisation.active)
             .order_by(both.c.organisation_id, both.c.need_id))
    return list(db.session.execute(query))


def needs_by_id(ids: set[int]) -> dict[int, HiringNeed]:
    query = sa.select(HiringNeed).where(HiringNeed.id.in_(ids)).options(
        joinedload(HiringNeed.company), joinedload(HiringNeed.adviser),
        joinedload(HiringNeed.organisation), joinedload(HiringNeed.rome))
    return {need.id: need for need in db.session.scalars(query)}


def digests_for(today: date) -> dict[Organisation, list[News]]:
    """Each organisation preferring the digest with the news of its needs, in reference order."""
    rows = news_rows(*window(today))
    needs = needs_by_id({row.need_id for row in rows})
    organisations = {o.id: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_({row.organisation_id for row in rows})))}
    digests: dict[Organisation, list[News]] = {}
    for row in rows:
        news = News(needs[row.need_id], bool(row.contribution))
        digests.setdefault(organisations[row.organisation_id], []).append(news)
    return digests


def already_sent(today: date) -> set[str]:
    """Recipients who already have today's digest (at most one a day)."""
    query = sa.select(OutboxMessage.recipient).where(
        OutboxMessage.kind == KIND, OutboxMessage.created_at >= day_bounds(today)[0])
    return set(db.session.scalars(query))


def send_spotter_digests(now: datetime | None = None) -> int:
    """Write today's digest for each organisation with news; the caller commits. Returns how
    many e-mails were written."""
    today = local_today(now or utcnow())
    sent = already_sent(today)
    messages = [
        outbox.add_mail(KIND, recipient, organisation=organisation, news=news, today=today,
                        urls={item.need.reference: notifications.flag_url(item.need)
                              for item in news})
        for organisation, news in digests_for(today).items()
        for recipient in notifications.organisation_recipients(organisation)
        if recipient not in sent]
    db.session.flush()
    return len(messages)
