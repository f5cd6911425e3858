"""Segments: criteria picking firms for a prospection plan's target list, the protocol's seven
priority segments as presets, and saved segments.

Criteria combine with AND; each list criterion matches any of its values. Every segment leaves out
closed establishments and firms that asked not to be contacted before a date still to come. One
SQL condition builder (`conditions`) serves the count, the preview and the addition to a plan's
targets, so the three always agree.

- basins, communes (INSEE codes), epcis (SIREN of the intercommunality of the firm's commune);
- naf_sections, naf_divisions; headcount_bands (INSEE codes), under_employees (bands whose upper
  bound is below N: "moins de 250 salariés");
- created_within_months: the establishment was created less than N months ago;
- new_site_within_months: created less than N months ago, or a "new site" project in that time;
- project_kinds (projects heard of), with project_within_months limiting them to recent ones;
- tags: the firm carries any of these tags (e.g. "Identifiée par la Région");
- shortage_sectors: the firm's NAF division typically employs a shortage job ("métier en tension")
  of one of these sectors (reference: rome_codes.shortage_sector through naf_division_rome);
- score_min, score_max: the likely-to-hire score (firms without a score are left out);
- need_open_days: a need of the firm is open and was filed more than N days ago;
- not_contacted_days: no contact in the shared ledger (calls, e-mails, visits, meetings, events)
  for N days.
"""

import calendar
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import (
    Basin,
    Commune,
    Company,
    CompanyProject,
    CompanyScore,
    HeadcountBand,
    HiringNeed,
    Interaction,
    NafCode,
    NafDivisionRome,
    ProjectKind,
    RomeCode,
    Segment,
    User,
)
from crm.models.base import utcnow
from crm.services.companies.listing import has_tag
from crm.services.companies.pressure import CONTACT_KINDS
from crm.services.platform import audit
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import InvalidInput, Refused

PREVIEW_SIZE = 20
MAX_VALUES = 200  # codes in one list criterion
MAX_MONTHS = 240
MAX_DAYS = 3650
MAX_NAME = 160
REGION_TAG = "Identifiée par la Région"
TPE_PME_LIMIT = 250

LIST_FIELDS = ("basins", "communes", "epcis", "naf_sections", "naf_divisions", "headcount_bands",
               "tags", "shortage_sectors", "project_kinds")
NUMBER_FIELDS = {  # name → (smallest, largest, what the number counts, in French)
    "under_employees": (1, 100_000, "salariés"),
    "created_within_months": (1, MAX_MONTHS, "mois"),
    "new_site_within_months": (1, MAX_MONTHS, "mois"),
    "project_within_months": (1, MAX_MONTHS, "mois"),
    "score_min": (0, 100, "points"),
    "score_max": (0, 100, "points"),
    "need_open_days": (1, MAX_DAYS, "jours"),
    "not_contacted_days": (1, MAX_DAYS, "jours"),
}


@dataclass(frozen=True)
class Criteria:
    """What a segment asks of a firm; empty values do not filter."""

    basins: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    naf_sections: list[str] = field(default_factory=list)
    naf_divisions: list[str] = field(default_factory=list)
    headcount_bands: list[str] = field(default_factory=list)
    under_employees: int | None = None
    created_within_months: int | None = None
    new_site_within_months: int | None = None
    tags: list[str] = field(default_factory=list)
    shortage_sectors: list[str] = field(default_factory=list)
    project_kinds: list[str] = field(default_factory=list)
    project_within_months: int | None = None
    score_min: int | None = None
    score_max: int | None = None
    need_open_days: int | None = None
    not_contacted_days: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The criteria that filter, as stored in a saved segment."""
        return {key: value for key, value in asdict(self).items() if value not in (None, [])}


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    criteria: dict[str, Any]


PRESETS = (
    Preset("region_identified", "Entreprises identifiées par la Région", {"tags": [REGION_TAG]}),
    Preset("restructuring", "Entreprises en restructuration ou en difficulté",
           {"project_kinds": [ProjectKind.RESTRUCTURING.value, ProjectKind.DIFFICULTY.value]}),
    Preset("growing", "Entreprises en développement (agrandissement, nouveau site)",
           {"project_kinds": [ProjectKind.EXPANSION.value, ProjectKind.NEW_SITE.value]}),
    Preset("new_establishments", "Nouveaux établissements (moins de 2 ans ou nouveau site)",
           {"new_site_within_months": 24}),
    Preset("young_firms", "Créations et reprises de moins de 2 ans",
           {"project_kinds": [ProjectKind.CREATION.value, ProjectKind.TAKEOVER.value],
            "project_within_months": 24}),
    Preset("likely_to_hire", "Entreprises susceptibles de recruter dans l'année (score ≥ 60)",
           {"score_min": 60}),
    Preset("tpe_pme_difficulties",
           "TPE-PME en difficulté de recrutement (moins de 250 salariés, besoin ouvert depuis "
           "plus de 30 jours)", {"under_employees": TPE_PME_LIMIT, "need_open_days": 30}),
)
PRESETS_BY_KEY = {preset.key: preset for preset in PRESETS}


# Parsing


def values_of(raw: Any) -> list[str]:
    """A list criterion from a list, or from text separated by commas, semicolons or spaces."""
    items = raw if isinstance(raw, list | tuple) else [raw] if raw not in (None, "") else []
    words: list[str] = []
    for item in items:
        if not isinstance(item, str | int):
            raise Refused("Valeur invalide.")
        text = str(item)
        words.extend(text.replace(";", ",").split(",") if "," in text or ";" in text else [text])
    return list(dict.fromkeys(word.strip() for word in words if word.strip()))


def number_of(name: str, raw: Any) -> int | None:
    """A whole number criterion within its bounds, or None when empty."""
    if raw in (None, "", []):
        return None
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
        if raw in (None, ""):
            return None
    lowest, highest, unit = NUMBER_FIELDS[name]
    text = str(raw).strip()
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or len(text) > 6 \
            or not lowest <= int(text) <= highest:
        raise Refused(f"Indiquez un nombre entier de {lowest} à {highest} {unit}.", field=name)
    return int(text)


def _known(query: sa.Select, wanted: list[str]) -> set[str]:
    return set(db.session.scalars(query)) if wanted else set()


def check_codes(criteria: Criteria) -> dict[str, list[str]]:
    """French messages for the codes no reference list knows."""
    known = {
        "basins": _known(sa.select(Basin.code).where(Basin.code.in_(criteria.basins)),
                         criteria.basins),
        "communes": _known(sa.select(Commune.code).where(Commune.code.in_(criteria.communes)),
                           criteria.communes),
        "epcis": _known(sa.select(Commune.epci_siren).where(Commune.epci_siren.in_(criteria.epcis)),
                        criteria.epcis),
        "naf_sections": _known(sa.select(NafCode.section).where(
            NafCode.section.in_(criteria.naf_sections)), criteria.naf_sections),
        "naf_divisions": _known(sa.select(NafCode.division).where(
            NafCode.division.in_(criteria.naf_divisions)), criteria.naf_divisions),
        "headcount_bands": _known(sa.select(HeadcountBand.code).where(
            HeadcountBand.code.in_(criteria.headcount_bands)), criteria.headcount_bands),
        "shortage_sectors": _known(sa.select(RomeCode.shortage_sector).where(
            RomeCode.shortage_sector.in_(criteria.shortage_sectors)), criteria.shortage_sectors),
        "project_kinds": {kind.value for kind in ProjectKind},
    }
    names = {"basins": "Bassin inconnu", "communes": "Commune inconnue", "epcis": "EPCI inconnu",
             "naf_sections": "Section NAF inconnue", "naf_divisions": "Division NAF inconnue",
             "headcount_bands": "Tranche d'effectif inconnue",
             "shortage_sectors": "Secteur en tension inconnu",
             "project_kinds": "Type de projet inconnu"}
    errors = {}
    for name, codes in known.items():
        unknown = [value for value in getattr(criteria, name) if value not in codes]
        if unknown:
            errors[name] = [f"{names[name]} : {', '.join(unknown[:5])}."]
    return errors


def parse_criteria(data: Mapping[str, Any]) -> Criteria:
    """Criteria from a saved segment, a form or a JSON body; unknown keys are ignored, bad values
    refused field by field in French."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in LIST_FIELDS:
        try:
            values[name] = values_of(data.get(name))
        except Refused as refused:
            errors[name] = [refused.message]
            continue
        if len(values[name]) > MAX_VALUES:
            errors[name] = [f"Pas plus de {MAX_VALUES} valeurs."]
    for name in NUMBER_FIELDS:
        try:
            values[name] = number_of(name, data.get(name))
        except Refused as refused:
            errors[name] = [refused.message]
    if errors:
        raise InvalidInput(errors)
    criteria = Criteria(**values)
    if (criteria.score_min is not None and criteria.score_max is not None
            and criteria.score_min > criteria.score_max):
        errors["score_max"] = ["Le score maximal doit être supérieur ou égal au score minimal."]
    if criteria.project_within_months is not None and not criteria.project_kinds:
        errors["project_kinds"] = ["Choisissez au moins un type de projet pour cette période."]
    errors |= check_codes(criteria)
    if errors:
        raise InvalidInput(errors)
    return criteria


# The SQL condition


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _naf_codes_where(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return Company.naf_code.in_(sa.select(NafCode.code).where(condition))


def shortage_condition(sectors: list[str]) -> ColumnElement[bool]:
    """The firm's NAF division typically employs a shortage job of one of these sectors."""
    divisions = (sa.select(NafDivisionRome.naf_division)
                 .join(RomeCode, RomeCode.code == NafDivisionRome.rome_code)
                 .where(RomeCode.shortage_sector.in_(sectors)))
    return _naf_codes_where(NafCode.division.in_(divisions))


def project_condition(kinds: list[str], since: date | None) -> ColumnElement[bool]:
    projects = sa.select(CompanyProject.company_id).where(CompanyProject.kind.in_(kinds))
    if since is not None:
        projects = projects.where(CompanyProject.occurred_on >= since)
    return Company.id.in_(projects)


def reachable(today: date) -> list[ColumnElement[bool]]:
    """What every segment asks: an open establishment that did not ask for a pause in contacts."""
    return [Company.active.is_(True),
            sa.or_(Company.do_not_contact_before.is_(None), Company.do_not_contact_before <= today)]


def conditions(criteria: Criteria, now: datetime | None = None) -> list[ColumnElement[bool]]:
    """The SQL conditions on `Company` selecting the segment's firms."""
    now = now or utcnow()
    today = local_today(now)
    found = reachable(today)
    if criteria.basins:
        found.append(Company.basin_code.in_(criteria.basins))
    if criteria.communes:
        found.append(Company.commune_code.in_(criteria.communes))
    if criteria.epcis:
        found.append(Company.commune_code.in_(
            sa.select(Commune.code).where(Commune.epci_siren.in_(criteria.epcis))))
    if criteria.naf_sections:
        found.append(_naf_codes_where(NafCode.section.in_(criteria.naf_sections)))
    if criteria.naf_divisions:
        found.append(_naf_codes_where(NafCode.division.in_(criteria.naf_divisions)))
    if criteria.headcount_bands:
        found.append(Company.headcount_band.in_(criteria.headcount_bands))
    if criteria.under_employees is not None:
        found.append(Company.headcount_band.in_(sa.select(HeadcountBand.code).where(
            HeadcountBand.max_employees < criteria.under_employees)))
    if criteria.created_within_months is not None:
        found.append(Company.created_on >= months_before(today, criteria.created_within_months))
    if criteria.new_site_within_months is not None:
        since = months_before(today, criteria.new_site_within_months)
        found.append(sa.or_(Company.created_on >= since,
                            project_condition([ProjectKind.NEW_SITE.value], since)))
    if criteria.tags:
        found.append(sa.or_(*(has_tag(tag) for tag in criteria.tags)))
    if criteria.shortage_sectors:
        found.append(shortage_condition(criteria.shortage_sectors))
    if criteria.project_kinds:
        found.append(project_condition(criteria.project_kinds, (
            months_before(today, criteria.project_within_months)
            if criteria.project_within_months is not None else None)))
    if criteria.score_min is not None or criteria.score_max is not None:
        scores = sa.select(CompanyScore.company_id)
        if criteria.score_min is not None:
            scores = scores.where(CompanyScore.score >= criteria.score_min)
        if criteria.score_max is not None:
            scores = scores.where(CompanyScore.score <= criteria.score_max)
        found.append(Company.id.in_(scores))
    if criteria.need_open_days is not None:
        filed_before = now - timedelta(days=criteria.need_open_days)
        found.append(Company.id.in_(sa.select(HiringNeed.company_id).where(
            HiringNeed.is_open, HiringNeed.created_at <= filed_before)))
    if criteria.not_contacted_days is not None:
        since_contact = now - timedelta(days=criteria.not_contacted_days)
        found.append(~sa.select(Interaction.id).where(
            Interaction.company_id == Company.id, Interaction.kind.in_(CONTACT_KINDS),
            Interaction.occurred_at >= since_contact).exists())
    return found


def count(criteria: Criteria, now: datetime | None = None) -> int:
    """How many firms the segment selects."""
    query = sa.select(sa.func.count()).select_from(Company).where(*conditions(criteria, now))
    return db.session.scalar(query) or 0


def preview(criteria: Criteria, now: datetime | None = None,
            size: int = PREVIEW_SIZE) -> list[Company]:
    """The segment's first firms by name."""
    query = (sa.select(Company).where(*conditions(criteria, now))
             .order_by(Company.search_name, Company.id).limit(size))
    return list(db.session.scalars(query))


def company_ids(criteria: Criteria, now: datetime | None = None) -> sa.Select:
    """SELECT of the segment's firm ids (for an INSERT … SELECT)."""
    return sa.select(Company.id).where(*conditions(criteria, now))


# Saved segments


def save_segment(name: str, criteria: Criteria, actor: User) -> Segment:
    """Save the criteria under a name, to build other target lists from them."""
    name = (name or "").strip()
    if not name:
        raise Refused("Donnez un nom au segment.", field="name")
    if len(name) > MAX_NAME:
        raise Refused(f"Le nom ne doit pas dépasser {MAX_NAME} caractères.", field="name")
    if not criteria.to_dict():
        raise Refused("Choisissez au moins un critère avant d'enregistrer le segment.")
    segment = Segment(name=name, criteria=criteria.to_dict(), created_by_id=actor.id)
    db.session.add(segment)
    db.session.flush()
    audit.record(actor, "segment_saved", segment, {"name": name, "criteria": segment.criteria})
    return segment


def saved_segments() -> sa.Select:
    """Saved segments, most recent first."""
    return sa.select(Segment).order_by(Segment.created_at.desc(), Segment.id.desc())
