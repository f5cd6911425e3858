"""The committee dashboard, its exports and the glossary of the indicators."""

from flask import Response, render_template, request

from crm.blueprints.guards import supervisors_only
from crm.blueprints.indicators import bp
from crm.blueprints.indicators.basin_map import dashboard_map
from crm.blueprints.indicators.forms import DashboardForm
from crm.blueprints.indicators.links import record_links
from crm.services.accounts import users
from crm.services.indicators import aggregates, charts, definitions, figures, tables
from crm.services.platform import spreadsheet_files
from crm.services.platform.local_time import local_today


def chosen() -> tuple[DashboardForm, aggregates.Computed | None]:
    """The pickers and the dashboard they ask for (stored by the nightly job, else live)."""
    form = DashboardForm(request.args, users.organisation_choices())
    found = form.chosen(local_today())
    return form, (aggregates.dashboard(*found) if found else None)


@bp.get("/pilotage/indicateurs")
@supervisors_only
def dashboard():
    """The indicators of a territory over a period, with the previous period and a year before."""
    form, computed = chosen()
    if computed is None:
        return render_template("indicators/dashboard.html", form=form, board=None, links={},
                               groups=definitions.Group), 422
    board = computed.board
    return render_template(
        "indicators/dashboard.html", form=form, board=board, freshness=computed.freshness,
        links=record_links(board.scope, board.period, local_today()),
        groups=definitions.Group, shown=tables.shown, change=tables.change,
        refusals=figures.not_for_me_by_organisation(board.scope, board.period),
        charts=charts.dashboard_charts(board), chart_value=charts.shown,
        basin_map=dashboard_map(board, computed.basin_map))


@bp.get("/pilotage/indicateurs.<any(csv, xlsx):fmt>")
@supervisors_only
def export(fmt: str):
    """The dashboard's table as CSV or XLSX (through the one safe writer)."""
    form, computed = chosen()
    if computed is None:
        return render_template("indicators/dashboard.html", form=form, board=None, links={},
                               groups=definitions.Group), 422
    board = computed.board
    name = f"indicateurs-{board.scope.level}-{board.scope.code}-{board.period.start}-{board.period.end}"
    return Response(tables.export_file(board, fmt), content_type=spreadsheet_files.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/pilotage/indicateurs/definitions")
@supervisors_only
def glossary():
    """Each indicator's definition, from the one list the figures are computed with."""
    return render_template("indicators/definitions.html", groups=definitions.grouped())
