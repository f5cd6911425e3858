"""Form bases shared by every blueprint: French messages, GET filters, one-button actions."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.form import DefaultMeta


def options(*groups: Iterable[tuple]) -> list[SelectChoice]:
    """WTForms choices from lists of (value, label) pairs."""
    return [SelectChoice(value, label) for pairs in groups for value, label in pairs]


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
        return int(self.version.data) if (self.version.data or "").isdigit() else None
