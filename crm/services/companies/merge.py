"""Merging two records of one company: every linked record moves to the survivor, the chosen values
are kept, the absorbed company is deleted and the merge is written to the audit trail, in one
transaction.

Linked tables are found in the metadata (every foreign key to companies.id), so a new table is moved
too. A plain update would break a unique constraint on the company column: those tables need a
handler in HANDLERS (`unhandled_links` lists the missing ones; the tests require it to be empty).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa

from crm.extensions import db
from crm.models import (
    ChecklistItem,
    Company,
    CompanyScore,
    DuplicateDismissal,
    EventCompany,
    PlanTarget,
    User,
)
from crm.services.companies import counters, duplicates
from crm.services.platform import audit
from crm.services.platform.refusals import Refused

SURVIVOR, ABSORBED = "survivor", "absorbed"
FILLED_IF_EMPTY = ("created_on", "employer")
# computed from the firms, not moved: the absorbed firm's rows go with it (ON DELETE CASCADE), the
# survivor's are found again once merged
RECOMPUTED = {"duplicate_pairs"}
LINK_LABELS = {
    "contacts": "Contacts",
    "interactions": "Échanges du journal des contacts",
    "hiring_needs": "Besoins de recrutement",
    "visits": "Visites",
    "tasks": "Tâches",
    "plan_targets": "Cibles de plans de prospection",
    "event_companies": "Participations à des événements",
    "training_requests": "Demandes de formation avant embauche",
    "duplicate_dismissals": "Paires écartées des doublons",
    "company_projects": "Projets de l'entreprise",
    "company_scores": "Score de probabilité d'embauche",
    "checklist_items": "Lignes de listes à vérifier par des partenaires",
}


class MergeRefused(Refused):
    """A merge that must not happen, with the reason in French."""


@dataclass(frozen=True)
class ChoiceField:
    """A value the person merging chooses from one company or the other (the first column shown)."""

    key: str
    label: str
    columns: tuple[str, ...]


CHOICES = (
    ChoiceField("name", "Raison sociale", ("name", "search_name")),
    ChoiceField("sign", "Enseigne", ("sign",)),
    ChoiceField("naf", "Activité (NAF)", ("naf_code", "naf2025_code")),
    ChoiceField("headcount_band", "Tranche d'effectif", ("headcount_band",)),
    ChoiceField("address", "Adresse", ("address", "latitude", "longitude")),
    ChoiceField("postal_code", "Code postal", ("postal_code",)),
    ChoiceField("commune", "Commune", ("commune_code", "basin_code")),
    ChoiceField("referent", "Conseiller référent", ("referent_id",)),
    ChoiceField("do_not_contact_before", "Ne pas contacter avant", ("do_not_contact_before",)),
    ChoiceField("preferred_channel", "Canal préféré", ("preferred_channel",)),
)


@dataclass(frozen=True)
class Link:
    """A foreign key column pointing at companies.id."""

    table: sa.Table
    column: sa.Column


@dataclass(frozen=True)
class MergeReport:
    survivor_id: int
    absorbed_id: int
    absorbed_siret: str
    absorbed_name: str
    moved: dict[str, int]
    taken: list[str]

    @property
    def total_moved(self) -> int:
        return sum(self.moved.values())


def company_links() -> list[Link]:
    """Every column of the schema referencing companies.id (but those of tables RECOMPUTED)."""
    target = Company.__table__.c.id
    return [Link(table, key.parent) for table in db.metadata.sorted_tables
            for key in table.foreign_keys if key.column is target and table.name not in RECOMPUTED]


def unique_with(link: Link) -> bool:
    """Whether the column is part of a primary key, unique constraint or unique index."""
    groups = [link.table.primary_key.columns]
    groups += [c.columns for c in link.table.constraints if isinstance(c, sa.UniqueConstraint)]
    groups += [index.columns for index in link.table.indexes if index.unique]
    return bool(link.column.unique) or any(link.column.name in group for group in groups)


def linked_counts(company: Company) -> dict[str, int]:
    """How many records of each linked table point at the company (one query; zeros left out)."""
    counts = sa.union_all(*(
        sa.select(sa.literal(link.table.name).label("name"), sa.func.count().label("rows"))
        .select_from(link.table).where(link.column == company.id)
        for link in company_links()))
    totals: dict[str, int] = {}
    for name, rows in db.session.execute(counts):
        if rows:
            totals[name] = totals.get(name, 0) + rows
    return totals


def needs_confirmation(survivor: Company, absorbed: Company) -> bool:
    """Two verified establishments have two real SIRETs: merging them must be confirmed."""
    return survivor.verified and absorbed.verified


def empty(value) -> bool:
    return value is None or value == "" or value == []


def default_choices(survivor: Company, absorbed: Company) -> dict[str, str]:
    """Each value from the verified company, else from the one that has it; the survivor's otherwise."""
    prefer_absorbed = absorbed.verified and not survivor.verified
    choices = {}
    for field in CHOICES:
        mine, theirs = (getattr(c, field.columns[0]) for c in (survivor, absorbed))
        take = (empty(mine) and not empty(theirs)) or (prefer_absorbed and not empty(theirs))
        choices[field.key] = ABSORBED if take else SURVIVOR
    return choices


# a table of one row per (company, key)
FoldedRow = TypeVar("FoldedRow", PlanTarget, EventCompany, ChecklistItem)


def fold_rows(model: type[FoldedRow], key: str, survivor: Company, absorbed: Company,
              combine: Callable[[FoldedRow, FoldedRow], None]) -> None:
    """Move the absorbed firm's rows of a table holding one row per (company, key); where the
    survivor already has a row for the same key, `combine` folds the absorbed one into it."""
    theirs = {getattr(row, key): row for row in db.session.scalars(
        sa.select(model).where(model.company_id == absorbed.id))}
    for mine in db.session.scalars(sa.select(model).where(
            model.company_id == survivor.id, getattr(model, key).in_(list(theirs)))):
        other = theirs.pop(getattr(mine, key))
        combine(mine, other)
        db.session.delete(other)
    for row in theirs.values():
        row.company_id = survivor.id
    db.session.flush()


def combine_targets(mine: PlanTarget, other: PlanTarget) -> None:
    """Both firms targeted by one plan: the survivor's target keeps the higher priority."""
    mine.assignee_id = mine.assignee_id or other.assignee_id
    mine.priority = min(mine.priority, other.priority)


def combine_participations(mine: EventCompany, other: EventCompany) -> None:
    """Both firms at one event: positions and outcomes add up, linked needs are joined."""
    mine.positions += other.positions
    mine.interviews += other.interviews
    mine.hires += other.hires
    mine.needs.extend(need for need in other.needs if need not in mine.needs)


def combine_checklist_answers(mine: ChecklistItem, other: ChecklistItem) -> None:
    """Both firms on one check-list: the survivor keeps the partner's answer if it has none."""
    if mine.answer is None and other.answer is not None:
        for column in ("answer", "answered_at", "answered_by_id", "answered_by_email", "need_id"):
            setattr(mine, column, getattr(other, column))


def merge_checklist_items(survivor: Company, absorbed: Company) -> None:
    fold_rows(ChecklistItem, "checklist_id", survivor, absorbed, combine_checklist_answers)


def drop_absorbed_score(survivor: Company, absorbed: Company) -> None:
    """The score is the survivor's; the nightly job recomputes it with the moved records."""
    db.session.execute(sa.delete(CompanyScore).where(CompanyScore.company_id == absorbed.id))


def merge_plan_targets(survivor: Company, absorbed: Company) -> None:
    fold_rows(PlanTarget, "plan_id", survivor, absorbed, combine_targets)


def merge_event_companies(survivor: Company, absorbed: Company) -> None:
    fold_rows(EventCompany, "event_id", survivor, absorbed, combine_participations)


def dismissals_of(company: Company) -> list[DuplicateDismissal]:
    return list(db.session.scalars(sa.select(DuplicateDismissal).where(sa.or_(
        DuplicateDismissal.company_id == company.id, DuplicateDismissal.other_id == company.id))))


def merge_dismissals(survivor: Company, absorbed: Company) -> None:
    """Pairs dismissed with the absorbed company now hold for the survivor."""
    dismissed = {row.company_id + row.other_id - survivor.id for row in dismissals_of(survivor)}
    for row in dismissals_of(absorbed):
        other = row.company_id + row.other_id - absorbed.id
        if other not in dismissed | {survivor.id}:
            dismissed.add(other)
            low, high = sorted((survivor.id, other))
            db.session.add(DuplicateDismissal(company_id=low, other_id=high, dismissed_at=row.dismissed_at,
                                              dismissed_by_id=row.dismissed_by_id))
        db.session.delete(row)
    db.session.flush()


HANDLERS: dict[str, Callable[[Company, Company], None]] = {
    "plan_targets": merge_plan_targets,
    "event_companies": merge_event_companies,
    "duplicate_dismissals": merge_dismissals,
    "checklist_items": merge_checklist_items,
    "company_scores": drop_absorbed_score,
}


def unhandled_links() -> list[Link]:
    """Linked columns a plain update could break (unique) and that no handler covers."""
    return [link for link in company_links() if unique_with(link) and link.table.name not in HANDLERS]


def move_plain(link: Link, survivor: Company, absorbed: Company) -> None:
    """Point every row at the survivor; versioned rows get a new version (open edits are refused)."""
    values: dict[str, object] = {link.column.name: survivor.id}
    if "version" in link.table.c:
        values["version"] = link.table.c.version + 1
    db.session.execute(link.table.update().where(link.column == absorbed.id).values(values))


def move_links(survivor: Company, absorbed: Company) -> None:
    missing = unhandled_links()
    if missing:
        raise RuntimeError(f"merge cannot move {[str(link.column) for link in missing]}: add a handler")
    for link in company_links():
        if link.table.name not in HANDLERS:
            move_plain(link, survivor, absorbed)
    for handler in HANDLERS.values():
        handler(survivor, absorbed)


def apply_choices(survivor: Company, absorbed: Company, choices: dict[str, str]) -> list[str]:
    """Copy the values chosen from the absorbed company; tags add up, verified if either is."""
    taken = [field for field in CHOICES if choices.get(field.key) == ABSORBED]
    for field in taken:
        for column in field.columns:
            setattr(survivor, column, getattr(absorbed, column))
    for column in FILLED_IF_EMPTY:
        if getattr(survivor, column) is None:
            setattr(survivor, column, getattr(absorbed, column))
    survivor.tags = sorted(set(survivor.tags or []) | set(absorbed.tags or []))
    survivor.verified = survivor.verified or absorbed.verified
    survivor.diffusible = survivor.diffusible and absorbed.diffusible
    return [field.key for field in taken]


def check(survivor: Company, absorbed: Company, confirmed: bool) -> None:
    if survivor.id == absorbed.id:
        raise MergeRefused("Une entreprise ne peut pas être fusionnée avec elle-même.")
    if needs_confirmation(survivor, absorbed) and not confirmed:
        raise MergeRefused("Les deux entreprises sont vérifiées et ont chacune leur SIRET : "
                           "cochez la case de confirmation pour les fusionner quand même.")


def merge(survivor: Company, absorbed: Company, choices: dict[str, str], actor: User | None,
          confirmed: bool = False) -> MergeReport:
    """Merge `absorbed` into `survivor` and commit; `confirmed` is needed for two verified firms."""
    check(survivor, absorbed, confirmed)
    moved = linked_counts(absorbed)
    move_links(survivor, absorbed)
    taken = apply_choices(survivor, absorbed, choices)
    report = MergeReport(survivor.id, absorbed.id, absorbed.siret, absorbed.name, moved, taken)
    audit.record(actor, "merged", survivor, {
        "absorbed_id": absorbed.id, "absorbed_siret": absorbed.siret, "absorbed_name": absorbed.name,
        **{f"moved_{name}": count for name, count in moved.items()}, "taken_from_absorbed": taken})
    db.session.expire(absorbed, ["contacts"])
    db.session.delete(absorbed)
    db.session.flush()
    counters.refresh([survivor.id])  # its needs and interactions moved in set-based updates
    duplicates.refresh_pairs_of(survivor)
    return report
