"""The inputs from /start to the first suggested reply do not grow (issue 11, user-study §5).

A question added for the reply replaces one or is skipped when it cannot help:
the currency now comes with the price, which freed the input for the first name
of the contact at the agency (asked only with an intermediary).

``MAIN_COUNTS`` was measured on ``main`` at bd0a77e (before issue 11) by playing
the very same paths with :func:`inputs_to_first_reply` against an extracted copy
of that commit (``git archive bd0a77e``); there the currency question was one
more input on every path and the intermediary's contact was never asked.
"""

from __future__ import annotations

import pytest

from flows.case import Step
from flows.io import Draft, DraftKind
from flows.steps import STEPS
from flows.steps.spec import SKIP
from tests.helpers.flow_driver import FlowDriver

#: ("text", typed) or ("key", label key) per step; a step not named is skipped.
Path = dict[Step, tuple[str, str]]

FULL_CASE: Path = {
    Step.CALM: ("key", "coach-btn-calm"),
    Step.CLIENT_NAME: ("text", "ACME Ltd"),
    Step.CONTACT_NAME: ("text", "Maria"),
    Step.DELIVERY: ("text", "the logo and business cards"),
    Step.CLIENT_SAID: ("text", "Not what we are looking for"),
    Step.INTERMEDIARY: ("key", "coach-btn-agency"),
    Step.INTERMEDIARY_CONTACT: ("text", "Petra"),
    Step.CHANNEL: ("key", "coach-btn-writing"),
    Step.PRICE: ("text", "1 200 лв"),
    Step.DEPOSIT: ("text", "400"),
    Step.TALK: ("key", "coach-btn-call-arranged"),
    Step.PROBLEM: ("key", "coach-btn-problem-brief"),
    Step.PROBLEM_DETAILS: ("text", "you'd like warmer colours"),
    Step.SOLUTION: ("key", "coach-btn-redo"),
    Step.DEADLINE: ("text", "by Friday"),
    Step.PAYMENT: ("key", "coach-btn-pay-continue"),
    Step.CONTINUE_MODE: ("key", "coach-btn-deduct"),
    Step.UNUSABLE: ("text", "25%"),
}

DIRECT: Path = {**FULL_CASE, Step.INTERMEDIARY: ("key", "coach-btn-direct")}

KILL_FEE: Path = {
    **FULL_CASE,
    Step.SOLUTION: ("key", "coach-btn-part-ways"),
    Step.PAYMENT: ("key", "coach-btn-pay-kill-fee"),
    Step.KILL_FEE_SHARE: ("key", "coach-btn-share-40"),
    Step.KILL_FEE_AGREED: ("key", "coach-btn-yes"),
}

#: Inputs after /start up to the first suggested reply, measured on main (see above).
MAIN_COUNTS = {"agency-redo-deduct": 18, "direct-redo-deduct": 18, "agency-part-kill-fee": 17}
PATHS = {
    "agency-redo-deduct": FULL_CASE,
    "direct-redo-deduct": DIRECT,
    "agency-part-kill-fee": KILL_FEE,
}


def inputs_to_first_reply(language: str, path: Path) -> tuple[int, list[Step]]:
    """Play ``path`` from /start; return the inputs until the first reply draft and the steps."""
    # a new user: the sign-off is asked only after the first reply, so it costs nothing here
    driver = FlowDriver(language=language, signature=None)
    driver.command("start")
    steps: list[Step] = []
    for count in range(60):
        if any(isinstance(o, Draft) and o.kind is DraftKind.REPLY for o in driver.last.outgoing):
            return count, steps
        assert driver.case is not None
        step = driver.case.step
        steps.append(step)
        if step in path:
            kind, value = path[step]
            driver.text(value) if kind == "text" else driver.press_key(value)
            continue
        # A step the path does not name is skipped, when the registry offers "skip".
        tokens = [c.token for row in STEPS[step].choices(driver.case.answers) for c in row]
        assert SKIP in tokens, f"the path has no answer for {step.value}"
        driver.press_key("coach-btn-skip")
    raise AssertionError("no suggested reply after 60 inputs")


@pytest.mark.parametrize("name", list(PATHS))
def test_inputs_to_the_first_reply_do_not_grow(language: str, name: str) -> None:
    count, steps = inputs_to_first_reply(language, PATHS[name])
    assert count <= MAIN_COUNTS[name], (count, [s.value for s in steps])
    assert Step.CURRENCY not in steps  # folded into the price


def test_the_contact_at_the_agency_is_asked_only_with_an_intermediary(language: str) -> None:
    _count, with_agency = inputs_to_first_reply(language, FULL_CASE)
    _count, direct = inputs_to_first_reply(language, DIRECT)
    assert Step.INTERMEDIARY_CONTACT in with_agency
    assert Step.INTERMEDIARY_CONTACT not in direct
