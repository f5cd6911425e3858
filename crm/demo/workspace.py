"""Demo workspace: past and planned visits (some by task forces of two organisations) and
follow-up tasks, so that "Ma journée", the calendar and the company timelines have something to show."""

import random
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from crm.demo.working_calendar import office_moment, shift_working_days, working_day_near
from crm.extensions import db
from crm.models import (
    Company,
    FollowUp,
    Interaction,
    InteractionKind,
    Organisation,
    OrganisationKind,
    Role,
    User,
    Visit,
    VisitMode,
    VisitParticipant,
    VisitStatus,
)
from crm.services.platform.local_time import local_today

SEED = 2611
PURPOSES = ("Présentation de l'offre de service aux employeurs", "Recueil des besoins de recrutement",
            "Suivi d'un recrutement en cours", "Présentation de la POE et des aides à l'embauche",
            "Préparation d'un job dating")
FINDINGS = ("Deux départs en retraite prévus au printemps ; intérêt pour une POEI.",
            "Difficultés à recruter des profils qualifiés ; ouverte aux candidats en reconversion.",
            "Pas de besoin immédiat ; recontacter avant la saison.")
TASKS = ("Envoyer la documentation POEI", "Rappeler la responsable RH",
         "Proposer des candidats présélectionnés", "Préparer la convention d'immersion",
         "Relancer pour le job dating")


def advisers(france_travail: bool) -> Sequence[User]:
    """Active demo advisers of France Travail, or of the other organisations."""
    kind = Organisation.kind == OrganisationKind.FRANCE_TRAVAIL
    return db.session.scalars(sa.select(User).join(Organisation).where(
        User.role == Role.ADVISER, User.active, kind if france_travail else ~kind).order_by(User.id)).all()


def advisers_by_basin() -> dict[str, list[User]]:
    """France Travail advisers, by the basin they cover."""
    grouped: dict[str, list[User]] = {}
    for adviser in advisers(france_travail=True):
        for basin in adviser.basins:
            grouped.setdefault(basin.code, []).append(adviser)
    return grouped


def partners_of_department() -> dict[str, list[User]]:
    """Advisers of Missions locales, Cap emploi and APEC, by the département they cover."""
    grouped: dict[str, list[User]] = {}
    for adviser in advisers(france_travail=False):
        for department in adviser.organisation.departments:
            grouped.setdefault(department.code, []).append(adviser)
    return grouped


def working_moment(day: date, rng: random.Random) -> datetime:
    """A visit time between 8:00 and 16:30 French time, as stored (naive UTC)."""
    return office_moment(day, rng.choice((8, 9, 10, 14, 15, 16)), rng.choice((0, 30)))


def add_visit(rng: random.Random, company: Company, lead: User, partner: User | None, day: date) -> Visit:
    done = day < local_today()
    visit = Visit(company=company, scheduled_at=working_moment(day, rng), mode=VisitMode.ON_SITE,
                  status=VisitStatus.DONE if done else VisitStatus.PLANNED, purpose=rng.choice(PURPOSES),
                  findings=rng.choice(FINDINGS) if done else None, created_by_id=lead.id,
                  services_proposed=["poei", "pmsmp"] if done else [])
    visit.participants = [VisitParticipant(user_id=user.id, organisation_id=user.organisation_id)
                          for user in (lead, partner) if user is not None]
    db.session.add(visit)
    if done:
        db.session.flush()
        for user in (lead, partner):
            if user is not None:
                db.session.add(Interaction(company=company, user_id=user.id, visit_id=visit.id,
                                           organisation_id=user.organisation_id, kind=InteractionKind.VISIT,
                                           occurred_at=visit.scheduled_at, summary=visit.purpose))
    return visit


def add_tasks(rng: random.Random, adviser: User, companies: Sequence[Company]) -> None:
    """Overdue, today's and later tasks for one adviser, due on working days (counted in working
    days from today, or from the next working day when today is not one)."""
    today = local_today()
    for offset in (-3, -1, 0, 0, 2, 4, 9):
        company = rng.choice(companies)
        db.session.add(FollowUp(title=rng.choice(TASKS), due_on=shift_working_days(today, offset),
                            assignee=adviser, company=company, created_by_id=adviser.id))


def seed_workspace() -> None:
    """Visits and tasks for the demo advisers (once)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Visit)):
        return
    rng, today = random.Random(SEED), local_today()
    partners = partners_of_department()
    for basin, team in sorted(advisers_by_basin().items()):
        companies = db.session.scalars(sa.select(Company).where(Company.basin_code == basin, Company.active)
                                       .order_by(Company.id).limit(60)).all()
        if not companies:
            continue
        for index, company in enumerate(companies[:12]):
            lead = team[index % len(team)]
            others = partners.get(company.commune.department_code if company.commune else "", [])
            partner = rng.choice(others) if others and index % 3 == 0 else None
            add_visit(rng, company, lead, partner, working_day_near(today, rng.randint(-40, 12)))
        for adviser in team:
            add_tasks(rng, adviser, companies)
