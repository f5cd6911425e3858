"""The region's basins with their départements, and communes found by postal code or by name.

Commune names are compared without case, accents, hyphens or apostrophes, in SQL on every database
(nested replace(), since SQLite has neither unaccent nor translate): "chalon sur saone" finds
"Chalon-sur-Saône".
"""

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from crm.extensions import db
from crm.models import Basin, Commune, CommunePostalCode, Department

FOLDS = (  # the characters of the region's commune names (SQLite nests only so many calls)
    ("-", " "), ("'", " "), ("œ", "oe"), ("à", "a"), ("â", "a"), ("ç", "c"), ("é", "e"),
    ("è", "e"), ("ê", "e"), ("ë", "e"), ("É", "e"), ("î", "i"), ("ï", "i"), ("ô", "o"),
    ("ù", "u"), ("û", "u"), ("ü", "u"),
)


def fold_sql(column: SQLCoreOperations[str]) -> ColumnElement[str]:
    """The column in lower case without accents, hyphens or apostrophes, computed in SQL."""
    folded = sa.func.lower(column)
    for accented, plain in FOLDS:
        folded = sa.func.replace(folded, accented, plain)
    return folded


def fold_text(text: str) -> str:
    """The same folding as fold_sql, in Python, with repeated spaces collapsed."""
    folded = text.lower()
    for accented, plain in FOLDS:
        folded = folded.replace(accented, plain)
    return " ".join(folded.split())


def basins_query() -> sa.Select:
    return sa.select(Basin).order_by(Basin.code)


def departments_of(basins: list[Basin]) -> dict[str, list[Department]]:
    """The départements each basin's communes lie in, in one query."""
    query = (
        sa.select(Commune.basin_code, Department)
        .join(Department, Department.code == Commune.department_code)
        .where(Commune.basin_code.in_([basin.code for basin in basins]))
        .distinct()
        .order_by(Commune.basin_code, Department.code)
    )
    found: dict[str, list[Department]] = {basin.code: [] for basin in basins}
    for basin_code, department in db.session.execute(query):
        found[basin_code].append(department)
    return found


def communes_query(postal_code: str | None = None, q: str | None = None) -> sa.Select:
    """Communes served by the postal code and whose name (or INSEE code) matches q, by name."""
    query = sa.select(Commune)
    order: list = [Commune.name, Commune.code]
    if postal_code:
        query = query.join(CommunePostalCode, CommunePostalCode.commune_code == Commune.code)
        query = query.where(CommunePostalCode.postal_code == postal_code)
    text = (q or "").strip()
    if text.isdigit():
        query = query.where(Commune.code.startswith(text, autoescape=True))
    elif fold_text(text):
        name, term = fold_sql(Commune.name), fold_text(text)
        query = query.where(name.contains(term, autoescape=True))
        order.insert(0, sa.case((name.startswith(term, autoescape=True), 0), else_=1))
    return query.order_by(*order)
