"""The committee dashboard, its exports and the glossary of the indicators."""

from flask import Response, abort, render_template, request

from crm.blueprints.guards import actor, staff_only
from crm.blueprints.indicators import bp
from crm.blueprints.indicators.forms import DashboardForm
from crm.blueprints.indicators.links import job_links, record_links, spotter_links
from crm.services.accounts import users
from crm.services.indicators import breakdowns, definitions, figures, scope, tables
from crm.services.platform import spreadsheet_files
from crm.services.platform.local_time import local_today


def chosen() -> tuple[DashboardForm, figures.Dashboard | None, breakdowns.Breakdowns | None]:
    """The pickers, the dashboard and its breakdown tables; 403 for a scope the reader may not
    read (an adviser reads their own figures, a manager their organisation's advisers')."""
    form = DashboardForm(request.args, users.organisation_choices(), actor())
    found = form.chosen(local_today())
    if found is None:
        return form, None, None
    if not scope.may_read(actor(), found[0]):
        abort(403)
    board = figures.dashboard(*found)
    return form, board, breakdowns.breakdowns(*found, local_today(), board.measures)


def refused(form: DashboardForm):
    return render_template("indicators/dashboard.html", form=form, board=None, links={},
                           groups=definitions.Group), 422


@bp.get("/pilotage/indicateurs")
@staff_only
def dashboard():
    """The indicators of a territory (or an adviser) over a period, with the previous period and
    a year before, and the breakdown tables of the period."""
    form, board, found = chosen()
    if board is None or found is None:
        return refused(form)
    return render_template("indicators/dashboard.html", form=form, board=board,
                           links=record_links(board.scope, board.period, local_today()),
                           groups=definitions.Group, shown=tables.shown, change=tables.change,
                           refusals=figures.not_for_me_by_organisation(board.scope, board.period),
                           breakdowns=found, job_links=job_links, spotter_links=spotter_links,
                           columns=definitions.COLUMN_BY_KEY, by_key=definitions.BY_KEY,
                           plans_not_for_advisers=tables.PLANS_NOT_FOR_ADVISERS)


@bp.get("/pilotage/indicateurs.<any(csv, xlsx):fmt>")
@staff_only
def export(fmt: str):
    """The dashboard's tables as CSV or XLSX (through the one safe writer): the indicators, the
    breakdowns and the co-handlers' "not for me" answers."""
    form, board, found = chosen()
    if board is None:
        return refused(form)
    name = f"indicateurs-{board.scope.level}-{board.scope.code}-{board.period.start}-{board.period.end}"
    refusals = figures.not_for_me_by_organisation(board.scope, board.period)
    return Response(tables.export_file(board, refusals, fmt, found),
                    content_type=spreadsheet_files.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/pilotage/indicateurs/definitions")
@staff_only
def glossary():
    """Each indicator's definition, from the one list the figures are computed with."""
    return render_template("indicators/definitions.html", groups=definitions.grouped())
