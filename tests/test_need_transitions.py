"""The transitions table of a hiring need (need_transitions.TRANSITIONS): the workflow, the
pipeline board and the open-need rule (HiringNeed.is_open, in Python and in SQL) all follow it."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm import models as m
from crm.extensions import db
from crm.services.accounts import access
from crm.services.needs import pipeline
from crm.services.needs import transitions as need_transitions
from crm.services.needs import workflow as wf
from crm.services.needs.filing import change_status
from crm.services.needs.transitions import BOARD_REFUSALS, TRANSITIONS, ImpossibleMove
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
OPEN = [status for status in m.NeedStatus if status not in m.CLOSED_STATUSES]
MOVES = {move for transition in TRANSITIONS.values() for move in transition.moves}


@pytest.fixture
def agency():
    return f.OrganisationFactory(name="France Travail Dijon", basins=[db.session.get(m.Basin, "2711")])


@pytest.fixture
def adviser(agency):
    return f.UserFactory(organisation=agency, name="Paul Girard")


def need_in(status: m.NeedStatus, agency, adviser) -> m.HiringNeed:
    return f.HiringNeedFactory(organisation=agency, adviser=adviser, status=status,
                               first_contact_due_at=m.utcnow() + timedelta(days=2))


# The table


def test_every_move_the_board_allows_is_in_the_table_by_the_boards_transition(agency, adviser):
    name, board = need_transitions.board_transition()
    assert name == "take_in_charge" and board.who == access.NeedAction.TAKE_IN_CHARGE
    for status in OPEN:
        for target in pipeline.moves(need_in(status, agency, adviser)):
            assert board.allows(status, target) and target != status
    assert pipeline.moves(need_in(m.NeedStatus.NEW, agency, adviser)) == [m.NeedStatus.IN_PROGRESS]
    assert pipeline.moves(need_in(m.NeedStatus.IN_PROGRESS, agency, adviser)) == []


def test_no_transition_leaves_a_closed_status():
    assert not [move for move in MOVES if move[0] in m.CLOSED_STATUSES]


def test_staff_transitions_are_need_actions_the_pilot_organisation_may_do():
    for transition in TRANSITIONS.values():
        if isinstance(transition.who, access.NeedAction):
            assert transition.who in access.NEED_ACTIONS[(m.Role.ADMIN, access.PILOT)]
        else:
            assert transition.who in (m.StepActor.EMPLOYER, m.StepActor.ROUTING)


@pytest.mark.parametrize("source", OPEN)
@pytest.mark.parametrize("target", list(m.NeedStatus))
def test_a_drop_the_board_cannot_do_is_answered_in_french(source, target):
    refusal = need_transitions.board_refusal(source, target)
    if target in need_transitions.board_moves(source):
        assert refusal is None
    else:
        assert refusal and refusal.endswith(".") and refusal[0].isupper()


@pytest.mark.parametrize(("target", "message"), [
    (m.NeedStatus.NEW, BOARD_REFUSALS[m.NeedStatus.NEW]),
    (m.NeedStatus.ASSIGNED, "un responsable la coche"),
    (m.NeedStatus.FILLED, "indiquez son issue sur la page de la demande"),
    (m.NeedStatus.IN_PROGRESS, "La demande est déjà dans cette colonne."),
])
def test_a_move_not_in_the_table_is_refused_on_the_board(agency, adviser, target, message):
    need = need_in(m.NeedStatus.IN_PROGRESS, agency, adviser)
    with pytest.raises(wf.WorkflowError, match=message):
        pipeline.move(need, adviser, target)
    assert need.status == m.NeedStatus.IN_PROGRESS and need.history == []


def test_a_status_change_not_in_the_table_is_impossible(agency, adviser):
    need = need_in(m.NeedStatus.FILLED, agency, adviser)
    with pytest.raises(ImpossibleMove):
        change_status(need, "take_in_charge", m.NeedStatus.IN_PROGRESS, adviser, name="x")
    with pytest.raises(ImpossibleMove):
        change_status(need_in(m.NeedStatus.IN_PROGRESS, agency, adviser), "route",
                      m.NeedStatus.ASSIGNED, None, organisation="x")


def test_the_history_writes_the_tables_note_and_author(agency, adviser):
    need = need_in(m.NeedStatus.NEW, agency, adviser)
    change_status(need, "route", m.NeedStatus.ASSIGNED, None, organisation="France Travail Dijon")
    change_status(need, "close", m.NeedStatus.FILLED, adviser, reason=None)
    routed, closed = need.history
    assert (routed.note, routed.actor_kind) == ("Demande confiée à France Travail Dijon.",
                                                m.StepActor.ROUTING)
    assert (closed.note, closed.actor_kind, closed.user_id) == (None, m.StepActor.PERSON, adviser.id)


def test_every_step_the_workflow_writes_is_a_move_of_the_table(agency, adviser):
    mission = f.OrganisationFactory(name="Mission locale Dijon")
    first, second = need_in(m.NeedStatus.NEW, agency, adviser), need_in(m.NeedStatus.ASSIGNED,
                                                                         agency, adviser)
    wf.record_first_contact(first, adviser, m.InteractionKind.CALL, "Besoin confirmé.")
    wf.transfer(first, adviser, mission, "Public jeune.")
    wf.take_in_charge(second, adviser)
    wf.close(second, adviser, m.NeedStatus.FILLED, 1, None)
    wf.withdraw(first, None)
    steps = db.session.execute(sa.select(m.NeedStatusChange.from_status,
                                         m.NeedStatusChange.to_status)).all()
    assert len(steps) == 5 and {tuple(step) for step in steps} <= MOVES


# The open-need rule


def test_is_open_says_the_same_in_python_and_in_sql(agency, adviser):
    needs = {status: need_in(status, agency, adviser) for status in m.NeedStatus}
    in_sql = set(db.session.scalars(sa.select(m.HiringNeed.status).where(m.HiringNeed.is_open)))
    closed_in_sql = set(db.session.scalars(
        sa.select(m.HiringNeed.status).where(sa.not_(m.HiringNeed.is_open))))
    assert in_sql == {status for status, need in needs.items() if need.is_open} == set(OPEN)
    assert closed_in_sql == set(m.CLOSED_STATUSES)


def test_services_say_open_need_only_through_is_open():
    services = [path for folder in ("services", "blueprints")
                for path in (ROOT / "crm" / folder).rglob("*.py")]
    spelled_out = re.compile(r"(not_in|in_)\((list|tuple|set)?\(?CLOSED_STATUSES|not in CLOSED_STATUSES")
    assert services and not [path.name for path in services
                             if spelled_out.search(path.read_text(encoding="utf-8"))]
