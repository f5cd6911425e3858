"""The companies list: its filters, sorting, and the page of rows with their last contact. The
text search (words of the name, sign or commune; SIRET, SIREN, postal code) is the API's, from
company_search. Exports read the same conditions.
"""

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from crm.extensions import db
from crm.models import Commune, Company, NafCode, User
from crm.services.accounts import access
from crm.services.companies import activity
from crm.services.companies import search as company_search
from crm.services.companies.search import BY_NAME, CompanyPage, Conditions
from crm.services.platform.local_time import day_bounds, local_today
from crm.services.territory import rsa_pilots

CONTACT_DAYS = (7, 30, 90, 180, 365)
COUNT_CAP = 1_000  # the list says "plus de 1 000" rather than counting every match
SORTS = ("name", "commune", "last_contact", "created")
STAFF_ONLY = ("tag", "referent", "open_need", "contacted", "contacted_from", "contacted_to",
              "visited_from", "visited_to", "organisation", "adviser")  # partners may not filter on
REFERENT_ME, REFERENT_NONE = "moi", "aucun"


@dataclass
class CompanyFilters:
    """What the companies list is filtered and sorted on; empty values do not filter."""

    q: str = ""
    basin: str = ""
    department: str = ""
    rsa_territory: str = ""  # an RSA pilot territory's id: the firms of its communes
    naf_section: str = ""
    naf_division: str = ""
    band: str = ""
    tag: str = ""
    referent: str = ""  # "moi", "aucun" or a user id
    open_need: bool = False
    contacted: str = ""  # "oui" or "non", within the last `days` French days (today included)
    days: int = 30
    # French days (ISO dates, both included) of a contact or a visit done, by `organisation` or
    # `adviser` (ids) when given: the indicators' definition (`activity.py`)
    contacted_from: str = ""
    contacted_to: str = ""
    visited_from: str = ""
    visited_to: str = ""
    organisation: str = ""
    adviser: str = ""
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

    def whose(self) -> tuple[int | None, int | None]:
        """(organisation, adviser) whose contacts and visits the day filters count."""
        return (int(self.organisation) if self.organisation else None,
                int(self.adviser) if self.adviser else None)


def for_user(user: User, filters: CompanyFilters) -> CompanyFilters:
    """The filters a user may apply: partners neither filter nor sort on staff-only data."""
    if access.sees_company_details(user):
        return filters
    blank = CompanyFilters()
    kept = {key: getattr(blank if key in STAFF_ONLY else filters, key) for key in asdict(filters)}
    if kept["sort"] == "last_contact":
        kept["sort"] = "name"
    return CompanyFilters(**kept)


def sort_order(sort: str) -> list:
    if sort == "commune":
        place = aliased(Commune)  # not correlated with a join on communes of the enclosing query
        commune = sa.select(place.name).where(place.code == Company.commune_code).scalar_subquery()
        return [sa.nulls_last(commune.asc()), *BY_NAME]
    if sort == "last_contact":
        return [sa.nulls_last(Company.last_contact_at.desc()), *BY_NAME]
    if sort == "created":
        return [sa.nulls_last(Company.created_on.desc()), *BY_NAME]
    return list(BY_NAME)


def last_days_start(days: int, now: datetime) -> datetime:
    """The stored start of the French day `days - 1` days before today: the last `days` French
    days, today included, as the indicators' period of `days` days ending today counts them."""
    return day_bounds(local_today(now) - timedelta(days=days - 1))[0]


def days_of(first: str, last: str) -> tuple[datetime, datetime]:
    """The stored bounds of French days given as ISO dates, both included."""
    return activity.day_span(date.fromisoformat(first), date.fromisoformat(last))


def contacted_since(since: datetime) -> ColumnElement[bool]:
    """The company has an interaction since then (its denormalised last contact,
    crm/services/companies/counters.py)."""
    return Company.last_contact_at >= since


def not_contacted_since(since: datetime) -> ColumnElement[bool]:
    return sa.or_(Company.last_contact_at.is_(None), Company.last_contact_at < since)


def has_open_need() -> ColumnElement[bool]:
    """The company has an open need (its denormalised count, served by a partial index)."""
    return Company.open_needs_count > 0


def has_tag(tag: str) -> ColumnElement[bool]:
    """The company's segment tags (a JSON list) include this one."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(Company.tags, postgresql.JSONB).contains([tag])
    elements = sa.func.json_each(Company.tags).table_valued("value")
    return sa.select(elements.c.value).where(elements.c.value == tag).exists()


def department_condition(code: str, with_open_need: bool = False) -> ColumnElement[bool]:
    """The firm's commune is in the département. An INSEE commune code starts with its
    département's, a range PostgreSQL reads from the commune index; SQLite's planner does better
    with the list of the département's communes (it can then read a broad match in name order).
    With the open-need filter, SQLite is kept off the commune index (it would read every firm of
    the département, not knowing that few have an open need): it then reads the small partial
    index of firms with an open need (80 ms → 1 ms at 300,000 firms)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return company_search.starts_with(Company.commune_code, code)
    commune = sa.func.coalesce(Company.commune_code, "") if with_open_need else Company.commune_code
    return commune.in_(sa.select(Commune.code).where(Commune.department_code == code))


def referent_condition(user: User, referent: str) -> ColumnElement[bool]:
    if referent == REFERENT_ME:
        return Company.referent_id == user.id
    if referent == REFERENT_NONE:
        return Company.referent_id.is_(None)
    return Company.referent_id == int(referent)


def naf_in(column: SQLCoreOperations[str], value: str) -> ColumnElement[bool]:
    return Company.naf_code.in_(sa.select(NafCode.code).where(column == value))


def filter_conditions(user: User, filters: CompanyFilters, now: datetime) -> Conditions:
    """The conditions of every filter but the text search."""
    checks = [
        (not filters.closed, lambda: Company.active.is_(True)),
        (filters.basin, lambda: Company.basin_code == filters.basin),
        (filters.department, lambda: department_condition(filters.department, filters.open_need)),
        (filters.rsa_territory, lambda: Company.commune_code.in_(
            rsa_pilots.territory_communes(int(filters.rsa_territory)))),
        (filters.naf_section, lambda: naf_in(NafCode.section, filters.naf_section)),
        (filters.naf_division, lambda: naf_in(NafCode.division, filters.naf_division)),
        (filters.band, lambda: Company.headcount_band == filters.band),
        (filters.tag, lambda: has_tag(filters.tag)),
        (filters.referent, lambda: referent_condition(user, filters.referent)),
        (filters.open_need, has_open_need),
        (filters.contacted == "oui", lambda: contacted_since(last_days_start(filters.days, now))),
        (filters.contacted == "non", lambda: not_contacted_since(last_days_start(filters.days, now))),
        (filters.contacted_from, lambda: activity.contacted_between(
            *days_of(filters.contacted_from, filters.contacted_to), *filters.whose())),
        (filters.visited_from, lambda: activity.visited_between(
            *days_of(filters.visited_from, filters.visited_to), *filters.whose())),
    ]
    return [condition() for wanted, condition in checks if wanted]


def conditions(user: User, filters: CompanyFilters, now: datetime) -> Conditions:
    """Every condition of the filters, the text search included."""
    return filter_conditions(user, filters, now) + company_search.text_conditions(filters.q)


def company_page(user: User, filters: CompanyFilters, page: int, per_page: int,
                 now: datetime) -> CompanyPage:
    """A page of the list, each company with its open needs, referent, commune, naf and band: the
    search of the API (company_search.search_page), counted up to COUNT_CAP."""
    filters = for_user(user, filters)
    return company_search.search_page(filters.q, filter_conditions(user, filters, now), page,
                                      per_page, COUNT_CAP, sort_order(filters.sort))


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
