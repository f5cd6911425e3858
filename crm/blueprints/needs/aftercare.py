"""Staff page: what became of the hires and what employers said, per organisation and per basin
(managers and admins; definitions in docs/aftercare.md)."""

from datetime import date, timedelta

from flask import render_template, request
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from crm.blueprints.forms import FilterForm
from crm.blueprints.guards import supervisors_only
from crm.blueprints.needs import bp
from crm.services.needs import aftercare_figures as figures
from crm.services.needs import satisfaction
from crm.services.platform.local_time import local_today


class PeriodForm(FilterForm):
    """Needs closed from… to… (the last twelve months by default)."""

    du = DateField("Demandes clôturées du", validators=[Optional()])
    au = DateField("au", validators=[Optional()])

    def validate_au(self, field) -> None:
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError("La fin de la période doit suivre son début.")

    def period(self) -> tuple[date, date]:
        last = (self.au.data if self.validate() and self.au.data else None) or local_today()
        first = (self.du.data if not self.errors and self.du.data else None)
        return first or last - timedelta(days=364), last


@bp.get("/demandes/apres-recrutement")
@supervisors_only
def aftercare_results():
    """Hires still in post and employers' satisfaction, per organisation and per basin."""
    form = PeriodForm(request.args)
    first, last = form.period()
    status = 422 if form.errors else 200
    if not form.errors:  # the period shown is the one counted
        form.du.data, form.au.data = first, last
    return render_template(
        "needs/aftercare.html", form=form, first=first, last=last, settings=satisfaction.settings(),
        by_organisation=figures.results_by(figures.Group.ORGANISATION, None, first, last),
        by_basin=figures.results_by(figures.Group.BASIN, None, first, last),
        total_month=figures.still_in_post_at_one_month(None, first, last),
        total_trial=figures.still_in_post_at_trial_end(None, first, last),
        total_survey=figures.satisfaction(None, first, last),
    ), status
