"""Drive a whole coaching conversation on Slack, step by step, as a user would."""

from __future__ import annotations

from flows.case import Step
from tests.slack.conftest import Workspace

#: What the user does at each step: ("type", text) or ("press", choice token).
Action = tuple[str, str]

ENGLISH: dict[Step, Action] = {
    Step.CALM: ("press", "calm"),
    Step.CLIENT_NAME: ("type", "Acme & Sons"),
    Step.CONTACT_NAME: ("press", "skip"),
    Step.DELIVERY: ("type", "a logo and a landing page"),
    Step.CLIENT_SAID: ("type", "This is not what we imagined."),
    Step.INTERMEDIARY: ("press", "direct"),
    Step.CHANNEL: ("press", "writing"),
    Step.PRICE: ("type", "1200"),
    Step.DEPOSIT: ("type", "400"),
    Step.TALK: ("press", "arranged"),
    Step.PROBLEM: ("press", "brief"),
    Step.PROBLEM_DETAILS: ("press", "skip"),
    Step.SOLUTION: ("press", "part"),
    Step.DEADLINE: ("press", "skip"),
    Step.PAYMENT: ("press", "kill_fee"),
    Step.KILL_FEE_SHARE: ("press", "p40"),
    Step.KILL_FEE_AGREED: ("press", "yes"),
}

BULGARIAN: dict[Step, Action] = {
    **ENGLISH,
    Step.CLIENT_NAME: ("type", "Иванов и синове ООД"),
    Step.DELIVERY: ("type", "лого и целева страница"),
    Step.CLIENT_SAID: ("type", "Не това си представяхме."),
    Step.INTERMEDIARY: ("press", "agency"),
    Step.INTERMEDIARY_CONTACT: ("press", "skip"),
    Step.PRICE: ("type", "1 200,00"),
    Step.DEPOSIT: ("type", "400 €"),
    Step.SOLUTION: ("press", "redo"),
    Step.PAYMENT: ("press", "continue"),
    Step.CONTINUE_MODE: ("press", "deduct"),
    Step.UNUSABLE: ("type", "25%"),
}


async def drive_to(
    workspace: Workspace,
    user: str,
    script: dict[Step, Action],
    *,
    until: Step = Step.REPLY,
    limit: int = 40,
) -> list[Step]:
    """Answer each step by ``script`` until the case reaches ``until``; return the steps seen."""
    seen: list[Step] = []
    for _ in range(limit):
        case = await workspace.case(user)
        assert case is not None, "the conversation lost its case"
        seen.append(case.step)
        if case.step is Step.REPLY and case.answers.asking_signature:
            await workspace.press(user, "skip")  # a new user: the sign-off is asked once
            continue
        if case.step is until:
            return seen
        if case.step is Step.TALK and case.answers.awaiting_call:
            await workspace.press(user, "talked")  # after "remind me to follow up"
            continue
        if case.step not in script:
            raise AssertionError(f"no scripted answer for step {case.step}; seen {seen}")
        kind, what = script[case.step]
        if kind == "press":
            await workspace.press(user, what)
        else:
            assert await workspace.say(user, what) == 200
    raise AssertionError(f"did not reach {until}; seen {seen}")
