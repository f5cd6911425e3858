"""Forms of the admin pages: filters (GET, no CSRF) and edits (POST, CSRF)."""

from wtforms import BooleanField, PasswordField, SearchField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from crm.blueprints.forms import FilterForm, FrenchForm, options
from crm.models import ApiScope, MessageStatus, OrganisationKind, Role
from crm.services.accounts import users


class OrganisationFilterForm(FilterForm):
    q = SearchField("Nom de l'organisation", validators=[Length(max=100)])
    kind = SelectField(
        "Type", choices=options([("", "Tous les types")], OrganisationKind.choices()), default=""
    )


SPOTTER_CHOICES = [
    ("auto", "Selon le type (chambres, OPCO, intérim, URSSAF, fédérations)"),
    ("yes", "Oui"),
    ("no", "Non"),
]


SPOTTER_NEWS_CHOICES = [("each", "Un courriel à chaque changement"),
                        ("digest", "Un résumé quotidien (jours ouvrés)")]


class OrganisationForm(FrenchForm):
    name = StringField(
        "Nom",
        validators=[DataRequired("Saisissez le nom de l'organisation."), Length(max=160)],
        description="Nom usuel, ex. France Travail Dijon Sud",
    )
    kind = SelectField("Type d'organisation", choices=options(OrganisationKind.choices()))
    spotter = SelectField(
        "Détecteur d'offres", choices=options(SPOTTER_CHOICES),
        description="Il signale les besoins de recrutement qu'il repère et en suit les suites.",
    )
    basins = SelectMultipleField(
        "Bassins d'emploi couverts",
        description="Sans bassin ni département, l'organisation couvre toute la région.",
    )
    departments = SelectMultipleField("Départements couverts")
    spotter_news = SelectField(
        "Suites des signalements", choices=options(SPOTTER_NEWS_CHOICES),
        description="Comment le détecteur d'offres apprend ce que deviennent ses signalements.",
        validate_choice=False,  # anything but "digest" is an e-mail at each change
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.basins.choices = options(users.basin_choices())
        self.departments.choices = options(users.department_choices())

    def spotter_digest(self) -> bool:
        return self.spotter_news.data == "digest"

    def spotter_flag(self) -> bool | None:
        """True or False when chosen, None to follow the organisation's kind."""
        return {"yes": True, "no": False}.get(self.spotter.data)


class UserFilterForm(FilterForm):
    q = SearchField("Nom ou adresse électronique", validators=[Length(max=100)])
    role = SelectField(
        "Rôle", choices=options([("", "Tous les rôles")], Role.choices()), default=""
    )
    organisation = SelectField("Organisation", coerce=int, default=0)
    active = SelectField(
        "État", choices=options([("", "Tous"), ("1", "Actifs"), ("0", "Désactivés")]), default=""
    )

    def __init__(self, formdata):
        super().__init__(formdata)
        self.organisation.choices = options([(0, "Toutes les organisations")],
                                            users.organisation_choices())

    def active_flag(self) -> bool | None:
        return {"1": True, "0": False}.get(self.active.data)


class UserForm(FrenchForm):
    name = StringField(
        "Nom et prénom",
        validators=[DataRequired("Saisissez le nom de la personne."), Length(max=120)],
    )
    email = StringField(
        "Adresse électronique",
        validators=[DataRequired("Saisissez l'adresse électronique."),
                    Email("Saisissez une adresse électronique valide, ex. nom@exemple.fr."),
                    Length(max=254)],
        description="Elle sert d'identifiant de connexion. Format attendu : nom@domaine.fr",
    )
    role = SelectField("Rôle", choices=options(Role.choices()))
    organisation = SelectField("Organisation", coerce=int)
    basins = SelectMultipleField(
        "Bassins suivis",
        description="Utile aux responsables : ils voient les besoins de ces bassins.",
    )
    password = PasswordField(
        "Nouveau mot de passe (facultatif)",
        validators=[Length(max=users.MAX_PASSWORD_LENGTH + 72)],
        description="Laissez vide pour conserver le mot de passe actuel. Mieux : la personne "
        "en choisit un elle-même avec « Mot de passe oublié ? » sur la page de connexion.",
    )

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.organisation.choices = options(users.organisation_choices())
        self.basins.choices = options(users.basin_choices())
        if creating:  # the person chooses their password through the invitation
            del self.password

    def validate_password(self, field) -> None:
        if field.data:
            problem = users.password_problem(field.data, self.email.data, self.name.data)
            if problem:
                raise ValidationError(problem)


class TokenForm(FrenchForm):
    name = StringField(
        "Nom du jeton",
        validators=[DataRequired("Donnez un nom au jeton."), Length(max=120)],
        description="Pour le reconnaître plus tard, ex. Connecteur CCI – production",
    )
    scopes = SelectMultipleField(
        "Portées du jeton", default=[ApiScope.NEEDS.value], validate_choice=False,
        choices=[(scope.value, f"{scope.label} : {scope.description}") for scope in ApiScope],
        description="Ce que le logiciel partenaire pourra faire avec ce jeton.",
    )


class MessageFilterForm(FilterForm):
    status = SelectField(
        "État", choices=options([("", "Tous les états")], MessageStatus.choices()), default=""
    )


class PersonSearchForm(FilterForm):
    email = SearchField("Adresse électronique de la personne", validators=[Length(max=254)],
                        description="Celle de la demande : employeur, interlocuteur, participant ou agent")


class ErasureForm(FrenchForm):
    email = StringField("Adresse électronique", validators=[DataRequired("Indiquez l'adresse."),
                                                              Length(max=254)])
    reason = StringField(
        "Motif et référence de la demande",
        validators=[DataRequired("Indiquez le motif de l'effacement et la référence de la demande."),
                    Length(max=500, message="500 caractères au plus.")],
        description="Ex. : demande reçue par courriel le 03/12/2026, réf. DPO-2026-014")
    confirm = BooleanField("Je confirme l'effacement : il est définitif",
                           validators=[DataRequired("Cochez la case pour confirmer l'effacement.")])
