"""The companies search, shared by the companies list and the API (`docs/workspace.md`), fast on
300,000 establishments.

A text is read as words (lower case, no accents, punctuation as spaces), and every word must appear,
in any order, in the company's search text: its name, sign, commune name and postal code
(`companies.search_text`, kept by services.companies). PostgreSQL serves this with a pg_trgm GIN
index; SQLite with an FTS5 trigram table for words of three characters or more (shorter ones are
tested by LIKE). Sorted by name, names starting with the text come first. A text of digits only
(spaces ignored) is an identifier: 14 digits a SIRET, 9 a SIREN, 5 a postal code or an INSEE commune
code, other lengths the start of a SIRET.

A list that caps its count still answers the pages past the cap (bounded offset), up to
BROWSE_LIMIT rows; past them the page is `limited` and asks to narrow the search.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from crm.extensions import db
from crm.models import Company
from crm.services.companies.records import search_words
from crm.services.platform.identifiers import clean_siret
from crm.services.platform.wording import normalise_name

Conditions = list[ColumnElement[bool]]
BY_NAME = (Company.search_name, Company.id)
BROWSE_LIMIT = 10_000  # rows a capped list lets people page through
FTS_WORD_MIN = 3  # the trigram tokenizer needs three characters
DENSE_MATCHES = 5000  # above this, reading names in index order finds a page sooner than the FTS


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
    more: bool = False  # a row follows this page (known when capped)
    limited: bool = False  # rows past BROWSE_LIMIT exist and are not shown: narrow the search
    past_end: bool = False  # a page after the last one of a list that was not counted in full

    @property
    def pages(self) -> int:
        counted = -(-self.total // self.per_page) if self.per_page else 0
        return max(counted, self.page + self.more) if self.capped else counted

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


def starts_with(column: SQLCoreOperations[str | None], prefix: str) -> ColumnElement[bool]:
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


def is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def count(conditions: Conditions, cap: int | None = None) -> int:
    """How many companies match; with a cap, counting stops after cap + 1 of them."""
    if cap is None:
        return db.session.execute(
            sa.select(sa.func.count()).select_from(Company).where(*conditions)).scalar_one()
    matches = sa.select(Company.id).where(*conditions).limit(cap + 1).subquery()
    return db.session.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one()


def fetch(conditions: Conditions, order: Sequence, offset: int, limit: int,
          in_name_order: bool = False) -> list[CompanyHit]:
    """Rows of companies with their open needs, naf, band, commune, basin and referent, in one
    query. `in_name_order` (many matches) tells SQLite's planner that the conditions hold for most
    rows, so that it reads the name index in order and stops after a page rather than sorting
    every match of a broad filter."""
    if in_name_order and is_sqlite():
        conditions = [sa.func.likelihood(condition, sa.literal_column("0.9")) for condition in conditions]
    ids = sa.select(Company.id).where(*conditions).order_by(*order).limit(limit).offset(offset).subquery()
    query = (
        sa.select(Company, Company.open_needs_count)
        .join(ids, ids.c.id == Company.id)
        .options(joinedload(Company.basin), joinedload(Company.referent), joinedload(Company.commune))
        .order_by(*order)
    )
    return [CompanyHit(company, open_needs) for company, open_needs in db.session.execute(query)]


def offset_of(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def past_browsing(page: int, per_page: int, cap: int | None) -> bool:
    """Whether a capped list's page starts past the rows it lets people page through."""
    return cap is not None and offset_of(page, per_page) >= BROWSE_LIMIT


def found_page(rows: list[CompanyHit], total: int, page: int, per_page: int,
               cap: int | None) -> CompanyPage:
    """A page of the rows fetched (one more than the page when there is more), its total saying
    "more than cap" when counting stopped at the cap, and exact again on the last page."""
    capped = cap is not None and total > cap
    more = len(rows) > per_page
    if capped and rows and not more:  # the last page: every row before it exists
        return CompanyPage(rows, offset_of(page, per_page) + len(rows), page, per_page)
    last = capped and offset_of(page, per_page) + per_page >= BROWSE_LIMIT
    return CompanyPage(rows[:per_page], cap if capped and cap is not None else total, page, per_page, capped,
                       more and not last, more and last, past_end=capped and not rows)


def counted_page(conditions: Conditions, order: Sequence, page: int, per_page: int,
                 cap: int | None = None, sooner: Conditions | None = None,
                 of_words: bool = False) -> CompanyPage:
    """A page of a search the indexes serve: its matches found (see `find_matches`), then the
    page's rows fetched."""
    matches = find_matches(conditions, sooner, order, cap, of_words)
    many = cap is not None and matches.total > cap and list(order) == list(BY_NAME)
    rows = page_rows(conditions, order, matches, offset_of(page, per_page), per_page + 1, many)
    return found_page(rows, matches.total, page, per_page, cap)


def fts_query(words: list[str]) -> str:
    """An FTS5 query asking for every word; a trigram phrase is a substring match."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def fts_matches(words: list[str]) -> sa.Select:
    """Ids of the companies whose search text contains every word, from SQLite's FTS5 table."""
    return (sa.select(sa.literal_column("rowid")).select_from(sa.text("companies_search_fts"))
            .where(sa.text("companies_search_fts MATCH :query").bindparams(query=fts_query(words))))


def fts_count(words: list[str]) -> int:
    """How many search texts contain every word, counted in SQLite's FTS5 table (up to a bound)."""
    matches = fts_matches(words).limit(DENSE_MATCHES + 1).subquery()
    return db.session.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one()


def contains(word: str) -> ColumnElement[bool]:
    """The word in the search text. On PostgreSQL a word shorter than a trigram is tested by
    strpos(), which the planner does not try to serve by a full scan of the trigram index."""
    if len(word) < FTS_WORD_MIN and not is_sqlite():
        return sa.func.strpos(Company.search_text, word) > 0
    return Company.search_text.contains(word, autoescape=True)


def word_conditions(words: list[str]) -> Conditions:
    """Every word in the search text. PostgreSQL's pg_trgm index serves LIKE; on SQLite the FTS5
    trigram table finds rare matches, a plain LIKE read in name order common ones."""
    long = [word for word in words if len(word) >= FTS_WORD_MIN]
    if not is_sqlite() or not long or fts_count(long) > DENSE_MATCHES:
        return [contains(word) for word in words]
    return [Company.id.in_(fts_matches(long)), *(contains(word) for word in words if word not in long)]


def has_words(words: list[str]) -> ColumnElement[bool]:
    """Every word whole in the search text, on PostgreSQL (the GIN index of its words,
    `ix_companies_search_words`): a subset of the matches of `word_conditions`."""
    whole = sa.func.string_to_array(Company.search_text, sa.literal_column("' '::text"))
    return whole.op("@>")(sa.literal(words, postgresql.ARRAY(sa.Text)))


def with_whole_words(conditions: Conditions, words: list[str]) -> Conditions | None:
    """The conditions and every word whole (`has_words`) on PostgreSQL; None on SQLite."""
    return None if is_sqlite() or not words else [*conditions, has_words(words)]


@dataclass
class Matches:
    total: int  # up to cap + 1 when capped
    ids: list[int] | None = None  # every match in the list's order, when read at once


def find_matches(conditions: Conditions, sooner: Conditions | None, order: Sequence,
                 cap: int | None, of_words: bool = False) -> Matches:
    """How many companies match, up to the cap if any. When the `sooner` conditions (a subset of
    the matches an index counts faster) already pass the cap, the count stops there. Otherwise a
    capped search of words (`of_words`), whose test reads each candidate's text anyway, reads
    its matches once, at most cap + 1 of them in the order the indexes find them: when no more
    than the cap, they are sorted and kept, so that any of their pages is cut from them rather
    than searched again. Other filters are counted from their indexes alone."""
    if cap is None:
        return Matches(count(conditions))
    if sooner is not None:
        found = count(sooner, cap)
        if found > cap:
            return Matches(found)
    if not of_words:
        return Matches(count(conditions, cap))
    # the bound written out: PostgreSQL's generic plan of a prepared statement (psycopg prepares
    # those run often) would otherwise guess the matches to be many and hash-join all companies
    found_ids = sa.select(Company.id).where(*conditions).limit(sa.literal_column(str(cap + 1))).subquery()
    ids = list(db.session.scalars(
        sa.select(Company.id).join(found_ids, found_ids.c.id == Company.id).order_by(*order)))
    return Matches(len(ids), ids if len(ids) <= cap else None)


def page_rows(conditions: Conditions, order: Sequence, matches: Matches, offset: int, limit: int,
              in_name_order: bool = False) -> list[CompanyHit]:
    """The rows of a page of the matches: cut from their ids when read at once, else fetched."""
    if matches.ids is not None:
        chosen = matches.ids[offset:offset + limit]
        return fetch([Company.id.in_(chosen)], order, 0, limit) if chosen else []
    return fetch(conditions, order, offset, limit, in_name_order) if matches.total else []


def search_digits(q: str) -> str | None:
    """The digits of a text made of digits and spaces only, else None."""
    digits = clean_siret(q)
    return digits if digits.isdigit() else None


def digits_condition(digits: str) -> ColumnElement[bool]:
    """14 digits: a SIRET; 9: a SIREN; 5: a postal code or commune code; others: a SIRET's start."""
    if len(digits) == 14:
        return Company.siret == digits
    if len(digits) == 9:
        return Company.siren == digits
    if len(digits) == 5:
        return sa.or_(Company.postal_code == digits, Company.commune_code == digits)
    return starts_with(Company.siret, digits)


def ranked_page(text: str, words: list[str], conditions: Conditions, page: int, per_page: int,
                cap: int | None) -> CompanyPage:
    """Names starting with the text first, then the other matches, each part in name order and
    counted apart, so that a page is read from one part or across both. With a cap, the names
    starting with the text are counted as far as the page needs (exactly when the page reaches the
    other matches), and the others not at all once those alone pass the cap; on PostgreSQL the
    others having every word whole are counted first, and when they pass the cap the substring
    count (trigrams, then each candidate's text) is not needed; under the cap the others are read
    once, their page cut from them (`find_matches`)."""
    starting = [*conditions, starts_with(Company.search_name, text)]
    later = sa.not_(starts_with(Company.search_name, text))
    others = [*conditions, *word_conditions(words), later]
    offset, wanted = offset_of(page, per_page), per_page + 1
    first = count(starting, None if cap is None else max(cap, offset + per_page))
    rest = (Matches(0) if cap is not None and first > cap  # capped already
            else find_matches(others, with_whole_words([*conditions, later], words), BY_NAME, cap,
                              of_words=True))
    rows = fetch(starting, BY_NAME, offset, wanted) if offset < first else []
    if len(rows) < wanted:
        many = cap is not None and rest.total > cap
        rows += page_rows(others, BY_NAME, rest, max(0, offset - first), wanted - len(rows), many)
    return found_page(rows, first + rest.total, page, per_page, cap)


def text_conditions(q: str) -> Conditions:
    """The conditions of a typed text: an identifier or postal code, else every word."""
    digits = search_digits(q)
    if digits:
        return [digits_condition(digits)]
    words = search_words(q)
    if words:
        return word_conditions(words)
    return [sa.false()] if q.strip() else []  # only characters no name is searched by


def search_page(q: str | None, conditions: Conditions, page: int, per_page: int,
                cap: int | None = None, order: Sequence = BY_NAME) -> CompanyPage:
    """A page of the companies matching the text and the other conditions, each with its open
    needs; with a cap, counting stops there and only BROWSE_LIMIT rows can be paged through."""
    if past_browsing(page, per_page, cap):
        return CompanyPage([], 0, page, per_page, capped=True, limited=True)
    q = q or ""
    words = [] if search_digits(q) else search_words(q)
    if words and list(order) == list(BY_NAME):
        return ranked_page(normalise_name(q), words, conditions, page, per_page, cap)
    sooner = with_whole_words(conditions, words)
    return counted_page([*conditions, *text_conditions(q)], order, page, per_page, cap, sooner,
                        bool(words))


def search_companies(q: str | None = None, siret: str | None = None, basin: str | None = None,
                     page: int = 1, per_page: int = 25) -> CompanyPage:
    """A page of the companies matching the text, SIRET and basin (the API), counted in full."""
    conditions: Conditions = []
    if siret:
        conditions.append(Company.siret == clean_siret(siret))
    if basin:
        conditions.append(Company.basin_code == basin)
    return search_page(q, conditions, page, per_page)
