"""Contact pressure: how often, and by whom, a firm was contacted recently, read from the shared
ledger, so that no actor over-solicits it. It warns; it never blocks.

Counted contacts are the ledger entries where an actor reached out to the firm (visits, calls,
e-mails, meetings, events); the employer's own requests and partners' flags are not solicitations.
A task-force visit writes one ledger row per organisation taking part, but the firm received one
visit: it counts once, for the organisation that led it (its first row).
"""

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from crm.extensions import db
from crm.models import AppSetting, Company, Interaction, InteractionKind, Organisation, User
from crm.models.base import LabelledEnum, utcnow

SETTING_KEY = "contact_pressure"
CONTACT_KINDS = (InteractionKind.VISIT, InteractionKind.CALL, InteractionKind.EMAIL,
                 InteractionKind.MEETING, InteractionKind.EVENT)


class PressureLevel(LabelledEnum):
    NONE = "none", "Aucune"
    WARN = "warn", "Vigilance"
    HIGH = "high", "Forte"


@dataclass(frozen=True)
class Thresholds:
    """Administrator-set limits; the defaults follow the network's charter."""

    warn_contacts_30d: int = 3
    warn_organisations_30d: int = 2
    recent_other_days: int = 7
    high_contacts_30d: int = 6
    high_organisations_30d: int = 3


@dataclass(frozen=True)
class OrganisationContacts:
    organisation_id: int | None
    organisation_name: str
    contacts_7d: int
    contacts_30d: int
    contacts_90d: int
    last_at: datetime | None


@dataclass(frozen=True)
class Pressure:
    contacts_7d: int
    contacts_30d: int
    contacts_90d: int
    organisations_30d: int
    by_organisation: list[OrganisationContacts]
    level: PressureLevel
    reasons: list[str]
    do_not_contact_before: date | None

    def as_api(self) -> dict:
        """The fields the partner API publishes."""
        return {
            "contacts_7d": self.contacts_7d, "contacts_30d": self.contacts_30d,
            "organisations_30d": self.organisations_30d, "level": self.level.value,
            "do_not_contact_before": self.do_not_contact_before.isoformat()
            if self.do_not_contact_before else None,
        }


def thresholds() -> Thresholds:
    """The thresholds in force: the saved setting over the defaults."""
    setting = db.session.get(AppSetting, SETTING_KEY)
    saved = setting.value if setting else {}
    known = {f.name for f in fields(Thresholds)}
    return Thresholds(**{key: int(value) for key, value in saved.items() if key in known})


def save_thresholds(values: Thresholds, actor: User) -> AppSetting:
    """Store new thresholds (the caller commits)."""
    setting = db.session.get(AppSetting, SETTING_KEY) or AppSetting(key=SETTING_KEY)
    setting.value = asdict(values)
    setting.updated_by_id = actor.id
    db.session.add(setting)
    return setting


def _since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def _counted(now: datetime, days: int):
    """SQL: 1 for a ledger entry of the last `days` days, else 0."""
    return sa.func.sum(sa.case((Interaction.occurred_at >= _since(now, days), 1), else_=0))


def _contacts() -> sa.ColumnElement[bool]:
    """Solicitations: contact kinds, and a shared visit only through its lead row."""
    other = sa.orm.aliased(Interaction)
    lead_row = (sa.select(sa.func.min(other.id)).where(other.visit_id == Interaction.visit_id)
                .scalar_subquery())
    return sa.and_(Interaction.kind.in_(CONTACT_KINDS),
                   sa.or_(Interaction.visit_id.is_(None), Interaction.id == lead_row))


def _assess(rows: list[OrganisationContacts], dnc: date | None, viewer_org: int | None,
            limits: Thresholds, now: datetime) -> tuple[PressureLevel, list[str]]:
    """The level and its reasons, in French, from per-organisation counts."""
    total_30 = sum(row.contacts_30d for row in rows)
    orgs_30 = sum(1 for row in rows if row.contacts_30d)
    recent = _since(now, limits.recent_other_days)
    others = [row for row in rows
              if row.organisation_id != viewer_org and row.last_at and row.last_at >= recent]
    reasons = []
    if total_30 >= limits.warn_contacts_30d and orgs_30 >= limits.warn_organisations_30d:
        reasons.append(f"{total_30} contacts par {orgs_30} organisations ces 30 derniers jours.")
    for row in others:
        reasons.append(f"Contactée par {row.organisation_name} le {row.last_at:%d/%m/%Y}.")
    if dnc and dnc > now.date():
        reasons.append(f"L'entreprise demande à ne pas être contactée avant le {dnc:%d/%m/%Y}.")
    if total_30 >= limits.high_contacts_30d or orgs_30 >= limits.high_organisations_30d:
        return PressureLevel.HIGH, reasons or [f"{total_30} contacts ces 30 derniers jours."]
    return (PressureLevel.WARN if reasons else PressureLevel.NONE), reasons


def pressure_of(company: Company, viewer_organisation_id: int | None,
                now: datetime | None = None) -> Pressure:
    """The firm's contact pressure seen by an organisation (contacts by others weigh more)."""
    now = now or utcnow()
    query = (
        sa.select(Interaction.organisation_id, Organisation.name, _counted(now, 7), _counted(now, 30),
                  sa.func.count(), sa.func.max(Interaction.occurred_at))
        .outerjoin(Organisation, Organisation.id == Interaction.organisation_id)
        .where(Interaction.company_id == company.id, _contacts(),
               Interaction.occurred_at >= _since(now, 90), Interaction.occurred_at <= now)
        .group_by(Interaction.organisation_id, Organisation.name)
    )
    rows = [OrganisationContacts(org, name or "Organisation inconnue", c7 or 0, c30 or 0, c90, last)
            for org, name, c7, c30, c90, last in db.session.execute(query)]
    rows.sort(key=lambda row: row.last_at or now, reverse=True)
    level, reasons = _assess(rows, company.do_not_contact_before, viewer_organisation_id, thresholds(), now)
    return Pressure(
        contacts_7d=sum(r.contacts_7d for r in rows), contacts_30d=sum(r.contacts_30d for r in rows),
        contacts_90d=sum(r.contacts_90d for r in rows),
        organisations_30d=sum(1 for r in rows if r.contacts_30d), by_organisation=rows,
        level=level, reasons=reasons, do_not_contact_before=company.do_not_contact_before,
    )


def levels_for(company_ids: list[int], viewer_organisation_id: int | None,
               now: datetime | None = None) -> dict[int, PressureLevel]:
    """The pressure level of each listed firm, in two queries whatever the number of firms."""
    if not company_ids:
        return {}
    now = now or utcnow()
    limits = thresholds()
    window = max(30, limits.recent_other_days)
    query = (
        sa.select(Interaction.company_id, Interaction.organisation_id, _counted(now, 30),
                  sa.func.max(Interaction.occurred_at))
        .where(Interaction.company_id.in_(company_ids), _contacts(),
               Interaction.occurred_at >= _since(now, window), Interaction.occurred_at <= now)
        .group_by(Interaction.company_id, Interaction.organisation_id)
    )
    rows: dict[int, list[OrganisationContacts]] = {}
    for company_id, org, c30, last in db.session.execute(query):
        rows.setdefault(company_id, []).append(OrganisationContacts(org, "", 0, c30 or 0, 0, last))
    dnc = dict(db.session.execute(sa.select(Company.id, Company.do_not_contact_before)
                                  .where(Company.id.in_(company_ids))).all())
    return {company_id: _assess(rows.get(company_id, []), dnc.get(company_id), viewer_organisation_id,
                                limits, now)[0] for company_id in company_ids}
