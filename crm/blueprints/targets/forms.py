"""Forms of the segment builder and the target lists."""

import sqlalchemy as sa
from wtforms import SelectField, SelectMultipleField, StringField

from crm.blueprints.forms import FilterForm, options
from crm.extensions import db
from crm.models import Commune, HeadcountBand, NafCode, ProjectKind, RomeCode, TargetStatus, User
from crm.services.accounts import users
from crm.services.plans import segments
from crm.services.plans.targets import TargetFilters

NUMERIC = {"inputmode": "numeric"}


def many(label: str, description: str | None = None) -> SelectMultipleField:
    return SelectMultipleField(label, description=description, validate_choice=False)


def number(label: str, description: str | None = None) -> StringField:
    return StringField(label, description=description, render_kw=NUMERIC)


class SegmentForm(FilterForm):
    """The criteria of a segment (GET: the count and preview follow the query string)."""

    basins = many("Bassins d'emploi")
    communes = StringField("Communes (codes INSEE)", description="Séparés par des virgules, ex. 21231, 21054")
    epcis = many("Intercommunalités (EPCI)")
    naf_sections = many("Sections NAF")
    naf_divisions = StringField("Divisions NAF",
                                description="Deux chiffres, séparés par des virgules, ex. 43, 56")
    headcount_bands = many("Tranches d'effectif")
    under_employees = number("Moins de … salariés", "Ex. 250 pour les TPE-PME")
    created_within_months = number("Créée depuis moins de … mois", "Ex. 24 pour moins de 2 ans")
    new_site_within_months = number("Nouvel établissement depuis moins de … mois",
                                    "Création de l'établissement ou projet d'implantation")
    tags = StringField("Étiquettes", description="L'une de ces étiquettes, séparées par des virgules")
    shortage_sectors = many("Secteurs en tension")
    project_kinds = many("Projets de l'entreprise")
    project_within_months = number("Projet depuis moins de … mois")
    score_min = number("Score « susceptible de recruter » minimal", "De 0 à 100")
    score_max = number("Score maximal", "De 0 à 100")
    need_open_days = number("Besoin ouvert depuis plus de … jours")
    not_contacted_days = number("Pas contactée depuis … jours")

    def __init__(self, formdata=None, data: dict | None = None):
        super().__init__(formdata)
        if formdata is None and data:
            self.process(data=data)
        self.basins.choices = options(users.basin_choices())
        self.epcis.choices = options(db.session.execute(
            sa.select(Commune.epci_siren, Commune.epci_name).where(Commune.epci_siren.is_not(None))
            .distinct().order_by(Commune.epci_name)).all())
        self.naf_sections.choices = options(db.session.execute(
            sa.select(NafCode.section, NafCode.section_label).distinct().order_by(NafCode.section)).all())
        self.headcount_bands.choices = options(db.session.execute(
            sa.select(HeadcountBand.code, HeadcountBand.label)
            .order_by(sa.func.coalesce(HeadcountBand.min_employees, -1))).all())
        self.shortage_sectors.choices = options((s, s) for s in db.session.scalars(
            sa.select(RomeCode.shortage_sector).where(RomeCode.shortage_sector.is_not(None))
            .distinct().order_by(RomeCode.shortage_sector)))
        self.project_kinds.choices = options(ProjectKind.choices())

    def criteria_data(self) -> dict:
        return {name: self[name].data for name in segments.Criteria.__dataclass_fields__}

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            if name in self:
                self[name].errors = [*self[name].errors, *messages]
            else:
                self.form_errors.extend(messages)


def criteria_as_form_data(criteria: dict) -> dict:
    """Stored criteria as the form's fields (text fields get their lists joined)."""
    texts = ("communes", "naf_divisions", "tags")
    return {key: ", ".join(value) if key in texts else value for key, value in criteria.items()}


class TargetFilterForm(FilterForm):
    statut = SelectField("Statut", default="", choices=options(
        [("", "Tous les statuts")], TargetStatus.choices()))
    conseiller = SelectField("Conseiller", default="")

    def __init__(self, formdata, advisers: list[User]):
        super().__init__(formdata)
        self.conseiller.choices = options([("", "Tous les conseillers"), ("aucun", "Non attribuées")],
                                          [(str(user.id), user.name) for user in advisers])

    def filters(self, plan_id: int) -> TargetFilters:
        chosen = self.conseiller.data or ""
        return TargetFilters(
            plan_id=plan_id, status=TargetStatus(self.statut.data) if self.statut.data else None,
            assignee_id=int(chosen) if chosen.isdigit() else None, unassigned=chosen == "aucun")


class MyTargetFilterForm(FilterForm):
    statut = SelectField("Statut", default="", choices=options(
        [("", "Tous les statuts")], TargetStatus.choices()))
