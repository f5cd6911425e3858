"""The committee dashboard, its exports and the glossary of the indicators."""

from flask import Response, abort, render_template, request

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.indicators import bp
from crm.blueprints.indicators.basin_map import dashboard_map
from crm.blueprints.indicators.forms import DashboardForm
from crm.blueprints.indicators.links import job_links, plan_link, record_links, spotter_links
from crm.services.accounts import users
from crm.services.indicators import aggregates, breakdowns, charts, definitions, figures, scope, tables
from crm.services.platform import spreadsheet_files
from crm.services.platform.local_time import local_today


def chosen() -> tuple[DashboardForm, aggregates.Computed | None, breakdowns.Breakdowns | None]:
    """The pickers, the dashboard (stored by the nightly job, else live) and its breakdown
    tables; 403 for a scope the reader may not read (an adviser reads their own figures, a
    manager their organisation's advisers')."""
    form = DashboardForm(request.args, users.organisation_choices(), actor())
    found = form.chosen(local_today())
    if found is None:
        return form, None, None
    if not scope.may_read(actor(), found[0]):
        abort(403)
    computed = aggregates.dashboard(*found)
    return form, computed, (computed.breakdowns or breakdowns.breakdowns(
        *found, local_today(), computed.board.measures))


def refusals_of(board: figures.Dashboard) -> list[breakdowns.RefusalRow]:
    """The co-handlers' "not for me" table over the three periods (computed live)."""
    return breakdowns.not_for_me_by_organisation(board.measures.compared)


def refused(form: DashboardForm):
    return render_template("indicators/dashboard.html", form=form, board=None, links={},
                           groups=definitions.Group), 422


@bp.get("/pilotage/indicateurs")
@staff_only
def dashboard():
    """The indicators of a territory (or an adviser) over a period, with the previous period and
    a year before, the charts, the basins' map of a region or a département, and the breakdown
    tables of the period."""
    form, computed, found = chosen()
    if computed is None or found is None:
        return refused(form)
    board = computed.board
    return render_template("indicators/dashboard.html", form=form, board=board,
                           freshness=computed.freshness,
                           links={which: record_links(board.scope, period) for which, period in (
                               ("current", board.period), ("previous", board.period.previous),
                               ("year_before", board.period.year_before))},
                           groups=definitions.Group, shown=tables.shown, change=tables.change,
                           refusals=refusals_of(board),
                           charts=charts.dashboard_charts(board), chart_value=charts.shown,
                           basin_map=dashboard_map(board, computed.basin_map),
                           breakdowns=found, compared=form.comparison.data,
                           job_figures=[definitions.BY_KEY[key] for key in breakdowns.JOB_FIGURES],
                           job_links=job_links, spotter_links=spotter_links,
                           plan_link=plan_link,
                           columns=definitions.COLUMN_BY_KEY, by_key=definitions.BY_KEY,
                           plans_not_for_advisers=tables.PLANS_NOT_FOR_ADVISERS)


@bp.get("/pilotage/indicateurs.<any(csv, xlsx):fmt>")
@staff_only
def export(fmt: str):
    """The dashboard's tables as CSV or XLSX (through the one safe writer): the indicators, the
    breakdowns and the co-handlers' "not for me" answers."""
    form, computed, found = chosen()
    if computed is None:
        return refused(form)
    board = computed.board
    name = f"indicateurs-{board.scope.level}-{board.scope.code}-{board.period.start}-{board.period.end}"
    return Response(tables.export_file(board, refusals_of(board), fmt, found),
                    content_type=spreadsheet_files.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/pilotage/indicateurs/definitions")
@staff_only
def glossary():
    """Each indicator's definition, from the one list the figures are computed with."""
    return render_template("indicators/definitions.html", groups=definitions.grouped())
