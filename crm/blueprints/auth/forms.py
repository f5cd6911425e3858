from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from crm.services.accounts.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse électronique",
        validators=[DataRequired("Saisissez votre adresse électronique."),
                    Email("Saisissez une adresse électronique valide, ex. nom@exemple.fr."),
                    Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
    )
    password = PasswordField(
        "Mot de passe",
        validators=[DataRequired("Saisissez votre mot de passe."), Length(max=200)],
    )
    remember = BooleanField("Rester connecté sur cet appareil")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Adresse électronique de votre compte",
        validators=[DataRequired("Saisissez votre adresse électronique."),
                    Email("Saisissez une adresse électronique valide, ex. nom@exemple.fr."),
                    Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
    )


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        "Nouveau mot de passe",
        validators=[DataRequired("Choisissez un mot de passe."), Length(max=200)],
        description=f"Au moins {MIN_PASSWORD_LENGTH} caractères (au plus {MAX_PASSWORD_LENGTH}). "
        "Une phrase de plusieurs mots est facile à retenir et difficile à deviner.",
    )
    confirm = PasswordField(
        "Confirmez le mot de passe",
        validators=[DataRequired("Saisissez le mot de passe une seconde fois."),
                    EqualTo("password", "Les deux mots de passe ne sont pas identiques.")],
    )
