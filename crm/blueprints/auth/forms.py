from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length


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
