"""Each figure's link to the list of the records it counts, with the same filters: the needs list
(firm's basin or département, source, filed or closed from… to…, outcome, closing reason), the companies list
(area, contacted in the last N days: only when the period is exactly such a window ending today)
and the after-hire results page (needs closed in the period). Figures without such a list (visits
done, medians' inputs aside) get no link. The lists show what the reader may see: a manager's
needs list holds their organisation's and basins' needs, the figures count every organisation's."""

from datetime import date
from typing import Any

from flask import url_for

from crm.models import ClosingReason, NeedSource
from crm.services.companies.listing import CONTACT_DAYS
from crm.services.indicators.definitions import source_key
from crm.services.indicators.scope import Level, Period, Scope

FILED = ("needs_collected", "positions", "needs_per_1000_establishments",
         "median_first_contact_working_days", "first_contact_within_2_days")
CLOSED = {"fill_rate": "outcome", "hires": "", "positions_filled": "filled",
          "median_time_to_fill_days": "filled"}
AFTERCARE = ("still_in_post_one_month", "still_in_post_trial_end",
             "satisfaction_contacted_quickly", "satisfaction_useful")


def area_arguments(scope: Scope, basin_name: str, department_name: str) -> dict[str, Any]:
    if scope.level == Level.BASIN:
        return {basin_name: scope.code}
    if scope.level == Level.DEPARTEMENT:
        return {department_name: scope.code}
    return {}


def record_links(scope: Scope, period: Period, today: date) -> dict[str, str]:
    """Indicator key → address of the list behind it (missing when there is none)."""
    if scope.organisation_id is not None:  # the lists do not filter on an organisation's work
        return {key: url_for("needs.aftercare_results", du=period.start, au=period.end)
                for key in AFTERCARE}
    needs_area = area_arguments(scope, "bassin_entreprise", "departement")
    filed: dict[str, Any] = needs_area | {"du": period.start.isoformat(), "au": period.end.isoformat()}
    closed: dict[str, Any] = needs_area | {"clos_du": period.start.isoformat(),
                                           "clos_au": period.end.isoformat()}
    links = {key: url_for("needs.needs", **filed) for key in FILED}
    links |= {source_key(source): url_for("needs.needs", **filed, source=source.value)
              for source in NeedSource}
    links |= {key: url_for("needs.needs", **(closed | ({"issue": issue} if issue else {})))
              for key, issue in CLOSED.items()}
    links["closed_for_lack_of_candidates"] = url_for(
        "needs.needs", **closed, motif=ClosingReason.LACK_OF_CANDIDATES.value)
    links |= {key: url_for("needs.aftercare_results", du=period.start, au=period.end)
              for key in AFTERCARE}
    if period.end == today and period.days in CONTACT_DAYS:
        companies: dict[str, Any] = area_arguments(scope, "basin", "department") | {
            "contacted": "oui", "days": str(period.days)}
        links["companies_contacted"] = url_for("companies.companies", **companies, closed="y")
        links["penetration_rate"] = url_for("companies.companies", **companies)
        links["tpe_pme_share"] = url_for("companies.companies", **companies, closed="y")
    return links
