"""Routing a need to one pilot organisation and one named adviser (`docs/domain.md` §3)."""

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.routing import engine
from tests import factories as f
from tests.helpers import basin, department

KINDS = {
    "disability": m.OrganisationKind.CAP_EMPLOI,
    "youth": m.OrganisationKind.MISSION_LOCALE,
    "executive": m.OrganisationKind.APEC,
    "inclusion": m.OrganisationKind.IAE,
}


def route(company, publics=(), services=(), basin_code="2711", department_code="21"):
    return engine.route(company, basin_code, department_code,
                        {"publics": list(publics), "services": list(services)})


@pytest.mark.parametrize("public, kind", KINDS.items())
def test_each_public_goes_to_its_lead_actor(public, kind):
    organisation = f.OrganisationFactory(kind=kind, basins=[basin("2711")])
    decision = route(f.CompanyFactory(), publics=[public])
    assert decision.organisation == organisation
    assert decision.rule.target_kind == kind


def test_everything_else_goes_to_the_france_travail_agency_of_the_basin():
    f.OrganisationFactory(name="France Travail Besançon", basins=[basin("2706")])
    dijon = f.OrganisationFactory(name="France Travail Dijon", basins=[basin("2711")])
    decision = route(f.CompanyFactory())
    assert decision.organisation == dijon and decision.rule.name == "Par défaut"
    assert "France Travail Dijon, qui couvre le bassin" in decision.reason


def test_disability_comes_before_youth():
    cap = f.OrganisationFactory(kind=m.OrganisationKind.CAP_EMPLOI, basins=[basin("2711")])
    f.OrganisationFactory(kind=m.OrganisationKind.MISSION_LOCALE, basins=[basin("2711")])
    assert route(f.CompanyFactory(), publics=["youth", "disability"]).organisation == cap


def test_falls_back_to_the_departement_then_the_region():
    by_department = f.OrganisationFactory(kind=m.OrganisationKind.MISSION_LOCALE,
                                          departments=[department("21")])
    decision = route(f.CompanyFactory(), publics=["youth"])
    assert decision.organisation == by_department and "département" in decision.reason
    regional = f.OrganisationFactory(kind=m.OrganisationKind.APEC)
    decision = route(f.CompanyFactory(), publics=["executive"])
    assert decision.organisation == regional and "toute la région" in decision.reason


def test_without_an_organisation_the_need_waits_in_the_basin_queue():
    decision = route(f.CompanyFactory(), publics=["inclusion"])
    assert decision.organisation is None and decision.adviser is None
    assert "file du bassin" in decision.reason


def test_an_inactive_organisation_is_skipped():
    f.OrganisationFactory(kind=m.OrganisationKind.CAP_EMPLOI, basins=[basin("2711")],
                          active=False)
    assert route(f.CompanyFactory(), publics=["disability"]).organisation is None


def test_the_company_referent_is_chosen_when_in_the_organisation():
    agency = f.OrganisationFactory(basins=[basin("2711")])
    f.adviser_in(agency, "2711")
    referent = f.adviser_in(agency)
    decision = route(f.CompanyFactory(referent=referent))
    assert decision.adviser == referent and "référent" in decision.reason


def test_a_referent_of_another_organisation_is_not_chosen():
    agency = f.OrganisationFactory(basins=[basin("2711")])
    local = f.adviser_in(agency, "2711")
    outsider = f.adviser_in(f.OrganisationFactory(name="Autre"), "2711")
    assert route(f.CompanyFactory(referent=outsider)).adviser == local


def test_load_is_balanced_between_advisers_of_the_basin():
    agency = f.OrganisationFactory(basins=[basin("2711")])
    busy, free = f.adviser_in(agency, "2711"), f.adviser_in(agency, "2711")
    f.HiringNeedFactory(adviser=busy, organisation=agency)
    f.HiringNeedFactory(adviser=busy, organisation=agency)
    f.HiringNeedFactory(adviser=free, organisation=agency, status=m.NeedStatus.FILLED)
    f.HiringNeedFactory(adviser=free, organisation=agency)
    assert route(f.CompanyFactory()).adviser == free
    f.HiringNeedFactory(adviser=free, organisation=agency)
    f.HiringNeedFactory(adviser=free, organisation=agency)
    assert route(f.CompanyFactory()).adviser == busy


def test_advisers_of_another_basin_or_inactive_are_not_chosen():
    agency = f.OrganisationFactory(basins=[basin("2711"), basin("2704")])
    f.adviser_in(agency, "2704")
    f.adviser_in(agency, "2711", active=False)
    decision = route(f.CompanyFactory())
    assert decision.organisation == agency and decision.adviser is None
    assert "aucun conseiller disponible" in decision.reason


def test_disabled_rules_are_skipped_and_rules_are_data():
    rules = {r.name: r for r in engine.active_rules()}
    rules["Jeunes"].active = False
    ft = f.OrganisationFactory(basins=[basin("2711")])
    f.OrganisationFactory(kind=m.OrganisationKind.MISSION_LOCALE, basins=[basin("2711")])
    db.session.commit()
    assert route(f.CompanyFactory(), publics=["youth"]).organisation == ft


def test_a_rule_on_a_service_fires_for_that_service():
    opco = f.OrganisationFactory(kind=m.OrganisationKind.OPCO)
    f.RoutingRuleFactory(position=0, name="POE", services=["poe"],
                         target_kind=m.OrganisationKind.OPCO)
    assert route(f.CompanyFactory(), services=["poe"]).organisation == opco


def test_every_routing_criterion_is_held_by_needs_and_rules_and_offered_by_the_forms(app):
    from crm.blueprints.routing.forms import RuleForm, SimulatorForm
    from crm.services.routing.criteria import CRITERIA

    with app.test_request_context():
        forms = [RuleForm(), SimulatorForm({})]
    for criterion in CRITERIA:
        assert isinstance(getattr(m.HiringNeed, criterion.name).type, sa.JSON)
        assert isinstance(getattr(m.RoutingRule, criterion.name).type, sa.JSON)
        for form in forms:
            assert {choice.value for choice in form[criterion.name].choices} == {
                member.value for member in criterion.values}
