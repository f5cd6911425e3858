"""How a hiring need's status moves, as one table: for each transition, the moves it makes (from
status -> to status), who may make it, and what it writes in the status history. Every status
change goes through `needs.change_status`, which checks the table (filing writes the first step
with the `file` note); the workflow refuses a user without the `who` need action (`access.may`);
the pipeline board reads the table for the columns a card may be dragged to and the French answer
when a drop is refused; the API files needs and records contacts through the same services, so it
follows the same table."""

from dataclasses import dataclass
from itertools import product

from crm.models import CLOSED_STATUSES, NeedStatus, StepActor
from crm.services.accounts.access import NeedAction

OPEN_STATUSES = frozenset(NeedStatus) - CLOSED_STATUSES
NEW, ASSIGNED, IN_PROGRESS = NeedStatus.NEW, NeedStatus.ASSIGNED, NeedStatus.IN_PROGRESS
Move = tuple[NeedStatus | None, NeedStatus]


def every(sources, targets) -> frozenset[Move]:
    """Each source to each target."""
    return frozenset(product(sources, targets))


@dataclass(frozen=True)
class Transition:
    """`who`: a need action (staff whom `access.NEED_ACTIONS` allows it: the pilot organisation's
    staff, admins, managers for reassignment), or the step's author when no one signs in (the
    employer, the automatic routing). `note`: the history note; a {placeholder} the caller leaves
    empty leaves the step without a note. `board`: a card dragged to the target column does it."""

    moves: frozenset[Move]
    who: NeedAction | StepActor
    note: str | None
    board: bool = False

    def allows(self, source: NeedStatus | None, target: NeedStatus) -> bool:
        return (source, target) in self.moves

    def note_for(self, **values) -> str | None:
        if self.note is None or any(value is None for value in values.values()):
            return None
        return self.note.format(**values)


TRANSITIONS: dict[str, Transition] = {
    "file": Transition(every({None}, {NEW}), StepActor.EMPLOYER, "Demande reçue."),
    "route": Transition(every({NEW}, {ASSIGNED}), StepActor.ROUTING,
                        "Demande confiée à {organisation}."),
    "take_in_charge": Transition(every(OPEN_STATUSES, {IN_PROGRESS}), NeedAction.TAKE_IN_CHARGE,
                                 "Prise en charge par {name}.", board=True),
    "first_contact": Transition(every({NEW, ASSIGNED}, {IN_PROGRESS}), NeedAction.CONTACT,
                                "Premier contact avec l'employeur."),
    "transfer": Transition(every(OPEN_STATUSES, {NEW, ASSIGNED}), NeedAction.TRANSFER,
                           "Transfert à {organisation} : {reason}"),
    "accept_transfer": Transition(every(OPEN_STATUSES, {NEW, ASSIGNED}), NeedAction.DECIDE_TRANSFER,
                                  "Transfert à {organisation} : {reason}"),
    "reassign": Transition(frozenset({(NEW, ASSIGNED), (ASSIGNED, ASSIGNED),
                                      (IN_PROGRESS, IN_PROGRESS)}),
                           NeedAction.REASSIGN, "{reason}"),
    "close": Transition(every(OPEN_STATUSES, CLOSED_STATUSES), NeedAction.CLOSE, "{reason}"),
    "withdraw": Transition(every(OPEN_STATUSES, {NeedStatus.CANCELLED}), StepActor.EMPLOYER,
                           "{reason}"),
}

CLOSE_ON_PAGE = "Pour clôturer une demande, indiquez son issue sur la page de la demande."
BOARD_REFUSALS = {
    NEW: "Une demande ne revient pas à « Nouvelle » : pour la confier à une autre structure, "
         "utilisez le transfert sur la page de la demande.",
    ASSIGNED: "Pour attribuer une demande à un conseiller, un responsable la coche puis choisit le "
              "conseiller ; sinon, utilisez le transfert sur sa page.",
} | dict.fromkeys(CLOSED_STATUSES, CLOSE_ON_PAGE)
SAME_COLUMN = "La demande est déjà dans cette colonne."


class ImpossibleMove(ValueError):
    """A service asked for a status change the table does not have (a programming error)."""


def transition(name: str, source: NeedStatus | None, target: NeedStatus) -> Transition:
    """The named transition, when it makes this move."""
    found = TRANSITIONS[name]
    if not found.allows(source, target):
        raise ImpossibleMove(f"{name}: {source} -> {target} is not in the transitions table")
    return found


def board_transition() -> tuple[str, Transition]:
    """The transition a card dragged on the board makes."""
    return next((name, t) for name, t in TRANSITIONS.items() if t.board)


def board_moves(source: NeedStatus) -> list[NeedStatus]:
    """The columns a card in this status may be dragged to."""
    _, board = board_transition()
    return sorted({target for (start, target) in board.moves if start == source and target != source},
                  key=list(NeedStatus).index)


def board_refusal(source: NeedStatus, target: NeedStatus) -> str | None:
    """Why a card may not go from this column to that one, in French; None when it may."""
    if target == source:
        return SAME_COLUMN
    if target in board_moves(source):
        return None
    return BOARD_REFUSALS[target]
