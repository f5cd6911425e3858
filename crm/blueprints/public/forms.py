"""Forms of the public pages: the recruitment request and the tracking page's actions."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Length
from wtforms.widgets import DateInput, NumberInput

from crm.blueprints.forms import job_field, options
from crm.models import Commune, ContractType, EmployerService, Public
from crm.models.aftercare import COMMENT_LENGTH
from crm.services.needs.schema import MAX_DESCRIPTION, MAX_JOB_TITLE, MAX_NAME, need_payload
from crm.services.needs.workflow import MAX_MESSAGE

MAX_REASON = 1000


NO_POSTAL_CODE = options([("", "Saisissez d'abord le code postal")])


def limit(size: int, **attributes) -> dict:
    return {"maxlength": size, **attributes}


class NeedRequestForm(FlaskForm):
    """The employer's request: the fields of the one need schema, with the form's names."""

    siret = StringField(
        "Numéro SIRET de l'établissement qui recrute",
        description="14 chiffres, espaces acceptés. Il figure sur vos fiches de paie et sur "
                    "annuaire-entreprises.data.gouv.fr.",
        render_kw=limit(20, inputmode="numeric", autocomplete="off"),
    )
    company_name = StringField(
        "Nom de l'entreprise",
        description="Obligatoire si votre établissement n'est pas encore connu de nos services.",
        render_kw=limit(255, autocomplete="organization"),
    )
    postal_code = StringField(
        "Code postal du lieu de travail",
        description="5 chiffres, ex. 21000. Facultatif si le poste est à l'adresse de "
                    "l'établissement.",
        render_kw=limit(5, inputmode="numeric", autocomplete="postal-code"),
    )
    commune_code = SelectField("Commune du lieu de travail", choices=NO_POSTAL_CODE,
                               validate_choice=False)
    rome_code = job_field("Métier recherché")
    job_title = StringField(
        "Ou intitulé du poste",
        description="Si vous ne trouvez pas le métier, ex. « Maçon coffreur ».",
        render_kw=limit(MAX_JOB_TITLE),
    )
    positions = StringField("Nombre de postes", default="1",
                            widget=NumberInput(min=1, max=999, step=1))
    contract_type = SelectField(
        "Type de contrat",
        choices=options([("", "Choisir un type de contrat"), *ContractType.choices()]),
        validate_choice=False,
    )
    contract_months = StringField(
        "Durée du contrat en mois",
        description="Obligatoire pour un CDD, un contrat d'intérim ou saisonnier (1 à 36 mois).",
        widget=NumberInput(min=1, max=36, step=1),
    )
    start_date = StringField("Date de début souhaitée (facultatif)", widget=DateInput())
    publics = SelectMultipleField(
        "Publics que vous souhaitez recruter (facultatif)",
        choices=options(Public.choices()), validate_choice=False,
        description="Un conseiller spécialisé pourra vous accompagner.",
    )
    services = SelectMultipleField(
        "Services qui vous intéressent (facultatif)",
        choices=options(EmployerService.choices()), validate_choice=False,
    )
    description = TextAreaField(
        "Description du poste (facultatif)",
        description=f"Missions, compétences, horaires, salaire… {MAX_DESCRIPTION} caractères "
                    "au plus.",
        render_kw=limit(MAX_DESCRIPTION, rows=5),
    )
    contact_name = StringField("Nom et prénom", render_kw=limit(MAX_NAME, autocomplete="name"))
    contact_email = EmailField("Adresse électronique",
                               description="Format attendu : nom@domaine.fr",
                               render_kw=limit(254, autocomplete="email", spellcheck="false"))
    contact_phone = TelField("Téléphone (facultatif)", description="Ex. 03 80 12 34 56",
                             render_kw=limit(20, autocomplete="tel"))
    consent = BooleanField(
        "J'accepte que ces informations soient utilisées pour traiter ma demande de recrutement."
    )
    website = StringField("Ne remplissez pas ce champ",
                          render_kw=limit(200, tabindex="-1", autocomplete="off"))

    def offer_communes(self, communes: list[Commune]) -> None:
        """Fill the commune list with the communes of the postal code typed."""
        if communes:
            self.commune_code.choices = options(
                [("", "Choisir la commune"), *((c.code, c.name) for c in communes)])

    def payload(self, commune_code: str | None) -> dict:
        """The request in the API's shape, for the one need schema."""
        return need_payload(self.data | {"commune_code": commune_code} | self.answers())

    def answers(self) -> dict:
        """The answers the schema reads otherwise than the form holds them."""
        return {"consent": bool(self.consent.data)}

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the schema's messages ("contact.email") on the form's fields ("contact_email")."""
        for name, messages in errors.items():
            field_name = "contact_name" if name == "contact" else name.replace(".", "_")
            field = self._fields.get(field_name)
            if field is None:
                self.form_errors.extend(messages)
            else:
                field.errors = list(field.errors) + messages


class MessageForm(FlaskForm):
    body = TextAreaField("Votre message", render_kw=limit(MAX_MESSAGE, rows=4),
                         description=f"{MAX_MESSAGE} caractères au plus.")


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Motif du retrait (facultatif)", render_kw=limit(MAX_REASON, rows=3),
        description="Par exemple : poste pourvu par nos propres moyens, projet abandonné…",
        validators=[Length(max=MAX_REASON,
                           message=f"Le motif ne doit pas dépasser {MAX_REASON} caractères.")],
    )


YES_NO = [("oui", "Oui"), ("non", "Non")]


class SurveyForm(FlaskForm):
    """The two satisfaction questions of a closed need (checked by `needs.satisfaction`)."""

    contacted_quickly = RadioField("Avez-vous été contacté rapidement ?", choices=YES_NO,
                                   validate_choice=False)
    useful = RadioField("L'accompagnement vous a-t-il été utile ?", choices=YES_NO,
                        validate_choice=False)
    comment = TextAreaField("Commentaire (facultatif)", render_kw=limit(COMMENT_LENGTH, rows=3),
                            description=f"{COMMENT_LENGTH} caractères au plus.")

    @staticmethod
    def answer(field) -> bool | None:
        return {"oui": True, "non": False}.get(field.data or "")
