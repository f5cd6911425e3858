"""The legal pages (legal notice, personal data, accessibility statement): public, linked from every
footer, stating the configured operator and the retention the running configuration gives."""

from datetime import timedelta

import pytest

from crm.config import default_config
from tests import factories as f
from tests.helpers import page_text

PAGES = {"/mentions-legales": "Mentions légales", "/donnees-personnelles": "Données personnelles",
         "/accessibilite": "Déclaration d'accessibilité"}
FOOTER_LINKS = ('href="/mentions-legales">Mentions légales</a>',
                'href="/donnees-personnelles">Données personnelles</a>',
                'href="/accessibilite">Accessibilité : non conforme</a>')
OPERATOR = {
    "CRM_OPERATOR_NAME": "GIP Emploi Bourgogne-Franche-Comté",
    "CRM_OPERATOR_ADDRESS": "12 rue de la Préfecture, 21000 Dijon",
    "CRM_OPERATOR_EMAIL": "contact@gip-emploi-bfc.fr",
    "CRM_DPO_EMAIL": "dpo@gip-emploi-bfc.fr",
    "CRM_PUBLICATION_DIRECTOR": "Claire Dubois, directrice du GIP",
    "CRM_HOST_NAME": "Hébergeur Public SAS",
    "CRM_HOST_ADDRESS": "1 avenue du Nuage, 75012 Paris",
}


@pytest.fixture
def operator(app, monkeypatch):
    for name, value in OPERATOR.items():
        monkeypatch.setitem(app.config, name, value)
    return OPERATOR


def footer(text: str) -> str:
    return text.split('id="pied-de-page"')[1]


@pytest.mark.parametrize("path, title", PAGES.items())
def test_each_legal_page_is_public_and_names_the_configured_operator(client, operator, path, title):
    response = client.get(path)
    assert response.status_code == 200
    text = page_text(response)
    assert f"<h1>{title}</h1>" in text
    assert f"<title>{title} – CRM emploi BFC</title>" in text
    assert operator["CRM_OPERATOR_NAME"] in text and operator["CRM_OPERATOR_ADDRESS"] in text


def test_the_legal_notice_names_publisher_director_and_host(client, operator):
    text = page_text(client.get("/mentions-legales"))
    for name in OPERATOR:
        assert operator[name] in text, name
    assert f'href="mailto:{operator["CRM_OPERATOR_EMAIL"]}"' in text


def test_without_a_configured_host_the_operator_hosts_the_service(app, client, operator, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_HOST_NAME", None)
    monkeypatch.setitem(app.config, "CRM_HOST_ADDRESS", None)
    hosting = page_text(client.get("/mentions-legales")).split("<h2>Hébergement</h2>")[1]
    hosting = hosting.split("</address>")[0]
    assert operator["CRM_OPERATOR_NAME"] in hosting and operator["CRM_OPERATOR_ADDRESS"] in hosting


def test_the_personal_data_page_covers_each_processing_its_basis_rights_and_the_cnil(client, operator):
    text = page_text(client.get("/donnees-personnelles"))
    for processing in ("Demandes de recrutement des employeurs", "Comptes des agents et des partenaires",
                       "Signalements des partenaires", "Journal des modifications"):
        assert f'<th scope="row">{processing}</th>' in text
    assert "article 6, paragraphe 1, point e du RGPD" in text
    for right in ("accéder", "rectifier", "effacer", "limitation", "opposer"):
        assert right in text
    assert f'href="mailto:{operator["CRM_DPO_EMAIL"]}"' in text
    assert "Missions locales" in text and "Cap emploi" in text
    assert "CNIL" in text and 'href="https://www.cnil.fr/fr/plaintes"' in text


def test_retention_periods_follow_the_configuration(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_RETENTION_MONTHS", 18)
    monkeypatch.setitem(app.config, "CRM_MAIL_RETENTION_DAYS", 90)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_DURATION", timedelta(days=30))
    monkeypatch.setitem(app.config, "CRM_PUBLIC_FORM_RATE_LIMIT", "5 per minute;30 per hour")
    monkeypatch.setitem(app.config, "CRM_API_RATE_LIMIT", "120 per minute")
    text = " ".join(page_text(client.get("/donnees-personnelles")).split())
    assert "d'une demande de recrutement : 18 mois après la clôture de la demande ; elles sont alors " \
           "effacées automatiquement" in text
    assert "leur texte est effacé automatiquement après 90 jours" in text
    assert "dure 30 jours" in text
    assert "un formulaire ouvert reste valable 8 heures" in text
    assert "effacés automatiquement après 1 heure au plus" in text
    form = " ".join(page_text(client.get("/recrutement")).split())
    assert "Elles sont conservées 18 mois après la clôture de la demande." in form
    assert 'href="/donnees-personnelles">En savoir plus sur vos données personnelles</a>' in form
    monkeypatch.setitem(app.config, "CRM_RETENTION_MONTHS", 24)
    assert "conservées 2 ans après la clôture" in " ".join(page_text(client.get("/recrutement")).split())


def test_the_map_tile_server_is_named_only_when_maps_load_tiles(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "depuis tile.openstreetmap.org" in page_text(client.get("/donnees-personnelles"))
    monkeypatch.setitem(app.config, "CRM_MAP_TILES", "none")
    assert "fond de carte depuis" not in page_text(client.get("/donnees-personnelles"))


def test_the_accessibility_statement_gives_state_audit_contact_and_recourse(client, operator):
    text = " ".join(page_text(client.get("/accessibilite")).split())
    assert ("est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), "
            "version 4.1") in text
    assert "aucun audit de conformité n'a encore été réalisé" in text
    assert "Non-conformités connues" in text
    assert f'href="mailto:{operator["CRM_OPERATOR_EMAIL"]}"' in text
    assert "Défenseur des droits" in text and "Libre réponse 71120" in text


def test_the_public_form_and_staff_pages_link_to_the_three_pages_in_their_footer(client, auth):
    public = footer(page_text(client.get("/recrutement")))
    for link in FOOTER_LINKS:
        assert link in public
    auth.login(f.UserFactory())
    staff = footer(page_text(client.get("/accueil")))
    for link in FOOTER_LINKS:
        assert link in staff
    for path in PAGES:  # a signed-in agent reads them too
        assert client.get(path).status_code == 200


def test_operator_identity_comes_from_the_environment_with_neutral_defaults(tmp_path, monkeypatch):
    for name in [*OPERATOR, "CRM_RETENTION_MONTHS"]:
        monkeypatch.delenv(name, raising=False)
    config = default_config(str(tmp_path))
    assert config["CRM_OPERATOR_NAME"] == "Réseau pour l'emploi de Bourgogne-Franche-Comté"
    assert config["CRM_DPO_EMAIL"] == "dpo@crm-emploi-bfc.fr"
    assert config["CRM_HOST_NAME"] is None and config["CRM_RETENTION_MONTHS"] == 24
    for name, value in OPERATOR.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CRM_RETENTION_MONTHS", "36")
    config = default_config(str(tmp_path))
    assert {name: config[name] for name in OPERATOR} == OPERATOR
    assert config["CRM_RETENTION_MONTHS"] == 36
