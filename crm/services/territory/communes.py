"""Communes of the region: those of a département, those a postal code serves (the workplace of the
public form)."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from crm.extensions import db
from crm.models import Commune, CommunePostalCode
from crm.services.platform.wording import normalise_name

POSTAL_CODE = re.compile(r"\d{5}")


def department_communes(code: str) -> sa.Select:
    """The codes of the communes of one département."""
    return sa.select(Commune.code).where(Commune.department_code == code)


def communes_for_postal_code(code: str | None) -> list[Commune]:
    """The communes of Bourgogne-Franche-Comté that a postal code serves, by name."""
    code = (code or "").replace(" ", "")
    if not POSTAL_CODE.fullmatch(code):
        return []
    query = (
        sa.select(Commune)
        .join(CommunePostalCode, CommunePostalCode.commune_code == Commune.code)
        .where(CommunePostalCode.postal_code == code)
    )
    return sorted(db.session.scalars(query), key=lambda commune: normalise_name(commune.name))


@dataclass
class Workplace:
    """The workplace commune (None when the employer must choose), the communes of the postal
    code to choose from, and French messages per form field."""

    commune_code: str | None
    communes: list[Commune] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def workplace(postal_code: str | None, commune_code: str | None) -> Workplace:
    """The commune chosen among those of the postal code, or the only one it serves."""
    postal_code = (postal_code or "").replace(" ", "")
    if not postal_code:
        return Workplace(commune_code or None)
    if not POSTAL_CODE.fullmatch(postal_code):
        return Workplace(None, errors={"postal_code": [
            "Le code postal doit comporter 5 chiffres."]})
    communes = communes_for_postal_code(postal_code)
    if not communes:
        return Workplace(None, errors={"postal_code": [
            "Aucune commune de Bourgogne-Franche-Comté n'a ce code postal."]})
    codes = [commune.code for commune in communes]
    if commune_code in codes:
        return Workplace(commune_code, communes)
    if len(codes) == 1:
        return Workplace(codes[0], communes)
    return Workplace(None, communes, {"commune_code": [
        f"{len(codes)} communes ont ce code postal : choisissez celle du lieu de travail."]})
