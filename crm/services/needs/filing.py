"""Filing a hiring need: company, reference, routing, history, ledger and notifications in one
transaction; the queue only delivers the notifications afterwards."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import (
    CLOSED_STATUSES,
    Commune,
    Company,
    HiringNeed,
    Interaction,
    InteractionKind,
    MessageAuthor,
    NeedContribution,
    NeedMessage,
    NeedSource,
    NeedStatus,
    NeedStatusChange,
    Organisation,
    StepActor,
    User,
    utcnow,
)
from crm.services.companies import records
from crm.services.needs import notifications
from crm.services.needs import transitions as need_transitions
from crm.services.needs.schema import InvalidNeed, NeedInput
from crm.services.platform import audit, concurrency, links
from crm.services.platform.wording import plural
from crm.services.platform.working_days import first_contact_deadline
from crm.services.routing import criteria
from crm.services.routing import engine as routing

DUPLICATE_WINDOW = timedelta(days=7)


@dataclass
class FiledNeed:
    need: HiringNeed
    attached: bool


def tracking_url(need: HiringNeed) -> str:
    return links.public_url(f"/recrutement/suivi/{need.tracking_token}")


def company_for(data: NeedInput, source: NeedSource) -> Company:
    """The establishment behind the SIRET, created unverified when the CRM does not know it."""
    company = records.find_by_siret(data.siret)
    if company is not None:
        if not company.active:
            raise InvalidNeed({"siret": [
                "Cet établissement est fermé selon le répertoire SIRENE : indiquez le SIRET de "
                "l'établissement qui recrute."]})
        return company
    missing = {}
    if not data.company_name:
        missing["company_name"] = ["Ce SIRET nous est inconnu : indiquez le nom de l'entreprise."]
    if not data.commune_code:
        missing["commune_code"] = ["Indiquez la commune du lieu de travail."]
    if missing or not data.company_name:  # missing says so when there is no name
        raise InvalidNeed(missing)
    return records.create_unverified(data.siret, data.company_name, data.commune_code, source)


def recent_duplicate(company: Company, data: NeedInput) -> HiringNeed | None:
    """An open need of the same firm for the same job filed within the last 7 days."""
    if company.id is None:
        return None
    same_job = (HiringNeed.rome_code == data.rome_code if data.rome_code
                else sa.func.lower(HiringNeed.job_title) == (data.job_title or "").lower())
    query = (
        sa.select(HiringNeed)
        .where(HiringNeed.company_id == company.id, same_job,
               HiringNeed.is_open,
               HiringNeed.created_at >= utcnow() - DUPLICATE_WINDOW)
        .order_by(HiringNeed.created_at)
    )
    return db.session.scalars(query).first()


def change_status(need: HiringNeed, move: str, status: NeedStatus, user: User | None,
                  **note_values: str | None) -> None:
    """Move a need to a status by the transition `move` of `need_transitions.TRANSITIONS` (a move
    the table does not have raises ImpossibleMove) and write the step into its history: the
    table's note filled with `note_values`; when no signed-in user acted, the table says who did
    (the employer, the automatic routing)."""
    step = need_transitions.transition(move, need.status, status)
    by = step.who if isinstance(step.who, StepActor) else StepActor.EMPLOYER
    db.session.add(NeedStatusChange(need=need, from_status=need.status, to_status=status,
                                    user_id=user.id if user else None,
                                    actor_kind=StepActor.PERSON if user else by,
                                    note=step.note_for(**note_values)))
    need.status = status
    need.closed_at = utcnow() if status in CLOSED_STATUSES else None
    notifications.spotters_told(need, move)


def new_need(data: NeedInput, company: Company, commune: Commune | None, source: NeedSource,
             actor: User | None, source_organisation: Organisation | None,
             visit_id: int | None = None) -> HiringNeed:
    token = secrets.token_urlsafe(24)
    need = HiringNeed(
        reference=f"TMP-{token[:16]}", tracking_token=token, company=company, source=source,
        source_organisation_id=source_organisation.id if source_organisation else None,
        flagged_by_id=actor.id if actor else None, how_known=data.how_known, visit_id=visit_id,
        employer_agreed_contact=data.employer_agreed_contact, rome_code=data.rome_code,
        job_title=data.job_title, positions=data.positions, contract_type=data.contract_type,
        contract_months=data.contract_months, start_date=data.start_date,
        commune_code=commune.code if commune else None,
        basin_code=commune.basin_code if commune else company.basin_code,
        publics=data.publics, services=data.services, description=data.description,
        contact_name=data.contact_name, contact_email=data.contact_email,
        contact_phone=data.contact_phone, status=NeedStatus.NEW, created_at=utcnow(),
    )
    need.first_contact_due_at = first_contact_deadline(need.created_at)
    db.session.add(need)
    db.session.add(NeedStatusChange(
        need=need, from_status=None, to_status=NeedStatus.NEW, user_id=actor.id if actor else None,
        actor_kind=StepActor.PERSON if actor else StepActor.EMPLOYER,
        note=need_transitions.transition("file", None, NeedStatus.NEW).note_for()))
    db.session.flush()
    need.reference = f"BFC-{need.created_at.year}-{need.id:06d}"
    return need


def assign(need: HiringNeed, decision: routing.Routing) -> None:
    """Apply a routing decision: pilot organisation, adviser, rule and reason (a step of the
    automatic routing, whoever filed the need)."""
    need.routing_rule_id = decision.rule.id if decision.rule else None
    need.organisation_id = decision.organisation.id if decision.organisation else None
    need.adviser_id = decision.adviser.id if decision.adviser else None
    need.routing_reason = decision.reason
    if decision.adviser is not None:
        assert decision.organisation is not None, "an adviser is chosen in an organisation"
        change_status(need, "route", NeedStatus.ASSIGNED, None,
                      organisation=decision.organisation.name)
    if decision.co_handler is not None and decision.rule is not None:
        from crm.services.needs import cohandling  # it reads the workflow, which reads filing

        cohandling.invite(need, decision.co_handler, None,
                          why=f"règle d'orientation « {decision.rule.name} »")


def route_need(need: HiringNeed, company: Company, commune: Commune | None,
               collectors: Sequence[User] = ()) -> routing.Routing:
    department = commune.department_code if commune else None
    return routing.route(company, need.basin_code, department, criteria.values_of(need),
                         collectors, need.commune_code)


def log_in_ledger(need: HiringNeed, source: NeedSource, actor: User | None,
                  source_organisation: Organisation | None) -> None:
    kind = InteractionKind.FLAG if source == NeedSource.SPOTTER else InteractionKind.REQUEST
    db.session.add(Interaction(
        company=need.company, need_id=need.id, kind=kind, occurred_at=need.created_at,
        user_id=actor.id if actor else None,
        organisation_id=source_organisation.id if source_organisation else None,
        summary=f"{need.reference} : {plural(need.positions, 'poste')}, {need.job_label}.",
    ))


def credit_contribution(need: HiringNeed, organisation: Organisation, actor: User | None) -> None:
    """A partner's flag attached to an open need another organisation told of first: the partner
    keeps the credit (in its flags and the spotter statistics), once per need."""
    if organisation.id == need.source_organisation_id:
        return
    known = sa.select(NeedContribution.id).where(NeedContribution.need_id == need.id,
                                                 NeedContribution.organisation_id == organisation.id)
    if db.session.scalar(known) is not None:
        return
    contribution = NeedContribution(need=need, organisation=organisation,
                                    user_id=actor.id if actor else None, created_at=utcnow())
    db.session.add(contribution)
    audit.record(actor, "contribute", need, {"organisation": organisation.name})


def attach_update(existing: HiringNeed, data: NeedInput, actor: User | None,
                  spotter: Organisation | None = None) -> None:
    """Record a repeated request as an update of the open need it duplicates; a partner's flag
    (`spotter`, its organisation) is credited to it as a contribution."""
    contact = ", ".join(filter(None, (data.contact_name, data.contact_email, data.contact_phone)))
    body = (f"Nouvelle demande pour le même poste : {plural(data.positions, 'poste')}, contact {contact}"
            + (f". {data.description}" if data.description else "."))
    db.session.add(NeedMessage(need=existing, author=MessageAuthor.EMPLOYER, body=body,
                               user_id=actor.id if actor else None))
    audit.record(actor, "attach_duplicate", existing, {"positions": data.positions})
    if spotter is not None:
        credit_contribution(existing, spotter, actor)
    notifications.need_updated(existing)


def file_need(data: NeedInput, *, source: NeedSource, actor: User | None = None,
              source_organisation: Organisation | None = None, visit_id: int | None = None,
              collectors: Sequence[User] = ()) -> FiledNeed:
    """Store a need (or attach it to its 7-day duplicate), route it and notify, in the caller's
    unit of work (the caller commits; the notices are delivered after its commit).
    `visit_id` links a need identified during a visit to that visit; `collectors`, the people who
    collected it there, get it when they work for the pilot organisation."""
    concurrency.one_at_a_time(f"filing:{data.siret}")  # concurrent identical filings: one need
    company = company_for(data, source)
    existing = recent_duplicate(company, data)
    if existing is not None:
        spotter = source_organisation if source == NeedSource.SPOTTER else None
        attach_update(existing, data, actor, spotter)
        db.session.flush()
        return FiledNeed(existing, attached=True)
    commune = db.session.get(Commune, data.commune_code or company.commune_code or "")
    need = new_need(data, company, commune, source, actor, source_organisation, visit_id)
    assign(need, route_need(need, company, commune, collectors))
    log_in_ledger(need, source, actor, source_organisation)
    audit.record(actor, "create", need, {"reference": need.reference, "source": source})
    notifications.need_filed(need, tracking_url(need))
    db.session.flush()
    return FiledNeed(need, attached=False)


def find_by_token(token: str) -> HiringNeed | None:
    if not token or len(token) > 64:
        return None
    query = (sa.select(HiringNeed).where(HiringNeed.tracking_token == token)
             .options(joinedload(HiringNeed.rome)))
    return db.session.scalar(query)
