"""Admin pages for personal-data rights: what is held about a person, its export, its erasure, and
the requests handled (docs/privacy.md)."""

import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from crm.blueprints.admin import bp
from crm.blueprints.admin.forms import ErasureForm, PersonSearchForm
from crm.blueprints.guards import actor, confirmed_action
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.models import PrivacyRequestKind
from crm.services.platform import unit_of_work
from crm.services.privacy import erasure, holdings, requests


def render_privacy(form: PersonSearchForm, erasure_form: ErasureForm | None = None, status: int = 200):
    """The page: the person searched (if any), with what is held, and the requests handled."""
    found, error = None, None
    if form.email.data and form.validate():
        try:
            found = holdings.find(form.email.data)
        except holdings.UnusableAddress as refused:
            error = refused.message
    return render_template("admin/privacy.html", form=form, found=found, error=error,
                           erasure_form=erasure_form or ErasureForm(email=found.email if found else None),
                           page=paginate(requests.history_query()), summary=requests.summary,
                           retention_months=current_app.config["CRM_RETENTION_MONTHS"],
                           mail_days=current_app.config["CRM_MAIL_RETENTION_DAYS"],
                           upload_days=current_app.config["CRM_UPLOAD_RETENTION_DAYS"]), status


@bp.get("/donnees-personnelles")
def privacy():
    """Search what the CRM holds about a person; the requests handled, newest first."""
    return render_privacy(PersonSearchForm(request.args))


@bp.post("/donnees-personnelles/export")
def privacy_export():
    """Download, as JSON, everything held about the person (the request is recorded)."""
    confirmed_action()
    with refusals():
        found = holdings.find(request.form.get("email", ""))
        erasure.handled(PrivacyRequestKind.EXPORT, actor(), {"elements": found.total}, found.email)
        unit_of_work.commit()
        body = json.dumps(holdings.as_export(found), ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": 'attachment; filename="donnees-personnelles.json"'})
    return redirect(url_for(".privacy"))


@bp.post("/donnees-personnelles/effacement")
def privacy_erasure():
    """Erase the person's details everywhere (confirmed, with the request's reason)."""
    form = ErasureForm()
    if not form.validate_on_submit():
        return render_privacy(PersonSearchForm(MultiDict({"email": form.email.data or ""})), form, 422)
    with refusals():
        found = holdings.find(form.email.data)
        done = erasure.erase(found, actor(), form.reason.data)
        unit_of_work.commit()
        flash(f"Données effacées : {requests.summary(done)}.", "success")
    return redirect(url_for(".privacy"))
