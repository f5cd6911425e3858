"""Forms of the follow-up tasks: create or edit a task, the one-button done and reopen actions."""

from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from crm.blueprints.forms import ActionForm, VersionedForm, options
from crm.models import LeavingReason
from crm.services.platform.local_time import local_today
from crm.services.visits import followups


def safe_next(value: str | None) -> str | None:
    """A local address to go back to, never another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


class FollowUpForm(VersionedForm):
    title = StringField("À faire", validators=[
        DataRequired("Indiquez ce qu'il y a à faire."), Length(max=200)])
    due_on = DateField("Échéance", validators=[
        DataRequired("Indiquez la date d'échéance.")])
    assignee = SelectField("Confiée à", coerce=int, validators=[
        DataRequired("Choisissez la personne qui fera la tâche.")])
    notes = TextAreaField("Notes (facultatif)", validators=[Length(max=4000)])
    company_id = HiddenField()
    need = HiddenField()

    def __init__(self, *args, new: bool, staff: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.new = new
        self.assignee.choices = options(staff)

    def validate_due_on(self, field) -> None:
        if self.new and field.data and field.data < local_today():
            raise ValidationError("L'échéance ne peut pas être passée : choisissez aujourd'hui "
                                  "ou une date à venir.")

    def validate_assignee(self, field) -> None:
        if followups.assignable(field.data) is None:
            raise ValidationError("Cette personne ne peut pas recevoir de tâche : choisissez un "
                                  "membre actif du réseau.")


class FollowUpActionForm(ActionForm):
    """Done or reopen, then back to the page the button was on."""

    next = HiddenField()


IN_POST, LEFT = "en_poste", "depart"


class HireOutcomeForm(ActionForm):
    """The outcome of an after-hire follow-up: "still in post" in one click, or departures with
    their reason; the button pressed sends `outcome`."""

    outcome = HiddenField()
    left = IntegerField("Nombre de départs", default=1, validators=[
        Optional(), NumberRange(1, 999, "Indiquez un nombre de départs d'au moins 1.")])
    reason = SelectField("Raison du départ", validate_choice=False, choices=options(
        [("", "Choisir une raison")], LeavingReason.choices()))
    next = HiddenField()

    def in_post(self, hires: int) -> int:
        """How many are still in post, from the button pressed."""
        return hires if self.outcome.data == IN_POST else hires - (self.left.data or 1)

    def leaving_reason(self) -> LeavingReason | None:
        return LeavingReason(self.reason.data) if self.reason.data in set(LeavingReason) else None
