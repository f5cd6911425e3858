"""A firm's timeline: every contact, visit, need, status change, event, training request and project
heard of, from every organisation, newest first, read with one query per kind of entry whatever
their number."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVarTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from crm.extensions import db
from crm.models import (
    CompanyProject,
    Event,
    EventCompany,
    HiringNeed,
    Interaction,
    InteractionKind,
    NeedStatusChange,
    Organisation,
    TrainingRequest,
    User,
    Visit,
    VisitParticipant,
    VisitStatus,
)
from crm.services.platform.wording import plural

LIMIT = 50
Row = TypeVarTuple("Row")  # the columns a query selects
FILING_KINDS = (InteractionKind.REQUEST, InteractionKind.FLAG)
VISIT_LABELS = {VisitStatus.PLANNED: "Visite prévue", VisitStatus.DONE: "Visite réalisée",
                VisitStatus.CANCELLED: "Visite annulée"}


@dataclass(frozen=True)
class Actor:
    """Who acted, and for which organisation (either may be unknown)."""

    name: str | None
    organisation: str | None


@dataclass
class Entry:
    """One line of the timeline: when, what, who and which organisation."""

    at: datetime
    kind: str  # interaction, visit, visit_report, need, status, event, training, project
    title: str
    detail: str | None = None
    actors: list[Actor] = field(default_factory=list)
    visit_id: int | None = None
    need_reference: str | None = None


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]
    more_before: datetime | None  # the ?avant= of the next page, None on the last page


def person(user: User | None) -> Actor:
    """A user and their organisation (eager-loaded with the user)."""
    if user is None:
        return Actor(None, None)
    return Actor(user.name, user.organisation.name)


def step_actor(step: NeedStatusChange) -> Actor:
    """Who took a step of a need's history: a person, else the employer or the automatic routing."""
    if step.user is not None:
        return person(step.user)
    label = step.actor_label
    return Actor(label[:1].lower() + label[1:], None)


def newest(query: sa.Select[*Row], column, before: datetime | None, limit: int) -> sa.Select[*Row]:
    """The `limit` rows before a time (all when None), newest first."""
    if before is not None:
        query = query.where(column < before)
    return query.order_by(column.desc()).limit(limit)


def interaction_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    """Ledger entries, read as plain rows: the most numerous kind, so no ORM objects. A filed
    need's ledger line (request, flag) is left out: the need is an entry of its own."""
    query = newest(
        sa.select(Interaction.occurred_at, Interaction.kind, Interaction.summary, Interaction.outcome,
                  Interaction.visit_id, User.name, Organisation.name)
        .outerjoin(User, User.id == Interaction.user_id)
        .outerjoin(Organisation, Organisation.id == Interaction.organisation_id)
        .where(Interaction.company_id == company_id, Interaction.kind.not_in(FILING_KINDS)),
        Interaction.occurred_at, before, limit)
    return [Entry(at, "visit_report" if visit_id else "interaction",
                  VISIT_LABELS[VisitStatus.DONE] if visit_id else kind.label,
                  " – ".join(filter(None, [summary, outcome])) or None, [Actor(user, organisation)],
                  visit_id=visit_id)
            for at, kind, summary, outcome, visit_id, user, organisation in db.session.execute(query)]


def visit_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    query = newest(
        sa.select(Visit).where(Visit.company_id == company_id).options(
            selectinload(Visit.participants).joinedload(VisitParticipant.user),
            selectinload(Visit.participants).joinedload(VisitParticipant.organisation),
            joinedload(Visit.created_by)),
        Visit.scheduled_at, before, limit)
    return [Entry(visit.scheduled_at, "visit", f"{VISIT_LABELS[visit.status]} ({visit.mode.label.lower()})",
                  visit.findings or visit.purpose,
                  [Actor(p.user.name, p.organisation.name) for p in visit.participants]
                  or [person(visit.created_by)], visit_id=visit.id)
            for visit in db.session.scalars(query)]


def need_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    query = newest(
        sa.select(HiringNeed).where(HiringNeed.company_id == company_id).options(
            joinedload(HiringNeed.flagged_by), joinedload(HiringNeed.source_organisation),
            joinedload(HiringNeed.rome)),
        HiringNeed.created_at, before, limit)
    return [Entry(need.created_at, "need", f"Demande de recrutement déposée ({need.source.label})",
                  f"{need.job_label}, {plural(need.positions, 'poste')}",
                  [Actor(need.flagged_by.name if need.flagged_by else need.contact_name,
                         need.source_organisation.name if need.source_organisation else "Employeur")],
                  need_reference=need.reference)
            for need in db.session.scalars(query)]


def status_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    """Status changes after filing (the filing itself is the need's own entry)."""
    query = newest(
        sa.select(NeedStatusChange).join(HiringNeed)
        .where(HiringNeed.company_id == company_id, NeedStatusChange.from_status.is_not(None))
        .options(joinedload(NeedStatusChange.need), joinedload(NeedStatusChange.user)),
        NeedStatusChange.at, before, limit)
    # from_status is never None here: the query keeps the changes after filing
    return [Entry(step.at, "status",
                  f"Demande {step.need.reference} : {step.from_status.label} → {step.to_status.label}",  # type: ignore[union-attr]
                  step.note, [step_actor(step)],
                  need_reference=step.need.reference)
            for step in db.session.scalars(query)]


def event_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    query = newest(
        sa.select(EventCompany, Event).join(Event, Event.id == EventCompany.event_id)
        .where(EventCompany.company_id == company_id).options(selectinload(Event.organisers)),
        Event.starts_at, before, limit)
    return [Entry(event.starts_at, "event", f"{event.kind.label} : {event.title}",
                  ", ".join((row.status.label, plural(row.positions, "poste"),
                             plural(row.interviews, "entretien"),
                             plural(row.shortlisted, "candidat retenu", "candidats retenus"),
                             plural(row.hires, "embauche"), f"{row.poe_entries} POE")),
                  [Actor(None, organiser.name) for organiser in event.organisers])
            for row, event in db.session.execute(query)]


def training_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    query = newest(
        sa.select(TrainingRequest, User).outerjoin(User, User.id == TrainingRequest.created_by_id)
        .where(TrainingRequest.company_id == company_id),
        TrainingRequest.created_at, before, limit)
    return [Entry(request.created_at, "training", f"Demande de formation {request.kind.label}",
                  f"{request.status.label}" + (f", {request.training_body}" if request.training_body
                                               else ""),
                  [person(user)])
            for request, user in db.session.execute(query)]


def project_entries(company_id: int, before: datetime | None, limit: int) -> list[Entry]:
    """Projects at the moment they were recorded; the title gives the project's own date."""
    query = newest(
        sa.select(CompanyProject, User).outerjoin(User, User.id == CompanyProject.created_by_id)
        .where(CompanyProject.company_id == company_id),
        CompanyProject.created_at, before, limit)
    return [Entry(project.created_at, "project",
                  f"Projet de l'entreprise : {project.kind.label} "
                  f"({project.occurred_on.strftime('%d/%m/%Y')})",
                  " – ".join(filter(None, [project.note, project.source])) or None,
                  [person(user)])
            for project, user in db.session.execute(query)]


SOURCES = (interaction_entries, visit_entries, need_entries, status_entries, event_entries,
           training_entries, project_entries)


def merge_visits(entries: list[Entry]) -> list[Entry]:
    """A visit report logged in the ledger stands for its visit: one entry per visit (a task
    force logs one report per organisation), at the report's time, titled like the visit and
    naming its participants."""
    visits = {entry.visit_id: entry for entry in entries if entry.kind == "visit"}
    reports: dict[int | None, Entry] = {}  # by visit_id, never None for a visit report
    for entry in entries:
        if entry.kind != "visit_report" or entry.visit_id in reports:
            continue
        reports[entry.visit_id] = entry
        visit = visits.get(entry.visit_id)
        if visit is not None:
            entry.title, entry.actors = visit.title, visit.actors or entry.actors
            entry.detail = entry.detail or visit.detail
    return [entry for entry in entries
            if (entry.kind == "visit" and entry.visit_id not in reports)
            or (entry.kind == "visit_report" and reports[entry.visit_id] is entry)
            or entry.kind not in ("visit", "visit_report")]


def timeline_of(company_id: int, before: datetime | None = None, limit: int = LIMIT) -> Timeline:
    """The `limit` newest entries before a time; `more_before` pages further back."""
    entries = [entry for source in SOURCES for entry in source(company_id, before, limit + 1)]
    entries = merge_visits(entries)
    entries.sort(key=lambda entry: entry.at, reverse=True)
    page = entries[:limit]
    return Timeline(page, page[-1].at if len(entries) > limit else None)
