"""The job picker in a real browser, with and without JavaScript: an employer picks the job on the
public form from the suggestions (or types it), an adviser picks it on the visit form; axe-core
finds no serious or critical problem with the suggestions open, on a desktop and a phone."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.browser.journeys import sign_in, submit
from tests.browser.test_employer_journey import choose_commune, fill_essentials

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def pick(page, field, typed: str, code: str) -> None:
    """Type in the picker; with JavaScript choose the suggestion of this code, as a person does."""
    field.fill(typed)
    if not page.javascript:
        return
    suggestions = page.get_by_role("listbox", name="Métiers proposés")
    expect(suggestions).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    option = suggestions.get_by_role("option").filter(has_text=code)
    expect(option).to_be_visible()
    option.click()
    expect(suggestions).to_be_hidden()
    expect(field).to_have_value(re.compile(rf"\({code}\)$"))


def test_an_employer_picks_the_job_on_the_public_form(live_server, page, screenshot, axe, agency):
    page.goto(f"{live_server}/recrutement")
    fill_essentials(page)
    field = page.get_by_label("Métier recherché")
    if page.javascript:
        field.fill("maço")
        suggestions = page.get_by_role("listbox", name="Métiers proposés")
        expect(suggestions.get_by_role("option").first).to_contain_text("Maçon / Maçonne")
        field.press("ArrowDown")
        expect(field).to_have_attribute("aria-activedescendant", re.compile("suggestions-0$"))
        field.scroll_into_view_if_needed()
        screenshot("metier-formulaire-public")
        axe()
        page.set_viewport_size(PHONE)
        screenshot("metier-formulaire-public-mobile")
        # Screenshots and axe may take the focus away, which closes the list: type again, choose.
        field.fill("")
        expect(field).to_have_attribute("aria-expanded", "false")
        field.fill("maçon")
        expect(field).to_have_attribute("aria-expanded", "true")
        expect(suggestions.get_by_role("option").first).to_contain_text("Maçon / Maçonne")
        field.press("ArrowDown")
        expect(field).to_have_attribute("aria-activedescendant", re.compile("suggestions-0$"))
        field.press("Enter")
        expect(field).to_have_value("Maçon / Maçonne (F1703)")
    else:
        field.fill("maçon")
    choose_commune(page, "Genlis")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/recrutement/confirmation/**")
    assert db.session.scalar(sa.select(m.HiringNeed.rome_code)) == "F1703"
    axe.end()


def test_an_ambiguous_job_comes_back_with_the_choices(live_server, page, screenshot, axe, agency):
    page.goto(f"{live_server}/recrutement")
    fill_essentials(page)
    page.get_by_label("Métier recherché").fill("secrétaire m")
    choose_commune(page, "Genlis")
    page.get_by_role("button", name="Envoyer ma demande").click()
    error = page.locator("#rome_code-messages")
    expect(error).to_contain_text("Plusieurs métiers correspondent à « secrétaire m »")
    expect(error).to_contain_text("Secrétaire médical / Secrétaire médicale (M1609)")
    page.set_viewport_size(PHONE)
    screenshot("metier-ambigu-mobile")
    axe()
    axe.end()


def test_suggestions_still_on_their_way_do_not_reopen_the_list_after_a_choice(live_server, page,
                                                                             agency):
    """A job chosen from the suggestions on screen while newer ones are still to be asked: the
    list stays closed and nothing more is asked (the page's timers driven by the test)."""
    if not page.javascript:
        pytest.skip("the suggestions need JavaScript")
    page.clock.install()
    page.goto(f"{live_server}/recrutement")
    field = page.get_by_label("Métier recherché")
    suggestions = page.get_by_role("listbox", name="Métiers proposés")
    secretary = suggestions.get_by_role("option").filter(has_text="M1607")
    field.fill("secr")
    page.clock.run_for(1000)
    expect(secretary).to_be_visible()
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "q=" in request.url else None)
    field.fill("secrétaire")  # its suggestions would be asked after a short delay
    secretary.click()
    page.clock.run_for(1000)
    page.wait_for_load_state("networkidle")
    expect(suggestions).to_be_hidden()
    expect(field).to_have_value(re.compile(r"\(M1607\)$"))
    assert asked == []


def test_an_adviser_picks_the_job_of_a_need_on_the_visit_form(live_server, page, screenshot, axe,
                                                              adviser):
    company = f.CompanyFactory(name="Cabinet Roy")
    sign_in(page, live_server, adviser)
    page.goto(f"{live_server}/entreprises/{company.id}/visites/nouvelle")
    yesterday = (m.utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    page.get_by_label("Date et heure").fill(yesterday)
    page.get_by_label("Statut").select_option(label="Réalisée")
    first_need = page.locator("fieldset").filter(has_text="Besoin 1")
    first_need.get_by_label("Intitulé du poste").fill("Assistante d'agence")
    field = first_need.get_by_label("Métier du référentiel ROME (facultatif)")
    if page.javascript:
        field.fill("secr")
        expect(page.get_by_role("listbox", name="Métiers proposés")).to_be_visible()
        field.scroll_into_view_if_needed()
        screenshot("metier-visite")
        axe()
        page.set_viewport_size(PHONE)
        field.scroll_into_view_if_needed()
        screenshot("metier-visite-mobile")
        page.set_viewport_size({"width": 1280, "height": 900})
    pick(page, field, "secrétaire" if page.javascript else "M1607 - Secrétaire", "M1607")
    first_need.get_by_label("Nombre de postes").fill("1")
    first_need.get_by_label("Contrat").select_option(label="CDI")
    first_need.get_by_label("Nom du contact", exact=True).fill("Anne Roy")
    first_need.get_by_label("Son adresse électronique").fill("anne.roy@cabinet-roy.fr")
    submit(page, "Enregistrer la visite")
    screenshot("metier-visite-enregistree")
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert (need.rome_code, need.job_title) == ("M1607", "Assistante d'agence")
    axe.end()
