"""One refusal type: views show a `Refused` with the `refusals` context manager (rolled back, next
to its field or flashed), the API answers it as JSON, and a stale version is always refused."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from sqlalchemy.orm.exc import StaleDataError
from wtforms import StringField

from crm import models as m
from crm.blueprints.forms import FrenchForm
from crm.blueprints.refusals import refusals
from crm.extensions import db
from crm.services.platform.concurrency import StaleEdit, ensure_version, stale_message
from crm.services.platform.refusals import InvalidInput, Refused
from crm.services.visits import partner_contacts as api_interactions
from tests import factories as f
from tests.test_api import token_for
from tests.test_api_interactions import INTERACTIONS, SIRET, contact
from tests.test_openapi import ApiClient


class NameForm(FrenchForm):
    class Meta:
        csrf = False

    name = StringField("Nom")
    city = StringField("Ville")


@pytest.fixture
def form(app):
    with app.test_request_context("/", method="POST", data={"name": "Acme"}):
        yield NameForm()


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def firm():
    return f.CompanyFactory(siret=SIRET, siren=SIRET[:9], name="Boulangerie Martin")


@pytest.fixture
def agency_token():
    return token_for(f.UserFactory(organisation=f.OrganisationFactory(name="France Travail Dijon")))


def organisations() -> list[str]:
    return list(db.session.scalars(sa.select(m.Organisation.name)))


def test_a_refusal_about_a_field_of_the_form_is_shown_next_to_it(form):
    with refusals(form) as refused:
        raise Refused("Ce nom est déjà pris.", "name")
    assert refused and refused.status == 422
    assert refused.message is None
    assert form.name.errors == ["Ce nom est déjà pris."]
    assert get_flashed_messages() == []


def test_a_refusal_the_form_cannot_place_is_flashed(form):
    with refusals(form) as refused:
        raise Refused("Cette fiche est archivée.", "archive")
    assert refused.message == "Cette fiche est archivée."
    assert get_flashed_messages(with_categories=True) == [("error", "Cette fiche est archivée.")]


def test_a_page_that_shows_the_message_itself_gets_it_unflashed(form):
    with refusals(form, flashed=False) as refused:
        raise Refused("Cette fiche est archivée.")
    assert refused.message == "Cette fiche est archivée."
    assert get_flashed_messages() == []


def test_refusals_about_several_fields_go_next_to_each_with_their_summary(form):
    with refusals(form, flashed=False) as refused:
        raise InvalidInput({"name": ["Trop long."], "city": ["Inconnue."]})
    assert (form.name.errors, form.city.errors) == (["Trop long."], ["Inconnue."])
    assert refused.message == "Certaines informations sont manquantes ou invalides."


def test_nothing_the_refused_change_started_is_kept(form):
    with refusals(form) as refused:
        db.session.add(m.Organisation(name="Mission locale", kind=m.OrganisationKind.MISSION_LOCALE))
        db.session.flush()
        raise Refused("Refusé.")
    assert refused
    assert organisations() == []


def test_a_change_that_is_not_refused_goes_on(form):
    with refusals(form) as refused:
        f.OrganisationFactory(name="Mission locale")
    assert not refused and refused.status == 200 and refused.message is None
    assert organisations() == ["Mission locale"]


def test_a_concurrent_save_caught_by_the_version_column_is_a_stale_edit(form):
    with refusals(form, stale=stale_message("cette visite")) as refused:
        raise StaleDataError("UPDATE statement on table 'visits' expected to update 1 row(s)")
    assert isinstance(refused.error, StaleEdit) and refused.status == 409
    assert refused.message.startswith("Quelqu'un d'autre a modifié cette visite")


def test_other_errors_are_not_refusals(form):
    with pytest.raises(KeyError), refusals(form):
        raise KeyError("bug")


def test_every_domain_error_is_a_refusal():
    from crm.services.accounts import users
    from crm.services.companies import merge, profile, saved_views
    from crm.services.imports import sirene_rows, spreadsheets
    from crm.services.needs import schema, workflow
    from crm.services.routing import rules
    from crm.services.territory import rome_jobs
    from crm.services.visits import followups, interactions, recording
    errors = [users.AccountError, api_interactions.InvalidInteraction, profile.ProfileError,
              StaleEdit, followups.FollowUpError, interactions.InvalidContact, merge.MergeRefused,
              schema.InvalidNeed, workflow.WorkflowError, rome_jobs.UnknownJob,
              rules.RuleError, rules.SimulationError, saved_views.SavedViewError,
              sirene_rows.SireneError, spreadsheets.UnreadableFile, recording.InvalidVisit]
    assert all(issubclass(error, Refused) and issubclass(error, ValueError) for error in errors)


@pytest.mark.parametrize("submitted", [None, 2])
def test_a_change_on_another_or_an_unknown_version_is_refused(submitted):
    record = SimpleNamespace(version=3)
    with pytest.raises(StaleEdit, match="La tâche a changé."):
        ensure_version(record, submitted, "La tâche a changé.")


def test_a_change_on_the_current_version_passes():
    ensure_version(SimpleNamespace(version=3), 3, "La tâche a changé.")


def test_the_api_answers_a_refusal_with_its_message_and_field(api, firm, agency_token, monkeypatch):
    def refuse(_payload):
        raise Refused("Ce SIRET est fermé.", "siret")

    monkeypatch.setattr(api_interactions, "parse_interaction", refuse)
    response = api.post(INTERACTIONS, json=contact(), token=agency_token)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Ce SIRET est fermé.",
                                   "fields": {"siret": ["Ce SIRET est fermé."]}}


def test_the_api_keeps_nothing_of_a_refused_change(api, firm, agency_token, monkeypatch):
    def refuse(data, user):
        db.session.add(m.Interaction(company_id=data.company.id, kind=data.kind,
                                     occurred_at=data.occurred_at, summary="?",
                                     organisation_id=user.organisation_id, user_id=user.id))
        db.session.flush()
        raise Refused("Ce contact ne peut pas être partagé.")

    monkeypatch.setattr(api_interactions, "add_to_ledger", refuse)
    response = api.post(INTERACTIONS, json=contact(), token=agency_token)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Ce contact ne peut pas être partagé.", "fields": {}}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Interaction)) == 0


def test_the_api_answers_a_stale_edit_as_a_conflict(client, firm, agency_token, monkeypatch):
    def refuse(_payload):
        raise StaleEdit("Cette fiche a changé.")

    monkeypatch.setattr(api_interactions, "parse_interaction", refuse)
    response = client.post(INTERACTIONS, json=contact(),
                           headers={"Authorization": f"Bearer {agency_token}"})
    assert response.status_code == 409
    assert response.get_json() == {"error": "Cette fiche a changé."}
