"""The history of changes to a firm and its contacts, read from the audit trail for managers:
who, when, and each changed field (before → after) in French."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import AuditEvent, Channel, Company
from crm.services.companies.merge import LINK_LABELS
from crm.services.platform.contact_details import display_phone
from crm.services.platform.local_time import local_from_utc

LIMIT = 50
FIELD_LABELS = {
    "name": "Nom", "sign": "Enseigne", "siret": "SIRET", "siren": "SIREN", "search_name": None,
    "search_text": None,
    "naf_code": "Code NAF", "naf2025_code": "Code NAF 2025", "headcount_band": "Tranche d'effectif",
    "address": "Adresse", "postal_code": "Code postal", "commune_code": "Commune",
    "basin_code": "Bassin d'emploi", "latitude": "Latitude", "longitude": "Longitude",
    "active": "En activité", "diffusible": "Diffusible", "employer": "Employeur",
    "verified": "Vérifiée", "created_on": "Date de création", "tags": "Étiquettes",
    "referent_id": None, "referent": "Référent", "from": "Avant", "to": "Après",
    "reason": "Motif", "do_not_contact_before": "Ne pas contacter avant",
    "preferred_channel": "Canal préféré", "source": "Source", "version": None,
    "job_title": "Fonction", "email": "Adresse électronique", "phone": "Téléphone",
    "consent": "Consentement", "consent_at": "Date du consentement", "company_id": None,
    "created_at": None, "updated_at": None, "id": None,
    "absorbed_id": None, "absorbed_siret": "SIRET de l'établissement absorbé",
    "absorbed_name": "Établissement absorbé", "taken_from_absorbed": "Valeurs reprises de l'absorbé",
    "other_id": None, "other_siret": "Autre établissement (SIRET)",
    "kind": "Projet", "occurred_on": "Date du projet", "note": "Note",
    **{f"moved_{table}": f"{label} déplacés" for table, label in LINK_LABELS.items()},
}
ACTION_LABELS = {
    "created": "Création", "updated": "Modification", "deleted": "Suppression",
    "referent_changed": "Changement de référent", "merged": "Fusion d'un doublon",
    "duplicate_dismissed": "Écarté des doublons", "partner_import": "Import d'une liste partenaire",
    "project_recorded": "Projet ajouté", "project_changed": "Projet modifié",
    "project_deleted": "Projet supprimé",
}
ONE_SIDED = {"created": 1, "deleted": 0}  # which side of [before, after] says it all
CHANNEL_LABELS = dict(Channel.choices())


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None when only the new value is known
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    subject: str  # "Entreprise" or "Contact : <name>"
    changes: list[Change]


def moment(value: str) -> str | None:
    """A recorded timestamp (naive UTC, ISO) in French local time; None for other values."""
    try:
        return local_from_utc(datetime.fromisoformat(value)).strftime("%d/%m/%Y à %H:%M")
    except ValueError:
        return None


def shown(value: Any) -> str:
    """A recorded value as a person reads it: French dates and phone numbers, labels, yes/no."""
    if value is None or value == "" or value == []:
        return "(vide)"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        return moment(value) or value
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        return ".".join(reversed(value.split("-"))).replace(".", "/")
    if isinstance(value, str) and value.startswith("+33"):
        return display_phone(value)
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value)
    return CHANNEL_LABELS.get(str(value), str(value))


def is_pair(key: str, value: Any) -> bool:
    """Whether a recorded value is a [before, after] pair (tags are lists themselves)."""
    if not (isinstance(value, list) and len(value) == 2):
        return False
    return key != "tags" or all(isinstance(item, list) for item in value)


def changes_of(event: AuditEvent) -> list[Change]:
    """Each recorded field in French; [before, after] pairs and from/to read as before → after."""
    values = dict(event.changes or {})
    found = []
    if "from" in values and "to" in values:
        found.append(Change(FIELD_LABELS["referent"], shown(values.pop("from")),  # type: ignore[arg-type]
                            shown(values.pop("to"))))  # (the referent has a label)
    for key, value in values.items():
        label = FIELD_LABELS.get(key, key)
        if label is None:
            continue
        if not is_pair(key, value):
            found.append(Change(label, None, shown(value)))
        elif event.action in ONE_SIDED:
            found.append(Change(label, None, shown(value[ONE_SIDED[event.action]])))
        else:
            found.append(Change(label, shown(value[0]), shown(value[1])))
    return found


def subject_of(event: AuditEvent, contacts: dict[str, str]) -> str:
    if event.object_type == "Company":
        return "Entreprise"
    name = contacts.get(event.object_id) or ((event.changes or {}).get("name") or ["?"])[0]
    return f"Contact : {name}"


def history_of(company: Company, limit: int = LIMIT) -> list[HistoryEntry]:
    """The newest audit events on the firm and its contacts, deleted contacts included."""
    contacts = {str(contact.id): contact.name for contact in company.contacts}
    deleted_contact = sa.and_(AuditEvent.object_type == "Contact", AuditEvent.action == "deleted",
                              AuditEvent.changes[("company_id", 0)].as_integer() == company.id)
    query = (sa.select(AuditEvent)
             .where(sa.or_(sa.and_(AuditEvent.object_type == "Company",
                                   AuditEvent.object_id == str(company.id)),
                           sa.and_(AuditEvent.object_type == "Contact",
                                   AuditEvent.object_id.in_(list(contacts))),
                           deleted_contact))
             .options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    entries = [HistoryEntry(
        event.at,
        f"{event.actor.name} ({event.actor.organisation.name})" if event.actor else "Système",
        ACTION_LABELS.get(event.action, event.action), subject_of(event, contacts),
        changes_of(event)) for event in db.session.scalars(query)]
    return [entry for entry in entries if entry.changes]  # e.g. a referent id beside its named event
