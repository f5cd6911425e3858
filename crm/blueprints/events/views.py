"""The staff's event pages: the list, organising and editing, the event's page (organisers, firms,
candidates, status changes), inviting firms, registering a candidate, the check-in list and the
outcomes per firm."""

from flask import Response, abort, flash, redirect, render_template, request, url_for

from crm.blueprints.events import bp
from crm.blueprints.events.forms import (
    EventFilterForm,
    EventForm,
    IndicatorFilterForm,
    InviteForm,
    OutcomesForm,
    RegistrationForm,
    StatusForm,
)
from crm.blueprints.forms import ActionForm
from crm.blueprints.guards import actor, confirmed_action, staff_only
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import Event, EventCompany, EventStatus, HiringNeed
from crm.services.events import firms, listing, organising, registrations, surveys, upkeep
from crm.services.platform import spreadsheet_files, unit_of_work
from crm.services.platform.local_time import day_bounds


def event_or_404(event_id: int) -> Event:
    event = organising.event_with_details(event_id)
    if event is None:
        abort(404)
    return event


@bp.get("/gestion/evenements")
@staff_only
def staff_list():
    """Every event, latest first, with what the indicators sum per event and over the list; wrong
    filters are said (422) and keep every event."""
    form = EventFilterForm(request.args, actor())
    valid = form.validate()
    filters = form.filters()
    page = paginate(listing.staff_events(filters))
    ids = [event.id for event in page.items]
    return render_template("events/staff_list.html", form=form, page=page,
                           counts=registrations.counts_of(ids), empty=registrations.Counts(),
                           per_event=listing.figures_per_event(ids, filters), none=listing.EventFigures(),
                           totals=listing.list_figures(filters), banner=organising.banner,
                           can_organise=organising.can_organise(actor()),
                           figures=listing.indicators(filters),
                           indicator_args=filter_arguments()), 200 if valid else 422


def filter_arguments() -> dict[str, str]:
    """The basin and period filters of the request, for links that keep them."""
    return {name: value for name, value in request.args.items()
            if name in ("basin", "from_day", "to_day") and value}


def chosen_indicators() -> tuple[IndicatorFilterForm, upkeep.IndicatorTables]:
    form = IndicatorFilterForm(request.args)
    form.validate()
    basin = form.basin.data if form.basin.data and not form.basin.errors else None
    start = day_bounds(form.from_day.data)[0] if form.from_day.data and not form.from_day.errors else None
    end = day_bounds(form.to_day.data)[1] if form.to_day.data and not form.to_day.errors else None
    return form, upkeep.indicator_tables(basin=basin, start=start, end=end)


@bp.get("/gestion/evenements/indicateurs")
@staff_only
def indicators():
    """The events' indicators, all together, per basin and per event, for a basin and a period."""
    form, tables = chosen_indicators()
    return render_template("events/indicators.html", form=form, tables=tables,
                           columns=upkeep.COLUMNS, table_names=upkeep.TABLES,
                           arguments=filter_arguments(),
                           most_events=upkeep.MOST_EVENTS)


@bp.get("/gestion/evenements/indicateurs.csv")
@staff_only
def indicators_csv():
    """One table of the indicators page (`tableau`: ensemble, bassins, evenements) as CSV."""
    table = request.args.get("tableau", "ensemble")
    if table not in upkeep.TABLES:
        abort(404)
    _form, tables = chosen_indicators()
    return Response(spreadsheet_files.csv_text(upkeep.csv_rows(tables, table)),
                    content_type=spreadsheet_files.CSV_TYPE,
                    headers={"Content-Disposition":
                             f'attachment; filename="indicateurs-evenements-{table}.csv"'})


@bp.route("/gestion/evenements/nouveau", methods=["GET", "POST"])
@staff_only
def new_event():
    """Organise an event (saved in preparation, published from its page)."""
    form = EventForm()
    if form.validate_on_submit():
        with refusals(form) as refused:
            event = organising.create_event(actor(), form.data_for_service())
            unit_of_work.commit()
            flash(f"L'événement « {event.title} » est enregistré (en préparation). Publiez-le "
                  "pour ouvrir les inscriptions.", "success")
            return redirect(url_for(".staff_event", event_id=event.id))
        if refused:
            return render_template("events/form.html", form=form, event=None), refused.status
    status = 422 if form.errors else 200
    return render_template("events/form.html", form=form, event=None), status


@bp.route("/gestion/evenements/<int:event_id>/modifier", methods=["GET", "POST"])
@staff_only
def edit_event(event_id: int):
    event = event_or_404(event_id)
    if not organising.can_manage(actor(), event):
        abort(403)
    form = EventForm(event=event)
    if form.validate_on_submit():
        with refusals(form) as refused:
            organising.update_event(actor(), event, form.data_for_service())
            unit_of_work.commit()
            flash("L'événement est modifié.", "success")
            return redirect(url_for(".staff_event", event_id=event.id))
        if refused:
            return render_template("events/form.html", form=form, event=event), refused.status
    status = 422 if form.errors else 200
    return render_template("events/form.html", form=form, event=event), status


@bp.get("/gestion/evenements/<int:event_id>")
@staff_only
def staff_event(event_id: int):
    """The event: banner, figures, firms and their answers, candidates, actions."""
    event = event_or_404(event_id)
    counts = registrations.counts(event.id)
    manage = organising.can_manage(actor(), event)
    return render_template(
        "events/staff_event.html", event=event, counts=counts, banner=organising.banner(event),
        seats_left=registrations.seats_left(event, counts.confirmed),
        people=registrations.active_registrations(event.id), position=registrations.position,
        figures=upkeep.indicators([event.id]), manage=manage,
        transitions=organising.TRANSITIONS[event.status], status_form=StatusForm(),
        invite_form=InviteForm(), register_form=RegistrationForm(), action=ActionForm(),
        needs=firms.invitable_needs(event) if manage else [], firm_link=firms.firm_link,
        plans=firms.plans_for(event) if manage else [],
        survey_results=surveys.results(event.id, with_comments=manage) if event.surveyed_at else [],
        questions=surveys.QUESTIONS)


@bp.post("/gestion/evenements/<int:event_id>/etat")
@staff_only
def change_status(event_id: int):
    event = event_or_404(event_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals():
        organising.change_status(actor(), event, EventStatus(form.status.data), form.reason.data)
        unit_of_work.commit()
        flash(f"L'événement est désormais : {event.status.label}.", "success")
    return redirect(url_for(".staff_event", event_id=event_id))


@bp.post("/gestion/evenements/<int:event_id>/entreprises")
@staff_only
def invite_firm(event_id: int):
    """Invite a firm by SIRET, or from one of its open needs (`need_id`)."""
    event = event_or_404(event_id)
    form = InviteForm()
    with refusals():
        need_id = request.form.get("need_id", type=int)
        if need_id:
            confirmed_action()
            need = db.session.get(HiringNeed, need_id) if 0 < need_id < 2**31 else None
            if need is None:
                abort(404)
            row = firms.invite(actor(), event, need.company, firms.company_email(need.company),
                               [need])
        else:
            if not form.validate_on_submit():
                flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
                return redirect(url_for(".staff_event", event_id=event_id) + "#entreprises")
            row = firms.invite_by_siret(actor(), event, form.siret.data, form.email.data)
        unit_of_work.commit()
        flash(f"{row.company.name} est invitée" + (
            f" : l'invitation part à {row.contact_email}." if row.contact_email else
            " : aucune adresse connue, transmettez-lui le lien de réponse ci-dessous."), "success")
    return redirect(url_for(".staff_event", event_id=event_id) + "#entreprises")


@bp.post("/gestion/evenements/<int:event_id>/entreprises-du-plan")
@staff_only
def invite_plan_targets(event_id: int):
    """Invite the target firms of an active plan of the event's basin."""
    confirmed_action()
    event = event_or_404(event_id)
    with refusals():
        rows = firms.invite_plan_targets(actor(), event, request.form.get("plan_id", type=int))
        unit_of_work.commit()
        flash(f"{len(rows)} entreprise(s) cible(s) du plan invitée(s).", "success")
    return redirect(url_for(".staff_event", event_id=event_id) + "#entreprises")


@bp.post("/gestion/evenements/<int:event_id>/inscriptions")
@staff_only
def register_candidate(event_id: int):
    """An adviser registers a candidate they accompany."""
    event_or_404(event_id)
    form = RegistrationForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".staff_event", event_id=event_id) + "#candidats")
    with refusals():
        registration = registrations.register(event_id, form.candidate(), by=actor())
        unit_of_work.commit()
        flash(f"{registration.name} est " + ("inscrit(e)." if registration.status.value == "confirmed"
                                             else "en liste d'attente."), "success")
    return redirect(url_for(".staff_event", event_id=event_id) + "#candidats")


@bp.post("/gestion/evenements/<int:event_id>/inscriptions/<int:registration_id>/annuler")
@staff_only
def cancel_registration(event_id: int, registration_id: int):
    confirmed_action()
    registration = registrations.registration_of(event_id, registration_id)
    if registration is None:
        abort(404)
    with refusals():
        promoted = registrations.cancel(registration, by=actor())
        unit_of_work.commit()
        flash("L'inscription est annulée" + (f" ; {promoted.name} quitte la liste d'attente."
                                             if promoted else "."), "success")
    return redirect(url_for(".staff_event", event_id=event_id) + "#candidats")


@bp.get("/gestion/evenements/<int:event_id>/pointage")
@staff_only
def check_in_list(event_id: int):
    """The day's list of confirmed candidates, printable and usable on a tablet."""
    event = event_or_404(event_id)
    return render_template("events/check_in.html", event=event, banner=organising.banner(event),
                           people=registrations.check_in_list(event.id), action=ActionForm(),
                           counts=registrations.counts(event.id))


@bp.post("/gestion/evenements/<int:event_id>/pointage/<int:registration_id>")
@staff_only
def check_in(event_id: int, registration_id: int):
    confirmed_action()
    registration = registrations.registration_of(event_id, registration_id)
    if registration is None:
        abort(404)
    with refusals():
        registrations.check_in(actor(), registration, present=request.form.get("present") != "0")
        unit_of_work.commit()
    return redirect(url_for(".check_in_list", event_id=event_id) + f"#candidat-{registration_id}")


@bp.route("/gestion/evenements/<int:event_id>/entreprises/<int:row_id>/resultats",
          methods=["GET", "POST"])
@staff_only
def outcomes(event_id: int, row_id: int):
    """What came of the event for one firm: interviews, shortlisted, hires, POE entries."""
    event = event_or_404(event_id)
    row = db.session.get(EventCompany, row_id) if row_id < 2**31 else None
    if row is None or row.event_id != event.id:
        abort(404)
    if not organising.can_manage(actor(), event):
        abort(403)
    form = OutcomesForm(obj=row)
    if form.validate_on_submit():
        with refusals(form) as refused:
            firms.record_outcomes(actor(), row, form.outcomes())
            unit_of_work.commit()
            flash(f"Les résultats de {row.company.name} sont enregistrés.", "success")
            return redirect(url_for(".staff_event", event_id=event_id) + "#entreprises")
        if refused:
            return render_template("events/outcomes.html", form=form, event=event,
                                   row=row), refused.status
    status = 422 if form.errors else 200
    return render_template("events/outcomes.html", form=form, event=event, row=row), status
