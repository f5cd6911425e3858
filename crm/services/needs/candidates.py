"""Candidates put forward on a need by its handling organisations (pilot and co-handlers), with
minimal, pseudonymised data: a reference or initials, the organisation, the consent date, the stage
(proposed → interview → hired / not retained with a reason from a list / withdrawn); no free text
about the person. Hires count in the need's positions filled; the employer sees the counts per
stage, never identities; partners never see candidates. Records are purged some months after the
need closes (`purge`)."""

import re
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import (
    CandidateStatus,
    CoHandlerStatus,
    HiringNeed,
    JournalSubject,
    NeedCandidate,
    NeedJournalEntry,
    NotRetainedReason,
    User,
    utcnow,
)
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs.cohandling import co_handler_of, journal
from crm.services.needs.workflow import WorkflowError, ensure_open
from crm.services.platform import audit
from crm.services.platform.local_time import local_today

REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_/]{0,19}")
REFERENCE_RULE = ("Indiquez des initiales ou une référence interne (20 caractères au plus : "
                  "lettres, chiffres, point, tiret), jamais le nom de la personne.")
FINAL = frozenset({CandidateStatus.HIRED, CandidateStatus.NOT_RETAINED, CandidateStatus.WITHDRAWN})
MOVES = {
    CandidateStatus.PROPOSED: frozenset(CandidateStatus) - {CandidateStatus.PROPOSED},
    CandidateStatus.INTERVIEW: FINAL,
}
STAGES = ("proposed", "interview", "hired", "not_retained")  # what the API counts
NOT_ALLOWED = ("Seul le personnel des structures qui pilotent ou co-traitent cette demande peut "
               "y proposer des candidats.")


def ensure_may(need: HiringNeed, user: User) -> None:
    if not access.may(user, need, NeedAction.PUT_FORWARD):
        raise WorkflowError(NOT_ALLOWED)


def clean_reference(reference: str | None) -> str:
    reference = (reference or "").strip()
    if not REFERENCE.fullmatch(reference):
        raise WorkflowError(REFERENCE_RULE, "reference")
    return reference


def put_forward(need: HiringNeed, user: User, reference: str | None,
                consent_on: date | None) -> NeedCandidate:
    """Record a candidate the user's organisation puts forward, with the person's consent date."""
    ensure_open(need)
    ensure_may(need, user)
    co_handler = co_handler_of(need, user.organisation_id)
    if co_handler is not None and co_handler.status == CoHandlerStatus.NOT_FOR_ME:
        raise WorkflowError("Votre structure a indiqué que cette demande n'est pas pour elle : "
                            "changez d'abord son statut de co-traitance.")
    reference = clean_reference(reference)
    if consent_on is None:
        raise WorkflowError("Indiquez la date du consentement de la personne.", "consent_on")
    if consent_on > local_today():
        raise WorkflowError("La date du consentement ne peut pas être dans le futur.", "consent_on")
    candidate = NeedCandidate(need_id=need.id, organisation_id=user.organisation_id,
                              reference=reference, consent_on=consent_on,
                              status=CandidateStatus.PROPOSED, proposed_by_id=user.id)
    db.session.add(candidate)
    db.session.flush()
    journal(need, user, JournalSubject.CANDIDATE,
            f"Candidat {reference} proposé par {user.organisation.name}.", candidate.id)
    audit.record(user, "put_forward", need, {"candidate": candidate.id})
    return candidate


def move(need: HiringNeed, candidate: NeedCandidate, user: User, status: CandidateStatus,
         reason: NotRetainedReason | None = None) -> NeedCandidate:
    """Move a candidate to its next stage: staff of the organisation that put it forward, or an
    admin. A hire counts in the need's positions filled."""
    ensure_open(need)
    if candidate.need_id != need.id:
        raise WorkflowError("Ce candidat n'a pas été proposé sur cette demande.")
    ensure_may(need, user)
    if not access.is_admin(user) and user.organisation_id != candidate.organisation_id:
        raise WorkflowError("Seule la structure qui a proposé ce candidat (ou un administrateur) "
                            "peut changer son étape.")
    if status not in MOVES.get(candidate.status, frozenset()):
        raise WorkflowError(f"Un candidat « {candidate.status.label} » ne peut pas passer à "
                            f"« {status.label} ».", "status")
    if status == CandidateStatus.NOT_RETAINED and reason is None:
        raise WorkflowError("Choisissez la raison pour laquelle le candidat n'est pas retenu.",
                            "reason")
    candidate.status = status
    candidate.reason = reason if status == CandidateStatus.NOT_RETAINED else None
    note = f"Candidat {candidate.reference} : {status.label.lower()}"
    note += f" ({candidate.reason.label})" if candidate.reason else ""
    journal(need, user, JournalSubject.CANDIDATE, note + ".", candidate.id)
    if status == CandidateStatus.HIRED:
        db.session.flush()
        need.hires = max(need.hires or 0, hired_count(need))
    audit.record(user, "move_candidate", need, {"candidate": candidate.id, "status": status})
    db.session.flush()
    return candidate


def hired_count(need: HiringNeed) -> int:
    query = sa.select(sa.func.count(NeedCandidate.id)).where(
        NeedCandidate.need_id == need.id, NeedCandidate.status == CandidateStatus.HIRED)
    return db.session.scalar(query) or 0


def candidates_of(need: HiringNeed) -> list[NeedCandidate]:
    """The need's candidates with their organisation, in the order they were put forward."""
    query = (sa.select(NeedCandidate).where(NeedCandidate.need_id == need.id)
             .options(joinedload(NeedCandidate.organisation))
             .order_by(NeedCandidate.id))
    return list(db.session.scalars(query))


def counts(need: HiringNeed) -> dict[str, int]:
    """How many candidates are at each stage (every status, zero included), in one query."""
    query = (sa.select(NeedCandidate.status, sa.func.count(NeedCandidate.id))
             .where(NeedCandidate.need_id == need.id).group_by(NeedCandidate.status))
    found = {status: count for status, count in db.session.execute(query)}
    return {status.value: found.get(status, 0) for status in CandidateStatus}


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` months earlier (the month's last day when it is shorter)."""
    month = moment.month - 1 - months
    year, month = moment.year + month // 12, month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def purge(months: int, now: datetime | None = None) -> int:
    """Delete the candidates (and their journal steps) of needs closed `months` months ago or
    more; returns how many were deleted."""
    limit = months_before(now or utcnow(), months)
    closed = sa.select(HiringNeed.id).where(~HiringNeed.is_open, HiringNeed.closed_at <= limit)
    doomed = sa.select(NeedCandidate.id).where(NeedCandidate.need_id.in_(closed))
    db.session.execute(sa.delete(NeedJournalEntry).where(NeedJournalEntry.candidate_id.in_(doomed))
                       .execution_options(synchronize_session=False))
    result = db.session.execute(sa.delete(NeedCandidate).where(NeedCandidate.id.in_(doomed))
                                .execution_options(synchronize_session=False))
    return result.rowcount  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult


