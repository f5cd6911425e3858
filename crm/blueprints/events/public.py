"""Public event pages: the list (filtered by basin, date and sector, no JavaScript needed), an
event's page with the registration form, its calendar file, the candidate's cancel link and the
firm's answer link."""

from datetime import datetime

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from crm.blueprints.events import bp
from crm.blueprints.events.forms import (
    EventSurveyForm,
    FirmAnswerForm,
    FirmNeedForm,
    PublicFilterForm,
    RegistrationForm,
)
from crm.blueprints.forms import ActionForm, options
from crm.blueprints.guards import confirmed_action
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.models import (
    Event,
    EventCompany,
    EventStatus,
    ParticipationStatus,
    RegistrationStatus,
    utcnow,
)
from crm.services.events import calendar_file, firms, organising, registrations, surveys
from crm.services.plans.fiche import NAF_SECTIONS
from crm.services.platform import unit_of_work
from crm.services.platform.local_time import day_bounds
from crm.services.platform.wording import plural


def public_event(event_id: int) -> Event:
    event = organising.event_with_details(event_id)
    if event is None or event.status not in organising.PUBLIC_STATUSES:
        abort(404)
    return event


@bp.get("/evenements")
def public_list():
    """Upcoming events open to the public, the soonest first."""
    form = PublicFilterForm(request.args)
    form.validate()
    start: datetime = utcnow()
    if day := form.chosen_day():
        start = max(start, day_bounds(day)[0])
    query = (sa.select(Event).where(Event.status.in_(organising.OPEN_STATUSES + (EventStatus.CLOSED,)),
                                    Event.ends_at >= start)
             .options(selectinload(Event.organisers)).order_by(Event.starts_at, Event.id))
    if form.basin.data and not form.basin.errors:
        query = query.where(Event.basin_code == form.basin.data)
    if form.sector.data in NAF_SECTIONS:
        query = query.where(organising.has_sector(form.sector.data))
    page = paginate(query)
    items = page.items
    counts = registrations.counts_of([event.id for event in items])
    return render_template("events/public_list.html", form=form, page=page, items=items,
                           counts=counts, empty=registrations.Counts(), banner=organising.banner,
                           seats_left=registrations.seats_left)


def render_public_event(event: Event, form: RegistrationForm, status: int = 200):
    counts = registrations.counts(event.id)
    coming = [row for row in event.companies if row.status == ParticipationStatus.CONFIRMED]
    return render_template("events/public_event.html", event=event, form=form,
                           banner=organising.banner(event), counts=counts, coming=coming,
                           seats_left=registrations.seats_left(event, counts.confirmed),
                           open=event.status in organising.OPEN_STATUSES
                           and utcnow() < (event.registration_closes_at or event.ends_at)), status


@bp.route("/evenements/<int:event_id>", methods=["GET", "POST"])
def public_event_page(event_id: int):
    """The event and the registration form (a seat, or the waiting list when it is full)."""
    event = public_event(event_id)
    form = RegistrationForm()
    if form.validate_on_submit():
        with refusals(form) as refused:
            registration = registrations.register(event.id, form.candidate())
            unit_of_work.commit()
            return render_template("events/registered.html", event=event,
                                   banner=organising.banner(event), registration=registration,
                                   position=registrations.position(registration))
        if refused:
            return render_public_event(event, form, refused.status)
    return render_public_event(event, form, 422 if form.errors else 200)


@bp.get("/evenements/<int:event_id>/calendrier.ics")
def calendar(event_id: int):
    event = public_event(event_id)
    return Response(calendar_file.ics(event), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="evenement-{event.id}.ics"'})


@bp.route("/evenements/desinscription/<cancel_link>", methods=["GET", "POST"])
def cancel_page(cancel_link: str):
    """The candidate's cancel link: a confirmation button, then the seat is freed."""
    with refusals(flashed=False) as refused:
        registration = registrations.registration_for_token(cancel_link)
        event = organising.event_with_details(registration.event_id)
        if request.method == "POST":
            confirmed_action()
            registrations.cancel(registration)
            unit_of_work.commit()
        return render_template("events/cancel.html", registration=registration, event=event,
                               banner=organising.banner(event) if event else "",
                               cancelled=registration.status == RegistrationStatus.CANCELLED,
                               form=ActionForm())
    return render_template("events/link_refused.html", message=refused.message), refused.status


def firm_row(firm_link: str):
    """The invitation a firm's link names, or the French refusal page."""
    with refusals(flashed=False) as refused:
        row = firms.row_for_token(firm_link)
    if refused:
        return None, (render_template("events/link_refused.html", message=refused.message),
                      refused.status)
    return row, None


def answer_form(row: EventCompany, posted: bool) -> FirmAnswerForm:
    """The firm's answer, filled with the current one unless posted; its open needs to link."""
    form = FirmAnswerForm(data=None if posted else {
        "coming": "non" if row.status == ParticipationStatus.DECLINED else "oui",
        "positions": row.positions or None, "jobs": row.jobs,
        "need_ids": [need.id for need in row.needs]})
    form.need_ids.choices = options((need.id, f"{need.reference} – {need.job_label} "
                                              f"({plural(need.positions, 'poste')})")
                                    for need in firms.open_needs(row.company_id))
    return form


def render_firm_page(row: EventCompany, form: FirmAnswerForm | None = None,
                     need_form: FirmNeedForm | None = None, status: int = 200):
    event = organising.event_with_details(row.event_id)
    if event is None:
        abort(404)
    return render_template("events/firm_answer.html", row=row, event=event,
                           banner=organising.banner(event),
                           form=form or answer_form(row, posted=False),
                           need_form=need_form or FirmNeedForm(formdata=None)), status


@bp.route("/evenements/entreprise/<firm_link>", methods=["GET", "POST"])
def firm_answer(firm_link: str):
    """The firm's answer to its invitation, without an account."""
    row, refused_page = firm_row(firm_link)
    if row is None:
        return refused_page
    form = answer_form(row, posted=request.method == "POST")
    status = 200
    if form.validate_on_submit():
        with refusals(form) as refused:
            firms.answer(row, form.answer())
            unit_of_work.commit()
            flash("Votre réponse est enregistrée. Merci !", "success")
            return redirect(url_for(".firm_answer", firm_link=firm_link))
        status = refused.status
    elif form.errors:
        status = 422
    return render_firm_page(row, form, status=status)


@bp.post("/evenements/entreprise/<firm_link>/demande")
def firm_need(firm_link: str):
    """A new hiring need filed by the invited firm: routed like any need, linked to the event."""
    row, refused_page = firm_row(firm_link)
    if row is None:
        return refused_page
    need_form = FirmNeedForm()
    with refusals(need_form, flashed=False) as refused:
        filed = firms.file_need(row, need_form.payload_for_firm())
        unit_of_work.commit()
        flash(f"Votre demande {filed.need.reference} est enregistrée et liée à l'événement : "
              "un conseiller du réseau vous contacte. Le suivi de la demande vous est envoyé par "
              "e-mail.", "success")
        return redirect(url_for(".firm_answer", firm_link=firm_link, _anchor="demandes"))
    if refused.error is not None and not refused.error.fields:  # not about the form's fields
        need_form.form_errors.append(refused.error.message)
    return render_firm_page(row, need_form=need_form, status=refused.status)


@bp.route("/evenements/avis/<survey_link>", methods=["GET", "POST"])
def survey_page(survey_link: str):
    """The satisfaction survey after an event, answered once through the e-mail's signed link."""
    with refusals(flashed=False) as refused:
        survey = surveys.survey_for_token(survey_link)
    if refused:
        return render_template("events/link_refused.html", message=refused.message), refused.status
    event = organising.event_with_details(survey.event_id)
    if event is None:
        abort(404)
    form = EventSurveyForm()
    status, error = 200, None
    if form.is_submitted():
        with refusals(form, flashed=False) as refused:
            surveys.answer(survey, *form.answers())
            unit_of_work.commit()
            flash("Merci : votre avis est enregistré.", "success")
            return redirect(url_for(".survey_page", survey_link=survey_link))
        status = refused.status
        error = refused.message
    return render_template("events/survey.html", form=form, survey=survey, event=event,
                           banner=organising.banner(event), questions=surveys.QUESTIONS,
                           error=error), status
