"""Reopening a cancelled case from ``/cases`` (issue 12).

``/cases`` gives every cancelled case a "Reopen" button whose data names that
case (``rc:<case>:<turn>:reopen``, :mod:`flows.callback`). The coach cannot read
storage, so it tells the engine which case a press names
(:func:`case_ref_named_by`); the engine loads that case of *this* user and hands
it back in :attr:`flows.io.UserContext.named_case`. :func:`reopen` then makes it
active again at the step where it was left; the case that was active closes as
cancelled (it can be reopened in turn), or, never begun, is simply dropped.
"""

from __future__ import annotations

from flows import callback
from flows.case import Case, CaseStatus, Step
from flows.io import ChoiceInput, ChoiceOutcome, UserInput
from flows.steps import ask, present
from flows.text import one_line
from flows.turn import Turn

#: The token of a "Reopen" button (its case reference is the cancelled case's).
REOPEN = "reopen"
#: Longest client name in the reopen messages.
_CLIENT_LIMIT = 60


def case_ref_named_by(user_input: UserInput) -> str | None:
    """The case reference of a "Reopen" press (for the engine to load), else ``None``."""
    if not isinstance(user_input, ChoiceInput):
        return None
    pressed = callback.decode(user_input.data)
    if pressed is None or pressed.choice != REOPEN or pressed.case_ref == callback.NO_CASE_REF:
        return None
    return pressed.case_ref


def can_reopen(case: Case) -> bool:
    """Whether ``/cases`` offers to reopen ``case``: cancelled after it had begun."""
    return case.status is CaseStatus.CANCELLED and case.step is not Step.START


def reopen(turn: Turn, *, pressed_ref: str, target: Case | None) -> None:
    """Reopen ``target`` (the user's case the press named, ``None`` if none) at its step.

    Anything but a cancelled case of the user's, other than the active one, is
    answered "can't reopen that" and changes nothing.
    """
    current = turn.case
    if (
        target is None
        or callback.case_ref(target.id) != pressed_ref
        or not can_reopen(target)
        or (current is not None and current.id == target.id)
    ):
        _refused(turn)
        return
    closed_previous = False
    if current is not None:
        closed_previous = current.step is not Step.START  # a never-begun case is just dropped
        turn.close(CaseStatus.CANCELLED)
    target.status = CaseStatus.ACTIVE
    target.answers.pending = None
    target.turn += 1  # buttons sent before it was cancelled stay stale
    turn.open_case(target)
    client = target.answers.client_name
    turn.result.choice = ChoiceOutcome.ACCEPTED
    turn.result.chosen_label = turn.t(
        "coach-reopen-chosen",
        client=one_line(client or turn.t("coach-history-no-client"), _CLIENT_LIMIT),
    )
    if client:
        turn.note("coach-reopened-named", client=one_line(client, _CLIENT_LIMIT))
    else:
        turn.note("coach-reopened")
    if closed_previous:
        turn.note("coach-reopen-previous-cancelled")
    present(turn)


def _refused(turn: Turn) -> None:
    """A stale or forged reopen press: say so, ask the current question again."""
    turn.result.choice = ChoiceOutcome.STALE
    turn.note("coach-reopen-refused")
    if turn.case is not None and turn.case.step is not Step.START:
        ask(turn)
    else:
        turn.flush()
