"""Account onboarding and recovery in a real browser, with and without JavaScript: an admin invites
a person, who opens the link of the e-mail, chooses a password and signs in; a person who forgot
their password asks for a link, chooses a new one and signs in; the admin reads the security
journal. axe-core finds no serious or critical accessibility problem on the pages met."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import open_menu, sign_in, submit

pytestmark = pytest.mark.browser
CHOSEN = "Trois lapins dans la neige"


def last_link(kind: str) -> str:
    """The link of the CRM in the newest outbox message of this kind, as the person reads it."""
    db.session.expire_all()
    body = db.session.scalars(sa.select(m.OutboxMessage.body).filter_by(kind=kind)
                              .order_by(m.OutboxMessage.id.desc())).first()
    return re.search(r"http://\S+/(invitation|mot-de-passe)/\S+", body).group(0)


def sign_in_with(page, live_server: str, email: str, password: str) -> None:
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    submit(page, "Se connecter")


def test_an_admin_invites_a_person_who_chooses_a_password_and_signs_in(
        live_server, page, screenshot, axe):
    organisation = f.OrganisationFactory(name="Mission locale du Dijonnais")
    admin = f.UserFactory(role=m.Role.ADMIN, name="Alice Admin")
    unit_of_work.commit()
    sign_in(page, live_server, admin)
    open_menu(page, "Administration")
    page.get_by_role("navigation", name="Menu d'administration").get_by_role(
        "link", name="Utilisateurs").click()
    page.get_by_role("link", name="Nouveau compte").click()
    page.get_by_label("Nom et prénom").fill("Léa Conseillère")
    page.get_by_label("Adresse électronique").fill("lea@ml-dijon.fr")
    page.get_by_label("Organisation", exact=True).select_option(label=organisation.name)
    expect(page.get_by_label("Mot de passe")).to_have_count(0)
    screenshot("compte-invitation-formulaire")
    axe()
    submit(page, "Créer le compte et envoyer l'invitation")
    expect(page.get_by_text("une invitation à choisir son mot de passe est envoyée à "
                            "lea@ml-dijon.fr")).to_be_visible()
    invitation = last_link("account_invitation")
    page.context.clear_cookies()  # the person opens the link in their own browser

    page.goto(invitation)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bienvenue : choisissez votre mot de passe")
    page.get_by_label("Nouveau mot de passe").fill("azertyuiop123")
    page.get_by_label("Confirmez le mot de passe").fill("azertyuiop123")
    submit(page, "Enregistrer le mot de passe")
    expect(page.get_by_text("Ce mot de passe est trop courant")).to_be_visible()
    screenshot("compte-invitation-mot-de-passe-refuse")
    axe()
    page.get_by_label("Nouveau mot de passe").fill(CHOSEN)
    page.get_by_label("Confirmez le mot de passe").fill(CHOSEN)
    submit(page, "Enregistrer le mot de passe")
    expect(page.get_by_text("Votre mot de passe est enregistré.")).to_be_visible()

    sign_in_with(page, live_server, "lea@ml-dijon.fr", CHOSEN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Léa Conseillère")
    page.context.clear_cookies()
    page.goto(invitation)
    expect(page.get_by_text("Ce lien a déjà servi")).to_be_visible()
    screenshot("compte-lien-deja-utilise")
    axe()
    axe.end()


def test_a_person_who_forgot_their_password_chooses_a_new_one(live_server, page, screenshot, axe):
    user = f.UserFactory(name="Paul Girard", email="paul.girard@exemple.fr")
    admin = f.UserFactory(role=m.Role.ADMIN, name="Alice Admin")
    unit_of_work.commit()
    page.goto(f"{live_server}/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    page.get_by_label("Adresse électronique de votre compte").fill(user.email)
    screenshot("compte-mot-de-passe-oublie")
    axe()
    submit(page, "Recevoir un lien")
    expect(page.get_by_text("Si un compte actif correspond à l'adresse paul.girard@exemple.fr")
           ).to_be_visible()
    axe()

    page.goto(last_link("password_reset"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un nouveau mot de passe")
    page.get_by_label("Nouveau mot de passe").fill(CHOSEN)
    page.get_by_label("Confirmez le mot de passe").fill(CHOSEN)
    screenshot("compte-nouveau-mot-de-passe")
    axe()
    submit(page, "Enregistrer le mot de passe")
    sign_in_with(page, live_server, user.email, CHOSEN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Paul Girard")

    page.context.clear_cookies()
    sign_in(page, live_server, admin)
    page.goto(f"{live_server}/admin/journal-de-securite?compte=paul")
    journal = page.get_by_role("table", name="Événements de sécurité")
    expect(journal).to_contain_text("Mot de passe changé")
    expect(journal).to_contain_text("Nouveau mot de passe demandé")
    expect(journal).to_contain_text("Connexion réussie")
    screenshot("compte-journal-securite")
    axe()
    axe.end()
