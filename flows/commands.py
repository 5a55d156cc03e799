"""Commands (/start, /back, /lang …) and the buttons valid at any step (resume, delete …)."""

from __future__ import annotations

from collections.abc import Callable

from flows.case import LANGUAGES, Case, CaseStatus, Step
from flows.io import CommandInput, DeleteUserData, ExportCase, SetLanguage, ShowHistory
from flows.machine import fire, jump_back
from flows.prompts import Choice
from flows.steps import ask, present
from flows.steps.mood import BEGIN
from flows.text import one_line
from flows.turn import Turn

#: Tokens of buttons valid at any step (their turn must still match).
RESUME, FRESH, DELETE_YES, DELETE_NO = "resume", "fresh", "del.yes", "del.no"
GLOBAL_LABELS = {
    RESUME: "coach-btn-continue",
    FRESH: "coach-btn-new-case",
    DELETE_YES: "coach-btn-delete-yes",
    DELETE_NO: "coach-btn-delete-no",
}


def new_case(turn: Turn) -> None:
    """Open a new case (id from the turn's source) and greet."""
    case = Case(id=turn.new_case_id())
    fire(case, BEGIN)
    turn.open_case(case)
    turn.say(turn.t("coach-start-prompt"))
    present(turn)


def restart(turn: Turn) -> None:
    """Cancel the active case (if any) and open a new one."""
    if turn.case is not None:
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
    else:
        return False
    return True


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
    restart(turn)


def _cancel(turn: Turn, _args: str) -> None:
    if turn.case is None:
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


def _cases(turn: Turn, _args: str) -> None:
    turn.result.effects.append(ShowHistory())


def _export(turn: Turn, _args: str) -> None:
    turn.result.effects.append(ExportCase())


def _delete(turn: Turn, _args: str) -> None:
    turn.say(
        turn.t("coach-delete-confirm"),
        [
            [
                Choice(DELETE_YES, GLOBAL_LABELS[DELETE_YES]),
                Choice(DELETE_NO, GLOBAL_LABELS[DELETE_NO]),
            ]
        ],
    )


_COMMANDS: dict[str, Callable[[Turn, str], None]] = {
    "help": _help,
    "start": _start,
    "coach": _start,
    "back": _back,
    "restart": _restart,
    "cancel": _cancel,
    "lang": _lang,
    "cases": _cases,
    "export": _export,
    "delete": _delete,
}

#: The commands this module runs (those of :data:`flows.prompts.COMMANDS`, and /coach).
KNOWN_COMMANDS: frozenset[str] = frozenset(_COMMANDS)
