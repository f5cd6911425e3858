"""Searching companies by name, SIRET or basin, fast on 300,000 establishments.

A name search compares the normalised name (lower case, no accents) with the normalised text typed.
Names that start with the text come first, through the btree index on `companies.search_name` (a
range, see starts_with). When fewer than a page of names start with it, names that contain it
anywhere are searched too, after them, through a trigram index (pg_trgm on PostgreSQL, an FTS5
trigram table on SQLite). Digits search the SIRET (and so the SIREN, its first nine digits) by
prefix.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import CLOSED_STATUSES, Company, HiringNeed
from crm.services.companies import normalise_name
from crm.services.identifiers import clean_siret

Conditions = list[ColumnElement[bool]]
BY_NAME = (Company.search_name, Company.id)


@dataclass
class CompanyHit:
    company: Company
    open_needs: int


@dataclass
class CompanyPage:
    """A page of companies, read by templates like a Flask-SQLAlchemy Pagination."""

    items: list[CompanyHit]
    total: int
    page: int
    per_page: int
    capped: bool = False  # more than `total` match: counting stopped there
    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.per_page else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def starts_with(column: sa.ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, as a range that a btree index serves in any collation.

    Exact in byte order (SQLite, PostgreSQL's C collations). A linguistic collation, which ignores
    punctuation and spaces at first, also lets in names differing only by those ("bou-lange" for
    "boul"). No extra exact test: the planners would multiply its selectivity with the range's
    and, PostgreSQL expecting a couple of rows, read every match instead of the first page.
    """
    following = following_prefix(prefix)
    return column >= prefix if following is None else sa.and_(column >= prefix, column < following)


def following_prefix(prefix: str) -> str | None:
    """The smallest text after every text starting with `prefix`, in code point order, skipping
    the surrogates no database stores; None when there is none (only U+10FFFF characters)."""
    stem = prefix.rstrip("\U0010ffff")
    if not stem:
        return None
    following = ord(stem[-1]) + 1
    return stem[:-1] + chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)


def open_needs_count() -> sa.ScalarSelect:
    """The number of open needs of the company of the enclosing query."""
    return (
        sa.select(sa.func.count(HiringNeed.id))
        .where(HiringNeed.company_id == Company.id, HiringNeed.status.not_in(CLOSED_STATUSES))
        .scalar_subquery()
    )


def count(conditions: Conditions, cap: int | None = None) -> int:
    """How many companies match; with a cap, counting stops after cap + 1 of them."""
    if cap is None:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Company).where(*conditions))
    matches = sa.select(Company.id).where(*conditions).limit(cap + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(matches))


def capped_page(items: list[CompanyHit], total: int, page: int, per_page: int,
                cap: int | None) -> CompanyPage:
    """A page whose total says "more than cap" when counting stopped at the cap."""
    capped = cap is not None and total > cap
    return CompanyPage(items, cap if capped else total, page, per_page, capped)


def fetch(conditions: Conditions, order: Sequence, page: int, per_page: int,
          in_name_order: bool = False) -> list[CompanyHit]:
    """One page of companies with their open needs, naf, band, commune, basin and referent, in one
    query. `in_name_order` (many matches) tells SQLite's planner that the conditions hold for most
    rows, so that it reads the name index in order and stops after a page rather than sorting
    every match of a broad filter."""
    if in_name_order and db.session.get_bind().dialect.name == "sqlite":
        conditions = [sa.func.likelihood(condition, sa.literal_column("0.9")) for condition in conditions]
    ids = (sa.select(Company.id).where(*conditions).order_by(*order)
           .limit(per_page).offset((page - 1) * per_page).subquery())
    query = (
        sa.select(Company, open_needs_count())
        .join(ids, ids.c.id == Company.id)
        .options(joinedload(Company.basin), joinedload(Company.referent), joinedload(Company.commune))
        .order_by(*order)
    )
    return [CompanyHit(company, open_needs) for company, open_needs in db.session.execute(query)]


def counted_page(conditions: Conditions, order: Sequence, page: int, per_page: int,
                 cap: int | None = None) -> CompanyPage:
    """A page of a search the indexes serve: counted (up to the cap), then fetched."""
    total = count(conditions, cap)
    many = cap is not None and total > cap and list(order) == list(BY_NAME)
    items = fetch(conditions, order, page, per_page, in_name_order=many) if total else []
    return capped_page(items, total, page, per_page, cap)


FTS_PHRASE_MIN = 3  # the trigram tokenizer needs three characters
DENSE_MATCHES = 5000  # above this, reading names in index order finds a page sooner than the FTS


def fts_phrase(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'  # a trigram phrase query is a substring match


def fts_matches(name: str) -> sa.Select:
    """Ids of the companies whose name contains the text, from SQLite's FTS5 trigram table."""
    return (sa.select(sa.literal_column("rowid")).select_from(sa.text("companies_name_fts"))
            .where(sa.text("companies_name_fts MATCH :phrase").bindparams(phrase=fts_phrase(name))))


def fts_count(name: str) -> int | None:
    """How many names contain the text, from SQLite's FTS5 table; None where it does not apply."""
    if db.session.get_bind().dialect.name != "sqlite" or len(name) < FTS_PHRASE_MIN:
        return None
    return db.session.scalar(sa.select(sa.func.count()).select_from(fts_matches(name).subquery()))


def name_contains(name: str) -> ColumnElement[bool]:
    """Names containing the normalised text, through the index that suits the database."""
    return containing(name, fts_count(name))


def containing(name: str, found: int | None) -> ColumnElement[bool]:
    """Names containing the text: PostgreSQL's pg_trgm index serves LIKE; on SQLite the FTS5
    trigram table finds rare matches, a plain LIKE read in index order common ones."""
    contains = Company.search_name.contains(name, autoescape=True)
    if found is None or found > DENSE_MATCHES:
        return contains
    return Company.id.in_(fts_matches(name))


def substring_page(name: str, conditions: Conditions, page: int, per_page: int,
                   cap: int | None = None) -> CompanyPage:
    """Names containing the text anywhere, the (fewer than a page) starting with it first: both
    parts read in index order, so a common word stops after one page instead of sorting all."""
    found = fts_count(name)
    prefix = [*conditions, starts_with(Company.search_name, name)]
    contains = [*conditions, containing(name, found), sa.not_(starts_with(Company.search_name, name))]
    starting = fetch(prefix, BY_NAME, 1, per_page)
    total = found if found is not None and not conditions else len(starting) + count(contains, cap)
    first = (page - 1) * per_page
    items = starting[first:first + per_page]
    wanted = per_page - len(items)
    if wanted and total > len(starting):
        skip = max(0, first - len(starting))
        rest = (sa.select(Company.id).where(*contains).order_by(*BY_NAME).limit(wanted)
                .offset(skip))
        items += fetch([Company.id.in_(rest)], BY_NAME, 1, wanted)
    return capped_page(items, total, page, per_page, cap)


def name_page(name: str, conditions: Conditions, page: int, per_page: int,
              cap: int | None = None) -> CompanyPage:
    """Names starting with the text; names containing it when fewer than a page start with it."""
    by_prefix = [*conditions, starts_with(Company.search_name, name)]
    total = count(by_prefix, cap)
    if total < per_page:
        return substring_page(name, conditions, page, per_page, cap)
    return capped_page(fetch(by_prefix, BY_NAME, page, per_page), total, page, per_page, cap)


def search_companies(q: str | None = None, siret: str | None = None, basin: str | None = None,
                     page: int = 1, per_page: int = 25) -> CompanyPage:
    """A page of the companies matching the text, SIRET and basin, each with its open needs."""
    conditions: Conditions = []
    if siret:
        conditions.append(Company.siret == clean_siret(siret))
    if basin:
        conditions.append(Company.basin_code == basin)
    digits, name = clean_siret(q or ""), normalise_name(q or "")
    if digits.isdigit():
        by_siret = [*conditions, starts_with(Company.siret, digits)]
        return counted_page(by_siret, [Company.siret], page, per_page)
    if name:
        return name_page(name, conditions, page, per_page)
    return counted_page(conditions, BY_NAME, page, per_page)
