"""Stale-edit refusal: a save based on an old version of a record is refused, never merged silently."""

from typing import Any

from crm.services.platform.refusals import Refused


def stale_message(what: str) -> str:
    """Why a save prepared on an old version of `what` ("cette visite") was refused."""
    return (f"Quelqu'un d'autre a modifié {what} pendant que vous la modifiiez. "
            "Vos changements n'ont pas été enregistrés : rechargez la page pour voir la version "
            "à jour, puis refaites vos modifications.")


class StaleEdit(Refused):
    """Someone else saved this record after the form was opened."""

    status = 409

    def __init__(self, message: str = stale_message("cette fiche")):
        super().__init__(message)


def ensure_version(record: Any, submitted_version: int | None, message: str) -> None:
    """Raise StaleEdit(message) unless the change was prepared on the record's current version;
    a change that does not say which version it was prepared on is refused too."""
    if submitted_version is None or submitted_version != record.version:
        raise StaleEdit(message)
