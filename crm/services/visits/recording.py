"""Recording a visit to a firm, alone or as a multi-organisation task force: participants, services
proposed, the ledger entries, the needs identified (filed through the single entry point, so routed
and notified as usual) and the follow-up task.

Ledger choice: a visit done writes one `Interaction(kind=VISIT, visit_id=...)` per organisation
involved, the creator's organisation first, then each other participating organisation, each with
one of its people. The shared ledger, the company timeline and the "suivi par" panel thus show every
actor that met the firm, and contact pressure counts the visit as one contact of the firm with every
organisation present among those that contacted it. The entries follow
the visit: rewritten when it is edited, removed when it is no longer done (planned or cancelled).
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Company,
    Contact,
    FollowUp,
    Interaction,
    InteractionKind,
    NeedSource,
    User,
    Visit,
    VisitMode,
    VisitParticipant,
    VisitStatus,
    utcnow,
)
from crm.services.accounts import access
from crm.services.needs import filing as needs
from crm.services.needs import schema
from crm.services.needs.schema import InvalidNeed, NeedInput, parse_need
from crm.services.platform.refusals import InvalidInput
from crm.services.visits import catalogue
from crm.services.visits.plan_choice import checked_plan_id

MAX_TEXT = 4000
CONTACT_FIELDS = {"contact.name": "contact_name", "contact.email": "contact_email",
                  "contact.phone": "contact_phone", "contact": "contact_name", "siret": "job_title"}


class InvalidVisit(InvalidInput):
    """Invalid visit input; `fields` maps a field name (need rows: needs-<i>-<name>) to French messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields, "La visite n'a pas été enregistrée : corrigez les champs signalés.")


@dataclass
class NeedRow:
    """A need identified during the visit; the employer contact is a Contact of the firm or typed."""

    positions: str | None  # as typed: the need schema reads the numbers
    contract_type: str
    rome_code: str | None = None
    job_title: str | None = None
    contract_months: str | None = None
    contact_id: int | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


@dataclass
class VisitFollowUp:
    title: str
    due_on: date | None
    assignee_id: int | None


@dataclass
class VisitInput:
    scheduled_at: datetime  # naive UTC, as stored
    mode: VisitMode
    status: VisitStatus
    participant_ids: list[int]
    purpose: str | None = None
    findings: str | None = None
    services: list[str] = field(default_factory=list)
    next_step: str | None = None
    needs: list[NeedRow] = field(default_factory=list)
    follow_up: VisitFollowUp | None = None
    plan_id: int | None = None  # the prospection plan the visit counts for


@dataclass
class SavedVisit:
    visit: Visit
    filed: list[needs.FiledNeed]
    task: FollowUp | None


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def staff_users(ids: list[int]) -> list[User]:
    """The active staff users among these ids, in the order given."""
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_(ids), User.active, User.role.in_(access.STAFF_ROLES)))}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def need_payload(company: Company, row: NeedRow) -> dict:
    """A need row in the API's shape; a chosen contact of the firm fills what was not typed."""
    contact = db.session.get(Contact, row.contact_id) if row.contact_id else None
    typed = asdict(row) | {"siret": company.siret}
    if contact is not None and contact.company_id == company.id:
        typed |= {f"contact_{name}": typed[f"contact_{name}"] or getattr(contact, name)
                  for name in ("name", "email", "phone")}
    return schema.need_payload(typed)


def check_needs(company: Company, data: VisitInput, errors: _Errors) -> list[NeedInput]:
    """Each need row validated by the one need schema; problems reported on the row's fields."""
    if data.needs and data.status != VisitStatus.DONE:
        errors.add("status", "Les besoins identifiés s'enregistrent sur une visite réalisée : "
                             "choisissez le statut « Réalisée » ou retirez les besoins.")
    if data.needs and not company.active:
        errors.add("needs", "Cet établissement est fermé : aucun besoin ne peut y être déposé.")
    inputs = []
    for index, row in enumerate(data.needs):
        try:
            inputs.append(parse_need(need_payload(company, row), typed_job=True))
        except InvalidNeed as invalid:
            for name, messages in invalid.fields.items():
                for message in messages:
                    errors.add(f"needs-{index}-{CONTACT_FIELDS.get(name, name)}", message)
    return inputs


def check_visit(company: Company, data: VisitInput, visit: Visit | None,
                now: datetime) -> tuple[list[User], list[NeedInput]]:
    """Validate everything before anything is written; raise InvalidVisit listing every problem."""
    errors = _Errors()
    participants = staff_users(data.participant_ids)
    if not participants or len(participants) != len(set(data.participant_ids)):
        errors.add("participants", "Choisissez au moins un participant parmi les personnes proposées.")
    refused = set(catalogue.refused_keys(data.services)) - set(visit.services_proposed if visit else [])
    if refused:
        errors.add("services", "Ce service ne peut plus être proposé : "
                               + ", ".join(catalogue.label_of(key) for key in sorted(refused)) + ".")
    if data.status == VisitStatus.DONE and data.scheduled_at > now:
        errors.add("scheduled_at", "Une visite réalisée ne peut pas être datée dans le futur.")
    if data.follow_up is not None:
        if data.follow_up.assignee_id is None or not staff_users([data.follow_up.assignee_id]):
            errors.add("task_assignee", "Choisissez la personne chargée de la suite.")
        if data.follow_up.due_on is None:
            errors.add("task_due_on", "Indiquez l'échéance de la tâche de suivi.")
        elif data.follow_up.due_on < now.date():
            errors.add("task_due_on", "L'échéance de la tâche de suivi ne peut pas être dans le passé.")
    inputs = check_needs(company, data, errors)
    if errors:
        raise InvalidVisit(dict(errors))
    return participants, inputs


def set_participants(visit: Visit, users: list[User]) -> None:
    """The visit's participants become these people; each keeps the organisation they represented."""
    kept = {p.user_id: p for p in visit.participants}
    visit.participants = [kept.get(u.id) or VisitParticipant(user_id=u.id, organisation_id=u.organisation_id)
                          for u in users]


def apply(visit: Visit, data: VisitInput, participants: list[User]) -> None:
    visit.scheduled_at, visit.mode, visit.status = data.scheduled_at, data.mode, data.status
    visit.purpose, visit.findings = data.purpose or None, data.findings or None
    visit.services_proposed = list(dict.fromkeys(data.services))
    visit.next_step = data.next_step or None
    visit.plan_id = checked_plan_id(visit.company, data.plan_id, keep=visit.plan_id)
    set_participants(visit, participants)


def ledger_actors(visit: Visit) -> dict[int, int]:
    """Organisation id → the person who represents it in the ledger, the creator's organisation first."""
    actors: dict[int, int] = {}
    creator = visit.created_by
    if creator is not None:
        actors[creator.organisation_id] = creator.id
    for participant in visit.participants:
        actors.setdefault(participant.organisation_id, participant.user_id)
    return actors


def ledger_text(visit: Visit) -> tuple[str, str | None]:
    """The summary and outcome a visit leaves in the ledger."""
    summary = f"Visite ({visit.mode.label.lower()})" + (f" : {visit.purpose}" if visit.purpose else ".")
    services = ", ".join(catalogue.label_of(key).split(" – ")[0] for key in visit.services_proposed)
    return summary, (f"Services proposés : {services}"[:255] if services else None)


def sync_ledger(visit: Visit) -> None:
    """One ledger entry per organisation involved when the visit is done, none otherwise."""
    query = sa.select(Interaction).where(Interaction.visit_id == visit.id,
                                         Interaction.kind == InteractionKind.VISIT)
    existing = {i.organisation_id: i for i in db.session.scalars(query)}
    actors = ledger_actors(visit) if visit.status == VisitStatus.DONE else {}
    for organisation_id, interaction in existing.items():
        if organisation_id not in actors:
            db.session.delete(interaction)
    summary, outcome = ledger_text(visit)
    for organisation_id, user_id in actors.items():
        entry = existing.get(organisation_id) or Interaction(
            company_id=visit.company_id, visit_id=visit.id, kind=InteractionKind.VISIT,
            organisation_id=organisation_id)
        entry.user_id, entry.occurred_at = user_id, visit.scheduled_at
        entry.summary, entry.outcome, entry.plan_id = summary, outcome, visit.plan_id
        db.session.add(entry)


def add_follow_up(visit: Visit, follow_up: VisitFollowUp | None, actor: User) -> FollowUp | None:
    if follow_up is None:
        return None
    task = FollowUp(title=follow_up.title, notes=visit.next_step, due_on=follow_up.due_on,
                assignee_id=follow_up.assignee_id, company_id=visit.company_id, visit_id=visit.id,
                created_by_id=actor.id)
    db.session.add(task)
    return task


def collectors(visit: Visit, actor: User) -> list[User]:
    """The visit's participants who collected its needs, by preference: its author, the person
    recording the need, then the others in the order given."""
    people = [participant.user for participant in visit.participants]
    first = [visit.created_by_id, actor.id]
    return sorted(people, key=lambda user: first.index(user.id) if user.id in first else len(first))


def file_visit_need(visit: Visit, data: NeedInput, actor: User) -> needs.FiledNeed:
    """File a need identified at the visit through the single entry point, linked to the visit;
    routed to a participant's organisation, it goes to that participant. A need attached to an open
    duplicate of the last 7 days keeps its own origin."""
    return needs.file_need(data, source=NeedSource.VISIT, actor=actor,
                           source_organisation=actor.organisation, visit_id=visit.id,
                           collectors=collectors(visit, actor))


def save_visit(company: Company, data: VisitInput, actor: User, visit: Visit | None = None,
               now: datetime | None = None) -> SavedVisit:
    """Create or update a visit with its ledger entries and follow-up task, and file its needs
    through the entry point, all in the caller's unit of work: a refused need leaves nothing saved."""
    participants, inputs = check_visit(company, data, visit, now or utcnow())
    if visit is None:
        visit = Visit(company=company, created_by=actor)
        db.session.add(visit)
    apply(visit, data, participants)
    db.session.flush()
    sync_ledger(visit)
    task = add_follow_up(visit, data.follow_up, actor)
    filed = [file_visit_need(visit, need_input, actor) for need_input in inputs]
    return SavedVisit(visit, filed, task)
