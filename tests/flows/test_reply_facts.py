"""One language per letter (D2): facts asked again in the reply's language; the reply's
language pre-selected from the client's message (issue 11, items 5–6)."""

from __future__ import annotations

import re

import pytest

from flows.case import Answers, Step
from flows.i18n import t
from flows.reply_facts import facts_for, keep_fact, missing_fact
from flows.text import script_of
from tests.helpers.flow_driver import FlowDriver, drive_to

CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("лого и визитки", "cyrillic"),
        ("the logo and business cards", "latin"),
        ("логото на Nike", "mixed"),  # a brand: not asked again
        ("новото лого за сайта на Nike", "cyrillic"),
        ("лого logo", "mixed"),
        ("500 €", "none"),
        ("🙂", "none"),
        ("", "none"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


def test_which_facts_an_english_reply_asks_again() -> None:
    answers = Answers(
        client_name="Мария Иванова",
        delivery="лого и визитки",
        problem_details="you'd like warmer colours",
        deadline="до петък",
    )
    assert missing_fact(answers, "en") == "delivery"
    keep_fact(answers, "en", "delivery", "the logo and business cards")
    assert missing_fact(answers, "en") == "deadline"
    keep_fact(answers, "en", "deadline", None)  # skipped: left out
    assert missing_fact(answers, "en") == "client_name"  # a Latin spelling is asked
    keep_fact(answers, "en", "client_name", "Maria Ivanova")
    assert missing_fact(answers, "en") is None
    english = facts_for(answers, "en")
    assert english.delivery == "the logo and business cards"
    assert english.deadline is None and english.client_name == "Maria Ivanova"
    # The originals stay: the Bulgarian reply asks only for the English detail.
    assert answers.delivery == "лого и визитки"
    assert missing_fact(answers, "bg") == "problem_details"
    assert facts_for(answers, "bg").delivery == "лого и визитки"


def test_latin_names_are_fine_in_a_bulgarian_reply() -> None:
    answers = Answers(client_name="Nordlicht GmbH", contact_name="Anna", delivery="лого")
    assert missing_fact(answers, "bg") is None


def test_retyped_facts_survive_storage() -> None:
    answers = Answers(delivery="лого")
    keep_fact(answers, "en", "delivery", "the logo")
    again = Answers.from_dict(answers.to_dict())
    assert again.reply_facts == {"en": {"delivery": "the logo"}}


def _to_reply_in_bg(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    for text in ("Акме ООД", "Мария", "лого и визитки", "Не е това, което търсим"):
        driver.text(text)
    driver.press_key("coach-btn-direct")
    driver.press_key("coach-btn-writing")
    driver.text("1 200 лв")
    driver.text("400")
    driver.press_key("coach-btn-call-arranged")
    driver.press_key("coach-btn-problem-brief")
    driver.text("искате по-топли цветове")
    driver.press_key("coach-btn-part-ways")
    driver.press_key("coach-btn-pay-keep-deposit")


def test_switching_to_english_asks_each_fact_then_composes_one_language(
    driver: FlowDriver,
) -> None:
    _to_reply_in_bg(driver)
    case = driver.case
    assert case is not None and case.step is Step.REPLY
    assert driver.drafts()[0].language == "bg"
    driver.press_key("coach-btn-reply-in-en")
    assert not driver.drafts()  # a fact first, not a mixed letter
    assert driver.labels() == [t(driver.language, "coach-btn-leave-out")]
    assert "„лого и визитки“" in driver.text_of() or "“лого и визитки”" in driver.text_of()
    driver.text("the logo and business cards")
    driver.press_key("coach-btn-leave-out")  # the details: left out
    driver.text("Acme Ltd")
    driver.text("Maria")
    [reply] = driver.drafts()
    assert reply.language == "en"
    assert not CYRILLIC.search(reply.text)
    assert "the logo and business cards" in reply.text
    assert "warmer" not in reply.text and "топли" not in reply.text
    # Back to Bulgarian: the originals, nothing asked.
    driver.press_key("coach-btn-reply-in-bg")
    [bulgarian] = driver.drafts()
    assert "лого и визитки" in bulgarian.text
    assert "искате по-топли цветове" in bulgarian.text.casefold()  # the writer's own sentence
    # And to English again: the retyped values are remembered.
    driver.press_key("coach-btn-reply-in-en")
    [again] = driver.drafts()
    assert again.text == reply.text


def test_a_changed_fact_is_asked_again(driver: FlowDriver) -> None:
    _to_reply_in_bg(driver)
    driver.press_key("coach-btn-reply-in-en")
    for text in ("the logo", "you'd like warmer colours", "Acme Ltd", "Maria"):
        driver.text(text)
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-edit-delivery")
    driver.text("логото")
    assert driver.case is not None and driver.case.step is Step.REPLY
    assert not driver.drafts()
    assert "логото" in driver.text_of()


@pytest.mark.parametrize(
    ("coach", "said", "reply"),
    [("bg", "This is not what we had in mind", "en"), ("en", "Не това очаквахме", "bg")],
)
def test_the_clients_message_preselects_the_reply_language(
    coach: str, said: str, reply: str
) -> None:
    driver = FlowDriver(language=coach)
    drive_to(driver, Step.CLIENT_SAID)
    driver.text(said)
    assert driver.case is not None and driver.case.answers.reply_language == reply
    button = t(coach, f"coach-btn-reply-in-{coach}")
    assert driver.said(f"coach-reply-preselected-{reply}", button=button)


def test_a_message_in_the_coachs_language_says_nothing(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_SAID)
    driver.text("Не това очаквахме" if driver.language == "bg" else "Not what we expected")
    assert driver.case is not None and driver.case.answers.reply_language is None
    assert "coach-reply-preselected" not in driver.text_of()


def _call_requests(driver: FlowDriver) -> list[str]:
    return [d.text for d in driver.drafts() if d.kind.value == "call_request"]


def test_the_call_request_asks_facts_in_the_other_script_again_one_at_a_time() -> None:
    driver = FlowDriver(language="bg")
    drive_to(driver, Step.DELIVERY)  # the client "ACME Ltd", the contact "Maria"
    driver.text("логото и визитките")
    driver.text("We are not happy with it at all.")  # English: the letters go in English
    driver.press_key("coach-btn-agency")
    driver.text("Петя")
    driver.press_key("coach-btn-writing")
    driver.text("1 200")
    driver.text("400")
    assert driver.case is not None and driver.case.step is Step.TALK
    assert _call_requests(driver) == []  # not composed with a hole or a Bulgarian phrase
    assert driver.said(
        "coach-call-fact-prompt",
        language="en",
        fact=t("bg", "coach-step-delivery"),
        value="логото и визитките",
    )
    assert driver.labels() == [t("bg", "coach-btn-leave-out")]
    driver.text("the logo and business cards")
    assert driver.said("coach-call-name-prompt", value="Петя")  # then the next one
    driver.press_key("coach-btn-leave-out")  # Skip = leave it out
    (call,) = _call_requests(driver)
    assert not CYRILLIC.search(call), call
    assert "the logo and business cards" in call and call.startswith("Hello,")
    assert t("bg", "coach-btn-call-arranged") in driver.labels()  # then the step's buttons
    # The advice is not repeated; the reply later asks neither fact again.
    assert not driver.said("coach-talk-agency")
    assert driver.case.answers.reply_facts["en"] == {
        "delivery": "the logo and business cards",
        "intermediary_contact": "",
    }
