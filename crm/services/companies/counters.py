"""A firm's denormalised counters: `companies.open_needs_count` (its open hiring needs) and
`companies.last_contact_at` (its last ledger entry), which the list's "besoin ouvert" and
"contacté / pas contacté" filters read from indexes instead of a subquery per firm; and on each of
its ledger entries, `previous_contact_at` (the firm's entry just before, by instant then id; None
for its first) and `gap_scale` (the scale of the silence between them, `gap_scale()`), from which
the committee dashboards find the firms not contacted again within a period
(`indicators/figures.py`, docs/indicators.md).

`refresh(company_ids)` recomputes them from `hiring_needs` and `interactions`, in the caller's
transaction. Every change that moves them goes through it:
- ORM writes (a need filed, closed, reopened, moved to another firm or deleted; an interaction
  logged, edited, moved or deleted, a visit done or undone): the session hook
  `refresh_after_flush` calls it after each flush for the firms those rows belonged to, before
  and after the change;
- set-based writes call it themselves: the company merge (`merge.merge`), the demo seed
  (`crm/demo/seed.py`); the bench loaders call `refresh_all`. The privacy erasure only rewrites
  text: nothing the counters read.
`differences()` recomputes them for every firm and lists those that disagree
(`flask check-counters`; `--repair` refreshes them).

Concurrency: `refresh` first locks the firms' rows (PostgreSQL `FOR NO KEY UPDATE`: it does not
wait on the key-share locks that inserting a need or an interaction takes on its firm, which would
deadlock two such transactions), then recomputes in a new statement, whose snapshot (READ
COMMITTED) sees every transaction that changed them and committed before: of two transactions
logging a contact with one firm, the one that commits last writes counters that count both.
SQLite serialises writers.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, attributes, scoped_session

from crm.extensions import db
from crm.models import Company, HiringNeed, Interaction

BATCH = 500
FIRST_SCALE = 20  # a firm's first entry: a silence longer than any other (2**20 days)
NEED_FIELDS = ("status", "company_id")
INTERACTION_FIELDS = ("occurred_at", "company_id")


def open_needs_of_company() -> sa.ScalarSelect:
    return (sa.select(sa.func.count(HiringNeed.id))
            .where(HiringNeed.company_id == Company.id, HiringNeed.is_open).scalar_subquery())


def last_contact_of_company() -> sa.ScalarSelect:
    return (sa.select(sa.func.max(Interaction.occurred_at))
            .where(Interaction.company_id == Company.id).scalar_subquery())


def recomputed() -> dict:
    """The SET clause: both counters from their tables; updated_at left as it is (a counter moving
    is not an edit of the firm)."""
    return {"open_needs_count": open_needs_of_company(), "last_contact_at": last_contact_of_company(),
            "updated_at": Company.updated_at}


def gap_scale(previous: datetime | None, moment: datetime) -> int:
    """The scale of the silence before a ledger entry: n with 2**n <= whole days since the firm's
    previous entry + 1 < 2**(n + 1); FIRST_SCALE for its first entry."""
    if previous is None:
        return FIRST_SCALE
    return min(((moment - previous).days + 1).bit_length() - 1, FIRST_SCALE - 1)


def scales_of_silences(days: int) -> list[int]:
    """Every scale a silence of at least `days` whole days may have, a first entry's included."""
    return list(range((days + 1).bit_length() - 1, FIRST_SCALE + 1))


class Fix(NamedTuple):
    entry_id: int
    company_id: int
    previous: datetime | None
    scale: int


def ledger_fixes(rows: Iterable[Sequence[Any]]) -> list[Fix]:
    """The entries whose stored previous contact or scale is wrong, with the right ones; `rows`:
    (id, firm, instant, stored previous contact, stored scale) in each firm's order."""
    fixes, firm, previous = [], None, None
    for key, company_id, moment, stored_previous, stored_scale in rows:
        if company_id != firm:
            firm, previous = company_id, None
        scale = gap_scale(previous, moment)
        if (stored_previous, stored_scale) != (previous, scale):
            fixes.append(Fix(key, company_id, previous, scale))
        previous = moment
    return fixes


def ledger_fixes_of(connection: sa.Connection, company_ids: list[int]) -> list[Fix]:
    """`ledger_fixes` of these firms' entries (read through the index (firm, date))."""
    query = (sa.select(Interaction.id, Interaction.company_id, Interaction.occurred_at,
                       Interaction.previous_contact_at, Interaction.gap_scale)
             .where(Interaction.company_id.in_(company_ids))
             .order_by(Interaction.company_id, Interaction.occurred_at, Interaction.id))
    return ledger_fixes(connection.execute(query))


def fix_ledger(connection: sa.Connection, fixes: list[Fix]) -> None:
    if fixes:
        table = Interaction.__table__
        connection.execute(sa.update(table).where(table.c.id == sa.bindparam("entry_id"))
                           .values(previous_contact_at=sa.bindparam("previous"),
                                   gap_scale=sa.bindparam("scale")),
                           [{"entry_id": fix.entry_id, "previous": fix.previous, "scale": fix.scale}
                            for fix in fixes])


def refresh(company_ids: Iterable[int], session: Session | None = None) -> None:
    """Recompute the counters of these firms and of their ledger entries in the current
    transaction (of `session`, by default the application's)."""
    in_use: Session | scoped_session = session or db.session
    ids = sorted({key for key in company_ids if key is not None})
    connection = in_use.connection()
    fixed = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        connection.execute(sa.select(Company.id).where(Company.id.in_(chunk))
                           .order_by(Company.id).with_for_update(key_share=True))
        connection.execute(sa.update(Company).where(Company.id.in_(chunk)).values(recomputed())
                           .execution_options(synchronize_session=False))
        fixes = ledger_fixes_of(connection, chunk)
        fix_ledger(connection, fixes)
        fixed += [(Interaction, fix.entry_id) for fix in fixes]
    # loaded firms and entries read the new values on their next access
    for model, key in [*((Company, key) for key in ids), *fixed]:
        loaded = in_use.identity_map.get(sa.inspect(model).identity_key_from_primary_key((key,)))
        if loaded is not None:
            in_use.expire(loaded, COUNTER_FIELDS[model])


def refresh_all() -> None:
    """Recompute every firm's counters and ledger entries (after a bulk load that bypassed the
    session)."""
    db.session.execute(sa.update(Company).values(recomputed())
                       .execution_options(synchronize_session=False))
    connection = db.session.connection()
    for chunk in company_chunks():
        fix_ledger(connection, ledger_fixes_of(connection, chunk))
    db.session.expire_all()


def company_chunks() -> Iterator[list[int]]:
    """Every firm's id, BATCH at a time."""
    ids = list(db.session.scalars(sa.select(Company.id).order_by(Company.id)))
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


COUNTER_FIELDS = {Company: ["open_needs_count", "last_contact_at"],
                  Interaction: ["previous_contact_at", "gap_scale"]}
DELETED_KEY = "counters_deleted_companies"


def counted(item: object) -> bool:
    return isinstance(item, HiringNeed | Interaction)


def firms_of(item: HiringNeed | Interaction) -> set[int]:
    """The item's firm, and the one it was moved from in this flush."""
    return {item.company_id, *(attributes.get_history(item, "company_id").deleted or ())}


def moved(item: object) -> bool:
    """A need or interaction changed in a field the counters read."""
    fields = NEED_FIELDS if isinstance(item, HiringNeed) else INTERACTION_FIELDS
    return counted(item) and any(attributes.get_history(item, field).has_changes() for field in fields)


@sa.event.listens_for(Session, "before_flush")
def note_deleted(session: Session, _flush_context, _instances) -> None:
    """The firms of the needs and interactions about to be deleted (read while still loadable)."""
    ids = session.info.setdefault(DELETED_KEY, set())
    for item in session.deleted:
        if counted(item):
            ids.update(firms_of(item))


@sa.event.listens_for(Session, "after_flush")
def refresh_after_flush(session: Session, _flush_context) -> None:
    """Keep the counters of the firms this flush touched, in its transaction: of needs and
    interactions added, deleted, or changed in a field the counters read (their firm before and
    after a move)."""
    ids: set[int] = session.info.pop(DELETED_KEY, set())
    for item in session.new:
        if counted(item):
            ids.update(firms_of(item))
    for item in session.dirty:
        if moved(item):
            ids.update(firms_of(item))
    if ids:
        refresh(ids, session)


for model in (HiringNeed, Interaction):  # the firm a need or an interaction is moved from
    sa.event.listen(model.company_id, "set", lambda target, value, old, initiator: value,
                    active_history=True, retval=True)


@dataclass(frozen=True)
class Difference:
    company_id: int
    stored_open_needs: int
    open_needs: int
    stored_last_contact: datetime | None
    last_contact: datetime | None
    wrong_entries: int  # ledger entries whose previous contact or scale is wrong


def wrong_entries_by_firm() -> Counter[int]:
    """How many ledger entries of each firm have a wrong previous contact or scale."""
    connection = db.session.connection()
    return Counter(fix.company_id for chunk in company_chunks()
                   for fix in ledger_fixes_of(connection, chunk))


def differences(limit: int = 100) -> list[Difference]:
    """Firms whose stored counters, or the previous contacts of whose ledger entries, differ from
    a recomputation (at most `limit`)."""
    wrong = wrong_entries_by_firm()
    needs, contact = open_needs_of_company(), last_contact_of_company()
    query = (sa.select(Company.id.label("company_id"), Company.open_needs_count.label("stored_open_needs"),
                       needs.label("open_needs"), Company.last_contact_at.label("stored_last_contact"),
                       contact.label("last_contact"))
             .where(sa.or_(Company.open_needs_count != needs,
                           Company.last_contact_at.is_distinct_from(contact),
                           Company.id.in_(sorted(wrong)[:limit])))
             .order_by(Company.id).limit(limit))
    return [Difference(**row._asdict(), wrong_entries=wrong[row.company_id])
            for row in db.session.execute(query)]
