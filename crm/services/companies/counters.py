"""A firm's denormalised counters: `companies.open_needs_count` (its open hiring needs) and
`companies.last_contact_at` (its last ledger entry), which the list's "besoin ouvert" and
"contacté / pas contacté" filters read from indexes instead of a subquery per firm.

`refresh(company_ids)` recomputes both from `hiring_needs` and `interactions`, in the caller's
transaction. Every change that moves them goes through it:
- ORM writes (a need filed, closed, reopened, moved to another firm or deleted; an interaction
  logged, edited, moved or deleted, a visit done or undone): the session hook
  `refresh_after_flush` calls it after each flush for the firms those rows belonged to, before
  and after the change;
- set-based writes call it themselves: the company merge (`merge.merge`), the demo seed
  (`crm/demo/seed.py`); the bench loaders call `refresh_all`. The privacy erasure only rewrites
  text: nothing the counters read.
`differences()` recomputes them for every firm and lists those that disagree
(`flask check-counters`).

Concurrency: `refresh` first locks the firms' rows (PostgreSQL `FOR NO KEY UPDATE`: it does not
wait on the key-share locks that inserting a need or an interaction takes on its firm, which would
deadlock two such transactions), then recomputes in a new statement, whose snapshot (READ
COMMITTED) sees every transaction that changed them and committed before: of two transactions
logging a contact with one firm, the one that commits last writes counters that count both.
SQLite serialises writers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, attributes, scoped_session

from crm.extensions import db
from crm.models import Company, HiringNeed, Interaction

BATCH = 500
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


def refresh(company_ids: Iterable[int], session: Session | None = None) -> None:
    """Recompute the counters of these firms in the current transaction (of `session`, by
    default the application's)."""
    in_use: Session | scoped_session = session or db.session
    ids = sorted({key for key in company_ids if key is not None})
    connection = in_use.connection()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        connection.execute(sa.select(Company.id).where(Company.id.in_(chunk))
                           .order_by(Company.id).with_for_update(key_share=True))
        connection.execute(sa.update(Company).where(Company.id.in_(chunk)).values(recomputed())
                           .execution_options(synchronize_session=False))
    for key in ids:  # loaded firms read the new values on their next access
        loaded = in_use.identity_map.get(sa.inspect(Company).identity_key_from_primary_key((key,)))
        if loaded is not None:
            in_use.expire(loaded, ["open_needs_count", "last_contact_at"])


def refresh_all() -> None:
    """Recompute every firm's counters (after a bulk load that bypassed the session)."""
    db.session.execute(sa.update(Company).values(recomputed())
                       .execution_options(synchronize_session=False))
    db.session.expire_all()


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


def differences(limit: int = 100) -> list[Difference]:
    """Firms whose stored counters differ from a recomputation (at most `limit`)."""
    needs, contact = open_needs_of_company(), last_contact_of_company()
    query = (sa.select(Company.id.label("company_id"), Company.open_needs_count.label("stored_open_needs"),
                       needs.label("open_needs"), Company.last_contact_at.label("stored_last_contact"),
                       contact.label("last_contact"))
             .where(sa.or_(Company.open_needs_count != needs,
                           Company.last_contact_at.is_distinct_from(contact)))
             .order_by(Company.id).limit(limit))
    return [Difference(**row._asdict()) for row in db.session.execute(query)]
