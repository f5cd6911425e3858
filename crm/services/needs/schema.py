"""The one schema of a hiring need, shared by the public form, the partner form and the API.

`parse_need(payload)` takes the API's shape (the form's `contact_email` is the API's
`contact.email`) and returns a `NeedInput`, or raises `InvalidNeed` with French messages per field.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crm.extensions import db
from crm.models import (
    CONTRACTS_WITH_DURATION,
    Commune,
    ContractType,
    EmployerService,
    Public,
)
from crm.services.platform.contact_details import normalise_email, normalise_phone
from crm.services.platform.identifiers import clean_siret, siret_problem
from crm.services.platform.local_time import local_today
from crm.services.platform.raw_input import UNSTORABLE, unstorable_fields
from crm.services.platform.refusals import InvalidInput
from crm.services.routing import criteria
from crm.services.territory import rome_jobs

MAX_DESCRIPTION = 4000
MAX_JOB_TITLE = 200
MAX_NAME = 120
MAX_HOW_KNOWN = 1000
TEXT_FIELDS = ("siret", "company_name", "commune_code", "rome_code", "job_title", "contract_type",
               "start_date", "description", "how_known")
CONTACT_TEXT_FIELDS = ("name", "email", "phone")
NOT_TEXT = "Ce champ doit être un texte."
MISSING_JOB = "Indiquez le métier recherché (code ROME ou intitulé du poste)."


class InvalidNeed(InvalidInput):
    """Invalid need input; `fields` maps each field name to its French messages."""


@dataclass
class NeedInput:
    siret: str
    contract_type: ContractType
    positions: int
    contact_name: str
    contact_email: str
    company_name: str | None = None
    commune_code: str | None = None
    rome_code: str | None = None
    job_title: str | None = None
    contract_months: int | None = None
    start_date: date | None = None
    publics: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    description: str | None = None
    contact_phone: str | None = None
    how_known: str | None = None
    employer_agreed_contact: bool | None = None


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def text(payload: dict, name: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    return str(value).strip() or None








def parse_int(errors: _Errors, payload: dict, name: str, low: int, high: int, label: str):
    raw = payload.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors.add(name, f"{label} doit être un nombre entier.")
        return None
    if not low <= value <= high:
        errors.add(name, f"{label} doit être compris entre {low} et {high}.")
        return None
    return value


def parse_choices(errors: _Errors, payload: dict, name: str, enum, label: str) -> list[str]:
    raw = payload.get(name) or []
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        errors.add(name, f"{label} : une liste de valeurs est attendue.")
        return []
    allowed = {member.value for member in enum}
    unknown = [v for v in values if v not in allowed]
    if unknown:
        errors.add(name, f"{label} inconnu : {', '.join(unknown)}.")
    return sorted({v for v in values if v in allowed})


def parse_start_date(errors: _Errors, payload: dict, today: date) -> date | None:
    raw = payload.get("start_date")
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        errors.add("start_date", "La date de début doit être au format AAAA-MM-JJ.")
        return None
    if value < today:
        errors.add("start_date", "La date de début ne peut pas être dans le passé.")
        return None
    return value


def parse_contract(errors: _Errors, payload: dict) -> tuple[ContractType | None, int | None]:
    raw = text(payload, "contract_type")
    if raw is None:
        errors.add("contract_type", "Choisissez le type de contrat.")
        return None, None
    try:
        contract = ContractType(raw)
    except ValueError:
        errors.add("contract_type", "Type de contrat inconnu.")
        return None, None
    months = parse_int(errors, payload, "contract_months", 1, 36, "La durée du contrat")
    if contract in CONTRACTS_WITH_DURATION and months is None and "contract_months" not in errors:
        errors.add("contract_months", f"Indiquez la durée du contrat ({contract.label}) en mois.")
    return contract, months if contract in CONTRACTS_WITH_DURATION else None


def parse_rome_code(errors: _Errors, raw: str | None, typed: bool) -> str | None:
    """The ROME code given, or read by the job picker's rules when a person typed it (a code or a
    label, see docs/entry-point.md); the API gives codes only."""
    if raw is None:
        return None
    if not typed:
        code = raw.upper()
        if code not in rome_jobs.jobs():
            errors.add("rome_code", rome_jobs.UNKNOWN_CODE)
        return code
    try:
        return rome_jobs.resolve(raw).code
    except rome_jobs.UnknownJob as unknown:
        errors.add("rome_code", str(unknown))
        return raw


def parse_job(errors: _Errors, payload: dict, typed: bool = False) -> tuple[str | None, str | None]:
    rome_code = parse_rome_code(errors, text(payload, "rome_code"), typed)
    job_title = text(payload, "job_title")
    if job_title and len(job_title) > MAX_JOB_TITLE:
        errors.add("job_title", f"L'intitulé du poste ne doit pas dépasser {MAX_JOB_TITLE} caractères.")
    if not rome_code and not job_title:
        errors.add("job_title", MISSING_JOB)
    return rome_code, job_title


def parse_contact(errors: _Errors, payload: dict) -> tuple[str | None, str | None, str | None]:
    contact = payload.get("contact") or {}
    if not isinstance(contact, dict):
        errors.add("contact", "Le contact doit comporter un nom et une adresse électronique.")
        return None, None, None
    name, email, phone = text(contact, "name"), text(contact, "email"), text(contact, "phone")
    if not name:
        errors.add("contact.name", "Indiquez le nom de la personne à contacter.")
    elif len(name) > MAX_NAME:
        errors.add("contact.name", f"Le nom ne doit pas dépasser {MAX_NAME} caractères.")
    if not email:
        errors.add("contact.email", "Indiquez une adresse électronique.")
    elif (email := normalise_email(email)) is None:
        errors.add("contact.email", "Saisissez une adresse électronique valide, ex. nom@exemple.fr.")
    if phone and (phone := normalise_phone(phone)) is None:
        errors.add("contact.phone", "Saisissez un numéro de téléphone français valide, ex. 03 80 12 34 56.")
    return name, email, phone


def parse_place(errors: _Errors, payload: dict) -> tuple[str, str | None, str | None]:
    siret = clean_siret(text(payload, "siret") or "")
    if not siret:
        errors.add("siret", "Indiquez le SIRET de l'établissement qui recrute.")
    elif problem := siret_problem(siret):
        errors.add("siret", problem)
    commune_code = text(payload, "commune_code")
    if commune_code and db.session.get(Commune, commune_code) is None:
        errors.add("commune_code", "Cette commune n'est pas en Bourgogne-Franche-Comté.")
    company_name = text(payload, "company_name")
    if company_name and len(company_name) > 255:
        errors.add("company_name", "Le nom de l'entreprise ne doit pas dépasser 255 caractères.")
    return siret, company_name, commune_code


def parse_spotter(errors: _Errors, payload: dict) -> tuple[str | None, bool | None]:
    how_known = text(payload, "how_known")
    if how_known and len(how_known) > MAX_HOW_KNOWN:
        errors.add("how_known", f"Ce champ ne doit pas dépasser {MAX_HOW_KNOWN} caractères.")
    agreed = payload.get("employer_agreed_contact")
    if agreed is not None and not isinstance(agreed, bool):
        errors.add("employer_agreed_contact", "Répondez par oui ou non (true ou false).")
        agreed = None
    return how_known, agreed


PAYLOAD_FIELDS = ("siret", "company_name", "commune_code", "rome_code", "job_title", "positions",
                  "contract_type", "contract_months", "start_date", *criteria.NAMES, "description",
                  "how_known", "employer_agreed_contact", "consent")


def need_payload(values: Mapping[str, Any]) -> dict:
    """A need in the API's shape from flat values named as the forms name them (`contact_email`
    is the API's `contact.email`); the one mapping of the public form, the partner's flag form and
    the visit form. Names absent from `values` stay absent."""
    payload = {name: values[name] for name in PAYLOAD_FIELDS if name in values}
    contact = {name: values[f"contact_{name}"] for name in CONTACT_TEXT_FIELDS
               if f"contact_{name}" in values}
    return payload | ({"contact": contact} if contact else {})


def unreadable_fields(payload: dict) -> dict[str, list[str]]:
    """Fields that are not text where text is expected, or whose text no database can store."""
    contact = payload.get("contact")
    texts = [(name, payload.get(name)) for name in TEXT_FIELDS] + (
        [(f"contact.{name}", contact.get(name)) for name in CONTACT_TEXT_FIELDS]
        if isinstance(contact, dict) else [])
    problems = {name: [NOT_TEXT] for name, value in texts if not isinstance(value, str | None)}
    return problems | {name: [UNSTORABLE] for name in unstorable_fields(payload)
                       if name not in problems}


def without(payload: dict, names: list[str]) -> dict:
    """The payload less these fields (`contact.name` removes the name from the contact)."""
    kept = {name: value for name, value in payload.items() if name not in names}
    if isinstance(kept.get("contact"), dict):
        kept["contact"] = {name: value for name, value in kept["contact"].items()
                           if f"contact.{name}" not in names}
    return kept


def parse_need(payload: dict, *, require_consent: bool = False, today: date | None = None,
               typed_job: bool = False) -> NeedInput:
    """Validate a need in the API's shape; raise InvalidNeed listing every problem.

    `typed_job`: the ROME code is what a person typed in a form's job picker (code or label)."""
    unreadable = unreadable_fields(payload)
    payload = without(payload, list(unreadable))
    errors = _Errors()
    siret, company_name, commune_code = parse_place(errors, payload)
    rome_code, job_title = parse_job(errors, payload, typed_job)
    positions = parse_int(errors, payload, "positions", 1, 999, "Le nombre de postes")
    if positions is None and "positions" not in errors:
        errors.add("positions", "Indiquez le nombre de postes à pourvoir.")
    contract, months = parse_contract(errors, payload)
    start_date = parse_start_date(errors, payload, today or local_today())
    publics = parse_choices(errors, payload, "publics", Public, "Public")
    services = parse_choices(errors, payload, "services", EmployerService, "Service")
    description = text(payload, "description")
    if description and len(description) > MAX_DESCRIPTION:
        errors.add("description", f"La description ne doit pas dépasser {MAX_DESCRIPTION} caractères.")
    contact_name, contact_email, contact_phone = parse_contact(errors, payload)
    how_known, agreed = parse_spotter(errors, payload)
    if require_consent and payload.get("consent") is not True:
        errors.add("consent", "Vous devez accepter le traitement de vos données pour envoyer la demande.")
    if "rome_code" in unreadable and errors.get("job_title") == [MISSING_JOB]:
        del errors["job_title"]  # a ROME code was given, though unreadable
    # the parsers return None only with an error
    if errors or unreadable or contract is None or contact_name is None or contact_email is None:
        raise InvalidNeed(dict(errors) | unreadable)
    return NeedInput(
        siret=siret, company_name=company_name, commune_code=commune_code, rome_code=rome_code,
        job_title=job_title, positions=positions, contract_type=contract, contract_months=months,
        start_date=start_date, publics=publics, services=services, description=description,
        contact_name=contact_name, contact_email=contact_email, contact_phone=contact_phone,
        how_known=how_known, employer_agreed_contact=agreed,
    )

