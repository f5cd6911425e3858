"""One schema for the public form and the API: each field's validation, in French."""

from datetime import timedelta

import pytest

from crm.services.needs.schema import InvalidNeed, parse_need
from crm.services.platform.contact_details import display_phone
from crm.services.platform.local_time import local_today


def valid(**changes) -> dict:
    payload = {
        "siret": "732 829 320 00074",
        "company_name": "Boulangerie Martin",
        "commune_code": "21231",
        "rome_code": "D1102",
        "positions": 2,
        "contract_type": "cdi",
        "publics": ["youth"],
        "services": ["preselection"],
        "contact": {"name": "Camille Martin", "email": "camille@boulangerie.fr",
                    "phone": "03 80 12 34 56"},
        "consent": True,
    }
    payload.update(changes)
    return payload


def errors_of(payload: dict, **options) -> dict:
    with pytest.raises(InvalidNeed) as caught:
        parse_need(payload, **options)
    return caught.value.fields


def test_a_valid_need_is_parsed_and_normalised():
    need = parse_need(valid(), require_consent=True)
    assert need.siret == "73282932000074"
    assert need.contact_phone == "+33380123456"
    assert display_phone(need.contact_phone) == "03 80 12 34 56"
    assert need.publics == ["youth"] and need.contract_months is None


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000049837"])
def test_valid_sirets_including_spaces_and_la_poste(siret):
    assert parse_need(valid(siret=siret)).siret == siret.replace(" ", "")


@pytest.mark.parametrize("siret, message", [
    ("73282932000075", "Ce SIRET n'est pas valide"),
    ("1234", "14 chiffres"),
    ("", "Indiquez le SIRET"),
    ("7328293200007A", "14 chiffres"),
])
def test_invalid_sirets_are_refused(siret, message):
    assert message in errors_of(valid(siret=siret))["siret"][0]


def test_a_rome_code_or_a_job_title_is_required():
    fields = errors_of(valid(rome_code=None))
    assert "Indiquez le métier" in fields["job_title"][0]
    assert parse_need(valid(rome_code=None, job_title="Vendeur en boulangerie")).job_title
    assert "n'existe pas" in errors_of(valid(rome_code="Z9999"))["rome_code"][0]
    assert "200 caractères" in errors_of(valid(job_title="x" * 201))["job_title"][0]


@pytest.mark.parametrize("positions", [0, 1000, "deux", None])
def test_positions_between_1_and_999(positions):
    assert "positions" in errors_of(valid(positions=positions))


def test_fixed_term_contracts_need_a_duration():
    assert "durée du contrat" in errors_of(valid(contract_type="cdd"))["contract_months"][0]
    assert parse_need(valid(contract_type="cdd", contract_months=6)).contract_months == 6
    assert "contract_months" in errors_of(valid(contract_type="interim", contract_months=37))
    assert parse_need(valid(contract_type="cdi", contract_months=6)).contract_months is None
    assert "Type de contrat inconnu" in errors_of(valid(contract_type="stage"))["contract_type"][0]


def test_start_date_cannot_be_in_the_past():
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert "passé" in errors_of(valid(start_date=yesterday))["start_date"][0]
    assert "AAAA-MM-JJ" in errors_of(valid(start_date="31/12/2030"))["start_date"][0]
    assert parse_need(valid(start_date=local_today().isoformat())).start_date == local_today()


def test_unknown_publics_and_services_are_refused():
    assert "Public inconnu : seniors" in errors_of(valid(publics=["seniors"]))["publics"][0]
    assert "services" in errors_of(valid(services=["coaching"]))


def test_contact_name_and_email_are_required_and_checked():
    fields = errors_of(valid(contact={"name": "", "email": "pas-une-adresse"}))
    assert "contact.name" in fields and "adresse électronique valide" in fields["contact.email"][0]


@pytest.mark.parametrize("phone", ["12", "01 02", "+1 202 555 01", "abc"])
def test_a_bad_phone_is_refused(phone):
    fields = errors_of(valid(contact={"name": "A", "email": "a@b.fr", "phone": phone}))
    assert "numéro de téléphone" in fields["contact.phone"][0]


def test_the_public_form_requires_consent():
    assert "consent" in errors_of(valid(consent=False), require_consent=True)
    assert "consent" in errors_of(valid(consent=None), require_consent=True)
    assert parse_need(valid(consent=False)).siret  # the API does not ask for it


def test_description_is_limited():
    assert "4000" in errors_of(valid(description="x" * 4001))["description"][0]


def test_every_problem_is_reported_at_once():
    fields = errors_of({"contact": {}}, require_consent=True)
    assert {"siret", "job_title", "positions", "contract_type", "contact.name", "contact.email",
            "consent"} <= set(fields)


@pytest.mark.parametrize("publics", [5, [["youth"]], {"youth": True}])
def test_publics_of_the_wrong_type_are_refused_not_crashed(publics):
    assert "liste de valeurs" in errors_of(valid(publics=publics))["publics"][0]


def test_employer_agreement_must_be_a_boolean():
    assert "oui ou non" in errors_of(valid(employer_agreed_contact="non"))["employer_agreed_contact"][0]
    assert parse_need(valid(employer_agreed_contact=False)).employer_agreed_contact is False
