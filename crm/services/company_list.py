"""The companies list: its filters, the text search (name, SIRET, SIREN, commune, postal code),
sorting, and the page of rows with their last contact. Exports read the same query.

A name search sorted by name goes through company_search.name_page (names starting with the text
first, through the btree index, then names containing it through the trigram index). Other sorts,
and a text that also names a commune, filter with the same trigram condition and sort the matches.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import CLOSED_STATUSES, Commune, Company, HiringNeed, Interaction, NafCode, User
from crm.services import access, company_search, reference, territories
from crm.services.companies import normalise_name
from crm.services.company_search import BY_NAME, CompanyPage, Conditions
from crm.services.identifiers import clean_siret

CONTACT_DAYS = (7, 30, 90, 180, 365)
COUNT_CAP = 1_000  # the list says "plus de 1 000" rather than counting every match
SORTS = ("name", "commune", "last_contact", "created")
STAFF_ONLY = ("tag", "referent", "open_need", "contacted")  # what partners may not filter on
REFERENT_ME, REFERENT_NONE = "moi", "aucun"


@dataclass
class CompanyFilters:
    """What the companies list is filtered and sorted on; empty values do not filter."""

    q: str = ""
    basin: str = ""
    department: str = ""
    naf_section: str = ""
    naf_division: str = ""
    band: str = ""
    tag: str = ""
    referent: str = ""  # "moi", "aucun" or a user id
    open_need: bool = False
    contacted: str = ""  # "oui" or "non", within `days`
    days: int = 30
    closed: bool = False  # include closed establishments
    sort: str = "name"

    @classmethod
    def from_dict(cls, data: dict) -> "CompanyFilters":
        """Filters from a saved view or a job's arguments, unknown keys ignored."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})

    def to_dict(self) -> dict:
        """The filters that differ from the defaults (a saved view, a job argument)."""
        default = asdict(CompanyFilters())
        return {key: value for key, value in asdict(self).items() if value != default[key]}


def for_user(user: User, filters: CompanyFilters) -> CompanyFilters:
    """The filters a user may apply: partners neither filter nor sort on staff-only data."""
    if access.sees_company_details(user):
        return filters
    blank = CompanyFilters()
    kept = {key: getattr(blank if key in STAFF_ONLY else filters, key) for key in asdict(filters)}
    if kept["sort"] == "last_contact":
        kept["sort"] = "name"
    return CompanyFilters(**kept)


def last_contact_of_company() -> sa.ScalarSelect:
    """The last interaction time of the company of the enclosing query."""
    return (sa.select(sa.func.max(Interaction.occurred_at))
            .where(Interaction.company_id == Company.id).scalar_subquery())


def sort_order(sort: str) -> list:
    if sort == "commune":
        place = aliased(Commune)  # not correlated with a join on communes of the enclosing query
        commune = sa.select(place.name).where(place.code == Company.commune_code).scalar_subquery()
        return [sa.nulls_last(commune.asc()), *BY_NAME]
    if sort == "last_contact":
        return [sa.nulls_last(last_contact_of_company().desc()), *BY_NAME]
    if sort == "created":
        return [sa.nulls_last(Company.created_on.desc()), *BY_NAME]
    return list(BY_NAME)


def contacted_since(since: datetime) -> ColumnElement[bool]:
    """The company has an interaction since then (served by the (company_id, occurred_at) index)."""
    return (sa.select(Interaction.id)
            .where(Interaction.company_id == Company.id, Interaction.occurred_at >= since).exists())


def has_open_need() -> ColumnElement[bool]:
    return (sa.select(HiringNeed.id)
            .where(HiringNeed.company_id == Company.id, HiringNeed.status.not_in(CLOSED_STATUSES))
            .exists())


def has_tag(tag: str) -> ColumnElement[bool]:
    """The company's segment tags (a JSON list) include this one."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(Company.tags, postgresql.JSONB).contains([tag])
    elements = sa.func.json_each(Company.tags).table_valued("value")
    return sa.select(elements.c.value).where(elements.c.value == tag).exists()


def department_condition(code: str) -> ColumnElement[bool]:
    """The firm's commune is in the département. An INSEE commune code starts with its
    département's, a range PostgreSQL reads from the commune index; SQLite's planner does better
    with the list of the département's communes (it can then read a broad match in name order)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return company_search.starts_with(Company.commune_code, code)
    return Company.commune_code.in_(sa.select(Commune.code).where(Commune.department_code == code))


def referent_condition(user: User, referent: str) -> ColumnElement[bool]:
    if referent == REFERENT_ME:
        return Company.referent_id == user.id
    if referent == REFERENT_NONE:
        return Company.referent_id.is_(None)
    return Company.referent_id == int(referent)


def naf_in(column: sa.ColumnElement[str], value: str) -> ColumnElement[bool]:
    return Company.naf_code.in_(sa.select(NafCode.code).where(column == value))


def filter_conditions(user: User, filters: CompanyFilters, now: datetime) -> Conditions:
    """The conditions of every filter but the text search."""
    checks = [
        (not filters.closed, lambda: Company.active.is_(True)),
        (filters.basin, lambda: Company.basin_code == filters.basin),
        (filters.department, lambda: department_condition(filters.department)),
        (filters.naf_section, lambda: naf_in(NafCode.section, filters.naf_section)),
        (filters.naf_division, lambda: naf_in(NafCode.division, filters.naf_division)),
        (filters.band, lambda: Company.headcount_band == filters.band),
        (filters.tag, lambda: has_tag(filters.tag)),
        (filters.referent, lambda: referent_condition(user, filters.referent)),
        (filters.open_need, has_open_need),
        (filters.contacted == "oui", lambda: contacted_since(now - timedelta(days=filters.days))),
        (filters.contacted == "non", lambda: ~contacted_since(now - timedelta(days=filters.days))),
    ]
    return [condition() for wanted, condition in checks if wanted]


def digits_condition(digits: str) -> ColumnElement[bool]:
    """14 digits: a SIRET; 9: a SIREN; 5: a postal code; other digits: the start of a SIRET."""
    if len(digits) == 14:
        return Company.siret == digits
    if len(digits) == 9:
        return Company.siren == digits
    if len(digits) == 5:
        return Company.postal_code == digits
    return company_search.starts_with(Company.siret, digits)


def load_commune_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for code, name in db.session.execute(sa.select(Commune.code, Commune.name)):
        names.setdefault(territories.fold_text(name), []).append(code)
    return names


def commune_names() -> dict[str, list[str]]:
    """Commune codes by folded name (reference data, read once per process)."""
    return reference.cached("commune_names", load_commune_names)


def communes_named(text: str) -> list[str]:
    """Codes of the communes whose whole name is the text (without case, accents or hyphens)."""
    return commune_names().get(territories.fold_text(text), [])


def text_condition(name: str, communes: list[str]) -> ColumnElement[bool]:
    """The name contains the text, or the company is in the commune the text names."""
    contains = company_search.name_contains(name)
    return sa.or_(contains, Company.commune_code.in_(communes)) if communes else contains


def search_digits(q: str) -> str | None:
    digits = clean_siret(q)
    return digits if digits.isdigit() else None


def search_condition(q: str, communes: list[str]) -> ColumnElement[bool] | None:
    """The text search: digits as identifiers or a postal code, else a name or a commune."""
    digits, name = search_digits(q), normalise_name(q)
    if digits:
        return digits_condition(digits)
    return text_condition(name, communes) if name else None


def conditions(user: User, filters: CompanyFilters, now: datetime) -> Conditions:
    """Every condition of the filters, the text search included."""
    text = search_condition(filters.q, communes_named(filters.q))
    return filter_conditions(user, filters, now) + ([] if text is None else [text])


def company_page(user: User, filters: CompanyFilters, page: int, per_page: int,
                 now: datetime) -> CompanyPage:
    """A page of the list, each company with its open needs, referent, commune, naf and band."""
    filters = for_user(user, filters)
    found = filter_conditions(user, filters, now)
    name = "" if search_digits(filters.q) else normalise_name(filters.q)
    communes = communes_named(filters.q) if name else []
    if name and not communes and filters.sort == "name":
        return company_search.name_page(name, found, page, per_page, COUNT_CAP)
    text = search_condition(filters.q, communes)
    found += [] if text is None else [text]
    return company_search.counted_page(found, sort_order(filters.sort), page, per_page, COUNT_CAP)


def last_contacts(company_ids: list[int]) -> dict[int, datetime]:
    """The last interaction time of each company, in one query."""
    query = (sa.select(Interaction.company_id, sa.func.max(Interaction.occurred_at))
             .where(Interaction.company_id.in_(company_ids)).group_by(Interaction.company_id))
    return dict(db.session.execute(query).all()) if company_ids else {}


def listed(user: User, filters: CompanyFilters, now: datetime) -> tuple[Conditions, list]:
    """The conditions and the order of every company of the list, as the user may see it
    (exports)."""
    filters = for_user(user, filters)
    return conditions(user, filters, now), sort_order(filters.sort)


def referent_choices(user: User) -> list[tuple[str, str]]:
    """Active staff of the user's organisation who may be a firm's referent, by name."""
    query = (sa.select(User.id, User.name)
             .where(User.active, User.role.in_(access.STAFF_ROLES),
                    User.organisation_id == user.organisation_id)
             .order_by(User.name, User.id))
    return [(str(key), name) for key, name in db.session.execute(query)]
