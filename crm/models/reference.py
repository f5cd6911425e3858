"""Reference lists: NAF sub-classes, ROME job codes, headcount bands."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import Model


class NafCode(Model):
    """A NAF rév. 2 sub-class as written in SIRENE (e.g. 43.91A)."""

    __tablename__ = "naf_codes"

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(255))
    division: Mapped[str] = mapped_column(sa.String(2), index=True)
    division_label: Mapped[str] = mapped_column(sa.String(255))
    section: Mapped[str] = mapped_column(sa.String(1), index=True)
    section_label: Mapped[str] = mapped_column(sa.String(255))

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class RomeCode(Model):
    """A ROME 4.0 job code, flagged when the job is a BFC shortage occupation."""

    __tablename__ = "rome_codes"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(255))
    shortage: Mapped[bool] = mapped_column(default=False, index=True)
    shortage_sector: Mapped[str | None] = mapped_column(sa.String(80))

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class NafDivisionRome(Model):
    """A ROME code typical of a NAF division ('transverse' for every division)."""

    __tablename__ = "naf_division_rome"

    naf_division: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    rome_code: Mapped[str] = mapped_column(
        sa.ForeignKey("rome_codes.code", ondelete="CASCADE"), primary_key=True
    )


class HeadcountBand(Model):
    """An INSEE headcount band (trancheEffectifsEtablissement)."""

    __tablename__ = "headcount_bands"

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(80))
    min_employees: Mapped[int | None]
    max_employees: Mapped[int | None]

    def __str__(self) -> str:
        return self.label
