"""The committee dashboard, its exports and the glossary of the indicators."""

from flask import Response, render_template, request

from crm.blueprints.guards import supervisors_only
from crm.blueprints.indicators import bp
from crm.blueprints.indicators.forms import DashboardForm
from crm.blueprints.indicators.links import record_links
from crm.services.accounts import users
from crm.services.indicators import definitions, figures, tables
from crm.services.platform import spreadsheet_files
from crm.services.platform.local_time import local_today


def chosen() -> tuple[DashboardForm, figures.Dashboard | None]:
    form = DashboardForm(request.args, users.organisation_choices())
    found = form.chosen(local_today())
    return form, (figures.dashboard(*found) if found else None)


@bp.get("/pilotage/indicateurs")
@supervisors_only
def dashboard():
    """The indicators of a territory over a period, with the previous period and a year before."""
    form, board = chosen()
    links = record_links(board.scope, board.period, local_today()) if board else {}
    refusals = figures.not_for_me_by_organisation(board.scope, board.period) if board else []
    return render_template("indicators/dashboard.html", form=form, board=board, links=links,
                           groups=definitions.Group, shown=tables.shown, change=tables.change,
                           refusals=refusals), 200 if board else 422


@bp.get("/pilotage/indicateurs.<any(csv, xlsx):fmt>")
@supervisors_only
def export(fmt: str):
    """The dashboard's tables as CSV or XLSX (through the one safe writer): the indicators and
    the co-handlers' "not for me" answers."""
    form, board = chosen()
    if board is None:
        return render_template("indicators/dashboard.html", form=form, board=None, links={},
                               groups=definitions.Group), 422
    name = f"indicateurs-{board.scope.level}-{board.scope.code}-{board.period.start}-{board.period.end}"
    refusals = figures.not_for_me_by_organisation(board.scope, board.period)
    return Response(tables.export_file(board, refusals, fmt),
                    content_type=spreadsheet_files.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/pilotage/indicateurs/definitions")
@supervisors_only
def glossary():
    """Each indicator's definition, from the one list the figures are computed with."""
    return render_template("indicators/definitions.html", groups=definitions.grouped())
