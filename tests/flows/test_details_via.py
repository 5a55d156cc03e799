"""Details in a letter to the intermediary (issue 11): asked, and written, in the right person."""

from __future__ import annotations

import pytest

from flows.case import Answers, Intermediary, Problem, Solution, Step, Tone
from flows.drafts import compose_reply
from flows.drafts.facts_text import speaks_to_the_client
from tests.helpers.flow_driver import FlowDriver, drive_to


def test_with_an_agency_the_details_are_asked_about_the_client(language: str) -> None:
    driver = FlowDriver(language=language)
    drive_to(driver, Step.PROBLEM_DETAILS)  # the route goes through an agency
    assert driver.said("coach-problem-details-prompt")
    assert driver.said("coach-problem-details-hint-via", kind="agency")
    assert not driver.said("coach-problem-details-hint-direct")


def test_directly_the_details_are_asked_as_said_to_the_client(language: str) -> None:
    driver = FlowDriver(language=language)
    drive_to(driver, Step.INTERMEDIARY)
    driver.press_key("coach-btn-direct")
    driver.press_key("coach-btn-writing")
    driver.text("1 200")
    driver.text("400")
    driver.press_key("coach-btn-call-arranged")
    driver.press_key("coach-btn-problem-brief")
    assert driver.case is not None and driver.case.step is Step.PROBLEM_DETAILS
    assert driver.said("coach-problem-details-hint-direct")
    assert not driver.said("coach-problem-details-hint-via", kind="agency")


@pytest.mark.parametrize(
    ("text", "second"),
    [
        ("you'd like warmer colours", True),
        ("Your team wanted a calmer palette", True),
        ("the client would like warmer colours", False),
        ("Бихте искали по-топли цветове", True),
        ("очаквахте по-заоблен шрифт", True),
        ("искаш повече въздух", True),
        ("клиентът иска по-топли цветове", False),
        ("очакваха повече въздух", False),
    ],
)
def test_speaks_to_the_client(text: str, second: bool) -> None:
    assert speaks_to_the_client(text) is second


@pytest.mark.parametrize("tone", list(Tone))
def test_details_said_to_the_client_are_quoted_to_the_agency(tone: Tone) -> None:
    answers = Answers(
        intermediary=Intermediary.AGENCY,
        intermediary_contact="Петя",
        problem=Problem.STYLE,
        problem_details="Бихте искали по-топли цветове",
        solution=Solution.REDO,
    )
    text = compose_reply(answers, language="bg", tone=tone).text
    # never a bare sentence that reads as said to Петя
    assert "\u201eБихте искали по-топли цветове\u201c" in text
    assert ". Бихте искали" not in text
