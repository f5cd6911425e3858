"""Forms of the duplicates pages: dismissing a pair, and the merge with its value choices."""

from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import DataRequired, Optional

from crm.blueprints.forms import ActionForm, FrenchForm, options, version_number
from crm.models import Company
from crm.services.companies.merge import ABSORBED, CHOICES, SURVIVOR, ChoiceField, default_choices

UNKNOWN = "Non renseigné"
INCOMPLETE = "La page de fusion est incomplète : rechargez-la puis recommencez."


class DismissForm(ActionForm):
    back = HiddenField()  # "company": back to the first company's duplicates, else to the list


def shown(company: Company, field: ChoiceField) -> str:
    """A company's value for a merge choice, as a person reads it."""
    value = getattr(company, field.columns[0])
    if value is None or value == "":
        return UNKNOWN
    described = {"naf": lambda: f"{value} – {company.naf.label}" if company.naf else value,
                 "headcount_band": lambda: company.band.label if company.band else value,
                 "commune": lambda: company.commune.name if company.commune else value,
                 "referent": lambda: company.referent.name if company.referent else value,
                 "do_not_contact_before": lambda: value.strftime("%d/%m/%Y"),
                 "preferred_channel": lambda: value.label}
    return str(described.get(field.key, lambda: value)())


class MergeForm(FrenchForm):
    """The merge of two companies prepared on the versions the person saw."""

    survivor_version = HiddenField(validators=[DataRequired(INCOMPLETE)])
    absorbed_version = HiddenField(validators=[DataRequired(INCOMPLETE)])
    confirm_distinct = BooleanField(
        "Je confirme que ces deux établissements vérifiés sont en réalité une seule et même entreprise.")

    def seen(self, side: str) -> int | None:
        return version_number(getattr(self, f"{side}_version").data)

    def choices(self) -> dict[str, str]:
        return {field.key: self[field.key].data or SURVIVOR for field in CHOICES}


def merge_form(survivor: Company, absorbed: Company, fresh: bool) -> MergeForm:
    """The merge form: a radio choice per value; `fresh` is a new form at the current versions."""
    class Form(MergeForm):
        pass

    for field in CHOICES:
        setattr(Form, field.key, RadioField(field.label, validators=[Optional()], choices=options(
            [(SURVIVOR, shown(survivor, field)), (ABSORBED, shown(absorbed, field))])))
    data: dict[str, object] = {**default_choices(survivor, absorbed)}
    if fresh:
        data |= {"survivor_version": survivor.version, "absorbed_version": absorbed.version}
        return Form(formdata=None, data=data)
    return Form(data=data)


def differing(form: MergeForm) -> list:
    """The choice fields whose two values differ (the others need no choice)."""
    return [form[field.key] for field in CHOICES
            if form[field.key].choices[0].label != form[field.key].choices[1].label]
