"""A partner imports its list of firms in a real browser, with and without JavaScript: the file is
sent, read in the background on a task page that follows it, then the columns are chosen, the
preview read and the import run; a file too long is refused on its task page with the reason.
axe-core finds no serious or critical accessibility problem on the pages met."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm import models as m
from crm.services.platform import unit_of_work
from tests import factories as f
from tests.browser.journeys import open_submenu, sign_in

pytestmark = pytest.mark.browser
CCI_FILE = Path(__file__).resolve().parent.parent / "data" / "imports" / "cci-cote-dor.csv"


@pytest.fixture
def chamber_member():
    organisation = f.OrganisationFactory(name="CCI Côte-d'Or", kind=m.OrganisationKind.CCI, is_spotter=True)
    user = f.UserFactory(role=m.Role.PARTNER, organisation=organisation, name="Chloé Chambre")
    unit_of_work.commit()
    return user


def send(page, live_server, path: Path | None = None, name: str = "", content: bytes = b"") -> None:
    page.goto(f"{live_server}/entreprises/import")
    chooser = page.get_by_label("Fichier des entreprises", exact=False)
    if path is not None:
        chooser.set_input_files(str(path))
    else:
        chooser.set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Envoyer le fichier").click()


def test_a_partner_sends_a_list_follows_its_reading_and_imports_it(
        live_server, page, screenshot, axe, chamber_member, run_jobs):
    sign_in(page, live_server, chamber_member)
    open_submenu(page, "Entreprises", "Menu des entreprises", "Importer une liste")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer une liste d'entreprises")
    send(page, live_server, CCI_FILE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lecture du fichier cci-cote-dor.csv")
    expect(page.get_by_text("Avancement : 0 %")).to_be_visible()
    screenshot("import-lecture-en-cours")
    axe()

    run_jobs()  # the page follows the task and shows its end by itself (script or refresh)
    expect(page.get_by_text("Le fichier cci-cote-dor.csv compte 8 lignes d'entreprises et 11 colonnes."))\
        .to_be_visible(timeout=10_000)
    screenshot("import-lecture-terminee")
    axe()
    page.get_by_role("link", name="Choisir les colonnes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Colonnes du fichier cci-cote-dor.csv")
    expect(page.get_by_text("Le fichier compte 8 lignes d'entreprises.")).to_be_visible()
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import de cci-cote-dor.csv")
    expect(page.get_by_text("4 lignes rejetées")).to_be_visible()
    page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de la liste cci-cote-dor.csv")

    run_jobs()
    expect(page.get_by_text("entreprises créées")).to_be_visible(timeout=10_000)
    screenshot("import-termine")
    axe()
    axe.end()


def test_a_list_too_wide_is_refused_on_its_task_page(live_server, page, screenshot, axe, chamber_member,
                                                     run_jobs):
    sign_in(page, live_server, chamber_member)
    send(page, live_server, name="liste.csv", content=b"SIRET" + b";x" * 120 + b"\n1\n")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lecture du fichier liste.csv")
    run_jobs()
    expect(page.get_by_text("La ligne 1 a plus de 100 colonnes")).to_be_visible(timeout=10_000)
    screenshot("import-lecture-refusee")
    axe()
    page.get_by_role("link", name="Envoyer un autre fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer une liste d'entreprises")
    axe.end()
