"""Each indicator's definition, written once: its key (the API's), French label, unit, group and a
one-sentence French definition. The glossary page, the dashboard, the exports, the API and
`docs/indicators.md` read them from here."""

from dataclasses import dataclass
from enum import StrEnum

from crm.models import NeedSource


class Group(StrEnum):
    PROSPECTION = "Prospection des entreprises"
    NEEDS = "Besoins recueillis"
    REACTIVITY = "Réactivité"
    RESULTS = "Résultats des recrutements"
    AFTERCARE = "Après le recrutement et satisfaction"
    EVENTS = "Événements de recrutement (job datings)"
    TRAINING = "POE et FRAP"
    SPOTTERS = "Repéreurs"
    JOBS = "Métiers (ROME) et métiers en tension"
    PLANS = "Plans de prospection"


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str  # "entreprises", "%", "jours ouvrés"…
    group: Group
    definition: str  # one French sentence
    # the count a share or median is taken over, in words, for the glossary
    source: str = ""

    @property
    def is_share(self) -> bool:
        return self.unit == "%"


SOURCE_WORDS = {
    NeedSource.PUBLIC_FORM: "déposés sur le formulaire public",
    NeedSource.SPOTTER: "signalés par un partenaire repéreur",
    NeedSource.VISIT: "recueillis lors d'une visite",
    NeedSource.API: "transmis par l'API partenaire",
    NeedSource.EVENT: "recueillis lors d'un événement",
}


def source_key(source: NeedSource) -> str:
    return f"needs_collected_{source.value}"


DEFINITIONS: list[Definition] = [
    Definition("companies_contacted", "Entreprises contactées", "entreprises", Group.PROSPECTION,
               "Nombre d'établissements distincts du territoire ayant au moins une entrée au journal "
               "partagé des contacts pendant la période, quelle que soit la structure (une visite en "
               "équipe compte une fois).", "Journal des contacts (interactions)"),
    Definition("companies_visited", "Entreprises visitées", "entreprises", Group.PROSPECTION,
               "Nombre d'établissements distincts du territoire ayant reçu une visite réalisée datée "
               "de la période (une visite de plusieurs structures compte une fois).", "Visites"),
    Definition("penetration_rate", "Taux de pénétration", "%", Group.PROSPECTION,
               "Établissements actifs du territoire servis (contactés pendant la période) "
               "rapportés aux établissements actifs du territoire (base SIRENE).",
               "Journal des contacts ; établissements actifs"),
    Definition("tpe_pme_share", "Part de TPE-PME parmi les entreprises servies", "%",
               Group.PROSPECTION,
               "Part des établissements contactés pendant la période, de tranche d'effectif connue, "
               "qui emploient moins de 250 salariés (tranche inconnue et unités non employeuses "
               "exclues des deux termes).", "Journal des contacts ; tranches d'effectif SIRENE"),
    Definition("needs_collected", "Besoins recueillis", "besoins", Group.NEEDS,
               "Nombre de besoins de recrutement déposés pendant la période pour les établissements "
               "du territoire, toutes sources confondues.", "Besoins de recrutement"),
    *[Definition(source_key(source), f"dont {source.label[0].lower()}{source.label[1:]}", "besoins",
                 Group.NEEDS,
                 f"Nombre de besoins {SOURCE_WORDS[source]} pendant la période pour les "
                 f"établissements du territoire.", "Besoins de recrutement")
      for source in NeedSource],
    Definition("positions", "Postes à pourvoir", "postes", Group.NEEDS,
               "Somme des postes des besoins recueillis pendant la période.",
               "Besoins de recrutement"),
    Definition("needs_per_1000_establishments", "Besoins pour 1 000 établissements",
               "pour 1 000 établissements", Group.NEEDS,
               "Besoins recueillis pendant la période pour 1 000 établissements actifs du "
               "territoire.", "Besoins de recrutement ; établissements actifs"),
    Definition("median_first_contact_working_days", "Délai médian de premier contact",
               "jours ouvrés", Group.REACTIVITY,
               "Médiane, sur les besoins déposés pendant la période et déjà contactés, du nombre de "
               "jours ouvrés entre le jour du dépôt et le jour du premier contact (0 : le jour même).",
               "Besoins de recrutement"),
    Definition("first_contact_within_2_days", "Premier contact dans les 2 jours ouvrés", "%",
               Group.REACTIVITY,
               "Part des besoins déposés pendant la période dont le premier contact a eu lieu avant "
               "la fin du 2e jour ouvré suivant le dépôt, parmi ceux contactés ou dont l'échéance "
               "est passée.", "Besoins de recrutement"),
    Definition("fill_rate", "Taux de besoins pourvus", "%", Group.RESULTS,
               "Besoins clôturés pendant la période comme pourvus ou partiellement pourvus, "
               "rapportés aux besoins clôturés pendant la période (annulés exclus).",
               "Besoins de recrutement clôturés"),
    Definition("positions_filled", "Postes pourvus", "postes", Group.RESULTS,
               "Somme, sur les besoins clôturés pendant la période comme pourvus ou partiellement "
               "pourvus, des recrutements dans la limite des postes demandés.",
               "Besoins de recrutement clôturés"),
    Definition("needs_filled", "Besoins pourvus", "besoins", Group.RESULTS,
               "Nombre de besoins clôturés pendant la période comme pourvus ou partiellement "
               "pourvus.", "Besoins de recrutement clôturés"),
    Definition("hires", "Recrutements", "recrutements", Group.RESULTS,
               "Somme des recrutements enregistrés sur les besoins clôturés pendant la période.",
               "Besoins de recrutement clôturés"),
    Definition("median_time_to_fill_days", "Délai médian pour pourvoir", "jours", Group.RESULTS,
               "Médiane, sur les besoins clôturés pendant la période comme pourvus ou partiellement "
               "pourvus, du nombre de jours calendaires entre le jour du dépôt et le jour de la "
               "clôture.", "Besoins de recrutement clôturés"),
    Definition("closed_for_lack_of_candidates", "Clôturés faute de candidats", "%", Group.RESULTS,
               "Part des besoins clôturés pendant la période avec le motif « Manque de "
               "candidats », parmi ceux dont l'issue est connue : pourvus, ou clôturés avec un "
               "motif de la liste (les clôtures sans motif, antérieures à la liste, « non "
               "renseigné », sont exclues des deux termes).",
               "Besoins de recrutement clôturés ; motifs de clôture"),
    Definition("still_in_post_one_month", "Toujours en poste à 1 mois", "%", Group.AFTERCARE,
               "Part des personnes recrutées toujours en poste un mois après l'embauche, sur les "
               "suivis échus et renseignés des besoins clôturés pendant la période.",
               "Suivis après le recrutement"),
    Definition("still_in_post_trial_end", "Toujours en poste à la fin de la période d'essai", "%",
               Group.AFTERCARE,
               "Part des personnes recrutées toujours en poste à la fin de leur période d'essai, sur "
               "les suivis échus et renseignés des besoins clôturés pendant la période.",
               "Suivis après le recrutement"),
    Definition("satisfaction_contacted_quickly", "Employeurs contactés rapidement", "%",
               Group.AFTERCARE,
               "Part des réponses « oui » à « Avez-vous été contacté rapidement ? » pour les besoins "
               "clôturés pendant la période.", "Questionnaire de satisfaction des employeurs"),
    Definition("satisfaction_useful", "Employeurs jugeant l'accompagnement utile", "%",
               Group.AFTERCARE,
               "Part des réponses « oui » à « L'accompagnement vous a-t-il été utile ? » pour les "
               "besoins clôturés pendant la période.",
               "Questionnaire de satisfaction des employeurs"),
    Definition("events_held", "Événements réalisés", "événements", Group.EVENTS,
               "Nombre d'événements de recrutement (job datings, forums, informations collectives…) "
               "marqués réalisés, commençant pendant la période et ayant lieu dans le territoire "
               "(commune de l'événement).", "Événements"),
    Definition("event_firms", "Entreprises présentes", "entreprises", Group.EVENTS,
               "Nombre d'entreprises distinctes dont la présence était confirmée aux événements "
               "réalisés de la période.", "Entreprises invitées aux événements"),
    Definition("event_candidates", "Candidats présents", "candidats", Group.EVENTS,
               "Nombre d'inscrits pointés présents aux événements réalisés de la période.",
               "Inscriptions aux événements"),
    Definition("event_interviews", "Entretiens", "entretiens", Group.EVENTS,
               "Somme des entretiens déclarés par les entreprises présentes aux événements réalisés "
               "de la période ; non disponible tant qu'aucune entreprise n'a déclaré ses résultats.",
               "Résultats déclarés par les entreprises présentes"),
    Definition("event_hires", "Recrutements à l'issue des événements", "recrutements",
               Group.EVENTS,
               "Somme des recrutements déclarés par les entreprises présentes aux événements "
               "réalisés de la période ; non disponible tant qu'aucune entreprise n'a déclaré ses "
               "résultats.", "Résultats déclarés par les entreprises présentes"),
    Definition("training_requests", "Demandes de POE déposées", "demandes", Group.TRAINING,
               "Nombre de demandes de POE (individuelles ou collectives) déposées, datées de la "
               "période, pour les établissements du territoire (brouillons exclus).",
               "Demandes de POE"),
    Definition("training_frap_requests", "dont demandes d'aide FRAP", "demandes",
               Group.TRAINING,
               "Nombre de ces demandes de POE accompagnées d'une demande de financement FRAP.",
               "Demandes de POE"),
    Definition("training_approved", "dont accordées", "demandes", Group.TRAINING,
               "Nombre de ces demandes de POE accordées (accordées, convention signée, en formation "
               "ou au-delà).", "Demandes de POE"),
    Definition("training_entries", "dont entrées en formation", "demandes", Group.TRAINING,
               "Nombre de ces demandes de POE dont le stagiaire est entré en formation (en formation, "
               "formation terminée, embauche ou non).", "Demandes de POE"),
    Definition("training_hires", "dont embauches après la POE", "demandes", Group.TRAINING,
               "Nombre de ces demandes de POE terminées par l'embauche du stagiaire.",
               "Demandes de POE"),
    Definition("training_hire_rate", "Taux d'embauche après la POE", "%", Group.TRAINING,
               "Part, parmi ces demandes de POE dont l'issue est connue (embauche ou pas "
               "d'embauche), de celles terminées par une embauche.", "Demandes de POE"),
    Definition("spotter_hire_conversion", "Signalements suivis d'une embauche", "%",
               Group.SPOTTERS,
               "Part des besoins signalés par un partenaire repéreur pendant la période pour les "
               "établissements du territoire qui ont été pourvus, en tout ou partie, avec au moins "
               "un recrutement.", "Besoins signalés par les repéreurs"),
    Definition("spotter_median_first_contact_working_days",
               "Délai médian de premier contact des signalements", "jours ouvrés", Group.SPOTTERS,
               "Médiane, sur les besoins signalés par un partenaire repéreur pendant la période et "
               "déjà contactés, du nombre de jours ouvrés entre le jour du signalement et le jour du "
               "premier contact (0 : le jour même).", "Besoins signalés par les repéreurs"),
]

# The columns of the dashboard's breakdown tables (ROME jobs, plans, spotters by organisation)
# that are not indicators of their own: each written once too, shown in the glossary.
COLUMNS: list[Definition] = [
    Definition("rome_shortage", "Métier en tension", "oui ou non", Group.JOBS,
               "Un métier (code ROME) est en tension quand le référentiel régional des métiers en "
               "tension le marque ainsi ; un besoin sans code ROME compte parmi les autres métiers. "
               "Par métier : besoins recueillis, postes, besoins pourvus, taux de besoins pourvus, "
               "délai médian pour pourvoir et part clôturée faute de candidats, définis comme "
               "ci-dessus, sur la période et sur la période précédente ou un an avant ; les dix "
               "métiers aux besoins les plus nombreux pendant la période, puis « Autres métiers ».",
               "Besoins de recrutement ; métiers ROME"),
    Definition("plan_target", "Cible", "selon l'objectif", Group.PLANS,
               "Cible fixée par l'objectif d'un plan de prospection du territoire en cours pendant "
               "la période (plans des bassins du territoire).", "Plans de prospection"),
    Definition("plan_achieved", "Réalisé", "selon l'objectif", Group.PLANS,
               "Chiffre atteint sur l'objectif depuis le début du plan jusqu'à la fin de la période "
               "(ou la fin du plan si elle est antérieure), compté comme sur la page du plan ; non "
               "disponible pour une part sans entreprise à mesurer. Comparé au réalisé du même plan "
               "à la fin de la période de comparaison, non disponible si le plan n'avait pas "
               "commencé.", "Plans de prospection"),
    Definition("plan_expected", "Attendu à date", "selon l'objectif", Group.PLANS,
               "Chiffre attendu à la fin de la période (ou aujourd'hui si elle n'est pas finie), en "
               "progression régulière de 0 au début du plan jusqu'à la cible à sa fin ; pour une "
               "part, la cible.", "Plans de prospection"),
    Definition("spotter_organisation_flags", "Signalements par structure", "signalements",
               Group.SPOTTERS,
               "Par structure repéreuse : besoins signalés pendant la période pour les "
               "établissements du territoire, ceux suivis d'une embauche, leur part et le délai "
               "médian de premier contact, définis comme ci-dessus, sur la période et sur la "
               "période précédente ou un an avant.",
               "Besoins signalés par les repéreurs"),
]

BY_KEY: dict[str, Definition] = {definition.key: definition for definition in DEFINITIONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)
COLUMN_BY_KEY: dict[str, Definition] = {definition.key: definition for definition in COLUMNS}


def grouped() -> list[tuple[Group, list[Definition]]]:
    """The definitions (indicators, then breakdown columns) per group, in the groups' and the
    lists' order."""
    every = [*DEFINITIONS, *COLUMNS]
    return [(group, [d for d in every if d.group == group]) for group in Group]
