"""Forms of the partner-list import: the file, then the column of each field and the source tag."""

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from crm.blueprints.forms import FrenchForm, options
from crm.services.imports.partner_rows import FIELDS
from crm.services.imports.spreadsheets import MAX_BYTES

MAX_SOURCE_TAG = 80


class UploadForm(FrenchForm):
    file = FileField(
        "Fichier des entreprises",
        description=f"CSV (séparateur point-virgule, virgule ou tabulation) ou Excel .xlsx, "
                    f"{MAX_BYTES // (1024 * 1024)} Mo au plus, avec une ligne d'en-tête.",
        validators=[FileRequired("Choisissez le fichier à importer.")],
    )


class MappingForm(FrenchForm):
    """One select of the file's columns per CRM field (declared below from FIELDS)."""

    source_tag = StringField(
        "Étiquette de source",
        description="Ajoutée aux étiquettes de chaque entreprise du fichier.",
        validators=[DataRequired("Indiquez l'étiquette de source."), Length(max=MAX_SOURCE_TAG)],
    )

    def __init__(self, formdata, headers: list[str], **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        choices = options([("", "Ne pas importer")], [(header, header) for header in headers])
        for select in self.columns():
            select.choices = choices

    def columns(self) -> list[SelectField]:
        return [self[spec.key] for spec in FIELDS]

    def validate_siret(self, select: SelectField) -> None:
        if not select.data:
            raise ValidationError("Choisissez la colonne qui contient le SIRET.")

    def mapping(self) -> dict[str, str]:
        """CRM field → column title, for the fields given a column."""
        return {spec.key: self[spec.key].data for spec in FIELDS if self[spec.key].data}


for _spec in FIELDS:
    setattr(MappingForm, _spec.key, SelectField(_spec.label, description=_spec.hint, default=""))
