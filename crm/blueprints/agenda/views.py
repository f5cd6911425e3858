"""Follow-up tasks (new, edit, done, reopen, my list) and "Ma journée"."""

from flask import abort, flash, redirect, render_template, request, url_for

from crm.blueprints.agenda import bp
from crm.blueprints.agenda.forms import FollowUpActionForm, FollowUpForm, HireOutcomeForm, safe_next
from crm.blueprints.forms import every_organisation_asked
from crm.blueprints.guards import actor, staff_only
from crm.blueprints.pagination import paginate
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import Company, FollowUp, HiringNeed, Visit
from crm.services.accounts import access, users
from crm.services.needs import aftercare, queries
from crm.services.needs.workflow import is_late
from crm.services.platform import unit_of_work
from crm.services.platform.concurrency import ensure_version, stale_message
from crm.services.platform.local_time import local_today
from crm.services.visits import followups
from crm.services.visits.followups import FollowUpInput

STALE_TASK = stale_message("cette tâche")


def company_url(company: Company) -> str:
    return url_for("companies.company", company_id=company.id)


def visit_url(visit: Visit) -> str:
    return url_for("visits.visit", visit_id=visit.id)


def render(template: str, **context):
    return render_template(template, company_url=company_url, visit_url=visit_url,
                           is_late=is_late, **context)


@bp.get("/ma-journee")
@staff_only
def my_day():
    """My overdue, today's and this week's tasks, my late needs and my visits of the day."""
    return render("agenda/my_day.html", day=followups.my_day(actor()), here=request.full_path.rstrip("?"))


@bp.get("/a-faire")
@staff_only
def tasks():
    """All my open tasks by due date, or the ones I have done."""
    done = request.args.get("etat") == "faites"
    page = paginate(followups.tasks_of(actor(), done=done))
    return render("agenda/tasks.html", page=page, done=done, here=request.full_path.rstrip("?"))


def linked_records(form: FollowUpForm) -> tuple[Company | None, HiringNeed | None]:
    """The firm and need a new task is about (404 unknown, 403 a need out of reach)."""
    need = None
    if form.need.data:
        need = queries.need_by_reference(form.need.data) or abort(404)
        if not access.can_view_need(actor(), need):
            abort(403)
    company = None
    if (form.company_id.data or "").isdigit():
        company = db.session.get(Company, int(form.company_id.data)) or abort(404)
    return company or (need.company if need else None), need


def task_input(form: FollowUpForm, company=None, need=None) -> FollowUpInput:
    assignee = followups.assignable(form.assignee.data)
    assert assignee is not None, "checked by FollowUpForm.validate_assignee"
    return FollowUpInput(title=form.title.data or "", notes=form.notes.data, due_on=form.due_on.data,
                     assignee=assignee, company=company,
                     need=need)


@bp.route("/a-faire/nouvelle", methods=["GET", "POST"])
@staff_only
def new_task():
    """A follow-up task for me or someone else, about a firm or a need."""
    defaults = {"assignee": actor().id, "due_on": local_today(),
                "company_id": request.args.get("company_id", ""),
                "need": request.args.get("need", "")}
    form = FollowUpForm(data=defaults if request.method == "GET" else None, new=True,
                    staff=users.staff_choices(actor(), every_organisation_asked()))
    company, need = linked_records(form)
    if form.validate_on_submit():
        with refusals(flashed=False) as refused:
            followups.create_task(task_input(form, company, need), actor())
            unit_of_work.commit()
            flash(f"La tâche « {form.title.data.strip()} » est enregistrée.", "success")
            return redirect(url_for(".my_day"))
        return render("agenda/task_form.html", form=form, company=company, need=need,
                      error=refused.message), 422
    status = 422 if form.errors else 200
    return render("agenda/task_form.html", form=form, company=company, need=need), status


def workable_task(task_id: int) -> FollowUp:
    """The task if the user may work it (404 unknown, 403 otherwise)."""
    task = followups.task_by_id(task_id) or abort(404)
    if not access.can_work_task(actor(), task.assignee, task.created_by_id):
        abort(403)
    return task


@bp.route("/a-faire/<int:task_id>/modifier", methods=["GET", "POST"])
@staff_only
def edit_task(task_id: int):
    """Change a task; a save based on an older version is refused."""
    task = workable_task(task_id)
    seen = {"title": task.title, "notes": task.notes, "due_on": task.due_on,
            "assignee": task.assignee_id, "version": task.version}
    form = FollowUpForm(data=seen if request.method == "GET" else None, new=False,
                    staff=users.staff_choices(actor(), every_organisation_asked(), [task.assignee_id]))
    error = None
    if form.validate_on_submit():
        with refusals(stale=STALE_TASK, flashed=False) as refused:
            ensure_version(task, form.seen_version(), STALE_TASK)
            followups.update_task(task, task_input(form), actor())
            unit_of_work.commit()
            flash("La tâche est modifiée.", "success")
            return redirect(url_for(".my_day"))
        error = refused.message
    status = 409 if error else 422 if form.errors else 200
    return render("agenda/task_form.html", form=form, task=task, company=task.company,
                  need=task.need, error=error), status


def back(form: FollowUpActionForm | HireOutcomeForm):
    return redirect(safe_next(form.next.data) or url_for(".my_day"))


@bp.post("/a-faire/<int:task_id>/faite")
@staff_only
def task_done(task_id: int):
    """Mark a task done in one click, then back to the page the button was on."""
    task, form = workable_task(task_id), FollowUpActionForm()
    if form.validate_on_submit():
        followups.complete(task)
        unit_of_work.commit()
        flash(f"Tâche faite : « {task.title} ».", "success")
    return back(form)


@bp.post("/a-faire/<int:task_id>/rouvrir")
@staff_only
def task_reopen(task_id: int):
    """Put a done task back among the open ones."""
    task, form = workable_task(task_id), FollowUpActionForm()
    if form.validate_on_submit():
        followups.reopen(task)
        unit_of_work.commit()
        flash(f"Tâche rouverte : « {task.title} ».", "success")
    return back(form)


@bp.post("/a-faire/<int:task_id>/issue")
@staff_only
def hire_outcome(task_id: int):
    """Record an after-hire follow-up's outcome (still in post, or who left and why); the task is
    then done. Back to the page the buttons were on."""
    task, form = workable_task(task_id), HireOutcomeForm()
    follow_up = aftercare.of_task(task) or abort(404)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return back(form)
    with refusals():
        aftercare.record_outcome(follow_up, actor(), form.in_post(follow_up.hires),
                                 form.leaving_reason())
        unit_of_work.commit()
        kept = "toujours en poste" if follow_up.left == 0 else "départ enregistré"
        flash(f"Suivi de la demande {follow_up.need.reference} : {kept}.", "success")
    return back(form)  # a refusal is flashed
