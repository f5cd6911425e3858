"""Finding hiring needs for the staff and partner pages: "Mes demandes" and its filters, late needs,
the unassigned queue, a partner's flags, one need with what its page shows, and the version check
that refuses an action on a need changed by someone else meanwhile."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    ClosingReason,
    Commune,
    Company,
    HiringNeed,
    Interaction,
    NeedContribution,
    NeedJournalEntry,
    NeedMessage,
    NeedSource,
    NeedStatus,
    NeedStatusChange,
    NeedTransferProposal,
    Organisation,
    RomeCode,
    TransferProposalStatus,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.needs.workflow import late_condition
from crm.services.platform.local_time import day_bounds, local_today
from crm.services.platform.wording import normalise_name
from crm.services.platform.working_days import deadline_day, is_working_day
from crm.services.territory import rsa_pilots

STALE_VERSION = ("La demande a été modifiée par quelqu'un d'autre entre-temps : "
                 "rechargez la page.")
AGE_DAYS = {"week": (0, 7), "month": (7, 30), "older": (30, None)}
SCOPES = ("mine", "organisation", "basins")


@dataclass
class NeedFilters:
    """What "Mes demandes" is filtered on; empty values do not filter."""

    scope: str = ""
    status: str = ""
    basin: str = ""
    age: str = ""
    late: bool = False
    search: str = ""
    rsa_pilot: bool = False  # workplace in an RSA pilot territory today
    # the records behind an indicator (docs/indicators.md): the firm's département or basin,
    # the source, filed or closed from… to… (French calendar days, both included), and
    # "filled" (filled or partly filled) or "outcome" (filled, partly filled or unfilled), and
    # the closing reason
    department: str = ""
    firm_basin: str = ""
    source: str = ""
    filed_from: date | None = None
    filed_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    outcome: str = ""
    rome: str = ""  # a ROME code
    shortage: str = ""  # "oui": shortage jobs; "non": the others and needs without a code
    spotter_organisation: int | None = None  # the organisation that flagged the need
    closing_reason: str = ""  # a ClosingReason value
    pilot_adviser: int | None = None  # the adviser piloting the need
    pilot_organisation: int | None = None  # the organisation piloting the need
    rsa_territory: int | None = None  # the firm is in this RSA pilot territory's communes
    rome_excluded: tuple[str, ...] = ()  # needs of another ROME code, or without one


OUTCOME_STATUSES = {
    "filled": (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED),
    "outcome": (NeedStatus.FILLED, NeedStatus.PARTLY_FILLED, NeedStatus.UNFILLED),
}


def between(column, first: date | None, last: date | None) -> list[ColumnElement[bool]]:
    """A stored time within French calendar days, both included (either end may be open)."""
    return ([column >= day_bounds(first)[0]] if first else []) + (
        [column < day_bounds(last)[1]] if last else [])


def record_conditions(filters: NeedFilters) -> list[ColumnElement[bool]]:
    """The conditions of the filters an indicator's link sets (the indicators' definitions)."""
    conditions = [*between(HiringNeed.created_at, filters.filed_from, filters.filed_to),
                  *between(HiringNeed.closed_at, filters.closed_from, filters.closed_to)]
    firm_conditions: list[ColumnElement[bool]] = []
    if filters.department:
        firm_conditions.append(Company.commune_code.in_(
            sa.select(Commune.code).where(Commune.department_code == filters.department)))
    if filters.firm_basin:
        firm_conditions.append(Company.basin_code == filters.firm_basin)
    if filters.rsa_territory is not None:
        firm_conditions.append(Company.commune_code.in_(
            rsa_pilots.territory_communes(filters.rsa_territory)))
    if firm_conditions:
        conditions.append(HiringNeed.company_id.in_(sa.select(Company.id).where(*firm_conditions)))
    if filters.source:
        conditions.append(HiringNeed.source == NeedSource(filters.source))
    if filters.outcome:
        conditions.append(HiringNeed.status.in_(OUTCOME_STATUSES[filters.outcome]))
    if filters.closing_reason:
        conditions.append(HiringNeed.closing_reason == ClosingReason(filters.closing_reason))
    if filters.closed_from or filters.closed_to:
        conditions.append(~HiringNeed.is_open)
    if filters.rome:
        conditions.append(HiringNeed.rome_code == filters.rome)
    if filters.rome_excluded:
        conditions.append(sa.or_(HiringNeed.rome_code.is_(None),
                                 HiringNeed.rome_code.not_in(filters.rome_excluded)))
    if filters.pilot_adviser is not None:
        conditions.append(HiringNeed.adviser_id == filters.pilot_adviser)
    if filters.pilot_organisation is not None:
        conditions.append(HiringNeed.organisation_id == filters.pilot_organisation)
    if filters.spotter_organisation is not None:
        conditions.append(HiringNeed.source_organisation_id == filters.spotter_organisation)
    if filters.shortage:
        shortage_jobs = HiringNeed.rome_code.in_(sa.select(RomeCode.code).where(RomeCode.shortage))
        conditions.append(shortage_jobs if filters.shortage == "oui"
                          else sa.or_(HiringNeed.rome_code.is_(None), ~shortage_jobs))
    return conditions


def listed(query: sa.Select) -> sa.Select:
    """A list of needs with what its rows show loaded in the same query."""
    return query.options(joinedload(HiringNeed.company), joinedload(HiringNeed.organisation),
                         joinedload(HiringNeed.adviser), joinedload(HiringNeed.rome))


def scope_condition(user: User, scope: str) -> ColumnElement[bool]:
    if scope == "mine":
        return HiringNeed.adviser_id == user.id
    if scope == "organisation":
        return HiringNeed.organisation_id == user.organisation_id
    if scope == "basins":
        return HiringNeed.basin_code.in_([basin.code for basin in user.basins])
    return sa.true()


def age_condition(age: str, now: datetime) -> ColumnElement[bool]:
    """Needs filed at least `low` and less than `high` days ago."""
    low, high = AGE_DAYS[age]
    condition = HiringNeed.created_at <= now - timedelta(days=low)
    if high is None:
        return condition
    return sa.and_(condition, HiringNeed.created_at > now - timedelta(days=high))


def search_condition(text: str) -> ColumnElement[bool]:
    """The reference or the company name contains the text."""
    name = normalise_name(text)
    return sa.or_(
        HiringNeed.reference.contains(text.strip().upper(), autoescape=True),
        HiringNeed.company.has(Company.search_name.contains(name, autoescape=True)),
    )


def needs_for(user: User, filters: NeedFilters, now: datetime | None = None) -> sa.Select:
    """The needs the user may see, filtered, newest first."""
    now = now or utcnow()
    conditions = [access.need_scope(user), scope_condition(user, filters.scope)]
    if filters.status:
        conditions.append(HiringNeed.status == NeedStatus(filters.status))
    if filters.basin:
        conditions.append(HiringNeed.basin_code == filters.basin)
    if filters.age:
        conditions.append(age_condition(filters.age, now))
    if filters.late:
        conditions.append(late_condition(now))
    if filters.search.strip():
        conditions.append(search_condition(filters.search))
    if filters.rsa_pilot:
        conditions.append(HiringNeed.commune_code.in_(rsa_pilots.pilot_communes()))
    conditions.extend(record_conditions(filters))
    query = sa.select(HiringNeed).where(*conditions)
    return listed(query).order_by(HiringNeed.created_at.desc(), HiringNeed.id.desc())


def late_needs(user: User, now: datetime | None = None) -> sa.Select:
    """Needs in the user's scope past their first-contact deadline, oldest deadline first."""
    query = sa.select(HiringNeed).where(access.need_scope(user), late_condition(now))
    return listed(query).order_by(HiringNeed.first_contact_due_at, HiringNeed.id)


def to_contact(user: User, now: datetime | None = None) -> sa.Select:
    """Open needs assigned to the user, not contacted yet and not late, closest deadline first."""
    due = HiringNeed.first_contact_due_at
    query = sa.select(HiringNeed).where(
        HiringNeed.adviser_id == user.id, HiringNeed.first_contact_at.is_(None),
        HiringNeed.is_open, sa.or_(due.is_(None), due >= (now or utcnow())))
    return listed(query).order_by(HiringNeed.first_contact_due_at, HiringNeed.id)


def unassigned_queue(user: User) -> sa.Select:
    """Open needs in the user's scope that no adviser has yet, oldest first."""
    query = sa.select(HiringNeed).where(access.need_scope(user), HiringNeed.adviser_id.is_(None),
                                        HiringNeed.is_open)
    return listed(query).order_by(HiringNeed.created_at, HiringNeed.id)


def flagged_or_contributed(user: User) -> ColumnElement[bool]:
    """The needs the partner's organisation flagged, or whose flag was attached to them while
    they were open (its contributions)."""
    contributed = sa.select(NeedContribution.need_id).where(
        NeedContribution.organisation_id == user.organisation_id)
    return sa.or_(HiringNeed.source_organisation_id == user.organisation_id,
                  HiringNeed.id.in_(contributed))


def flags_of(user: User) -> sa.Select:
    """The needs flagged by the partner's organisation and its contributions, newest first."""
    query = (sa.select(HiringNeed)
             .where(flagged_or_contributed(user))
             .options(joinedload(HiringNeed.company), joinedload(HiringNeed.organisation),
                      joinedload(HiringNeed.adviser), joinedload(HiringNeed.rome)))
    return query.order_by(HiringNeed.created_at.desc(), HiringNeed.id.desc())


def working_days_late(due_at: datetime, now: datetime | None = None) -> int:
    """Working days elapsed since a missed deadline, in French days (0 on the promised day)."""
    day, today, count = deadline_day(due_at), local_today(now), 0
    while day < today:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


def flag_contacted(need: HiringNeed) -> bool:
    """Whether the employer behind a flag has been contacted, as the partner sees it."""
    return need.first_contact_at is not None or need.status == NeedStatus.IN_PROGRESS


def need_by_reference(reference: str) -> HiringNeed | None:
    """A need with its company, people, history and messages."""
    query = sa.select(HiringNeed).where(HiringNeed.reference == reference).options(
        joinedload(HiringNeed.company).joinedload(Company.commune),
        joinedload(HiringNeed.organisation), joinedload(HiringNeed.source_organisation),
        joinedload(HiringNeed.adviser), joinedload(HiringNeed.flagged_by),
        joinedload(HiringNeed.rome), joinedload(HiringNeed.routing_rule),
        selectinload(HiringNeed.history).joinedload(NeedStatusChange.user),
        selectinload(HiringNeed.messages).joinedload(NeedMessage.user),
        selectinload(HiringNeed.journal).options(joinedload(NeedJournalEntry.user),
                                                 joinedload(NeedJournalEntry.organisation)),
        selectinload(HiringNeed.transfer_proposals).options(
            joinedload(NeedTransferProposal.organisation),
            joinedload(NeedTransferProposal.proposed_by),
            joinedload(NeedTransferProposal.decided_by)),
    )
    return db.session.scalar(query)


@dataclass
class HistoryEntry:
    """One line of the history staff read: a status change, a step of a transfer proposal, of
    co-handling or of a candidate put forward."""

    at: datetime
    change: str
    by: str
    note: str


DECISION_WORDS = {TransferProposalStatus.ACCEPTED: "Transfert accepté",
                  TransferProposalStatus.REFUSED: "Transfert refusé"}


def proposal_entries(proposal: NeedTransferProposal) -> list[HistoryEntry]:
    """A proposal's lines: when it was made, then its answer if any (never shown to employers)."""
    proposer = (f"{proposal.proposed_by.name} ({proposal.proposed_by.organisation.name})"
                if proposal.proposed_by else proposal.organisation.name)
    entries = [HistoryEntry(proposal.created_at, "Proposition de transfert", proposer,
                            f"Transfert proposé à {proposal.organisation.name} : {proposal.reason}")]
    if proposal.decided_at is None:
        return entries
    decider = proposal.decided_by.name if proposal.decided_by else "Le système"
    if proposal.status in DECISION_WORDS:
        note = f"{DECISION_WORDS[proposal.status]} par {decider}"
        note += f" : {proposal.decision_reason}" if proposal.decision_reason else "."
    else:
        note = f"Proposition sans suite : {proposal.decision_reason or ''}".rstrip(" :")
    entries.append(HistoryEntry(proposal.decided_at, "Proposition de transfert", decider, note))
    return entries


def staff_history(need: HiringNeed, with_candidates: bool = True) -> list[HistoryEntry]:
    """The need's status history with the transfer proposals, the co-handling and (for the
    handling organisations) the candidates' steps, oldest first."""
    entries = [entry for proposal in need.transfer_proposals
               for entry in proposal_entries(proposal)]
    for line in need.journal:
        if line.candidate_id is not None and not with_candidates:
            continue
        by = line.user.name if line.user else "L'orientation automatique"
        if line.user and line.organisation:
            by += f" ({line.organisation.name})"
        entries.append(HistoryEntry(line.at, line.subject.label, by, line.note))
    for step in need.history:
        change = (f"{step.from_status.label} → " if step.from_status else "") + step.to_status.label
        entries.append(HistoryEntry(step.at, change, step.actor_label, step.note or ""))
    return sorted(entries, key=lambda entry: entry.at)


def pending_proposals(need: HiringNeed) -> list[NeedTransferProposal]:
    """The need's proposals still waiting for an answer, oldest first (from its loaded list)."""
    return [proposal for proposal in need.transfer_proposals if proposal.is_pending]


def flag_by_reference(user: User, reference: str) -> HiringNeed | None:
    """One of the partner organisation's flags (or contributions) with its public side; None for
    anyone else's."""
    query = sa.select(HiringNeed).where(
        HiringNeed.reference == reference, flagged_or_contributed(user),
    ).options(joinedload(HiringNeed.company).joinedload(Company.commune),
              joinedload(HiringNeed.organisation), joinedload(HiringNeed.adviser),
              joinedload(HiringNeed.rome),
              selectinload(HiringNeed.history))
    return db.session.scalar(query)


def interactions_of(need: HiringNeed) -> list[Interaction]:
    """The ledger entries about this need, oldest first."""
    query = (sa.select(Interaction).where(Interaction.need_id == need.id)
             .options(joinedload(Interaction.user), joinedload(Interaction.organisation))
             .order_by(Interaction.occurred_at, Interaction.id))
    return list(db.session.scalars(query))


def transfer_targets(need: HiringNeed) -> list[tuple[int, str]]:
    """Active organisations that handle needs (not offer spotters), except the current pilot."""
    query = (sa.select(Organisation.id, Organisation.name)
             .where(Organisation.active, ~Organisation.is_spotter,
                    Organisation.id != (need.organisation_id or 0))
             .order_by(Organisation.name))
    return [(key, name) for key, name in db.session.execute(query)]
