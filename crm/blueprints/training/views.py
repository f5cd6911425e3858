"""POE pages: the requests, writing one from a need or a firm, the request page (each check with
its reason and source, history, workflow buttons), the printable convention summary, the promotion
list and indicators, the administrators' parameters and FRAP lines, and the employer's wish."""

from pathlib import Path

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from crm.blueprints.guards import actor, admins_only, staff_only
from crm.blueprints.pagination import paginate
from crm.blueprints.public.views import public_form_rate_limit, secret_page, tracked_need
from crm.blueprints.refusals import refusals
from crm.blueprints.training import bp
from crm.blueprints.training.forms import (
    FrapLineForm,
    ParameterForm,
    RequestFilterForm,
    TrainingRequestForm,
    TransitionForm,
)
from crm.extensions import db, limiter
from crm.models import Basin, Company, HiringNeed, TrainingRequest
from crm.services.accounts import access
from crm.services.indicators import poe_requests
from crm.services.indicators.poe_requests import PoeFilters
from crm.services.platform import pdf, unit_of_work
from crm.services.training import parameters, promotion, requests, workflow
from crm.services.training.eligibility import RESULT_LABELS, VERDICT_LABELS


def request_or_404(request_id: int) -> TrainingRequest:
    found = db.session.get(TrainingRequest, request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/formations")
@staff_only
def request_list():
    """Every POE request, newest first, filtered (the requests a POE figure counts); bad filters
    come back with their French messages (422, the list then unfiltered)."""
    form = RequestFilterForm(request.args, actor())
    valid = form.validate()
    query = requests.readable(actor()).options(sa.orm.joinedload(TrainingRequest.company))
    query = poe_requests.filtered(query, form.filters() if valid else PoeFilters())
    return render_template("training/list.html", page=paginate(query), form=form), \
        200 if valid else 422


def context_of_new() -> tuple[Company, HiringNeed | None]:
    """The firm (and need) a new request is written for: ?besoin=<reference> or ?company_id=<id>."""
    reference, company_id = request.args.get("besoin"), request.args.get("company_id", "")
    if reference:
        need = db.session.scalar(sa.select(HiringNeed).where(HiringNeed.reference == reference[:40]))
        if need is None or not access.can_view_need(actor(), need):
            abort(404)
        return need.company, need
    company = db.session.get(Company, int(company_id)) if company_id.isdigit() \
        and int(company_id) < 2**31 else None
    if company is None:
        abort(400 if not company_id else 404)
    return company, None


@bp.route("/formations/nouvelle", methods=["GET", "POST"])
@staff_only
def new_request():
    """An adviser writes a POE request for a need, or a firm."""
    company, need = context_of_new()
    form = TrainingRequestForm(parameters.lines_on(requests.local_today()))
    if form.validate_on_submit():
        with refusals(form) as refused:
            created = requests.create(actor(), company, form.values(), need)
            unit_of_work.commit()
            flash("La demande de formation est enregistrée (brouillon).", "success")
            return redirect(url_for(".request_page", request_id=created.id))
        status = refused.status
    else:
        status = 422 if form.is_submitted() else 200
    return render_template("training/form.html", form=form, company=company, need=need,
                           training=None), status


@bp.route("/formations/<int:request_id>/modifier", methods=["GET", "POST"])
@staff_only
def edit_request(request_id: int):
    found = request_or_404(request_id)
    if not requests.owns(actor(), found) or found.status not in requests.EDITABLE:
        abort(403)
    form = TrainingRequestForm(parameters.lines_on(requests.local_today()))
    if request.method == "GET":
        form.fill(found)
    if form.validate_on_submit():
        with refusals(form) as refused:
            requests.update(actor(), found, form.values())
            unit_of_work.commit()
            flash("La demande est mise à jour.", "success")
            return redirect(url_for(".request_page", request_id=found.id))
        status = refused.status
    else:
        status = 422 if form.is_submitted() else 200
    return render_template("training/form.html", form=form, company=found.company,
                           need=None, training=found), status


def render_request(found: TrainingRequest, status: int = 200, error: str | None = None):
    return render_template(
        "training/request.html", training=found, result=requests.eligibility_of(found),
        moves=workflow.moves(actor(), found), result_labels=RESULT_LABELS,
        verdict_labels=VERDICT_LABELS, editable=requests.owns(actor(), found)
        and found.status in requests.EDITABLE, transitions=workflow.TRANSITIONS,
        form=TransitionForm(), error=error), status


@bp.get("/formations/<int:request_id>")
@staff_only
def request_page(request_id: int):
    """The request, each check with its reason and source, its history and next steps."""
    return render_request(request_or_404(request_id))


@bp.post("/formations/<int:request_id>/etape")
@staff_only
def move(request_id: int):
    """One step of the workflow (a reason or a date when the step records one)."""
    found = request_or_404(request_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return render_request(found, 422, "La date ou le motif est invalide.")
    with refusals(flashed=False) as refused:
        workflow.move(actor(), found, form.to.data or "", form.reason.data, form.day.data)
        unit_of_work.commit()
        flash(f"Étape enregistrée : {found.status.label}.", "success")
        return redirect(url_for(".request_page", request_id=found.id))
    db.session.refresh(found)
    return render_request(found, refused.status, refused.message)


@bp.get("/formations/<int:request_id>/convention")
@staff_only
def convention(request_id: int):
    """A printable summary of the convention (the browser prints it or saves it as PDF)."""
    return render_convention(request_or_404(request_id), as_pdf=False)


@bp.get("/formations/<int:request_id>/convention.pdf")
@staff_only
def convention_pdf(request_id: int):
    """The same summary as a PDF file, printed on the server."""
    found = request_or_404(request_id)
    try:
        document = pdf.html_to_pdf(render_convention(found, as_pdf=True), request.url,
                                   Path(current_app.static_folder or "static"))
    except pdf.PdfUnavailable:
        flash("Le PDF n'est pas disponible sur ce serveur : imprimez le récapitulatif ou "
              "enregistrez-le en PDF depuis votre navigateur.", "error")
        return redirect(url_for(".convention", request_id=found.id))
    response = make_response(document)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="convention-{found.kind.value}-{found.id}.pdf"')
    return response


def render_convention(found: TrainingRequest, as_pdf: bool) -> str:
    return render_template("training/convention.html", training=found, as_pdf=as_pdf,
                           result=requests.eligibility_of(found), result_labels=RESULT_LABELS)


@bp.get("/formations/promotion")
@staff_only
def promotion_page():
    """Firms to call about the POE in a basin, and the requests' indicators."""
    basins = db.session.scalars(sa.select(Basin).order_by(Basin.name)).all()
    own = [basin.code for basin in current_user.basins]
    chosen = request.args.get("bassin") or (own[0] if own else (basins[0].code if basins else ""))
    if chosen not in {basin.code for basin in basins}:
        abort(404)
    return render_template("training/promotion.html", basins=basins, chosen=chosen,
                           prospects=promotion.promotion_list(chosen),
                           figures=promotion.indicators())


@bp.get("/admin/formation")
@admins_only
def settings():
    """The dated parameters (caps, amounts) and the FRAP funding lines."""
    return render_settings(ParameterForm(prefix="param"), FrapLineForm(prefix="frap"))


def render_settings(parameter_form: ParameterForm, line_form: FrapLineForm, status: int = 200):
    return render_template(
        "training/settings.html", parameter_form=parameter_form, line_form=line_form,
        parameters=parameters.all_parameters(), in_force=parameters.values_on(requests.local_today()),
        shipped=parameters.SHIPPED, lines=parameters.frap_lines()), status


@bp.post("/admin/formation/parametres")
@admins_only
def add_parameter():
    form = ParameterForm(prefix="param")
    if form.validate_on_submit():
        with refusals(form) as refused:
            parameters.add_parameter(actor(), form.key.data, form.value.data or 0, form.source.data or "",
                                     form.valid_from.data, form.valid_to.data)
            unit_of_work.commit()
            flash("Le paramètre est enregistré.", "success")
            return redirect(url_for(".settings"))
        return render_settings(form, FrapLineForm(prefix="frap"), refused.status)
    return render_settings(form, FrapLineForm(prefix="frap"), 422)


@bp.post("/admin/formation/frap")
@admins_only
def add_frap_line():
    form = FrapLineForm(prefix="frap")
    if form.validate_on_submit():
        with refusals(form) as refused:
            parameters.add_frap_line(actor(), form.frap_input())
            unit_of_work.commit()
            flash("La ligne de financement FRAP est enregistrée.", "success")
            return redirect(url_for(".settings"))
        return render_settings(ParameterForm(prefix="param"), form, refused.status)
    return render_settings(ParameterForm(prefix="param"), form, 422)


@bp.post("/recrutement/suivi/<token>/formation")
@limiter.limit(public_form_rate_limit)
@secret_page
def employer_wish(token: str):
    """From the tracking page: « Je souhaite former un candidat avant de l'embaucher »."""
    need = tracked_need(token)
    if not need.is_open:
        abort(409)
    _, new = requests.from_employer(need)
    unit_of_work.commit()
    flash("Votre souhait est transmis : votre conseiller vous recontacte pour préparer la formation."
          if new else "Votre souhait de former un candidat est déjà transmis.", "success")
    return redirect(url_for("public.tracking_page", token=token, _anchor="formation"))
