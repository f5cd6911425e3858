"""The job picker of the public form, the partner's flag and the visit form: suggestions as one
types, and the server reading a job typed as a ROME code or label, without JavaScript."""

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.needs.schema import InvalidNeed, parse_need
from crm.services.territory import rome_jobs
from tests import factories as f
from tests.helpers import page_text
from tests.test_need_input import valid as valid_payload
from tests.test_public_pages import form
from tests.test_visits import need_row, post_new, visit_form

pytestmark = pytest.mark.usefixtures("roomy_rate_limit")


def test_a_job_is_read_from_its_code_its_label_or_what_the_picker_wrote():
    for typed in ("M1607", "m1607", "M1607 - Secrétaire", "Secrétaire (M1607)", "secretaire",
                  "  SECRÉTAIRE "):
        assert rome_jobs.resolve(typed).code == "M1607", typed
    assert rome_jobs.resolve("boulangère").code == "D1102"  # one gendered form of the label
    assert rome_jobs.resolve("maçon").code == "F1703"
    assert rome_jobs.resolve("secrétaire médicale").code == "M1609"  # unique among the labels


def test_an_ambiguous_or_unknown_job_says_so_in_french_with_suggestions():
    with pytest.raises(rome_jobs.UnknownJob) as ambiguous:
        rome_jobs.resolve("boulang")
    assert "Plusieurs métiers correspondent à « boulang »" in str(ambiguous.value)
    assert "Boulanger / Boulangère (D1102)" in str(ambiguous.value)
    with pytest.raises(rome_jobs.UnknownJob) as unknown:
        rome_jobs.resolve("zythologue")
    assert "Aucun métier du référentiel ne correspond à « zythologue »." in str(unknown.value)
    with pytest.raises(rome_jobs.UnknownJob) as near:
        rome_jobs.resolve("boulanger zythologue")
    assert "Métiers proches : " in str(near.value) and "(D1102)" in str(near.value)
    with pytest.raises(rome_jobs.UnknownJob, match="n'existe pas"):
        rome_jobs.resolve("M9999")


def test_the_search_puts_labels_starting_with_the_words_first_and_reads_code_prefixes(client):
    assert rome_jobs.search("boulang")[0].code == "D1102"
    assert {job.code for job in rome_jobs.search("f170")} >= {"F1701", "F1703"}
    assert rome_jobs.search(" ") == []
    jobs = client.get("/metiers?q=macon").get_json()
    assert {"code": "F1703", "label": "Maçon / Maçonne", "text": "Maçon / Maçonne (F1703)",
            "shortage": True} in jobs
    assert client.get("/metiers").get_json() == []


def test_the_shortage_flag_comes_from_the_regional_list():
    assert rome_jobs.is_shortage("F1703") and not rome_jobs.is_shortage("M1607")
    assert not rome_jobs.is_shortage(None) and not rome_jobs.is_shortage("Z0000")


def test_the_public_form_files_the_job_typed_as_a_label(client):
    response = client.post("/recrutement", data=form(rome_code="boulanger"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(m.HiringNeed.rome_code)) == "D1102"


def test_the_public_form_keeps_an_ambiguous_job_and_lists_the_choices(client):
    response = client.post("/recrutement", data=form(rome_code="secrétaire"[:6]))
    page = page_text(response)
    assert response.status_code == 422
    assert "Plusieurs métiers correspondent à « secrét »" in page
    assert "Secrétaire (M1607)" in page and 'value="secrét"' in page
    assert db.session.scalar(sa.select(sa.func.count(m.HiringNeed.id))) == 0


def test_the_api_schema_still_takes_rome_codes_only():
    with pytest.raises(InvalidNeed) as invalid:
        parse_need(valid_payload(rome_code="Secrétaire"))
    assert invalid.value.fields["rome_code"] == [rome_jobs.UNKNOWN_CODE]
    assert parse_need(valid_payload(rome_code="Secrétaire"), typed_job=True).rome_code == "M1607"


@pytest.fixture
def company():
    return f.CompanyFactory(name="Chaudronnerie Bourgogne")


def test_the_visit_form_files_the_job_typed_in_the_picker(client, adviser, signed_in, company):
    response = post_new(client, company, visit_form([adviser], **need_row(rome_code="Secrétaire")))
    assert response.status_code == 302
    need = db.session.scalar(sa.select(m.HiringNeed))
    assert (need.rome_code, need.job_title) == ("M1607", "Soudeur")
    page = page_text(client.get(f"/entreprises/{company.id}/visites/nouvelle"))
    assert "Métier du référentiel ROME (facultatif)" in page and 'data-job-search="/metiers"' in page


def test_the_visit_form_shows_why_a_typed_job_is_not_read(client, adviser, signed_in, company):
    response = post_new(client, company, visit_form([adviser], **need_row(rome_code="zythologue")))
    assert response.status_code == 422
    assert "Aucun métier du référentiel ne correspond à « zythologue »" in page_text(response)
