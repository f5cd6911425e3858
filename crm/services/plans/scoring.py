"""The likely-to-hire score of an establishment (0-100), explained factor by factor.

`score_of(facts)` is a pure function of a firm's facts (`FirmFacts`): each factor gives points
with a French label, and the points of the explanation always add up to the score — when the sum
leaves 0..100, a last factor ("plafond" or "plancher") brings it back and says so. The batch
(`refresh_scores`) reads the facts of many firms with a few grouped queries per batch (never one
per firm) and upserts their `CompanyScore` rows; the nightly job and `crm scores` run it.
`docs/scoring.md` lists the factors and their points.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from crm.extensions import db
from crm.models import (
    CLOSED_STATUSES,
    Company,
    CompanyProject,
    CompanyScore,
    HiringNeed,
    NafCode,
    NafDivisionRome,
    NeedContribution,
    NeedSource,
    ProjectKind,
    RomeCode,
    utcnow,
)
from crm.services.platform.local_time import local_today
from crm.services.platform.wording import plural

MAX_SCORE = 100
RECENT_DAYS = 365  # "recent": the last twelve months
BATCH = 5000
# Points by threshold: the first (threshold, points) whose threshold the count reaches
SHORTAGE_POINTS = ((3, 20), (2, 15), (1, 10))  # shortage jobs typical of the firm's NAF division
NEED_POINTS = ((3, 25), (2, 18), (1, 12))  # needs filed in the last twelve months
FLAG_POINTS = ((2, 12), (1, 8))  # partner flags in the last twelve months
HIRE_POINTS = ((10, 10), (3, 8), (1, 5))  # hires of the firm's closed needs, ever
SIZE_POINTS = {  # INSEE headcount band → points (no employee, unknown: nothing)
    "01": 5, "02": 5, "03": 8, "11": 8, "12": 10, "21": 10, "22": 12, "31": 12, "32": 12,
    "41": 12, "42": 12, "51": 12, "52": 12, "53": 12,
}
YOUNG_POINTS = ((2, 8), (5, 5))  # (younger than N years, points)
GROWTH_POINTS = 15  # a recent new site, expansion, creation or takeover
SETBACK_POINTS = -10  # a recent difficulty or restructuring
GROWTH_KINDS = (ProjectKind.NEW_SITE, ProjectKind.EXPANSION, ProjectKind.CREATION,
                ProjectKind.TAKEOVER)
SETBACK_KINDS = (ProjectKind.DIFFICULTY, ProjectKind.RESTRUCTURING)
SEASON_MONTHS = 3  # this month and the next two
SEASON_MIN_NEEDS = 10  # needs of the division, ever, below which no season is read
SEASON_POINTS = ((0.45, 10), (0.35, 5))  # the division's share of needs filed in those months


@dataclass(frozen=True)
class FirmFacts:
    """What the score reads of one establishment."""

    shortage_jobs: int = 0  # shortage jobs among those typical of its NAF division
    headcount_band: str | None = None
    recent_needs: int = 0
    recent_flags: int = 0  # partner flags (spotter needs, contributions) in the last 12 months
    past_hires: int = 0
    age_years: int | None = None  # from its creation date
    growth_projects: int = 0  # recent new site, expansion, creation, takeover
    setback_projects: int = 0  # recent difficulty, restructuring
    season_share: float = 0.0  # its division's share of needs filed in the coming months
    active: bool = True  # a closed establishment scores 0, its factors shown and cancelled


@dataclass(frozen=True)
class Factor:
    factor: str
    label: str
    points: int


@dataclass(frozen=True)
class Score:
    score: int
    factors: list[Factor]  # their points sum to the score

    def as_row(self, company_id: int, at: datetime) -> dict:
        return {"company_id": company_id, "score": self.score,
                "factors": [asdict(factor) for factor in self.factors], "computed_at": at}


def stepped(value: float, steps: Sequence[tuple[float, int]]) -> int:
    """The points of the first step whose threshold the value reaches (0 below them all)."""
    return next((points for threshold, points in steps if value >= threshold), 0)


def young_points(age_years: int | None) -> int:
    if age_years is None:
        return 0
    return next((points for limit, points in YOUNG_POINTS if age_years < limit), 0)


def raw_factors(facts: FirmFacts) -> list[Factor]:
    """Each factor that gives points, in the order of their weight in the model."""
    candidates = [
        Factor("shortage_sector", "secteur en tension", stepped(facts.shortage_jobs, SHORTAGE_POINTS)),
        Factor("recent_needs", plural(facts.recent_needs, "besoin récent", "besoins récents"),
               stepped(facts.recent_needs, NEED_POINTS)),
        Factor("growth_project", "projet de développement récent",
               GROWTH_POINTS if facts.growth_projects else 0),
        Factor("partner_flags", plural(facts.recent_flags, "signalement partenaire",
                                       "signalements partenaires"),
               stepped(facts.recent_flags, FLAG_POINTS)),
        Factor("size", "taille de l'établissement", SIZE_POINTS.get(facts.headcount_band or "", 0)),
        Factor("past_hires", plural(facts.past_hires, "embauche passée", "embauches passées"),
               stepped(facts.past_hires, HIRE_POINTS)),
        Factor("season", "saison de recrutement du secteur", stepped(facts.season_share, SEASON_POINTS)),
        Factor("young_firm", "entreprise jeune", young_points(facts.age_years)),
        Factor("setback_project", "difficultés ou restructuration récentes",
               SETBACK_POINTS if facts.setback_projects else 0),
    ]
    return [factor for factor in candidates if factor.points]


def score_of(facts: FirmFacts) -> Score:
    """The score and its explanation; a "plafond" or "plancher" factor keeps it in 0..100, an
    "établissement fermé" factor brings a closed establishment's to 0."""
    factors = raw_factors(facts)
    total = sum(factor.points for factor in factors)
    if not facts.active:
        factors.append(Factor("closed", "établissement fermé", -total))
        return Score(0, [factor for factor in factors if factor.points])
    if total > MAX_SCORE:
        factors.append(Factor("cap", f"plafond de {MAX_SCORE}", MAX_SCORE - total))
    elif total < 0:
        factors.append(Factor("floor", "plancher de 0", -total))
    return Score(min(max(total, 0), MAX_SCORE), factors)


def described(factors: list[dict], limit: int = 4) -> str:
    """The strongest factors in words: "secteur en tension : +20, 1 besoin récent : +12, …"."""
    strongest = sorted(factors, key=lambda factor: -abs(factor["points"]))[:limit]
    words = ", ".join(f"{factor['label']} : {factor['points']:+d}" for factor in strongest)
    return words + (", …" if len(factors) > limit else "")


# --- the facts of many firms, read with grouped queries ---------------------------------------


def shortage_jobs_by_division() -> dict[str, int]:
    query = (sa.select(NafDivisionRome.naf_division, sa.func.count())
             .join(RomeCode, RomeCode.code == NafDivisionRome.rome_code)
             .where(RomeCode.shortage).group_by(NafDivisionRome.naf_division))
    return {division: count for division, count in db.session.execute(query)}


def coming_months(today: date) -> set[int]:
    return {(today.month - 1 + step) % 12 + 1 for step in range(SEASON_MONTHS)}


def season_share_by_division(today: date) -> dict[str, float]:
    """Per NAF division with enough needs, the share of all its needs (any year) filed in this
    month and the next two: a sector that hires in the coming months."""
    month = sa.extract("month", HiringNeed.created_at)
    query = (sa.select(NafCode.division, month, sa.func.count())
             .select_from(HiringNeed).join(Company, Company.id == HiringNeed.company_id)
             .join(NafCode, NafCode.code == Company.naf_code).group_by(NafCode.division, month))
    per_month: dict[str, Counter[int]] = defaultdict(Counter)
    for division, month_number, count in db.session.execute(query):
        per_month[division][int(month_number)] += count
    coming = coming_months(today)
    return {division: sum(months[m] for m in coming) / sum(months.values())
            for division, months in per_month.items() if sum(months.values()) >= SEASON_MIN_NEEDS}


@dataclass(frozen=True)
class Context:
    """What is the same for every firm of a run: the moment and the per-division figures."""

    today: date
    since: datetime  # the start of "recent" for timestamps
    shortage: dict[str, int]
    season: dict[str, float]

    @classmethod
    def now(cls) -> "Context":
        today = local_today()
        return cls(today, utcnow() - timedelta(days=RECENT_DAYS), shortage_jobs_by_division(),
                   season_share_by_division(today))


def counts(query: sa.Select[int, int | None]) -> dict[int, int]:
    return {company_id: int(count or 0) for company_id, count in db.session.execute(query)}


def recent_needs(ids: Sequence[int], since: datetime) -> dict[int, int]:
    return counts(sa.select(HiringNeed.company_id, sa.func.count())
                  .where(HiringNeed.company_id.in_(ids), HiringNeed.created_at >= since)
                  .group_by(HiringNeed.company_id))


def recent_flags(ids: Sequence[int], since: datetime) -> dict[int, int]:
    """Needs a partner flagged, and flags attached to a need already open."""
    flagged = counts(sa.select(HiringNeed.company_id, sa.func.count())
                     .where(HiringNeed.company_id.in_(ids), HiringNeed.created_at >= since,
                            HiringNeed.source == NeedSource.SPOTTER)
                     .group_by(HiringNeed.company_id))
    attached = counts(sa.select(HiringNeed.company_id, sa.func.count())
                      .join(NeedContribution, NeedContribution.need_id == HiringNeed.id)
                      .where(HiringNeed.company_id.in_(ids), NeedContribution.created_at >= since)
                      .group_by(HiringNeed.company_id))
    return dict(Counter(flagged) + Counter(attached))


def past_hires(ids: Sequence[int]) -> dict[int, int]:
    return counts(sa.select(HiringNeed.company_id, sa.func.sum(HiringNeed.hires))
                  .where(HiringNeed.company_id.in_(ids), HiringNeed.status.in_(CLOSED_STATUSES),
                         HiringNeed.hires > 0)
                  .group_by(HiringNeed.company_id))


def recent_projects(ids: Sequence[int], today: date) -> dict[int, tuple[int, int]]:
    """(growth, setback) projects dated in the last twelve months or announced ahead."""
    def of(kinds: tuple[ProjectKind, ...]) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((CompanyProject.kind.in_(kinds), 1), else_=0))

    query: sa.Select[int, int, int] = (
        sa.select(CompanyProject.company_id, of(GROWTH_KINDS), of(SETBACK_KINDS))
        .where(CompanyProject.company_id.in_(ids),
               CompanyProject.occurred_on >= today - timedelta(days=RECENT_DAYS))
        .group_by(CompanyProject.company_id))
    return {company_id: (int(growth or 0), int(setback or 0))
            for company_id, growth, setback in db.session.execute(query)}


def age_in_years(created_on: date | None, today: date) -> int | None:
    if created_on is None:
        return None
    return today.year - created_on.year - ((today.month, today.day) < (created_on.month, created_on.day))


def facts_of(ids: Sequence[int], context: Context) -> dict[int, FirmFacts]:
    """The facts of these firms (unknown ids left out), with six queries whatever their number."""
    firms = db.session.execute(
        sa.select(Company.id, NafCode.division, Company.headcount_band, Company.created_on,
                  Company.active)
        .outerjoin(NafCode, NafCode.code == Company.naf_code).where(Company.id.in_(ids)))
    needs, flags = recent_needs(ids, context.since), recent_flags(ids, context.since)
    hires, projects = past_hires(ids), recent_projects(ids, context.today)
    return {
        company_id: FirmFacts(
            shortage_jobs=context.shortage.get(division or "", 0), headcount_band=band,
            recent_needs=needs.get(company_id, 0), recent_flags=flags.get(company_id, 0),
            past_hires=hires.get(company_id, 0), age_years=age_in_years(created_on, context.today),
            growth_projects=projects.get(company_id, (0, 0))[0],
            setback_projects=projects.get(company_id, (0, 0))[1],
            season_share=context.season.get(division or "", 0.0), active=active)
        for company_id, division, band, created_on, active in firms}


def upsert_scores(rows: list[dict]) -> None:
    """Insert or replace these firms' scores in one statement (PostgreSQL and SQLite)."""
    if not rows:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(CompanyScore).values(rows)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=[CompanyScore.company_id],
        set_={name: insert.excluded[name] for name in ("score", "factors", "computed_at")}))


def company_batches(ids: Sequence[int] | None, size: int) -> Iterator[list[int]]:
    """The given ids in batches, or every firm's id in batches read in id order."""
    if ids is not None:
        unique = sorted(set(ids))
        for start in range(0, len(unique), size):
            yield unique[start:start + size]
        return
    last = 0
    while batch := list(db.session.scalars(sa.select(Company.id).where(Company.id > last)
                                           .order_by(Company.id).limit(size))):
        yield batch
        last = batch[-1]


def refresh_scores(ids: Sequence[int] | None = None, size: int = BATCH) -> Iterator[int]:
    """Compute and store the scores of these firms (all when None), one batch at a time: yields
    how many were stored after each batch, so that the caller commits batch by batch."""
    context, at = Context.now(), utcnow()
    for batch in company_batches(ids, size):
        facts = facts_of(batch, context)
        upsert_scores([score_of(facts[company_id]).as_row(company_id, at)
                       for company_id in sorted(facts)])
        yield len(facts)


def score_of_company(company_id: int) -> Score | None:
    """One firm's score computed now, as the batch would store it (None for an unknown firm)."""
    facts = facts_of([company_id], Context.now()).get(company_id)
    return score_of(facts) if facts is not None else None


def stored_score(company_id: int) -> CompanyScore | None:
    return db.session.get(CompanyScore, company_id)
