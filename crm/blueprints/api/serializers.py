"""JSON bodies of the API, as described by its OpenAPI document (crm/blueprints/api/openapi.py).

Partners get a firm's public identity and their flags without the employer's contact details;
staff get both. Internal notes are never part of any body.
"""

from datetime import UTC, date, datetime

from crm.models import Basin, Commune, Department, HiringNeed, Interaction, Organisation, User
from crm.services.companies.search import CompanyHit
from crm.services.needs import candidates, cohandling
from crm.services.platform.working_days import deadline_day


def timestamp(value: datetime | None) -> str | None:
    """A stored naive UTC time in ISO 8601 with its Z suffix."""
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z") if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def organisation_ref(organisation: Organisation | None) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.id, "name": organisation.name, "kind": organisation.kind.value}


def person_ref(user: User | None) -> dict | None:
    return {"id": user.id, "name": user.name} if user else None


def routed_to(need: HiringNeed) -> dict:
    """Who pilots the need, and the routing rule that decided it with its reason."""
    return {
        "organisation": organisation_ref(need.organisation),
        "adviser": person_ref(need.adviser),
        "rule": need.routing_rule.name if need.routing_rule else None,
        "reason": need.routing_reason,
    }


def filed_need(need: HiringNeed, tracking_url: str | None, attached: bool) -> dict:
    """The answer to a filed need; `attached` when it joined an open need for the same job."""
    body = {"reference": need.reference, "status": need.status.value,
            "status_label": need.status.label, "routed_to": routed_to(need), "tracking_url": tracking_url}
    return body | ({"attached_to_existing": True} if attached else {})


def attached_elsewhere() -> dict:
    """The answer to a filing attached to a need the caller may not read: that fact, nothing more."""
    return {"attached_to_existing": True,
            "message": ("Votre signalement a rejoint une demande déjà en cours pour cet "
                        "établissement et ce poste ; l'organisation qui la suit en est informée.")}


def need_summary(need: HiringNeed) -> dict:
    """A need as listed: its job, firm, status and who pilots it."""
    return {
        "reference": need.reference,
        "status": need.status.value,
        "status_label": need.status.label,
        "source": need.source.value,
        "created_at": timestamp(need.created_at),
        "company": {"siret": need.company.siret, "name": need.company.name},
        "rome_code": need.rome_code,
        "rome_label": need.rome.label if need.rome else None,
        "job_title": need.job_title,
        "positions": need.positions,
        "contract_type": need.contract_type.value,
        "commune_code": need.commune_code,
        "basin_code": need.basin_code,
        "routed_to": routed_to(need),
    }


def history(need: HiringNeed) -> list[dict]:
    return [{"from": step.from_status.value if step.from_status else None,
             "to": step.to_status.value, "at": timestamp(step.at), "note": step.note}
            for step in need.history]


def stage_counts(need: HiringNeed) -> dict:
    """How many of the need's candidates are at each stage the API counts."""
    counts = candidates.counts(need)
    return {stage: counts[stage] for stage in candidates.STAGES}


def need_detail(need: HiringNeed, staff: bool) -> dict:
    """Everything a user may read of a need; the employer's contact and outcome only for staff."""
    body = need_summary(need) | {
        "contract_months": need.contract_months,
        "start_date": day(need.start_date),
        "publics": list(need.publics),
        "services": list(need.services),
        "description": need.description,
        "how_known": need.how_known,
        "employer_agreed_contact": need.employer_agreed_contact,
        "first_contact_at": timestamp(need.first_contact_at),
        "first_contact_due_on": day(deadline_day(need.first_contact_due_at))
        if need.first_contact_due_at else None,
        "first_contact_due_at": timestamp(need.first_contact_due_at),
        "hires": need.hires,
        "closed_at": timestamp(need.closed_at),
        "closing_reason": need.closing_reason.value if need.closing_reason else None,
        "history": history(need),
    }
    body["co_handlers"] = [{"organisation": organisation_ref(co.organisation),
                            "status": co.status.value, "adviser": person_ref(co.adviser)}
                           for co in cohandling.co_handlers_of(need)]
    body["candidates"] = stage_counts(need) if staff else None  # partners never see candidates
    if staff:
        body["contact"] = {"name": need.contact_name, "email": need.contact_email,
                           "phone": need.contact_phone}
        body["outcome_reason"] = need.outcome_reason
    return body


def coded(item) -> dict | None:
    return {"code": item.code, "label": item.label} if item else None


def company(hit: CompanyHit, details: bool) -> dict:
    """A firm's public identity with its open needs; staff also get its address and referent."""
    firm = hit.company
    body = {
        "siret": firm.siret,
        "siren": firm.siren,
        "name": firm.name,
        "naf": coded(firm.naf),
        "headcount_band": coded(firm.band),
        "commune_code": firm.commune_code,
        "basin": {"code": firm.basin.code, "name": firm.basin.name} if firm.basin else None,
        "active": firm.active,
        "verified": firm.verified,
        "open_needs": hit.open_needs,
    }
    if details:
        body |= {"sign": firm.sign, "address": firm.address, "postal_code": firm.postal_code,
                 "referent": person_ref(firm.referent),
                 "do_not_contact_before": day(firm.do_not_contact_before)}
    return body


def basin(item: Basin, departments: list[Department]) -> dict:
    return {"code": item.code, "name": item.name,
            "departments": [{"code": d.code, "name": d.name} for d in departments]}


def commune(item: Commune) -> dict:
    return {"code": item.code, "name": item.name, "postal_codes": item.postal_codes.split(),
            "basin_code": item.basin_code, "department_code": item.department_code}


def page(result, items: list[dict]) -> dict:
    """A list answer: one page of items, the total over all pages, the page and its size."""
    return {"items": items, "total": result.total, "page": result.page,
            "per_page": result.per_page}


def interaction(item: Interaction) -> dict:
    return {"id": item.id, "siret": item.company.siret, "kind": item.kind.value,
            "occurred_at": timestamp(item.occurred_at), "summary": item.summary, "outcome": item.outcome,
            "organisation": organisation_ref(item.organisation)}
