"""The dashboard's pickers: level, territory (or RSA pilot territory, or adviser), organisation and
period (the API's parameters; the RSA territory's and the adviser's pickers give the `code` of
their level)."""

from datetime import date

from wtforms import DateField, SelectField
from wtforms.validators import Optional

from crm.blueprints.forms import FilterForm, options
from crm.models import Role, User
from crm.services.accounts import users
from crm.services.indicators import scope
from crm.services.indicators.scope import LEVEL_LABELS, Level, Period, Scope
from crm.services.platform.refusals import Refused
from crm.services.territory import rsa_pilots

LEVEL_CHOICES = [(level.value, LEVEL_LABELS[level]) for level in Level]
# what the breakdown tables set beside the period's figures (the indicators' tables show both)
COMPARISON_CHOICES = [("previous", "La période précédente"), ("year_before", "La même période un an avant")]


class DashboardForm(FilterForm):
    level = SelectField("Niveau", choices=options(LEVEL_CHOICES), default=Level.REGION.value)
    code = SelectField("Territoire", default=scope.REGION_CODE)
    rsa = SelectField("Territoire pilote RSA", default="")
    # an adviser one may not read is refused by the view (403), not as an invalid choice
    adviser = SelectField("Conseiller", name="conseiller", default="", validate_choice=False)
    organisation = SelectField("Structure", default="")
    start = DateField("Du", name="from", validators=[Optional()])
    end = DateField("Au", name="to", validators=[Optional()])
    comparison = SelectField("Comparer les tableaux détaillés à", name="comparaison",
                             choices=options(COMPARISON_CHOICES), default="previous")

    def __init__(self, formdata, organisations: list[tuple[int, str]], viewer: User):
        super().__init__(formdata)
        advisers = scope.adviser_choices(viewer)
        if viewer.role == Role.ADVISER and not (formdata or {}).get("level"):
            # an adviser reads their own figures only: they are what the page opens on
            self.level.data, self.adviser.data = Level.ADVISER.value, str(viewer.id)
        self.rsa.choices = options([("", "Choisir un territoire pilote")],
                                   rsa_pilots.territory_choices())
        self.adviser.choices = options([("", "Choisir un conseiller")], advisers)
        self.code.choices = options(
            [(scope.REGION_CODE, f"Région {scope.REGION_NAME}")],
            [(code, f"Département {label}") for code, label in users.department_choices()],
            [(code, f"Bassin {label}") for code, label in users.basin_choices()])
        self.organisation.choices = options([("", "Toutes les structures")],
                                            [(str(key), name) for key, name in organisations])

    def chosen(self, today: date) -> tuple[Scope, Period] | None:
        """The scope and period asked for (the region over the last twelve months by default);
        None with the errors set on the fields when they do not make sense."""
        self.validate()
        if self.errors:
            return None
        organisation = int(self.organisation.data) if self.organisation.data else None
        try:
            code = {Level.RSA: self.rsa.data, Level.ADVISER: self.adviser.data}.get(
                self.level.data, self.code.data)
            chosen_scope = scope.parse_scope(self.level.data, code, organisation)
            default = scope.default_period(today)
            period = scope.parse_period(self.start.data or default.start, self.end.data or default.end)
        except Refused as refused:
            for name, messages in refused.fields.items():
                field = {"from": self.start, "to": self.end, "code": self.code_field()}.get(name) \
                    or self[name]
                field.errors = [*field.errors, *messages]
            return None
        self.start.data, self.end.data = period.start, period.end
        return chosen_scope, period

    def code_field(self):
        """The picker naming the chosen level's territory or adviser."""
        return {Level.RSA.value: self.rsa, Level.ADVISER.value: self.adviser}.get(
            self.level.data, self.code)
