"""The companies search: words of the name, sign or commune in any order, identifiers, postal codes;
names starting with the text first."""

import pytest

from crm.extensions import db
from crm.models import Company
from crm.services.companies.search import search_companies
from crm.services.platform.wording import normalise_name
from tests import factories as f


def names(**query) -> list[str]:
    return [hit.company.name for hit in search_companies(**query).items]


def test_a_name_is_found_by_a_word_in_its_middle_without_accents_or_case():
    f.CompanyFactory(name="Boulangerie Lefèvre et Fils", search_name="boulangerie lefevre et fils")
    f.CompanyFactory(name="Garage du Centre", search_name="garage du centre")
    assert names(q="LEFÈVRE") == ["Boulangerie Lefèvre et Fils"]
    assert names(q="et fils") == ["Boulangerie Lefèvre et Fils"]


def test_the_search_follows_renames_and_deletions():
    company = f.CompanyFactory(name="Menuiserie Roux", search_name="menuiserie roux")
    company.name, company.search_name = "Charpente Roux", "charpente roux"
    db.session.commit()
    assert names(q="penTE") == ["Charpente Roux"]
    assert names(q="uiserie") == []
    db.session.delete(company)
    db.session.commit()
    assert names(q="roux") == []


def test_names_starting_with_the_text_come_first():
    f.CompanyFactory(name="Le Fournil de Dole", search_name="le fournil de dole")
    f.CompanyFactory(name="Dole Transports", search_name="dole transports")
    assert names(q="dole") == ["Dole Transports", "Le Fournil de Dole"]


def test_two_letters_still_search_by_substring():
    f.CompanyFactory(name="Hôtel BK", search_name="hotel bk")
    assert names(q="bk") == ["Hôtel BK"]


def test_quotes_in_the_text_are_searched_as_text():
    f.CompanyFactory(name='Bar "Le Zinc"', search_name='bar "le zinc"')
    assert names(q='"le zinc"') == ['Bar "Le Zinc"']


def test_pages_run_across_names_starting_and_containing_the_text():
    for name in ("dole a", "dole b", "dole c", "a dole", "b dole", "c dole", "d dole"):
        f.CompanyFactory(name=name.title(), search_name=name)
    pages = [search_companies(q="dole", page=page, per_page=5) for page in (1, 2, 3)]
    assert [[hit.company.search_name for hit in p.items] for p in pages] == [
        ["dole a", "dole b", "dole c", "a dole", "b dole"], ["c dole", "d dole"], []]
    assert {p.total for p in pages} == {7}


@pytest.mark.parametrize("dense_above", [1, 5000])
def test_common_and_rare_words_give_the_same_results_with_or_without_a_basin(monkeypatch,
                                                                              dense_above):
    from crm.services.companies import search as company_search

    monkeypatch.setattr(company_search, "DENSE_MATCHES", dense_above)
    f.CompanyFactory(name="Dole Bois", search_name="dole bois")
    f.CompanyFactory(name="Bois de Dole", search_name="bois de dole", basin_code="2712")
    f.CompanyFactory(name="Scierie du Bois", search_name="scierie du bois")
    assert names(q="bois") == ["Bois de Dole", "Dole Bois", "Scierie du Bois"]
    found = search_companies(q="bois", basin="2712")
    assert [hit.company.name for hit in found.items] == ["Bois de Dole"] and found.total == 1


def firm(name: str, **values) -> Company:
    return f.CompanyFactory(name=name, search_name=normalise_name(name), **values)


def test_words_match_the_name_or_the_commune_in_any_order():
    firm("Pharmacie de Dijon")
    firm("Pharmacie de Dijon")
    firm("Pharmacie Centrale")  # in Dijon (the factory's commune)
    firm("Pharmacie du Val", commune_code="21054", basin_code="2704", postal_code="21200")
    firm("Dijon Auto")
    found = ["Pharmacie Centrale", "Pharmacie de Dijon", "Pharmacie de Dijon"]
    assert sorted(names(q="pharmacie dijon")) == found
    assert sorted(names(q="DIJON pharmacie")) == found
    assert names(q="Pharmacie de Dijon") == ["Pharmacie de Dijon", "Pharmacie de Dijon"]
    assert names(q="pharmacie beaune") == ["Pharmacie du Val"]


def test_accents_case_and_punctuation_do_not_matter():
    firm("Épicerie L'Étoile")
    assert names(q="epicerie") == names(q="ÉPICERIE") == ["Épicerie L'Étoile"]
    assert names(q="l'etoile epicerie") == ["Épicerie L'Étoile"]


def test_the_sign_is_searched_too():
    firm("SARL Martin et Fils", sign="Boulangerie du Pont")
    assert names(q="boulangerie pont") == ["SARL Martin et Fils"]


def test_identifiers_with_or_without_spaces_and_postal_codes():
    wanted = firm("Menuiserie Roux", postal_code="25000", commune_code="25056", basin_code="2706")
    firm("Garage du Centre")
    siret, siren = wanted.siret, wanted.siren
    spaced = f"{siren[:3]} {siren[3:6]} {siren[6:]} {siret[9:]}"
    assert names(q=siret) == names(q=spaced) == names(q=siren) == ["Menuiserie Roux"]
    assert names(q=f"{siren[:3]} {siren[3:]}") == names(q="25 000") == ["Menuiserie Roux"]
    assert names(q="25056") == ["Menuiserie Roux"]  # the INSEE commune code
    assert names(q="roux 25000") == ["Menuiserie Roux"]


def test_the_search_text_follows_the_sign_and_the_commune():
    moved = firm("Garage Petit")
    moved.sign, moved.commune_code, moved.postal_code = "Auto Services", "21054", "21200"
    db.session.commit()
    assert names(q="auto services beaune") == ["Garage Petit"]
    assert names(q="garage petit dijon") == []
