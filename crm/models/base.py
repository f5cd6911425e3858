"""Declarative base, naming convention, enumerations with French labels and shared column helpers."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Self

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm.clock import utcnow  # noqa: F401  (re-exported: the project's one clock)
from crm.extensions import Base, db  # noqa: F401  (re-exported for the model modules)


class LabelledEnum(StrEnum):
    """A string enumeration whose members carry a French label for display."""

    label: str

    if TYPE_CHECKING:
        # What type checkers must see: a call such as NeedStatus("open") is a lookup by value.
        def __new__(cls, value: str) -> Self: ...
    else:
        # Builds the members from their (value, label) pairs.
        def __new__(cls, value: str, label: str):
            member = str.__new__(cls, value)
            member._value_ = value
            member.label = label
            return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


def enum_type(enum: type[LabelledEnum], name: str) -> sa.Enum:
    """A portable enumeration column type: VARCHAR plus a CHECK constraint on every database."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Timestamped:
    """Creation and last-change times, set by the application."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


SEARCH_TABLES = "companies_search_fts"  # SQLite FTS5 index and its shadow tables (migration 0009)


def exists_on(obj: sa.schema.SchemaItem, dialect: str) -> bool:
    """Whether a schema item exists on a dialect (an index declared with ddl_if may not)."""
    condition = getattr(obj, "_ddl_if", None)
    return condition is None or condition.dialect in (None, dialect)


def compared_by_autogenerate(obj, name, type_, reflected, dialect: str) -> bool:
    """Alembic's include_object: leave out what only one dialect has (ddl_if indexes, the
    SQLite full-text search tables that migrations manage by hand)."""
    if reflected:
        return not (type_ == "table" and name.startswith(SEARCH_TABLES))
    return exists_on(obj, dialect)
