"""Firms at an event: organisers invite them (by SIRET, from their open needs, from a plan's
targets); each firm answers through a signed link (no account) that it comes, with its positions,
the jobs it brings and its open needs linked, or that it does not. After the event, the organisers
record per firm the interviews held, the candidates shortlisted, the hires and the POE entries:
hires are written on the linked needs (positions filled), and the firm's timeline shows them."""

from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Company,
    Event,
    EventCompany,
    EventStatus,
    HiringNeed,
    NeedSource,
    ParticipationStatus,
    PlanStatus,
    ProspectionPlan,
    User,
    utcnow,
)
from crm.services.events.organising import EventRefused, banner, can_manage
from crm.services.needs import filing
from crm.services.needs.schema import parse_need
from crm.services.plans.checklists import firms_of_plan
from crm.services.platform import audit, links, outbox, signed_links
from crm.services.platform.contact_details import normalise_email
from crm.services.platform.identifiers import clean_siret, siret_problem
from crm.services.platform.refusals import InvalidInput, Refused

LINK_SALT = "crm.event-firm.link"
LINK_PATH = "/evenements/entreprise/"
MAX_POSITIONS = 999
MAX_OUTCOME = 9999


class InvalidFirmLink(Refused):
    status = 404


def open_needs(company_id: int) -> list[HiringNeed]:
    query = (sa.select(HiringNeed).where(HiringNeed.company_id == company_id, HiringNeed.is_open)
             .order_by(HiringNeed.created_at))
    return list(db.session.scalars(query))


def invitable_needs(event: Event) -> list[HiringNeed]:
    """Open needs of the event's basin (its ROME jobs first) whose firm is not invited yet."""
    invited = sa.select(EventCompany.company_id).where(EventCompany.event_id == event.id)
    query = (sa.select(HiringNeed).join(Company, Company.id == HiringNeed.company_id)
             .where(HiringNeed.is_open, HiringNeed.company_id.not_in(invited))
             .options(selectinload(HiringNeed.company)))
    if event.basin_code:
        query = query.where(HiringNeed.basin_code == event.basin_code)
    if event.rome_codes:
        query = query.order_by(HiringNeed.rome_code.in_(event.rome_codes).desc())
    return list(db.session.scalars(query.order_by(HiringNeed.created_at.desc()).limit(50)))


def invite(user: User, event: Event, company: Company, email: str | None,
           needs: list[HiringNeed] | None = None) -> EventCompany:
    """Invite a firm (idempotent: an invited firm keeps its row); the invitation e-mail carries
    the signed answer link when an address is known."""
    if not can_manage(user, event):
        raise EventRefused("Seules les structures organisatrices invitent des entreprises.")
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED):
        raise EventRefused("Cet événement est terminé ou annulé.")
    address = normalise_email(email) if email and email.strip() else None
    if email and email.strip() and address is None:
        raise EventRefused("Adresse e-mail invalide, ex. recrutement@entreprise.fr.", "email")
    row = db.session.scalar(sa.select(EventCompany).where(EventCompany.event_id == event.id,
                                                          EventCompany.company_id == company.id))
    if row is None:
        row = EventCompany(event_id=event.id, company_id=company.id,
                           status=ParticipationStatus.INVITED, positions=0)
        db.session.add(row)
    row.invited_at = utcnow()
    row.contact_email = address or row.contact_email
    for need in needs or []:
        if need.company_id == company.id and need not in row.needs:
            row.needs.append(need)
    db.session.flush()
    audit.record(user, "invite_firm", row, {"event": event.title, "company": company.name})
    if row.contact_email:
        outbox.add_mail("event_invitation", row.contact_email, event=event, banner=banner(event),
                        company=company, url=firm_link(row))
    return row


def invite_by_siret(user: User, event: Event, siret: str, email: str | None) -> EventCompany:
    cleaned = clean_siret(siret or "")
    if siret_problem(cleaned):
        raise EventRefused("SIRET invalide : 14 chiffres.", "siret")
    company = db.session.scalar(sa.select(Company).where(Company.siret == cleaned))
    if company is None:
        raise EventRefused("Cet établissement n'est pas connu du réseau.", "siret")
    return invite(user, event, company, email or company_email(company), open_needs(company.id))


MOST_FROM_PLAN = 100


def plans_for(event: Event) -> list[ProspectionPlan]:
    """The active plans of the event's basin, whose targets may be invited."""
    if not event.basin_code:
        return []
    query = (sa.select(ProspectionPlan).where(ProspectionPlan.basin_code == event.basin_code,
                                               ProspectionPlan.status == PlanStatus.ACTIVE)
             .order_by(ProspectionPlan.name))
    return list(db.session.scalars(query))


def invite_plan_targets(user: User, event: Event, plan_id: int | None) -> list[EventCompany]:
    """Invite the target firms of an active plan of the event's basin (at most 100)."""
    plan = next((plan for plan in plans_for(event) if plan.id == plan_id), None)
    if plan is None:
        raise EventRefused("Choisissez un plan en cours du bassin de l'événement.", "plan_id")
    targets = firms_of_plan(plan)
    if not targets:
        raise EventRefused("Ce plan n'a pas encore d'entreprises cibles.", "plan_id")
    if len(targets) > MOST_FROM_PLAN:
        raise EventRefused(f"Ce plan compte plus de {MOST_FROM_PLAN} entreprises cibles : invitez-les "
                           "par SIRET.", "plan_id")
    return [invite(user, event, company, company_email(company), open_needs(company.id))
            for company in targets]


def company_email(company: Company) -> str | None:
    """The address of the firm's first contact that has one."""
    return next((contact.email for contact in company.contacts if contact.email), None)


# The firm's answer, through its signed link

def serializer() -> URLSafeTimedSerializer:
    return signed_links.serializer(LINK_SALT)


def firm_token(row: EventCompany) -> str:
    return serializer().dumps([row.id, row.event_id, row.company_id])


def firm_link(row: EventCompany) -> str:
    return links.public_url(LINK_PATH + firm_token(row))


def row_for_token(token: str) -> EventCompany:
    """The invitation a link names; InvalidFirmLink for a tampered one or a firm no more invited."""
    invalid = InvalidFirmLink("Ce lien n'est pas valide. Vérifiez qu'il est complet, ou contactez "
                              "les organisateurs de l'événement.")
    try:
        row_id, event_id, company_id = serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise invalid from None
    if not all(isinstance(value, int) for value in (row_id, event_id, company_id)):
        raise invalid
    row = db.session.get(EventCompany, row_id) if 0 < row_id <= 2**31 - 1 else None
    if row is None or (row.event_id, row.company_id) != (event_id, company_id):
        raise invalid
    return row


@dataclass(frozen=True)
class FirmAnswer:
    coming: bool
    positions: int | None = None
    jobs: str | None = None
    need_ids: tuple[int, ...] = ()


def answer(row: EventCompany, data: FirmAnswer) -> None:
    """The firm comes (positions ≥ 1, jobs, open needs linked) or not; it may change its answer
    until the event starts."""
    event = db.session.get_one(Event, row.event_id)
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED) or event.starts_at <= utcnow():
        raise EventRefused("Cet événement a commencé, est terminé ou annulé : la réponse ne peut "
                           "plus changer.")
    if data.coming:
        errors = {}
        if data.positions is None or not 1 <= data.positions <= MAX_POSITIONS:
            errors["positions"] = [f"Indiquez le nombre de postes proposés (1 à {MAX_POSITIONS})."]
        jobs = (data.jobs or "").strip()
        if len(jobs) > 500:
            errors["jobs"] = ["Les métiers tiennent en 500 caractères."]
        if errors:
            raise InvalidInput(errors)
        needs = {need.id: need for need in open_needs(row.company_id)}
        row.needs = [needs[need_id] for need_id in data.need_ids if need_id in needs]
        row.status, row.positions, row.jobs = ParticipationStatus.CONFIRMED, data.positions or 0, jobs or None
    else:
        row.status, row.positions = ParticipationStatus.DECLINED, 0
    row.answered_at = utcnow()
    audit.record(None, "firm_answer", row, {"event": event.title, "status": row.status,
                                            "positions": row.positions})
    db.session.flush()


def file_need(row: EventCompany, payload: dict) -> filing.FiledNeed:
    """A new hiring need the firm files from its answer page, in the API's shape of the one need
    schema (its SIRET is the invitation's): checked, filed and routed like any need (source
    "Événement", or attached to its 7-day duplicate), then linked to the firm's participation."""
    event = db.session.get_one(Event, row.event_id)
    if event.status == EventStatus.CANCELLED:
        raise EventRefused("Cet événement est annulé : déposez votre demande sur le formulaire de "
                           "recrutement du réseau.")
    company = db.session.get_one(Company, row.company_id)
    data = parse_need(payload | {"siret": company.siret}, require_consent=True, typed_job=True)
    filed = filing.file_need(data, source=NeedSource.EVENT)
    if filed.need.company_id == row.company_id and filed.need not in row.needs:
        row.needs.append(filed.need)
    audit.record(None, "firm_need_filed", row, {"event": event.title,
                                                "need": filed.need.reference})
    db.session.flush()
    return filed


# Outcomes

@dataclass(frozen=True)
class Outcomes:
    interviews: int | None
    shortlisted: int | None
    hires: int | None
    poe_entries: int | None


def record_outcomes(user: User, row: EventCompany, outcomes: Outcomes) -> None:
    """What came of the event for one firm. The hires added since the last entry are written on
    the firm's linked needs, the oldest first, up to each need's positions."""
    event = db.session.get_one(Event, row.event_id)
    if not can_manage(user, event):
        raise EventRefused("Seules les structures organisatrices saisissent les résultats.")
    if event.starts_at > utcnow() or event.status == EventStatus.CANCELLED:
        raise EventRefused("Les résultats se saisissent une fois l'événement commencé.")
    errors = {}
    values = {}
    for name in ("interviews", "shortlisted", "hires", "poe_entries"):
        value = getattr(outcomes, name)
        if value is None or not 0 <= value <= MAX_OUTCOME:
            errors[name] = [f"Indiquez un nombre entre 0 et {MAX_OUTCOME}."]
        values[name] = value
    if not errors and values["shortlisted"] > values["interviews"]:
        errors["shortlisted"] = ["Pas plus de candidats retenus que d'entretiens."]
    if not errors and values["hires"] > values["interviews"]:
        errors["hires"] = ["Pas plus d'embauches que d'entretiens."]
    if errors:
        raise InvalidInput(errors)
    added = values["hires"] - row.hires
    for name, value in values.items():
        setattr(row, name, value)
    row.outcomes_at = utcnow()
    spread_hires(row, added)
    audit.record(user, "event_outcomes", row, values | {"event": event.title})
    db.session.flush()


def spread_hires(row: EventCompany, added: int) -> None:
    """Add (or take back) hires on the linked needs, the oldest first, within their positions."""
    needs = sorted(row.needs, key=lambda need: (need.created_at, need.id))
    for need in needs:
        if added == 0:
            break
        current = need.hires or 0
        if added > 0:
            step = min(added, max(0, need.positions - current))
        else:
            step = -min(-added, current)
        need.hires = current + step
        added -= step
