"""Forms of the check-list pages: the manager's list and the directory's basin filter."""

from datetime import timedelta

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.blueprints.forms import FilterForm, FrenchForm, QuickSelectField, options
from crm.models import User
from crm.services.accounts import users
from crm.services.plans import checklists
from crm.services.platform.local_time import local_today

NO_PLAN = ""


def optional_int(value) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


class ChecklistForm(FrenchForm):
    organisation_id = SelectField("Organisation partenaire", coerce=optional_int,
                                  validators=[DataRequired("Choisissez une organisation partenaire.")])
    title = StringField("Titre de la liste", validators=[
        DataRequired("Donnez un titre à la liste."), Length(max=160)],
        description="Ex. Industrie du bassin de Dijon, printemps")
    message = TextAreaField("Message au partenaire (facultatif)", validators=[Length(max=2000)])
    expires_on = DateField("Réponses attendues jusqu'au", validators=[Optional()],
                           description=f"Par défaut, dans {checklists.DEFAULT_DAYS} jours.")
    plan_id = SelectField("Entreprises cibles d'un plan (facultatif)", coerce=optional_int,
                          validators=[Optional()],
                          description="Si vous choisissez un plan, ses entreprises cibles forment "
                                      "la liste et les SIRET ci-dessous sont ignorés.")
    sirets = TextAreaField("SIRET des entreprises", validators=[Length(max=20000)],
                           description="Un SIRET par ligne (14 chiffres, espaces acceptés).")

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = options(
            [("", "Choisir une organisation")],
            [(o.id, o.name) for o in checklists.sendable_organisations(user)])
        self.plan_id.choices = options([(NO_PLAN, "Aucun : j'indique les SIRET")],
                                       [(p.id, p.name) for p in checklists.plans_for(user)])
        if not self.is_submitted() and self.expires_on.data is None:
            self.expires_on.data = local_today() + timedelta(days=checklists.DEFAULT_DAYS)

    def request(self) -> checklists.ChecklistRequest:
        return checklists.ChecklistRequest(
            organisation_id=self.organisation_id.data, title=self.title.data or "",
            message=self.message.data, expires_on=self.expires_on.data,
            sirets=self.sirets.data or "", plan_id=self.plan_id.data)


class DirectoryFilterForm(FilterForm):
    basin = QuickSelectField("Bassin d'emploi", default="")

    def __init__(self, formdata, everywhere: bool):
        super().__init__(formdata)
        first = "Toute la région" if everywhere else "Mes bassins"
        self.basin.choices = options([("", first)], users.basin_choices())
