"""The workflow of a POE request as data: each transition says from which status to which, who may
make it and what it records (a reason, or a date). A move outside the table, or one whose date
breaks the order of the steps (training cannot start before the convention), is refused (409).

draft → submitted → under_review → approved / rejected (reason) → convention_signed (date) →
in_training (date) → completed (date) → hired (date) / not_hired (reason).
Closing a request (rejected, hired, not hired) pseudonymises its candidate.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from crm.models import (
    CLOSED_TRAINING_STATUSES,
    Role,
    TrainingRequest,
    TrainingStatus,
    TrainingStatusChange,
    User,
    utcnow,
)
from crm.models import TrainingStatus as S
from crm.services.platform import audit
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import Refused
from crm.services.training.eligibility import Verdict
from crm.services.training.requests import eligibility_of, owns


class Records(StrEnum):
    NOTHING = "nothing"
    REASON = "reason"
    DATE = "date"


WORKERS = frozenset({Role.ADVISER, Role.MANAGER, Role.ADMIN})
SUPERVISORS = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Transition:
    source: TrainingStatus
    target: TrainingStatus
    who: frozenset[Role]
    records: Records
    label: str  # the button
    date_field: str | None = None  # the request's column the date goes to

    @property
    def who_label(self) -> str:
        return ", ".join(role.label for role in Role if role in self.who)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.SUBMITTED, WORKERS, Records.NOTHING, "Déposer la demande"),
    Transition(S.SUBMITTED, S.UNDER_REVIEW, SUPERVISORS, Records.NOTHING, "Prendre en instruction"),
    Transition(S.UNDER_REVIEW, S.APPROVED, SUPERVISORS, Records.NOTHING, "Accorder"),
    Transition(S.UNDER_REVIEW, S.REJECTED, SUPERVISORS, Records.REASON, "Refuser"),
    Transition(S.APPROVED, S.CONVENTION_SIGNED, WORKERS, Records.DATE, "Convention signée",
               "convention_signed_on"),
    Transition(S.CONVENTION_SIGNED, S.IN_TRAINING, WORKERS, Records.DATE, "Entrée en formation",
               "training_starts_on"),
    Transition(S.IN_TRAINING, S.COMPLETED, WORKERS, Records.DATE, "Formation terminée",
               "training_ends_on"),
    Transition(S.COMPLETED, S.HIRED, WORKERS, Records.DATE, "Embauche réalisée", "outcome_on"),
    Transition(S.COMPLETED, S.NOT_HIRED, WORKERS, Records.REASON, "Pas d'embauche"),
)
BY_MOVE = {(t.source, t.target): t for t in TRANSITIONS}
ENTERED = frozenset({S.IN_TRAINING, S.COMPLETED, S.HIRED, S.NOT_HIRED})  # the trainee entered POE
MAX_REASON = 2000


class WorkflowRefused(Refused):
    """A move the workflow does not allow from the request's status, or out of order."""

    status = 409


class NotYours(Refused):
    status = 403


def moves(user: User, request: TrainingRequest) -> list[Transition]:
    """The transitions this user may make now."""
    if not owns(user, request):
        return []
    return [t for t in TRANSITIONS if t.source == request.status and user.role in t.who]


def transition_for(request: TrainingRequest, target: str) -> Transition:
    known = {member.value for member in TrainingStatus}
    if target not in known:
        raise Refused("Statut inconnu : " + ", ".join(sorted(known)) + ".", "to")
    found = BY_MOVE.get((request.status, TrainingStatus(target)))
    if found is None:
        raise WorkflowRefused(f"Une demande « {request.status.label} » ne peut pas passer à "
                              f"« {TrainingStatus(target).label} ».")
    return found


def check_dates(request: TrainingRequest, transition: Transition, day: date) -> None:
    if day > local_today():
        raise Refused("La date ne peut pas être dans le futur.", "date")
    if transition.target == S.IN_TRAINING and request.convention_signed_on \
            and day < request.convention_signed_on:
        raise WorkflowRefused("La formation ne peut pas commencer avant la signature de la "
                              f"convention ({request.convention_signed_on:%d/%m/%Y}).")
    if transition.target == S.COMPLETED and request.training_starts_on \
            and day < request.training_starts_on:
        raise WorkflowRefused("La fin de formation ne peut pas précéder son début "
                              f"({request.training_starts_on:%d/%m/%Y}).")
    if transition.target == S.HIRED and request.training_ends_on and day < request.training_ends_on:
        raise WorkflowRefused("L'embauche suit la fin de la formation "
                              f"({request.training_ends_on:%d/%m/%Y}).")


def check_approval(request: TrainingRequest) -> None:
    """Approved only when every rule passes, the convention (signed later) aside."""
    result = eligibility_of(request)
    if result.without("convention") != Verdict.ELIGIBLE:
        open_rules = [check.label for check in result.checks
                      if check.rule != "convention" and check.result != "pass"]
        raise WorkflowRefused("La demande ne peut être accordée : " + " ; ".join(open_rules) + ".")


def move(user: User, request: TrainingRequest, target: str, reason: str | None = None,
         day: date | None = None) -> TrainingStatusChange:
    """Make a transition; records its reason or date; Refused (409) when the workflow says no."""
    transition = transition_for(request, target)
    if not owns(user, request) or user.role not in transition.who:
        raise NotYours(f"« {transition.label} » est réservé à : {transition.who_label} "
                       "de l'organisation qui porte la demande.")
    reason = (reason or "").strip() or None
    if transition.records == Records.REASON and not reason:
        raise Refused("Indiquer le motif.", "reason")
    if reason and len(reason) > MAX_REASON:
        raise Refused(f"{MAX_REASON} caractères au plus.", "reason")
    if transition.records == Records.DATE:
        if day is None:
            raise Refused("Indiquer la date.", "date")
        check_dates(request, transition, day)
    if transition.target == S.APPROVED:
        check_approval(request)
    previous = request.status
    if transition.date_field and day is not None:
        setattr(request, transition.date_field, day)
    request.status = transition.target
    request.status_reason = reason
    request.status_changed_at = utcnow()
    if transition.target in CLOSED_TRAINING_STATUSES:
        pseudonymise(request)
    change = TrainingStatusChange(from_status=previous, to_status=transition.target, reason=reason,
                                  on_date=day if transition.records == Records.DATE else None,
                                  user_id=user.id)
    request.changes.append(change)
    audit.record(user, "training_transition", request,
                 {"status": [previous.value, transition.target.value], "reason": reason,
                  "date": day.isoformat() if day else None})
    return change


def pseudonymise(request: TrainingRequest) -> None:
    """Once closed, the candidate is kept as a number only."""
    if request.candidate and request.candidate_pseudonymised_at is None:
        request.candidate = f"Candidat n° {request.id}"
        request.candidate_pseudonymised_at = utcnow()
