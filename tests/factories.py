"""factory_boy factories for every model, committing to the test database."""

import itertools
import secrets
from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from crm import models as m
from crm.extensions import db
from crm.services.accounts.users import hash_password
from crm.services.platform.identifiers import build_siren, build_siret
from crm.services.platform.local_time import local_today

TEST_PASSWORD = "Mot-de-passe-2026"
_password_hash = None
_siren_counter = itertools.count(10_000_000)


def password_hash() -> str:
    """Hash the shared test password once: scrypt is deliberately slow."""
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(TEST_PASSWORD)
    return _password_hash


def next_siren() -> str:
    return build_siren(f"{next(_siren_counter):08d}")


class Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(Factory):
    class Meta:
        model = m.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = m.OrganisationKind.FRANCE_TRAVAIL
    is_spotter = False
    active = True


class UserFactory(Factory):
    class Meta:
        model = m.User

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    name = factory.Sequence(lambda n: f"Personne {n}")
    password_hash = factory.LazyFunction(password_hash)
    role = m.Role.ADVISER
    organisation = factory.SubFactory(OrganisationFactory)
    active = True


class ApiTokenFactory(Factory):
    class Meta:
        model = m.ApiToken

    user = factory.SubFactory(UserFactory)
    name = "Jeton de test"
    prefix = "crm_test"
    token_hash = factory.LazyFunction(lambda: secrets.token_hex(32))


class CompanyFactory(Factory):
    class Meta:
        model = m.Company

    siren = factory.LazyFunction(next_siren)
    siret = factory.LazyAttribute(lambda o: build_siret(o.siren, "0001"))
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    search_name = factory.LazyAttribute(lambda o: o.name.lower())
    naf_code = "43.21A"
    headcount_band = "11"
    commune_code = "21231"
    basin_code = "2711"
    postal_code = "21000"
    active = True
    verified = True


class ContactFactory(Factory):
    class Meta:
        model = m.Contact

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@entreprise.fr")
    consent = True


class RoutingRuleFactory(Factory):
    class Meta:
        model = m.RoutingRule

    position = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"Règle {n}")
    publics = factory.LazyFunction(list)
    services = factory.LazyFunction(list)
    target_kind = m.OrganisationKind.FRANCE_TRAVAIL
    reason = "Règle de test."


class HiringNeedFactory(Factory):
    class Meta:
        model = m.HiringNeed

    reference = factory.Sequence(lambda n: f"TEST-{n:06d}")  # never clashes with BFC-<year>-<id>
    company = factory.SubFactory(CompanyFactory)
    source = m.NeedSource.PUBLIC_FORM
    rome_code = "F1703"
    job_title = "Maçon"
    positions = 2
    contract_type = m.ContractType.CDI
    commune_code = "21231"
    basin_code = "2711"
    contact_name = "Camille Martin"
    contact_email = "camille.martin@entreprise.fr"
    status = m.NeedStatus.NEW
    tracking_token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))


class NeedStatusChangeFactory(Factory):
    class Meta:
        model = m.NeedStatusChange

    need = factory.SubFactory(HiringNeedFactory)
    from_status = m.NeedStatus.NEW
    to_status = m.NeedStatus.ASSIGNED


class InteractionFactory(Factory):
    class Meta:
        model = m.Interaction

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("user.organisation")
    kind = m.InteractionKind.CALL
    summary = "Appel de présentation de l'offre de service."


class ProspectionPlanFactory(Factory):
    class Meta:
        model = m.ProspectionPlan

    basin_code = "2711"
    name = factory.Sequence(lambda n: f"Plan de prospection {n}")
    period_start = factory.LazyFunction(local_today)
    period_end = factory.LazyFunction(lambda: local_today() + timedelta(days=180))


class PlanObjectiveFactory(Factory):
    class Meta:
        model = m.PlanObjective

    plan_id = factory.LazyFunction(lambda: ProspectionPlanFactory().id)
    indicator = m.Indicator.COMPANIES_VISITED
    target = 50


class PlanTargetFactory(Factory):
    class Meta:
        model = m.PlanTarget

    plan_id = factory.LazyFunction(lambda: ProspectionPlanFactory().id)
    company = factory.SubFactory(CompanyFactory)
    priority = 1


class SegmentFactory(Factory):
    class Meta:
        model = m.Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    criteria = factory.LazyFunction(lambda: {"basins": ["2711"]})


class CompanyProjectFactory(Factory):
    class Meta:
        model = m.CompanyProject

    company = factory.SubFactory(CompanyFactory)
    kind = m.ProjectKind.EXPANSION
    source = "Revue des projets du RET"
    occurred_on = factory.LazyFunction(local_today)
    note = "Agrandissement de l'atelier prévu au printemps."


class CompanyScoreFactory(Factory):
    class Meta:
        model = m.CompanyScore

    company = factory.SubFactory(CompanyFactory)
    score = 40
    factors = factory.LazyFunction(
        lambda: [{"factor": "shortage_sector", "label": "secteur en tension", "points": 40}])


class SpotterChecklistFactory(Factory):
    class Meta:
        model = m.SpotterChecklist

    organisation = factory.SubFactory(OrganisationFactory, kind=m.OrganisationKind.CCI,
                                      is_spotter=True)
    title = factory.Sequence(lambda n: f"Entreprises à vérifier {n}")
    expires_on = factory.LazyFunction(lambda: local_today() + timedelta(days=30))


class ChecklistItemFactory(Factory):
    class Meta:
        model = m.ChecklistItem

    checklist_id = factory.LazyFunction(lambda: SpotterChecklistFactory().id)
    company = factory.SubFactory(CompanyFactory)


class VisitFactory(Factory):
    class Meta:
        model = m.Visit

    company = factory.SubFactory(CompanyFactory)
    scheduled_at = factory.LazyFunction(lambda: m.utcnow() + timedelta(days=2))
    mode = m.VisitMode.ON_SITE
    purpose = "Présentation de l'offre de service aux entreprises."


class VisitParticipantFactory(Factory):
    class Meta:
        model = m.VisitParticipant

    visit_id = factory.LazyFunction(lambda: VisitFactory().id)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("user.organisation")


class FollowUpFactory(Factory):
    class Meta:
        model = m.FollowUp

    title = "Rappeler l'entreprise"
    due_on = factory.LazyFunction(lambda: local_today() + timedelta(days=3))
    assignee = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)


class EventFactory(Factory):
    class Meta:
        model = m.Event

    title = factory.Sequence(lambda n: f"Job dating {n}")
    kind = m.EventKind.JOB_DATING
    starts_at = factory.LazyFunction(lambda: m.utcnow() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    venue = "Agence France Travail Dijon Est"
    commune_code = "21231"
    basin_code = "2711"
    capacity = 40


class EventCompanyFactory(Factory):
    class Meta:
        model = m.EventCompany

    event_id = factory.LazyFunction(lambda: EventFactory().id)
    company = factory.SubFactory(CompanyFactory)
    positions = 3


class EventRegistrationFactory(Factory):
    class Meta:
        model = m.EventRegistration

    event_id = factory.LazyFunction(lambda: EventFactory().id)
    name = factory.Sequence(lambda n: f"Candidat {n}")
    email = factory.Sequence(lambda n: f"candidat{n}@exemple.fr")
    consent = True


class TrainingRequestFactory(Factory):
    class Meta:
        model = m.TrainingRequest

    kind = m.TrainingKind.POEI
    company = factory.SubFactory(CompanyFactory)
    mode = m.TrainingMode.ORGANISME
    requested_on = factory.LazyFunction(lambda: m.utcnow().date())
    contract_type = m.PromisedContract.CDI
    hours_body = 300
    training_body = "Organisme de formation certifié"
    qualiopi = True


class AuditEventFactory(Factory):
    class Meta:
        model = m.AuditEvent

    action = "save"
    object_type = "Company"
    object_id = "1"
    changes = factory.LazyFunction(dict)


class OutboxMessageFactory(Factory):
    class Meta:
        model = m.OutboxMessage

    kind = "test"
    recipient = "destinataire@exemple.fr"
    subject = "Votre demande de recrutement"
    body = "Bonjour, votre demande a bien été enregistrée."


class BackgroundTaskFactory(Factory):
    class Meta:
        model = m.BackgroundTask

    id = factory.Sequence(lambda n: f"task-{n}")
    kind = "test"
    description = "Tâche de test"


def adviser_in(organisation: m.Organisation, *basin_codes: str, **fields) -> m.User:
    """An adviser of the organisation following these basins."""
    return UserFactory(organisation=organisation, role=m.Role.ADVISER,
                       basins=[db.session.get(m.Basin, code) for code in basin_codes], **fields)
