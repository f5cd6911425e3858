"""Check-lists: the manager sends a list and follows its answers; the partner answers signed in,
or without signing in through the signed link of the e-mail; the directory of offer spotters."""

from flask import abort, flash, redirect, render_template, request, url_for

from crm.blueprints.checklists import bp
from crm.blueprints.checklists.forms import ChecklistForm, DirectoryFilterForm
from crm.blueprints.forms import ActionForm
from crm.blueprints.guards import actor, confirmed_action, partners_only, supervisors_only
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.services.accounts import access
from crm.services.plans import checklists, spotter_directory
from crm.services.platform import unit_of_work
from crm.services.platform.contact_details import display_phone
from crm.services.platform.wording import plural

ANSWERED = "Votre réponse est enregistrée : rien pour l'instant chez {name}."
ALREADY = "{name} avait déjà une réponse : elle est conservée."


# The manager's side

@bp.get("/verifications")
@supervisors_only
def sent():
    """The lists sent from the manager's organisation, with their answers so far."""
    page = paginate(checklists.sent_checklists(actor()))
    progress = checklists.progress_of([checklist.id for checklist in page.items])
    return render_template("checklists/sent.html", page=page, progress=progress,
                           is_open=checklists.is_open)


@bp.route("/verifications/nouvelle", methods=["GET", "POST"])
@supervisors_only
def new():
    """Send a partner organisation a list of firms to check, by SIRET or from a plan."""
    form, error = ChecklistForm(actor()), None
    if form.validate_on_submit():
        with refusals(form, flashed=False) as refused:
            checklist = checklists.send_checklist(actor(), form.request())
            unit_of_work.commit()
            flash(f"La liste « {checklist.title} » est envoyée à {checklist.organisation.name} "
                  f"({plural(len(checklist.items), 'entreprise')}).", "success")
            return redirect(url_for(".answers", checklist_id=checklist.id))
        error = refused.message
    status = 422 if form.errors or error else 200
    return render_template("checklists/new.html", form=form, error=error), status


@bp.get("/verifications/<int:checklist_id>")
@supervisors_only
def answers(checklist_id: int):
    """A list's answers as they come: per firm, the answer, who and when."""
    checklist = checklists.checklist_for_manager(actor(), checklist_id)
    if checklist is None:
        abort(404)
    return render_template("checklists/answers.html", checklist=checklist,
                           progress=checklists.progress(checklist),
                           is_open=checklists.is_open(checklist))


# The partner's side, signed in

@bp.get("/entreprises-a-verifier")
@partners_only
def to_check():
    """The organisation's open lists: flag a need, or say "nothing for now", per firm."""
    page = paginate(checklists.open_checklists(actor()))
    return render_template("checklists/to_check.html", page=page)


def answered_message(changed: bool, name: str) -> str:
    return (ANSWERED if changed else ALREADY).format(name=name)


@bp.post("/entreprises-a-verifier/<int:item_id>/rien-pour-l-instant")
@partners_only
def nothing_for_now(item_id: int):
    """One click: nothing for now at this firm (the organisation's open lists only)."""
    confirmed_action()
    item = checklists.partner_item(actor(), item_id)
    if item is None:
        abort(404)
    with refusals():
        changed = checklists.answer_nothing_for_now(item, user=actor())
        unit_of_work.commit()
        flash(answered_message(changed, item.company.name), "success")
    return redirect(url_for(".to_check") + f"#entreprise-{item_id}")


# The partner's side, through the signed link of the e-mail (no sign-in)

def refused_link(message: str | None, status: int):
    return render_template("checklists/link_refused.html", message=message), status


@bp.get("/verification/<link>")
def public_list(link: str):
    """The firms of the list the signed link opens, each with its answer button."""
    with refusals(flashed=False) as refused:
        opened = checklists.open_link(link)
        return render_template("checklists/public_list.html", link=link, opened=opened,
                               form=ActionForm())
    return refused_link(refused.message, refused.status)


@bp.post("/verification/<link>/<int:item_id>")
def public_nothing_for_now(link: str, item_id: int):
    """"Nothing for now" through the signed link: only for a firm of that link's list."""
    confirmed_action()
    with refusals(flashed=False) as refused:
        opened = checklists.open_link(link)
        item = checklists.link_item(opened, item_id)
        if item is None:
            abort(404)
        changed = checklists.answer_nothing_for_now(item, email=opened.email)
        unit_of_work.commit()
        flash(answered_message(changed, item.company.name), "success")
        return redirect(url_for(".public_list", link=link) + f"#entreprise-{item_id}")
    return refused_link(refused.message, refused.status)


# The directory

@bp.get("/reperage/annuaire")
@supervisors_only
def directory():
    """The offer spotters covering the basin, their contacts and their flags this year."""
    form = DirectoryFilterForm(request.args, everywhere=access.is_admin(actor()))
    basin = form.basin.data if form.validate() else None
    page = paginate(spotter_directory.spotters(spotter_directory.basins_seen(actor(), basin)))
    ids = [organisation.id for organisation in page.items]
    return render_template("checklists/directory.html", form=form, page=page,
                           figures=spotter_directory.figures(ids),
                           contacts=spotter_directory.contacts(ids),
                           empty=spotter_directory.Figures(), phone=display_phone)
