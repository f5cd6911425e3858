"""Admin page: the RSA pilot territories (communes, EPCI, basins, départements) with their dates;
the RSA routing rule and the "pilotes RSA" slices read them."""

from flask import flash, redirect, render_template, url_for
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm.blueprints.admin import bp
from crm.blueprints.forms import FrenchForm, options
from crm.blueprints.guards import actor
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.models import RsaPilotTerritory, TerritoryScope
from crm.services.platform import unit_of_work
from crm.services.territory import rsa_pilots


class TerritoryForm(FrenchForm):
    scope = SelectField("Type de territoire", choices=options(TerritoryScope.choices()))
    code = StringField("Code", validators=[DataRequired("Indiquez le code."), Length(max=9)],
                       description="Code INSEE de la commune, SIREN de l'EPCI, code du bassin "
                                   "(zone d'emploi) ou du département.")
    label = StringField("Nom", validators=[DataRequired("Indiquez le nom."), Length(max=160)])
    valid_from = DateField("Pilote depuis le", validators=[DataRequired("Indiquez la date.")])
    valid_until = DateField("Jusqu'au (facultatif)", validators=[Optional()])


class EndForm(FrenchForm):
    valid_until = DateField("Fin du pilote le", validators=[DataRequired("Indiquez la date.")])


def render(form: TerritoryForm, status: int = 200):
    territories = rsa_pilots.all_territories()
    ends = {t.id: EndForm(prefix=f"end-{t.id}", formdata=None) for t in territories
            if t.valid_until is None}
    return render_template("admin/rsa_pilots.html", form=form, territories=territories,
                           ends=ends), status


@bp.route("/territoires-rsa", methods=["GET", "POST"])
def rsa_pilot_territories():
    """The pilot territories, and a form to add one."""
    form = TerritoryForm()
    if not form.validate_on_submit():
        return render(form, 422 if form.errors else 200)
    with refusals(form) as refused:
        rsa_pilots.add_territory(actor(), TerritoryScope(form.scope.data), form.code.data,
                                 form.label.data, form.valid_from.data, form.valid_until.data)
        unit_of_work.commit()
        flash("Le territoire pilote est enregistré.", "success")
        return redirect(url_for(".rsa_pilot_territories"))
    return render(form, 422) if refused else redirect(url_for(".rsa_pilot_territories"))


@bp.post("/territoires-rsa/<int:territory_id>/fin")
def end_rsa_pilot(territory_id: int):
    """The pilot ends on a date; the territory stays listed."""
    territory = db.get_or_404(RsaPilotTerritory, territory_id)
    form = EndForm(prefix=f"end-{territory.id}")
    if form.validate_on_submit():
        with refusals(form):
            rsa_pilots.end_territory(actor(), territory, form.valid_until.data)
            unit_of_work.commit()
            flash("La fin du pilote est enregistrée.", "success")
    else:
        flash("Indiquez la date de fin du pilote.", "error")
    return redirect(url_for(".rsa_pilot_territories"))
