"""Commands (/start, /back, /lang …) and the buttons valid at any step (resume, delete …)."""

from __future__ import annotations

from collections.abc import Callable

from flows.answers import yes_no
from flows.case import LANGUAGES, Answers, Case, CaseStatus, Step
from flows.io import (
    CommandInput,
    DeleteUserData,
    ExportCase,
    SetLanguage,
    ShowHistory,
    ShowStats,
)
from flows.machine import fire, jump_back
from flows.prompts import Choice
from flows.steps import ask, present
from flows.steps.mood import BEGIN
from flows.steps.reply import clean_signature, set_signature
from flows.text import one_line
from flows.turn import Turn

#: Tokens of buttons valid at any step (their turn must still match).
RESUME, FRESH, DELETE_YES, DELETE_NO = "resume", "fresh", "del.yes", "del.no"
RESTART_YES, RESTART_NO = "rs.yes", "rs.no"
GLOBAL_LABELS = {
    RESUME: "coach-btn-continue",
    FRESH: "coach-btn-new-case",
    DELETE_YES: "coach-btn-delete-yes",
    DELETE_NO: "coach-btn-delete-no",
    RESTART_YES: "coach-btn-restart-yes",
    RESTART_NO: "coach-btn-restart-no",
}

#: The confirmations asked over a step's question: ``Answers.pending`` → (yes, no) tokens.
_CONFIRMATIONS = {"delete": (DELETE_YES, DELETE_NO), "restart": (RESTART_YES, RESTART_NO)}


def new_case(turn: Turn) -> None:
    """Open a new case (id from the turn's source) and greet.

    A case that has not begun (at START, opened to hold /delete's question) is begun
    instead: it never was a case of the user's, so nothing goes to the history.
    """
    case = turn.case if _not_begun(turn.case) else None
    if case is None:
        case = Case(id=turn.new_case_id())
    fire(case, BEGIN)
    turn.open_case(case)
    turn.say(turn.t("coach-start-prompt"))
    present(turn)


def _not_begun(case: Case | None) -> bool:
    """Whether ``case`` has not begun: still at START (it only holds a confirmation)."""
    return case is not None and case.step is Step.START


def restart(turn: Turn) -> None:
    """Cancel the active case (if any) and open a new one."""
    if turn.case is not None and not _not_begun(turn.case):
        turn.close(CaseStatus.CANCELLED)
        turn.note("coach-restarted")
    new_case(turn)


def apply_global(turn: Turn, token: str) -> bool:
    """Apply a button valid at any step; ``False`` when ``token`` is not one."""
    if token == RESUME:
        present(turn)
    elif token == FRESH:
        restart(turn)
    elif token == DELETE_YES:
        turn.result.effects.append(DeleteUserData())
        turn.case = None
        turn.result.case = None
    elif token == DELETE_NO:
        turn.note("coach-delete-kept")
        if turn.case is not None:
            ask(turn)
        else:
            turn.flush()
    elif token == RESTART_YES:
        restart(turn)
    elif token == RESTART_NO:
        turn.note("coach-restart-kept")
        if turn.case is not None:
            ask(turn)
        else:
            turn.flush()
    else:
        return False
    return True


def answer_pending(turn: Turn, text: str) -> None:
    """A typed answer to the open confirmation: yes or no (or a button's label) applies it.

    Anything else asks the confirmation again — it never leaves it silently.
    """
    assert turn.case is not None
    pending = turn.case.answers.pending or ""
    turn.case.answers.pending = None
    if pending not in _CONFIRMATIONS:
        ask(turn)
        return
    yes, no = _CONFIRMATIONS[pending]
    answer = yes_no(text)
    typed = _squeeze(text)
    if typed == _squeeze(turn.t(GLOBAL_LABELS[yes])):
        answer = True
    elif typed == _squeeze(turn.t(GLOBAL_LABELS[no])):
        answer = False
    if answer is None:
        turn.note("coach-yes-or-no")
        _confirm(turn, pending)
        return
    apply_global(turn, yes if answer else no)


def _squeeze(text: str) -> str:
    return "".join(text.split()).casefold()


def _confirm(turn: Turn, pending: str) -> None:
    """Ask the confirmation ``pending`` ("delete", "restart") with its yes/no buttons."""
    yes, no = _CONFIRMATIONS[pending]
    if turn.case is not None:
        turn.case.answers.pending = pending
    turn.say(
        turn.t(f"coach-{pending}-confirm"),
        [[Choice(yes, GLOBAL_LABELS[yes]), Choice(no, GLOBAL_LABELS[no])]],
    )


#: Answer fields that are no fact of the case (the mood, private venting, bookkeeping).
_NOT_FACTS = ("mood", "vented", "pending", "awaiting_call", "editing", "unclear_rounds")


def _has_answers(case: Case) -> bool:
    """Whether the user has told the coach any fact of ``case`` (the mood does not count)."""
    given, blank = case.answers.to_dict(), Answers().to_dict()
    return any(given[name] != blank[name] for name in given if name not in _NOT_FACTS)


def run(turn: Turn, command: CommandInput) -> None:
    """Run ``/name args``; an unknown command lists the known ones."""
    name = command.name.strip().lstrip("/").lower()
    handler = _COMMANDS.get(name)
    if handler is None:
        turn.note("coach-unknown-command")
        turn.note("coach-commands")
        if turn.case is not None:
            ask(turn)
        return
    handler(turn, command.args.strip())


def _help(turn: Turn, _args: str) -> None:
    turn.note("coach-help")
    turn.note("coach-commands")
    if turn.case is not None:
        ask(turn)


def _start(turn: Turn, _args: str) -> None:
    case = turn.case
    if case is None:
        new_case(turn)
        return
    if case.step in (Step.START, Step.CALM) and case.answers.mood is None:
        if case.step is Step.CALM:  # the START prompt is the greeting itself
            turn.say(turn.t("coach-start-prompt"))
        ask(turn)
        return
    if case.answers.client_name:
        text = turn.t("coach-unfinished-named", client=one_line(case.answers.client_name, 60))
    else:
        text = turn.t("coach-unfinished")
    turn.say(
        text,
        [[Choice(RESUME, GLOBAL_LABELS[RESUME]), Choice(FRESH, GLOBAL_LABELS[FRESH])]],
    )


def _back(turn: Turn, _args: str) -> None:
    if turn.case is None:
        turn.say(turn.t("coach-no-case"))
        return
    if jump_back(turn.case):
        turn.note("coach-back-done")
        present(turn)
    else:
        turn.note("coach-back-none")
        ask(turn)


def _restart(turn: Turn, _args: str) -> None:
    if turn.case is not None and _has_answers(turn.case):
        _confirm(turn, "restart")
        return
    restart(turn)


def _cancel(turn: Turn, _args: str) -> None:
    if turn.case is None or _not_begun(turn.case):
        if turn.case is not None:
            turn.close(CaseStatus.CANCELLED)  # never begun: /cases does not list it
        turn.say(turn.t("coach-cancel-none"))
        return
    turn.close(CaseStatus.CANCELLED)
    turn.say(turn.t("coach-cancelled"))


def _lang(turn: Turn, args: str) -> None:
    wanted = args.lower()
    other = "en" if turn.language == "bg" else "bg"
    language = wanted[:2] if wanted[:2] in LANGUAGES else other
    turn.language = language
    turn.result.effects.append(SetLanguage(language=language))
    turn.note("coach-lang-switched")
    if turn.case is not None:
        ask(turn)


def _signature(turn: Turn, args: str) -> None:
    """``/signature Maria`` sets the sign-off; ``/signature`` alone says how to set it."""
    signature = clean_signature(args)
    if signature:
        set_signature(turn, signature)
        turn.note("coach-signature-kept", signature=signature)
    else:
        turn.note("coach-signature-prompt")
    if turn.case is None:
        turn.flush()
    elif turn.case.step is Step.REPLY and signature:
        present(turn, Step.REPLY)  # the reply again, signed
    else:
        ask(turn)


def _cases(turn: Turn, _args: str) -> None:
    turn.result.effects.append(ShowHistory())


def _stats(turn: Turn, _args: str) -> None:
    turn.result.effects.append(ShowStats())


def _export(turn: Turn, _args: str) -> None:
    turn.result.effects.append(ExportCase())


def _delete(turn: Turn, _args: str) -> None:
    if turn.case is None:
        # The open question must survive until the answer, typed or pressed, and it lives
        # on a case: without one, a case that has not begun (at START) holds it. "Yes"
        # erases it with the rest; "no" leaves it at its greeting, a start like any other.
        turn.open_case(Case(id=turn.new_case_id()))
    _confirm(turn, "delete")


_COMMANDS: dict[str, Callable[[Turn, str], None]] = {
    "help": _help,
    "start": _start,
    "coach": _start,
    "back": _back,
    "restart": _restart,
    "cancel": _cancel,
    "lang": _lang,
    "signature": _signature,
    "cases": _cases,
    "stats": _stats,
    "export": _export,
    "delete": _delete,
}

#: The commands this module runs (those of :data:`flows.prompts.COMMANDS`, and /coach).
KNOWN_COMMANDS: frozenset[str] = frozenset(_COMMANDS)
