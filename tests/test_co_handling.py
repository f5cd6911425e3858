"""Working a need together: co-handlers (invited by the pilot, or asking to join) with their own
status and adviser, candidates put forward by the handling organisations with pseudonymised data,
the access table for every new action, the need's history, hires and the purge of candidates."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import candidates, cohandling, queries
from crm.services.needs.workflow import WorkflowError
from jobs.needs import purge_candidates
from tests import factories as f
from tests.helpers import basin

NEW_ACTIONS = (NeedAction.ADD_CO_HANDLER, NeedAction.ASK_CO_HANDLING, NeedAction.CO_HANDLE,
               NeedAction.PUT_FORWARD)


class Network:
    """France Travail Dijon pilots a need of the Dijon basin flagged by CCI 21; Mission locale
    Dijon co-handles it; Cap emploi 21 follows the basin without handling it."""

    def __init__(self):
        self.agency = f.OrganisationFactory(name="France Travail Dijon", basins=[basin("2711")])
        self.mission = f.OrganisationFactory(name="Mission locale Dijon",
                                             kind=m.OrganisationKind.MISSION_LOCALE,
                                             basins=[basin("2711")])
        self.cap = f.OrganisationFactory(name="Cap emploi 21", kind=m.OrganisationKind.CAP_EMPLOI,
                                         basins=[basin("2711")])
        self.cci = f.OrganisationFactory(name="CCI 21", kind=m.OrganisationKind.CCI,
                                         is_spotter=True)
        self.paul = f.UserFactory(organisation=self.agency, name="Paul Girard",
                                  email="paul@francetravail.fr", basins=[basin("2711")])
        self.lea = f.UserFactory(organisation=self.mission, name="Léa Roux",
                                 email="lea@ml-dijon.fr", basins=[basin("2711")])
        self.nora = f.UserFactory(organisation=self.cap, role=m.Role.MANAGER, name="Nora Cap",
                                  email="nora@capemploi21.fr", basins=[basin("2711")])
        self.tom = f.UserFactory(organisation=self.cap, name="Tom Cap", email="tom@capemploi21.fr",
                                 basins=[basin("2711")])
        self.partner = f.UserFactory(organisation=self.cci, role=m.Role.PARTNER, name="Luc Chambre")
        self.admin = f.UserFactory(organisation=self.cap, role=m.Role.ADMIN, name="Ada Min")
        self.need = f.HiringNeedFactory(
            organisation=self.agency, adviser=self.paul, status=m.NeedStatus.IN_PROGRESS,
            basin_code="2711", source=m.NeedSource.SPOTTER, source_organisation=self.cci,
            flagged_by=self.partner, positions=2)
        self.co = cohandling.invite(self.need, self.mission, self.paul)
        db.session.flush()


@pytest.fixture
def net() -> Network:
    return Network()


EXPECTED = {
    "pilot": {NeedAction.ADD_CO_HANDLER, NeedAction.PUT_FORWARD},
    "co_handler": {NeedAction.CO_HANDLE, NeedAction.PUT_FORWARD},
    "other": {NeedAction.ASK_CO_HANDLING},
    "other_adviser": set(),  # Cap emploi's adviser does not see the need
    "partner": set(),
    "admin": {NeedAction.ADD_CO_HANDLER, NeedAction.CO_HANDLE, NeedAction.PUT_FORWARD},
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_new_action_for_each_role_and_organisation(net, who):
    user = {"pilot": net.paul, "co_handler": net.lea, "other": net.nora, "other_adviser": net.tom,
            "partner": net.partner, "admin": net.admin}[who]
    allowed = {action for action in NEW_ACTIONS if access.may(user, net.need, action)}
    assert allowed == EXPECTED[who]


def test_a_co_handler_sees_the_need_and_its_list_but_does_not_work_it(net):
    assert access.can_view_need(net.lea, net.need)
    listed = db.session.scalars(queries.needs_for(net.lea, queries.NeedFilters())).all()
    assert listed == [net.need]
    assert not access.may_work_need(net.lea, net.need)
    assert access.relation(net.lea, net.need) == access.CO_HANDLER


def test_the_pilot_invites_and_the_co_handler_takes_care(net):
    assert net.co.status == m.CoHandlerStatus.INVITED and net.co.adviser is None
    cohandling.update(net.need, net.co, net.lea, m.CoHandlerStatus.TAKING_CARE)
    assert net.co.status == m.CoHandlerStatus.TAKING_CARE and net.co.adviser == net.lea
    cohandling.update(net.need, net.co, net.lea, m.CoHandlerStatus.NOT_FOR_ME, "Public hors âge")
    assert net.co.reason == "Public hors âge"
    history = [(e.change, e.note) for e in queries.staff_history(net.need)]
    assert ("Co-traitance", "Mission locale Dijon invitée à co-traiter la demande par Paul Girard "
                            "(France Travail Dijon).") in history
    assert ("Co-traitance", "Mission locale Dijon : Prend en charge, conseiller Léa Roux.") in history
    assert ("Co-traitance", "Mission locale Dijon : Pas pour nous (Public hors âge), "
                            "conseiller Léa Roux.") in history


def test_the_invited_organisation_is_told_by_e_mail(net):
    net.cap.email = None
    cohandling.add(net.need, net.paul, net.cap)
    db.session.flush()
    mail = db.session.scalars(sa.select(m.OutboxMessage).where(
        m.OutboxMessage.kind == "co_handling_invited").order_by(m.OutboxMessage.id)).all()[-1]
    assert mail.recipient == "nora@capemploi21.fr"  # no adviser on it, no address: its manager
    assert mail.subject == f"Invitation à co-traiter – {net.need.reference}"
    assert "Paul Girard (France Travail Dijon) invite Cap emploi 21 à co-traiter" in mail.body


def test_the_pilot_withdraws_a_co_handler_with_a_reason_and_it_is_told(net):
    with pytest.raises(WorkflowError, match="Indiquez pourquoi"):
        cohandling.remove(net.need, net.co, net.paul, " ")
    with pytest.raises(WorkflowError, match="Seul le personnel de la structure pilote"):
        cohandling.remove(net.need, net.co, net.lea, "Je me retire")
    net.mission.email = "contact@ml-dijon.fr"
    cohandling.remove(net.need, net.co, net.paul, "Public hors de son champ")
    db.session.flush()
    assert cohandling.co_handlers_of(net.need) == []
    history = [(e.change, e.note) for e in queries.staff_history(net.need)]
    assert ("Co-traitance", "Mission locale Dijon ne co-traite plus la demande : "
                            "Public hors de son champ") in history
    mail = db.session.scalars(sa.select(m.OutboxMessage).where(
        m.OutboxMessage.kind == "co_handling_removed")).one()
    assert mail.recipient == "contact@ml-dijon.fr" and "Raison : Public hors de son champ" in mail.body


def test_co_handling_refusals(net):
    with pytest.raises(WorkflowError, match="Indiquez pourquoi"):
        cohandling.update(net.need, net.co, net.lea, m.CoHandlerStatus.NOT_FOR_ME, " ")
    with pytest.raises(WorkflowError, match="Seule la structure co-traitante"):
        cohandling.update(net.need, net.co, net.paul, m.CoHandlerStatus.DONE)
    with pytest.raises(WorkflowError, match="co-traite déjà"):
        cohandling.add(net.need, net.paul, net.mission)
    with pytest.raises(WorkflowError, match="pilote déjà"):
        cohandling.add(net.need, net.paul, net.agency)
    with pytest.raises(WorkflowError, match="ne peut pas co-traiter"):
        cohandling.add(net.need, net.paul, net.cci)
    with pytest.raises(WorkflowError, match="Seul le personnel de la structure pilote"):
        cohandling.add(net.need, net.lea, net.cap)
    with pytest.raises(WorkflowError, match="conseiller actif de Mission locale"):
        cohandling.update(net.need, net.co, net.lea, m.CoHandlerStatus.TAKING_CARE, adviser=net.tom)


def test_staff_of_another_organisation_ask_to_co_handle(net):
    co = cohandling.ask(net.need, net.nora)
    assert (co.organisation, co.status, co.adviser) == (net.cap, m.CoHandlerStatus.TAKING_CARE,
                                                        net.nora)
    assert access.relation(net.nora, net.need) == access.CO_HANDLER
    with pytest.raises(WorkflowError, match="co-traite déjà"):
        cohandling.ask(net.need, net.nora)
    with pytest.raises(WorkflowError):
        cohandling.ask(net.need, net.partner)
    assert [c.organisation.name for c in cohandling.co_handlers_of(net.need)] == [
        "Mission locale Dijon", "Cap emploi 21"]


def test_an_admin_changes_any_co_handling(net):
    cohandling.update(net.need, net.co, net.admin, m.CoHandlerStatus.DONE)
    assert net.co.status == m.CoHandlerStatus.DONE and net.co.adviser is None


def test_not_for_me_rates_per_organisation(net):
    cohandling.update(net.need, net.co, net.lea, m.CoHandlerStatus.NOT_FOR_ME, "Hors public")
    other = f.HiringNeedFactory(organisation=net.agency, basin_code="2711")
    cohandling.invite(other, net.mission, net.paul)
    rates = {r.organisation: (r.co_handlings, r.not_for_me, r.rate)
             for r in cohandling.not_for_me_rates()}
    assert rates == {"Mission locale Dijon": (2, 1, 0.5)}


# Candidates

def test_candidates_go_from_proposed_to_hired_and_fill_positions(net):
    first = candidates.put_forward(net.need, net.paul, "FT-2026-001", date(2026, 6, 9))
    second = candidates.put_forward(net.need, net.lea, "J.D.", date(2026, 6, 10))
    assert (first.organisation, second.organisation) == (net.agency, net.mission)
    candidates.move(net.need, first, net.paul, m.CandidateStatus.INTERVIEW)
    candidates.move(net.need, first, net.paul, m.CandidateStatus.HIRED)
    candidates.move(net.need, second, net.lea, m.CandidateStatus.NOT_RETAINED,
                    m.NotRetainedReason.MOBILITY)
    assert net.need.hires == 1
    assert candidates.counts(net.need) == {"proposed": 0, "interview": 0, "hired": 1,
                                           "not_retained": 1, "withdrawn": 0}
    notes = [e.note for e in queries.staff_history(net.need) if e.change == "Candidat proposé"]
    assert notes == ["Candidat FT-2026-001 proposé par France Travail Dijon.",
                     "Candidat J.D. proposé par Mission locale Dijon.",
                     "Candidat FT-2026-001 : en entretien.", "Candidat FT-2026-001 : recruté.",
                     "Candidat J.D. : non retenu (Mobilité ou transport)."]


@pytest.mark.parametrize("reference", ["", "Jean Dupont", "x" * 21, "jean@mail.fr", "<b>"])
def test_a_candidate_is_a_reference_or_initials_never_a_name(net, reference):
    with pytest.raises(WorkflowError, match="jamais le nom") as refused:
        candidates.put_forward(net.need, net.paul, reference, date(2026, 6, 9))
    assert refused.value.field == "reference"


def test_candidate_refusals(net):
    with pytest.raises(WorkflowError, match="futur"):
        candidates.put_forward(net.need, net.paul, "AB", date(2026, 6, 11))
    with pytest.raises(WorkflowError, match="consentement"):
        candidates.put_forward(net.need, net.paul, "AB", None)
    for outsider in (net.nora, net.partner, net.tom):
        with pytest.raises(WorkflowError, match="Seul le personnel des structures"):
            candidates.put_forward(net.need, outsider, "AB", date(2026, 6, 9))
    candidate = candidates.put_forward(net.need, net.paul, "AB", date(2026, 6, 9))
    with pytest.raises(WorkflowError, match="Seule la structure qui a proposé"):
        candidates.move(net.need, candidate, net.lea, m.CandidateStatus.INTERVIEW)
    with pytest.raises(WorkflowError, match="raison"):
        candidates.move(net.need, candidate, net.paul, m.CandidateStatus.NOT_RETAINED)
    candidates.move(net.need, candidate, net.paul, m.CandidateStatus.WITHDRAWN)
    with pytest.raises(WorkflowError, match="ne peut pas passer"):
        candidates.move(net.need, candidate, net.paul, m.CandidateStatus.HIRED)
    cohandling.update(net.need, net.co, net.lea, m.CoHandlerStatus.NOT_FOR_ME, "Hors public")
    with pytest.raises(WorkflowError, match="pas pour elle"):
        candidates.put_forward(net.need, net.lea, "CD", date(2026, 6, 9))


def test_candidates_are_purged_months_after_the_need_closes(net, project_clock, app):
    old_id = candidates.put_forward(net.need, net.paul, "OLD", date(2026, 6, 9)).id
    recent_need = f.HiringNeedFactory(organisation=net.agency, status=m.NeedStatus.IN_PROGRESS)
    recent = candidates.put_forward(recent_need, net.paul, "NEW", date(2026, 6, 9))
    open_one = candidates.put_forward(
        f.HiringNeedFactory(organisation=net.agency, status=m.NeedStatus.IN_PROGRESS),
        net.paul, "OPEN", date(2026, 6, 9))
    net.need.status, net.need.closed_at = m.NeedStatus.UNFILLED, datetime(2026, 6, 10, 8)
    recent_need.status, recent_need.closed_at = m.NeedStatus.FILLED, datetime(2026, 9, 1, 8)
    db.session.commit()
    project_clock.travel_to(datetime(2026, 12, 10, 7, 59))
    assert candidates.purge(6) == 0
    project_clock.travel_to(datetime(2026, 12, 10, 8, 0))
    assert app.config["CRM_CANDIDATE_RETENTION_MONTHS"] == 6
    assert purge_candidates() == 1
    left = set(db.session.scalars(sa.select(m.NeedCandidate.reference)))
    assert left == {recent.reference, open_one.reference}
    assert db.session.get(m.NeedCandidate, old_id) is None
    journal = db.session.scalars(sa.select(m.NeedJournalEntry.note)).all()
    assert not any("OLD" in note for note in journal)


def test_months_before_keeps_the_day_or_takes_the_month_end():
    assert candidates.months_before(datetime(2026, 8, 31, 9), 6) == datetime(2026, 2, 28, 9)
    assert candidates.months_before(datetime(2026, 3, 15), 6) == datetime(2025, 9, 15)
    assert candidates.months_before(datetime(2026, 3, 15) + timedelta(hours=1), 0).month == 3


def test_the_demo_has_co_handled_needs_with_candidates():
    from crm.demo import seed as demo

    demo.seed_demo(companies=300)
    co_handlers = db.session.scalars(sa.select(m.NeedCoHandler)).all()
    assert len(co_handlers) == 3
    assert {co.status for co in co_handlers} == {m.CoHandlerStatus.TAKING_CARE}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.NeedCandidate)) == 6
    councils = db.session.scalars(sa.select(m.Organisation.name).where(
        m.Organisation.kind == m.OrganisationKind.DEPARTEMENT)).all()
    assert "Conseil départemental de la Côte-d'Or" in councils
