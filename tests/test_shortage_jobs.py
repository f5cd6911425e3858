"""The "Métier en tension" badge: needs on a regional shortage job say so on the need page, the
need lists, the company page, and the basin page counts them."""

import re

from crm import models as m
from crm.services.territory import basin_stats
from tests import factories as f
from tests.helpers import page_text

BADGE = "Métier en tension"


def test_a_need_on_a_shortage_job_shows_the_badge_on_its_page_and_in_lists(client, admin):
    company = f.CompanyFactory(name="Maçonnerie Bourguignonne")
    mason = f.HiringNeedFactory(company=company, rome_code="F1703", job_title=None)
    secretary = f.HiringNeedFactory(company=company, rome_code="M1607", job_title=None)
    assert BADGE in page_text(client.get(f"/demandes/{mason.reference}"))
    assert BADGE not in page_text(client.get(f"/demandes/{secretary.reference}"))
    for url in ("/demandes?scope=all", f"/entreprises/{company.id}"):
        html = client.get(url).get_data(as_text=True)  # the list's filters also name shortage jobs
        badge = f'crm-shortage">{BADGE}'
        assert html.count(badge) == 1, url
        assert html.index(badge) > html.index("Maçon / Maçonne"), url


def test_the_basin_page_counts_open_needs_on_shortage_jobs(client, admin):
    f.HiringNeedFactory(rome_code="F1703")
    f.HiringNeedFactory(rome_code="F1703", status=m.NeedStatus.FILLED)
    f.HiringNeedFactory(rome_code="M1607")
    f.HiringNeedFactory(rome_code=None, job_title="Chef de rang")
    assert basin_stats.basin_detail("2711").shortage_needs == 1
    text = " ".join(re.sub(r"<[^>]+>", " ", page_text(client.get("/bassins/2711"))).split())
    assert "Besoins ouverts sur un métier en tension 1" in text
