"""Views of the public recruitment request form and tracking page."""

from datetime import timedelta
from functools import wraps

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from wtforms import Field

from crm.blueprints.public import bp, throttle
from crm.blueprints.public.forms import MessageForm, NeedRequestForm, SurveyForm, WithdrawForm
from crm.blueprints.refusals import refusals
from crm.extensions import limiter
from crm.models import HiringNeed, NeedSource
from crm.services.needs import filing, notifications, satisfaction, tracking
from crm.services.needs import workflow as need_workflow
from crm.services.needs.schema import InvalidNeed, NeedInput, parse_need
from crm.services.platform import legal, unit_of_work
from crm.services.platform.refusals import InvalidInput
from crm.services.territory import communes, rome_jobs

TOO_MANY_REQUESTS = ("Trop de demandes ont été envoyées depuis votre connexion. "
                     "Patientez avant de réessayer.")


def public_form_rate_limit() -> str:
    return current_app.config["CRM_PUBLIC_FORM_RATE_LIMIT"]


def job_search_rate_limit() -> str:
    return current_app.config["CRM_JOB_SEARCH_RATE_LIMIT"]


def secret_page(view):
    """Pages whose address holds the tracking token: never indexed, cached or sent as Referer."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Cache-Control"] = "no-store"
        return response
    return wrapped


def form_page(form: NeedRequestForm, **context) -> str:
    """The request form page, with the operator and retention it states."""
    return render_template("public/request_form.html", form=form, retention=legal.retention(),
                           operator=legal.operator(), **context)


def render_form(form: NeedRequestForm):
    return form_page(form), 422 if form.errors else 200


def render_limited(form: NeedRequestForm, delay: timedelta):
    """The form again as typed, not sent, with when this address may send it."""
    place = communes.workplace(form.postal_code.data, form.commune_code.data)
    form.offer_communes(place.communes)
    form.commune_code.data = place.commune_code or form.commune_code.data
    page = form_page(form, retry_at=throttle.retry_time(delay))
    return page, 429, {"Retry-After": str(int(delay.total_seconds()))}


def file_request(form: NeedRequestForm) -> tuple[filing.FiledNeed, NeedInput]:
    """Find the workplace, check the request against the one schema and file it."""
    place = communes.workplace(form.postal_code.data, form.commune_code.data)
    form.offer_communes(place.communes)
    form.commune_code.data = place.commune_code
    errors = {name: list(messages) for name, messages in place.errors.items()}
    try:
        data = parse_need(form.payload(place.commune_code), require_consent=True,
                          typed_job=True)
    except InvalidNeed as invalid:
        for name, messages in invalid.fields.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidNeed(errors)
    return filing.file_need(data, source=NeedSource.PUBLIC_FORM), data


@bp.route("/recrutement", methods=["GET", "POST"])
def request_form():
    """The employer's recruitment request, without an account: the essentials on one screen.

    Only filed requests count towards the address's limit; failed attempts have their own."""
    form = NeedRequestForm()
    if not form.is_submitted():
        return render_form(form)
    if delay := throttle.wait(throttle.INVALID):
        return render_limited(form, delay)
    if not form.validate():
        throttle.count(throttle.INVALID)
        return render_form(form)
    if delay := throttle.wait(throttle.FILED):
        return render_limited(form, delay)
    if form.website.data:
        throttle.count(throttle.FILED)
        return render_template("public/received.html")
    with refusals(form, flashed=False) as refused:
        filed, data = file_request(form)
        unit_of_work.commit()
    if refused:
        throttle.count(throttle.INVALID)
        return render_form(form)
    throttle.count(throttle.FILED)
    if not filed.attached:
        return redirect(url_for("public.confirmation", token=filed.need.tracking_token))
    if tracking.same_contact(filed.need, data.contact_email):
        return redirect(url_for("public.confirmation", token=filed.need.tracking_token,
                                complement=1))
    session["completed_reference"] = filed.need.reference
    return redirect(url_for("public.completed"))


@bp.get("/recrutement/demande-completee")
def completed():
    """A request that completed an open request filed by someone else: no tracking link."""
    reference = session.get("completed_reference")
    if reference is None:
        return redirect(url_for("public.request_form"))
    return render_template("public/completed.html", reference=reference)


@bp.get("/recrutement/communes")
def communes_of_postal_code():
    """The communes of a postal code as JSON, for the form's script."""
    found = communes.communes_for_postal_code(request.args.get("code_postal"))
    return jsonify([{"code": commune.code, "name": commune.name} for commune in found])


@bp.get("/metiers")
@limiter.limit(job_search_rate_limit)
def job_search():
    """The ROME jobs matching ?q= as JSON, for the job picker's script (docs/entry-point.md)."""
    found = rome_jobs.search(request.args.get("q", ""))
    return jsonify([{"code": job.code, "label": job.label, "text": job.text,
                     "shortage": job.shortage} for job in found])


def tracked_need(token: str) -> HiringNeed:
    need = filing.find_by_token(token)
    if need is None:
        abort(404)
    return need


@bp.get("/recrutement/confirmation/<token>")
@secret_page
def confirmation(token: str):
    """The receipt of a request: its reference, its tracking link and who handles it."""
    need = tracked_need(token)
    return render_template(
        "public/confirmation.html", need=need, attached=request.args.get("complement") == "1",
        tracking_url=filing.tracking_url(need),
    )


def render_tracking(need: HiringNeed, message_form: MessageForm | None = None,
                    error: str | None = None, survey_form: SurveyForm | None = None):
    return render_template(
        "public/tracking.html", need=need, survey=satisfaction.survey_of(need),
        survey_form=survey_form or SurveyForm(formdata=None), questions=satisfaction.QUESTIONS,
        messages=tracking.public_messages(need), error=error,
        co_handlers=tracking.co_handler_names(need), candidates=tracking.candidate_stages(need),
        outcome=notifications.OUTCOME_SENTENCES.get(need.status.value),
        message_form=message_form or MessageForm(),
    )


def refused(need: HiringNeed, message: str, field: Field, **forms):
    """The tracking page again with why an action was refused."""
    if not need.is_open:
        return render_tracking(need, error=message, **forms), 409
    field.errors = [message]
    return render_tracking(need, **forms), 422


@bp.get("/recrutement/suivi/<token>")
@secret_page
def tracking_page(token: str):
    """Where the employer follows the request: history, contact, next step, messages."""
    return render_tracking(tracked_need(token))


@bp.post("/recrutement/suivi/<token>/message")
@limiter.limit(public_form_rate_limit, error_message=TOO_MANY_REQUESTS)
@secret_page
def send_message(token: str):
    """A message from the employer to whoever handles the request."""
    need = tracked_need(token)
    form = MessageForm()
    with refusals(flashed=False) as refusal:
        tracking.write(need, form.body.data or "")
        unit_of_work.commit()
        flash("Votre message a été transmis.", "success")
        return redirect(url_for("public.tracking_page", token=token, _anchor="messages"))
    return refused(need, refusal.message, form.body, message_form=form)


@bp.post("/recrutement/suivi/<token>/avis")
@limiter.limit(public_form_rate_limit, error_message=TOO_MANY_REQUESTS)
@secret_page
def survey_answer(token: str):
    """The employer's answer to the two satisfaction questions, once, when the need is closed."""
    need = tracked_need(token)
    form = SurveyForm()
    with refusals(form, flashed=False) as refusal:
        satisfaction.answer(need, form.answer(form.contacted_quickly), form.answer(form.useful),
                            form.comment.data)
        unit_of_work.commit()
        flash("Merci : votre avis est enregistré.", "success")
        return redirect(url_for("public.tracking_page", token=token, _anchor="avis"))
    status = 422 if isinstance(refusal.error, InvalidInput) else 409  # else: answered, or open
    return render_tracking(need, error=refusal.message, survey_form=form), status


@bp.route("/recrutement/suivi/<token>/retrait", methods=["GET", "POST"])
@secret_page
def withdraw(token: str):
    """The employer withdraws the request: a page says what it does and asks for confirmation
    (with an optional reason); only its form withdraws."""
    need = tracked_need(token)
    if request.method == "GET" and not need.is_open:
        return redirect(url_for("public.tracking_page", token=token))
    form = WithdrawForm()
    if request.method == "GET" or not form.validate():
        status = 422 if form.errors else 200
        return render_template("public/withdraw.html", need=need, form=form), status
    with refusals(flashed=False) as refusal:
        need_workflow.withdraw(need, form.reason.data)
        unit_of_work.commit()
        flash("Votre demande est retirée. Merci de nous avoir prévenus.", "success")
        return redirect(url_for("public.tracking_page", token=token))
    return render_tracking(need, error=refusal.message), 409
