"""Admin pages: the contact-pressure thresholds shared by the whole network, and when employers'
satisfaction alerts the managers."""

from dataclasses import asdict, fields

from flask import flash, redirect, render_template, url_for
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from crm.blueprints.admin import bp
from crm.blueprints.forms import FrenchForm
from crm.blueprints.guards import actor
from crm.blueprints.refusals import refusals
from crm.services.companies import pressure
from crm.services.events import upkeep as event_upkeep
from crm.services.needs import satisfaction
from crm.services.platform import audit, unit_of_work

LABELS = {
    "warn_contacts_30d": ("Vigilance : nombre de contacts en 30 jours", "à partir de ce nombre…"),
    "warn_organisations_30d": ("Vigilance : nombre d'organisations en 30 jours", "… par au moins ce nombre "
                               "d'organisations différentes"),
    "recent_other_days": ("Vigilance : contact récent par une autre organisation (jours)",
                          "un contact par une autre organisation depuis ce nombre de jours"),
    "high_contacts_30d": ("Pression forte : nombre de contacts en 30 jours", None),
    "high_organisations_30d": ("Pression forte : nombre d'organisations en 30 jours", None),
}


class ThresholdsForm(FrenchForm):
    pass


for name, (label, _hint) in LABELS.items():
    setattr(ThresholdsForm, name, IntegerField(label, validators=[
        InputRequired("Indiquez un nombre."), NumberRange(1, 90, "Indiquez un nombre entre 1 et 90.")]))


@bp.route("/pression-de-contact", methods=["GET", "POST"])
def pressure_settings():
    """Thresholds of the contact-pressure warning (it warns, never blocks)."""
    current = pressure.thresholds()
    form = ThresholdsForm(data=asdict(current))
    if form.validate_on_submit():
        chosen = pressure.Thresholds(**{f.name: form[f.name].data for f in fields(pressure.Thresholds)})
        setting = pressure.save_thresholds(chosen, actor())
        audit.record(actor(), "settings_changed", setting,
                     {"before": asdict(current), "after": asdict(chosen)})
        unit_of_work.commit()
        flash("Les seuils de pression de contact sont enregistrés.", "success")
        return redirect(url_for(".pressure_settings"))
    page = render_template("admin/pressure.html", form=form, hints={k: v[1] for k, v in LABELS.items()},
                           defaults=pressure.Thresholds())
    return page, 422 if form.errors else 200


class SatisfactionForm(FrenchForm):
    threshold_percent = IntegerField("Seuil de « oui » (%)", validators=[
        InputRequired("Indiquez un pourcentage."),
        NumberRange(1, 100, "Indiquez un pourcentage entre 1 et 100.")])
    min_answers = IntegerField("Nombre minimal de réponses avant d'alerter", validators=[
        InputRequired("Indiquez un nombre."), NumberRange(1, 1000, "Indiquez un nombre entre 1 et 1000.")])
    window_days = IntegerField("Réponses comptées : demandes clôturées depuis (jours)", validators=[
        InputRequired("Indiquez un nombre de jours."),
        NumberRange(7, 730, "Indiquez un nombre de jours entre 7 et 730.")])


@bp.route("/satisfaction", methods=["GET", "POST"])
def satisfaction_settings():
    """When the managers of a team are alerted about employers' satisfaction."""
    current = satisfaction.settings()
    form = SatisfactionForm(data=asdict(current))
    if form.validate_on_submit():
        chosen = satisfaction.AlertSettings(
            **{f.name: form[f.name].data for f in fields(satisfaction.AlertSettings)})
        setting = satisfaction.save_settings(chosen, actor())
        audit.record(actor(), "settings_changed", setting,
                     {"before": asdict(current), "after": asdict(chosen)})
        unit_of_work.commit()
        flash("Les seuils de satisfaction des employeurs sont enregistrés.", "success")
        return redirect(url_for(".satisfaction_settings"))
    page = render_template("admin/satisfaction.html", form=form,
                           defaults=satisfaction.AlertSettings())
    return page, 422 if form.errors else 200


class EventPurgeForm(FrenchForm):
    purge_months = IntegerField(
        "Délai d'effacement des données des candidats (mois après l'événement)",
        validators=[InputRequired("Indiquez un nombre de mois."),
                    NumberRange(event_upkeep.MIN_PURGE_MONTHS, event_upkeep.MAX_PURGE_MONTHS,
                                f"Indiquez un nombre de mois entre {event_upkeep.MIN_PURGE_MONTHS} "
                                f"et {event_upkeep.MAX_PURGE_MONTHS}.")])


@bp.route("/evenements", methods=["GET", "POST"])
def event_settings():
    """How many months after an event its candidates' personal data is erased."""
    form = EventPurgeForm(data={"purge_months": event_upkeep.purge_months()})
    if form.validate_on_submit():
        with refusals(form) as refused:
            event_upkeep.save_purge_months(form.purge_months.data, actor())
            unit_of_work.commit()
            flash("Le délai d'effacement des données des candidats aux événements est enregistré.",
                  "success")
            return redirect(url_for(".event_settings"))
        if refused:
            return render_template("admin/events.html", form=form,
                                   default=event_upkeep.DEFAULT_PURGE_MONTHS), refused.status
    page = render_template("admin/events.html", form=form, default=event_upkeep.DEFAULT_PURGE_MONTHS)
    return page, 422 if form.errors else 200
