"""Forms of the companies list: its filters, saving a view, exporting the view."""

from datetime import date

import sqlalchemy as sa
from wtforms import BooleanField, DateField, SearchField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm.blueprints.forms import FilterForm, FrenchForm, QuickSelectField, options
from crm.extensions import db
from crm.models import HeadcountBand, NafCode, User
from crm.services.accounts import access, users
from crm.services.companies import listing
from crm.services.companies.listing import CompanyFilters
from crm.services.indicators.scope import adviser_choices
from crm.services.territory import reference, rsa_pilots

SORT_CHOICES = [("name", "Nom"), ("commune", "Commune"), ("last_contact", "Dernier contact"),
                ("created", "Date de création (la plus récente d'abord)")]
CONTACTED_CHOICES = [("", "Peu importe"), ("oui", "Contactées"), ("non", "Non contactées")]
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # French days the list may be asked
# (start, end, what): the day filters, checked in pairs
DAY_RANGES = (("contacted_from", "contacted_to", "de contact"), ("visited_from", "visited_to", "de visite"))


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


def day_field(label: str) -> DateField:
    return DateField(label, validators=[Optional()],
                     render_kw={"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()})


def range_errors(first: date | None, last: date | None, what: str) -> list[str]:
    """What is wrong with a period of contact or visit (both ends, in order, within the calendar
    the list can search)."""
    if (first is None) != (last is None):
        return [f"Indiquez le premier et le dernier jour de la période {what}."]
    if first is None or last is None:
        return []
    if not (FIRST_DAY <= first <= LAST_DAY and FIRST_DAY <= last <= LAST_DAY):
        return [f"Les dates {what} doivent être comprises entre 1900 et 2100."]
    if last < first:
        return [f"La fin de la période {what} précède son début."]
    return []


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
    contacted_from = day_field("Contactée du")
    contacted_to = day_field("Contactée jusqu'au (inclus)")
    visited_from = day_field("Visitée du")
    visited_to = day_field("Visitée jusqu'au (inclus)")
    organisation = QuickSelectField("Contacts et visites de la structure", default="")
    adviser = QuickSelectField("Contacts et visites du conseiller", default="")
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
            self.organisation.choices = options([("", "Toutes les structures")], [
                (str(key), name) for key, name in users.organisation_choices()])
            # only the advisers whose indicators the user may read (as the needs list's pilot)
            self.adviser.choices = options([("", "Tous les conseillers")], adviser_choices(user))
        else:
            for name in (*listing.STAFF_ONLY, "days"):
                delattr(self, name)
            self.sort.choices = [c for c in self.sort.choices if c.value != "last_contact"]

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the periods of contact and visit; a structure or an adviser needs one
        of them (they say whose contacts and visits are counted)."""
        valid = super().validate(extra_validators)
        if "contacted_from" not in self._fields:  # a partner's form: no follow-up filters
            return valid
        for start, end, what in DAY_RANGES:
            wrong = [self[name] for name in (start, end) if self[name].errors]
            for field in wrong:  # not a day of the calendar
                field.errors = ["Date invalide (format AAAA-MM-JJ)."]
            if wrong:
                valid = False
                continue
            errors = range_errors(self[start].data, self[end].data, what)
            self[end].errors = [*self[end].errors, *errors]
            valid = valid and not errors
        periods = self.contacted_from.data or self.visited_from.data
        for name in ("organisation", "adviser"):
            if self[name].data and not periods:
                self[name].errors = [*self[name].errors, "Indiquez aussi une période de contact ou "
                                     "de visite : ce filtre porte sur les contacts et visites."]
                valid = False
        return valid

    def filters(self) -> CompanyFilters:
        given = {name: field.data for name, field in self._fields.items()}
        given["q"] = (given.get("q") or "").strip()
        given["tag"] = (given.get("tag") or "").strip()
        given |= {name: given[name].isoformat() if given.get(name) else "" for name in
                  ("contacted_from", "contacted_to", "visited_from", "visited_to") if name in given}
        return CompanyFilters.from_dict(given)


class SavedViewForm(FrenchForm):
    name = StringField("Nom de la vue", validators=[
        DataRequired("Donnez un nom à la vue."),
        Length(max=80, message="Le nom ne doit pas dépasser 80 caractères.")])
    shared = BooleanField("Partager avec mon organisation")


class ExportForm(FrenchForm):
    format = QuickSelectField("Format", choices=options([("csv", "CSV"), ("xlsx", "Excel (XLSX)")]),
                         default="csv")
