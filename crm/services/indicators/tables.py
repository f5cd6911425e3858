"""The dashboard as rows: French display of a figure, the change since the previous period, and
the rows of the CSV and XLSX exports: the indicators, then the co-handlers' "not for me" table
(written by the one safe writer, `platform.spreadsheet_files`)."""

from crm.services.indicators.breakdowns import (
    COMPARED,
    JOB_FIGURES,
    PERIODS,
    Breakdowns,
    JobRow,
    RefusalRow,
    SpotterRow,
)
from crm.services.indicators.definitions import BY_KEY, COLUMN_BY_KEY
from crm.services.indicators.figures import Dashboard, Figure, Row
from crm.services.needs.cohandling import RefusalRate
from crm.services.platform import spreadsheet_files

NOT_AVAILABLE = "non disponible"
EXPORT_HEADER = ["Groupe", "Clé", "Indicateur", "Unité", "Période", "Période précédente",
                 "Un an avant", "Définition"]


def french_decimal(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def shown(figure: Figure) -> str:
    """A figure as the page shows it: "80,0 %", "1 200,0", "5", or "non disponible"."""
    if not figure.available or figure.value is None:
        return NOT_AVAILABLE
    unit = figure.definition.unit
    if isinstance(figure.value, int):
        return french_decimal(figure.value, 0)
    text = french_decimal(figure.value)
    return f"{text} %" if unit == "%" else text


def change(row: Row) -> str:
    """The change since the previous period: "+5,0 pts" for a share, "+3" for a count; empty
    when either figure is not available."""
    current, previous = row.current.value, row.previous.value
    if current is None or previous is None or not row.current.available or not row.previous.available:
        return ""
    difference = current - previous
    sign = "+" if difference > 0 else ("−" if difference < 0 else "")
    size = abs(difference)
    text = french_decimal(size, 0) if isinstance(size, int) else french_decimal(size)
    return f"{sign}{text}{' pts' if row.definition.unit == '%' else ''}"


def cell(figure: Figure) -> object:
    """A figure in a spreadsheet: the number itself, or "non disponible"."""
    return figure.value if figure.available and figure.value is not None else NOT_AVAILABLE


def labels(*keys: str) -> list[str]:
    return [(BY_KEY.get(key) or COLUMN_BY_KEY[key]).label for key in keys]


PERIOD_LABELS = {"current": "période", "previous": "période précédente", "year_before": "un an avant"}


def compared_labels(*names: str) -> list[str]:
    """A breakdown column per figure and period: "Besoins recueillis – période précédente"."""
    return [f"{name} – {PERIOD_LABELS[which]}" for name in names for which in PERIODS]


JOB_HEADER = ["Code ROME", "Métier", *labels("rome_shortage"), *compared_labels(*labels(*JOB_FIGURES))]
PLAN_HEADER = ["Plan", "Bassin", "Début", "Fin", "Objectif", *labels("plan_target"),
               *compared_labels(*labels("plan_achieved")), *labels("plan_expected")]
SPOTTER_HEADER = ["Structure repéreuse", *compared_labels(
    "Signalements", "Suivis d'une embauche",
    *labels("spotter_hire_conversion", "spotter_median_first_contact_working_days"))]


def by_figure(periods: list[list]) -> list:
    """The figures of the three periods, each figure's three values side by side."""
    return [value for values in zip(*periods, strict=True) for value in values]


def job_cells(row: JobRow) -> list:
    shortage = "" if not row.code else ("oui" if row.shortage else "non")
    return [row.code, row.label, shortage,
            *by_figure([[cell(row.periods[which].figure(key)) for key in JOB_FIGURES] for which in PERIODS])]


def spotter_cells(row: SpotterRow) -> list:
    return [row.name, *by_figure([
        [found.flags, found.hired, cell(found.conversion), cell(found.median_first_contact)]
        for found in (row.periods[which] for which in PERIODS)])]


def breakdown_rows(found: Breakdowns) -> list[list]:
    """The breakdown tables below the indicators, each after a blank line and its title; the jobs
    and spotters with each figure over the period, the previous one and a year before, the plans'
    achieved figure at the end of each."""
    rows: list[list] = [[], ["Besoins par métier (ROME)"], JOB_HEADER,
                        *(job_cells(row) for row in [*found.jobs.jobs, *found.jobs.shortage])]
    rows += [[], ["Objectifs des plans de prospection"]]
    if found.plans is None:
        rows.append([PLANS_NOT_FOR_ADVISERS])
    else:
        rows.append(PLAN_HEADER)
        rows += [[plan.name, plan.basin_code, plan.start, plan.end, objective.indicator.label,
                  objective.target, cell(objective.achieved_figure),
                  *(cell(objective.compared_figure(which)) for which in COMPARED), objective.expected]
                 for plan in found.plans for objective in plan.objectives]
    rows += [[], ["Repéreurs par structure"], SPOTTER_HEADER,
             *(spotter_cells(row) for row in found.spotters)]
    return rows


PLANS_NOT_FOR_ADVISERS = ("Non disponible : les plans de prospection sont fixés par bassin, pas par "
                          "conseiller.")


REFUSALS_TITLE = "Co-traitance : réponses « pas pour moi » par structure"
REFUSALS_HEADER = ["Structure invitée à co-traiter", *compared_labels(
    "Co-traitances", "« Pas pour moi »", "Part (%)")]
NO_REFUSALS = ("Aucune structure n'a été invitée à co-traiter une demande déposée sur ce "
               "territoire pendant la période, la période précédente ou un an avant.")


def refusal_share(rate: RefusalRate) -> object:
    """The "not for me" share in %, one decimal; "non disponible" without co-handling."""
    return round(100 * rate.rate, 1) if rate.available else NOT_AVAILABLE


def refusal_rows(refusals: list[RefusalRow]) -> list[list]:
    """The co-handlers' "not for me" table, as on the dashboard, each figure over the period,
    the previous one and a year before."""
    if not refusals:
        return [[REFUSALS_TITLE], [NO_REFUSALS]]
    return [[REFUSALS_TITLE], REFUSALS_HEADER,
            *([row.organisation, *by_figure([
                [rate.co_handlings, rate.not_for_me, refusal_share(rate)]
                for rate in (row.periods[which] for which in PERIODS)])]
              for row in refusals)]


def export_rows(board: Dashboard, refusals: list[RefusalRow],
                found: Breakdowns | None = None) -> list[list]:
    return [
        [f"{board.scope.label} – {board.period.label}"],
        EXPORT_HEADER,
        *([row.definition.group.value, row.definition.key, row.definition.label, row.definition.unit,
           cell(row.current), cell(row.previous), cell(row.year_before), row.definition.definition]
          for row in board.rows),
        *(breakdown_rows(found) if found else []),
        [],
        *refusal_rows(refusals),
    ]


def export_file(board: Dashboard, refusals: list[RefusalRow], fmt: str,
                found: Breakdowns | None = None) -> bytes:
    """The tables as a CSV or XLSX file, safe against formula injection."""
    return spreadsheet_files.file_bytes(export_rows(board, refusals, found), fmt, "Indicateurs")
