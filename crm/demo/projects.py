"""Demo company projects: what the basins' reviews of "implantation, agrandissement, difficultés"
heard of about one firm in forty (once)."""

import random
from datetime import timedelta

import sqlalchemy as sa

from crm.demo.network import SEED
from crm.extensions import db
from crm.models import Company, CompanyProject, ProjectKind
from crm.services.platform.local_time import local_today

EVERY = 40
SOURCE = "Revue des projets du RET"
NOTES = {
    ProjectKind.NEW_SITE: "Ouverture d'un second site dans la zone d'activités.",
    ProjectKind.EXPANSION: "Agrandissement de l'atelier ; une ligne de production en plus.",
    ProjectKind.DIFFICULTY: "Baisse des commandes signalée par la chambre consulaire.",
    ProjectKind.RESTRUCTURING: "Réorganisation des équipes annoncée par la direction.",
    ProjectKind.TAKEOVER: "Reprise par un repreneur du secteur.",
    ProjectKind.CREATION: "Création récente accompagnée par la chambre des métiers.",
}
WEIGHTS = {ProjectKind.EXPANSION: 5, ProjectKind.NEW_SITE: 2, ProjectKind.CREATION: 2,
           ProjectKind.TAKEOVER: 1, ProjectKind.DIFFICULTY: 2, ProjectKind.RESTRUCTURING: 1}


def seed_projects() -> None:
    """One active firm with employees in forty gets a project dated within the last ten months
    or announced for the coming three."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(CompanyProject)):
        return
    today, rng = local_today(), random.Random(SEED)
    firms = db.session.execute(
        sa.select(Company.id, Company.referent_id)
        .where(Company.active, Company.source == "demo", Company.employer.is_(True))
        .order_by(Company.id)).all()
    for company_id, referent_id in firms[::EVERY]:
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        db.session.add(CompanyProject(
            company_id=company_id, kind=kind, source=SOURCE, note=NOTES[kind],
            occurred_on=today + timedelta(days=rng.randint(-300, 90)), created_by_id=referent_id))
    db.session.flush()
