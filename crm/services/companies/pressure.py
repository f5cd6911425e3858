"""Contact pressure: how often, and by whom, a firm was contacted recently, read from the shared
ledger, so that no actor over-solicits it. It warns; it never blocks.

Counted contacts are the ledger entries where an actor reached out to the firm (visits, calls,
e-mails, meetings, events); the employer's own requests and partners' flags are not solicitations.
A task-force visit writes one ledger row per organisation taking part: the firm met people once, so
the visit is one contact in the firm's totals, and every organisation present is among the
organisations that contacted it (each one's own counts include the visit).
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

    def as_api(self, details: bool) -> dict:
        """The fields the API publishes: partners get the level only, never the network's counts
        nor the firm's do-not-contact date (null)."""
        if not details:
            return {"contacts_7d": None, "contacts_30d": None, "organisations_30d": None,
                    "level": self.level.value, "do_not_contact_before": None}
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


def _counted(now: datetime, days: int) -> sa.ColumnElement[int]:
    """SQL: 1 for a ledger entry of the last `days` days, else 0."""
    return sa.func.sum(sa.case((Interaction.occurred_at >= _since(now, days), 1), else_=0))


def _distinct_contacts(now: datetime, days: int) -> sa.ColumnElement[int]:
    """SQL: the contacts the firm received in the last `days` days, a shared visit once (its
    ledger rows, one per organisation present, are one contact)."""
    recent = Interaction.occurred_at >= _since(now, days)
    single = sa.func.sum(sa.case((sa.and_(recent, Interaction.visit_id.is_(None)), 1), else_=0))
    visits = sa.func.count(sa.distinct(sa.case((recent, Interaction.visit_id), else_=None)))
    return sa.func.coalesce(single, 0) + visits


def _contacts() -> sa.ColumnElement[bool]:
    """Solicitations: the contact kinds of the ledger."""
    return Interaction.kind.in_(CONTACT_KINDS)


def _assess(rows: list[OrganisationContacts], total_30: int, dnc: date | None,
            viewer_org: int | None, limits: Thresholds, now: datetime) -> tuple[PressureLevel, list[str]]:
    """The level and its reasons, in French, from the firm's contacts in 30 days and the
    per-organisation counts."""
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
    totals = (
        sa.select(_distinct_contacts(now, 7), _distinct_contacts(now, 30), _distinct_contacts(now, 90))
        .where(Interaction.company_id == company.id, _contacts(),
               Interaction.occurred_at >= _since(now, 90), Interaction.occurred_at <= now)
    )
    total_7, total_30, total_90 = db.session.execute(totals).one()
    level, reasons = _assess(rows, total_30, company.do_not_contact_before, viewer_organisation_id,
                             thresholds(), now)
    return Pressure(
        contacts_7d=total_7, contacts_30d=total_30, contacts_90d=total_90,
        organisations_30d=sum(1 for r in rows if r.contacts_30d), by_organisation=rows,
        level=level, reasons=reasons, do_not_contact_before=company.do_not_contact_before,
    )


def levels_for(company_ids: list[int], viewer_organisation_id: int | None,
               now: datetime | None = None) -> dict[int, PressureLevel]:
    """The pressure level of each listed firm, in three queries whatever the number of firms."""
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
    totals = dict(db.session.execute(
        sa.select(Interaction.company_id, _distinct_contacts(now, 30))
        .where(Interaction.company_id.in_(company_ids), _contacts(),
               Interaction.occurred_at >= _since(now, 30), Interaction.occurred_at <= now)
        .group_by(Interaction.company_id)).all())
    dnc = dict(db.session.execute(sa.select(Company.id, Company.do_not_contact_before)
                                  .where(Company.id.in_(company_ids))).all())
    return {company_id: _assess(rows.get(company_id, []), totals.get(company_id, 0), dnc.get(company_id),
                                viewer_organisation_id, limits, now)[0] for company_id in company_ids}
