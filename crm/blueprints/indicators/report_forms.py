"""The committees' forms (area, name, members, reports' schedule) and the request of a committee
report."""

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from crm.blueprints.forms import FrenchForm, options
from crm.blueprints.indicators.forms import LEVEL_CHOICES
from crm.models import Committee, ReportSchedule
from crm.services.accounts import users
from crm.services.indicators import schedules, scope

MEMBERS_HINT = "Une adresse par ligne (ou séparées par des virgules ou des points-virgules)."


def area_choices() -> list[tuple[str, str]]:
    return [(scope.REGION_CODE, f"Région {scope.REGION_NAME}"),
            *[(code, f"Département {label}") for code, label in users.department_choices()],
            *[(code, f"Bassin {label}") for code, label in users.basin_choices()]]


class CommitteeForm(FrenchForm):
    name = StringField("Nom du comité", validators=[InputRequired("Indiquez le nom du comité.")],
                       render_kw={"maxlength": 160})
    members = TextAreaField("Membres (adresses e-mail)", description=MEMBERS_HINT,
                            render_kw={"rows": 6, "spellcheck": "false"})


class EditCommitteeForm(CommitteeForm):
    """A committee's page: its name, members and reports' schedule (checked by the service)."""

    # any value reaches the service, which refuses it in French
    schedule = SelectField("Rapport programmé", choices=options(ReportSchedule.choices()),
                           validate_choice=False,
                           description="Le rapport de la période écoulée (mois, deux mois ou "
                                       "trimestre civils) est produit automatiquement.")
    schedule_day = SelectField("Jour du mois", choices=options(schedules.day_choices()),
                               validate_choice=False,
                               description="Du 1er au 28, ou le dernier jour du mois (le 28 ou le 29 "
                                           "en février, le 30 ou le 31 sinon) : le jour où le rapport "
                                           "de la période écoulée est produit (la nuit précédente, "
                                           "vers 1 h).")
    schedule_mail = BooleanField("Envoyer les rapports programmés aux membres du comité par "
                                 "e-mail, une fois prêts", validators=[Optional()])


class NewCommitteeForm(CommitteeForm):
    level = SelectField("Niveau", choices=options(LEVEL_CHOICES))
    code = SelectField("Territoire", description="Le territoire doit correspondre au niveau choisi.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.code.choices = options(area_choices())


class ReportRequestForm(FrenchForm):
    committee = SelectField("Comité", validators=[InputRequired("Choisissez le comité.")])
    start = DateField("Du", name="from", validators=[InputRequired("Indiquez le début de la période.")],
                      render_kw={"autocomplete": "off"})
    end = DateField("Au", name="to", validators=[InputRequired("Indiquez la fin de la période.")],
                    render_kw={"autocomplete": "off"})
    mail_members = BooleanField("Envoyer le rapport aux membres du comité par e-mail, une fois prêt",
                                validators=[Optional()])

    def __init__(self, committees: list[Committee], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee.choices = options([("", "Choisir un comité")], [
            (str(committee.id), f"{committee.name} ({len(committee.members)} membre"
                                f"{'s' if len(committee.members) > 1 else ''})")
            for committee in committees])

    def show_errors(self, fields: dict[str, list[str]]) -> None:
        """The service's field names (`from`, `to`) on this form's fields."""
        for name, messages in fields.items():
            field = {"from": self.start, "to": self.end}.get(name) or (self[name] if name in self else None)
            if field is not None:
                field.errors = [*field.errors, *messages]
