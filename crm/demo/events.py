"""Demo recruitment events: a double-bannière job dating in Dijon with firms and candidates (one
firm still to answer), a forum in Besançon, an online information collective, and a past job
dating with its outcomes (once)."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    Company,
    Event,
    EventCompany,
    EventKind,
    EventRegistration,
    EventStatus,
    HiringNeed,
    Organisation,
    OrganisationKind,
    ParticipationStatus,
    RegistrationStatus,
)
from crm.services.platform.local_time import local_today, utc_from_local

FIRST_NAMES = ("Camille", "Lou", "Inès", "Nathan", "Léa", "Hugo", "Manon", "Yanis", "Chloé", "Noah",
               "Jade", "Lucas", "Emma", "Adam", "Sarah", "Théo")
LAST_NAMES = ("Martin", "Bernard", "Durand", "Petit", "Robert", "Richard", "Moreau", "Simon")


def organisation(kind: OrganisationKind, basin: str) -> Organisation | None:
    query = (sa.select(Organisation).where(Organisation.kind == kind, Organisation.active)
             .order_by(Organisation.basins.any(code=basin).desc(), Organisation.id).limit(1))
    return db.session.scalar(query)


def at(days: int, hour: int) -> datetime:
    return utc_from_local(datetime.combine(local_today() + timedelta(days=days), time(hour)))


def add_event(title: str, kind: EventKind, days: int, hours: tuple[int, int],
              organisers: list[Organisation], **values) -> Event:
    event = Event(title=title, kind=kind, starts_at=at(days, hours[0]), ends_at=at(days, hours[1]),
                  organisers=organisers, **values)
    db.session.add(event)
    db.session.flush()
    return event


def add_firms(event: Event, basin: str, answered: int, invited: int, outcomes: bool = False) -> None:
    needs = db.session.scalars(
        sa.select(HiringNeed).join(Company).where(Company.basin_code == basin, HiringNeed.is_open)
        .order_by(HiringNeed.id).limit(answered + invited)).all()
    seen: set[int] = set()
    for index, need in enumerate(needs):
        if need.company_id in seen:
            continue
        seen.add(need.company_id)
        confirmed = index < answered
        row = EventCompany(event_id=event.id, company_id=need.company_id,
                           status=ParticipationStatus.CONFIRMED if confirmed else ParticipationStatus.INVITED,
                           positions=need.positions if confirmed else 0, invited_at=event.created_at,
                           jobs=need.job_label if confirmed else None, needs=[need])
        if outcomes and confirmed:
            row.interviews, row.shortlisted, row.hires, row.poe_entries = 6, 3, 1, 1
            row.outcomes_at = event.ends_at
        db.session.add(row)


def add_candidates(event: Event, confirmed: int, waiting: int = 0, present: bool = False) -> None:
    for number in range(confirmed + waiting):
        name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
        db.session.add(EventRegistration(
            event_id=event.id, name=name, email=f"candidat{event.id}-{number}@exemple.fr",
            consent=True, queue_number=number + 1,
            status=RegistrationStatus.CONFIRMED if number < confirmed else RegistrationStatus.WAITING,
            checked_in_at=event.starts_at if present and number % 4 else None,
            created_at=event.created_at))


def seed_events() -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Event)):
        return
    agency = organisation(OrganisationKind.FRANCE_TRAVAIL, "2711")
    youth = organisation(OrganisationKind.MISSION_LOCALE, "2711")
    disability = organisation(OrganisationKind.CAP_EMPLOI, "2706")
    if agency is None or youth is None:
        return
    dating = add_event(
        "Job dating BTP et industrie", EventKind.JOB_DATING, 9, (9, 12), [agency, youth],
        status=EventStatus.PUBLISHED, venue="Agence France Travail Dijon Est, 12 rue de Mirande",
        commune_code="21231", basin_code="2711", capacity=20, sectors=["C", "F"],
        rome_codes=["F1703", "H2909"],
        description="Rencontrez en dix minutes les recruteurs du bâtiment et de l'industrie du "
                    "bassin dijonnais. Venez avec quelques CV.")
    add_firms(dating, "2711", answered=3, invited=1)
    add_candidates(dating, confirmed=12)
    forum = add_event(
        "Forum emploi santé et services à la personne", EventKind.FORUM, 16, (9, 17),
        [disability or agency], status=EventStatus.PUBLISHED, venue="Palais des sports, Besançon",
        commune_code="25056", basin_code="2706", capacity=4, sectors=["Q"])
    add_firms(forum, "2706", answered=2, invited=0)
    add_candidates(forum, confirmed=4, waiting=2)
    add_event("Information collective : la POE, se former avant d'être embauché",
              EventKind.INFO_SESSION, 5, (14, 15), [agency], status=EventStatus.PUBLISHED,
              online_url="https://visio.exemple.fr/poe-dijon", capacity=50)
    past = add_event(
        "Job dating de proximité – commerce", EventKind.JOB_DATING, -20, (9, 12), [agency, youth],
        status=EventStatus.HELD, venue="Maison des associations, Dijon", commune_code="21231",
        basin_code="2711", capacity=15, sectors=["G"])
    add_firms(past, "2711", answered=2, invited=0, outcomes=True)
    add_candidates(past, confirmed=12, present=True)
    db.session.flush()
