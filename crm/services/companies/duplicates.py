"""Likely duplicate companies: candidates found in SQL, confirmed by comparing names and addresses.

A company is one establishment. Two kinds of pairs:
- the same SIREN at the same address, or the same SIREN with similar names when one of the two is
  unverified (typed on the public form or imported) or closed (an establishment that moved). Two open,
  verified establishments of one SIREN at different addresses are distinct: a chain's shops, a
  commune's services all share their legal unit's name;
- an unverified company and a verified one with the same name in the same commune.
Pairs someone dismissed ("ce n'est pas un doublon") are left out.

Finding every pair takes about a second at 300,000 firms: the duplicates page reads the pairs
stored in `duplicate_pairs` by `refresh_pairs` (a scheduled job and after imports, jobs/derived.py)
and says when they were computed; until the first run it finds them live. A merge finds the
survivor's pairs again and drops the absorbed firm's, a dismissal drops its pair. One firm's
duplicates are always found live (one firm's candidates are read from indexes).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import Company, DuplicateCandidate, DuplicateDismissal, TableRefresh, User, utcnow
from crm.services.platform import audit
from crm.services.platform.wording import normalise_name

SIMILAR_RATIO = 0.8
MIN_CONTAINED = 4
SAME_SIREN_ADDRESS = "même SIREN, même adresse"
UNVERIFIED_SAME_SIREN = "même SIREN, noms proches, entreprise non vérifiée"
CLOSED_SAME_SIREN = "même SIREN, noms proches, établissement fermé"
UNVERIFIED_SAME_COMMUNE = "entreprise non vérifiée, même nom dans la même commune"
PAIRS = "duplicate_pairs"  # its name in table_refreshes
ADDRESS_WORDS = {"bd": "boulevard", "bld": "boulevard", "av": "avenue", "ave": "avenue",
                 "rte": "route", "che": "chemin", "pl": "place", "imp": "impasse", "fg": "faubourg",
                 "all": "allee", "st": "saint", "ste": "sainte", "za": "zone artisanale",
                 "zi": "zone industrielle"}


class Compared(NamedTuple):
    """What the comparison reads of a company."""

    id: int
    search_name: str
    address: str | None
    postal_code: str | None
    verified: bool
    active: bool


@dataclass(frozen=True)
class DuplicatePair:
    """Two companies that look like one; `keep_id` is the one to keep by default."""

    keep_id: int
    absorb_id: int
    reason: str


@dataclass(frozen=True)
class PairOfCompanies:
    """A pair with both companies loaded, as a page shows them."""

    keep: Company
    absorb: Company
    reason: str


class ListPagination(Pagination):
    """A page of a list already computed in Python."""

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._query_args["rows"][start:start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


@lru_cache(maxsize=65536)
def normalised(name: str) -> str:
    return normalise_name(name)


def similar_names(first: str, second: str) -> bool:
    """Equal, one containing the other, or close enough (normalised names)."""
    first, second = normalised(first), normalised(second)
    if not first or not second:
        return False
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) >= MIN_CONTAINED and shorter in longer:
        return True
    return SequenceMatcher(None, first, second).ratio() >= SIMILAR_RATIO


@lru_cache(maxsize=65536)
def normalise_address(address: str | None) -> str:
    """An address without accents, punctuation or common abbreviations."""
    words = re.sub(r"[^a-z0-9]+", " ", normalise_name(address or "")).split()
    return " ".join(ADDRESS_WORDS.get(word, word) for word in words)


def same_address(first: Compared, second: Compared) -> bool:
    if not first.postal_code or first.postal_code != second.postal_code:
        return False
    address = normalise_address(first.address)
    return bool(address) and address == normalise_address(second.address)


def same_siren_reason(first: Compared, second: Compared) -> str | None:
    """Why two establishments of one SIREN look like the same one, or None."""
    if same_address(first, second):
        return SAME_SIREN_ADDRESS
    both_open_and_verified = first.verified and second.verified and first.active and second.active
    if both_open_and_verified or not similar_names(first.search_name, second.search_name):
        return None
    return CLOSED_SAME_SIREN if first.verified and second.verified else UNVERIFIED_SAME_SIREN


def compared(alias) -> list:
    """The columns the comparison reads."""
    return [getattr(alias, name) for name in Compared._fields]


def sides(row: Row) -> tuple[Compared, Compared]:
    """Both companies' compared columns from a joined row."""
    width = len(Compared._fields)
    return Compared(*row[:width]), Compared(*row[width:])


def not_dismissed(first_id, second_id) -> ColumnElement[bool]:
    """SQL: the pair was not dismissed, in either order."""
    return ~sa.exists().where(sa.or_(
        sa.and_(DuplicateDismissal.company_id == first_id, DuplicateDismissal.other_id == second_id),
        sa.and_(DuplicateDismissal.company_id == second_id, DuplicateDismissal.other_id == first_id),
    ))


def same_siren_candidates(company: Company | None) -> list[Row]:
    """Pairs of one SIREN worth comparing: one unverified or closed, or two open verified ones
    at the same address as written in SIRENE (the others are distinct establishments)."""
    a, b = aliased(Company), aliased(Company)
    query = (
        sa.select(*compared(a), *compared(b))
        .join_from(a, b, sa.and_(b.siren == a.siren, b.id > a.id))
        .where(sa.or_(~a.verified, ~b.verified, ~a.active, ~b.active, sa.and_(
                   a.postal_code == b.postal_code, sa.func.lower(a.address) == sa.func.lower(b.address))),
               not_dismissed(a.id, b.id))
    )
    if company is not None:
        query = query.where(a.siren == company.siren, sa.or_(a.id == company.id, b.id == company.id))
    return list(db.session.execute(query))


def unverified_candidates(company: Company | None) -> list[Row]:
    """Unverified companies (u) against verified ones (v) with the same name in the same commune."""
    u, v = aliased(Company), aliased(Company)
    query = (
        sa.select(u.id.label("u_id"), v.id.label("v_id"))
        .join_from(u, v, sa.and_(v.search_name == u.search_name, v.commune_code == u.commune_code))
        .where(~u.verified, v.verified, not_dismissed(u.id, v.id))
    )
    if company is not None:
        query = query.where((v if company.verified else u).id == company.id)
    return list(db.session.execute(query))


def ordered(first: Compared, second: Compared, reason: str) -> DuplicatePair:
    """Keep the verified one by default, then the open one, else the older one."""
    if (second.verified, second.active) > (first.verified, first.active):
        return DuplicatePair(second.id, first.id, reason)
    return DuplicatePair(first.id, second.id, reason)


def find_pairs(company: Company | None = None) -> list[DuplicatePair]:
    """Every likely duplicate pair (or those of one company), newest company first."""
    pairs: dict[frozenset, DuplicatePair] = {}
    for row in same_siren_candidates(company):
        first, second = sides(row)
        reason = same_siren_reason(first, second)
        if reason:
            pairs[frozenset((first.id, second.id))] = ordered(first, second, reason)
    for row in unverified_candidates(company):
        pairs.setdefault(frozenset((row.u_id, row.v_id)),
                         DuplicatePair(row.v_id, row.u_id, UNVERIFIED_SAME_COMMUNE))
    return sorted(pairs.values(), key=lambda pair: -max(pair.keep_id, pair.absorb_id))


def with_companies(pairs: list[DuplicatePair] | list[DuplicateCandidate]) -> list[PairOfCompanies]:
    """The pairs with both companies loaded in one query."""
    ids = {pair.keep_id for pair in pairs} | {pair.absorb_id for pair in pairs}
    query = sa.select(Company).where(Company.id.in_(ids)).options(joinedload(Company.commune))
    loaded = {company.id: company for company in db.session.scalars(query)} if ids else {}
    return [PairOfCompanies(loaded[pair.keep_id], loaded[pair.absorb_id], pair.reason)
            for pair in pairs]


def pairs_computed_at() -> datetime | None:
    """When the stored pairs were last computed; None before the first run."""
    stamp = db.session.get(TableRefresh, PAIRS)
    return stamp.refreshed_at if stamp else None


def store(pairs: list[DuplicatePair]) -> None:
    if pairs:
        db.session.execute(sa.insert(DuplicateCandidate), [
            {"keep_id": pair.keep_id, "absorb_id": pair.absorb_id, "reason": pair.reason,
             "newest_id": max(pair.keep_id, pair.absorb_id)} for pair in pairs])


def refresh_pairs() -> int:
    """Find every pair again and store them, in the current transaction; returns how many."""
    pairs = find_pairs()
    db.session.execute(sa.delete(DuplicateCandidate))
    store(pairs)
    stamp = db.session.get(TableRefresh, PAIRS) or TableRefresh(name=PAIRS)
    stamp.refreshed_at = utcnow()
    db.session.add(stamp)
    db.session.flush()
    return len(pairs)


def forget_pairs_of(company_id: int) -> None:
    """Drop the stored pairs of a firm."""
    db.session.execute(sa.delete(DuplicateCandidate).where(sa.or_(
        DuplicateCandidate.keep_id == company_id, DuplicateCandidate.absorb_id == company_id)))


def refresh_pairs_of(company: Company) -> None:
    """Find a firm's pairs again and store them in place of its stored ones (after a merge)."""
    forget_pairs_of(company.id)
    if pairs_computed_at() is not None:
        store(find_pairs(company))


def pair_page(company: Company | None = None) -> Pagination:
    """The page asked for in ?page= of the likely duplicates, companies loaded: one firm's found
    now; all of them as last stored, newest firm first (found now before the first computation)."""
    size = current_app.config["PAGE_SIZE"]
    page: Pagination
    if company is None and pairs_computed_at() is not None:
        page = db.paginate(sa.select(DuplicateCandidate).order_by(
            DuplicateCandidate.newest_id.desc(), DuplicateCandidate.keep_id,
            DuplicateCandidate.absorb_id), per_page=size, max_per_page=size)
    else:
        page = ListPagination(per_page=size, max_per_page=size, rows=find_pairs(company))
    page.items = with_companies(page.items)
    return page


def dismiss(first: Company, second: Company, actor: User | None) -> bool:
    """Record that two companies are not duplicates; False when it was already recorded."""
    low, high = sorted((first, second), key=lambda company: company.id)
    if low.id == high.id or db.session.get(DuplicateDismissal, (low.id, high.id)) is not None:
        return False
    db.session.add(DuplicateDismissal(company_id=low.id, other_id=high.id,
                                      dismissed_by_id=actor.id if actor else None))
    db.session.execute(sa.delete(DuplicateCandidate).where(
        DuplicateCandidate.keep_id.in_((low.id, high.id)),
        DuplicateCandidate.absorb_id.in_((low.id, high.id))))
    audit.record(actor, "duplicate_dismissed", low, {"other_id": high.id, "other_siret": high.siret})
    return True
