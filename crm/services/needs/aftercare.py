"""Follow-up after the hire: when a need closes with hires, its adviser gets two follow-up tasks
(`FollowUp`, the project's one to-do list) — one month after the hire and at the end of the trial
period — each with a one-click outcome recorded per need: how many of the hires are still in post,
and the main reason of those who left. The trial period's length by contract is one data table,
`TRIAL_RULES`, with its source (docs/aftercare.md)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import (
    Checkpoint,
    ContractType,
    FollowUp,
    HireFollowUp,
    HiringNeed,
    LeavingReason,
    User,
    utcnow,
)
from crm.services.platform import audit
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import Refused
from crm.services.platform.working_days import is_working_day

LABOUR_CODE = "https://www.legifrance.gouv.fr/codes/id/LEGITEXT000006072050"
SHORT_CONTRACT_MONTHS = 6  # a CDD of 6 months or less: trial capped at 2 weeks, else at 1 month


class AftercareError(Refused):
    """An outcome that cannot be recorded; the message is French."""


@dataclass(frozen=True)
class TrialRule:
    """How long a contract's trial period lasts, in French words, with its legal source. One of:
    `months` or `days` (a fixed length), `per_week` (one day per week of contract, capped at
    `short_cap_days` for a contract of 6 months or less and at one month beyond), `mission_days`
    (temporary work: the days for a mission up to so many months, the last one beyond)."""

    summary: str
    source: str
    months: int = 0
    days: int = 0
    per_week: bool = False
    short_cap_days: int = 0
    mission_days: tuple[tuple[int, int], ...] = ()
    unknown_length: str = ""  # what is assumed when the need gives no contract length


CDD_RULE = TrialRule(
    "1 jour par semaine de contrat, au plus 2 semaines pour un contrat de 6 mois ou moins, "
    "au plus 1 mois au-delà", "Code du travail, art. L1242-10", per_week=True, short_cap_days=14,
    unknown_length="durée du contrat non précisée : 2 semaines")

# The trial period of each contract the need form offers. Simplified on purpose: the CDI's length
# depends on the job's category (2 months for workers and employees, 3 for supervisors and
# technicians, 4 for executives: art. L1221-19), which the need does not record, so the
# employees' 2 months are used; a branch agreement may set other lengths.
TRIAL_RULES: dict[ContractType, TrialRule] = {
    ContractType.CDI: TrialRule(
        "2 mois (ouvriers et employés ; 3 mois pour les agents de maîtrise et techniciens, 4 mois "
        "pour les cadres, non distingués ici)", "Code du travail, art. L1221-19", months=2),
    ContractType.CDD: CDD_RULE,
    ContractType.SAISONNIER: CDD_RULE,  # a seasonal contract is a fixed-term contract
    ContractType.PROFESSIONNALISATION: TrialRule(
        "1 mois (contrat le plus souvent à durée déterminée de 6 à 12 mois : règle du CDD "
        "au-delà de 6 mois)", "Code du travail, art. L6325-5 et L1242-10", months=1),
    ContractType.APPRENTISSAGE: TrialRule(
        "45 jours (les 45 premiers jours de formation pratique en entreprise, comptés ici en "
        "jours calendaires)", "Code du travail, art. L6222-18", days=45),
    ContractType.INTERIM: TrialRule(
        "2 jours pour une mission d'un mois au plus, 3 jours jusqu'à 2 mois, 5 jours au-delà",
        "Code du travail, art. L1251-14", mission_days=((1, 2), (2, 3), (36, 5)),
        unknown_length="durée de la mission non précisée : 2 jours"),
}
DEFAULT_CONTRACT = ContractType.CDI  # a need without a contract type (not possible today) gets it

TITLES = {
    Checkpoint.ONE_MONTH: "Suivi à un mois de l'embauche : les personnes recrutées sont-elles "
                          "toujours en poste ?",
    Checkpoint.TRIAL_END: "Suivi en fin de période d'essai : les personnes recrutées sont-elles "
                          "toujours en poste ?",
}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day when it is shorter (31/01 → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def cdd_trial_end(start: date, rule: TrialRule, contract_months: int | None) -> tuple[date, str]:
    if contract_months is None:
        return start + timedelta(days=rule.short_cap_days), rule.unknown_length
    weeks = round(contract_months * 52 / 12)
    if contract_months <= SHORT_CONTRACT_MONTHS:
        days = min(weeks, rule.short_cap_days)
        return start + timedelta(days=days), f"contrat de {contract_months} mois : {days} jours"
    one_month = add_months(start, 1)
    end = min(start + timedelta(days=weeks), one_month)
    return end, f"contrat de {contract_months} mois : {(end - start).days} jours (au plus 1 mois)"


def interim_trial_end(start: date, rule: TrialRule, months: int | None) -> tuple[date, str]:
    if months is None:
        return start + timedelta(days=rule.mission_days[0][1]), rule.unknown_length
    days = next(days for up_to, days in rule.mission_days if months <= up_to)
    return start + timedelta(days=days), f"mission de {months} mois : {days} jours"


def trial_end(start: date, contract: ContractType | None,
              contract_months: int | None) -> tuple[date, str]:
    """The day after the trial period of a hire starting on `start`, and how it was found (French:
    the rule, its source, and the default used when the contract type is missing)."""
    rule = TRIAL_RULES[contract or DEFAULT_CONTRACT]
    prefix = f"{(contract or DEFAULT_CONTRACT).label} : "
    if contract is None:
        prefix = f"Type de contrat non précisé : règle du {DEFAULT_CONTRACT.label} : "
    if rule.per_week:
        end, detail = cdd_trial_end(start, rule, contract_months)
    elif rule.mission_days:
        end, detail = interim_trial_end(start, rule, contract_months)
    elif rule.months:
        end, detail = add_months(start, rule.months), rule.summary
    else:
        end, detail = start + timedelta(days=rule.days), rule.summary
    return end, f"{prefix}{detail} ({rule.source})"


def hire_start(need: HiringNeed) -> date:
    """When the hires are taken to start: the need's closing day (French calendar), or its wished
    start date when that is later."""
    closed = local_today(need.closed_at or utcnow())
    return max(closed, need.start_date) if need.start_date else closed


def on_working_day(day: date) -> date:
    """The day itself, or the next working day when it falls on a weekend or public holiday."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def checkpoints(need: HiringNeed) -> dict[Checkpoint, tuple[date, str]]:
    """The due date of each checkpoint (moved to the next working day), with how it was
    computed."""
    start = hire_start(need)
    start_words = f"embauche comptée au {start.strftime('%d/%m/%Y')}"
    end, rule = trial_end(start, need.contract_type, need.contract_months)
    return {Checkpoint.ONE_MONTH: (on_working_day(add_months(start, 1)), start_words.capitalize()),
            Checkpoint.TRIAL_END: (on_working_day(end), f"{rule} ; {start_words}")}


def follow_up_assignee(need: HiringNeed, closed_by: User) -> User:
    """The need's adviser while active, else the person who closed it."""
    if need.adviser is not None and need.adviser.is_active:
        return need.adviser
    return closed_by


def existing(need: HiringNeed) -> dict[Checkpoint, HireFollowUp]:
    query = sa.select(HireFollowUp).where(HireFollowUp.need_id == need.id)
    return {row.checkpoint: row for row in db.session.scalars(query)}


def plan_follow_ups(need: HiringNeed, closed_by: User) -> list[HireFollowUp]:
    """At closing with hires: one task per checkpoint for the adviser. Idempotent: a checkpoint
    that exists is kept (its hire count follows the need while it is unanswered); none is made
    for a need without hires."""
    if not need.hires:
        return []
    found = existing(need)
    assignee = follow_up_assignee(need, closed_by)
    for checkpoint, (due_on, rule) in checkpoints(need).items():
        if checkpoint in found:
            if found[checkpoint].answered_at is None:
                found[checkpoint].hires = need.hires
            continue
        task = FollowUp(title=TITLES[checkpoint], notes=rule, due_on=due_on, assignee=assignee,
                        company_id=need.company_id, need=need, created_by_id=closed_by.id)
        found[checkpoint] = HireFollowUp(need=need, checkpoint=checkpoint, task=task,
                                         due_on=due_on, hires=need.hires, rule=rule[:200])
        db.session.add_all([task, found[checkpoint]])
    db.session.flush()
    return [found[checkpoint] for checkpoint in Checkpoint]


def follow_ups_of(need: HiringNeed) -> list[HireFollowUp]:
    """The need's checkpoints by due date, with their task."""
    query = (sa.select(HireFollowUp).where(HireFollowUp.need_id == need.id)
             .options(joinedload(HireFollowUp.task), joinedload(HireFollowUp.answered_by))
             .order_by(HireFollowUp.due_on, HireFollowUp.id))
    return list(db.session.scalars(query))


def of_task(task: FollowUp) -> HireFollowUp | None:
    return db.session.scalar(sa.select(HireFollowUp).where(HireFollowUp.task_id == task.id))


def record_outcome(follow_up: HireFollowUp, actor: User, in_post: int,
                   reason: LeavingReason | None) -> None:
    """Record how many hires are still in post (the others left, for the reason given); the task
    is then done. Recording again corrects the answer."""
    if not 0 <= in_post <= follow_up.hires:
        raise AftercareError(f"Indiquez un nombre de personnes en poste entre 0 et "
                             f"{follow_up.hires}.", "in_post")
    if in_post < follow_up.hires and reason is None:
        raise AftercareError("Indiquez la raison du départ.", "reason")
    before = {"in_post": follow_up.in_post, "reason": follow_up.leaving_reason}
    reason = reason if in_post < follow_up.hires else None
    follow_up.in_post = in_post
    follow_up.leaving_reason = reason
    follow_up.answered_at, follow_up.answered_by_id = utcnow(), actor.id
    if follow_up.task is not None and follow_up.task.done_at is None:
        follow_up.task.done_at = utcnow()
    audit.record(actor, "hire_follow_up", follow_up.need,
                 {"checkpoint": follow_up.checkpoint.value, "before": before,
                  "after": {"in_post": in_post, "reason": reason}})
    db.session.flush()
