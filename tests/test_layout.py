"""The shared layout: DSFR assets, branding, skip links, navigation by role, user menu, alerts,
login form and error pages."""

import html
from pathlib import Path

import pytest

from crm import models as m
from crm.blueprints.errors import render_error
from tests import factories as f
from tests.helpers import page_text

DSFR = Path(__file__).resolve().parent.parent / "crm" / "static" / "dsfr"


def nav_links(text: str) -> list[str]:
    """Labels of the main menu, in order."""
    menu = text.split('aria-label="Menu principal"')[1].split("</nav>")[0]
    links = menu.split('class="fr-nav__link"')[1:]
    return [link.split(">", 1)[1].split("</a>")[0] for link in links]


def test_pages_are_french_with_titles_naming_the_service(client):
    text = page_text(client.get("/connexion"))
    assert '<html lang="fr">' in text
    assert "<title>Connexion – CRM emploi BFC</title>" in text
    assert "Prospection des employeurs – réseau pour l'emploi de Bourgogne-Franche-Comté" in text


def test_the_vendored_dsfr_is_served_and_stays_small(client):
    assert (DSFR / "VERSION").read_text().strip()
    assert (DSFR / "LICENSE.md").exists()
    assert sum(p.stat().st_size for p in DSFR.rglob("*") if p.is_file()) < 2 * 1024 * 1024
    text = page_text(client.get("/connexion"))
    for asset in ("dsfr/dsfr.min.css", "dsfr/icons.min.css", "css/app.css"):
        assert f'href="/static/{asset}"' in text
        assert client.get(f"/static/{asset}").status_code == 200
    assert client.get("/static/dsfr/fonts/Marianne-Regular.woff2").status_code == 200


def test_every_icon_and_font_the_css_needs_is_vendored():
    for css in ("dsfr.min.css", "icons.min.css"):
        source = (DSFR / css).read_text()
        for chunk in source.split("url(")[1:]:
            target = chunk.split(")")[0].strip("'\"")
            if target.startswith("data:") or target.endswith(".woff"):
                continue
            if "Spectral" not in target:
                assert (DSFR / target).exists(), target


def test_skip_links_lead_to_the_content_and_the_menu(auth, client):
    text = page_text(client.get("/connexion"))
    assert '<a class="fr-link" href="#contenu">Aller au contenu</a>' in text
    assert '<main id="contenu"' in text
    auth.login(f.UserFactory())
    text = page_text(client.get("/accueil"))
    assert '<a class="fr-link" href="#menu-principal">Aller au menu</a>' in text
    assert 'id="menu-principal"' in text


def test_the_state_brand_block_appears_only_when_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_STATE_BRANDING", False)
    neutral = page_text(client.get("/connexion"))
    assert "fr-logo" not in neutral and "République" not in neutral
    assert "CRM emploi BFC" in neutral
    monkeypatch.setitem(app.config, "CRM_STATE_BRANDING", True)
    branded = page_text(client.get("/connexion"))
    assert '<p class="fr-logo">République<br>française</p>' in branded


STAFF_MENU = ["Accueil", "Ma journée", "Entreprises", "Demandes", "Visites", "POE", "Événements", "Plans",
              "Territoires"]


@pytest.mark.parametrize("role, expected", [
    (m.Role.ADMIN, [*STAFF_MENU, "Repérage", "Pilotage", "Administration"]),
    (m.Role.MANAGER, [*STAFF_MENU, "Repérage", "Pilotage"]),
    (m.Role.ADVISER, STAFF_MENU),
    (m.Role.PARTNER, ["Accueil", "Signaler un besoin", "Mes signalements", "Entreprises à vérifier",
                      "Plans", "Entreprises"]),
])
def test_the_menu_depends_on_the_role(auth, client, role, expected):
    auth.login(f.UserFactory(role=role))
    assert nav_links(page_text(client.get("/accueil"))) == expected


def test_the_current_menu_item_is_marked(auth, client):
    auth.login(f.UserFactory(role=m.Role.MANAGER))
    text = page_text(client.get("/demandes/en-retard"))
    assert '<a class="fr-nav__link" href="/demandes" aria-current="true">' in text
    assert '<a class="fr-nav__link" href="/accueil">' in text
    submenu = text.split('aria-label="Menu des demandes"')[1].split("</nav>")[0]
    assert 'href="/demandes/en-retard" aria-current="page">En retard</a>' in submenu
    assert 'href="/demandes">Mes demandes</a>' in submenu


def test_the_administration_section_has_its_own_menu(auth, client):
    admin = f.UserFactory(role=m.Role.ADMIN)
    auth.login(admin)
    text = page_text(client.get(f"/admin/utilisateurs/{admin.id}/modifier"))
    administration = '<a class="fr-nav__link" href="/admin/organisations" aria-current="true">'
    assert administration in text
    submenu = text.split('aria-label="Menu d\'administration"')[1].split("</nav>")[0]
    labels = [part.split(">", 1)[1].split("<")[0] for part in submenu.split("<a ")[1:]]
    assert labels == ["Organisations", "Utilisateurs", "Orientation", "Pression de contact",
                      "Satisfaction des employeurs", "Événements",
                      "Territoires pilotes RSA", "Import SIRENE", "Données de référence",
                      "Paramètres POE et FRAP", "Données personnelles", "Journal de sécurité", "Messages"]
    assert 'href="/admin/utilisateurs" aria-current="true"' in submenu
    assert "Menu d'administration" not in page_text(client.get("/accueil"))


def test_the_user_menu_names_the_user_and_logs_out_with_a_post(auth, client):
    user = f.UserFactory(name="Inès Morel", organisation=f.OrganisationFactory(name="OPCO 2i"))
    auth.login(user)
    text = page_text(client.get("/accueil"))
    assert "Inès Morel" in text and "OPCO 2i" in text
    logout = text.split('action="/deconnexion"')[1].split("</form>")[0]
    assert 'name="csrf_token"' in logout and "Se déconnecter" in logout
    assert 'method="post"' in text.split('action="/deconnexion"')[0][-80:]


def test_flash_messages_are_dsfr_alerts(auth, client):
    auth.login(f.UserFactory(name="Jules Henry"))
    text = page_text(client.get("/accueil"))
    assert 'class="fr-alert fr-alert--success fr-alert--sm fr-mb-2w"' in text
    assert "Bienvenue, Jules Henry." in text


def test_login_errors_are_shown_next_to_their_field(client):
    response = client.post("/connexion", data={"email": "pas-une-adresse", "password": ""})
    text = page_text(response)
    assert response.status_code == 422
    assert 'class="fr-input-group fr-input-group--error" id="email-group"' in text
    assert 'aria-describedby="email-messages"' in text and 'aria-invalid="true"' in text
    assert "Saisissez une adresse électronique valide" in text
    assert "Saisissez votre mot de passe." in text


def test_wrong_credentials_are_announced_as_an_error_alert(client):
    f.UserFactory(email="karim@exemple.fr")
    text = page_text(client.post("/connexion", data={"email": "karim@exemple.fr",
                                                     "password": "mauvais-mot-2026"}))
    assert 'fr-alert--error' in text and 'role="alert"' in text


@pytest.mark.parametrize("role, welcome", [
    (m.Role.ADMIN, "Vous administrez le CRM"),
    (m.Role.MANAGER, "Suivez les besoins de recrutement de votre organisation"),
    (m.Role.ADVISER, "Retrouvez les besoins de recrutement confiés"),
    (m.Role.PARTNER, "Signalez les besoins de recrutement repérés"),
])
def test_the_home_page_welcomes_each_role(auth, client, role, welcome):
    auth.login(f.UserFactory(role=role, name="Léa Noël"))
    text = page_text(client.get("/accueil"))
    assert "<title>Accueil – CRM emploi BFC</title>" in text
    assert "Bonjour Léa Noël" in text and welcome in text
    assert "Besoins en cours" in text


def test_the_home_figures_link_to_their_pages(auth, client):
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    text = page_text(client.get("/accueil"))
    assert '<a href="/admin/organisations">Organisations</a>' in text
    assert '<a href="/admin/utilisateurs">Comptes</a>' in text
    assert '<a href="/demandes">Besoins en cours</a>' in text
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    assert '<a href="/signalements">Besoins au total</a>' in page_text(client.get("/accueil"))


def test_partners_see_no_company_or_account_figures(auth, client):
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    main = page_text(client.get("/accueil")).split('id="contenu"')[1]
    assert "établissements connus du réseau" not in main and "Comptes" not in main


def test_a_missing_page_has_a_french_error_page(client):
    response = client.get("/nulle-part")
    text = page_text(response)
    assert response.status_code == 404
    assert "<title>Page non trouvée – CRM emploi BFC</title>" in text
    assert "Erreur 404" in text and "Page introuvable." in text
    assert '<a class="fr-btn" href="/">Page d\'accueil</a>' in text


def test_a_forbidden_page_explains_itself_in_french(auth, client):
    auth.login(f.UserFactory(role=m.Role.ADVISER))
    text = page_text(client.get("/admin/utilisateurs"))
    assert "<h1>Accès refusé</h1>" in text and "Erreur 403" in text
    assert "contactez l'administrateur" in text


def test_pages_work_without_javascript(auth, client):
    auth.login(f.UserFactory(role=m.Role.ADMIN))
    text = page_text(client.get("/admin/utilisateurs"))
    assert '<script type="module"' in text  # an enhancement only: no inline script, no onclick
    assert "onclick" not in text and "<script>" not in text
    assert '<form method="get" class="crm-filters"' in text


def test_too_many_requests_get_a_french_429_page(app):
    with app.test_request_context("/connexion"):
        body, status = render_error(429, "Trop de tentatives de connexion.")
    assert status == 429
    assert "<h1>Trop de requêtes</h1>" in html.unescape(body)
    assert "Patientez une minute avant de réessayer." in html.unescape(body)


def test_an_expired_form_gets_a_french_400_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x"})
    assert response.status_code == 400
    text = page_text(response)
    assert "<h1>Requête invalide</h1>" in text and "Le formulaire a expiré" in text


def test_anonymous_visitors_are_offered_the_employer_request_form(client):
    assert nav_links(page_text(client.get("/connexion"))) == ["Déposer une demande de recrutement",
                                                             "Événements emploi"]


def test_every_icon_used_is_vendored():
    """Each fr-icon-* class of the templates, scripts and code has its rule in the vendored DSFR
    (scripts/vendor-dsfr.sh vendors exactly those): a missing one shows as an empty square."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "crm"
    static = root / "static" / "dsfr"
    styles = (static / "dsfr.min.css").read_text() + (static / "icons.min.css").read_text()
    sources = [path for pattern in ("*.html", "*.js", "*.py") for path in root.rglob(pattern)
               if "dsfr" not in path.parts and "vendor" not in path.parts]
    used = {name for path in sources
            for name in re.findall(r"fr-icon-([a-z0-9][a-z0-9-]*)", path.read_text())}
    assert sorted(name for name in used if f".fr-icon-{name}:" not in styles) == []
