"""JSON Schemas (OpenAPI 3.1 dialect) of every body of the API, built from the models' enums."""

from crm.models import (
    CandidateStatus,
    ClosingReason,
    CoHandlerStatus,
    ContractType,
    EmployerService,
    Indicator,
    NeedSource,
    NeedStatus,
    NotRetainedReason,
    OrganisationKind,
    PlanStatus,
    Public,
    RolloutStage,
)
from crm.services.needs.schema import MAX_DESCRIPTION, MAX_HOW_KNOWN, MAX_JOB_TITLE, MAX_NAME


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def enum_of(enum, description: str | None = None) -> dict:
    schema = {"type": "string", "enum": [member.value for member in enum]}
    return schema | ({"description": description} if description else {})


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def text(max_length: int | None = None, **extra) -> dict:
    return {"type": "string"} | ({"maxLength": max_length} if max_length else {}) | extra


def closed(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """An object with these properties only; all required unless told otherwise."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": False} | extra


def page_of(item: str) -> dict:
    return closed({
        "items": {"type": "array", "items": ref(item)},
        "total": {"type": "integer", "minimum": 0, "description": "Nombre total d'éléments."},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    })


TIME = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
CODED = closed({"code": text(), "label": text()})

CONTACT = closed({"name": text(MAX_NAME), "email": text(254, format="email"),
                  "phone": nullable(text(20, description="Numéro français, ex. 03 80 12 34 56"))},
                 required=["name", "email"])

NEED_INPUT = closed({
    "siret": text(20, description="14 chiffres (espaces admis), clé de Luhn, exception La Poste",
                  examples=["732 829 320 00074"]),
    "company_name": nullable(text(255, description="Obligatoire quand le SIRET est inconnu")),
    "commune_code": nullable(text(5, pattern="^[0-9]{5}$",
                                  description="Code INSEE du lieu de travail")),
    "rome_code": nullable(text(5, pattern="^[A-N][0-9]{4}$", description="Code ROME")),
    "job_title": nullable(text(MAX_JOB_TITLE)),
    "positions": {"type": "integer", "minimum": 1, "maximum": 999},
    "contract_type": enum_of(ContractType),
    "contract_months": nullable({"type": "integer", "minimum": 1, "maximum": 36,
                                 "description": "Obligatoire pour cdd, interim, saisonnier"}),
    "start_date": nullable(DAY | {"description": "Pas dans le passé"}),
    "publics": {"type": "array", "items": enum_of(Public), "uniqueItems": True},
    "services": {"type": "array", "items": enum_of(EmployerService), "uniqueItems": True},
    "description": nullable(text(MAX_DESCRIPTION)),
    "contact": ref("Contact"),
    "how_known": nullable(text(MAX_HOW_KNOWN, description="Comment le partenaire connaît le "
                                                         "besoin")),
    "employer_agreed_contact": nullable({"type": "boolean"}),
}, required=["siret", "positions", "contract_type", "contact"],
    anyOf=[{"required": ["rome_code"]}, {"required": ["job_title"]}],
    example={"siret": "73282932000074", "company_name": "Boulangerie Martin",
             "commune_code": "21231", "rome_code": "D1102", "positions": 2,
             "contract_type": "cdd", "contract_months": 6, "publics": ["youth"],
             "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr"}})

ROUTING = closed({
    "organisation": nullable(ref("OrganisationRef")),
    "adviser": nullable(ref("PersonRef")),
    "rule": nullable(text(description="Nom de la règle d'orientation appliquée")),
    "reason": nullable(text(description="Pourquoi, en une phrase")),
})

FILED_NEED = closed({
    "reference": text(examples=["BFC-2026-000123"]),
    "status": enum_of(NeedStatus),
    "status_label": text(),
    "routed_to": ref("Routing"),
    "tracking_url": text(format="uri", description="Page de suivi de l'employeur"),
    "attached_to_existing": {"const": True, "description": (
        "Présent (200) quand le besoin a été rattaché à une demande ouverte pour le même "
        "établissement et le même poste déposée il y a moins de 7 jours")},
}, required=["reference", "status", "status_label", "routed_to", "tracking_url"])

ATTACHED_ELSEWHERE = closed({
    "attached_to_existing": {"const": True},
    "message": text(description=(
        "Le signalement a rejoint une demande en cours qu'un autre membre du réseau suit ; "
        "rien de cette demande n'est communiqué")),
})

NEED_FIELDS = {
    "reference": text(), "status": enum_of(NeedStatus), "status_label": text(),
    "source": enum_of(NeedSource), "created_at": TIME,
    "company": closed({"siret": text(14), "name": text()}),
    "rome_code": nullable(text(5)), "rome_label": nullable(text()),
    "job_title": nullable(text()), "positions": {"type": "integer"},
    "contract_type": enum_of(ContractType), "commune_code": nullable(text(5)),
    "basin_code": nullable(text(4)), "routed_to": ref("Routing"),
}

STATUS_CHANGE = closed({"from": nullable(enum_of(NeedStatus)), "to": enum_of(NeedStatus),
                        "at": TIME, "note": nullable(text())})

NEED_DETAIL_FIELDS = {
    "contract_months": nullable({"type": "integer"}), "start_date": nullable(DAY),
    "publics": {"type": "array", "items": enum_of(Public)},
    "services": {"type": "array", "items": enum_of(EmployerService)},
    "description": nullable(text()), "how_known": nullable(text()),
    "employer_agreed_contact": nullable({"type": "boolean"}),
    "first_contact_at": nullable(TIME),
    "first_contact_due_on": nullable(DAY | {
        "description": "Jour (heure de Paris) promis à l'employeur pour le premier contact : "
                       "le deuxième jour ouvré après la demande, jours fériés exclus"}),
    "first_contact_due_at": nullable(TIME | {
        "description": "Fin de ce jour (23:59:59 heure de Paris), en UTC : la demande est en "
                       "retard de premier contact après cet instant"}),
    "hires": nullable({"type": "integer"}),
    "co_handlers": {"type": "array", "items": ref("CoHandling"),
                    "description": "Structures qui co-traitent la demande avec la structure pilote"},
    "candidates": nullable(ref("CandidateCounts") | {
        "description": "Candidats proposés par étape ; null pour les partenaires"}),
    "closed_at": nullable(TIME),
    "closing_reason": nullable(enum_of(ClosingReason, "Motif de clôture d'une demande non pourvue, "
                                       "annulée ou partiellement pourvue ; null si elle est "
                                       "ouverte, pourvue ou clôturée sans motif (non renseigné)")),
    "history": {"type": "array", "items": ref("StatusChange")},
    "contact": ref("Contact") | {"description": "Personnel seulement"},
    "outcome_reason": nullable(text(description="Personnel seulement")),
}
STAFF_NEED_FIELDS = ("contact", "outcome_reason")

COMPANY_FIELDS = {
    "siret": text(14), "siren": text(9), "name": text(), "naf": nullable(ref("Coded")),
    "headcount_band": nullable(ref("Coded")), "commune_code": nullable(text(5)),
    "basin": nullable(closed({"code": text(4), "name": text()})),
    "active": {"type": "boolean"}, "verified": {"type": "boolean"},
    "open_needs": {"type": "integer", "minimum": 0, "description": "Demandes ouvertes"},
}
COMPANY_STAFF_FIELDS = {
    "sign": nullable(text()), "address": nullable(text()), "postal_code": nullable(text(5)),
    "referent": nullable(ref("PersonRef")), "do_not_contact_before": nullable(DAY),
}

STAFF_ONLY = "Personnel seulement (null pour les partenaires)"
CONTACT_PRESSURE = closed({
    "contacts_7d": nullable({"type": "integer", "minimum": 0, "description": STAFF_ONLY}),
    "contacts_30d": nullable({"type": "integer", "minimum": 0, "description": STAFF_ONLY}),
    "organisations_30d": nullable({"type": "integer", "minimum": 0, "description": STAFF_ONLY}),
    "level": {"type": "string", "enum": ["none", "warn", "high"],
              "description": "none : aucune ; warn : vigilance ; high : forte (n'empêche rien)"},
    "do_not_contact_before": nullable(DAY | {"description": STAFF_ONLY}),
}, description="Sollicitations récentes de l'établissement par l'ensemble du réseau")
INTERACTION_KINDS = ["call", "email", "visit", "meeting", "event"]
INTERACTION_INPUT = closed({
    "siret": text(14, description="SIRET d'un établissement connu du CRM"),
    "kind": {"type": "string", "enum": INTERACTION_KINDS},
    "occurred_at": TIME | {"description": "Date et heure passées (moins d'un an), ISO 8601"},
    "summary": nullable(text(2000)), "outcome": nullable(text(255)),
}, required=["siret", "kind", "occurred_at"])
INTERACTION = closed({
    "id": {"type": "integer"}, "siret": text(14), "kind": {"type": "string", "enum": INTERACTION_KINDS},
    "occurred_at": TIME, "summary": nullable(text()), "outcome": nullable(text()),
    "organisation": nullable(ref("OrganisationRef")), "contact_pressure": ref("ContactPressure"),
})

PLAN_INPUT = closed({
    "basin_code": text(4, description="Code du bassin d'emploi (zone d'emploi INSEE 2020)"),
    "title": text(160), "period_start": DAY, "period_end": DAY, "status": enum_of(PlanStatus),
    "objectives": {"type": "array", "maxItems": len(Indicator), "items": closed({
        "indicator": enum_of(Indicator), "target": {"type": "integer", "minimum": 1}})},
    "priority_segments": {"type": "array", "items": text(40)},
    "priority_sectors": {"type": "array", "items": text(1, description="Section NAF, ex. C")},
    "methods": text(5000), "resources": text(5000),
}, required=["basin_code", "title", "period_start", "period_end"])
PLAN_FIELDS = {
    "id": {"type": "integer"}, "basin_code": text(4), "title": text(), "period_start": DAY,
    "period_end": DAY, "status": enum_of(PlanStatus), "rollout_stage": enum_of(RolloutStage),
}
PLAN_DETAIL_FIELDS = {
    "priority_segments": {"type": "array", "items": text()},
    "priority_sectors": {"type": "array", "items": text()},
    "methods": nullable(text()), "resources": nullable(text()),
    "actors": {"type": "array", "items": closed({"organisation": text(), "role": nullable(text())})},
    "milestones": {"type": "array", "items": closed({"date": DAY, "label": text()})},
    "objectives": {"type": "array", "items": closed({
        "indicator": enum_of(Indicator), "target": {"type": "integer"},
        "achieved": nullable({"type": "integer"}), "expected_to_date": {"type": "integer"}})},
    "targets_count": nullable({"type": "integer", "description": "Pour le personnel seulement"}),
}

ID = {"type": "integer", "minimum": 1}
CO_HANDLING = {"organisation": ref("OrganisationRef"), "status": enum_of(CoHandlerStatus),
               "adviser": nullable(ref("PersonRef"))}
TOGETHER_SCHEMAS = {
    "CoHandling": closed(CO_HANDLING),
    "CoHandler": closed({"id": ID} | CO_HANDLING),
    "CoHandlerInput": closed({"organisation_id": ID | {
        "description": "Structure invitée (structure pilote) ; la sienne pour co-traiter"}}),
    "CoHandlerUpdate": closed({"status": enum_of(CoHandlerStatus), "reason": nullable(text(
        2000, description="Obligatoire pour not_for_me"))}, required=["status"]),
    "CandidateCounts": closed({stage: {"type": "integer", "minimum": 0}
                               for stage in ("proposed", "interview", "hired", "not_retained")}),
    "CandidateInput": closed({
        "reference": text(20, description="Initiales ou référence interne, jamais un nom"),
        "consent_on": DAY | {"description": "Date du consentement de la personne"}}),
    "CandidateUpdate": closed({"status": enum_of(CandidateStatus), "reason": nullable(enum_of(
        NotRetainedReason, "Obligatoire pour not_retained"))}, required=["status"]),
    "Candidate": closed({"id": ID, "status": enum_of(CandidateStatus)}),
}

SCHEMAS = {
    "Error": closed({"error": text(description="Message en français")}),
    "ValidationError": closed({
        "error": text(),
        "fields": {"type": "object", "description": "Messages par champ (ex. contact.email)",
                   "additionalProperties": {"type": "array", "items": text()}},
    }),
    "Contact": CONTACT,
    "NeedInput": NEED_INPUT,
    "OrganisationRef": closed({"id": {"type": "integer"}, "name": text(),
                               "kind": enum_of(OrganisationKind)}),
    "PersonRef": closed({"id": {"type": "integer"}, "name": text()}),
    "Routing": ROUTING,
    "FiledNeed": FILED_NEED,
    "AttachedElsewhere": ATTACHED_ELSEWHERE,
    "AttachedNeed": {"oneOf": [ref("FiledNeed"), ref("AttachedElsewhere")]},
    "NeedSummary": closed(NEED_FIELDS),
    "StatusChange": STATUS_CHANGE,
    "Need": closed(NEED_FIELDS | NEED_DETAIL_FIELDS, required=list(NEED_FIELDS) + [
        name for name in NEED_DETAIL_FIELDS if name not in STAFF_NEED_FIELDS]),
    "NeedList": page_of("NeedSummary"),
    "Coded": CODED,
    "Company": closed(COMPANY_FIELDS | COMPANY_STAFF_FIELDS, required=list(COMPANY_FIELDS),
                      description="Identité publique ; adresse et référent pour le personnel"),
    "CompanyDetail": closed(COMPANY_FIELDS | COMPANY_STAFF_FIELDS
                            | {"contact_pressure": ref("ContactPressure")},
                            required=[*COMPANY_FIELDS, "contact_pressure"],
                            description="Identité, demandes ouvertes et pression de contact"),
    "CompanyList": page_of("Company"),
    "ContactPressure": CONTACT_PRESSURE,
    "InteractionInput": INTERACTION_INPUT,
    "Interaction": INTERACTION,
    "Department": closed({"code": text(3), "name": text()}),
    "Basin": closed({"code": text(4), "name": text(),
                     "departments": {"type": "array", "items": ref("Department")}}),
    "BasinList": page_of("Basin"),
    "PlanInput": PLAN_INPUT,
    "PlanSummary": closed(PLAN_FIELDS),
    "Plan": closed(PLAN_FIELDS | PLAN_DETAIL_FIELDS),
    "PlanList": page_of("PlanSummary"),
    "Commune": closed({"code": text(5), "name": text(),
                       "postal_codes": {"type": "array", "items": text(5)},
                       "basin_code": text(4), "department_code": text(3)}),
    "CommuneList": page_of("Commune"),
    "Indicators": closed({
        "level": {"type": "string", "enum": ["region", "departement", "basin", "rsa"]},
        "code": text(9), "from": DAY, "to": DAY,
        "indicators": {"type": "array", "items": closed({
            "key": text(), "label": text(), "unit": text(),
            "value": nullable({"type": "number"}),
            "previous": nullable({"type": "number"}),
            "available": {"type": "boolean",
                          "description": "Faux : le chiffre ne peut pas être calculé (value null), "
                                         "ce n'est pas 0."},
        })},
    }, description="Les indicateurs d'un territoire sur une période et la période précédente de "
                   "même durée (définitions : /pilotage/indicateurs/definitions)"),
}
