"""The committee dashboards computed ahead by the nightly job (`services/indicators/aggregates.py`):
one row per territory and period, with every figure of the period, the previous period and the
same period a year before, and when they were computed (docs/indicators.md, Performance)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import Model
from crm.models.base import utcnow


class IndicatorSnapshot(Model):
    __tablename__ = "indicator_snapshots"
    __table_args__ = (sa.UniqueConstraint("level", "code", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16))  # scope.Level
    code: Mapped[str] = mapped_column(sa.String(8))
    period_start: Mapped[date]
    period_end: Mapped[date]
    # {"current" | "previous" | "year_before": {indicator key: value, null when not available}}
    figures: Mapped[dict] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
