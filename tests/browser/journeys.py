"""Steps shared by the browser journeys: signing in, following the menu, ticking boxes, submitting."""

from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from tests import factories as f


def dijon() -> m.Basin:
    return db.session.get(m.Basin, "2711")


def sign_in(page, live_server: str, user: m.User) -> None:
    """Through the sign-in form, as anyone would; lands on the home page."""
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/accueil")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {user.name}")


def open_menu(page, label: str) -> None:
    """Follow an entry of the main menu of the header."""
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name=label, exact=True).click()


def open_submenu(page, section: str, menu: str, label: str) -> None:
    """Follow a main-menu section, then an entry of its second-level menu."""
    open_menu(page, section)
    page.get_by_role("navigation", name=menu).get_by_role("link", name=label, exact=True).click()


def tick(group, label: str) -> None:
    """Tick a DSFR checkbox or radio button of a fieldset by clicking its label, as a person
    does (the label covers the input), and check that it took."""
    group.get_by_text(label, exact=True).click()
    expect(group.get_by_label(label, exact=True)).to_be_checked()


def submit(page, button: str) -> None:
    """Press a form's button and wait for the page that answers."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
