"""The catalogue of employer services an adviser can propose (`docs/domain.md` §4).

Keys are stable strings stored on visits (`Visit.services_proposed`); labels and summaries may be
reworded freely. A closed service stays in the catalogue so that old visits still read well, but it
can no longer be proposed.
"""

from dataclasses import dataclass
from datetime import date

from crm.services.platform.local_time import local_today


@dataclass(frozen=True)
class Service:
    key: str
    label: str
    summary: str
    closed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None or self.closed_on >= local_today()

    @property
    def closed_note(self) -> str:
        return f"Dispositif fermé aux nouvelles embauches depuis le {self.closed_on:%d/%m/%Y}."


SERVICES = (
    Service("poei", "POEI – préparation opérationnelle à l'emploi individuelle",
            "Formation avant embauche sur une offre déposée (jusqu'à 450 h), suivie d'un CDI, "
            "d'un CDD d'au moins 6 mois ou d'une alternance."),
    Service("poec", "POEC – préparation opérationnelle à l'emploi collective",
            "Formation collective décidée avec la branche ou l'OPCO (jusqu'à 400 h)."),
    Service("frap", "FRAP – Fonds régional d'appui à la professionnalisation",
            "Financement régional complémentaire d'une POE (POE-FRAP)."),
    Service("pmsmp", "PMSMP – immersion professionnelle",
            "Découvrir un métier ou amorcer un recrutement : un mois au plus, renouvelable une fois."),
    Service("mrs", "MRS – méthode de recrutement par simulation",
            "Recruter sur les habiletés, par des exercices, sans critère de CV ni de diplôme."),
    Service("afest", "AFEST – action de formation en situation de travail",
            "Former en situation réelle de travail avec des temps réflexifs."),
    Service("pcrh", "PCRH – prestation de conseil en ressources humaines",
            "Conseil RH pour les entreprises de moins de 250 salariés, financé à 50 % par l'État."),
    Service("job_dating", "Job dating",
            "Entretiens courts de 7 à 10 minutes, éventuellement co-organisés (double bannière)."),
    Service("emploi_franc", "Emploi franc",
            "Aide à l'embauche de résidents des quartiers prioritaires.", closed_on=date(2024, 12, 31)),
    Service("entreprises_engagent", "Les entreprises s'engagent",
            "Communauté d'employeurs inclusifs, clubs départementaux."),
)
BY_KEY = {service.key: service for service in SERVICES}


def selectable() -> list[Service]:
    """The services that can be proposed today."""
    return [service for service in SERVICES if service.is_open]


def closed() -> list[Service]:
    """The services shown as closed, never proposed."""
    return [service for service in SERVICES if not service.is_open]


def label_of(key: str) -> str:
    """A stored key in words (a key removed from the catalogue is shown as is)."""
    service = BY_KEY.get(key)
    return service.label if service else key


def refused_keys(keys: list[str]) -> list[str]:
    """The keys among these that cannot be proposed: unknown or closed."""
    return [key for key in keys if key not in BY_KEY or not BY_KEY[key].is_open]
