"""The list of basins and one page per basin: key counts, outline, links to the filtered lists."""

import re
from datetime import datetime, timedelta

from crm import models as m
from crm.services.accounts import users
from crm.services.platform import local_time
from crm.services.territory import basin_stats
from tests import factories as f
from tests.helpers import assert_constant_queries, page_text


def this_month() -> datetime:
    return max(local_time.month_start(), m.utcnow() - timedelta(minutes=5))


def test_basin_pages_are_for_staff_only(client, auth):
    assert client.get("/bassins").status_code == 302
    auth.login(f.UserFactory(role=m.Role.PARTNER))
    assert client.get("/bassins").status_code == 403
    assert client.get("/bassins/2711").status_code == 403


def test_an_unknown_basin_is_not_found(client, signed_in):
    assert client.get("/bassins/9999").status_code == 404


def test_the_list_shows_the_21_basins_with_their_counts(client, signed_in):
    for _ in range(3):
        f.CompanyFactory()
    f.CompanyFactory(active=False)
    f.HiringNeedFactory(company=f.CompanyFactory(commune_code="25056", basin_code="2706"),
                        basin_code="2706")
    f.InteractionFactory(company=f.CompanyFactory(), occurred_at=this_month())
    response = client.get("/bassins")
    assert len(re.findall(r'href="/bassins/\d{4}"', response.get_data(as_text=True))) == 21
    words = " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())
    assert "Dijon Pilote RSA 2711 4 0 1" in words
    assert "Besançon Pilote RSA 2706 1 1 0" in words  # communes of Haute-Saône (pilot since 2024)


def test_a_basin_page_counts_by_band_and_sector(client, signed_in):
    f.CompanyFactory(headcount_band="11", naf_code="43.21A")
    f.CompanyFactory(headcount_band="11", naf_code="56.10A")
    f.CompanyFactory(headcount_band="00", naf_code="56.10A")
    f.CompanyFactory(headcount_band=None, naf_code=None)
    f.CompanyFactory(headcount_band="00", active=False)
    f.CompanyFactory(commune_code="25056", basin_code="2706")
    f.HiringNeedFactory()  # in Dijon, on its own firm
    f.HiringNeedFactory(status=m.NeedStatus.FILLED)
    firm = f.CompanyFactory()
    f.InteractionFactory(company=firm, occurred_at=this_month())
    f.InteractionFactory(company=firm, occurred_at=this_month())
    f.InteractionFactory(company=f.CompanyFactory(), occurred_at=local_time.month_start()
                         - timedelta(days=3))
    detail = basin_stats.basin_detail("2711")
    assert detail.establishments == 8
    assert {(c.code, c.count) for c in detail.by_band} == {("11", 6), ("00", 1), ("", 1)}
    assert {(c.code, c.count) for c in detail.by_section} == {("F", 5), ("I", 2), ("", 1)}
    assert (detail.open_needs, detail.contacted_this_month) == (1, 1)

    response = client.get("/bassins/2711")
    html, text = response.get_data(as_text=True), page_text(response)
    assert "Bassin de Dijon" in text and "Tranche non renseignée" in text
    assert 'href="/entreprises?basin=2711"' in html
    assert 'href="/entreprises?basin=2711&amp;band=11"' in html
    assert 'href="/entreprises?basin=2711&amp;naf_section=I"' in html
    assert 'href="/entreprises?basin=2711&amp;open_need=1"' in html
    assert 'href="/demandes?basin=2711"' in html
    assert 'href="/carte?basin=2711"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html  # the outline


def test_basin_pages_run_a_fixed_number_of_queries(client, signed_in):
    def add_rows(count: int) -> None:
        for number in range(count):
            firm = f.CompanyFactory(headcount_band=("00", "11", "21")[number % 3])
            f.HiringNeedFactory(company=firm)
            f.InteractionFactory(company=firm, occurred_at=this_month())

    assert_constant_queries(client, "/bassins/2711", add_rows)
    assert_constant_queries(client, "/bassins", add_rows)


def test_a_basin_page_counts_the_firms_with_an_open_need(client, signed_in):
    firm = f.CompanyFactory()
    f.HiringNeedFactory(company=firm)
    f.HiringNeedFactory(company=firm)
    f.HiringNeedFactory(company=f.CompanyFactory())
    f.HiringNeedFactory(company=f.CompanyFactory(), status=m.NeedStatus.FILLED)
    f.HiringNeedFactory(company=f.CompanyFactory(commune_code="25056", basin_code="2706"),
                        basin_code="2706")
    assert basin_stats.basin_detail("2711").firms_with_open_need == 2
    text = page_text(client.get("/bassins/2711"))
    assert 'href="/entreprises?basin=2711&open_need=1">2</a>' in text
    assert "Voir la liste" not in text


def test_basins_are_listed_in_french_alphabetical_order(client, signed_in):
    names = re.findall(r'href="/bassins/\d{4}">([^<]+)</a>', page_text(client.get("/bassins")))
    assert names.index("Mâcon") < names.index("Montbéliard") < names.index("Nevers")
    assert names == sorted(names, key=lambda name: name.replace("â", "a").lower())
    labels = [label for _, label in users.basin_choices()]
    assert labels.index("Mâcon (0059)") < labels.index("Montbéliard (2714)")


def test_sectors_are_named_in_sentence_case(client, signed_in):
    f.CompanyFactory(naf_code="43.21A")
    f.CompanyFactory(naf_code="56.10A")
    text = page_text(client.get("/bassins/2711"))
    assert "F – Construction</a>" in text
    assert "I – Hébergement et restauration</a>" in text
    assert "CONSTRUCTION" not in text
