"""The companies list: search, filters, sorting, saved views and exports of the current view."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import login_required

from crm.blueprints.companies import bp
from crm.blueprints.companies.list_forms import CompanyFilterForm, ExportForm, SavedViewForm
from crm.blueprints.guards import actor
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import BackgroundTask, SavedView, utcnow
from crm.services.accounts import access
from crm.services.companies import exports, listing, pressure, saved_views
from crm.services.companies import listing as company_list
from crm.services.companies import search as company_search
from crm.services.companies.listing import CompanyFilters
from crm.services.platform import background_tasks, unit_of_work
from jobs.exports import export_companies

PAGE = "companies"
LIST_ONLY_ARGS = ("page", "vue")  # in the address of the list, not filters of the view


def filter_args() -> dict:
    """The current filters as query-string arguments (for the save and export forms)."""
    return {key: values for key, values in request.args.to_dict(flat=False).items()
            if key not in LIST_ONLY_ARGS}


def current_filters() -> tuple[CompanyFilterForm, CompanyFilters]:
    """The filter form read from the address, and its filters (the defaults when invalid)."""
    form = CompanyFilterForm(request.args, actor())
    return form, form.filters() if form.validate() else CompanyFilters()


def page_number() -> int:
    number = request.args.get("page", 1, type=int)
    if number < 1:
        abort(404)
    return number


def rename_forms(views: list[SavedView]) -> dict[int, SavedViewForm]:
    """A rename form for each of the user's own views, filled with its name."""
    return {view.id: SavedViewForm(prefix=f"vue-{view.id}", formdata=None, obj=view)
            for view in views if view.user_id == actor().id}


def render_list(status: int = 200, save_form: SavedViewForm | None = None,
                renamed: dict[int, SavedViewForm] | None = None):
    """The list page; a submitted form comes back with its errors, and so do bad filters (422,
    the list then unfiltered)."""
    user, now = actor(), utcnow()
    form, filters = current_filters()
    if form.errors:
        status = 422
    number = page_number()
    page = listing.company_page(user, filters, number, current_app.config["PAGE_SIZE"], now)
    if number > 1 and not page.items and not (page.limited or page.past_end):
        abort(404)
    ids = [hit.company.id for hit in page.items]
    details = access.sees_company_details(user)
    views = saved_views.views_for(user, PAGE)
    return render_template(
        "companies/list.html", form=form, page=page, details=details, filter_args=filter_args(),
        levels=pressure.levels_for(ids, user.organisation_id, now) if details else {},
        views=views, current_view=request.args.get("vue", type=int),
        browse_limit=company_search.BROWSE_LIMIT,
        save_form=save_form or SavedViewForm(formdata=None),
        rename_forms=rename_forms(views) | (renamed or {}), export_form=ExportForm(formdata=None),
    ), status


@bp.get("")
@login_required
def companies():
    """Companies by name, SIRET, SIREN, commune or postal code, filtered, sorted and paginated."""
    return render_list()


@bp.post("/vues")
@login_required
def save_view():
    """Keep the current filters under a name, for me or my organisation."""
    form = SavedViewForm()
    filter_form, filters = current_filters()
    if not form.validate() or filter_form.errors:
        return render_list(422, save_form=form)
    filters = company_list.for_user(actor(), filters)
    with refusals(form):
        view = saved_views.save_view(actor(), PAGE, form.name.data, filters.to_dict(),
                                     form.shared.data)
        unit_of_work.commit()
        flash(f"Vue « {view.name} » enregistrée.", "success")
        return redirect(url_for("companies.apply_view", view_id=view.id))
    return render_list(422, save_form=form)


def visible_view(view_id: int) -> SavedView:
    view = saved_views.visible_view(actor(), view_id, PAGE)
    if view is None:
        abort(404)
    return view


def own_view(view_id: int) -> SavedView:
    """One of my views: 404 when I cannot see it, 403 when it is someone else's shared view."""
    view = visible_view(view_id)
    if view.user_id != actor().id:
        abort(403)
    return view


@bp.get("/vues/<int:view_id>")
@login_required
def apply_view(view_id: int):
    """The list with a saved view's filters."""
    view = visible_view(view_id)
    return redirect(url_for("companies.companies", **view.filters, vue=view.id))


@bp.post("/vues/<int:view_id>/renommer")
@login_required
def rename_view(view_id: int):
    """Rename one of my views, or change whether my organisation sees it."""
    view = own_view(view_id)
    form = SavedViewForm(prefix=f"vue-{view.id}")
    if form.validate():
        with refusals(form):
            saved_views.rename_view(view, form.name.data, form.shared.data)
            unit_of_work.commit()
            flash(f"Vue renommée en « {view.name} ».", "success")
            return redirect(url_for("companies.apply_view", view_id=view.id))
    return render_list(422, renamed={view.id: form})


@bp.post("/vues/<int:view_id>/supprimer")
@login_required
def delete_view(view_id: int):
    view = own_view(view_id)
    name = view.name
    saved_views.delete_view(view)
    unit_of_work.commit()
    flash(f"Vue « {name} » supprimée.", "success")
    return redirect(url_for("companies.companies"))


def download(fmt: str, filters: CompanyFilters):
    """The export as a file, written while it is sent (CSV) or in write-only mode (XLSX)."""
    user, now = actor(), utcnow()
    name = exports.filename(fmt, now)
    rows = exports.export_rows(user, filters, now)
    if fmt == "csv":
        return Response(stream_with_context(exports.csv_chunks(rows)), content_type=exports.FORMATS[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return send_file(exports.xlsx_file(rows), mimetype=exports.FORMATS[fmt], as_attachment=True,
                     download_name=name)


@bp.post("/export")
@login_required
def export():
    """Export the current view: at once up to the limit, else as a background task."""
    form = ExportForm()
    if not form.validate():
        abort(400)
    filter_form, filters = current_filters()
    if filter_form.errors:  # never the whole list in place of a view with bad filters
        return render_list(422)
    fmt, total = form.format.data, exports.export_count(actor(), filters, utcnow())
    if total <= exports.sync_limit():
        return download(fmt, filters)
    task = background_tasks.start_task(exports.KIND, f"Export de {total} entreprises ({fmt.upper()})",
                                       actor(), export_companies, actor().id, filters.to_dict(), fmt,
                                       queue="imports")
    return redirect(url_for("main.task", task_id=task.id))


@bp.get("/exports/<task_id>")
@login_required
def export_download(task_id: str):
    """The file of a finished export, for the person who asked for it only."""
    upload = exports.export_of_task(actor(), db.session.get(BackgroundTask, task_id))
    if upload is None:
        abort(404)
    fmt = upload.filename.rsplit(".", 1)[-1]
    return Response(upload.content, content_type=exports.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{upload.filename}"'})
