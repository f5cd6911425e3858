"""Check-lists for offer spotters: a manager (of the basin) or an admin asks a partner organisation
to check a list of firms, picked by SIRET or from a plan's targets, until a date. The
organisation's people answer per firm, "need flagged" (through the flag form) or "nothing for
now", signed in or, for "nothing for now", through a signed expiring link sent by e-mail.

Answers are idempotent: the first answer of a firm stays, except that a need flagged later
replaces "nothing for now"; a flagged need is never undone. Every answer is audited."""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    ChecklistAnswer,
    ChecklistItem,
    Company,
    HiringNeed,
    Organisation,
    PlanTarget,
    ProspectionPlan,
    SpotterChecklist,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.needs import notifications
from crm.services.plans.spotter_directory import spotters
from crm.services.platform import audit, links, outbox, signed_links
from crm.services.platform.identifiers import clean_siret, siret_problem
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import Refused
from crm.services.platform.working_days import end_of_local_day

DEFAULT_DAYS = 30
LONGEST_DAYS = 365
MOST_FIRMS = 500
LINK_SALT = "crm.spotter-checklist.link"
LINK_PATH = "/verification/"
PARTNER_PAGE = "/entreprises-a-verifier"


class ChecklistError(Refused):
    """A check-list that cannot be sent, or an answer that cannot be taken; French message."""


class InvalidLink(Refused):
    """A link whose signature does not hold, or that names nothing one may answer."""

    status = 404


class ExpiredLink(Refused):
    """A genuine link of a list past its date."""

    status = 410


# Who may send to whom

def sendable_organisations(user: User) -> list[Organisation]:
    """The spotter organisations the user may send a list to: for a manager, those covering one of
    their basins (regional ones too); every one for an admin."""
    basins = None if access.is_admin(user) else [basin.code for basin in user.basins]
    return list(db.session.scalars(spotters(basins)))


def plan_scope(user: User) -> ColumnElement[bool]:
    if access.is_admin(user):
        return sa.true()
    return ProspectionPlan.basin_code.in_([basin.code for basin in user.basins])


def plans_for(user: User) -> list[ProspectionPlan]:
    """The plans of the user's basins (every plan for an admin) whose targets may make a list."""
    query = sa.select(ProspectionPlan).where(plan_scope(user)).order_by(ProspectionPlan.name)
    return list(db.session.scalars(query))


# Picking the firms

def firms_by_siret(text: str) -> list[Company]:
    """The known establishments of a list of SIRETs (one a line, or separated by commas or
    semicolons; spaces inside a SIRET are fine), in the order given, each once."""
    sirets = [clean_siret(part) for line in (text or "").splitlines()
              for part in line.replace(";", ",").split(",") if part.strip()]
    if wrong := [siret for siret in sirets if siret_problem(siret)]:
        raise ChecklistError(f"SIRET invalides : {', '.join(wrong[:10])}.", "sirets")
    query = sa.select(Company).where(Company.siret.in_(sirets))
    found = {company.siret: company for company in db.session.scalars(query)}
    if unknown := [siret for siret in sirets if siret not in found]:
        raise ChecklistError("Ces SIRET ne sont pas connus du réseau : "
                             f"{', '.join(unknown[:10])}.", "sirets")
    return list({siret: found[siret] for siret in sirets}.values())


def firms_of_plan(plan: ProspectionPlan) -> list[Company]:
    """The firms a plan targets, by name (read from the targets directly)."""
    query = (sa.select(Company).join(PlanTarget, PlanTarget.company_id == Company.id)
             .where(PlanTarget.plan_id == plan.id).order_by(Company.name, Company.id))
    return list(db.session.scalars(query))


# Sending a list

@dataclass(frozen=True)
class ChecklistRequest:
    """What the manager's form asks for."""

    organisation_id: int | None
    title: str
    message: str | None
    expires_on: date | None
    sirets: str
    plan_id: int | None


def checked_expiry(expires_on: date | None) -> date:
    today = local_today()
    expires_on = expires_on or today + timedelta(days=DEFAULT_DAYS)
    if not today < expires_on <= today + timedelta(days=LONGEST_DAYS):
        raise ChecklistError("Choisissez une date d'échéance dans les douze prochains mois.",
                             "expires_on")
    return expires_on


def chosen_organisation(user: User, organisation_id: int | None) -> Organisation:
    for organisation in sendable_organisations(user):
        if organisation.id == organisation_id:
            return organisation
    raise ChecklistError("Choisissez une organisation partenaire de votre territoire.",
                         "organisation_id")


def chosen_firms(user: User, request: ChecklistRequest) -> tuple[ProspectionPlan | None,
                                                                 list[Company]]:
    """The plan's targets when a plan is chosen, else the firms of the SIRET list."""
    plan = None
    if request.plan_id is not None:
        plan = next((p for p in plans_for(user) if p.id == request.plan_id), None)
        if plan is None:
            raise ChecklistError("Choisissez un plan de votre territoire.", "plan_id")
        firms = firms_of_plan(plan)
        if not firms:
            raise ChecklistError("Ce plan n'a pas encore d'entreprises cibles.", "plan_id")
    else:
        firms = firms_by_siret(request.sirets)
    if not firms:
        raise ChecklistError("Indiquez au moins un SIRET, ou choisissez un plan.", "sirets")
    if len(firms) > MOST_FIRMS:
        raise ChecklistError(f"Une liste compte au plus {MOST_FIRMS} entreprises.", "sirets")
    return plan, firms


def send_checklist(user: User, request: ChecklistRequest) -> SpotterChecklist:
    """Create the list with one item per firm and e-mail the organisation's contacts their
    signed link; the caller commits."""
    if not access.is_supervisor(user):
        raise ChecklistError("Seuls les responsables et les administrateurs envoient des listes.")
    organisation = chosen_organisation(user, request.organisation_id)
    title = (request.title or "").strip()
    if not title:
        raise ChecklistError("Donnez un titre à la liste.", "title")
    expires_on = checked_expiry(request.expires_on)
    plan, firms = chosen_firms(user, request)
    checklist = SpotterChecklist(organisation=organisation, plan=plan, title=title[:160],
                                 message=(request.message or "").strip() or None,
                                 expires_on=expires_on, created_by_id=user.id,
                                 created_at=utcnow())
    checklist.items = [ChecklistItem(company=firm) for firm in firms]
    db.session.add(checklist)
    db.session.flush()
    audit.record(user, "send_checklist", checklist, {
        "organisation": organisation.name, "firms": len(firms), "expires_on": expires_on,
        "plan": plan.name if plan else None})
    for email in contacts(organisation):
        outbox.add_mail("checklist_sent", email, checklist=checklist, firms=len(firms),
                        url=signed_link(checklist, email),
                        login_url=links.public_url(PARTNER_PAGE))
    return checklist


def contacts(organisation: Organisation) -> list[str]:
    """Who hears of a list: the organisation's active users and its own address, each once."""
    emails = [user.email for user in notifications.organisation_users(organisation)]
    emails += [organisation.email] if organisation.email else []
    return list(dict.fromkeys(email.lower() for email in emails))


# Signed links: an answer without signing in, for one contact of the organisation

def serializer() -> URLSafeTimedSerializer:
    return signed_links.serializer(LINK_SALT)


def link_token(checklist: SpotterChecklist, email: str) -> str:
    return serializer().dumps([checklist.id, email])


def signed_link(checklist: SpotterChecklist, email: str) -> str:
    return links.public_url(LINK_PATH + link_token(checklist, email))


@dataclass(frozen=True)
class LinkAccess:
    """A genuine, current link: the list and the contact it was sent to."""

    checklist: SpotterChecklist
    email: str


def seconds_left(checklist: SpotterChecklist, issued_at: int) -> int:
    """The link's max age: from its signature to the end of the list's last day."""
    return calendar.timegm(end_of_local_day(checklist.expires_on).timetuple()) - issued_at


def open_link(token: str) -> LinkAccess:
    """The list a signed link opens; InvalidLink when tampered with, or naming a list or a
    contact that is no more; ExpiredLink after the list's last day."""
    invalid = InvalidLink("Ce lien n'est pas valide. Vérifiez qu'il est complet, ou connectez-vous "
                          "pour répondre depuis la page « Entreprises à vérifier ».")
    try:
        (checklist_id, email), issued_at = serializer().loads(token, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        raise invalid from None
    checklist = db.session.get(SpotterChecklist, checklist_id) if isinstance(
        checklist_id, int) else None
    if checklist is None or email not in contacts(checklist.organisation):
        raise invalid
    try:
        serializer().loads(token, max_age=seconds_left(checklist, int(issued_at.timestamp())))
    except BadSignature:
        raise ExpiredLink(f"Ce lien a expiré : la liste « {checklist.title} » attendait vos "
                          f"réponses jusqu'au {checklist.expires_on:%d/%m/%Y}.") from None
    return LinkAccess(checklist, email)


def link_item(access_: LinkAccess, item_id: int) -> ChecklistItem | None:
    """An item of the link's list; None for any other (another list, another organisation)."""
    return next((item for item in access_.checklist.items if item.id == item_id), None)


# Answers

def is_open(checklist: SpotterChecklist) -> bool:
    return local_today() <= checklist.expires_on


def ensure_open(checklist: SpotterChecklist) -> None:
    if not is_open(checklist):
        raise ChecklistError(f"Cette liste a expiré le {checklist.expires_on:%d/%m/%Y} : elle "
                             "n'attend plus de réponse.")


def answer(item: ChecklistItem, kind: ChecklistAnswer, user: User | None, email: str | None,
           need: HiringNeed | None = None) -> None:
    item.answer, item.answered_at = kind, utcnow()
    item.answered_by_id, item.answered_by_email = (user.id if user else None), email
    item.need_id = need.id if need else None
    audit.record(user, "checklist_answer", item, {
        "answer": kind, "company": item.company.name, "email": email,
        "need": need.reference if need else None})


def answer_nothing_for_now(item: ChecklistItem, *, user: User | None = None,
                           email: str | None = None) -> bool:
    """"Nothing for now" for a firm, signed in (`user`) or through a link (`email`); whether it
    changed anything (a firm already answered keeps its answer)."""
    ensure_open(db.session.get_one(SpotterChecklist, item.checklist_id))
    if item.answer is not None:
        return False
    answer(item, ChecklistAnswer.NOTHING_FOR_NOW, user, email)
    db.session.flush()
    return True


def mark_need_flagged(item: ChecklistItem, user: User, need: HiringNeed) -> bool:
    """The flag filed from a list's item answers it, when it is about the item's firm and the
    list is open; whether it did."""
    checklist = db.session.get_one(SpotterChecklist, item.checklist_id)
    if (not is_open(checklist) or need.company_id != item.company_id
            or item.answer == ChecklistAnswer.NEED_FLAGGED):
        return False
    answer(item, ChecklistAnswer.NEED_FLAGGED, user, None, need)
    db.session.flush()
    return True


# The partner's side

def partner_item(user: User, item_id: int | None) -> ChecklistItem | None:
    """An item of one of the partner organisation's open lists; None for anyone else's."""
    if item_id is None:
        return None
    query = (sa.select(ChecklistItem).join(SpotterChecklist)
             .where(ChecklistItem.id == item_id,
                    SpotterChecklist.organisation_id == user.organisation_id,
                    SpotterChecklist.expires_on >= local_today())
             .options(joinedload(ChecklistItem.company)))
    return db.session.scalar(query)


def open_checklists(user: User) -> sa.Select:
    """The partner organisation's lists still open, the soonest due first, with their firms."""
    return (sa.select(SpotterChecklist)
            .where(SpotterChecklist.organisation_id == user.organisation_id,
                   SpotterChecklist.expires_on >= local_today())
            .options(selectinload(SpotterChecklist.items).options(
                joinedload(ChecklistItem.company), joinedload(ChecklistItem.answered_by),
                joinedload(ChecklistItem.need)))
            .order_by(SpotterChecklist.expires_on, SpotterChecklist.id))


def firms_to_check(user: User) -> int:
    """How many firms of the organisation's open lists wait for an answer."""
    query = (sa.select(sa.func.count(ChecklistItem.id)).join(SpotterChecklist)
             .where(SpotterChecklist.organisation_id == user.organisation_id,
                    SpotterChecklist.expires_on >= local_today(),
                    ChecklistItem.answer.is_(None)))
    return db.session.scalar(query) or 0


# The manager's side

def manager_scope(user: User) -> ColumnElement[bool]:
    """Lists sent from the manager's organisation; every list for an admin."""
    if access.is_admin(user):
        return sa.true()
    senders = sa.select(User.id).where(User.organisation_id == user.organisation_id)
    return SpotterChecklist.created_by_id.in_(senders)


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int


def sent_checklists(user: User) -> sa.Select:
    """The lists the manager may follow, newest first, with their organisation."""
    return (sa.select(SpotterChecklist).where(manager_scope(user))
            .options(joinedload(SpotterChecklist.organisation),
                     joinedload(SpotterChecklist.created_by))
            .order_by(SpotterChecklist.created_at.desc(), SpotterChecklist.id.desc()))


def progress_of(checklist_ids: Sequence[int]) -> dict[int, Progress]:
    """Answers and firms of these lists: one grouped query."""
    query = (sa.select(ChecklistItem.checklist_id, sa.func.count(ChecklistItem.answer),
                       sa.func.count(ChecklistItem.id))
             .where(ChecklistItem.checklist_id.in_(checklist_ids))
             .group_by(ChecklistItem.checklist_id))
    return {key: Progress(answered, total) for key, answered, total in db.session.execute(query)}


def checklist_for_manager(user: User, checklist_id: int) -> SpotterChecklist | None:
    """One list with its firms, answers, who answered and the needs flagged; None when the
    manager may not follow it."""
    query = (sa.select(SpotterChecklist)
             .where(SpotterChecklist.id == checklist_id, manager_scope(user))
             .options(joinedload(SpotterChecklist.organisation),
                      joinedload(SpotterChecklist.plan),
                      selectinload(SpotterChecklist.items).options(
                          joinedload(ChecklistItem.company), joinedload(ChecklistItem.answered_by),
                          joinedload(ChecklistItem.need))))
    return db.session.scalar(query)


def progress(checklist: SpotterChecklist) -> Progress:
    return Progress(sum(1 for item in checklist.items if item.answer is not None),
                    len(checklist.items))
