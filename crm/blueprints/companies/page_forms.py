"""Forms of the company page: identity corrections and preferences, tags, referent, contacts,
projects."""

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from crm.blueprints.forms import FrenchForm, VersionedForm, options
from crm.models import Channel, Company, CompanyProject, ProjectKind
from crm.services.companies.profile import MAX_TAG, Identity, Person
from crm.services.companies.projects import MAX_NOTE, MAX_SOURCE, ProjectFacts
from crm.services.platform.contact_details import display_phone, normalise_email, normalise_phone


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class IdentityForm(VersionedForm):
    name = StringField("Nom de l'entreprise", filters=[strip], validators=[
        DataRequired("Indiquez le nom de l'entreprise."), Length(max=255)])
    sign = StringField("Enseigne (facultatif)", filters=[strip], validators=[Length(max=255)])
    address = StringField("Adresse (facultatif)", filters=[strip], validators=[Length(max=255)],
                          description="Numéro et voie, ex. 12 rue de la Liberté")
    postal_code = StringField("Code postal (facultatif)", filters=[strip], validators=[
        Optional(), Regexp(r"^\d{5}$", message="Le code postal compte 5 chiffres, ex. 21000.")])
    preferred_channel = SelectField("Canal de contact préféré", default="", choices=options(
        [("", "Aucune préférence")], Channel.choices()))
    do_not_contact_before = DateField(
        "Ne pas contacter avant le (facultatif)", validators=[Optional()],
        description="Date demandée par l'entreprise ; le réseau en est averti avant tout contact.")

    @classmethod
    def of(cls, company: Company) -> "IdentityForm":
        """A blank form on the firm's current values and version."""
        return cls(formdata=None, data={
            "version": company.version, "name": company.name, "sign": company.sign,
            "address": company.address, "postal_code": company.postal_code,
            "preferred_channel": company.preferred_channel.value if company.preferred_channel else "",
            "do_not_contact_before": company.do_not_contact_before})

    def identity(self) -> Identity:
        channel = self.preferred_channel.data
        return Identity(self.name.data, self.sign.data, self.address.data, self.postal_code.data,
                        Channel(channel) if channel else None, self.do_not_contact_before.data)


class TagForm(VersionedForm):
    tag = StringField("Nouvelle étiquette", filters=[strip], validators=[
        DataRequired("Saisissez l'étiquette à ajouter."),
        Length(max=MAX_TAG, message=f"Une étiquette compte au plus {MAX_TAG} caractères.")],
        description=f"Texte libre, {MAX_TAG} caractères au plus, ex. « industrie », « plan 2026 ».")


class RemoveTagForm(VersionedForm):
    tag = HiddenField(validators=[DataRequired("Étiquette inconnue.")])


class ReferentForm(VersionedForm):
    referent = SelectField("Conseiller référent", coerce=int)
    reason = TextAreaField("Motif du changement", filters=[strip], validators=[
        DataRequired("Indiquez le motif du changement de référent."), Length(max=1000)],
        description="Ex. « Suivi du plan de prospection du bassin », « départ du référent ».")

    def __init__(self, *args, staff: list[tuple[int, str]], replacing: bool = True, **kwargs):
        """`replacing`: the firm has a referent, so a change needs a reason; for a first referent
        the reason is optional."""
        super().__init__(*args, **kwargs)
        self.referent.choices = options([(0, "Aucun référent")], staff)
        if not replacing:
            self.reason.label.text = "Motif de la désignation (facultatif)"
            self.reason.description = "Ex. « Suivi du plan de prospection du bassin »."
            self.reason.validators = [Optional(), Length(max=1000)]
            self.reason.flags.required = False


class ContactPersonForm(FrenchForm):
    name = StringField("Nom et prénom", filters=[strip], validators=[
        DataRequired("Indiquez le nom de la personne."), Length(max=120)])
    job_title = StringField("Fonction (facultatif)", filters=[strip], validators=[Length(max=120)],
                            description="Ex. gérante, responsable des ressources humaines")
    email = EmailField("Adresse électronique (facultatif)", filters=[strip],
                       validators=[Length(max=254)], description="Format attendu : nom@domaine.fr")
    phone = TelField("Téléphone (facultatif)", filters=[strip], description="Ex. 03 80 12 34 56")
    consent = BooleanField("La personne accepte d'être contactée par le réseau pour l'emploi")

    @classmethod
    def of(cls, contact) -> "ContactPersonForm":
        return cls(formdata=None, data={
            "name": contact.name, "job_title": contact.job_title, "email": contact.email,
            "phone": display_phone(contact.phone), "consent": contact.consent})

    def validate_email(self, field) -> None:
        if field.data and normalise_email(field.data) is None:
            raise ValidationError("Saisissez une adresse électronique valide, ex. nom@exemple.fr.")

    def validate_phone(self, field) -> None:
        if field.data and normalise_phone(field.data) is None:
            raise ValidationError("Saisissez un numéro de téléphone français valide, "
                                  "ex. 03 80 12 34 56.")

    def person(self) -> Person:
        return Person(self.name.data, self.job_title.data or None,
                      normalise_email(self.email.data) if self.email.data else None,
                      normalise_phone(self.phone.data) if self.phone.data else None,
                      self.consent.data)


class ProjectForm(FrenchForm):
    """A project of the firm heard of; the service checks the date's range and the lengths. Its
    fields are prefixed: the form also sits on the 360° page among others."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="project", **kwargs)

    kind = SelectField("Type de projet", default="", choices=options(
        [("", "Choisir le type de projet")], ProjectKind.choices()))
    occurred_on = DateField("Date du projet", validators=[Optional()],
                            description="Date connue ou annoncée, au plus deux ans à venir.")
    source = StringField("Source (facultatif)", filters=[strip], validators=[Length(max=MAX_SOURCE)],
                         description="Ex. « Revue des projets du RET », « presse locale ».")
    note = TextAreaField("Note (facultatif)", filters=[strip], validators=[Length(max=MAX_NOTE)],
                         description=f"{MAX_NOTE} caractères au plus.")

    @classmethod
    def of(cls, project: CompanyProject) -> "ProjectForm":
        return cls(formdata=None, data={
            "kind": project.kind.value, "occurred_on": project.occurred_on,
            "source": project.source, "note": project.note})

    def facts(self) -> ProjectFacts:
        return ProjectFacts(ProjectKind(self.kind.data) if self.kind.data else None,
                            self.occurred_on.data, self.source.data, self.note.data)
