"""Likely duplicate companies: the list of pairs, one firm's duplicates, dismissing a pair, and the
merge screen that keeps one record and moves everything linked to the other."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.blueprints.companies import bp
from crm.blueprints.companies.duplicate_forms import DismissForm, MergeForm, differing, merge_form
from crm.blueprints.guards import actor, allowed, staff_only
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import Company
from crm.services.accounts import access
from crm.services.companies import duplicates as finding
from crm.services.companies import merge as merging
from crm.services.platform import unit_of_work
from crm.services.platform.concurrency import ensure_version, stale_message
from crm.services.platform.wording import plural


def company_or_404(company_id: int | None) -> Company:
    company = db.session.get(Company, company_id) if company_id else None
    if company is None:
        abort(404)
    return company


def render_pairs(company: Company | None):
    """The likely duplicates (all of them, or one firm's), a page at a time."""
    return render_template(
        "companies/duplicates.html", page=finding.pair_page(company), company=company,
        computed_at=None if company else finding.pairs_computed_at(),
        dismiss_form=DismissForm(), can_merge=access.can_merge_companies(current_user))


@bp.get("/doublons")
@staff_only
def duplicates():
    """Every likely duplicate pair, newest company first."""
    return render_pairs(None)


@bp.get("/<int:company_id>/doublons")
@staff_only
def duplicates_of(company_id: int):
    """The likely duplicates of one firm."""
    return render_pairs(company_or_404(company_id))


@bp.post("/<int:company_id>/doublons/<int:other_id>/ecarter")
@staff_only
def dismiss_duplicate(company_id: int, other_id: int):
    """Record that two firms are not duplicates: the pair is no longer proposed."""
    first, second = company_or_404(company_id), company_or_404(other_id)
    form = DismissForm()
    if not form.validate_on_submit() or first.id == second.id:
        abort(400)
    finding.dismiss(first, second, actor())
    unit_of_work.commit()
    flash(f"« {first.name} » et « {second.name} » ne seront plus proposées comme doublons.", "success")
    if form.back.data == "company":
        return redirect(url_for(".duplicates_of", company_id=first.id))
    return redirect(url_for(".duplicates"))


def merge_refusal(form: MergeForm, survivor: Company, absorbed: Company) -> str | None:
    """Merge as the form says; the reason of a refusal (nothing changed), or None once merged."""
    with refusals(stale=stale_message("ces fiches"), flashed=False) as refused:
        ensure_version(survivor, form.seen("survivor"), stale_message("la fiche conservée"))
        ensure_version(absorbed, form.seen("absorbed"), stale_message("la fiche à fusionner"))
        report = merging.merge(survivor, absorbed, form.choices(), actor(), form.confirm_distinct.data)
        unit_of_work.commit()
    if refused:
        return refused.message
    moved = plural(report.total_moved, "enregistrement rattaché", "enregistrements rattachés")
    flash(f"Les fiches sont fusionnées : {moved} à "
          f"« {report.absorbed_name} » (SIRET {report.absorbed_siret}) sont maintenant sur cette fiche.",
          "success")
    return None


@bp.route("/doublons/fusion", methods=["GET", "POST"])
@allowed(access.can_merge_companies)
def merge():
    """Choose the surviving values of two records of one firm, see what moves, and merge."""
    survivor = company_or_404(request.args.get("garder", type=int))
    absorbed = company_or_404(request.args.get("fusionner", type=int))
    if survivor.id == absorbed.id:
        flash("Une entreprise ne peut pas être fusionnée avec elle-même.", "error")
        return redirect(url_for(".duplicates_of", company_id=survivor.id))
    form, error = merge_form(survivor, absorbed, fresh=request.method == "GET"), None
    if form.validate_on_submit():
        error = merge_refusal(form, survivor, absorbed)
        if error is None:
            return redirect(url_for(".company", company_id=survivor.id))
    return render_template(
        "companies/merge.html", form=form, survivor=survivor, absorbed=absorbed, error=error,
        differing=differing(form), choices=merging.CHOICES, labels=merging.LINK_LABELS,
        moved=merging.linked_counts(absorbed), confirm=merging.needs_confirmation(survivor, absorbed),
    ), 422 if request.method == "POST" else 200
