"""Forms of the event pages: the organiser's event, status changes, firms, outcomes, and the
candidate's and the firm's public forms."""

from datetime import date
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from crm.blueprints.forms import FilterForm, FrenchForm, QuickSelectField, options
from crm.blueprints.plans.forms import MultiCheckboxField
from crm.blueprints.public.forms import NeedRequestForm
from crm.models import Event, EventKind, EventStatus, User
from crm.models.event import SURVEY_COMMENT_LENGTH
from crm.services.accounts import users
from crm.services.events import organising, registrations, surveys
from crm.services.events.firms import FirmAnswer, Outcomes
from crm.services.events.listing import EventFilters
from crm.services.events.organising import EventInput
from crm.services.indicators.scope import adviser_choices
from crm.services.needs.schema import need_payload
from crm.services.plans.fiche import NAF_SECTIONS
from crm.services.platform.local_time import day_bounds, local_from_utc, utc_from_local
from crm.services.territory import rsa_pilots


def utc(value):
    """A typed Paris time as stored; None (the field is then refused) when out of range."""
    try:
        return utc_from_local(value) if value else None
    except OverflowError:
        return None


class EventForm(FrenchForm):
    kind = SelectField("Type d'événement", choices=options([("", "Choisir un type")],
                                                           EventKind.choices()),
                       validators=[DataRequired("Choisissez le type d'événement.")])
    title = StringField("Titre", validators=[DataRequired("Donnez un titre à l'événement."),
                                             Length(max=organising.MAX_TITLE)],
                        description="Ex. Job dating BTP de Dijon")
    organiser_ids = MultiCheckboxField(
        "Structures organisatrices", coerce=int,
        description="Cochez au moins une structure ; à deux ou plus, l'événement est « à double "
                    "bannière » et leurs noms apparaissent partout.")
    starts_at = DateTimeLocalField("Début", validators=[InputRequired("Indiquez le début.")])
    ends_at = DateTimeLocalField("Fin", validators=[InputRequired("Indiquez la fin.")])
    venue = StringField("Lieu (facultatif pour un événement en ligne)",
                        validators=[Optional(), Length(max=organising.MAX_VENUE)],
                        description="Ex. Agence France Travail Dijon Est, 12 rue…")
    commune_code = StringField("Code INSEE de la commune (facultatif en ligne)",
                               validators=[Optional(), Length(max=5)], description="Ex. 21231 pour Dijon")
    online_url = StringField("Lien de l'événement en ligne (facultatif)",
                             validators=[Optional(), Length(max=organising.MAX_URL)],
                             description="Ex. https://visio.exemple.fr/salle")
    capacity = IntegerField("Places pour les candidats (facultatif)",
                            validators=[Optional(), NumberRange(1, organising.MAX_CAPACITY,
                                                                "Au moins 1 place.")],
                            description="Laissez vide pour ne pas limiter ; au-delà, les inscrits "
                                        "vont en liste d'attente.")
    registration_closes_at = DateTimeLocalField("Fin des inscriptions (facultatif)",
                                                validators=[Optional()])
    sectors = MultiCheckboxField("Secteurs (sections NAF, facultatif)",
                                 choices=options((code, f"{code} – {label}")
                                                 for code, label in NAF_SECTIONS.items()))
    rome_codes = StringField("Métiers (codes ROME séparés par des virgules, facultatif)",
                             validators=[Optional(), Length(max=500)], description="Ex. F1703, F1602")
    description = TextAreaField("Présentation (facultatif)",
                                validators=[Optional(), Length(max=organising.MAX_DESCRIPTION)])

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organiser_ids.choices = options((o.id, o.name) for o in organising.organiser_choices())
        if event is not None and not self.is_submitted():
            self.kind.data = event.kind.value
            self.title.data = event.title
            self.organiser_ids.data = [o.id for o in event.organisers]
            self.starts_at.data = local_from_utc(event.starts_at)
            self.ends_at.data = local_from_utc(event.ends_at)
            self.venue.data, self.commune_code.data = event.venue, event.commune_code
            self.online_url.data, self.capacity.data = event.online_url, event.capacity
            self.registration_closes_at.data = (local_from_utc(event.registration_closes_at)
                                                if event.registration_closes_at else None)
            self.sectors.data = event.sectors
            self.rome_codes.data = ", ".join(event.rome_codes)
            self.description.data = event.description

    def data_for_service(self) -> EventInput:
        return EventInput(
            kind=self.kind.data, title=self.title.data, starts_at=utc(self.starts_at.data),
            ends_at=utc(self.ends_at.data), organiser_ids=list(self.organiser_ids.data or []),
            commune_code=(self.commune_code.data or "").strip() or None, venue=self.venue.data,
            online_url=self.online_url.data, capacity=self.capacity.data,
            registration_closes_at=utc(self.registration_closes_at.data),
            description=self.description.data, sectors=list(self.sectors.data or []),
            rome_codes=[code for code in (self.rome_codes.data or "").replace(";", ",").split(",")])


class StatusForm(FrenchForm):
    status = SelectField("Nouvel état", choices=options(EventStatus.choices()))
    reason = StringField("Motif (annulation)", validators=[Optional(), Length(max=500)])


NOT_CANCELLED = "not_cancelled"  # the status filter's choice of every status but cancelled


class EventFilterForm(FilterForm):
    basin = QuickSelectField("Bassin d'emploi", default="")
    department = QuickSelectField("Département", default="")
    rsa_territory = QuickSelectField("Territoire pilote RSA", default="")
    organisation = QuickSelectField("Structure organisatrice", default="")
    adviser = QuickSelectField("Créé par", default="")
    status = QuickSelectField("État", default="")
    from_day = DateField("Du", validators=[Optional()])
    to_day = DateField("Au", validators=[Optional()])
    firm_basin = QuickSelectField("Bassin des entreprises confirmées", default="")

    def __init__(self, formdata, user: User):
        super().__init__(formdata)
        self.basin.choices = options([("", "Tous les bassins")], users.basin_choices())
        self.department.choices = options([("", "Tous les départements")],
                                          users.department_choices())
        self.rsa_territory.choices = options([("", "Tous les territoires")],
                                             rsa_pilots.territory_choices())
        self.organisation.choices = options([("", "Toutes les structures")], [
            (str(key), name) for key, name in users.organisation_choices()])
        # the advisers whose indicators the user may read (the dashboard's adviser level)
        self.adviser.choices = options([("", "Tous les auteurs")], adviser_choices(user))
        self.status.choices = options([("", "Tous les états"), (NOT_CANCELLED, "Tous sauf annulés")],
                                      EventStatus.choices())
        self.firm_basin.choices = options([("", "Tous les bassins")], users.basin_choices())

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the period's order."""
        valid = super().validate(extra_validators)
        first, last = self.from_day.data, self.to_day.data
        if first and last and not (self.from_day.errors or self.to_day.errors) and last < first:
            self.to_day.errors = ["La fin de la période précède son début."]
            valid = False
        return valid

    def filters(self) -> EventFilters:
        """The filters of the valid fields (a wrong one keeps every event)."""
        def given(field) -> Any:
            return field.data if field.data and not field.errors else None

        first, last = given(self.from_day), given(self.to_day)
        status, rsa, organisation, adviser = (given(self.status), given(self.rsa_territory),
                                              given(self.organisation), given(self.adviser))
        return EventFilters(
            basin=given(self.basin), department=given(self.department),
            rsa_territory=int(rsa) if rsa else None,
            organisation_id=int(organisation) if organisation else None,
            author_id=int(adviser) if adviser else None,
            statuses=statuses(status), start=day_bounds(first)[0] if first else None,
            end=day_bounds(last)[1] if last else None, firm_basin=given(self.firm_basin))


def statuses(chosen: str | None) -> tuple[EventStatus, ...]:
    """The statuses the status filter's choice keeps (none: every status)."""
    if chosen == NOT_CANCELLED:
        return tuple(status for status in EventStatus if status != EventStatus.CANCELLED)
    return (EventStatus(chosen),) if chosen else ()


class IndicatorFilterForm(FilterForm):
    basin = QuickSelectField("Bassin d'emploi", default="")
    from_day = DateField("Événements du", validators=[Optional()])
    to_day = DateField("Au", validators=[Optional()])

    def __init__(self, formdata):
        super().__init__(formdata)
        self.basin.choices = options([("", "Tous les bassins")], users.basin_choices())


class PublicFilterForm(FilterForm):
    basin = SelectField("Bassin d'emploi", default="")
    sector = SelectField("Secteur", default="")
    from_day = DateField("À partir du", validators=[Optional()])

    def __init__(self, formdata):
        super().__init__(formdata)
        self.basin.choices = options([("", "Tous les bassins")], users.basin_choices())
        self.sector.choices = options([("", "Tous les secteurs")], NAF_SECTIONS.items())

    def chosen_day(self) -> date | None:
        return self.from_day.data if not self.from_day.errors else None


class RegistrationForm(FrenchForm):
    name = StringField("Nom et prénom", validators=[DataRequired("Indiquez vos nom et prénom."),
                                                    Length(max=registrations.MAX_NAME)],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Adresse e-mail", validators=[
        DataRequired("Indiquez votre adresse e-mail."),
        Email("Indiquez une adresse e-mail valide, ex. prenom.nom@exemple.fr.")],
        description="Pour recevoir la confirmation, le rappel et le lien de désinscription.",
        render_kw={"autocomplete": "email"})
    phone = StringField("Téléphone (facultatif)", validators=[Optional(), Length(max=20)],
                        render_kw={"autocomplete": "tel"})
    heard_from = SelectField("Comment avez-vous connu l'événement ? (facultatif)",
                             choices=options([("", "Choisir")],
                                             [(h, h) for h in registrations.HEARD_FROM]),
                             validators=[Optional()])
    consent = BooleanField(
        "J'accepte que mes nom, e-mail et téléphone soient transmis aux organisateurs pour cet "
        "événement ; ils sont effacés quelques mois après.",
        validators=[DataRequired("Votre accord est nécessaire pour enregistrer votre inscription.")])

    def candidate(self) -> registrations.Candidate:
        return registrations.Candidate(name=self.name.data, email=self.email.data,
                                       phone=self.phone.data, consent=bool(self.consent.data),
                                       heard_from=self.heard_from.data or None)


class InviteForm(FrenchForm):
    siret = StringField("SIRET de l'établissement", validators=[
        DataRequired("Indiquez le SIRET."), Length(max=20)])
    email = EmailField("E-mail du recruteur (facultatif)", validators=[
        Optional(), Email("Adresse e-mail invalide.")],
        description="Reçoit l'invitation et son lien de réponse ; sinon, le premier contact connu.")


class FirmAnswerForm(FrenchForm):
    coming = SelectField("Votre réponse", choices=options([("oui", "Nous venons"),
                                                           ("non", "Nous ne venons pas")]))
    positions = IntegerField("Nombre de postes proposés", validators=[Optional()])
    jobs = StringField("Métiers proposés (facultatif)", validators=[Optional(), Length(max=500)],
                       description="Ex. Maçon, coffreur")
    need_ids = MultiCheckboxField("Vos demandes de recrutement en cours, liées à l'événement",
                                  coerce=int)

    def answer(self) -> FirmAnswer:
        return FirmAnswer(coming=self.coming.data == "oui", positions=self.positions.data,
                          jobs=self.jobs.data, need_ids=tuple(self.need_ids.data or ()))


class FirmNeedForm(NeedRequestForm):
    """A new hiring need filed from the firm's answer page: the employer's request form, less the
    establishment (the invitation's) and the workplace (the establishment's address)."""

    siret = company_name = postal_code = commune_code = website = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="besoin", **kwargs)

    def payload_for_firm(self) -> dict:
        """The need in the API's shape, for the one need schema (the SIRET is added by the
        service)."""
        return need_payload(self.data | self.answers())


class OutcomesForm(FrenchForm):
    interviews = IntegerField("Entretiens", validators=[InputRequired("Indiquez un nombre."),
                                                        NumberRange(0, 9999)])
    shortlisted = IntegerField("Candidats retenus", validators=[InputRequired("Indiquez un nombre."),
                                                                NumberRange(0, 9999)])
    hires = IntegerField("Embauches", validators=[InputRequired("Indiquez un nombre."),
                                                  NumberRange(0, 9999)])
    poe_entries = IntegerField("Entrées en POE", validators=[InputRequired("Indiquez un nombre."),
                                                             NumberRange(0, 9999)])

    def outcomes(self) -> Outcomes:
        return Outcomes(self.interviews.data, self.shortlisted.data, self.hires.data,
                        self.poe_entries.data)


YES_NO = [("oui", "Oui"), ("non", "Non")]


class EventSurveyForm(FrenchForm):
    """The satisfaction survey after an event (checked by `events.surveys`)."""

    useful = RadioField(surveys.QUESTIONS["useful"], choices=options(YES_NO), validate_choice=False)
    recommend = RadioField(surveys.QUESTIONS["recommend"], choices=options(YES_NO), validate_choice=False)
    comment = TextAreaField("Commentaire (facultatif)",
                            render_kw={"maxlength": SURVEY_COMMENT_LENGTH, "rows": 3},
                            description=f"{SURVEY_COMMENT_LENGTH} caractères au plus.")

    @staticmethod
    def choice(field) -> bool | None:
        return {"oui": True, "non": False}.get(field.data or "")

    def answers(self) -> tuple[bool | None, bool | None, str | None]:
        return self.choice(self.useful), self.choice(self.recommend), self.comment.data
