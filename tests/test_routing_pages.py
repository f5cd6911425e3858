"""The routing rules as an administrator manages them, and the simulator that shows which rule,
organisation and adviser a sample need would get without storing anything."""


import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.platform.identifiers import build_siren, build_siret
from crm.services.routing import engine as routing
from tests import factories as f
from tests.helpers import basin, count_queries, department, page_text

RULES_URL = "/admin/orientation"
SIMULATOR_URL = "/admin/orientation/simulateur"
DEFAULT_ORDER = ["Handicap", "Jeunes", "Cadres", "Insertion", "RSA – territoires pilotes",
                 "Par défaut"]
DEFAULT_TARGETS = {
    "disability": ("Handicap", 1, m.OrganisationKind.CAP_EMPLOI),
    "youth": ("Jeunes", 2, m.OrganisationKind.MISSION_LOCALE),
    "executive": ("Cadres", 3, m.OrganisationKind.APEC),
    "inclusion": ("Insertion", 4, m.OrganisationKind.IAE),
    None: ("Par défaut", 6, m.OrganisationKind.FRANCE_TRAVAIL),
}


def rule(name: str) -> m.RoutingRule:
    return db.session.scalar(sa.select(m.RoutingRule).where(m.RoutingRule.name == name))


def rule_names() -> list[str]:
    return list(db.session.scalars(sa.select(m.RoutingRule.name).order_by(m.RoutingRule.position)))


def positions() -> list[int]:
    return list(db.session.scalars(sa.select(m.RoutingRule.position)
                                   .order_by(m.RoutingRule.position)))


def audit_actions(rule_id: int) -> list[str]:
    query = (sa.select(m.AuditEvent.action)
             .where(m.AuditEvent.object_type == "RoutingRule",
                    m.AuditEvent.object_id == str(rule_id))
             .order_by(m.AuditEvent.id))
    return list(db.session.scalars(query))


UNKNOWN_SIRET = build_siret(build_siren("99999990"), "0001")
RULE_FORM = {"name": "OPCO et formation", "services": ["poe"], "target_kind": "opco",
             "reason": "Le besoin demande une formation avant embauche : l'OPCO en est le pilote.",
             "active": "y"}


# Access


PAGES = [RULES_URL, f"{RULES_URL}/nouvelle", SIMULATOR_URL]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("role", [m.Role.MANAGER, m.Role.ADVISER, m.Role.PARTNER])
def test_only_admins_manage_the_rules(auth, client, role):
    auth.login(f.UserFactory(role=role))
    youth = rule("Jeunes")
    for url in [*PAGES, f"{RULES_URL}/{youth.id}/modifier"]:
        assert client.get(url).status_code == 403
    for action in ("monter", "desactiver"):
        assert client.post(f"{RULES_URL}/{youth.id}/{action}").status_code == 403
    assert client.post(f"{RULES_URL}/nouvelle", data=RULE_FORM).status_code == 403
    assert rule_names() == DEFAULT_ORDER and rule("Jeunes").active


# The list


def test_the_list_shows_the_rules_in_order_with_their_conditions_in_french(client, admin):
    text = page_text(client.get(RULES_URL))
    assert [text.index(name) for name in DEFAULT_ORDER] == sorted(
        text.index(name) for name in DEFAULT_ORDER)
    assert "Public : Personnes en situation de handicap" in text
    assert "Toutes les demandes" in text
    assert "Structure d'insertion (IAE, GEIQ)" in text and "Mission locale" in text
    assert "La dernière règle active devrait s'appliquer" in text
    assert "Aucune règle active ne couvre toutes les demandes" not in text


def test_a_warning_shows_when_no_active_rule_matches_everything(client, admin):
    default = rule("Par défaut")
    response = client.post(f"{RULES_URL}/{default.id}/desactiver", follow_redirects=True)
    text = page_text(response)
    assert "La règle « Par défaut » est désactivée." in text
    assert "Aucune règle active ne couvre toutes les demandes" in text
    assert routing.first_matching_rule({"publics": []}) is None


def test_rules_after_a_rule_matching_everything_are_marked_as_never_applied(client, admin):
    f.RoutingRuleFactory(name="Trop tard", publics=["youth"], position=99)
    text = page_text(client.get(RULES_URL))
    assert "Jamais appliquée" in text


def test_the_list_runs_as_many_queries_with_3_rules_as_with_30(client, admin):
    def queries() -> int:
        client.get(RULES_URL)
        with count_queries() as statements:
            assert client.get(RULES_URL).status_code == 200
        return len(statements)

    db.session.execute(sa.delete(m.RoutingRule))
    db.session.commit()
    f.RoutingRuleFactory.create_batch(3, publics=["youth"], services=["poe"])
    few = queries()
    f.RoutingRuleFactory.create_batch(27, publics=["executive"])
    assert queries() == few


# Creating and editing


def test_an_admin_creates_a_rule_that_fires_before_the_default_one(client, admin):
    response = client.post(f"{RULES_URL}/nouvelle", data=RULE_FORM, follow_redirects=True)
    assert "La règle « OPCO et formation » est créée." in page_text(response)
    created = rule("OPCO et formation")
    assert (created.services, created.publics) == (["poe"], [])
    assert created.target_kind == m.OrganisationKind.OPCO and created.active
    assert rule_names() == [*DEFAULT_ORDER[:-1], "OPCO et formation", "Par défaut"]
    assert positions() == [1, 2, 3, 4, 5, 6, 7]
    assert routing.first_matching_rule({"services": ["poe"]}) == created
    assert audit_actions(created.id) == ["create"]
    event = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "create"))
    assert event.actor_id == admin.id and event.changes["name"] == [None, "OPCO et formation"]


def test_an_admin_edits_a_rule_and_the_change_is_audited(client, admin):
    youth = rule("Jeunes")
    data = {"name": "Jeunes et alternance", "publics": ["youth"], "services": ["immersion"],
            "target_kind": "mission_locale", "reason": "Jeunes : la Mission locale pilote.",
            "active": "y"}
    response = client.post(f"{RULES_URL}/{youth.id}/modifier", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert youth.name == "Jeunes et alternance" and youth.services == ["immersion"]
    assert youth.position == 2
    event = db.session.scalar(sa.select(m.AuditEvent).where(m.AuditEvent.action == "update"))
    assert event.changes["name"] == ["Jeunes", "Jeunes et alternance"]
    assert event.changes["services"] == [[], ["immersion"]]
    assert "target_kind" not in event.changes


def test_unchecking_every_condition_makes_a_rule_match_every_need(client, admin):
    cadres = rule("Cadres")
    data = {"name": "Cadres", "target_kind": "apec", "reason": "L'APEC pilote tout.",
            "active": "y"}
    client.post(f"{RULES_URL}/{cadres.id}/modifier", data=data)
    assert routing.first_matching_rule({"publics": ["inclusion"]}).name == "Cadres"
    text = page_text(client.get(RULES_URL))
    assert text.count("Jamais appliquée") == 3  # Insertion, RSA, Par défaut


def test_the_edit_form_shows_the_rule_as_stored(client, admin):
    text = page_text(client.get(f"{RULES_URL}/{rule('Handicap').id}/modifier"))
    assert 'value="Handicap"' in text
    assert 'value="disability" checked' in text
    assert '<option selected value="cap_emploi">' in text


def test_a_duplicate_name_is_refused_in_french_and_nothing_is_stored(client, admin):
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(m.AuditEvent))  # the sign-in
    response = client.post(f"{RULES_URL}/nouvelle", data={**RULE_FORM, "name": "jeunes"})
    assert response.status_code == 422
    assert "Une règle nommée « Jeunes » existe déjà" in page_text(response)
    assert rule_names() == DEFAULT_ORDER
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.AuditEvent)) == audited


def test_renaming_a_rule_to_another_rules_name_is_refused(client, admin):
    cadres = rule("Cadres")
    response = client.post(f"{RULES_URL}/{cadres.id}/modifier",
                           data={**RULE_FORM, "name": "Handicap"})
    assert response.status_code == 422 and "existe déjà" in page_text(response)
    db.session.expire_all()
    assert cadres.name == "Cadres" and cadres.target_kind == m.OrganisationKind.APEC


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Saisissez le nom de la règle."),
    ({"reason": ""}, "Saisissez la phrase montrée aux conseillers."),
    ({"reason": "x" * 256}, "255"),
])
def test_name_and_reason_are_required_and_the_reason_is_short(client, admin, changes, message):
    response = client.post(f"{RULES_URL}/nouvelle", data={**RULE_FORM, **changes})
    assert response.status_code == 422 and message in page_text(response)
    assert rule_names() == DEFAULT_ORDER


# Reordering and disabling


def test_moving_a_rule_up_keeps_positions_contiguous_and_changes_which_fires(client, admin):
    assert routing.first_matching_rule({"publics": ["youth", "disability"]}).name == "Handicap"
    youth = rule("Jeunes")
    response = client.post(f"{RULES_URL}/{youth.id}/monter", follow_redirects=True)
    assert "La règle « Jeunes » est maintenant en position 1." in page_text(response)
    db.session.expire_all()
    assert rule_names() == ["Jeunes", "Handicap", "Cadres", "Insertion",
                            "RSA – territoires pilotes", "Par défaut"]
    assert positions() == [1, 2, 3, 4, 5, 6]
    assert routing.first_matching_rule({"publics": ["youth", "disability"]}).name == "Jeunes"
    assert audit_actions(youth.id) == ["move"]


def test_moving_down_and_past_the_ends(client, admin):
    response = client.post(f"{RULES_URL}/{rule('Handicap').id}/monter", follow_redirects=True)
    assert "La règle « Handicap » est déjà en première position." in page_text(response)
    response = client.post(f"{RULES_URL}/{rule('Par défaut').id}/descendre",
                           follow_redirects=True)
    assert "La règle « Par défaut » est déjà en dernière position." in page_text(response)
    client.post(f"{RULES_URL}/{rule('Handicap').id}/descendre")
    db.session.expire_all()
    assert rule_names()[:2] == ["Jeunes", "Handicap"]
    client.post(f"{RULES_URL}/{rule('Handicap').id}/monter")
    db.session.expire_all()
    assert rule_names() == DEFAULT_ORDER and positions() == [1, 2, 3, 4, 5, 6]


def test_gaps_in_positions_are_closed_by_a_move(client, admin):
    extra = f.RoutingRuleFactory(name="Extra", publics=["youth"], position=40)
    client.post(f"{RULES_URL}/{extra.id}/monter")
    db.session.expire_all()
    assert rule_names() == [*DEFAULT_ORDER[:-1], "Extra", "Par défaut"]
    assert positions() == [1, 2, 3, 4, 5, 6, 7]


def test_a_disabled_rule_no_longer_fires_and_can_be_enabled_again(client, admin):
    disability = rule("Handicap")
    client.post(f"{RULES_URL}/{disability.id}/desactiver")
    assert routing.first_matching_rule({"publics": ["disability"]}).name == "Par défaut"
    assert "Désactivée" in page_text(client.get(RULES_URL))
    client.post(f"{RULES_URL}/{disability.id}/reactiver")
    assert routing.first_matching_rule({"publics": ["disability"]}).name == "Handicap"
    assert audit_actions(disability.id) == ["deactivate", "activate"]


def test_actions_need_the_csrf_token(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    youth = rule("Jeunes")
    assert client.post(f"{RULES_URL}/{youth.id}/monter").status_code == 400
    assert client.post(f"{RULES_URL}/{youth.id}/desactiver").status_code == 400
    assert 'name="csrf_token"' in page_text(client.get(RULES_URL))
    db.session.expire_all()
    assert youth.position == 2 and youth.active


# The simulator


def simulate(client, **params):
    response = client.get(SIMULATOR_URL, query_string=params)
    assert response.status_code == 200
    return page_text(response)


def test_the_simulator_form_works_without_input(client, admin):
    text = simulate(client)
    assert "Simulateur d'orientation" in text and "Résultat" not in text


@pytest.mark.parametrize("public", DEFAULT_TARGETS)
def test_each_default_rule_leads_to_the_basin_organisation_and_least_loaded_adviser(
        client, admin, public):
    name, position, kind = DEFAULT_TARGETS[public]
    organisation = f.OrganisationFactory(name="Structure du bassin de Dijon", kind=kind,
                                         basins=[basin("2711")])
    busy, free = f.adviser_in(organisation, "2711", name="Bruno Occupé"), f.adviser_in(
        organisation, "2711", name="Flore Disponible")
    f.HiringNeedFactory.create_batch(2, adviser=busy, organisation=organisation)
    f.HiringNeedFactory(adviser=free, organisation=organisation)
    text = simulate(client, place="21000", publics=[public] if public else [])
    assert f"« {name} », position {position}" in text
    assert "Structure du bassin de Dijon — niveau : Bassin d'emploi" in text
    assert "Flore Disponible, conseiller du bassin le moins chargé (1 demande en cours)" in text
    assert f"Règle « {name} » : Structure du bassin de Dijon, qui couvre le bassin" in text
    assert "Dijon (21231)" in text


def test_the_company_referent_is_chosen_when_the_siret_is_known(client, admin):
    agency = f.OrganisationFactory(name="France Travail Dijon", basins=[basin("2711")])
    f.adviser_in(agency, "2711", name="Léa Bassin")
    referent = f.adviser_in(agency, name="Rémi Référent")
    company = f.CompanyFactory(name="Boulangerie Test", referent=referent)
    text = simulate(client, siret=company.siret)
    assert "Boulangerie Test (SIRET" in text
    assert "Rémi Référent, référent de l'entreprise (0 demande en cours)" in text
    assert "Dijon" in text


def test_an_unknown_siret_is_simulated_without_a_referent(client, admin):
    f.OrganisationFactory(name="France Travail Dijon", basins=[basin("2711")])
    text = simulate(client, siret=UNKNOWN_SIRET, place="21231")
    assert "SIRET inconnu du CRM" in text
    assert "France Travail Dijon — niveau : Bassin d'emploi" in text


@pytest.mark.parametrize("coverage, level", [
    ({"departments": ["21"]}, "Département"),
    ({}, "Région"),
])
def test_the_simulator_falls_back_to_the_departement_then_the_region(client, admin, coverage,
                                                                      level):
    f.OrganisationFactory(name="Mission locale de repli", kind=m.OrganisationKind.MISSION_LOCALE,
                          departments=[department(c) for c in coverage.get("departments", [])])
    f.OrganisationFactory(name="Mission locale de Besançon",
                          kind=m.OrganisationKind.MISSION_LOCALE, basins=[basin("2706")])
    text = simulate(client, place="21000", publics=["youth"])
    assert f"Mission locale de repli — niveau : {level}" in text
    assert "Aucun conseiller disponible" in text


def test_without_an_organisation_the_need_would_wait_in_the_basin_queue(client, admin):
    text = simulate(client, place="21000", publics=["inclusion"])
    assert "« Insertion », position 4" in text
    assert "Aucune (Aucune structure : la demande attendrait dans la file du bassin)" in text
    assert "Aucun : la demande attendrait dans la file du bassin." in text


def test_every_rule_is_listed_with_why_it_did_or_did_not_fire(client, admin):
    rule("Cadres").active = False
    db.session.commit()
    text = simulate(client, place="21000", publics=["executive", "inclusion", "youth"])
    examined = text[text.index("Examen des règles"):]
    verdicts = [line for line in examined.splitlines() if line.strip() in {
        "Conditions non remplies", "Désactivée : ignorée",
        "Conditions remplies, mais une règle précédente s'applique"}]
    assert [v.strip() for v in verdicts] == [
        "Conditions non remplies", "Désactivée : ignorée",
        "Conditions remplies, mais une règle précédente s'applique",
        "Conditions non remplies",  # RSA
        "Conditions remplies, mais une règle précédente s'applique"]
    assert "« Jeunes », position 2" in text


def test_the_simulator_stores_nothing(client, admin):
    agency = f.OrganisationFactory(basins=[basin("2711")])
    f.adviser_in(agency, "2711")
    known = f.CompanyFactory(referent=f.adviser_in(agency))
    tables = [m.Company, m.HiringNeed, m.AuditEvent, m.Interaction, m.OutboxMessage,
              m.NeedStatusChange, m.RoutingRule]

    def counts():
        return [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables]

    before = counts()
    with count_queries() as statements:
        simulate(client, siret=UNKNOWN_SIRET, place="21000", publics=["youth"])
        simulate(client, siret=known.siret, services=["poe"])
    writes = [s for s in statements
              if s.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == [] and counts() == before


def test_a_postal_code_of_several_communes_asks_which_one(client, admin):
    text = simulate(client, place="21121")
    assert "8 communes correspondent à ce code : choisissez-en une." in text
    assert "Fontaine-lès-Dijon (21278)" in text and "Bussy-la-Pesle (21121)" in text
    assert "Résultat" not in text
    text = simulate(client, place="21121", commune_code="21278")
    assert "Fontaine-lès-Dijon (21278), bassin Dijon" in text
    assert 'value="21278" selected' in text or '<option selected value="21278">' in text


@pytest.mark.parametrize("params, message", [
    ({"siret": "123"}, "Le SIRET doit comporter 14 chiffres."),
    ({"place": "99999"}, "Aucune commune de Bourgogne-Franche-Comté"),
    ({"publics": ["youth"]}, "Indiquez la commune du lieu de travail"),
])
def test_the_simulator_explains_unusable_input(client, admin, params, message):
    text = simulate(client, **params)
    assert message in text and "Résultat" not in text
