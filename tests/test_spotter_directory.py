"""The directory of a basin's offer spotters, as a manager reads it: the partner organisations
covering the basin (declared, through their département, or the whole region), their contacts and
their flags of the year with their contributions."""

from datetime import datetime

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from tests import factories as f
from tests.helpers import assert_constant_queries, basin, department, dijon, text_of


def spotter(name: str, **fields) -> m.Organisation:
    return f.OrganisationFactory(name=name, kind=m.OrganisationKind.CCI, is_spotter=True, **fields)


def test_the_directory_lists_the_spotters_covering_the_managers_basin(manager, client):
    cci = spotter("CCI Côte-d'Or", basins=[dijon()], email="entreprises@cci21.fr",
                  phone="+33380000000")
    regional = spotter("OPCO EP Bourgogne-Franche-Comté")
    by_department = spotter("CMA Côte-d'Or", departments=[department("21")])
    spotter("CCI Doubs", basins=[basin("2705")])
    f.OrganisationFactory(name="Mission locale Dijon", basins=[dijon()])  # not a spotter
    f.UserFactory(organisation=cci, role=m.Role.PARTNER, name="Chloé Partenaire",
                  email="chloe@cci21.fr")
    f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=cci)
    f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=cci,
                        created_at=datetime(2025, 12, 1))  # last year
    need = f.HiringNeedFactory(source=m.NeedSource.PUBLIC_FORM)
    db.session.add(m.NeedContribution(need_id=need.id, organisation_id=cci.id))
    db.session.commit()
    text = text_of(client, "/reperage/annuaire")
    for shown in (cci.name, regional.name, by_department.name, "Chloé Partenaire",
                  "chloe@cci21.fr", "entreprises@cci21.fr", "03 80 00 00 00", "Toute la région"):
        assert shown in text
    assert "CCI Doubs" not in text and "Mission locale Dijon" not in text
    row = text.split("CCI Côte-d'Or")[1].split("</tr>")[0]
    assert '<td data-label="Signalements cette année">2</td>' in row
    assert '<td data-label="dont contributions">1</td>' in row


def test_the_basin_filter_shows_another_basin(manager, client):
    spotter("CCI Doubs", basins=[basin("2705")])
    spotter("CCI Côte-d'Or", basins=[dijon()])
    db.session.commit()
    text = text_of(client, "/reperage/annuaire?basin=2705")
    assert "CCI Doubs" in text and "CCI Côte-d'Or" not in text


def test_an_empty_directory_says_so(manager, client):
    assert "Aucun détecteur d'offres ne couvre ce territoire." in text_of(
        client, "/reperage/annuaire")


def test_the_directory_runs_constant_queries(admin, client):
    def add_spotters(n: int) -> None:
        start = db.session.scalar(sa.select(sa.func.count()).select_from(m.Organisation))
        for index in range(n):
            organisation = spotter(f"Spotter {start + index}", basins=[dijon()])
            f.UserFactory(organisation=organisation, role=m.Role.PARTNER)
            f.HiringNeedFactory(source=m.NeedSource.SPOTTER, source_organisation=organisation)
        db.session.commit()

    assert_constant_queries(client, "/reperage/annuaire", add_spotters)


def test_partners_and_advisers_do_not_reach_the_directory(signed_in, client):
    assert client.get("/reperage/annuaire").status_code == 403
