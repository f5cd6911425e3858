"""A firm's projects heard of by the network (the RET's reviews of "implantation, agrandissement,
difficultés"): recorded, corrected and deleted by staff, each change audited on the firm. The
360° page lists them, the timeline shows them, and the likely-to-hire score (`plans.scoring`) and
the segments read them."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Company, CompanyProject, ProjectKind, User
from crm.services.platform import audit
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import InvalidInput

MAX_NOTE = 2000
MAX_SOURCE = 160
MAX_DAYS_AHEAD = 2 * 366  # an announced project may be dated up to two years ahead
OLDEST = date(1900, 1, 1)
SHOWN = 20  # projects on the 360° page, newest first


@dataclass(frozen=True)
class ProjectFacts:
    """A project as typed; `kind` and `occurred_on` may be missing, the service says so."""

    kind: ProjectKind | None
    occurred_on: date | None
    source: str | None = None
    note: str | None = None


def tidy(text: str | None) -> str | None:
    return (text or "").strip() or None


def problems(facts: ProjectFacts, today: date) -> dict[str, list[str]]:
    """French messages per field for what cannot be saved."""
    found: dict[str, list[str]] = {}
    if facts.kind is None:
        found["kind"] = ["Choisissez le type de projet."]
    if facts.occurred_on is None:
        found["occurred_on"] = ["Indiquez la date du projet, ex. 15/03/2026."]
    elif facts.occurred_on > today + timedelta(days=MAX_DAYS_AHEAD):
        found["occurred_on"] = ["La date du projet ne peut dépasser deux ans à venir."]
    elif facts.occurred_on < OLDEST:
        found["occurred_on"] = ["La date du projet est trop ancienne."]
    if len(tidy(facts.source) or "") > MAX_SOURCE:
        found["source"] = [f"La source compte au plus {MAX_SOURCE} caractères."]
    if len(tidy(facts.note) or "") > MAX_NOTE:
        found["note"] = [f"La note compte au plus {MAX_NOTE} caractères."]
    return found


def checked(facts: ProjectFacts) -> tuple[ProjectKind, date, str | None, str | None]:
    """Kind, date, source and note trimmed, or InvalidInput with a message per field."""
    if found := problems(facts, local_today()):
        raise InvalidInput(found)
    assert facts.kind is not None and facts.occurred_on is not None  # problems() says so
    return facts.kind, facts.occurred_on, tidy(facts.source), tidy(facts.note)


def described(project: CompanyProject) -> dict[str, object]:
    """What the audit trail keeps of a project."""
    return {"kind": project.kind.label, "occurred_on": project.occurred_on.isoformat(),
            "source": project.source, "note": project.note}


def record_project(company: Company, actor: User, facts: ProjectFacts) -> CompanyProject:
    """Add a project to the firm; audited on the firm."""
    kind, occurred_on, source, note = checked(facts)
    project = CompanyProject(company_id=company.id, kind=kind, occurred_on=occurred_on,
                             source=source, note=note, created_by_id=actor.id)
    db.session.add(project)
    db.session.flush()
    audit.record(actor, "project_recorded", company, described(project))
    return project


def edit_project(project: CompanyProject, actor: User, facts: ProjectFacts) -> None:
    """Correct a project; the audit keeps each changed field before and after."""
    values = checked(facts)
    before = described(project)
    project.kind, project.occurred_on, project.source, project.note = values
    after = described(project)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit.record(actor, "project_changed", project.company, changed)


def delete_project(project: CompanyProject, actor: User) -> None:
    audit.record(actor, "project_deleted", project.company, described(project))
    db.session.delete(project)


def project_of(company_id: int, project_id: int) -> CompanyProject | None:
    """One of the firm's projects (None when it is another firm's or does not exist)."""
    return db.session.scalar(sa.select(CompanyProject).where(
        CompanyProject.id == project_id, CompanyProject.company_id == company_id))


def projects_of(company_id: int, limit: int = SHOWN) -> list[CompanyProject]:
    """The firm's projects, newest first, with who recorded them (one query)."""
    query = (sa.select(CompanyProject).where(CompanyProject.company_id == company_id)
             .options(joinedload(CompanyProject.created_by))
             .order_by(CompanyProject.occurred_on.desc(), CompanyProject.id.desc()).limit(limit))
    return list(db.session.scalars(query))
