"""Each figure's link to the list of the records it counts, with the same filters: the needs list
(firm's basin, département or RSA pilot territory, piloting organisation or adviser, source,
filed or closed from… to…, outcome, closing reason, ROME codes), the companies list (basin,
département, RSA pilot territory or region; contacted or visited from… to…, by the organisation
or adviser of the scope), the POE requests list (the firm's area, the carrier and author, requested
from… to…, the funnel's step), the events list (the events held in the period in the area, by
the event's own place, organised by the organisation or created by the adviser: its totals are
the events' figures; a plan's event firms: the events where the basin's firms were confirmed) and
the after-hire results page (needs closed in the period). The lists show what the reader may see:
a manager's needs list holds their organisation's and basins' needs, the figures count every
organisation's."""

from datetime import date
from typing import Any

from flask import url_for

from crm.blueprints.events.forms import NOT_CANCELLED
from crm.models import ClosingReason, EventStatus, Indicator, NeedSource
from crm.services.indicators.breakdowns import (
    OTHERS,
    SHORTAGE,
    JobRow,
    ObjectiveRow,
    PlanRow,
    SpotterRow,
)
from crm.services.indicators.definitions import source_key
from crm.services.indicators.poe_requests import STEP_OF_FIGURE
from crm.services.indicators.scope import Level, Period, Scope

FILED = ("needs_collected", "positions", "needs_per_1000_establishments",
         "median_first_contact_working_days", "first_contact_within_2_days")
CLOSED = {"fill_rate": "outcome", "hires": "", "positions_filled": "filled", "needs_filled": "filled",
          "median_time_to_fill_days": "filled"}
SPOTTERS = ("spotter_hire_conversion", "spotter_median_first_contact_working_days")
AFTERCARE = ("still_in_post_one_month", "still_in_post_trial_end",
             "satisfaction_contacted_quickly", "satisfaction_useful")


def area_arguments(scope: Scope, basin_name: str, department_name: str) -> dict[str, Any]:
    if scope.level == Level.BASIN:
        return {basin_name: scope.code}
    if scope.level == Level.DEPARTEMENT:
        return {department_name: scope.code}
    return {}


def scope_filters(scope: Scope, basin: str, department: str, rsa_territory: str,
                  organisation: str, adviser: str) -> dict[str, Any]:
    """A list's filters keeping the scope's records, under that list's names: the firm's area
    (basin, département or RSA pilot territory) and the organisation or adviser."""
    found = area_arguments(scope, basin, department)
    for name, value in ((rsa_territory, scope.code if scope.level == Level.RSA else None),
                        (organisation, scope.organisation_id), (adviser, scope.adviser_id)):
        if value is not None:
            found[name] = value
    return found


def scope_arguments(scope: Scope) -> dict[str, Any]:
    """The needs list's filters keeping the scope's needs: the firm's area and the piloting
    organisation or adviser."""
    return scope_filters(scope, "bassin_entreprise", "departement", "territoire_rsa", "structure",
                         "conseiller")


def companies_arguments(scope: Scope, start: date, end: date, done: str) -> dict[str, Any]:
    """The companies list's filters keeping the scope's firms contacted (`done` "contacted") or
    visited ("visited") from `start` to `end`: the firm's area, and whose contacts or visits."""
    return scope_filters(scope, "basin", "department", "rsa_territory", "organisation",
                         "adviser") | {f"{done}_from": start.isoformat(), f"{done}_to": end.isoformat()}


def companies_links(scope: Scope, period: Period) -> dict[str, str]:
    """The firms figures → the companies list: the firms contacted (closed ones included, as the
    figure counts them; the TPE-PME share is taken over them), the active ones among them (the
    penetration rate's numerator), the firms visited."""
    contacted = companies_arguments(scope, period.start, period.end, "contacted")
    every = url_for("companies.companies", **contacted, closed="y")
    return {"companies_contacted": every, "tpe_pme_share": every,
            "penetration_rate": url_for("companies.companies", **contacted),
            "companies_visited": url_for("companies.companies", closed="y", **companies_arguments(
                scope, period.start, period.end, "visited"))}


def training_links(scope: Scope, period: Period) -> dict[str, str]:
    """The POE figures → the requests list: those of the scope's firms (by its organisation or
    adviser) requested in the period, at the funnel's step the figure counts (the hire rate's: the
    requests with a known outcome, over which it is taken)."""
    requested = scope_arguments(scope) | {"du": period.start.isoformat(), "au": period.end.isoformat()}
    return {key: url_for("training.request_list", **requested, etape=step)
            for key, step in STEP_OF_FIGURE.items()}


EVENT_FIGURES = ("events_held", "event_firms", "event_candidates", "event_interviews", "event_hires")


def events_links(scope: Scope, period: Period) -> dict[str, str]:
    """The events' figures → the events list's held events starting in the period, placed in the
    area by the event's own commune and basin, those the organisation organises or the adviser
    created: the list shows each event's firms, candidates present, interviews and hires, and
    their totals (the figures)."""
    held = url_for("events.staff_list", **scope_filters(
        scope, "basin", "department", "rsa_territory", "organisation", "adviser"),
        status=EventStatus.HELD.value, from_day=period.start.isoformat(), to_day=period.end.isoformat())
    return dict.fromkeys(EVENT_FIGURES, held)


def needs_arguments(scope: Scope, period: Period) -> tuple[dict[str, Any], dict[str, Any]]:
    """The needs list's filters for the needs filed, and closed, in the scope over the period."""
    needs_scope = scope_arguments(scope)
    return (needs_scope | {"du": period.start.isoformat(), "au": period.end.isoformat()},
            needs_scope | {"clos_du": period.start.isoformat(), "clos_au": period.end.isoformat()})


JOB_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "needs_collected": ("filed", {}), "positions": ("filed", {}),
    "needs_filled": ("closed", {"issue": "filled"}), "fill_rate": ("closed", {"issue": "outcome"}),
    "median_time_to_fill_days": ("closed", {"issue": "filled"}),
    # the numerator: the needs closed in the period for lack of candidates
    "closed_for_lack_of_candidates": ("closed", {"motif": ClosingReason.LACK_OF_CANDIDATES.value}),
}


def job_links(scope: Scope, period: Period, job: JobRow, listed: list[JobRow]) -> dict[str, str]:
    """A ROME table row's column key → the needs list behind the figure: the job's ROME code,
    for "Autres métiers" every code but those of the `listed` rows (and needs without a code),
    or shortage jobs against the others."""
    arguments = needs_arguments(scope, period)
    if job.code:
        which = {"rome": job.code}
    elif job.key == OTHERS:
        which = {"rome_hors": ",".join(row.code for row in listed if row.code)}
    else:
        which = {"tension": "oui" if job.key == SHORTAGE else "non"}
    links: dict[str, str] = {}
    for key, (moment, narrowed) in JOB_COLUMNS.items():
        found: dict[str, Any] = {**(arguments[0] if moment == "filed" else arguments[1]), **which,
                                 **narrowed}
        links[key] = url_for("needs.needs", **found)
    return links


def spotter_links(scope: Scope, period: Period, row: SpotterRow) -> dict[str, str]:
    """A spotters table row's column → the needs the organisation flagged in the scope over the
    period (all of them, the list the conversion and the delay are taken over)."""
    arguments = needs_arguments(scope, period)
    if row.organisation_id is None:
        return {}
    found = url_for("needs.needs", **arguments[0], source=NeedSource.SPOTTER.value,
                    repereur=row.organisation_id)
    return {key: found for key in ("flags", *SPOTTERS)}


PLAN_NEEDS = {Indicator.NEEDS_COLLECTED: ("du", "au", ""),
              Indicator.NEEDS_FILLED: ("clos_du", "clos_au", "filled"),
              Indicator.HIRES: ("clos_du", "clos_au", "")}
PLAN_FIRMS = {Indicator.COMPANIES_CONTACTED: "contacted", Indicator.TPE_PME_SHARE: "contacted",
              Indicator.COMPANIES_VISITED: "visited"}


def plan_link(plan: PlanRow, objective: ObjectiveRow, period: Period) -> str | None:
    """A plan objective's achieved figure → the records it counts, those of the plan basin's firms
    (every organisation's) from the plan's start to the period's end (or the plan's end): the
    needs filed, filled or closed (hires); the firms contacted (the TPE-PME share is taken over
    them) or visited, closed ones included; the POE requests whose training started; the events
    not cancelled where the basin's firms were confirmed (the list counts those firms)."""
    end = min(plan.end, period.end)
    if objective.indicator == Indicator.POE_ENTRIES:
        return url_for("training.request_list", bassin_entreprise=plan.basin_code, etape="entree",
                       debut_du=plan.start.isoformat(), debut_au=end.isoformat())
    if objective.indicator == Indicator.EVENT_COMPANIES:
        return url_for("events.staff_list", firm_basin=plan.basin_code, status=NOT_CANCELLED,
                       from_day=plan.start.isoformat(), to_day=end.isoformat())
    if objective.indicator in PLAN_FIRMS:
        done = PLAN_FIRMS[objective.indicator]
        firms: dict[str, Any] = {"basin": plan.basin_code, "closed": "y",
                                 f"{done}_from": plan.start.isoformat(), f"{done}_to": end.isoformat()}
        return url_for("companies.companies", **firms)
    if objective.indicator not in PLAN_NEEDS:
        return None
    start_name, end_name, issue = PLAN_NEEDS[objective.indicator]
    arguments: dict[str, Any] = {"bassin_entreprise": plan.basin_code,
                                 start_name: plan.start.isoformat(), end_name: end.isoformat()}
    if issue:
        arguments["issue"] = issue
    return url_for("needs.needs", **arguments)


def record_links(scope: Scope, period: Period) -> dict[str, str]:
    """Indicator key → address of the list behind it (missing when there is none)."""
    filed, closed = needs_arguments(scope, period)
    links = {key: url_for("needs.needs", **filed) for key in FILED}
    links |= {source_key(source): url_for("needs.needs", **filed, source=source.value)
              for source in NeedSource}
    links |= {key: url_for("needs.needs", **(closed | ({"issue": issue} if issue else {})))
              for key, issue in CLOSED.items()}
    links["closed_for_lack_of_candidates"] = url_for(
        "needs.needs", **closed, motif=ClosingReason.LACK_OF_CANDIDATES.value)
    links |= {key: url_for("needs.aftercare_results", du=period.start, au=period.end)
              for key in AFTERCARE}
    links |= {key: url_for("needs.needs", **filed, source=NeedSource.SPOTTER.value)
              for key in SPOTTERS}
    return (links | companies_links(scope, period) | training_links(scope, period)
            | events_links(scope, period))
