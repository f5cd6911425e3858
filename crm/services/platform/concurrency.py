"""Stale-edit refusal: a save based on an old version of a record is refused, never merged silently."""

from typing import Any


class StaleEdit(ValueError):
    """Someone else saved this record after the form was opened."""

    def __init__(self, what: str = "cette fiche"):
        super().__init__(
            f"Quelqu'un d'autre a modifié {what} pendant que vous la modifiiez. "
            "Vos changements n'ont pas été enregistrés : rechargez la page pour voir la version à jour, "
            "puis refaites vos modifications."
        )


def ensure_version(record: Any, version: int | None, what: str = "cette fiche") -> None:
    """Raise StaleEdit unless the form was opened on the record's current version."""
    if version is not None and version != record.version:
        raise StaleEdit(what)
