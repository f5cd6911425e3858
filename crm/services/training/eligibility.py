"""The eligibility of a POE request: plain functions over a `Case`, no database.

Each rule answers `pass`, `fail` or `unknown` (a fact is missing) with a French reason and its
source. The verdict is `not_eligible` when any rule fails, `to_complete` when none fails and any is
unknown, else `eligible`. A field left out of the case is unknown, never false.

The POEI rule set is chosen by the convention's date, else the request's date: the contracts
allowed after training changed with décret n° 2024-561 of 18 June 2024, in force for conventions
from 21 June 2024. Hour caps and amounts are dated parameters (`Caps`), given by the caller
(`training.parameters.caps_on`), shipped with the service-public values.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from crm.models import PromisedContract, TrainingKind, TrainingMode


class Result(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    TO_COMPLETE = "to_complete"


VERDICT_LABELS = {Verdict.ELIGIBLE: "Éligible", Verdict.NOT_ELIGIBLE: "Non éligible",
                  Verdict.TO_COMPLETE: "À compléter"}
RESULT_LABELS = {Result.PASS: "Respectée", Result.FAIL: "Non respectée", Result.UNKNOWN: "À vérifier"}

DECREE_DAY = date(2024, 6, 21)  # décret n° 2024-561 du 18 juin 2024 (JO du 20 juin), in force the next day

L6326_1 = "Art. L6326-1 C. trav."
D6326_1 = "Art. D6326-1 C. trav. (décret n° 2024-561 du 18 juin 2024)"
L6326_1_BEFORE = "Art. L6326-1 C. trav. (rédaction en vigueur avant le 21 juin 2024)"
INSTRUCTION = "Instruction France Travail du 22 juillet 2024 (POEI)"
L6326_3 = "Art. L6326-3 C. trav. (POEC)"
TUTORING = "Décret n° 2024-561 du 18 juin 2024 (tutorat de la POEI)"
QUALIOPI = "Art. L6316-1 C. trav. (certification Qualiopi des organismes financés sur fonds publics)"


@dataclass(frozen=True)
class RuleSet:
    name: str
    valid_from: date | None
    valid_to: date | None
    # minimum months of each contract after training; None: the contract does not qualify
    minimum_months: dict[PromisedContract, int | None]
    contract_source: str


POEI_2024 = RuleSet(
    "POEI – décret n° 2024-561 (conventions depuis le 21 juin 2024)", DECREE_DAY, None,
    {PromisedContract.CDI: 0, PromisedContract.CDI_INTERIMAIRE: 0, PromisedContract.CDD: 6,
     PromisedContract.PROFESSIONNALISATION: 6, PromisedContract.APPRENTISSAGE: 6,
     PromisedContract.SAISONNIER: 4, PromisedContract.MISSIONS: 6}, D6326_1)
POEI_BEFORE = RuleSet(
    "POEI – règles antérieures au 21 juin 2024", None, date(2024, 6, 20),
    {PromisedContract.CDI: 0, PromisedContract.CDI_INTERIMAIRE: 0, PromisedContract.CDD: 12,
     PromisedContract.PROFESSIONNALISATION: 12, PromisedContract.APPRENTISSAGE: 12,
     PromisedContract.SAISONNIER: None, PromisedContract.MISSIONS: None}, L6326_1_BEFORE)
POEC = RuleSet("POEC – préparation opérationnelle collective", None, None, {}, L6326_3)

TUTOR_MIN_YEARS = 2
TUTOR_MAX_TRAINEES = 3  # POEI trainees tutored at once, this one included
MISSIONS_WINDOW_MONTHS = 9


@dataclass(frozen=True)
class Cap:
    hours: int
    source: str


@dataclass(frozen=True)
class Caps:
    """The hour caps in force on the case's date, each with its source."""

    poei: Cap
    poei_priority: Cap
    poei_tutored: Cap
    poec: Cap


@dataclass(frozen=True)
class FrapTerms:
    """A FRAP funding line as the engine needs it."""

    name: str
    max_employees: int | None
    contracts: frozenset[str]
    hourly_cents: int
    ceiling_cents: int
    valid_from: date | None
    valid_to: date | None
    source: str


@dataclass(frozen=True)
class Case:
    """The facts of a request; None is unknown."""

    kind: TrainingKind = TrainingKind.POEI
    on_date: date | None = None
    contract_type: PromisedContract | None = None
    contract_months: int | None = None
    missions_months_within_9: int | None = None
    training_hours: int | None = None
    tutoring_hours: int | None = None
    mode: TrainingMode | None = None
    priority_public: bool | None = None
    offer_filed: bool | None = None
    contributions_up_to_date: bool | None = None
    economic_layoff_12_months: bool | None = None
    refused_hire_after_poe: bool | None = None
    qualiopi: bool | None = None
    tutor_experience_years: float | None = None
    tutor_current_trainees: int | None = None
    private_individual_employer: bool | None = None
    convention_signed_on: date | None = None
    training_starts_on: date | None = None
    frap_requested: bool = False
    company_employees: int | None = None  # for a FRAP line's firm sizes


@dataclass(frozen=True)
class Check:
    rule: str
    result: Result
    reason: str
    source: str

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)


@dataclass(frozen=True)
class Eligibility:
    verdict: Verdict
    rule_set: RuleSet
    checks: list[Check] = field(default_factory=list)
    frap_top_up_cents: int | None = None

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def without(self, *rules: str) -> Verdict:
        """The verdict leaving some rules aside (e.g. the convention, signed after approval)."""
        return verdict_of([check for check in self.checks if check.rule not in rules])


RULE_LABELS = {
    "offer_filed": "Offre déposée auprès de France Travail",
    "contributions": "Employeur à jour de ses cotisations sociales",
    "economic_layoff": "Pas de licenciement économique dans les 12 mois",
    "previous_refusal": "Pas de refus d'embauche après une POEI ou AFPR",
    "contract": "Contrat proposé à l'issue de la formation",
    "training_body": "Organisme de formation certifié Qualiopi",
    "private_employer": "Particulier employeur : organisme externe seulement",
    "tutor_experience": "Expérience du tuteur",
    "tutor_trainees": "Stagiaires suivis par le tuteur",
    "hours": "Durée de la formation",
    "tutored_hours": "Durée en tutorat",
    "collective_mode": "POEC : formation collective en organisme",
    "convention": "Convention signée avant le début de la formation",
    "frap": "Complément FRAP de la Région",
}


def rule_set_for(kind: TrainingKind, day: date) -> RuleSet:
    if kind == TrainingKind.POEC:
        return POEC
    return POEI_2024 if day >= DECREE_DAY else POEI_BEFORE


def verdict_of(checks: list[Check]) -> Verdict:
    results = {check.result for check in checks}
    if Result.FAIL in results:
        return Verdict.NOT_ELIGIBLE
    if Result.UNKNOWN in results:
        return Verdict.TO_COMPLETE
    return Verdict.ELIGIBLE


def fact(rule: str, value: bool | None, wanted: bool, yes: str, no: str, unknown: str,
         source: str) -> Check:
    """A yes/no fact that must be `wanted`."""
    if value is None:
        return Check(rule, Result.UNKNOWN, unknown, source)
    return Check(rule, Result.PASS if value == wanted else Result.FAIL, yes if value == wanted else no,
                 source)


def employer_checks(case: Case) -> list[Check]:
    return [
        fact("offer_filed", case.offer_filed, True, "L'offre est déposée auprès de France Travail.",
             "L'offre doit être déposée auprès de France Travail.",
             "Indiquer si l'offre est déposée auprès de France Travail.", L6326_1),
        fact("contributions", case.contributions_up_to_date, True,
             "L'employeur est à jour de ses cotisations sociales.",
             "L'employeur n'est pas à jour de ses cotisations sociales.",
             "Indiquer si l'employeur est à jour de ses cotisations sociales.", INSTRUCTION),
        fact("economic_layoff", case.economic_layoff_12_months, False,
             "Aucun licenciement économique dans les 12 mois précédant la demande.",
             "Un licenciement économique a eu lieu dans les 12 mois précédant la demande.",
             "Indiquer si un licenciement économique a eu lieu dans les 12 derniers mois.", INSTRUCTION),
        fact("previous_refusal", case.refused_hire_after_poe, False,
             "Pas de refus d'embauche sans motif légitime après une POEI ou AFPR.",
             "L'employeur a refusé sans motif légitime d'embaucher après une POEI ou AFPR.",
             "Indiquer si l'employeur a déjà refusé d'embaucher après une POEI ou AFPR.", INSTRUCTION),
    ]


def months(value: int) -> str:
    return f"{value} mois"


def contract_check(case: Case, rules: RuleSet) -> Check:
    rule, source = "contract", rules.contract_source
    if case.contract_type is None:
        return Check(rule, Result.UNKNOWN, "Indiquer le contrat proposé à l'issue de la formation.",
                     source)
    contract = PromisedContract(case.contract_type)
    minimum = rules.minimum_months.get(contract)
    if minimum is None:
        return Check(rule, Result.FAIL, f"{contract.label} : ce contrat n'ouvre pas droit à la POEI "
                     f"selon ces règles (il relevait de l'AFPR avant le 21 juin 2024).", source)
    if minimum == 0:
        return Check(rule, Result.PASS, f"{contract.label} : contrat à durée indéterminée.", source)
    if contract == PromisedContract.MISSIONS:
        total = case.missions_months_within_9
        if total is None:
            return Check(rule, Result.UNKNOWN, "Indiquer la durée totale des missions prévues dans "
                         f"les {MISSIONS_WINDOW_MONTHS} mois suivant la formation.", source)
        wanted = f"au moins {months(minimum)} dans les {MISSIONS_WINDOW_MONTHS} mois suivant la formation"
        ok = total >= minimum
        return Check(rule, Result.PASS if ok else Result.FAIL,
                     f"Missions d'intérim : {months(total)} prévus, {wanted} requis.", source)
    if case.contract_months is None:
        return Check(rule, Result.UNKNOWN, f"Indiquer la durée du contrat ({contract.label}).", source)
    ok = case.contract_months >= minimum
    return Check(rule, Result.PASS if ok else Result.FAIL,
                 f"{contract.label} de {months(case.contract_months)} : au moins {months(minimum)} "
                 "requis.", source)


def uses_tutor(mode: TrainingMode) -> bool:
    return mode in (TrainingMode.TUTORAT, TrainingMode.MIXTE, TrainingMode.AFEST)


def uses_body(mode: TrainingMode) -> bool:
    return mode in (TrainingMode.ORGANISME, TrainingMode.MIXTE)


def training_checks(case: Case) -> list[Check]:
    """Who trains: a Qualiopi body, a tutor within the caps, an external body for a private
    individual employer."""
    if case.mode is None:
        return [Check("training_body", Result.UNKNOWN, "Indiquer le mode de formation (organisme, "
                      "tutorat, mixte ou AFEST).", L6326_1)]
    mode = TrainingMode(case.mode)
    checks = []
    if uses_body(mode):
        checks.append(fact("training_body", case.qualiopi, True,
                           "L'organisme de formation est certifié Qualiopi.",
                           "L'organisme de formation doit être certifié Qualiopi.",
                           "Indiquer si l'organisme de formation est certifié Qualiopi.", QUALIOPI))
    if mode != TrainingMode.ORGANISME:
        checks.append(fact("private_employer", case.private_individual_employer, False,
                           "L'employeur n'est pas un particulier : le tutorat est possible.",
                           "Un particulier employeur ne peut recourir qu'à un organisme de formation "
                           "externe, pas au tutorat.",
                           "Indiquer si l'employeur est un particulier (tutorat alors impossible).",
                           TUTORING))
    if uses_tutor(mode):
        checks.append(tutor_experience(case.tutor_experience_years))
        checks.append(tutor_trainees(case.tutor_current_trainees))
    return checks


def tutor_experience(years: float | None) -> Check:
    if years is None:
        return Check("tutor_experience", Result.UNKNOWN, "Indiquer l'expérience du tuteur en lien "
                     "avec les compétences de l'offre.", TUTORING)
    ok = years >= TUTOR_MIN_YEARS
    return Check("tutor_experience", Result.PASS if ok else Result.FAIL,
                 f"Tuteur volontaire : {years:g} an(s) d'expérience en lien avec l'offre, "
                 f"au moins {TUTOR_MIN_YEARS} ans requis.", TUTORING)


def tutor_trainees(current: int | None) -> Check:
    if current is None:
        return Check("tutor_trainees", Result.UNKNOWN, "Indiquer le nombre de stagiaires POEI que le "
                     "tuteur suit déjà.", TUTORING)
    total = current + 1
    ok = total <= TUTOR_MAX_TRAINEES
    return Check("tutor_trainees", Result.PASS if ok else Result.FAIL,
                 f"Le tuteur suivrait {total} stagiaire(s) POEI en même temps, "
                 f"{TUTOR_MAX_TRAINEES} au plus.", TUTORING)


def total_hours(case: Case) -> int | None:
    """Hours of the whole training; a part that the mode excludes counts 0."""
    if case.mode is None:
        parts = [case.training_hours, case.tutoring_hours]
        return None if None in parts else sum(p for p in parts if p is not None)
    mode = TrainingMode(case.mode)
    body = case.training_hours if uses_body(mode) else (case.training_hours or 0)
    tutoring = case.tutoring_hours if uses_tutor(mode) else (case.tutoring_hours or 0)
    return None if body is None or tutoring is None else body + tutoring


def hours_checks(case: Case, caps: Caps) -> list[Check]:
    total = total_hours(case)
    if total is None:
        return [Check("hours", Result.UNKNOWN, "Indiquer le nombre d'heures de formation "
                      "(en organisme et en tutorat).", caps.poei.source)]
    if total <= 0:
        return [Check("hours", Result.FAIL, "La formation doit compter au moins une heure.",
                      caps.poei.source)]
    checks = [general_hours(total, case.priority_public, caps)]
    if case.mode is not None and TrainingMode(case.mode) == TrainingMode.TUTORAT:
        cap = caps.poei_tutored
        ok = total <= cap.hours
        checks.append(Check("tutored_hours", Result.PASS if ok else Result.FAIL,
                            f"Formation entièrement en tutorat : {total} h, {cap.hours} h au plus.",
                            cap.source))
    return checks


def general_hours(total: int, priority: bool | None, caps: Caps) -> Check:
    if total <= caps.poei.hours:
        return Check("hours", Result.PASS, f"{total} h : dans la limite de {caps.poei.hours} h.",
                     caps.poei.source)
    cap = caps.poei_priority
    if priority is None and total <= cap.hours:
        return Check("hours", Result.UNKNOWN, f"{total} h dépasse {caps.poei.hours} h : admis jusqu'à "
                     f"{cap.hours} h pour un public prioritaire ; indiquer si le candidat en relève.",
                     cap.source)
    if priority:
        ok = total <= cap.hours
        return Check("hours", Result.PASS if ok else Result.FAIL,
                     f"{total} h pour un public prioritaire : {cap.hours} h au plus.", cap.source)
    return Check("hours", Result.FAIL, f"{total} h : au plus {caps.poei.hours} h "
                 f"({cap.hours} h pour un public prioritaire).", caps.poei.source)


def convention_check(case: Case) -> Check:
    source = L6326_1
    signed, starts = case.convention_signed_on, case.training_starts_on
    if signed is None:
        when = f" (début prévu le {starts:%d/%m/%Y})" if starts else ""
        return Check("convention", Result.UNKNOWN, "La convention doit être signée avant le début de "
                     f"la formation{when}.", source)
    if starts is None:
        return Check("convention", Result.UNKNOWN, f"Convention signée le {signed:%d/%m/%Y} : indiquer "
                     "la date de début de la formation.", source)
    ok = signed <= starts
    return Check("convention", Result.PASS if ok else Result.FAIL,
                 f"Convention signée le {signed:%d/%m/%Y}, formation commençant le {starts:%d/%m/%Y}"
                 + (" : signée avant le début." if ok else " : elle devait l'être avant le début."),
                 source)


def poec_checks(case: Case, caps: Caps) -> list[Check]:
    checks = []
    if case.mode is None:
        checks.append(Check("collective_mode", Result.UNKNOWN, "Indiquer le mode de formation.",
                            L6326_3))
    else:
        ok = TrainingMode(case.mode) == TrainingMode.ORGANISME
        checks.append(Check("collective_mode", Result.PASS if ok else Result.FAIL,
                            "Formation collective dispensée par un organisme." if ok else
                            "La POEC est une formation collective en organisme, sans tutorat.",
                            L6326_3))
    checks.append(fact("training_body", case.qualiopi, True,
                       "L'organisme de formation est certifié Qualiopi.",
                       "L'organisme de formation doit être certifié Qualiopi.",
                       "Indiquer si l'organisme de formation est certifié Qualiopi.", QUALIOPI))
    hours = case.training_hours
    if hours is None:
        checks.append(Check("hours", Result.UNKNOWN, "Indiquer le nombre d'heures de formation.",
                            caps.poec.source))
    else:
        ok = 0 < hours <= caps.poec.hours
        checks.append(Check("hours", Result.PASS if ok else Result.FAIL,
                            f"{hours} h : POEC de {caps.poec.hours} h au plus.", caps.poec.source))
    return checks


def frap_check(case: Case, terms: FrapTerms | None, day: date) -> tuple[Check, int | None]:
    """Whether the FRAP line tops up this POE, and by how much (cents)."""
    if terms is None:
        return Check("frap", Result.UNKNOWN, "Choisir la ligne de financement FRAP de la Région.",
                     "Région Bourgogne-Franche-Comté (FRAP)"), None
    reasons = []
    if (terms.valid_from and day < terms.valid_from) or (terms.valid_to and day > terms.valid_to):
        reasons.append("la ligne n'est pas en vigueur à cette date")
    if terms.contracts and case.contract_type is not None and case.contract_type not in terms.contracts:
        reasons.append(f"le contrat {PromisedContract(case.contract_type).label} n'est pas financé")
    if terms.max_employees is not None and case.company_employees is not None \
            and case.company_employees >= terms.max_employees:
        reasons.append(f"l'entreprise compte {terms.max_employees} salariés ou plus")
    if reasons:
        return Check("frap", Result.FAIL, f"« {terms.name} » : " + " ; ".join(reasons) + ".",
                     terms.source), None
    missing = terms.max_employees is not None and case.company_employees is None
    hours = total_hours(case)
    if missing or (terms.contracts and case.contract_type is None) or hours is None:
        return Check("frap", Result.UNKNOWN, f"« {terms.name} » : préciser l'effectif de "
                     "l'entreprise, le contrat et les heures.", terms.source), None
    amount = min(hours * terms.hourly_cents, terms.ceiling_cents)
    return Check("frap", Result.PASS, f"« {terms.name} » : complément de {euros(amount)} "
                 f"({euros(terms.hourly_cents)} par heure, plafond {euros(terms.ceiling_cents)}).",
                 terms.source), amount


def euros(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    text = f"{whole:,}".replace(",", "\u202f")
    return f"{text},{rest:02d} €" if rest else f"{text} €"


def evaluate(case: Case, caps: Caps, today: date, frap: FrapTerms | None = None) -> Eligibility:
    """Every rule of the rule set in force on the convention's date, else the request's date,
    else `today`."""
    day = case.convention_signed_on or case.on_date or today
    kind = TrainingKind(case.kind)
    rules = rule_set_for(kind, day)
    if kind == TrainingKind.POEC:
        checks = poec_checks(case, caps)
    else:
        checks = [*employer_checks(case), contract_check(case, rules), *training_checks(case),
                  *hours_checks(case, caps)]
    checks.append(convention_check(case))
    top_up = None
    if case.frap_requested:
        frap_result, top_up = frap_check(case, frap, day)
        checks.append(frap_result)
    return Eligibility(verdict_of(checks), rules, checks, top_up)
