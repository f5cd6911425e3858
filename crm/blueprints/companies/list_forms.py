"""Forms of the companies list: its filters, saving a view, exporting the view."""

import sqlalchemy as sa
from wtforms import BooleanField, SearchField, StringField
from wtforms.validators import DataRequired, Length

from crm.blueprints.forms import FilterForm, FrenchForm, QuickSelectField, options
from crm.extensions import db
from crm.models import HeadcountBand, NafCode, User
from crm.services.accounts import access, users
from crm.services.companies import listing
from crm.services.companies.listing import CompanyFilters
from crm.services.territory import reference, rsa_pilots

SORT_CHOICES = [("name", "Nom"), ("commune", "Commune"), ("last_contact", "Dernier contact"),
                ("created", "Date de création (la plus récente d'abord)")]
CONTACTED_CHOICES = [("", "Peu importe"), ("oui", "Contactées"), ("non", "Non contactées")]


def load_naf_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    query = (sa.select(NafCode.section, NafCode.section_label, NafCode.division,
                       NafCode.division_label).distinct().order_by(NafCode.division))
    rows = db.session.execute(query).all()
    sections = sorted({(row.section, f"{row.section} – {row.section_label}") for row in rows})
    return sections, [(row.division, f"{row.division} – {row.division_label}") for row in rows]


def load_band_choices() -> list[tuple[str, str]]:
    bands = db.session.scalars(sa.select(HeadcountBand).order_by(HeadcountBand.code))
    return [(band.code, band.label) for band in bands]


def naf_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """NAF sections and divisions with their labels (reference data, read once per process)."""
    return reference.cached("naf_choices", load_naf_choices)


def band_choices() -> list[tuple[str, str]]:
    return reference.cached("band_choices", load_band_choices)


class CompanyFilterForm(FilterForm):
    q = SearchField("Nom, SIRET, SIREN, commune ou code postal", validators=[Length(max=100)])
    basin = QuickSelectField("Bassin d'emploi", default="")
    department = QuickSelectField("Département", default="")
    rsa_territory = QuickSelectField("Territoire pilote RSA", default="")
    naf_section = QuickSelectField("Section NAF", default="")
    naf_division = QuickSelectField("Division NAF", default="")
    band = QuickSelectField("Tranche d'effectif", default="")
    tag = StringField("Étiquette de segment", validators=[Length(max=60)],
                      description="Exactement comme sur la fiche, ex. TPE")
    referent = QuickSelectField("Référent", default="")
    open_need = BooleanField("Avec un besoin de recrutement ouvert")
    contacted = QuickSelectField("Contact", choices=options(CONTACTED_CHOICES), default="")
    days = QuickSelectField("Au cours des", coerce=int, default=30, choices=options(
        [(days, f"{days} derniers jours") for days in listing.CONTACT_DAYS]))
    closed = BooleanField("Inclure les établissements fermés")
    sort = QuickSelectField("Trier par", choices=options(SORT_CHOICES), default="name")

    def __init__(self, formdata, user: User):
        super().__init__(formdata)
        sections, divisions = naf_choices()
        self.basin.choices = options([("", "Tous les bassins")], users.basin_choices())
        self.department.choices = options([("", "Tous les départements")],
                                          users.department_choices())
        self.rsa_territory.choices = options([("", "Tous les territoires")],
                                             rsa_pilots.territory_choices())
        self.naf_section.choices = options([("", "Toutes les sections")], sections)
        self.naf_division.choices = options([("", "Toutes les divisions")], divisions)
        self.band.choices = options([("", "Toutes les tranches")], band_choices())
        if access.sees_company_details(user):
            self.referent.choices = options(
                [("", "Tous"), (listing.REFERENT_ME, "Moi"),
                 (listing.REFERENT_NONE, "Sans référent")], listing.referent_choices(user))
        else:
            for name in (*listing.STAFF_ONLY, "days"):
                delattr(self, name)
            self.sort.choices = [c for c in self.sort.choices if c.value != "last_contact"]

    def filters(self) -> CompanyFilters:
        given = {name: field.data for name, field in self._fields.items()}
        given["q"] = (given.get("q") or "").strip()
        given["tag"] = (given.get("tag") or "").strip()
        return CompanyFilters.from_dict(given)


class SavedViewForm(FrenchForm):
    name = StringField("Nom de la vue", validators=[
        DataRequired("Donnez un nom à la vue."),
        Length(max=80, message="Le nom ne doit pas dépasser 80 caractères.")])
    shared = BooleanField("Partager avec mon organisation")


class ExportForm(FrenchForm):
    format = QuickSelectField("Format", choices=options([("csv", "CSV"), ("xlsx", "Excel (XLSX)")]),
                         default="csv")
