"""Who may work a need, and how another organisation gets it: only the pilot organisation's staff
(and admins) take in charge, contact, close, transfer or reassign; staff of another organisation who
can see the need read it, leave internal notes and propose to take it over, with a reason, which the
pilot organisation (or an admin) accepts or refuses. Every change of pilot organisation records its
reason, tells the previous pilot and rewrites "Pourquoi cette orientation ?"."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import access
from crm.services.accounts.access import NeedAction
from crm.services.needs import pipeline, workflow
from crm.services.needs.workflow import WorkflowError
from tests import factories as f
from tests.helpers import basin, page_text

APEC_REASON = ("Règle « Cadres » : APEC Dijon, qui couvre le bassin, pilote la demande ; "
               "conseiller désigné : Hugo Lemaire (conseiller du bassin le moins chargé).")
PILOT = frozenset({NeedAction.READ, NeedAction.NOTE, NeedAction.MESSAGE,
                   NeedAction.TAKE_IN_CHARGE, NeedAction.CONTACT, NeedAction.CLOSE,
                   NeedAction.TRANSFER, NeedAction.DECIDE_TRANSFER})
PILOT |= {NeedAction.ADD_CO_HANDLER, NeedAction.PUT_FORWARD}  # co-handling (test_co_handling)
SUPERVISOR = PILOT | {NeedAction.REASSIGN}
ADMIN = SUPERVISOR | {NeedAction.CO_HANDLE}
OBSERVER = frozenset({NeedAction.READ, NeedAction.NOTE, NeedAction.PROPOSE_TRANSFER,
                      NeedAction.ASK_CO_HANDLING})
NOTHING: frozenset = frozenset()


class Network:
    """APEC Dijon pilots a need of the Dijon basin flagged by CCI 21; France Travail Dijon's manager
    follows that basin; France Travail Besançon follows another one."""

    def __init__(self):
        self.apec = f.OrganisationFactory(name="APEC Dijon", kind=m.OrganisationKind.APEC,
                                          basins=[basin("2711")])
        self.agency = f.OrganisationFactory(name="France Travail Dijon", basins=[basin("2711")])
        self.besancon = f.OrganisationFactory(name="France Travail Besançon",
                                              basins=[basin("2706")])
        self.cci = f.OrganisationFactory(name="CCI 21", kind=m.OrganisationKind.CCI,
                                         is_spotter=True)
        self.cci25 = f.OrganisationFactory(name="CCI 25", kind=m.OrganisationKind.CCI,
                                           is_spotter=True)
        self.hugo = f.UserFactory(organisation=self.apec, name="Hugo Lemaire",
                                  email="hugo@apec.fr", basins=[basin("2711")])
        self.apec_manager = f.UserFactory(organisation=self.apec, role=m.Role.MANAGER,
                                          name="Sophie Bernard", email="sophie@apec.fr",
                                          basins=[basin("2711")])
        self.ines = f.UserFactory(organisation=self.agency, role=m.Role.MANAGER,
                                  name="Inès Manager", email="ines@francetravail.fr",
                                  basins=[basin("2711")])
        self.paul = f.UserFactory(organisation=self.agency, name="Paul Girard",
                                  email="paul@francetravail.fr", basins=[basin("2711")])
        self.partner = f.UserFactory(organisation=self.cci, role=m.Role.PARTNER,
                                     name="Luc Chambre")
        self.need = f.HiringNeedFactory(
            organisation=self.apec, adviser=self.hugo, status=m.NeedStatus.ASSIGNED,
            basin_code="2711", source=m.NeedSource.SPOTTER, source_organisation=self.cci,
            flagged_by=self.partner, job_title="Responsable de production",
            routing_reason=APEC_REASON, first_contact_due_at=m.utcnow() + timedelta(days=2))


@pytest.fixture
def net() -> Network:
    return Network()


def outbox() -> list[m.OutboxMessage]:
    """The staff's messages (the flagging partner's news have their own tests:
    tests/test_spotter_news.py)."""
    return list(db.session.scalars(sa.select(m.OutboxMessage)
                                   .where(m.OutboxMessage.kind != "spotter_need_news")
                                   .order_by(m.OutboxMessage.id)))


def audit_actions(need: m.HiringNeed) -> list[str]:
    return list(db.session.scalars(sa.select(m.AuditEvent.action).where(
        m.AuditEvent.object_type == "HiringNeed", m.AuditEvent.object_id == str(need.id),
        m.AuditEvent.action.not_in(["created", "updated", "deleted"])).order_by(m.AuditEvent.id)))


def proposals() -> list[m.NeedTransferProposal]:
    return list(db.session.scalars(sa.select(m.NeedTransferProposal)
                                   .order_by(m.NeedTransferProposal.id)))


# The rule: every action × role × organisation

def case(net: Network, role: str, relation: str) -> tuple[m.User, m.HiringNeed]:
    """A user of `role` in the need's pilot organisation, in another organisation that can see the
    need, or in an organisation that cannot."""
    need = net.need
    if role == "admin":
        organisation = {"pilot": net.apec, "other": net.agency, "outside": net.besancon}[relation]
        return f.UserFactory(role=m.Role.ADMIN, organisation=organisation), need
    if role == "manager":
        return {"pilot": net.apec_manager, "other": net.ines,
                "outside": f.UserFactory(role=m.Role.MANAGER, organisation=net.besancon,
                                         basins=[basin("2706")])}[relation], need
    if role == "adviser":
        if relation == "other":  # assigned while at France Travail, the need since went to APEC
            moved = f.HiringNeedFactory(organisation=net.apec, adviser=net.paul, basin_code="2711")
            return net.paul, moved
        return {"pilot": f.UserFactory(organisation=net.apec), "outside": net.paul}[relation], need
    return {"pilot": f.UserFactory(role=m.Role.PARTNER, organisation=net.apec),
            "other": net.partner,
            "outside": f.UserFactory(role=m.Role.PARTNER, organisation=net.cci25)}[relation], need


EXPECTED = {
    ("admin", "pilot"): ADMIN, ("admin", "other"): ADMIN, ("admin", "outside"): ADMIN,
    ("manager", "pilot"): SUPERVISOR, ("manager", "other"): OBSERVER, ("manager", "outside"): NOTHING,
    ("adviser", "pilot"): PILOT, ("adviser", "other"): OBSERVER, ("adviser", "outside"): NOTHING,
    ("partner", "pilot"): NOTHING, ("partner", "other"): frozenset({NeedAction.READ}),
    ("partner", "outside"): NOTHING,
}


@pytest.mark.parametrize("role, relation", EXPECTED)
def test_each_action_for_each_role_and_organisation(net, role, relation):
    user, need = case(net, role, relation)
    expected = EXPECTED[(role, relation)]
    for action in NeedAction:
        assert access.may(user, need, action) is (action in expected), action
    assert access.need_actions(user, need) == expected
    assert access.may_work_need(user, need) is (NeedAction.TAKE_IN_CHARGE in expected)
    assert access.may_propose_transfer(user, need) is (NeedAction.PROPOSE_TRANSFER in expected)


def test_a_need_waiting_in_the_basin_queue_is_worked_by_whoever_sees_it(net):
    waiting = f.HiringNeedFactory(organisation=None, basin_code="2711")
    assert access.need_actions(net.ines, waiting) == SUPERVISOR
    assert access.need_actions(net.paul, waiting) == NOTHING


def test_the_sql_work_scope_agrees_with_the_rule(net):
    waiting = f.HiringNeedFactory(organisation=None, basin_code="2711")
    ours = f.HiringNeedFactory(organisation=net.agency, basin_code="2711")
    for user in (net.ines, net.paul, net.hugo, net.apec_manager, net.partner):
        workable = set(db.session.scalars(sa.select(m.HiringNeed.id)
                                          .where(access.need_work_scope(user))))
        assert workable == {n.id for n in (net.need, waiting, ours) if access.may_work_need(user, n)}


# The field test: a France Travail manager on APEC's need

def test_another_organisations_manager_cannot_take_the_need_in_charge(net, auth, client):
    auth.login(net.ines)
    page = page_text(client.get(f"/demandes/{net.need.reference}"))
    assert "Cette demande est pilotée par APEC Dijon" in page
    assert 'action="/demandes/' + net.need.reference + '/prise-en-charge"' not in page
    assert "Proposer de reprendre la demande" in page
    response = client.post(f"/demandes/{net.need.reference}/prise-en-charge",
                           data={"take-version": net.need.version})
    assert response.status_code == 403
    db.session.expire_all()
    assert (net.need.organisation_id, net.need.adviser_id, net.need.status) == (
        net.apec.id, net.hugo.id, m.NeedStatus.ASSIGNED)
    assert net.need.routing_reason == APEC_REASON and net.need.history == [] and outbox() == []


def test_the_workflow_itself_refuses_another_organisations_staff(net):
    with pytest.raises(WorkflowError, match="pilotée par APEC Dijon"):
        workflow.take_in_charge(net.need, net.ines)
    with pytest.raises(WorkflowError, match="pilotée par APEC Dijon"):
        workflow.close(net.need, net.ines, m.NeedStatus.CANCELLED, None, "Doublon.",
                       m.ClosingReason.OTHER)
    with pytest.raises(WorkflowError, match="pilotée par APEC Dijon"):
        workflow.record_first_contact(net.need, net.ines, m.InteractionKind.CALL, "Appel.")
    with pytest.raises(WorkflowError, match="pilotée par APEC Dijon"):
        workflow.transfer(net.need, net.ines, net.agency, "Je la prends.")
    with pytest.raises(WorkflowError, match="pilotée par APEC Dijon"):
        workflow.add_staff_message(net.need, net.ines, "Bonjour.", internal=False)
    with pytest.raises(WorkflowError, match="pilotée par APEC Dijon"):
        pipeline.move(net.need, net.ines, m.NeedStatus.IN_PROGRESS)
    db.session.rollback()
    assert (net.need.organisation_id, net.need.adviser_id) == (net.apec.id, net.hugo.id)


@pytest.mark.parametrize("action, prefix, fields", [
    ("prise-en-charge", "take", {}),
    ("contact", "contact", {"kind": "call", "occurred_at": "2026-06-10T09:00", "summary": "Appel."}),
    ("transfert", "transfer", {"organisation": "ORG", "reason": "Je la prends."}),
    ("cloture", "close", {"outcome": "cancelled", "reason": "Doublon."}),
    ("messages", "message", {"body": "Bonjour, je vous rappelle demain."}),
])
def test_pilot_actions_are_refused_to_other_organisations(net, auth, client, action, prefix,
                                                          fields):
    auth.login(net.ines)
    data = {f"{prefix}-{name}": str(net.agency.id) if value == "ORG" else value
            for name, value in fields.items()} | {f"{prefix}-version": net.need.version}
    assert client.post(f"/demandes/{net.need.reference}/{action}", data=data).status_code == 403
    db.session.expire_all()
    assert (net.need.organisation_id, net.need.status, net.need.history) == (
        net.apec.id, m.NeedStatus.ASSIGNED, [])
    assert net.need.messages == [] and db.session.scalar(sa.select(m.Interaction)) is None


def test_another_organisation_may_leave_an_internal_note(net, auth, client):
    auth.login(net.ines)
    response = client.post(f"/demandes/{net.need.reference}/messages",
                           data={"message-body": "Nous connaissons bien ce dirigeant.",
                                 "message-internal": "y"})
    assert response.status_code == 302
    [note] = db.session.scalars(sa.select(m.NeedMessage)).all()
    assert (note.body, note.internal, note.user_id) == (
        "Nous connaissons bien ce dirigeant.", True, net.ines.id)
    assert "La note interne est ajoutée." in page_text(client.get(response.headers["Location"]))


# Proposing a transfer

def propose(client, need: m.HiringNeed, reason: str):
    response = client.post(f"/demandes/{need.reference}/proposition-transfert",
                           data={"propose-reason": reason})
    db.session.expire_all()
    return response


def test_a_proposal_needs_a_reason(net, auth, client):
    auth.login(net.ines)
    response = propose(client, net.need, "  ")
    assert response.status_code == 422
    assert "Indiquez pourquoi votre structure devrait piloter cette demande." in page_text(response)
    assert proposals() == [] and outbox() == []


def test_a_proposal_waits_for_the_pilot_and_tells_it(net, auth, client):
    auth.login(net.ines)
    response = propose(client, net.need, "L'entreprise est suivie par notre agence depuis 2019.")
    assert response.status_code == 302
    [proposal] = proposals()
    assert (proposal.need_id, proposal.organisation_id, proposal.from_organisation_id,
            proposal.proposed_by_id, proposal.status) == (
        net.need.id, net.agency.id, net.apec.id, net.ines.id, m.TransferProposalStatus.PENDING)
    assert (net.need.organisation_id, net.need.adviser_id) == (net.apec.id, net.hugo.id)
    [notice] = outbox()
    assert (notice.kind, notice.recipient) == ("need_transfer_proposed", net.hugo.email)
    assert "Inès Manager (France Travail Dijon)" in notice.body
    assert "L'entreprise est suivie par notre agence depuis 2019." in notice.body
    assert audit_actions(net.need) == ["propose_transfer"]

    page = page_text(client.get(response.headers["Location"]))
    assert "Votre proposition de transfert est envoyée à APEC Dijon." in page
    assert "Votre proposition de reprendre la demande attend la réponse d'APEC Dijon." in page
    assert "Proposer de reprendre la demande" not in page
    history = page[page.index("Historique"):page.index("Échanges avec l'employeur")]
    assert "Transfert proposé à France Travail Dijon" in history
    assert "L'entreprise est suivie par notre agence depuis 2019." in history

    again = propose(client, net.need, "Relance.")
    assert "Votre structure a déjà proposé de reprendre cette demande" in page_text(
        client.get(again.headers["Location"]))
    assert len(proposals()) == 1

    tracking = page_text(client.get(f"/recrutement/suivi/{net.need.tracking_token}"))
    assert "suivie par notre agence depuis 2019" not in tracking


def test_the_pilot_organisation_cannot_propose_to_itself_and_outsiders_cannot_propose(net, auth,
                                                                                     client):
    auth.login(net.hugo)
    assert propose(client, net.need, "Pour voir.").status_code == 403
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.MANAGER, organisation=net.besancon,
                             basins=[basin("2706")]))
    assert propose(client, net.need, "Pour voir.").status_code == 403
    assert proposals() == []


def test_a_closed_need_cannot_be_proposed(net, auth, client):
    net.need.status, net.need.closed_at = m.NeedStatus.CANCELLED, m.utcnow()
    db.session.commit()
    auth.login(net.ines)
    assert "Proposer de reprendre la demande" not in page_text(
        client.get(f"/demandes/{net.need.reference}"))
    response = propose(client, net.need, "Nous la voulons.")
    assert "Cette demande est clôturée" in page_text(client.get(response.headers["Location"]))
    assert proposals() == []


def proposed(net: Network) -> m.NeedTransferProposal:
    return workflow.propose_transfer(net.need, net.ines,
                                          "L'entreprise est suivie par notre agence depuis 2019.")


def test_the_pilot_sees_pending_proposals_with_accept_and_refuse(net, auth, client):
    proposal = proposed(net)
    auth.login(net.hugo)
    page = page_text(client.get(f"/demandes/{net.need.reference}"))
    assert "Propositions de transfert" in page
    assert "Inès Manager (France Travail Dijon) propose de reprendre cette demande" in page
    assert f'action="/demandes/{net.need.reference}/propositions/{proposal.id}/acceptation"' in page
    assert f'action="/demandes/{net.need.reference}/propositions/{proposal.id}/refus"' in page
    assert "Accepter le transfert" in page and "Refuser" in page
    auth.logout()
    auth.login(net.ines)
    page = page_text(client.get(f"/demandes/{net.need.reference}"))
    assert "/acceptation" not in page and "/refus" not in page


def decide(client, need: m.HiringNeed, proposal: m.NeedTransferProposal, verdict: str, **fields):
    url = f"/demandes/{need.reference}/propositions/{proposal.id}/{verdict}"
    prefix = f"{'accept' if verdict == 'acceptation' else 'refuse'}-{proposal.id}"
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data.setdefault(f"{prefix}-version", need.version)
    response = client.post(url, data=data)
    db.session.expire_all()
    return response


def test_accepting_hands_the_need_over_and_explains_why(net, auth, client):
    proposal = proposed(net)
    f.HiringNeedFactory(organisation=net.agency, adviser=net.paul)  # Inès is not the least loaded
    auth.login(net.apec_manager)
    response = decide(client, net.need, proposal, "acceptation")
    assert response.status_code == 302
    need = net.need
    assert (need.organisation_id, need.adviser_id, need.status) == (
        net.agency.id, net.ines.id, m.NeedStatus.ASSIGNED)
    assert proposal.status == m.TransferProposalStatus.ACCEPTED
    assert (proposal.decided_by_id, proposal.decided_at is not None) == (net.apec_manager.id, True)
    assert need.routing_reason == (
        "Transférée d'APEC Dijon à France Travail Dijon par Sophie Bernard (APEC Dijon), "
        "sur proposition d'Inès Manager (France Travail Dijon) : L'entreprise est suivie par notre "
        "agence depuis 2019. Conseiller désigné : Inès Manager.")
    assert need.history[-1].note == ("Transfert à France Travail Dijon : L'entreprise est suivie "
                                     "par notre agence depuis 2019.")
    kinds = {(message.kind, message.recipient) for message in outbox()}
    assert ("need_pilot_changed", net.hugo.email) in kinds  # the previous pilot is told
    assert ("need_transfer_accepted", net.ines.email) in kinds
    [told] = [message for message in outbox() if message.kind == "need_pilot_changed"]
    assert "France Travail Dijon" in told.body and "Sophie Bernard" in told.body
    assert "L'entreprise est suivie par notre agence depuis 2019." in told.body
    assert audit_actions(need)[-1] == "accept_transfer"

    page = page_text(client.get(response.headers["Location"]))
    assert "La demande est transférée à France Travail Dijon." in page
    auth.logout()
    auth.login(net.ines)
    page = page_text(client.get(f"/demandes/{need.reference}"))
    why = page[page.index("Pourquoi cette orientation ?"):page.index("Historique")]
    assert "Transférée d'APEC Dijon à France Travail Dijon par Sophie Bernard" in why
    assert "APEC Dijon, qui couvre le bassin, pilote la demande" not in why
    assert "Clôturer la demande" in page and "Proposer de reprendre la demande" not in page
    history = page[page.index("Historique"):page.index("Échanges avec l'employeur")]
    assert "Transfert accepté par Sophie Bernard" in history


def test_refusing_needs_a_reason_and_tells_the_proposer(net, auth, client):
    proposal = proposed(net)
    auth.login(net.hugo)
    response = decide(client, net.need, proposal, "refus", reason=" ")
    assert response.status_code == 422
    assert "Indiquez la raison du refus." in page_text(response)
    assert proposal.status == m.TransferProposalStatus.PENDING
    response = decide(client, net.need, proposal, "refus",
                      reason="Le poste relève du statut cadre : nous gardons la demande.")
    assert response.status_code == 302
    assert (proposal.status, proposal.decision_reason, proposal.decided_by_id) == (
        m.TransferProposalStatus.REFUSED,
        "Le poste relève du statut cadre : nous gardons la demande.", net.hugo.id)
    assert (net.need.organisation_id, net.need.adviser_id) == (net.apec.id, net.hugo.id)
    refusal = outbox()[-1]
    assert (refusal.kind, refusal.recipient) == ("need_transfer_refused", net.ines.email)
    assert "nous gardons la demande" in refusal.body
    assert audit_actions(net.need) == ["propose_transfer", "refuse_transfer"]
    page = page_text(client.get(response.headers["Location"]))
    assert "La proposition de transfert est refusée." in page
    history = page[page.index("Historique"):page.index("Échanges avec l'employeur")]
    assert "Transfert refusé par Hugo Lemaire" in history and "nous gardons la demande" in history
    auth.logout()
    auth.login(net.ines)
    assert "Proposer de reprendre la demande" in page_text(
        client.get(f"/demandes/{net.need.reference}"))


def test_only_the_pilot_or_an_admin_decides(net, auth, client):
    proposal = proposed(net)
    auth.login(net.ines)
    assert decide(client, net.need, proposal, "acceptation").status_code == 403
    assert decide(client, net.need, proposal, "refus", reason="Non.").status_code == 403
    assert proposal.status == m.TransferProposalStatus.PENDING
    auth.logout()
    auth.login(f.UserFactory(role=m.Role.ADMIN, organisation=net.besancon))
    assert decide(client, net.need, proposal, "acceptation").status_code == 302
    assert net.need.organisation_id == net.agency.id


def test_a_decided_proposal_cannot_be_decided_again(net, auth, client):
    proposal = proposed(net)
    auth.login(net.hugo)
    decide(client, net.need, proposal, "refus", reason="Non.")
    response = decide(client, net.need, proposal, "acceptation")
    assert "Cette proposition a déjà reçu une réponse." in page_text(
        client.get(response.headers["Location"]))
    assert net.need.organisation_id == net.apec.id


def test_accepting_on_a_stale_page_is_refused(net, auth, client):
    proposal = proposed(net)
    seen = net.need.version
    net.need.positions = 5
    db.session.commit()
    auth.login(net.hugo)
    response = decide(client, net.need, proposal, "acceptation", version=seen)
    assert "modifiée par quelqu'un d'autre" in page_text(client.get(response.headers["Location"]))
    assert net.need.organisation_id == net.apec.id
    assert proposal.status == m.TransferProposalStatus.PENDING


def test_an_unknown_or_foreign_proposal_is_404(net, auth, client):
    other = f.HiringNeedFactory(organisation=net.apec, basin_code="2711")
    proposal = proposed(net)
    auth.login(net.hugo)
    assert client.post(f"/demandes/{other.reference}/propositions/{proposal.id}/acceptation",
                       data={f"accept-{proposal.id}-version": other.version}).status_code == 404
    assert client.post(f"/demandes/{net.need.reference}/propositions/999999/acceptation",
                       data={}).status_code == 404


# Every change of pilot organisation

def test_a_direct_transfer_explains_itself_tells_the_previous_pilot_and_closes_proposals(net):
    proposal = proposed(net)
    mission = f.OrganisationFactory(name="Mission locale Dijon",
                                    kind=m.OrganisationKind.MISSION_LOCALE, basins=[basin("2711")])
    young = f.UserFactory(organisation=mission, name="Jeanne Petit", basins=[basin("2711")])
    workflow.transfer(net.need, net.apec_manager, mission, "Poste en alternance.")
    assert (net.need.organisation_id, net.need.adviser_id) == (mission.id, young.id)
    assert net.need.routing_reason == (
        "Transférée d'APEC Dijon à Mission locale Dijon par Sophie Bernard (APEC Dijon) : "
        "Poste en alternance. Conseiller désigné : Jeanne Petit.")
    kinds = {(message.kind, message.recipient) for message in outbox()}
    assert {("need_pilot_changed", net.hugo.email), ("need_assigned", young.email)} <= kinds
    assert proposal.status == m.TransferProposalStatus.LAPSED
    assert ("need_transfer_lapsed", net.ines.email) in kinds


def test_closing_the_need_leaves_waiting_proposals_without_effect(net, auth, client):
    proposal = proposed(net)
    workflow.close(net.need, net.hugo, m.NeedStatus.CANCELLED, None, "Poste supprimé.",
                   m.ClosingReason.CANCELLED_BY_COMPANY)
    assert (proposal.status, proposal.decision_reason) == (
        m.TransferProposalStatus.LAPSED, "La demande est clôturée.")
    lapsed = [message for message in outbox() if message.kind == "need_transfer_lapsed"]
    assert [message.recipient for message in lapsed] == [net.ines.email]
    assert "restée sans suite" in lapsed[0].body
    auth.login(net.hugo)
    page = page_text(client.get(f"/demandes/{net.need.reference}"))
    assert "Proposition sans suite : La demande est clôturée." in page
    assert "/acceptation" not in page


def test_an_admin_taking_charge_for_another_organisation_is_a_recorded_transfer(net):
    admin = f.UserFactory(role=m.Role.ADMIN, organisation=net.agency, name="Alice Admin")
    workflow.take_in_charge(net.need, admin)
    assert (net.need.organisation_id, net.need.adviser_id) == (net.agency.id, admin.id)
    assert net.need.routing_reason.startswith(
        "Transférée d'APEC Dijon à France Travail Dijon par Alice Admin (France Travail Dijon)")
    assert [(message.kind, message.recipient) for message in outbox()] == [
        ("need_pilot_changed", net.hugo.email)]


def test_taking_charge_inside_the_pilot_organisation_changes_no_pilot(net):
    workflow.take_in_charge(net.need, net.apec_manager)
    assert (net.need.organisation_id, net.need.adviser_id) == (net.apec.id, net.apec_manager.id)
    assert net.need.routing_reason == APEC_REASON and outbox() == []


def test_taking_a_need_from_the_basin_queue_says_so(net):
    waiting = f.HiringNeedFactory(organisation=None, basin_code="2711",
                                  routing_reason="Aucune structure ne couvre le bassin.")
    workflow.take_in_charge(waiting, net.ines)
    assert waiting.organisation_id == net.agency.id
    assert waiting.routing_reason == ("Prise en charge par Inès Manager (France Travail Dijon) "
                                      "depuis la file d'attente du bassin.")


# The board: drag-and-drop and bulk reassignment obey the same rule

def test_the_board_offers_no_move_on_another_organisations_need(net, auth, client):
    auth.login(net.ines)
    ours = f.HiringNeedFactory(organisation=net.agency, basin_code="2711",
                               first_contact_due_at=m.utcnow() + timedelta(days=2))
    text = page_text(client.get("/demandes/tableau"))
    apec_card = text[text.index(f'id="carte-{net.need.reference}"'):]
    apec_card = apec_card[:apec_card.index("</li>")]
    assert "data-move-url" not in apec_card and 'name="needs"' not in apec_card
    assert "Prendre en charge" not in apec_card and "Pilotée par APEC Dijon" in apec_card
    our_card = text[text.index(f'id="carte-{ours.reference}"'):]
    assert "data-move-url" in our_card[:our_card.index("</li>")]

    response = client.post(f"/demandes/tableau/{net.need.reference}/statut",
                           data={"status": "in_progress", "version": net.need.version},
                           headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert "pilotée par APEC Dijon" in response.json["message"]
    db.session.expire_all()
    assert (net.need.organisation_id, net.need.adviser_id) == (net.apec.id, net.hugo.id)


def test_bulk_reassignment_refuses_another_organisations_need(net, auth, client):
    auth.login(net.ines)
    ours = f.HiringNeedFactory(organisation=net.agency, basin_code="2711")
    response = client.post("/demandes/tableau/reattribution", data={
        "needs": [net.need.reference, ours.reference], "adviser": net.paul.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert (net.need.organisation_id, net.need.adviser_id) == (net.apec.id, net.hugo.id)
    assert ours.adviser_id == net.paul.id
    assert "1 demande réattribuée, 1 refusée." in page_text(client.get("/demandes/tableau"))


def test_an_admin_does_not_move_a_need_to_another_organisation_in_bulk(net):
    admin = f.UserFactory(role=m.Role.ADMIN, organisation=net.agency)
    result = pipeline.reassign([net.need], net.paul, admin)
    assert (result.done, result.refused) == ([], [net.need])
    assert net.need.organisation_id == net.apec.id


# The company page's quick contact

def test_a_quick_contact_cannot_stop_another_organisations_clock(net, auth, client):
    auth.login(net.ines)
    url = f"/entreprises/{net.need.company_id}/echanges/nouveau"
    assert net.need.reference not in page_text(client.get(url))
    response = client.post(url, data={"kind": "call", "occurred_at": "2026-06-10T09:00",
                                      "summary": "Appel.", "need": str(net.need.id)})
    assert response.status_code == 422
    db.session.expire_all()
    assert net.need.first_contact_at is None
    assert db.session.scalar(sa.select(m.Interaction)) is None
