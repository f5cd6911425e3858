"""The companies list: search, each filter, sorting, pagination, query count, the partner's view."""

from datetime import date, timedelta

from crm.models import NeedStatus, Role, utcnow
from crm.services.companies.records import normalise_name
from tests import factories as f
from tests.helpers import assert_constant_queries, count_queries, page_text


def listed(client, **args) -> list[str]:
    """The company names of the list's rows, in order."""
    response = client.get("/entreprises", query_string=args)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in text else ""
    return [chunk.split('">', 1)[1].split("</a>", 1)[0]
            for chunk in rows.split('<a href="/entreprises/')[1:]]


def company(name: str, **values):
    return f.CompanyFactory(name=name, search_name=normalise_name(name), **values)


def test_a_name_is_found_without_accents_or_case_and_by_part_of_a_word(client, adviser, signed_in):
    company("Boulangerie Lefèvre")
    company("Garage du Centre")
    assert listed(client, q="LEFÈVRE") == ["Boulangerie Lefèvre"]
    assert listed(client, q="lefev") == ["Boulangerie Lefèvre"]
    assert listed(client, q="angerie") == ["Boulangerie Lefèvre"]


def test_siret_siren_and_postal_code_find_their_companies(client, adviser, signed_in):
    first = company("Menuiserie Roux", postal_code="25000", commune_code="25056", basin_code="2706")
    company("Garage du Centre")
    spaced = " ".join([first.siren[:3], first.siren[3:6], first.siren[6:], first.siret[9:]])
    assert listed(client, q=spaced) == ["Menuiserie Roux"]
    assert listed(client, q=f"{first.siren[:3]} {first.siren[3:]}") == ["Menuiserie Roux"]
    assert listed(client, q="25000") == ["Menuiserie Roux"]


def test_a_commune_name_finds_the_companies_located_there(client, adviser, signed_in):
    company("Menuiserie Roux", postal_code="25000", commune_code="25056", basin_code="2706")
    company("Besançon Nettoyage")
    company("Garage du Centre")
    assert listed(client, q="besancon") == ["Besançon Nettoyage", "Menuiserie Roux"]


def test_each_filter_narrows_the_list(client, adviser, signed_in):
    other = f.UserFactory(organisation=adviser.organisation)
    dijon = company("Dijon Électricité", tags=["TPE"], referent=adviser)
    besancon = company("Besançon Restaurant", commune_code="25056", basin_code="2706",
                       postal_code="25000", naf_code="56.10A", headcount_band="00", referent=other)
    closed = company("Ancienne Scierie", active=False)
    f.HiringNeedFactory(company=besancon)
    f.HiringNeedFactory(company=dijon, status=NeedStatus.FILLED)
    f.InteractionFactory(company=dijon, occurred_at=utcnow() - timedelta(days=3))
    f.InteractionFactory(company=besancon, occurred_at=utcnow() - timedelta(days=60))
    everyone = ["Besançon Restaurant", "Dijon Électricité"]
    assert listed(client) == everyone
    assert listed(client, closed="y") == ["Ancienne Scierie", *everyone]
    assert listed(client, basin="2706") == ["Besançon Restaurant"]
    assert listed(client, department="21") == ["Dijon Électricité"]
    assert listed(client, naf_section="I") == ["Besançon Restaurant"]
    assert listed(client, naf_division="43") == ["Dijon Électricité"]
    assert listed(client, band="00") == ["Besançon Restaurant"]
    assert listed(client, tag="TPE") == ["Dijon Électricité"]
    assert listed(client, referent="moi") == ["Dijon Électricité"]
    assert listed(client, referent=str(other.id)) == ["Besançon Restaurant"]
    assert listed(client, referent="aucun", closed="y") == [closed.name]
    assert listed(client, open_need="y") == ["Besançon Restaurant"]
    assert listed(client, contacted="oui", days="7") == ["Dijon Électricité"]
    assert listed(client, contacted="oui", days="90") == everyone
    assert listed(client, contacted="non", days="30") == ["Besançon Restaurant"]
    assert listed(client, basin="2711", naf_division="43", q="dijon") == ["Dijon Électricité"]


def test_an_unknown_choice_is_refused_with_a_message_and_the_list_left_unfiltered(client, adviser, signed_in):
    company("Garage du Centre")
    response = client.get("/entreprises", query_string={"basin": "9999"})
    assert "Garage du Centre" in page_text(response)
    assert "Choix non valide" in page_text(response) or "pas un choix valide" in page_text(response)


def test_sorting_by_name_commune_last_contact_and_creation(client, adviser, signed_in):
    alpha = company("Alpha", commune_code="25056", basin_code="2706", created_on=date(2001, 1, 1))
    beta = company("Beta", created_on=date(2020, 1, 1))
    company("Gamma", commune_code="39198", basin_code="2712", created_on=None)
    f.InteractionFactory(company=alpha, occurred_at=utcnow() - timedelta(days=10))
    f.InteractionFactory(company=beta, occurred_at=utcnow() - timedelta(days=1))
    assert listed(client) == ["Alpha", "Beta", "Gamma"]
    assert listed(client, sort="commune") == ["Alpha", "Beta", "Gamma"]  # Besançon, Dijon, Dole
    assert listed(client, sort="last_contact") == ["Beta", "Alpha", "Gamma"]
    assert listed(client, sort="created") == ["Beta", "Alpha", "Gamma"]


def test_pages_of_25_keep_the_filters_and_404_past_the_end(client, adviser, signed_in):
    for number in range(27):
        company(f"Entreprise {number:02d}")
    first, second = listed(client), listed(client, page=2)
    assert len(first) == 25 and second == ["Entreprise 25", "Entreprise 26"]
    text = page_text(client.get("/entreprises", query_string={"q": "entreprise"}))
    assert "27 entreprises – page 1 sur 2" in text
    assert "/entreprises?q=entreprise&amp;page=2" in client.get(
        "/entreprises", query_string={"q": "entreprise"}).get_data(as_text=True)
    assert client.get("/entreprises?page=3").status_code == 404
    assert client.get("/entreprises?page=0").status_code == 404


def test_a_long_list_says_more_than_the_cap_instead_of_counting_every_row(
        client, adviser, signed_in, monkeypatch):
    from crm.services.companies import listing as company_list
    monkeypatch.setattr(company_list, "COUNT_CAP", 30)
    for number in range(32):
        company(f"Entreprise {number:02d}")
    text = " ".join(page_text(client.get("/entreprises")).split())
    assert "Plus de 30 entreprises – page 1" in text
    assert len(listed(client, page=2)) == 7
    searched = " ".join(page_text(client.get("/entreprises", query_string={"q": "entreprise"})).split())
    assert "Plus de 30 entreprises" in searched


def test_a_capped_search_counts_and_lists_whole_words_and_parts_of_words_alike(
        client, adviser, signed_in, monkeypatch):
    """Past the cap, firms having the searched words whole (counted first on PostgreSQL) and firms
    having them inside longer words are listed together in name order, whichever count passes
    the cap first."""
    from crm.services.companies import listing as company_list
    for number in range(20):
        company(f"Dole Garage {number:02d}")
    for number in range(10):
        company(f"Doletto Garages {number:02d}")
    company("Garage du Centre")
    names = [f"Dole Garage {number:02d}" for number in range(20)] + [
        f"Doletto Garages {number:02d}" for number in range(10)]
    for cap in (3, 25):  # the whole words alone pass 3, not 25
        monkeypatch.setattr(company_list, "COUNT_CAP", cap)
        first = client.get("/entreprises", query_string={"q": "garage dole"})
        assert f"Plus de {cap} entreprises – page 1" in " ".join(page_text(first).split())
        assert listed(client, q="garage dole") == names[:25]
        second = client.get("/entreprises", query_string={"q": "garage dole", "page": 2})
        assert "30 entreprises – page 2 sur 2" in " ".join(page_text(second).split())
        assert listed(client, q="garage dole", page=2) == names[25:]
        by_date = client.get("/entreprises", query_string={"q": "garage dole", "sort": "created"})
        assert f"Plus de {cap} entreprises – page 1" in " ".join(page_text(by_date).split())
    monkeypatch.setattr(company_list, "COUNT_CAP", 3)
    assert listed(client, q="garages dolet") == names[20:]  # no whole word: the substring count


def test_a_search_under_the_cap_reads_its_matches_once_whatever_the_page(
        client, adviser, signed_in, monkeypatch):
    """Under the cap, the words are tested by one quick count (the whole words' index on
    PostgreSQL, the trigram table's density on SQLite) and one read of the matches; each page is
    cut from that read, names starting with the text first, then the others, in name order."""
    from crm.services.companies import listing as company_list
    monkeypatch.setattr(company_list, "COUNT_CAP", 40)
    starting = [f"Garage Dupont {number:02d}" for number in range(20)]
    others = [f"Dupont Garages {number:02d}" for number in range(15)]
    for name in reversed(starting + others):
        company(name)
    company("Garage du Centre")
    pages = {}
    for number in (1, 2):
        client.get("/entreprises", query_string={"q": "garage dupont", "page": number})  # warm-up
        with count_queries() as statements:
            pages[number] = listed(client, q="garage dupont", page=number)
        testing_words = [sql for sql in statements if any(
            test in sql for test in (" LIKE ", " MATCH ", "strpos(", "@>"))]
        assert len(testing_words) == 2
    assert pages[1] == starting + others[:5] and pages[2] == others[5:]
    second = client.get("/entreprises", query_string={"q": "garage dupont", "page": 2})
    assert "35 entreprises – page 2 sur 2" in " ".join(page_text(second).split())
    by_commune = client.get("/entreprises", query_string={"q": "garage dupont", "sort": "commune",
                                                           "page": 2})
    assert "35 entreprises – page 2 sur 2" in " ".join(page_text(by_commune).split())
    assert listed(client, q="garage dupont", sort="commune", page=2) == sorted(starting + others)[25:]


def test_pages_past_the_count_cap_still_answer_with_firms(client, adviser, signed_in, monkeypatch):
    from crm.services.companies import listing as company_list
    monkeypatch.setattr(company_list, "COUNT_CAP", 30)
    for number in range(60):
        company(f"Entreprise {number:02d}")
    third = client.get("/entreprises", query_string={"page": 3})
    assert third.status_code == 200
    assert listed(client, page=3) == [f"Entreprise {number}" for number in range(50, 60)]
    assert "60 entreprises – page 3" in " ".join(page_text(third).split())  # exact on the last
    assert "page=3" in client.get("/entreprises?page=2").get_data(as_text=True)


def test_a_page_past_the_end_of_an_uncounted_list_answers_and_leads_back(client, adviser, signed_in,
                                                                       monkeypatch):
    from crm.services.companies import listing as company_list
    monkeypatch.setattr(company_list, "COUNT_CAP", 30)
    for number in range(60):
        company(f"Entreprise {number:02d}")
    past = client.get("/entreprises?page=7")
    assert past.status_code == 200
    assert "La liste s'arrête avant la page 7" in " ".join(page_text(past).split())
    assert 'href="/entreprises"' in past.get_data(as_text=True)


def test_a_page_past_the_browsable_rows_says_how_to_narrow_the_search(
        client, adviser, signed_in, monkeypatch):
    from crm.services.companies import listing as company_list
    from crm.services.companies import search as company_search
    monkeypatch.setattr(company_list, "COUNT_CAP", 30)
    monkeypatch.setattr(company_search, "BROWSE_LIMIT", 50)
    for number in range(60):
        company(f"Entreprise {number:02d}")
    last = client.get("/entreprises", query_string={"page": 2})
    assert len(listed(client, page=2)) == 25 and "Affinez la recherche" in page_text(last)
    assert "page=3" not in last.get_data(as_text=True)
    far = client.get("/entreprises", query_string={"page": 9, "q": "entreprise"})
    assert far.status_code == 200
    text = " ".join(page_text(far).split())
    assert "Affinez la recherche" in text and "Aucune entreprise" not in text
    assert listed(client, page=9, q="entreprise") == []


def test_rows_show_identity_referent_needs_last_contact_and_pressure(client, adviser, signed_in):
    firm = company("Boulangerie Lefèvre", referent=adviser)
    f.HiringNeedFactory(company=firm)
    f.HiringNeedFactory(company=firm)
    for _ in range(3):
        f.InteractionFactory(company=firm, occurred_at=utcnow() - timedelta(days=2))
    text = page_text(client.get("/entreprises"))
    assert f"SIRET {firm.siret}" in text
    assert "Dijon" in text and "Travaux d'installation électrique" in text
    assert "10 à 19 salariés" in text and adviser.name in text
    assert (utcnow() - timedelta(days=2)).strftime("%d/%m/%Y") in text
    assert "Pression forte" in text or "Vigilance" in text
    assert f'href="/entreprises/{firm.id}"' in client.get("/entreprises").get_data(as_text=True)


def test_the_query_count_does_not_grow_with_the_rows(client, adviser, signed_in):
    def add_rows(count: int) -> None:
        for _ in range(count):
            firm = f.CompanyFactory(referent=f.UserFactory(), tags=["TPE"])
            f.HiringNeedFactory(company=firm)
            f.InteractionFactory(company=firm)

    assert_constant_queries(client, "/entreprises?sort=last_contact", add_rows)


def test_the_query_count_of_a_name_search_does_not_grow_with_the_rows(client, adviser, signed_in):
    # "prise" is inside every "Entreprise n": names starting with it, then names containing it
    assert_constant_queries(client, "/entreprises?q=prise",
                            lambda count: f.CompanyFactory.create_batch(count))


def test_partners_see_identity_only_and_cannot_filter_on_follow_up(client, auth):
    partner = f.UserFactory(role=Role.PARTNER)
    firm = company("Boulangerie Lefèvre", referent=f.UserFactory(name="Claude Référent"))
    company("Garage du Centre")
    f.HiringNeedFactory(company=firm)
    f.InteractionFactory(company=firm)
    auth.login(partner)
    text = page_text(client.get("/entreprises"))
    assert "Boulangerie Lefèvre" in text and f"SIRET {firm.siret}" in text
    for hidden in ("Claude Référent", "Référent", "Dernier contact", "Pression", "Besoins ouverts",
                   "Étiquette de segment"):
        assert hidden not in text
    assert listed(client, open_need="y", referent="aucun") == ["Boulangerie Lefèvre",
                                                                "Garage du Centre"]
    assert "Contactée du" not in text and "Contacts et visites" not in text
    assert listed(client, contacted_from="2020-01-01", contacted_to="2020-01-31",
                  organisation=str(partner.organisation_id)) == ["Boulangerie Lefèvre",
                                                                "Garage du Centre"]


def test_signing_in_is_required(client):
    assert client.get("/entreprises").status_code == 302
