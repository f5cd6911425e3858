"""Form bases shared by every blueprint: French messages, GET filters, one-button actions."""

from collections.abc import Iterable

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.form import DefaultMeta
from wtforms.widgets import Select

EVERY_ORGANISATION = "toutes"  # ?structures=toutes: staff pickers list every organisation


def every_organisation_asked() -> bool:
    """Whether the page was asked to list the staff of every organisation, not only the user's."""
    return request.args.get("structures") == EVERY_ORGANISATION


def options(*groups: Iterable[tuple]) -> list[SelectChoice]:
    """WTForms choices from lists of (value, label) pairs."""
    return [SelectChoice(value, label) for pairs in groups for value, label in pairs]


JOB_HINT = "Tapez un mot du métier, ex. « maçon », ou son code ROME, ex. F1703."


def job_field(label: str) -> StringField:
    """The job picker's field: a ROME code or label as typed, read by the one need schema."""
    return StringField(label, description=JOB_HINT,
                       render_kw={"maxlength": 200, "autocomplete": "off", "spellcheck": "false"})


class FrenchForm(FlaskForm):
    """WTForms' built-in messages in French."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class FilterForm(FrenchForm):
    """A list filter read from the query string."""

    class Meta:
        csrf = False

    def __init__(self, formdata):
        super().__init__(formdata=formdata)


class ActionForm(FrenchForm):
    """A one-button POST action: only the CSRF token."""


class VersionedForm(FrenchForm):
    """A change prepared on the version of the record the user saw (stale edits are refused)."""

    version = HiddenField()

    def seen_version(self) -> int | None:
        """The version the submitted form carried; None when it carried none (the initial data may
        hold the record's current version, which is not what the user saw)."""
        return version_number((self.version.raw_data or [""])[0])


def version_number(sent: str | None) -> int | None:
    """A version a form sent back, or None when it is missing or not a plain number (`²`, `١`,
    thousands of digits: never an error, the save is then refused as stale)."""
    sent = sent or ""
    return int(sent) if sent.isascii() and sent.isdigit() and len(sent) <= 18 else None


class QuickSelect(Select):
    """WTForms' select with plain options written directly: long reference lists (88 NAF
    divisions, 21 basins…) cost a tenth of the generic attribute handling."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{escape(str(choice.value))}">{label}</option>')


class QuickSelectField(SelectField):
    """A select rendered quickly (long reference lists)."""

    widget = QuickSelect()
