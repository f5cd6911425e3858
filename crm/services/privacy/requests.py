"""The personal-data requests handled, as the admin page lists them."""

import sqlalchemy as sa

from crm.models import PrivacyRequest

LABELS = {"demandes": ("demande", "demandes"), "interlocuteurs": ("interlocuteur", "interlocuteurs"),
          "inscriptions": ("inscription", "inscriptions"), "courriels": ("courriel", "courriels"),
          "journal": ("entrée du journal", "entrées du journal"), "elements": ("élément", "éléments"),
          "fichiers": ("fichier", "fichiers"), "comites": ("comité", "comités")}


def history_query() -> sa.Select:
    return sa.select(PrivacyRequest).order_by(PrivacyRequest.handled_at.desc(), PrivacyRequest.id.desc())


def summary(counts: dict[str, int]) -> str:
    """{"demandes": 2, "courriels": 1} -> "2 demandes, 1 courriel"; "rien" when all are zero."""
    parts = [f"{count} {LABELS.get(key, (key, key))[count != 1]}"
             for key, count in counts.items() if count]
    return ", ".join(parts) or "rien"
