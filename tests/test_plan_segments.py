"""Segments pick the firms a person would pick by hand from each criterion, always leaving out
closed firms and those that asked for a pause in contacts; the seven protocol presets select what
their label says; a saved segment is reused."""

from datetime import date, timedelta

import pytest

from crm import models as m
from crm.extensions import db
from crm.services.plans import fiche, segments
from crm.services.platform.local_time import local_today
from crm.services.platform.refusals import InvalidInput, Refused
from tests import factories as f

BESANCON = {"basin_code": "2706", "commune_code": "25056", "postal_code": "25000"}


def names(criteria: dict) -> list[str]:
    return sorted(c.name for c in segments.preview(segments.parse_criteria(criteria)))


def counted(criteria: dict) -> int:
    return segments.count(segments.parse_criteria(criteria))


def test_closed_firms_and_contact_pauses_are_never_in_a_segment():
    f.CompanyFactory(name="Ouverte")
    f.CompanyFactory(name="Fermée", active=False)
    f.CompanyFactory(name="En pause", do_not_contact_before=local_today() + timedelta(days=3))
    f.CompanyFactory(name="Pause finie", do_not_contact_before=local_today())
    assert names({"basins": ["2711"]}) == ["Ouverte", "Pause finie"]
    assert counted({}) == 2


def test_places_basins_communes_and_epci():
    f.CompanyFactory(name="Dijon")
    f.CompanyFactory(name="Besançon", **BESANCON)
    assert names({"basins": "2706"}) == ["Besançon"]
    assert names({"communes": ["21231"]}) == ["Dijon"]
    epci = db.session.get(m.Commune, "21231").epci_siren
    assert names({"epcis": [epci]}) == ["Dijon"]


def test_activity_naf_section_division_and_shortage_sector():
    f.CompanyFactory(name="Électricien", naf_code="43.21A")  # F, division 43: BTP
    f.CompanyFactory(name="Boulangerie", naf_code="10.71C")  # C, division 10
    f.CompanyFactory(name="Conseil", naf_code="70.22Z")  # M, division 70
    assert names({"naf_sections": ["F"]}) == ["Électricien"]
    assert names({"naf_divisions": "10, 70"}) == ["Boulangerie", "Conseil"]
    assert "Électricien" in names({"shortage_sectors": ["BTP"]})
    assert "Conseil" not in names({"shortage_sectors": ["BTP"]})


def test_size_bands_and_under_a_number_of_employees():
    f.CompanyFactory(name="TPE", headcount_band="01")
    f.CompanyFactory(name="PME", headcount_band="31")  # 200-249
    f.CompanyFactory(name="ETI", headcount_band="32")  # 250-499
    f.CompanyFactory(name="Sans salarié connu", headcount_band="NN")
    assert names({"headcount_bands": ["01", "32"]}) == ["ETI", "TPE"]
    assert names({"under_employees": 250}) == ["PME", "TPE"]


def test_recent_creation_and_new_sites():
    today = local_today()
    f.CompanyFactory(name="Créée l'an dernier", created_on=today - timedelta(days=400))
    f.CompanyFactory(name="Ancienne", created_on=date(2001, 5, 1))
    old_with_site = f.CompanyFactory(name="Ancienne avec nouveau site", created_on=date(2001, 5, 1))
    f.CompanyProjectFactory(company=old_with_site, kind=m.ProjectKind.NEW_SITE,
                            occurred_on=today - timedelta(days=60))
    assert names({"created_within_months": 24}) == ["Créée l'an dernier"]
    assert names({"new_site_within_months": 24}) == ["Ancienne avec nouveau site", "Créée l'an dernier"]


def test_projects_by_kind_and_period():
    today = local_today()
    recent = f.CompanyProjectFactory(company=f.CompanyFactory(name="Reprise récente"),
                                     kind=m.ProjectKind.TAKEOVER, occurred_on=today - timedelta(days=30))
    f.CompanyProjectFactory(company=f.CompanyFactory(name="Reprise ancienne"),
                            kind=m.ProjectKind.TAKEOVER, occurred_on=today - timedelta(days=1000))
    f.CompanyProjectFactory(company=f.CompanyFactory(name="Agrandissement"))
    assert recent.company.name in names({"project_kinds": ["takeover"], "project_within_months": 24})
    assert names({"project_kinds": ["takeover"]}) == ["Reprise ancienne", "Reprise récente"]


def test_tags_any_of():
    f.CompanyFactory(name="Région", tags=[segments.REGION_TAG])
    f.CompanyFactory(name="Alternance", tags=["Recrute en alternance"])
    f.CompanyFactory(name="Sans étiquette")
    assert names({"tags": [segments.REGION_TAG, "Recrute en alternance"]}) == ["Alternance", "Région"]


def test_score_range_leaves_out_firms_without_a_score():
    f.CompanyScoreFactory(company=f.CompanyFactory(name="Soixante"), score=60)
    f.CompanyScoreFactory(company=f.CompanyFactory(name="Quarante"), score=40)
    f.CompanyFactory(name="Sans score")
    assert names({"score_min": 60}) == ["Soixante"]
    assert names({"score_min": 30, "score_max": 50}) == ["Quarante"]


def test_need_open_for_more_than_days(project_clock):
    now = m.utcnow()
    old = f.HiringNeedFactory(company=f.CompanyFactory(name="Besoin ancien"))
    old.created_at = now - timedelta(days=45)
    recent = f.HiringNeedFactory(company=f.CompanyFactory(name="Besoin récent"))
    recent.created_at = now - timedelta(days=5)
    closed = f.HiringNeedFactory(company=f.CompanyFactory(name="Besoin pourvu"), status=m.NeedStatus.FILLED)
    closed.created_at = now - timedelta(days=90)
    assert names({"need_open_days": 30}) == ["Besoin ancien"]


def test_not_contacted_for_days():
    now = m.utcnow()
    called = f.CompanyFactory(name="Appelée la semaine dernière")
    f.InteractionFactory(company=called, occurred_at=now - timedelta(days=7))
    long_ago = f.CompanyFactory(name="Appelée il y a longtemps")
    f.InteractionFactory(company=long_ago, occurred_at=now - timedelta(days=200))
    flagged = f.CompanyFactory(name="Seulement signalée")
    f.InteractionFactory(company=flagged, kind=m.InteractionKind.FLAG, occurred_at=now)
    assert names({"not_contacted_days": 90}) == ["Appelée il y a longtemps", "Seulement signalée"]


def test_presets_select_what_their_label_says():
    today = local_today()
    now = m.utcnow()
    f.CompanyFactory(name="Identifiée", tags=[segments.REGION_TAG])
    f.CompanyProjectFactory(company=f.CompanyFactory(name="Restructuration"),
                            kind=m.ProjectKind.RESTRUCTURING)
    f.CompanyProjectFactory(company=f.CompanyFactory(name="Croissance"), kind=m.ProjectKind.EXPANSION)
    f.CompanyFactory(name="Nouvelle", created_on=today - timedelta(days=100))
    f.CompanyProjectFactory(company=f.CompanyFactory(name="Création"), kind=m.ProjectKind.CREATION,
                            occurred_on=today - timedelta(days=100))
    f.CompanyScoreFactory(company=f.CompanyFactory(name="Probable"), score=75)
    need = f.HiringNeedFactory(company=f.CompanyFactory(name="PME en difficulté", headcount_band="12"))
    need.created_at = now - timedelta(days=40)
    expected = {
        "region_identified": ["Identifiée"], "restructuring": ["Restructuration"],
        "growing": ["Croissance"], "new_establishments": ["Nouvelle"],
        "young_firms": ["Création"], "likely_to_hire": ["Probable"],
        "tpe_pme_difficulties": ["PME en difficulté"],
    }
    assert [p.key for p in segments.PRESETS] == list(expected) == list(fiche.PRIORITY_SEGMENTS)
    for key, found in expected.items():
        assert names(segments.PRESETS_BY_KEY[key].criteria) == found, key


@pytest.mark.parametrize(("criteria", "field", "message"), [
    ({"basins": ["9999"]}, "basins", "Bassin inconnu : 9999."),
    ({"score_min": "cent"}, "score_min", "Indiquez un nombre entier de 0 à 100 points."),
    ({"score_min": 80, "score_max": 20}, "score_max", "supérieur ou égal"),
    ({"need_open_days": 0}, "need_open_days", "de 1 à 3650 jours"),
    ({"project_within_months": 12}, "project_kinds", "au moins un type de projet"),
    ({"project_kinds": ["fusion"]}, "project_kinds", "Type de projet inconnu : fusion."),
    ({"tags": [{"x": 1}]}, "tags", "Valeur invalide."),
])
def test_bad_criteria_are_refused_in_french_field_by_field(criteria, field, message):
    with pytest.raises(InvalidInput) as refused:
        segments.parse_criteria(criteria)
    assert message in " ".join(refused.value.fields[field])


def test_a_saved_segment_is_reused(adviser):
    f.CompanyFactory(name="Région", tags=[segments.REGION_TAG])
    criteria = segments.parse_criteria({"tags": [segments.REGION_TAG], "basins": ["2711"]})
    saved = segments.save_segment("  Identifiées Région  ", criteria, adviser)
    assert saved.name == "Identifiées Région"
    assert segments.count(segments.parse_criteria(saved.criteria)) == 1
    with pytest.raises(Refused, match="Donnez un nom"):
        segments.save_segment(" ", criteria, adviser)
    with pytest.raises(Refused, match="au moins un critère"):
        segments.save_segment("Vide", segments.Criteria(), adviser)
