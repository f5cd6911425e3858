"""Likely duplicate companies: each kind of pair, dismissed pairs, and the pages that list them."""

import sqlalchemy as sa

from crm import broker
from crm import models as m
from crm.extensions import db
from crm.services.companies import duplicates
from crm.services.companies import merge as merging
from crm.services.platform.identifiers import build_siret
from crm.services.territory import map_layers
from jobs import derived
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text


def sibling(company: m.Company, nic: str, **fields) -> m.Company:
    """Another establishment of the same SIREN."""
    return f.CompanyFactory(siren=company.siren, siret=build_siret(company.siren, nic), **fields)


def pairs_of(company: m.Company | None = None) -> set[tuple[int, int, str]]:
    return {(pair.keep_id, pair.absorb_id, pair.reason) for pair in duplicates.find_pairs(company)}


def test_name_similarity():
    assert duplicates.similar_names("Boulangerie Martin", "BOULANGERIE MARTIN")
    assert duplicates.similar_names("Boulangerie Martin", "Boulangerie Martin SARL")
    assert duplicates.similar_names("Menuiserie Dupont", "Menuiserie Dupond")
    assert duplicates.similar_names("Hôtel du Parc", "hotel du parc")
    assert not duplicates.similar_names("Garage Martin", "Pharmacie du Centre")
    assert not duplicates.similar_names("SA", "SAS Transports")  # too short to count as contained


def test_address_normalisation():
    assert duplicates.normalise_address("12, Bd de la Paix") == "12 boulevard de la paix"
    assert duplicates.normalise_address("12 BOULEVARD DE LA PAIX") == "12 boulevard de la paix"
    assert duplicates.normalise_address(None) == ""


def test_same_siren_with_a_similar_name_and_a_closed_establishment():
    closed = f.CompanyFactory(name="Boulangerie Martin", address="1 rue Haute", active=False)
    moved = sibling(closed, "0002", name="Boulangerie Martin SARL", address="8 rue Basse")
    assert pairs_of() == {(moved.id, closed.id, duplicates.CLOSED_SAME_SIREN)}  # the open one is kept


def test_open_verified_establishments_of_one_siren_at_different_addresses_are_distinct():
    first = f.CompanyFactory(name="Commune de Dijon", address="Place de la Libération")
    sibling(first, "0002", name="Commune de Dijon", address="2 rue des Écoles")
    sibling(first, "0003", name="Commune de Dijon", address="Avenue du Lac", commune_code="25056",
            postal_code="25000")
    assert pairs_of() == set()


def test_same_siren_at_the_same_address_whatever_the_names():
    first = f.CompanyFactory(name="SARL Dubois", address="4 BD CARNOT", postal_code="21000")
    second = sibling(first, "0002", name="Le Fournil", address="4 bd Carnot", postal_code="21000")
    typed = sibling(first, "0099", name="Boulangerie", address="4, Boulevard Carnot", postal_code="21000",
                    verified=False)
    assert pairs_of() == {(first.id, second.id, duplicates.SAME_SIREN_ADDRESS),
                          (first.id, typed.id, duplicates.SAME_SIREN_ADDRESS),
                          (second.id, typed.id, duplicates.SAME_SIREN_ADDRESS)}


def test_same_siren_with_different_names_and_addresses_is_not_a_pair():
    first = f.CompanyFactory(name="Garage Martin", address="1 rue Haute")
    sibling(first, "0002", name="Station Lavage Express", address="9 route de Lyon")
    assert pairs_of() == set()


def test_unverified_company_with_the_same_siren_and_a_close_name_elsewhere():
    verified = f.CompanyFactory(name="Menuiserie Dupont", commune_code="21231", postal_code="21000")
    typed = sibling(verified, "0099", name="menuiserie dupond", verified=False, commune_code="25056",
                    postal_code="25000")
    assert pairs_of() == {(verified.id, typed.id, duplicates.UNVERIFIED_SAME_SIREN)}


def test_unverified_company_with_the_same_name_in_the_same_commune():
    typed = f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc", verified=False)
    verified = f.CompanyFactory(name="HOTEL DU PARC", search_name="hotel du parc")
    f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc", verified=True,
                     commune_code="25056", postal_code="25000")  # another commune
    assert pairs_of() == {(verified.id, typed.id, duplicates.UNVERIFIED_SAME_COMMUNE)}


def test_two_verified_firms_with_the_same_name_and_different_sirens_are_not_paired():
    f.CompanyFactory(name="Pharmacie du Centre")
    f.CompanyFactory(name="Pharmacie du Centre")
    assert pairs_of() == set()


def test_one_company_pairs_only():
    first = f.CompanyFactory(name="Boulangerie Martin")
    second = sibling(first, "0002", name="Boulangerie Martin", verified=False)
    other = f.CompanyFactory(name="Garage Petit", search_name="garage petit")
    sibling(other, "0002", name="Garage Petit", search_name="garage petit", verified=False)
    assert pairs_of(second) == {(first.id, second.id, duplicates.UNVERIFIED_SAME_SIREN)}
    assert pairs_of(first) == pairs_of(second)
    assert len(pairs_of()) == 2


def test_dismissed_pairs_are_left_out(adviser, signed_in):
    first = f.CompanyFactory(name="Boulangerie Martin", address="4 rue Haute")
    second = sibling(first, "0002", name="Boulangerie Martin", address="4 rue Haute")
    typed = f.CompanyFactory(name="Boulangerie Martin", verified=False)
    assert (first.id, second.id, duplicates.SAME_SIREN_ADDRESS) in pairs_of()

    assert duplicates.dismiss(second, first, adviser)
    assert not duplicates.dismiss(first, second, adviser)  # already recorded

    row = db.session.scalars(sa.select(m.DuplicateDismissal)).one()
    assert (row.company_id, row.other_id, row.dismissed_by_id) == (first.id, second.id, adviser.id)
    assert pairs_of() == {(first.id, typed.id, duplicates.UNVERIFIED_SAME_COMMUNE),
                          (second.id, typed.id, duplicates.UNVERIFIED_SAME_COMMUNE)}
    duplicates.dismiss(typed, first, adviser)
    assert pairs_of(first) == set()


def test_newest_pairs_come_first():
    old = f.CompanyFactory(name="Garage Petit")
    old_twin = sibling(old, "0002", name="Garage Petit", verified=False)
    new = f.CompanyFactory(name="Boulangerie Martin")
    new_twin = sibling(new, "0002", name="Boulangerie Martin", verified=False)
    assert [pair.absorb_id for pair in duplicates.find_pairs()] == [new_twin.id, old_twin.id]


def test_the_list_shows_both_identities_side_by_side(client, adviser, signed_in):
    verified = f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc", address="3 place Wilson")
    typed = f.CompanyFactory(name="Hotel du parc", search_name="hotel du parc", verified=False)

    text = page_text(client.get("/entreprises/doublons"))

    assert "1 paire" in text
    assert "Hôtel du Parc" in text and "Hotel du parc" in text
    assert verified.siret in text and typed.siret in text and "3 place Wilson" in text
    assert "Entreprise non vérifiée, même nom dans la même commune" in text
    assert "Ce n'est pas un doublon" in text
    assert "/entreprises/doublons/fusion" not in text  # advisers do not merge


def test_supervisors_get_the_merge_link(client, manager):
    first = f.CompanyFactory(name="Boulangerie Martin")
    second = sibling(first, "0002", name="Boulangerie Martin", verified=False)
    text = page_text(client.get("/entreprises/doublons"))
    assert f"/entreprises/doublons/fusion?garder={first.id}&fusionner={second.id}" in text


def test_empty_list(client, adviser, signed_in):
    assert "Aucun doublon probable." in page_text(client.get("/entreprises/doublons"))


def test_one_firm_duplicates_page(client, adviser, signed_in):
    first = f.CompanyFactory(name="Boulangerie Martin")
    second = sibling(first, "0002", name="Boulangerie Martin", verified=False)
    f.CompanyFactory(name="Garage Petit", verified=False)
    lonely = f.CompanyFactory(name="Pharmacie du Lac")

    text = page_text(client.get(f"/entreprises/{second.id}/doublons"))
    assert "Doublons probables de « Boulangerie Martin »" in text
    assert first.siret in text and "Garage Petit" not in text

    lonely_page = client.get(f"/entreprises/{lonely.id}/doublons")
    assert "Aucun doublon probable pour cette entreprise." in page_text(lonely_page)
    assert client.get("/entreprises/999999/doublons").status_code == 404


def test_dismissing_from_the_pages(client, adviser, signed_in):
    first = f.CompanyFactory(name="Boulangerie Martin")
    second = sibling(first, "0002", name="Boulangerie Martin", verified=False)

    response = client.post(f"/entreprises/{second.id}/doublons/{first.id}/ecarter",
                           data={"back": "company"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/entreprises/{second.id}/doublons")
    assert pairs_of() == set()
    event = db.session.scalars(sa.select(m.AuditEvent).where(
        m.AuditEvent.action == "duplicate_dismissed")).one()
    assert (event.actor_id, event.object_id, event.changes["other_id"]) == (
        adviser.id, str(first.id), second.id)
    followed = client.get(response.headers["Location"])
    assert "ne seront plus proposées comme doublons" in page_text(followed)
    back_to_list = client.post(f"/entreprises/{first.id}/doublons/{second.id}/ecarter")
    assert back_to_list.headers["Location"].endswith("/entreprises/doublons")
    assert client.post(f"/entreprises/{first.id}/doublons/{first.id}/ecarter").status_code == 400
    assert client.post(f"/entreprises/{first.id}/doublons/999999/ecarter").status_code == 404


def test_partners_and_visitors_are_kept_out(client, auth):
    company = f.CompanyFactory()
    assert client.get("/entreprises/doublons").status_code == 302  # to the sign-in page
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    assert client.get("/entreprises/doublons").status_code == 403
    assert client.get(f"/entreprises/{company.id}/doublons").status_code == 403
    other = f.CompanyFactory()
    assert client.post(f"/entreprises/{company.id}/doublons/{other.id}/ecarter").status_code == 403


def test_list_query_count_does_not_grow_with_pairs(client, manager):
    def add_pairs(count: int) -> None:
        for _ in range(count):
            first = f.CompanyFactory(name="Boulangerie Martin", referent=manager)
            sibling(first, "0002", name="Boulangerie Martin", referent=manager, active=False)
            f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc", verified=False)

    assert_constant_queries(client, "/entreprises/doublons", add_pairs)


def stored_pairs() -> set[tuple[int, int, str]]:
    return {(pair.keep_id, pair.absorb_id, pair.reason)
            for pair in db.session.scalars(sa.select(m.DuplicateCandidate))}


def test_the_page_lists_the_pairs_the_job_stored_and_says_when(client, adviser, signed_in, run_jobs):
    verified = f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc")
    typed = f.CompanyFactory(name="Hotel du parc", search_name="hotel du parc", verified=False)
    db.session.commit()
    broker.enqueue("default", derived.refresh_duplicate_pairs)
    run_jobs()

    assert stored_pairs() == pairs_of() == {(verified.id, typed.id, duplicates.UNVERIFIED_SAME_COMMUNE)}
    f.CompanyFactory(name="Hotel du Parc SARL", search_name="hotel du parc", verified=False)
    text = page_text(client.get("/entreprises/doublons"))
    assert "1 paire" in text  # the firm typed since waits for the next search
    assert "Paires recherchées le 10/06/2026 à 10:00" in text


def test_merging_and_dismissing_keep_the_stored_pairs_right(manager):
    first = f.CompanyFactory(name="Boulangerie Martin")
    second = sibling(first, "0002", name="Boulangerie Martin", verified=False)
    third = sibling(first, "0003", name="Boulangerie Martin SARL", verified=False)
    duplicates.refresh_pairs()
    assert len(stored_pairs()) == 3

    merging.merge(first, second, {}, manager)
    assert stored_pairs() == pairs_of() == {(first.id, third.id, duplicates.UNVERIFIED_SAME_SIREN)}

    duplicates.dismiss(first, third, manager)
    assert stored_pairs() == pairs_of() == set()


def test_the_pairs_are_searched_again_after_an_import(app, run_jobs):
    f.CompanyFactory(name="Hôtel du Parc", search_name="hotel du parc")
    f.CompanyFactory(name="Hotel du parc", search_name="hotel du parc", verified=False)
    db.session.commit()
    derived.refresh_after_import()
    run_jobs()
    assert len(stored_pairs()) == 1
    assert db.session.get(m.TableRefresh, duplicates.PAIRS) is not None
    assert db.session.get(m.TableRefresh, map_layers.AREA_COUNTS) is not None
