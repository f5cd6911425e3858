"""Offer spotters' pages: flag a hiring need, follow the organisation's flags and their outcome."""

from flask import abort, flash, redirect, render_template, request, url_for

from crm.blueprints.guards import actor, partners_only
from crm.blueprints.needs import bp
from crm.blueprints.needs.forms import FlagForm
from crm.blueprints.needs.views import PUBLIC_LABELS
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.models import ChecklistItem, NeedSource
from crm.services.needs import queries
from crm.services.needs.filing import FiledNeed, file_need
from crm.services.needs.schema import InvalidNeed, NeedInput, parse_need
from crm.services.plans import checklists
from crm.services.platform import unit_of_work
from crm.services.territory import communes


def filed_redirect(filed: FiledNeed):
    """Tell the partner what became of the flag and show it (or the list when not theirs)."""
    need = filed.need
    if not filed.attached:
        flash(f"Votre signalement est enregistré sous la référence {need.reference}.", "success")
        return redirect(url_for(".flag", reference=need.reference))
    if need.source_organisation_id == actor().organisation_id:
        flash(f"Votre organisation avait déjà signalé ce besoin : votre signalement complète la "
              f"demande en cours {need.reference}.", "success")
        return redirect(url_for(".flag", reference=need.reference))
    flash(f"Ce besoin était déjà connu du réseau : votre signalement a été ajouté à la demande en "
          f"cours {need.reference}. Il figure dans vos signalements comme une contribution.",
          "success")
    return redirect(url_for(".flag", reference=need.reference))


def flag_input(form: FlagForm) -> NeedInput | None:
    """The flag checked by the form, the workplace and the one need schema; None when anything
    is wrong (the messages are then on the form)."""
    form.validate()
    place = communes.workplace(form.postal_code.data, form.commune_code.data)
    form.offer_communes(place.communes)
    form.commune_code.data = place.commune_code
    form.show_errors(place.errors)
    try:
        data = parse_need(form.payload(place.commune_code), typed_job=True)
    except InvalidNeed as invalid:
        form.show_errors(invalid.fields)
        return None
    return None if form.errors else data


def render_flag_form(form: FlagForm, item: ChecklistItem | None):
    return (render_template("needs/flag_form.html", form=form, item=item),
            422 if form.errors else 200)


def prefill(form: FlagForm, item: ChecklistItem) -> None:
    """The flag form filled with the firm of the check-list item."""
    company = item.company
    form.checklist_item.data = str(item.id)
    form.siret.data, form.company_name.data = company.siret, company.name
    if company.postal_code:
        place = communes.workplace(company.postal_code, company.commune_code)
        form.offer_communes(place.communes)
        form.postal_code.data, form.commune_code.data = company.postal_code, place.commune_code


def checklist_item(form: FlagForm) -> ChecklistItem | None:
    """The firm of a check-list the flag answers: asked by `?verification=<item id>`, then carried
    by the form's hidden field; re-checked on every request against the partner organisation's
    own open lists (anything else is a 404, so no one answers another organisation's list)."""
    asked = form.checklist_item.data if form.is_submitted() else request.args.get("verification")
    if not asked:
        return None
    item = checklists.partner_item(actor(), int(asked) if asked.isdigit() else None)
    if item is None:
        abort(404)
    if not form.is_submitted():
        prefill(form, item)
    return item


@bp.route("/signalements/nouveau", methods=["GET", "POST"])
@partners_only
def flag_new():
    """Flag a firm's hiring need with the one need schema; from a check-list, the flag answers
    the list's item for that firm."""
    form = FlagForm()
    item = checklist_item(form)
    if form.is_submitted() and (data := flag_input(form)) is not None:
        with refusals(form, flashed=False):
            filed = file_need(data, source=NeedSource.SPOTTER, actor=actor(),
                              source_organisation=actor().organisation)
            if item is not None:
                checklists.mark_need_flagged(item, actor(), filed.need)
            unit_of_work.commit()
            return filed_redirect(filed)
    return render_flag_form(form, item)


@bp.get("/signalements")
@partners_only
def flags():
    """The organisation's flags with what came of each."""
    page = paginate(queries.flags_of(actor()))
    return render_template("needs/flags.html", page=page, contacted=queries.flag_contacted)


@bp.get("/signalements/<reference>")
@partners_only
def flag(reference: str):
    """The public side of one of the organisation's flags; anyone else's is a 404."""
    need = queries.flag_by_reference(actor(), reference)
    if need is None:
        abort(404)
    return render_template("needs/flag.html", need=need, publics=PUBLIC_LABELS,
                           contacted=queries.flag_contacted(need))
